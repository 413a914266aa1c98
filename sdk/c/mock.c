/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/mock.c: the runtime of the mocks protoc-gen-parigot generates
 * (include/parigot/mock.h), in guests only.
 *
 * A mock is exported like any service, with generated invokers that hand
 * each call here with its method's index. It owns, on the heap, its
 * expectations (with copies of the requests they match and the answers
 * they give), the record of calls (a decoded copy of each request, up to
 * PARIGOT_MOCK_MAX_RECORDED per method) and the first unexpected calls;
 * parigot_mock_free() releases all of it, except what an answer waiting
 * for its delay still needs, which goes when that answer does. Messages
 * are compared and printed from their generated descriptors
 * (include/parigot/pb.h): field by field, a map by its keys. It calls the
 * event loop's parigot_respond(), parigot_call_fail(), parigot_log() and
 * futures, and the test library (testing.c): its Sleep for delays, its
 * count of failures for verify's; single-threaded, as guests are.
 */
#include "parigot/mock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/testing.h"

/* guest.c's count of failed checks (testing.h), which verify adds to. */
void pg_testing_count_failure(void);

/* Unexpected calls kept (decoded) for verify's report. */
#define MAX_UNEXPECTED_KEPT 8
/* One report line's room for a message in text format. */
#define TEXT_CAP 400

/* "dir/file.c" -> "file.c": reports name a file as a reader knows it. */
static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* ---- messages: copy, compare, print -------------------------------------- */

/* A heap copy of @p msg (through its encoding); NULL when out of memory. */
static void *msg_copy(const parigot_pb_message_desc *d, const void *msg) {
  size_t n = parigot_pb_encoded_size(d, msg);
  uint8_t *buf = malloc(n ? n : 1);
  void *copy = malloc(d->size);
  if (buf == NULL || copy == NULL ||
      parigot_pb_encode(d, msg, buf, n) != (int64_t)n) {
    free(buf);
    free(copy);
    return NULL;
  }
  parigot_pb_init(d, copy);
  int rc = parigot_pb_decode(d, copy, buf, n, NULL);
  free(buf);
  if (rc != 0) {
    parigot_pb_free(d, copy, NULL);
    free(copy);
    return NULL;
  }
  return copy;
}

/* A heap copy of @p s; NULL when out of memory. */
static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  return c ? memcpy(c, s, n) : NULL;
}

static void msg_drop(const parigot_pb_message_desc *d, void *msg) {
  if (msg == NULL)
    return;
  parigot_pb_free(d, msg, NULL);
  free(msg);
}

static bool is_zero(const parigot_pb_field *f, const uint8_t *v) {
  if (f->type == PARIGOT_PB_STRING || f->type == PARIGOT_PB_BYTES)
    return ((const parigot_pb_bytes *)v)->len == 0;
  if (f->type == PARIGOT_PB_BOOL)
    return !*(const bool *)v;
  static const uint8_t zeros[8];
  return memcmp(v, zeros, parigot_pb_field_size(f)) == 0;
}

/* The values field @p f holds in @p msg: *n of them from the returned
 * address, parigot_pb_field_size() apart (a singular message: the struct it
 * points to). A singular scalar at its default counts as absent. */
static const uint8_t *field_values(const parigot_pb_field *f, const void *msg,
                                   size_t *n) {
  const uint8_t *base = msg;
  const uint8_t *at = base + f->offset;
  if (parigot_pb_field_is_repeated(f)) {
    memcpy(n, base + f->aux, sizeof *n);
    const uint8_t *arr;
    memcpy(&arr, at, sizeof arr);
    return arr;
  }
  if (f->label == PARIGOT_PB_ONEOF) {
    uint32_t which;
    memcpy(&which, base + f->aux, sizeof which);
    *n = which == f->number;
  } else if (f->label == PARIGOT_PB_OPTIONAL && f->type != PARIGOT_PB_MESSAGE) {
    *n = *(const bool *)(base + f->aux);
  } else {
    *n = f->type == PARIGOT_PB_MESSAGE || !is_zero(f, at);
  }
  if (*n && f->type == PARIGOT_PB_MESSAGE) {
    const uint8_t *sub;
    memcpy(&sub, at, sizeof sub);
    *n = sub != NULL;
    return sub;
  }
  return at;
}

