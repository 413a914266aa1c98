/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/native/echo_native.c: the example native service, apptest.v1.Echo
 * (tests/app/proto) written in C on the host instead of as a guest, and a
 * few kinds that exist only to be wrong (a cycle, a missing requirement).
 *
 * Echo answers as tests/app/echo.c does, so the same programs and clients
 * can be pointed at either: MODE_ECHO (the request's value and text),
 * MODE_FAIL (UNKNOWN with the request's app_error), MODE_HOLD (no answer
 * until a MODE_RELEASE), MODE_CONTEXT (time left, caller), MODE_CRASH (the
 * service dies, pg_native_fail), and MODE_SLOW (value ms: in parallel
 * mode answered later by a thread of its own, the way a slow built-in
 * leaves the scheduler free; at once when deterministic). The request is
 * read with util/pbwire.h, the answer written by hand: two fields.
 */
#include "echo_native.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parigot/abi.h"
#include "parigot/error.h"
#include "pbwire.h"

enum {
  MODE_ECHO,
  MODE_FAIL,
  MODE_HOLD,
  MODE_RELEASE,
  MODE_SLOW,
  MODE_CRASH,
  MODE_CONTEXT
};
#define MAX_HELD 64

typedef struct echo_state {
  uint64_t held[MAX_HELD];
  uint32_t nheld;
  pthread_mutex_t mutex; /* guards nlater */
  pthread_cond_t done;   /* nlater went down */
  uint32_t nlater;       /* answers still to come from threads: stop
                            waits for them, as n and state must outlive
                            them */
} echo_state;

typedef struct echo_request {
  uint64_t mode;
  int64_t value;
  const uint8_t *text;
  size_t text_len;
  int32_t app_error;
} echo_request;

static bool parse(const uint8_t *p, size_t len, echo_request *r) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(p, len);
  *r = (echo_request){0};
  while (rd.p < rd.end) {
    pg_pbwire_field f;
    if (pg_pbwire_read_field(&rd, &f) != NULL)
      return false;
    if (f.num == 1 && f.wt == PG_PBWIRE_VARINT)
      r->mode = f.v;
    else if (f.num == 2 && f.wt == PG_PBWIRE_VARINT)
      r->value = (int64_t)f.v;
    else if (f.num == 3 && f.wt == PG_PBWIRE_LEN)
      r->text = f.p, r->text_len = f.len;
    else if (f.num == 4 && f.wt == PG_PBWIRE_VARINT)
      r->app_error = (int32_t)f.v;
  }
  return true;
}

/* EchoResponse{value, text}, as protobuf writes it (defaults left out). */
static void answer(pg_native *n, uint64_t id, int64_t value, const void *text,
                   size_t len) {
  uint8_t *out = malloc(len + 32), *p = out;
  if (out == NULL) {
    pg_native_respond(n, id, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0, "no memory",
                      9);
    return;
  }
  if (value != 0) {
    *p++ = 0x08;
    p += pg_pbwire_put_varint(p, (uint64_t)value);
  }
  if (len > 0) {
    *p++ = 0x12;
    p += pg_pbwire_put_varint(p, len);
    memcpy(p, text, len);
    p += len;
  }
  pg_native_respond(n, id, 0, 0, out, (size_t)(p - out));
  free(out);
}

static int echo_start(pg_native *n, void **state, char *why, size_t cap) {
  (void)why, (void)cap;
  echo_state *s = calloc(1, sizeof *s);
  if (s == NULL)
    return PARIGOT_ENOMEM;
  pthread_mutex_init(&s->mutex, NULL);
  pthread_cond_init(&s->done, NULL);
  *state = s;
  pg_native_log(n, 1, "ready");
  return 0;
}

typedef struct later {
  pg_native *n;
  echo_state *s;
  uint64_t id;
  int64_t ms;
} later;

