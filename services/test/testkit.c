/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/test/testkit.c: the parigot.test native kind (testkit.h). The
 * calls of parigot.test.v1.Test are read in protobuf's wire format
 * (util/pbwire.h); InjectFault and Kill are the kernel's
 * (pg_native_inject_fault, pg_native_kill); Sleep calls are held, earliest
 * first, and answered by kind.wake when their time comes on the app's
 * clock (virtual in deterministic mode, so a test's timers repeat
 * exactly). Owns the held sleeps, at most MAX_SLEEPS; handlers run one at
 * a time on the kernel's thread.
 */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/abi.h"
#include "parigot/error.h"
#include "pbwire.h"
#include "test_fds.h"

#define MAX_SLEEPS 1024u /* held Sleep calls; more are RESOURCE_EXHAUSTED */

typedef struct sleeper {
  uint64_t call;
  uint64_t due_ns;
} sleeper;

typedef struct kit {
  sleeper sleeps[MAX_SLEEPS]; /* sleeps[0 .. n), by due_ns then arrival */
  uint32_t n;
} kit;

/* The fields 1 to 8 of a request; absent ones are zero. Wrong wire types
 * are refused; unknown fields skipped, as protobuf does. */
typedef struct fields {
  pg_pbwire_field f[9];
} fields;

static bool parse(const pg_native_call *c, const char *shape, fields *r) {
  return pg_pbwire_read_shape(c->req, c->req_len, shape, r->f);
}

/* A string field as a NUL-terminated copy in @p out; false when it does
 * not fit or holds a NUL. */
static bool text_of(const pg_pbwire_field *f, char *out, size_t cap) {
  if (f->len >= cap || (f->len > 0 && memchr(f->p, '\0', f->len) != NULL))
    return false;
  if (f->len > 0)
    memcpy(out, f->p, f->len);
  out[f->len] = '\0';
  return true;
}

static void fail(pg_native *n, const pg_native_call *c, uint32_t code,
                 const char *msg) {
  pg_native_respond(n, c->id, code, 0, msg, strlen(msg));
}

static void answer_empty(pg_native *n, const pg_native_call *c) {
  pg_native_respond(n, c->id, 0, 0, NULL, 0);
}

static void ask_wake(pg_native *n, const kit *k) {
  pg_native_wake_at(n, k->n > 0 ? k->sleeps[0].due_ns : 0);
}

static void sleep_call(pg_native *n, kit *k, const pg_native_call *c) {
  fields r;
  if (!parse(c, "V", &r))
    return fail(n, c, PARIGOT_CODE_INVALID_ARGUMENT,
                "Sleep: the request is not a SleepRequest");
  if (k->n == MAX_SLEEPS)
    return fail(n, c, PARIGOT_CODE_RESOURCE_EXHAUSTED,
                "Sleep: 1024 sleeps are held already");
  uint64_t now = pg_native_now(n), d = r.f[1].v;
  uint64_t due = d > UINT64_MAX - now ? UINT64_MAX : now + d;
  uint32_t at = k->n;
  while (at > 0 && k->sleeps[at - 1].due_ns > due)
    at--;
  memmove(&k->sleeps[at + 1], &k->sleeps[at],
          (k->n - at) * sizeof k->sleeps[0]);
  k->sleeps[at] = (sleeper){c->id, due};
  k->n++;
  ask_wake(n, k);
}

static void inject_call(pg_native *n, const pg_native_call *c) {
  fields r;
  char service[PARIGOT_ABI_NAME_MAX + 1], method[PARIGOT_ABI_NAME_MAX + 1];
  char message[200], why[PARIGOT_ABI_NAME_MAX + 128];
  if (!parse(c, "LLVVVVLV", &r) || !text_of(&r.f[1], service, sizeof service) ||
      !text_of(&r.f[2], method, sizeof method) ||
      !text_of(&r.f[7], message, sizeof message) || r.f[3].v > UINT32_MAX ||
      r.f[4].v > UINT32_MAX || r.f[6].v > UINT32_MAX)
    return fail(n, c, PARIGOT_CODE_INVALID_ARGUMENT,
                "InjectFault: the request is not an InjectFaultRequest "
                "(or a name or the message is too long)");
  pg_native_fault f = {.service = service,
                       .method = method,
                       .nth = (uint32_t)r.f[3].v,
                       .count = (uint32_t)r.f[4].v,
                       .action = (int)r.f[5].v,
                       .code = (uint32_t)r.f[6].v,
                       .message = message,
                       .delay_ns = r.f[8].v};
  int rc = pg_native_inject_fault(n, &f, why, sizeof why);
  if (rc == 0)
    return answer_empty(n, c);
  char msg[sizeof why + 16];
  snprintf(msg, sizeof msg, "InjectFault: %s", why);
  fail(n, c,
       rc == PARIGOT_ENOSPC ? PARIGOT_CODE_RESOURCE_EXHAUSTED
                            : PARIGOT_CODE_INVALID_ARGUMENT,
       msg);
}