/* A bounded line of text: what does not fit is cut, with "..." at the
 * end. */
typedef struct text {
  char *p;
  size_t cap, len;
  bool cut;
} text;

static void put(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
  if (t->cut)
    return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  if (w < 0 || (size_t)w >= t->cap - t->len) {
    t->cut = true;
    t->len = t->cap - 1;
    memcpy(t->p + t->cap - 4, "...", 4);
    return;
  }
  t->len += (size_t)w;
}

static void put_bytes(text *t, const parigot_pb_bytes *b) {
  put(t, "\"");
  for (size_t i = 0; i < b->len && !t->cut; i++) {
    uint8_t c = b->data[i];
    if (c == '"' || c == '\\')
      put(t, "\\%c", c);
    else if (c < 0x20 || c >= 0x7f)
      put(t, "\\%03o", c);
    else
      put(t, "%c", c);
  }
  put(t, "\"");
}

static void put_enum(text *t, const parigot_pb_field *f, int32_t v) {
  for (uint32_t i = 0; f->enumeration && i < f->enumeration->n_values; i++)
    if (f->enumeration->values[i].number == v) {
      put(t, "%s", f->enumeration->values[i].name);
      return;
    }
  put(t, "%d", (int)v);
}

static void put_message(text *t, const parigot_pb_message_desc *d,
                        const void *msg);

static void put_value(text *t, const parigot_pb_field *f, const uint8_t *v) {
  int32_t i32;
  int64_t i64;
  switch (f->type) {
  case PARIGOT_PB_DOUBLE:
    put(t, "%.17g", *(const double *)v);
    break;
  case PARIGOT_PB_FLOAT:
    put(t, "%.9g", (double)*(const float *)v);
    break;
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_SFIXED64:
  case PARIGOT_PB_SINT64:
    memcpy(&i64, v, 8);
    put(t, "%lld", (long long)i64);
    break;
  case PARIGOT_PB_UINT64:
  case PARIGOT_PB_FIXED64:
    put(t, "%llu", (unsigned long long)*(const uint64_t *)v);
    break;
  case PARIGOT_PB_UINT32:
  case PARIGOT_PB_FIXED32:
    put(t, "%u", (unsigned)*(const uint32_t *)v);
    break;
  case PARIGOT_PB_BOOL:
    put(t, "%s", *(const bool *)v ? "true" : "false");
    break;
  case PARIGOT_PB_STRING:
  case PARIGOT_PB_BYTES:
    put_bytes(t, (const parigot_pb_bytes *)v);
    break;
  case PARIGOT_PB_MESSAGE:
    put(t, "{");
    put_message(t, f->message, v);
    put(t, "}");
    break;
  case PARIGOT_PB_ENUM:
    memcpy(&i32, v, 4);
    put_enum(t, f, i32);
    break;
  default:
    memcpy(&i32, v, 4);
    put(t, "%d", (int)i32);
  }
}

static void put_message(text *t, const parigot_pb_message_desc *d,
                        const void *msg) {
  bool first = true;
  for (uint32_t i = 0; i < d->n_fields && !t->cut; i++) {
    const parigot_pb_field *f = &d->fields[i];
    size_t n;
    const uint8_t *v = field_values(f, msg, &n);
    for (size_t k = 0; k < n; k++, first = false) {
      put(t, "%s%s", first ? "" : " ", f->name);
      put(t, "%s", f->type == PARIGOT_PB_MESSAGE ? " " : ": ");
      put_value(t, f, v + k * parigot_pb_field_size(f));
    }
  }
}

void parigot_mock_format(const parigot_pb_message_desc *d, const void *msg,
                         char *out, size_t cap) {
  text t = {out, cap, 0, false};
  out[0] = '\0';
  put_message(&t, d, msg);
}

static bool msg_equal(const parigot_pb_message_desc *d, const void *a,
                      const void *b, text *why, const char *path);