static void *answer_later(void *arg) {
  later *l = arg;
  struct timespec ts = {l->ms / 1000, (l->ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
  answer(l->n, l->id, l->ms, "", 0);
  pthread_mutex_lock(&l->s->mutex);
  l->s->nlater--;
  pthread_cond_broadcast(&l->s->done);
  pthread_mutex_unlock(&l->s->mutex);
  free(l);
  return NULL;
}

/* MODE_SLOW: not on the scheduler's thread, unless deterministic. */
static void slow(pg_native *n, echo_state *s, uint64_t id, int64_t ms) {
  pthread_t t;
  later *l = malloc(sizeof *l);
  if (pg_native_is_deterministic(n) || l == NULL) {
    free(l);
    answer(n, id, ms, "", 0);
    return;
  }
  *l = (later){n, s, id, ms};
  pthread_mutex_lock(&s->mutex);
  s->nlater++;
  pthread_mutex_unlock(&s->mutex);
  if (pthread_create(&t, NULL, answer_later, l) == 0) {
    pthread_detach(t);
    return;
  }
  pthread_mutex_lock(&s->mutex);
  s->nlater--;
  pthread_mutex_unlock(&s->mutex);
  free(l);
  answer(n, id, ms, "", 0);
}

static void release(pg_native *n, echo_state *s, uint64_t id) {
  int64_t last = 0;
  for (uint32_t i = 0; i < s->nheld; i++)
    last = pg_native_respond(n, s->held[i], 0, 0, "", 0);
  s->nheld = 0;
  answer(n, id, last, "", 0);
}

static void echo_call(pg_native *n, void *state, const pg_native_call *c) {
  echo_state *s = state;
  echo_request r;
  char msg[160];
  if (c->method_len != 3 || memcmp(c->method, "Say", 3) != 0) {
    pg_native_respond(n, c->id, PARIGOT_CODE_UNIMPLEMENTED, 0, "no such method",
                      14);
    return;
  }
  if (!parse(c->req, c->req_len, &r)) {
    pg_native_respond(n, c->id, PARIGOT_CODE_INVALID_ARGUMENT, 0,
                      "malformed request", 17);
    return;
  }
  switch (r.mode) {
  case MODE_FAIL:
    snprintf(msg, sizeof msg, "refused: %.*s", (int)r.text_len,
             (const char *)r.text);
    pg_native_respond(n, c->id, PARIGOT_CODE_UNKNOWN, r.app_error, msg,
                      strlen(msg));
    return;
  case MODE_HOLD:
    if (s->nheld == MAX_HELD) {
      pg_native_respond(n, c->id, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
                        "too many held calls", 19);
      return;
    }
    pg_native_log(n, 1, "holding the call");
    s->held[s->nheld++] = c->id;
    return;
  case MODE_RELEASE:
    release(n, s, c->id);
    return;
  case MODE_SLOW:
    slow(n, s, c->id, r.value);
    return;
  case MODE_CRASH:
    pg_native_fail(n, "it failed on purpose (MODE_CRASH)");
    return;
  case MODE_CONTEXT: {
    uint64_t now = pg_native_now(n);
    answer(n, c->id, (int64_t)(c->deadline_ns > now ? c->deadline_ns - now : 0),
           c->caller, c->caller_len);
    return;
  }
  default:
    answer(n, c->id, r.value, r.text, r.text_len);
  }
}

static void echo_stop(pg_native *n, void *state) {
  echo_state *s = state;
  (void)n;
  pthread_mutex_lock(&s->mutex);
  while (s->nlater > 0)
    pthread_cond_wait(&s->done, &s->mutex);
  pthread_mutex_unlock(&s->mutex);
  pthread_cond_destroy(&s->done);
  pthread_mutex_destroy(&s->mutex);
  free(s);
}

static const char *const echo_exports[] = {"apptest.v1.Echo"};
const pg_native_kind pg_test_echo_kind = {
    .name = "apptest.echo",
    .exports = echo_exports,
    .nexports = 1,
    .start = echo_start,
    .call = echo_call,
    .stop = echo_stop,
};

/* Kinds that only declare: a cycle (ping and pong require each other)
 * and a requirement nobody meets. They never start in a good app. */
static int no_start(pg_native *n, void **state, char *why, size_t cap) {
  (void)n, (void)state;
  snprintf(why, cap, "not meant to start");
  return PARIGOT_EINVAL;
}

static void no_call(pg_native *n, void *state, const pg_native_call *c) {
  (void)state;
  pg_native_respond(n, c->id, PARIGOT_CODE_UNIMPLEMENTED, 0, "no", 2);
}

static const char *const ping_names[] = {"nativetest.v1.Ping"};
static const char *const pong_names[] = {"nativetest.v1.Pong"};
static const char *const missing_names[] = {"nativetest.v1.Missing"};
const pg_native_kind pg_test_ping_kind = {.name = "nativetest.ping",
                                          .exports = ping_names,
                                          .nexports = 1,
                                          .requires = pong_names,
                                          .nrequires = 1,
                                          .start = no_start,
                                          .call = no_call};
const pg_native_kind pg_test_pong_kind = {.name = "nativetest.pong",
                                          .exports = pong_names,
                                          .nexports = 1,
                                          .requires = ping_names,
                                          .nrequires = 1,
                                          .start = no_start,
                                          .call = no_call};
const pg_native_kind pg_test_needy_kind = {.name = "nativetest.needy",
                                           .requires = missing_names,
                                           .nrequires = 1,
                                           .start = no_start,
                                           .call = no_call};