static void kill_call(pg_native *n, const pg_native_call *c) {
  fields r;
  char guest[PARIGOT_ABI_NAME_MAX + 1], why[PARIGOT_ABI_NAME_MAX + 64];
  char reason[PARIGOT_ABI_NAME_MAX + 32];
  if (!parse(c, "L", &r) || !text_of(&r.f[1], guest, sizeof guest))
    return fail(n, c, PARIGOT_CODE_INVALID_ARGUMENT,
                "Kill: the request is not a KillRequest");
  snprintf(reason, sizeof reason, "killed by the test (%.*s)",
           (int)c->caller_len, c->caller);
  int rc = pg_native_kill(n, guest, reason, why, sizeof why);
  if (rc == 0)
    return answer_empty(n, c);
  char msg[sizeof why + 8];
  snprintf(msg, sizeof msg, "Kill: %s", why);
  fail(n, c,
       rc == PARIGOT_ENOENT ? PARIGOT_CODE_NOT_FOUND
                            : PARIGOT_CODE_FAILED_PRECONDITION,
       msg);
}

static void link_call(pg_native *n, const pg_native_call *c) {
  fields r;
  char from[PARIGOT_ABI_NAME_MAX + 1], to[PARIGOT_ABI_NAME_MAX + 1];
  char why[2 * PARIGOT_ABI_NAME_MAX + 160];
  if (!parse(c, "LLVV", &r) || !text_of(&r.f[1], from, sizeof from) ||
      !text_of(&r.f[2], to, sizeof to) || r.f[3].v > 3)
    return fail(n, c, PARIGOT_CODE_INVALID_ARGUMENT,
                "SetLink: the request is not a SetLinkRequest");
  int rc =
      pg_native_set_link(n, from, to, (int)r.f[3].v, r.f[4].v, why, sizeof why);
  if (rc == 0)
    return answer_empty(n, c);
  char msg[sizeof why + 16];
  snprintf(msg, sizeof msg, "SetLink: %s", why);
  fail(n, c,
       rc == PARIGOT_ENOTSUP  ? PARIGOT_CODE_FAILED_PRECONDITION
       : rc == PARIGOT_ENOENT ? PARIGOT_CODE_NOT_FOUND
                              : PARIGOT_CODE_INVALID_ARGUMENT,
       msg);
}

static bool is_method(const pg_native_call *c, const char *name) {
  return c->method_len == strlen(name) &&
         memcmp(c->method, name, c->method_len) == 0;
}

static void on_call(pg_native *n, void *state, const pg_native_call *c) {
  kit *k = state;
  if (is_method(c, "Sleep"))
    sleep_call(n, k, c);
  else if (is_method(c, "InjectFault"))
    inject_call(n, c);
  else if (is_method(c, "Kill"))
    kill_call(n, c);
  else if (is_method(c, "SetLink"))
    link_call(n, c);
  else
    fail(n, c, PARIGOT_CODE_UNIMPLEMENTED,
         "parigot.test.v1.Test has no such method");
}

/* Answers every sleep whose time came, with the time now. */
static void on_wake(pg_native *n, void *state, uint64_t now_ns) {
  kit *k = state;
  uint32_t done = 0;
  while (done < k->n && k->sleeps[done].due_ns <= now_ns) {
    uint8_t b[11] = {0x08};
    size_t len = 1 + pg_pbwire_put_varint(b + 1, now_ns);
    pg_native_respond(n, k->sleeps[done].call, 0, 0, b, len);
    done++;
  }
  memmove(k->sleeps, k->sleeps + done, (k->n - done) * sizeof k->sleeps[0]);
  k->n -= done;
  ask_wake(n, k);
}

static int on_start(pg_native *n, void **state, char *why, size_t cap) {
  (void)n;
  (void)why;
  (void)cap;
  *state = calloc(1, sizeof(kit));
  return *state != NULL ? 0 : PARIGOT_ENOMEM;
}

static void on_stop(pg_native *n, void *state) {
  (void)n;
  free(state);
}

static const char *const exports[] = {"parigot.test.v1.Test"};

const pg_native_kind pg_testkit_kind = {
    .name = PG_TESTKIT_KIND,
    .exports = exports,
    .nexports = 1,
    .descriptors = pg_test_fds,
    .descriptors_len = sizeof pg_test_fds,
    .start = on_start,
    .call = on_call,
    .stop = on_stop,
    .wake = on_wake,
};