static bool value_equal(const parigot_pb_field *f, const uint8_t *a,
                        const uint8_t *b, text *why, const char *path) {
  bool eq;
  if (f->type == PARIGOT_PB_MESSAGE)
    return msg_equal(f->message, a, b, why, path);
  if (f->type == PARIGOT_PB_STRING || f->type == PARIGOT_PB_BYTES) {
    const parigot_pb_bytes *x = (const void *)a, *y = (const void *)b;
    eq = x->len == y->len && (x->len == 0 || !memcmp(x->data, y->data, x->len));
  } else if (f->type == PARIGOT_PB_BOOL) {
    eq = *(const bool *)a == *(const bool *)b;
  } else {
    eq = memcmp(a, b, parigot_pb_field_size(f)) == 0;
  }
  if (!eq && why != NULL) {
    put(why, "%s: ", path);
    put_value(why, f, a);
    put(why, " != ");
    put_value(why, f, b);
  }
  return eq;
}

/* The entry of map @p f among @p n at @p arr whose key is @p entry's. */
static const uint8_t *map_find(const parigot_pb_field *f, const uint8_t *arr,
                               size_t n, const uint8_t *entry) {
  const parigot_pb_field *key = &f->message->fields[0];
  for (size_t i = 0; i < n; i++) {
    const uint8_t *e = arr + i * f->message->size;
    if (value_equal(key, e + key->offset, entry + key->offset, NULL, ""))
      return e;
  }
  return NULL;
}

static bool map_equal(const parigot_pb_field *f, const uint8_t *a, size_t na,
                      const uint8_t *b, size_t nb, text *why,
                      const char *path) {
  const parigot_pb_field *key = &f->message->fields[0];
  for (size_t i = 0; i < na; i++) {
    const uint8_t *x = a + i * f->message->size;
    const uint8_t *y = map_find(f, b, nb, x);
    char sub[160];
    text k = {sub, sizeof sub, 0, false};
    put(&k, "%s[", path);
    put_value(&k, key, x + key->offset);
    put(&k, "]");
    if (y == NULL) {
      if (why != NULL)
        put(why, "%s: only in the first", sub);
      return false;
    }
    if (!msg_equal(f->message, x, y, why, sub))
      return false;
  }
  if (na != nb && why != NULL)
    put(why, "%s: %zu entries != %zu", path, na, nb);
  return na == nb;
}

static bool field_equal(const parigot_pb_field *f, const void *a, const void *b,
                        text *why, const char *path) {
  size_t na, nb;
  const uint8_t *va = field_values(f, a, &na), *vb = field_values(f, b, &nb);
  char sub[160];
  snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", f->name);
  if (f->label == PARIGOT_PB_MAP)
    return map_equal(f, va, na, vb, nb, why, sub);
  size_t size = parigot_pb_field_size(f);
  for (size_t i = 0; i < na && i < nb; i++) {
    char item[176];
    snprintf(item, sizeof item,
             parigot_pb_field_is_repeated(f) ? "%s[%zu]" : "%s", sub, i);
    if (!value_equal(f, va + i * size, vb + i * size, why, item))
      return false;
  }
  if (na == nb)
    return true;
  if (why != NULL && parigot_pb_field_is_repeated(f))
    put(why, "%s: %zu values != %zu", sub, na, nb);
  else if (why != NULL)
    put(why, "%s: %s in the first, %s in the second", sub, na ? "set" : "unset",
        nb ? "set" : "unset");
  return false;
}

/* Whether @p a and @p b are equal, field by field; if not and @p why is
 * given, the first difference goes there as "path: A != B". */
static bool msg_equal(const parigot_pb_message_desc *d, const void *a,
                      const void *b, text *why, const char *path) {
  for (uint32_t i = 0; i < d->n_fields; i++)
    if (!field_equal(&d->fields[i], a, b, why, path))
      return false;
  return true;
}

/* ---- the mock --------------------------------------------------------------
 */

struct parigot_mock_expect {
  parigot_mock_expect *next;
  parigot_mock *mock;
  uint32_t method;
  uint32_t number;       /* 1, 2... in the order set, for reports */
  void *req;             /* the request to match (copy), or NULL */
  parigot_typed_fn pred; /* or a predicate */
  parigot_mock_match_adapt adapt;
  void *pred_ctx;
  const char *pred_what;
  uint32_t min, max; /* calls wanted; max UINT32_MAX: no bound */
  uint32_t hits;
  void *resp; /* the answer (copy), or NULL: the default response */
  uint32_t code;
  int32_t app_error;
  char *message;
  uint64_t delay_ns;
  const char *file;
  int line;
};

