/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/guest.c: the guest side of the parigot ABI (docs/abi.md; its
 * numbers and imports are include/parigot/abi.h's) for C.
 *
 * It defines the exports the kernel calls: parigot_main runs the
 * programmer's parigot_guest_declare(), and parigot_event reads one event
 * and turns it into a call of the programmer's code: the start hook, a
 * handler for an incoming call, or the continuations of a future. Only
 * wasm32 builds compile it (its imports exist only under parigot).
 *
 * State is file-static: a guest instance is one single-threaded program,
 * and this file is its event loop. Requests and responses are decoded into
 * an arena reset at the next event, so they live until the code that
 * received them returns; futures and incoming calls come from malloc, as
 * they outlive the event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "parigot/abi.h"
#include "parigot/guest.h"
#include "parigot/roles.h"

/* ---- futures ------------------------------------------------------------ */

typedef struct cont {
  parigot_future_ok ok;
  parigot_future_fail fail;
  void *ctx;
  parigot_typed_fn typed; /* a generated stub's typed continuation ... */
  parigot_adapt_fn adapt; /* ... and how to call it */
} cont;

/* Most futures get one continuation: it lives inline, more go to conts. */
struct parigot_future {
  cont first;
  cont *conts; /* owned: the continuations after the first */
  size_t n;    /* all of them, the first included */
};

/* Settled futures wait here for reuse: a guest that makes calls at a
 * steady rate stops calling malloc for them. */
static parigot_future *spare_futures;

parigot_future *parigot_future_new(void) {
  parigot_future *f = spare_futures;
  if (f == NULL)
    return calloc(1, sizeof(parigot_future));
  spare_futures = f->first.ctx;
  memset(f, 0, sizeof *f);
  return f;
}

static void add_cont(parigot_future *f, cont c) {
  if (f->n == 0) {
    f->first = c;
    f->n = 1;
    return;
  }
  cont *bigger = realloc(f->conts, f->n * sizeof *bigger);
  if (bigger == NULL) {
    parigot_log(PARIGOT_ERROR, "out of memory adding a continuation");
    abort();
  }
  f->conts = bigger;
  f->conts[f->n++ - 1] = c;
}

void parigot_future_on(parigot_future *f, parigot_future_ok ok,
                       parigot_future_fail fail, void *ctx) {
  add_cont(f, (cont){ok, fail, ctx, NULL, NULL});
}

static void settle(parigot_future *f, const void *value,
                   const parigot_status *status) {
  for (size_t i = 0; i < f->n; i++) {
    cont *c = i == 0 ? &f->first : &f->conts[i - 1];
    if (status != NULL && c->fail != NULL)
      c->fail(c->ctx, status);
    else if (status == NULL && c->adapt != NULL && c->typed != NULL)
      c->adapt(c->typed, c->ctx, value);
    else if (status == NULL && c->ok != NULL)
      c->ok(c->ctx, value);
  }
  if (f->conts != NULL) /* rarely: one continuation is the rule */
    free(f->conts);
  f->first.ctx = spare_futures; /* the spare list's link */
  spare_futures = f;
}

void parigot_future_resolve(parigot_future *f, const void *value) {
  settle(f, value, NULL);
}

void parigot_future_reject(parigot_future *f, const parigot_status *status) {
  settle(f, NULL, status);
}

/* The shared state of all() and any(): freed when every input settled. */
typedef struct combo {
  parigot_future *out; /* NULL once settled */
  size_t pending;      /* inputs not settled yet */
  size_t failed;
  bool is_all;
} combo;

static void combo_done(combo *k) {
  if (--k->pending == 0) {
    if (k->out != NULL && k->is_all)
      parigot_future_resolve(k->out, NULL);
    free(k);
  }
}

static void combo_ok(void *ctx, const void *value) {
  combo *k = ctx;
  if (k->out != NULL && !k->is_all) {
    parigot_future_resolve(k->out, value);
    k->out = NULL;
  }
  combo_done(k);
}

static void combo_fail(void *ctx, const parigot_status *status) {
  combo *k = ctx;
  k->failed++;
  if (k->out != NULL && (k->is_all || k->pending == 1)) {
    parigot_future_reject(k->out, status);
    k->out = NULL;
  }
  combo_done(k);
}

static parigot_future *combine(parigot_future *const *fs, size_t n,
                               bool is_all) {
  parigot_future *out = parigot_future_new();
  combo *k = calloc(1, sizeof *k);
  if (out == NULL || k == NULL) {
    free(out);
    free(k);
    return NULL;
  }
  *k = (combo){out, n, 0, is_all};
  for (size_t i = 0; i < n; i++)
    parigot_future_on(fs[i], combo_ok, combo_fail, k);
  if (n == 0) { /* nothing to wait for: all() holds at once */
    k->pending = 1;
    combo_done(k);
  }
  return out;
}

parigot_future *parigot_future_all(parigot_future *const *fs, size_t n) {
  return combine(fs, n, true);
}

parigot_future *parigot_future_any(parigot_future *const *fs, size_t n) {
  return n == 0 ? NULL : combine(fs, n, false);
}

/* ---- logging and exit --------------------------------------------------- */

void parigot_log(parigot_level level, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  parigot_abi_log((uint32_t)level, buf,
                  (size_t)n < sizeof buf ? (uint32_t)n : sizeof buf - 1);
}

uint64_t parigot_now(void) {
  uint64_t t = 0;
  parigot_abi_now(&t);
  return t;
}

/* Checks of include/parigot/testing.h that failed (sdk/c/testing.c counts
 * them here, so that parigot_exit() sees them without pulling the test
 * library into every guest). */
static unsigned testing_failures;

void pg_testing_count_failure(void) {
  testing_failures++;
}

unsigned parigot_testing_failures(void) {
  return testing_failures;
}

_Noreturn void parigot_exit(int code) {
  /* A test whose expectations failed fails, whatever it exits with. */
  exit(code == 0 && testing_failures > 0 ? 1 : code); /* flushes stdio */
}

/* ---- arguments ---------------------------------------------------------- */

const char *const *parigot_args(int *argc) {
  static char **argv; /* owned, with the strings in one block after it */
  static int n;
  size_t count = 0, size = 0;
  if (argv == NULL && __wasi_args_sizes_get(&count, &size) == 0 &&
      count < (size_t)INT32_MAX / sizeof *argv &&
      size < SIZE_MAX - (count + 1) * sizeof *argv) {
    size_t table = (count + 1) * sizeof *argv;
    char **v = calloc(1, table + size + 1);
    if (v != NULL &&
        __wasi_args_get((uint8_t **)v, (uint8_t *)v + table) == 0) {
      argv = v;
      n = (int)count;
    } else {
      free(v);
    }
  }
  if (argc != NULL)
    *argc = argv != NULL ? n : 0;
  return (const char *const *)argv;
}

/* ---- services this guest requires and exports --------------------------- */

typedef struct required {
  const parigot_pb_service_desc *desc;
  uint32_t handle;
  bool is_located;
} required;

typedef struct exported {
  const parigot_pb_service_desc *desc;
  const parigot_invoke_fn *invokers; /* one per method */
  const void *handlers;
} exported;

static required *requireds;
static size_t nrequireds;
static exported *exporteds;
static size_t nexporteds;

static void *grow_table(void *table, size_t n, size_t size) {
  void *bigger = realloc(table, (n + 1) * size);
  if (bigger == NULL) {
    parigot_log(PARIGOT_ERROR, "out of memory at start-up");
    exit(70);
  }
  return bigger;
}

void parigot_require(const parigot_pb_service_desc *s) {
  requireds = grow_table(requireds, nrequireds, sizeof *requireds);
  requireds[nrequireds++] = (required){s, 0, false};
  parigot_abi_require_service(s->full_name, (uint32_t)strlen(s->full_name));
}

/* Files described already: each goes to the kernel once, after the files
 * it imports. */
static const parigot_pb_file_desc **described;
static size_t ndescribed;

void parigot_describe(const parigot_pb_file_desc *f) {
  for (size_t i = 0; i < ndescribed; i++)
    if (described[i] == f)
      return;
  described = grow_table(described, ndescribed, sizeof *described);
  described[ndescribed++] = f;
  for (uint32_t i = 0; i < f->n_dependencies; i++)
    parigot_describe(f->dependencies[i]);
  parigot_abi_describe(f->descriptor, (uint32_t)f->descriptor_len);
}

void parigot_export(const parigot_pb_service_desc *s,
                    const parigot_invoke_fn *invokers, const void *handlers) {
  exporteds = grow_table(exporteds, nexporteds, sizeof *exporteds);
  exporteds[nexporteds++] = (exported){s, invokers, handlers};
  parigot_abi_export_service(s->full_name, (uint32_t)strlen(s->full_name));
}

/* ---- outgoing calls ----------------------------------------------------- */

typedef struct pending {
  uint64_t call_id;
  parigot_future *future;
  const parigot_pb_message_desc *response;
} pending;

static pending *pendings;
static size_t npendings, cappendings;

/* Decoded requests and responses, and encoded ones on their way out, live
 * until the code they were handed to returns: one arena, reset after each
 * event, serves them all without a malloc per message. */
static parigot_arena event_arena;
static bool has_arena;

static parigot_arena *arena(void) {
  if (!has_arena) {
    parigot_arena_init(&event_arena, NULL);
    has_arena = true;
  }
  return &event_arena;
}

/* Bytes fields point into the event buffer, which also lives until the
 * next event: one copy of a payload fewer each way. */
static const parigot_pb_decode_options *decode_options(void) {
  static parigot_pb_decode_options o;
  o.allocator = parigot_arena_allocator(arena());
  o.alias_bytes = true;
  return &o;
}
static uint64_t next_timeout_ns; /* 0: the app's default deadline */

void parigot_next_call_timeout(uint64_t ns) {
  next_timeout_ns = ns;
}

static int locate(const parigot_pb_service_desc *s, uint32_t *handle) {
  for (size_t i = 0; i < nrequireds; i++) {
    required *r = &requireds[i];
    if (r->desc != s)
      continue;
    if (!r->is_located) {
      int32_t rc = parigot_abi_locate(
          s->full_name, (uint32_t)strlen(s->full_name), &r->handle);
      if (rc != 0)
        return rc;
      r->is_located = true;
    }
    *handle = r->handle;
    return 0;
  }
  return PARIGOT_EPERM; /* the kernel would refuse it too */
}

static void fail_now(parigot_future *f, uint32_t code, const char *why) {
  parigot_status st = {code, 0, why};
  parigot_future_reject(f, &st);
}

static int add_pending(uint64_t id, parigot_future *f,
                       const parigot_pb_message_desc *d) {
  if (npendings == cappendings) {
    size_t cap = cappendings ? 2 * cappendings : 16;
    pending *bigger = realloc(pendings, cap * sizeof *bigger);
    if (bigger == NULL)
      return PARIGOT_ENOMEM;
    pendings = bigger;
    cappendings = cap;
  }
  pendings[npendings++] = (pending){id, f, d};
  return 0;
}

/* A guest calls the same few methods again and again: the length of the
 * last one's name is kept. */
static uint32_t method_name_len(const parigot_pb_method_desc *m) {
  static const parigot_pb_method_desc *last;
  static uint32_t last_len;
  if (m != last) {
    last = m;
    last_len = (uint32_t)strlen(m->name);
  }
  return last_len;
}

parigot_future *parigot_dispatch(const parigot_pb_service_desc *s,
                                 uint32_t method, const void *req,
                                 parigot_typed_fn ok, parigot_adapt_fn adapt,
                                 parigot_future_fail fail, void *ctx) {
  const parigot_pb_method_desc *m = &s->methods[method];
  parigot_future *f = parigot_future_new();
  if (f == NULL)
    return NULL;
  add_cont(f, (cont){NULL, fail, ctx, ok, adapt});
  uint32_t handle;
  if (locate(s, &handle) != 0) {
    fail_now(f, PARIGOT_CODE_PERMISSION_DENIED, "service not required");
    return NULL;
  }
  size_t len = parigot_pb_encoded_size(m->input, req);
  uint8_t *buf = parigot_arena_alloc(arena(), len);
  uint64_t id = 0, timeout = next_timeout_ns;
  next_timeout_ns = 0;
  int32_t rc = buf ? (int32_t)parigot_pb_encode(m->input, req, buf, len)
                   : PARIGOT_ENOMEM;
  if (rc >= 0)
    rc = parigot_abi_dispatch(handle, m->name, method_name_len(m), buf,
                              (uint32_t)len, timeout, &id);
  if (rc >= 0)
    rc = add_pending(id, f, m->output);
  if (rc < 0) {
    fail_now(f,
             rc == PARIGOT_ETOOBIG ? PARIGOT_CODE_RESOURCE_EXHAUSTED
                                   : PARIGOT_CODE_INTERNAL,
             parigot_strerror(rc));
    return NULL;
  }
  return f;
}

static void on_response(uint32_t status, uint64_t id, int32_t app_error,
                        const uint8_t *payload, uint32_t len) {
  size_t i = 0;
  while (i < npendings && pendings[i].call_id != id)
    i++;
  if (i == npendings)
    return; /* not ours: the kernel never sends these */
  pending p = pendings[i];
  pendings[i] = pendings[--npendings];
  if (status != PARIGOT_CODE_OK) {
    char *msg = strndup((const char *)payload, len);
    parigot_status st = {status, app_error, msg ? msg : ""};
    parigot_future_reject(p.future, &st);
    free(msg);
    return;
  }
  void *resp = parigot_arena_alloc(arena(), p.response->size);
  int rc = PARIGOT_ENOMEM;
  if (resp != NULL) {
    parigot_pb_init(p.response, resp);
    rc = parigot_pb_decode(p.response, resp, payload, len, decode_options());
  }
  if (rc == 0)
    parigot_future_resolve(p.future, resp);
  else
    fail_now(p.future, PARIGOT_CODE_INTERNAL, "cannot decode the response");
}

/* ---- incoming calls ----------------------------------------------------- */

struct parigot_call {
  uint64_t id;
  uint64_t deadline;
  const char *caller;        /* interned: see intern_caller */
  struct parigot_call *next; /* in the spare list, once answered */
};

/* Answered calls wait here for reuse, as settled futures do. */
static parigot_call *spare_calls;

static parigot_call *call_new(void) {
  parigot_call *c = spare_calls;
  if (c == NULL)
    return malloc(sizeof *c);
  spare_calls = c->next;
  return c;
}

static void call_free(parigot_call *c) {
  c->next = spare_calls;
  spare_calls = c;
}

/* Callers are the app's guests, a handful of names: each is kept once for
 * the guest's life, so a call holds a pointer, not a copy. */
typedef struct interned {
  char *name;
  uint32_t len;
} interned;

static const char *intern_caller(const char *name, uint32_t len) {
  static interned *names;
  static size_t n;
  for (size_t i = 0; i < n; i++)
    if (names[i].len == len && memcmp(names[i].name, name, len) == 0)
      return names[i].name;
  char *copy = strndup(name, len);
  interned *bigger = realloc(names, (n + 1) * sizeof *names);
  if (copy == NULL || bigger == NULL) {
    free(copy);
    return "";
  }
  names = bigger;
  names[n++] = (interned){copy, len};
  return copy;
}

uint64_t parigot_call_id(const parigot_call *c) {
  return c->id;
}

uint64_t parigot_call_deadline(const parigot_call *c) {
  return c->deadline;
}

const char *parigot_call_caller(const parigot_call *c) {
  return c->caller;
}

uint64_t parigot_call_time_left(const parigot_call *c) {
  uint64_t now = parigot_now();
  return now < c->deadline ? c->deadline - now : 0;
}

int parigot_call_fail(parigot_call *c, uint32_t code, int32_t app_error,
                      const char *message) {
  const char *msg = message ? message : "";
  int rc = parigot_abi_respond(c->id, code, app_error, (const uint8_t *)msg,
                               (uint32_t)strlen(msg));
  call_free(c);
  return rc;
}

int parigot_respond(parigot_call *c, const parigot_pb_message_desc *d,
                    const void *resp) {
  size_t len = parigot_pb_encoded_size(d, resp);
  uint8_t *buf = parigot_arena_alloc(arena(), len);
  if (buf == NULL || parigot_pb_encode(d, resp, buf, len) < 0)
    return parigot_call_fail(c, PARIGOT_CODE_INTERNAL, 0,
                             "cannot encode the response");
  int rc = parigot_abi_respond(c->id, PARIGOT_CODE_OK, 0, buf, (uint32_t)len);
  call_free(c);
  return rc;
}

static const parigot_pb_method_desc *find_method(const exported *e,
                                                 const char *name, uint32_t len,
                                                 uint32_t *index) {
  for (uint32_t i = 0; i < e->desc->n_methods; i++) {
    const char *m = e->desc->methods[i].name;
    /* strncmp stops at the first difference; the NUL check makes it exact. */
    if (strncmp(m, name, len) == 0 && m[len] == 0) {
      *index = i;
      return &e->desc->methods[i];
    }
  }
  return NULL;
}

static void on_call(uint64_t id, uint64_t deadline, uint32_t service,
                    const char *method, uint32_t method_len, const char *caller,
                    uint32_t caller_len, const uint8_t *payload, uint32_t len) {
  parigot_call *c = call_new();
  if (c == NULL) {
    parigot_abi_respond(id, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0, NULL, 0);
    return;
  }
  *c = (parigot_call){id, deadline, intern_caller(caller, caller_len), NULL};
  uint32_t index;
  const parigot_pb_method_desc *m =
      service < nexporteds
          ? find_method(&exporteds[service], method, method_len, &index)
          : NULL;
  if (m == NULL) {
    parigot_call_fail(c, PARIGOT_CODE_UNIMPLEMENTED, 0, "no such method");
    return;
  }
  void *req = parigot_arena_alloc(arena(), m->input->size);
  if (req != NULL)
    parigot_pb_init(m->input, req);
  if (req == NULL ||
      parigot_pb_decode(m->input, req, payload, len, decode_options())) {
    parigot_call_fail(c, PARIGOT_CODE_INVALID_ARGUMENT, 0,
                      "cannot decode the request");
    return;
  }
  const exported *e = &exporteds[service];
  e->invokers[index](c, req, e->handlers);
}

/* ---- a required service's death ---------------------------------------- */

static parigot_died_fn died_fn;
static parigot_restarted_fn restarted_fn;
static parigot_stop_fn stop_fn;

void parigot_on_required_died(parigot_died_fn fn) {
  died_fn = fn;
}

void parigot_on_required_restarted(parigot_restarted_fn fn) {
  restarted_fn = fn;
}

void parigot_on_stop(parigot_stop_fn fn) {
  stop_fn = fn;
}

/* The descriptor this guest required under the full name @p name. */
static const parigot_pb_service_desc *required_named(const char *name,
                                                     uint32_t name_len) {
  for (size_t i = 0; i < nrequireds; i++) {
    const char *full = requireds[i].desc->full_name;
    if (strncmp(full, name, name_len) == 0 && full[name_len] == 0)
      return requireds[i].desc;
  }
  return NULL;
}

static void on_died(const char *name, uint32_t name_len, const char *why,
                    uint32_t why_len) {
  const parigot_pb_service_desc *s = required_named(name, name_len);
  if (died_fn == NULL || s == NULL)
    return;
  char *text = strndup(why, why_len);
  died_fn(s, text ? text : "");
  free(text);
}

static void on_restarted(const char *name, uint32_t name_len) {
  const parigot_pb_service_desc *s = required_named(name, name_len);
  if (restarted_fn != NULL && s != NULL)
    restarted_fn(s);
}

/* ---- the exports -------------------------------------------------------- */

static uint32_t get32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint64_t get64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

__attribute__((export_name(PARIGOT_ABI_EXPORT))) void
PARIGOT_ABI_EXPORT_FN(void) {}

/* The kernel writes each event into this buffer before it calls
 * parigot_event, when it fits; a kind of 0 says it did not, and the event
 * is fetched with event_read after the buffer grows. */
static uint8_t *event_buf;
static uint32_t event_cap;

static void grow_event_buffer(uint32_t len) {
  uint8_t *bigger = realloc(event_buf, len);
  if (bigger == NULL)
    exit(70);
  event_buf = bigger;
  event_cap = len;
  parigot_abi_event_buffer(event_buf, event_cap);
}

/* The event of this call of parigot_event, in event_buf; false if none. */
static bool take_event(void) {
  uint32_t len = 0;
  if (get32(event_buf + PARIGOT_EV_OFF_KIND) != 0)
    return true;
  int32_t rc = parigot_abi_event_read(event_buf, event_cap, &len);
  if (rc == PARIGOT_ENOSPC) {
    grow_event_buffer(len);
    rc = parigot_abi_event_read(event_buf, event_cap, &len);
  }
  return rc == 0 && len >= PARIGOT_EV_HEADER_SIZE;
}

/* What the guest printed reaches the host before control returns to the
 * kernel, which may stop or free this instance before the next event (a
 * STOP, the app's end, a kill). The kernel's stdio is a character device
 * to libc, so stdout is line-buffered and whole lines are written at once
 * anyway: this writes the unfinished last line. __fpending() first, as
 * most events print nothing: it reads two pointers, where fflush() of an
 * empty stream costs some 40 instructions more per stream and event. */
static void flush_stdio(void) {
  if (__fpending(stdout) != 0)
    fflush(stdout);
  if (__fpending(stderr) != 0)
    fflush(stderr);
}

__attribute__((export_name(PARIGOT_ABI_MAIN))) void parigot_main(void) {
  grow_event_buffer(4096);
  memset(event_buf + PARIGOT_EV_OFF_KIND, 0, 4);
  parigot_guest_declare();
  flush_stdio();
}

/* The user of the event being handled, read from the kernel the first
 * time it is asked for in an event (most events never ask). */
static struct {
  bool is_read, has_user;
  char id[PARIGOT_CTX_USER_ID_MAX + 1];
  char name[PARIGOT_CTX_USER_NAME_MAX + 1];
  char roles[PARIGOT_CTX_ROLES_MAX + 1];
} user_now;

static void copy_field(char *dst, const uint8_t *src, uint32_t len,
                       uint32_t max) {
  len = len > max ? max : len;
  memcpy(dst, src, len);
  dst[len] = '\0';
}

static void read_user(void) {
  static uint8_t buf[PARIGOT_CTX_HEADER_SIZE + PARIGOT_CTX_USER_ID_MAX +
                     PARIGOT_CTX_USER_NAME_MAX + PARIGOT_CTX_ROLES_MAX];
  uint32_t len = 0;
  user_now.is_read = true;
  user_now.has_user = false;
  if (parigot_abi_context_read(buf, sizeof buf, &len) != 0 ||
      len < PARIGOT_CTX_HEADER_SIZE ||
      (get32(buf + PARIGOT_CTX_OFF_FLAGS) & PARIGOT_CTX_HAS_USER) == 0)
    return;
  uint32_t id_len = get32(buf + PARIGOT_CTX_OFF_USER_ID_LEN);
  uint32_t name_len = get32(buf + PARIGOT_CTX_OFF_USER_NAME_LEN);
  uint32_t roles_len = get32(buf + PARIGOT_CTX_OFF_ROLES_LEN);
  if ((uint64_t)PARIGOT_CTX_HEADER_SIZE + id_len + name_len + roles_len > len)
    return;
  const uint8_t *p = buf + PARIGOT_CTX_HEADER_SIZE;
  copy_field(user_now.id, p, id_len, PARIGOT_CTX_USER_ID_MAX);
  copy_field(user_now.name, p + id_len, name_len, PARIGOT_CTX_USER_NAME_MAX);
  copy_field(user_now.roles, p + id_len + name_len, roles_len,
             PARIGOT_CTX_ROLES_MAX);
  user_now.has_user = true;
}

bool parigot_call_user(parigot_user *out) {
  if (!user_now.is_read)
    read_user();
  if (!user_now.has_user)
    return false;
  *out = (parigot_user){user_now.id, user_now.name, user_now.roles};
  return true;
}

bool parigot_call_user_has_role(const char *role) {
  parigot_user u;
  return parigot_call_user(&u) &&
         parigot_roles_include(u.roles, role, strlen(role));
}

int parigot_call_set_user(const char *id, const char *name, const char *roles) {
  id = id != NULL ? id : "";
  name = name != NULL ? name : id;
  roles = roles != NULL ? roles : "";
  int32_t rc = parigot_abi_context_set_user(id, (uint32_t)strlen(id), name,
                                            (uint32_t)strlen(name), roles,
                                            (uint32_t)strlen(roles));
  user_now.is_read = false; /* read again: it may have changed */
  return rc;
}

/* One event per call. */
__attribute__((export_name(PARIGOT_ABI_EVENT))) void parigot_event(void) {
  user_now.is_read = false;
  if (!take_event())
    return;
  const uint8_t *buf = event_buf;
  parigot_arena_reset(arena()); /* the last event's messages are done */
  uint32_t kind = get32(buf + PARIGOT_EV_OFF_KIND);
  uint32_t method_len = get32(buf + PARIGOT_EV_OFF_METHOD_LEN);
  uint32_t payload_len = get32(buf + PARIGOT_EV_OFF_PAYLOAD_LEN);
  uint32_t caller_len = get32(buf + PARIGOT_EV_OFF_CALLER_LEN);
  uint64_t call_id = get64(buf + PARIGOT_EV_OFF_CALL_ID);
  const uint8_t *method = buf + PARIGOT_EV_HEADER_SIZE;
  const uint8_t *caller = method + method_len;
  const uint8_t *payload = caller + caller_len;
  if (kind == PARIGOT_EV_START)
    parigot_guest_start();
  else if (kind == PARIGOT_EV_CALL)
    on_call(call_id, get64(buf + PARIGOT_EV_OFF_DEADLINE_NS),
            get32(buf + PARIGOT_EV_OFF_SERVICE), (const char *)method,
            method_len, (const char *)caller, caller_len, payload, payload_len);
  else if (kind == PARIGOT_EV_DIED)
    on_died((const char *)method, method_len, (const char *)payload,
            payload_len);
  else if (kind == PARIGOT_EV_RESPONSE)
    on_response(get32(buf + PARIGOT_EV_OFF_STATUS), call_id,
                (int32_t)get32(buf + PARIGOT_EV_OFF_APP_ERROR), payload,
                payload_len);
  else if (kind == PARIGOT_EV_RESTARTED)
    on_restarted((const char *)method, method_len);
  else if (kind == PARIGOT_EV_STOP && stop_fn != NULL)
    stop_fn();
  /* kind 0: the next event is not here yet */
  memset(event_buf + PARIGOT_EV_OFF_KIND, 0, 4);
  flush_stdio();
}