typedef struct record {
  size_t calls;
  size_t kept, cap;
  void **reqs; /* decoded copies of the first PARIGOT_MOCK_MAX_RECORDED */
} record;

typedef struct unexpected {
  uint32_t method;
  size_t nth; /* which call of the method, from 1 */
  void *req;  /* copy, or NULL when out of memory */
} unexpected;

struct parigot_mock {
  const parigot_pb_service_desc *service;
  const parigot_pb_file_desc *file;
  parigot_mock_expect *first, *last;
  uint32_t nexpects;
  record *records; /* one per method */
  size_t nunexpected;
  unexpected kept[MAX_UNEXPECTED_KEPT];
  size_t refused;   /* expectations not set: wrong service, no memory */
  size_t undelayed; /* delays answered at once, for want of a sleep */
  parigot_mock_sleep_fn sleep;
  size_t pending; /* delayed answers not yet sent */
  bool freed;     /* freed by the test; the last pending answer frees it */
};

parigot_mock *parigot_mock_new(const parigot_pb_service_desc *service,
                               const parigot_pb_file_desc *file) {
  parigot_mock *m = calloc(1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->service = service;
  m->file = file;
  m->sleep = parigot_testing_sleep;
  m->records = calloc(service->n_methods + 1, sizeof *m->records);
  if (m->records == NULL) {
    free(m);
    return NULL;
  }
  return m;
}

static const parigot_pb_method_desc *method_of(const parigot_mock *m,
                                               uint32_t method) {
  return &m->service->methods[method];
}

static void expect_free(parigot_mock_expect *e) {
  const parigot_pb_method_desc *md = method_of(e->mock, e->method);
  msg_drop(md->input, e->req);
  msg_drop(md->output, e->resp);
  free(e->message);
  free(e);
}

static void mock_release(parigot_mock *m) {
  for (parigot_mock_expect *e = m->first, *next; e != NULL; e = next) {
    next = e->next;
    expect_free(e);
  }
  for (uint32_t i = 0; i < m->service->n_methods; i++) {
    record *r = &m->records[i];
    for (size_t k = 0; k < r->kept; k++)
      msg_drop(method_of(m, i)->input, r->reqs[k]);
    free(r->reqs);
  }
  for (size_t i = 0; i < m->nunexpected && i < MAX_UNEXPECTED_KEPT; i++)
    msg_drop(method_of(m, m->kept[i].method)->input, m->kept[i].req);
  free(m->records);
  free(m);
}

void parigot_mock_free(parigot_mock *m) {
  if (m == NULL)
    return;
  m->freed = true;
  if (m->pending == 0)
    mock_release(m);
}

void parigot_mock_set_sleep(parigot_mock *m, parigot_mock_sleep_fn fn) {
  m->sleep = fn;
}

void parigot_mock_export(parigot_mock *m, const parigot_invoke_fn *invokers) {
  parigot_testing_require(); /* the delays' Sleep */
  parigot_describe(m->file);
  parigot_export(m->service, invokers, m);
}

parigot_mock_expect *parigot_mock_expect_call(
    parigot_mock *m, const parigot_pb_service_desc *service, uint32_t method,
    const void *req, const char *file, int line) {
  if (m == NULL)
    return NULL;
  parigot_mock_expect *e = NULL;
  if (service == m->service && method < service->n_methods)
    e = calloc(1, sizeof *e);
  if (e != NULL && req != NULL &&
      (e->req = msg_copy(method_of(m, method)->input, req)) == NULL) {
    free(e);
    e = NULL;
  }
  if (e == NULL) {
    bool ours = service == m->service && method < service->n_methods;
    parigot_log(PARIGOT_ERROR, "mock %s: %s:%d: expectation refused (%s%s)",
                m->service->full_name, file ? base_name(file) : "?", line,
                ours ? "out of memory" : "not a method of ",
                ours ? "" : m->service->full_name);
    m->refused++;
    return NULL;
  }
  *e = (parigot_mock_expect){.mock = m,
                             .method = method,
                             .req = e->req,
                             .number = ++m->nexpects,
                             .min = 1,
                             .max = 1,
                             .file = file,
                             .line = line};
  if (m->last != NULL)
    m->last->next = e;
  else
    m->first = e;
  m->last = e;
  return e;
}

void parigot_mock_match(parigot_mock_expect *e, parigot_typed_fn fn,
                        parigot_mock_match_adapt adapt, void *ctx,
                        const char *what) {
  if (e == NULL)
    return;
  e->pred = fn;
  e->adapt = adapt;
  e->pred_ctx = ctx;
  e->pred_what = what;
}

void parigot_mock_times(parigot_mock_expect *e, uint32_t n) {
  if (e != NULL)
    e->min = e->max = n;
}

void parigot_mock_at_least(parigot_mock_expect *e, uint32_t n) {
  if (e != NULL) {
    e->min = n;
    e->max = UINT32_MAX;
  }
}

void parigot_mock_any_times(parigot_mock_expect *e) {
  parigot_mock_at_least(e, 0);
}

void parigot_mock_answer(parigot_mock_expect *e, const void *resp) {
  if (e == NULL)
    return;
  const parigot_pb_message_desc *out = method_of(e->mock, e->method)->output;
  msg_drop(out, e->resp);
  e->resp = msg_copy(out, resp);
  e->code = 0;
  if (e->resp == NULL)
    e->mock->refused++;
}

void parigot_mock_fail(parigot_mock_expect *e, uint32_t code, int32_t app_error,
                       const char *message) {
  if (e == NULL)
    return;
  free(e->message);
  e->message = copy_string(message ? message : "");
  e->code = code ? code : PARIGOT_CODE_UNKNOWN;
  e->app_error = app_error;
  if (e->message == NULL)
    e->mock->refused++;
}

void parigot_mock_delay(parigot_mock_expect *e, uint64_t ns) {
  if (e != NULL)
    e->delay_ns = ns;
}

size_t parigot_mock_calls(const parigot_mock *m, uint32_t method) {
  return method < m->service->n_methods ? m->records[method].calls : 0;
}

const void *parigot_mock_request(const parigot_mock *m, uint32_t method,
                                 size_t i) {
  if (method >= m->service->n_methods || i >= m->records[method].kept)
    return NULL;
  return m->records[method].reqs[i];
}

size_t parigot_mock_unexpected(const parigot_mock *m) {
  return m->nunexpected;
}

size_t parigot_mock_pending(const parigot_mock *m) {
  return m->pending;
}

/* ---- calls ----------------------------------------------------------------
 */

static void record_call(parigot_mock *m, uint32_t method, const void *req) {
  record *r = &m->records[method];
  r->calls++;
  if (r->kept == PARIGOT_MOCK_MAX_RECORDED)
    return;
  if (r->kept == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 8;
    void **bigger = realloc(r->reqs, cap * sizeof *bigger);
    if (bigger == NULL)
      return;
    r->reqs = bigger;
    r->cap = cap;
  }
  void *copy = msg_copy(method_of(m, method)->input, req);
  if (copy != NULL)
    r->reqs[r->kept++] = copy;
}

static bool matches(const parigot_mock_expect *e, uint32_t method,
                    const void *req) {
  if (e->method != method)
    return false;
  if (e->adapt != NULL)
    return e->adapt(e->pred, req, e->pred_ctx);
  const parigot_pb_message_desc *in = method_of(e->mock, method)->input;
  return e->req == NULL || msg_equal(in, e->req, req, NULL, "");
}

/* The first matching expectation with calls left, else the last one that
 * matches (which gets one call too many), else NULL. */
static parigot_mock_expect *pick(parigot_mock *m, uint32_t method,
                                 const void *req) {
  parigot_mock_expect *full = NULL;
  for (parigot_mock_expect *e = m->first; e != NULL; e = e->next) {
    if (!matches(e, method, req))
      continue;
    if (e->hits < e->max)
      return e;
    full = e;
  }
  return full;
}

static void answer_call(parigot_call *c, const parigot_pb_method_desc *md,
                        const void *resp, uint32_t code, int32_t app_error,
                        const char *message) {
  if (code != 0) {
    parigot_call_fail(c, code, app_error, message);
    return;
  }
  if (resp != NULL) {
    parigot_respond(c, md->output, resp);
    return;
  }
  void *empty = calloc(1, md->output->size);
  if (empty == NULL) {
    parigot_call_fail(c, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0, "out of memory");
    return;
  }
  parigot_pb_init(md->output, empty);
  parigot_respond(c, md->output, empty);
  free(empty);
}

/* An answer waiting for its delay: a copy of what it says, so that it does
 * not depend on its expectation. */
typedef struct delayed {
  parigot_mock *m;
  parigot_call *call;
  const parigot_pb_method_desc *md;
  void *resp;
  uint32_t code;
  int32_t app_error;
  char *message;
} delayed;

static void delayed_send(delayed *d) {
  answer_call(d->call, d->md, d->resp, d->code, d->app_error,
              d->message ? d->message : "");
  msg_drop(d->md->output, d->resp);
  free(d->message);
  parigot_mock *m = d->m;
  free(d);
  if (--m->pending == 0 && m->freed)
    mock_release(m);
}

static void slept(void *ctx, const void *value) {
  (void)value;
  delayed_send(ctx);
}

static void sleep_failed(void *ctx, const parigot_status *st) {
  delayed *d = ctx;
  parigot_log(PARIGOT_WARN,
              "mock %s: the delay's sleep failed (%s); "
              "answering now",
              d->m->service->full_name, st->message);
  delayed_send(d);
}

/* Answers @p c as @p e says after its delay; false when it cannot wait
 * (no sleep, no memory), for the caller to answer at once. */
static bool answer_later(parigot_mock *m, parigot_call *c,
                         const parigot_mock_expect *e) {
  delayed *d = m->sleep ? calloc(1, sizeof *d) : NULL;
  if (d == NULL)
    return false;
  *d = (delayed){m,
                 c,
                 method_of(m, e->method),
                 NULL,
                 e->code,
                 e->app_error,
                 e->message ? copy_string(e->message) : NULL};
  if (e->resp != NULL)
    d->resp = msg_copy(d->md->output, e->resp);
  m->pending++;
  parigot_future *f = m->sleep(e->delay_ns);
  if (f == NULL) { /* the sleep could not start; its failure has run */
    m->pending--;
    msg_drop(d->md->output, d->resp);
    free(d->message);
    free(d);
    return false;
  }
  parigot_future_on(f, slept, sleep_failed, d);
  return true;
}

static void note_unexpected(parigot_mock *m, uint32_t method, const void *req,
                            char *why, size_t cap) {
  const parigot_pb_method_desc *md = method_of(m, method);
  char req_text[TEXT_CAP];
  parigot_mock_format(md->input, req, req_text, sizeof req_text);
  snprintf(why, cap, "mock %s: unexpected call of %s(%s)",
           m->service->full_name, md->name, req_text);
  parigot_log(PARIGOT_WARN, "%s", why);
  if (m->nunexpected < MAX_UNEXPECTED_KEPT)
    m->kept[m->nunexpected] = (unexpected){method, m->records[method].calls,
                                           msg_copy(md->input, req)};
  m->nunexpected++;
}

void parigot_mock_invoke(parigot_call *c, uint32_t method, const void *req,
                         const void *mock) {
  /* The mock is the handlers' pointer, which the SDK keeps const. */
  parigot_mock *m = (parigot_mock *)(uintptr_t)mock;
  record_call(m, method, req);
  parigot_mock_expect *e = pick(m, method, req);
  if (e == NULL) {
    char why[TEXT_CAP + 200];
    note_unexpected(m, method, req, why, sizeof why);
    parigot_call_fail(c, PARIGOT_CODE_UNIMPLEMENTED, 0, why);
    return;
  }
  e->hits++;
  if (e->delay_ns > 0 && answer_later(m, c, e))
    return;
  if (e->delay_ns > 0)
    m->undelayed++;
  answer_call(c, method_of(m, method), e->resp, e->code, e->app_error,
              e->message ? e->message : "");
}

/* ---- verify ----------------------------------------------------------------
 */

static void put_times(text *t, const parigot_mock_expect *e) {
  if (e->max == UINT32_MAX && e->min == 0)
    put(t, "any number of times");
  else if (e->max == UINT32_MAX)
    put(t, "at least %u time%s", (unsigned)e->min, e->min == 1 ? "" : "s");
  else
    put(t, "exactly %u time%s", (unsigned)e->min, e->min == 1 ? "" : "s");
}

/* "Price(sku: "apple")", "Price(any request)" or "Price(if is_fruit)". */
static void put_expected(text *t, const parigot_mock_expect *e) {
  const parigot_pb_method_desc *md = method_of(e->mock, e->method);
  put(t, "%s(", md->name);
  if (e->adapt != NULL)
    put(t, "if %s", e->pred_what ? e->pred_what : "a predicate");
  else if (e->req != NULL)
    put_message(t, md->input, e->req);
  else
    put(t, "any request");
  put(t, ")");
}

/* For an expectation of a request that never came: how the first
 * unexpected request of its method differs from it. */
static void put_nearest(text *t, const parigot_mock *m,
                        const parigot_mock_expect *e) {
  if (e->req == NULL || e->adapt != NULL)
    return;
  for (size_t i = 0; i < m->nunexpected && i < MAX_UNEXPECTED_KEPT; i++) {
    const unexpected *u = &m->kept[i];
    if (u->method != e->method || u->req == NULL)
      continue;
    put(t, "; unexpected call %zu of %s differs: ", u->nth,
        method_of(m, e->method)->name);
    msg_equal(method_of(m, e->method)->input, u->req, e->req, t, "");
    put(t, " (got != expected)");
    return;
  }
}

static bool verify_expect(const parigot_mock *m, const parigot_mock_expect *e) {
  if (e->hits >= e->min && e->hits <= e->max)
    return true;
  char line[TEXT_CAP * 2 + 200];
  text t = {line, sizeof line, 0, false};
  put(&t, "mock %s: %s:%d: expectation %u ", m->service->full_name,
      base_name(e->file), e->line, (unsigned)e->number);
  put_expected(&t, e);
  put(&t, " wanted ");
  put_times(&t, e);
  put(&t, ", had %u call%s", (unsigned)e->hits, e->hits == 1 ? "" : "s");
  if (e->hits < e->min)
    put_nearest(&t, m, e);
  parigot_log(PARIGOT_ERROR, "%s", line);
  pg_testing_count_failure();
  return false;
}

static void verify_unexpected(const parigot_mock *m) {
  for (size_t i = 0; i < m->nunexpected && i < MAX_UNEXPECTED_KEPT; i++) {
    const unexpected *u = &m->kept[i];
    const parigot_pb_method_desc *md = method_of(m, u->method);
    char req[TEXT_CAP];
    if (u->req != NULL)
      parigot_mock_format(md->input, u->req, req, sizeof req);
    else
      snprintf(req, sizeof req, "a request not kept: out of memory");
    parigot_log(PARIGOT_ERROR,
                "mock %s: unexpected call %zu of %s(%s): no expectation "
                "matches it",
                m->service->full_name, u->nth, md->name, req);
    pg_testing_count_failure();
  }
  if (m->nunexpected > MAX_UNEXPECTED_KEPT) {
    parigot_log(PARIGOT_ERROR, "mock %s: %zu unexpected calls in all",
                m->service->full_name, m->nunexpected);
    pg_testing_count_failure();
  }
}

bool parigot_mock_verify(parigot_mock *m) {
  if (m == NULL) {
    parigot_log(PARIGOT_ERROR, "mock: verify of no mock (out of memory?)");
    pg_testing_count_failure();
    return false;
  }
  bool ok = m->nunexpected == 0 && m->refused == 0 && m->undelayed == 0;
  verify_unexpected(m);
  if (m->refused > 0 || m->undelayed > 0 || m->pending > 0)
    pg_testing_count_failure();
  if (m->refused > 0)
    parigot_log(PARIGOT_ERROR,
                "mock %s: %zu expectations or answers could "
                "not be set",
                m->service->full_name, m->refused);
  if (m->undelayed > 0)
    parigot_log(PARIGOT_ERROR,
                "mock %s: %zu delayed answers went out at once: the "
                "mock's sleep was taken away (parigot_mock_set_sleep)",
                m->service->full_name, m->undelayed);
  for (const parigot_mock_expect *e = m->first; e != NULL; e = e->next)
    ok &= verify_expect(m, e);
  if (m->pending > 0) {
    parigot_log(PARIGOT_ERROR, "mock %s: %zu delayed answers not sent yet",
                m->service->full_name, m->pending);
    ok = false;
  }
  return ok;
}
