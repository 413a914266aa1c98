/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/testing.c: the test library of include/parigot/testing.h, for C and
 * C++ test programs (docs/testing.md, "Assertions and helpers").
 *
 * Checks compare, and on a failure write one line at ERROR level
 * ("file:line: CHECK(a, b): 300 != 350") and count it in guest.c, whose
 * parigot_exit() turns a 0 into a 1 while the count is not 0; a fatal
 * check then exits with status 1. Messages are compared field by field
 * through their generated descriptors (pb.h), the first difference named
 * as a path. The timers call parigot.test.v1.Test's Sleep through a
 * descriptor of our own, written here by hand (its two messages have one
 * uint64 field each), so the library needs no generated code.
 *
 * Guests only (it calls guest.c). It owns no state: the failure count is
 * guest.c's; each helper's future state is freed when it is done.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/guest.h"
#include "parigot/pb_gen.h"
#include "parigot/testing.h"

/* guest.c's count of failed checks. */
void pg_testing_count_failure(void);

/* ---- reports ------------------------------------------------------------ */

/* __FILE__'s last component: reports are the same wherever it was built. */
static const char *base_name(const char *file) {
  const char *slash = file != NULL ? strrchr(file, '/') : NULL;
  return slash != NULL ? slash + 1 : file != NULL ? file : "?";
}

/* A report being written: one line, cut at its size. */
typedef struct line_buf {
  char text[1024];
  size_t n;
} line_buf;

static void put(line_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(line_buf *b, const char *fmt, ...) {
  if (b->n >= sizeof b->text - 1)
    return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(b->text + b->n, sizeof b->text - b->n, fmt, ap);
  va_end(ap);
  if (k > 0)
    b->n = b->n + (size_t)k < sizeof b->text ? b->n + (size_t)k
                                             : sizeof b->text - 1;
}

/* Counts the failure, logs the line and, when @p fatal, ends the test. */
static void report(line_buf *b, bool fatal) {
  pg_testing_count_failure();
  parigot_log(PARIGOT_ERROR, "%s", b->text);
  if (fatal)
    parigot_exit(1);
}

static void start_line(line_buf *b, const char *file, int line) {
  b->n = 0;
  b->text[0] = 0;
  put(b, "%s:%d: ", base_name(file), line);
}

void parigot_testing_fail(const char *file, int line, const char *fmt, ...) {
  line_buf b;
  start_line(&b, file, line);
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(b.text + b.n, sizeof b.text - b.n, fmt, ap);
  va_end(ap);
  if (k > 0)
    b.n +=
        (size_t)k < sizeof b.text - b.n ? (size_t)k : sizeof b.text - b.n - 1;
  report(&b, false);
}

/* Bytes as a quoted string, non-printable ones as \xNN, cut after 200. */
static void put_quoted(line_buf *b, const uint8_t *p, size_t len) {
  put(b, "\"");
  for (size_t i = 0; i < len && i < 200; i++) {
    uint8_t c = p[i];
    if (c == '"' || c == '\\')
      put(b, "\\%c", c);
    else if (c >= 0x20 && c < 0x7f)
      put(b, "%c", c);
    else
      put(b, "\\x%02x", c);
  }
  if (len > 200)
    put(b, "\"... (%zu bytes)", len);
  else
    put(b, "\"");
}

static void put_value(line_buf *b, const parigot_testing_value *v) {
  switch (v->kind) {
  case PARIGOT_TESTING_INT:
    put(b, "%jd", v->i);
    break;
  case PARIGOT_TESTING_UINT:
    put(b, "%ju", v->u);
    break;
  case PARIGOT_TESTING_BOOL:
    put(b, "%s", v->u ? "true" : "false");
    break;
  case PARIGOT_TESTING_DOUBLE:
    put(b, "%.17g", v->d);
    break;
  case PARIGOT_TESTING_STR:
    if (v->p == NULL)
      put(b, "NULL");
    else
      put_quoted(b, v->p, strlen(v->p));
    break;
  default:
    put_quoted(b, v->p, v->len);
  }
}

const char *parigot_testing_code_name(uint32_t code) {
  switch (code) {
#define PG_CODE_NAME(name, value, what)                                        \
  case value:                                                                  \
    return #name;
    PARIGOT_CODE_MAP(PG_CODE_NAME)
#undef PG_CODE_NAME
  }
  static char other[24];
  snprintf(other, sizeof other, "CODE_%u", code);
  return other;
}

/* ---- comparing values --------------------------------------------------- */

static bool is_number(int kind) {
  return kind <= PARIGOT_TESTING_DOUBLE;
}

/* -1, 0 or 1 as a is below, equal to or above b; numbers compare by value
 * whatever their kinds (a negative signed below any unsigned). */
static int cmp_numbers(const parigot_testing_value *a,
                       const parigot_testing_value *b) {
  if (a->kind == PARIGOT_TESTING_DOUBLE || b->kind == PARIGOT_TESTING_DOUBLE) {
    double x = a->kind == PARIGOT_TESTING_DOUBLE ? a->d
               : a->kind == PARIGOT_TESTING_INT  ? (double)a->i
                                                 : (double)a->u;
    double y = b->kind == PARIGOT_TESTING_DOUBLE ? b->d
               : b->kind == PARIGOT_TESTING_INT  ? (double)b->i
                                                 : (double)b->u;
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2; /* 2: a NaN */
  }
  bool sa = a->kind == PARIGOT_TESTING_INT, sb = b->kind == PARIGOT_TESTING_INT;
  if (sa && sb)
    return a->i < b->i ? -1 : a->i > b->i;
  if (sa && a->i < 0)
    return -1;
  if (sb && b->i < 0)
    return 1;
  uintmax_t x = sa ? (uintmax_t)a->i : a->u, y = sb ? (uintmax_t)b->i : b->u;
  return x < y ? -1 : x > y;
}

static void text_of(const parigot_testing_value *v, const uint8_t **p,
                    size_t *len) {
  *p = v->p;
  *len = v->kind == PARIGOT_TESTING_STR ? (v->p ? strlen(v->p) : 0) : v->len;
}

/* memcmp order, then length; NULL strings below every other. */
static int cmp_texts(const parigot_testing_value *a,
                     const parigot_testing_value *b, size_t *differ_at) {
  const uint8_t *p, *q;
  size_t n, m;
  text_of(a, &p, &n);
  text_of(b, &q, &m);
  bool a_null = a->kind == PARIGOT_TESTING_STR && a->p == NULL;
  bool b_null = b->kind == PARIGOT_TESTING_STR && b->p == NULL;
  *differ_at = 0;
  if (a_null || b_null)
    return a_null && b_null ? 0 : a_null ? -1 : 1;
  size_t i = 0;
  while (i < n && i < m && p[i] == q[i])
    i++;
  *differ_at = i;
  if (i < n && i < m)
    return p[i] < q[i] ? -1 : 1;
  return n < m ? -1 : n > m;
}

static bool holds(int op, int c) {
  if (c == 2) /* NaN: only != holds */
    return op == PARIGOT_TESTING_NE;
  switch (op) {
  case PARIGOT_TESTING_EQ:
    return c == 0;
  case PARIGOT_TESTING_NE:
    return c != 0;
  case PARIGOT_TESTING_LT:
    return c < 0;
  case PARIGOT_TESTING_LE:
    return c <= 0;
  case PARIGOT_TESTING_GT:
    return c > 0;
  default:
    return c >= 0;
  }
}

/* The operator that held instead of @p op. */
static const char *negation(int op) {
  static const char *const names[] = {"!=", "==", ">=", ">", "<=", "<"};
  return op >= 0 && op <= PARIGOT_TESTING_GE ? names[op] : "?";
}

bool parigot_testing_compare(const char *file, int line, bool fatal,
                             const char *check, const char *expr_a,
                             const char *expr_b, int op,
                             parigot_testing_value a, parigot_testing_value b) {
  line_buf r;
  start_line(&r, file, line);
  put(&r, "%s(%s, %s): ", check, expr_a, expr_b);
  if (is_number(a.kind) != is_number(b.kind)) {
    put(&r, "cannot compare ");
    put_value(&r, &a);
    put(&r, " with ");
    put_value(&r, &b);
    report(&r, fatal);
    return false;
  }
  size_t at = 0;
  int c = is_number(a.kind) ? cmp_numbers(&a, &b) : cmp_texts(&a, &b, &at);
  if (holds(op, c))
    return true;
  put_value(&r, &a);
  put(&r, " %s ", negation(op));
  put_value(&r, &b);
  if (!is_number(a.kind) && op == PARIGOT_TESTING_EQ && at > 0)
    put(&r, " (first difference at offset %zu)", at);
  report(&r, fatal);
  return false;
}

bool parigot_testing_truth(const char *file, int line, bool fatal,
                           const char *check, const char *expr, bool want,
                           bool got) {
  if (want == got)
    return true;
  line_buf r;
  start_line(&r, file, line);
  put(&r, "%s(%s): %s", check, expr, got ? "true" : "false");
  report(&r, fatal);
  return false;
}

bool parigot_testing_bytes_eq(const char *file, int line, bool fatal,
                              const char *expr_a, const char *expr_b,
                              const void *a, size_t a_len, const void *b,
                              size_t b_len) {
  const uint8_t *p = a, *q = b;
  size_t i = 0;
  if (a_len > 0 && p == NULL)
    a_len = 0;
  if (b_len > 0 && q == NULL)
    b_len = 0;
  while (i < a_len && i < b_len && p[i] == q[i])
    i++;
  if (i == a_len && i == b_len)
    return true;
  line_buf r;
  start_line(&r, file, line);
  put(&r, "%s(%s, %s): differ at offset %zu: ",
      fatal ? "ASSERT_BYTES_EQ" : "EXPECT_BYTES_EQ", expr_a, expr_b, i);
  if (i < a_len && i < b_len)
    put(&r, "0x%02x != 0x%02x", p[i], q[i]);
  else
    put(&r, "length %zu != %zu", a_len, b_len);
  report(&r, fatal);
  return false;
}

/* ---- comparing messages ------------------------------------------------- */

/* Where a walk through two messages is: the path to the field it looks
 * at ("items[1].quantity") and, once found, the difference. */
typedef struct walk {
  char path[256];
  size_t plen;
  line_buf what;
} walk;

static size_t path_push(walk *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t path_push(walk *w, const char *fmt, ...) {
  size_t was = w->plen;
  if (w->plen < sizeof w->path - 1) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(w->path + w->plen, sizeof w->path - w->plen, fmt, ap);
    va_end(ap);
    if (k > 0)
      w->plen = w->plen + (size_t)k < sizeof w->path ? w->plen + (size_t)k
                                                     : sizeof w->path - 1;
  }
  return was;
}

static void path_pop(walk *w, size_t was) {
  w->plen = was;
  w->path[was] = 0;
}

static void path_field(walk *w, const char *name) {
  path_push(w, w->plen ? ".%s" : "%s", name);
}

/* A scalar field's value, as a check operand. */
static parigot_testing_value scalar(uint8_t type, const uint8_t *p) {
  switch (type) {
  case PARIGOT_PB_DOUBLE: {
    double d;
    memcpy(&d, p, 8);
    return parigot_testing_d(d);
  }
  case PARIGOT_PB_FLOAT: {
    float f;
    memcpy(&f, p, 4);
    return parigot_testing_d(f);
  }
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_SFIXED64:
  case PARIGOT_PB_SINT64: {
    int64_t v;
    memcpy(&v, p, 8);
    return parigot_testing_i(v);
  }
  case PARIGOT_PB_UINT64:
  case PARIGOT_PB_FIXED64: {
    uint64_t v;
    memcpy(&v, p, 8);
    return parigot_testing_u(v);
  }
  case PARIGOT_PB_UINT32:
  case PARIGOT_PB_FIXED32: {
    uint32_t v;
    memcpy(&v, p, 4);
    return parigot_testing_u(v);
  }
  case PARIGOT_PB_BOOL: {
    bool v;
    memcpy(&v, p, sizeof v);
    return parigot_testing_b(v);
  }
  case PARIGOT_PB_STRING:
  case PARIGOT_PB_BYTES: {
    parigot_pb_bytes v;
    memcpy(&v, p, sizeof v);
    return parigot_testing_pb(v);
  }
  default: { /* INT32, SFIXED32, SINT32, ENUM */
    int32_t v;
    memcpy(&v, p, 4);
    return parigot_testing_i(v);
  }
  }
}

static void put_field_value(line_buf *b, const parigot_pb_field *f,
                            const parigot_testing_value *v) {
  if (f->type == PARIGOT_PB_ENUM && f->enumeration != NULL)
    for (uint32_t i = 0; i < f->enumeration->n_values; i++)
      if (f->enumeration->values[i].number == v->i) {
        put(b, "%s (%jd)", f->enumeration->values[i].name, v->i);
        return;
      }
  put_value(b, v);
}

static bool msg_differ(walk *w, const parigot_pb_message_desc *desc,
                       const uint8_t *a, const uint8_t *b, int depth);

/* One value of field @p f at @p a and @p b (an element, for repeated
 * fields: @p inline_msg when messages are stored in place); true when
 * they differ, the difference written to w->what. */
static bool value_differ(walk *w, const parigot_pb_field *f, const uint8_t *a,
                         const uint8_t *b, bool inline_msg, int depth) {
  if (f->type == PARIGOT_PB_MESSAGE) {
    const uint8_t *x = a, *y = b;
    if (!inline_msg) {
      memcpy(&x, a, sizeof x);
      memcpy(&y, b, sizeof y);
      if (x == NULL || y == NULL) {
        if (x == y)
          return false;
        put(&w->what, "%s != %s", x ? "present" : "absent",
            y ? "present" : "absent");
        return true;
      }
    }
    return msg_differ(w, f->message, x, y, depth + 1);
  }
  parigot_testing_value va = scalar(f->type, a), vb = scalar(f->type, b);
  size_t at;
  int c = is_number(va.kind) ? cmp_numbers(&va, &vb) : cmp_texts(&va, &vb, &at);
  if (c == 0 || (c == 2 && va.kind == PARIGOT_TESTING_DOUBLE && va.d != va.d &&
                 vb.d != vb.d))
    return false;
  put_field_value(&w->what, f, &va);
  put(&w->what, " != ");
  put_field_value(&w->what, f, &vb);
  return true;
}

static const char *case_name(const parigot_pb_message_desc *desc,
                             uint32_t number) {
  const parigot_pb_field *f =
      number ? parigot_pb_field_find(desc, number) : NULL;
  return f != NULL ? f->name : "none";
}

/* The key of map entry @p e, into the path: [3] or ["k"]. */
static void path_key(walk *w, const parigot_pb_message_desc *entry,
                     const uint8_t *e) {
  const parigot_pb_field *k = parigot_pb_field_find(entry, 1);
  if (k == NULL) {
    path_push(w, "[?]");
    return;
  }
  parigot_testing_value v = scalar(k->type, e + k->offset);
  line_buf b = {.n = 0};
  b.text[0] = 0;
  put_value(&b, &v);
  path_push(w, "[%s]", b.text);
}

static bool repeated_differ(walk *w, const parigot_pb_field *f,
                            const uint8_t *a, const uint8_t *b, int depth) {
  size_t na, nb;
  const uint8_t *pa, *pb;
  memcpy(&na, a + f->aux, sizeof na);
  memcpy(&nb, b + f->aux, sizeof nb);
  memcpy(&pa, a + f->offset, sizeof pa);
  memcpy(&pb, b + f->offset, sizeof pb);
  size_t esz = parigot_pb_field_size(f);
  for (size_t i = 0; i < na && i < nb; i++) {
    size_t was = w->plen;
    if (f->label == PARIGOT_PB_MAP)
      path_key(w, f->message, pa + i * esz);
    else
      path_push(w, "[%zu]", i);
    if (value_differ(w, f, pa + i * esz, pb + i * esz, true, depth))
      return true;
    path_pop(w, was);
  }
  if (na == nb)
    return false;
  put(&w->what, "%zu %s != %zu", na,
      f->label == PARIGOT_PB_MAP ? "entries" : "elements", nb);
  return true;
}

/* Field @p f of @p a and @p b, its name pushed on the path after
 * @p was; true when they differ. */
static bool field_differ(walk *w, size_t was,
                         const parigot_pb_message_desc *desc,
                         const parigot_pb_field *f, const uint8_t *a,
                         const uint8_t *b, int depth) {
  if (f->label == PARIGOT_PB_REPEATED || f->label == PARIGOT_PB_UNPACKED ||
      f->label == PARIGOT_PB_MAP)
    return repeated_differ(w, f, a, b, depth);
  if (f->label == PARIGOT_PB_ONEOF) {
    uint32_t ca, cb;
    memcpy(&ca, a + f->aux, 4);
    memcpy(&cb, b + f->aux, 4);
    if (ca != cb) {
      path_pop(w, was); /* named by the oneof, not by one member */
      path_field(w, f->oneof < desc->n_oneofs ? desc->oneofs[f->oneof] : "?");
      put(&w->what, "%s != %s", case_name(desc, ca), case_name(desc, cb));
      return true;
    }
    if (ca != f->number)
      return false;
  } else if (f->label == PARIGOT_PB_OPTIONAL && f->type != PARIGOT_PB_MESSAGE) {
    bool ha, hb;
    memcpy(&ha, a + f->aux, sizeof ha);
    memcpy(&hb, b + f->aux, sizeof hb);
    if (ha != hb) {
      parigot_testing_value v = scalar(f->type, (ha ? a : b) + f->offset);
      if (!ha)
        put(&w->what, "absent != ");
      put_field_value(&w->what, f, &v);
      if (ha)
        put(&w->what, " != absent");
      return true;
    }
    if (!ha)
      return false;
  }
  return value_differ(w, f, a + f->offset, b + f->offset, false, depth);
}

static bool msg_differ(walk *w, const parigot_pb_message_desc *desc,
                       const uint8_t *a, const uint8_t *b, int depth) {
  if (depth > (int)PARIGOT_PB_DEFAULT_MAX_DEPTH) {
    put(&w->what, "nested too deeply to compare");
    return true;
  }
  for (uint32_t i = 0; i < desc->n_fields; i++) {
    const parigot_pb_field *f = &desc->fields[i];
    size_t was = w->plen;
    path_field(w, f->name);
    if (field_differ(w, was, desc, f, a, b, depth))
      return true;
    path_pop(w, was);
  }
  return false;
}

bool parigot_testing_msg_eq(const char *file, int line, bool fatal,
                            const char *expr_a, const char *expr_b,
                            const parigot_pb_message_desc *desc, const void *a,
                            const void *b) {
  walk *w = calloc(1, sizeof *w);
  line_buf r;
  start_line(&r, file, line);
  put(&r, "%s(%s, %s): ", fatal ? "ASSERT_MSG_EQ" : "EXPECT_MSG_EQ", expr_a,
      expr_b);
  if (w == NULL || desc == NULL || a == NULL || b == NULL) {
    bool same = w != NULL && a == b;
    free(w);
    if (same)
      return true;
    put(&r, "%s", w == NULL ? "out of memory" : "a NULL message");
    report(&r, fatal);
    return false;
  }
  bool differ = msg_differ(w, desc, a, b, 0);
  if (differ)
    put(&r, "%s: %s", w->plen ? w->path : desc->full_name, w->what.text);
  free(w);
  if (differ)
    report(&r, fatal);
  return !differ;
}

/* ---- parigot.test.v1.Test, by hand -------------------------------------- */

/* SleepRequest {uint64 duration_ns = 1} and SleepResponse {uint64 now_ns =
 * 1}: the same layout, so one struct, one sizer and one writer. */
typedef struct one_u64 {
  uint64_t value;
  parigot_pb_bytes _unknown;
} one_u64;

static size_t one_u64_size(const void *msg, uint32_t depth) {
  const one_u64 *m = msg;
  (void)depth;
  return m->_unknown.len +
         (m->value ? 1 + parigot_pb_varint_size(m->value) : 0);
}

static int one_u64_put(parigot_pb_writer *w, const void *msg, uint32_t depth) {
  const one_u64 *m = msg;
  (void)depth;
  PARIGOT_PB_TRY(parigot_pb_put_raw(w, m->_unknown.data, m->_unknown.len));
  if (m->value) {
    PARIGOT_PB_TRY(parigot_pb_put_varint(w, m->value));
    PARIGOT_PB_TRY(parigot_pb_put_varint(w, 8u));
  }
  return 0;
}

static const parigot_pb_field sleep_request_fields[] = {
    {.number = 1,
     .type = PARIGOT_PB_UINT64,
     .label = PARIGOT_PB_IMPLICIT,
     .offset = offsetof(one_u64, value),
     .name = "duration_ns",
     .json_name = "durationNs"},
};
static const parigot_pb_field sleep_response_fields[] = {
    {.number = 1,
     .type = PARIGOT_PB_UINT64,
     .label = PARIGOT_PB_IMPLICIT,
     .offset = offsetof(one_u64, value),
     .name = "now_ns",
     .json_name = "nowNs"},
};
static const uint16_t one_u64_dense[2] = {[1] = 1};
static const parigot_pb_message_desc sleep_request_desc = {
    .full_name = "parigot.test.v1.SleepRequest",
    .size = sizeof(one_u64),
    .unknown_offset = offsetof(one_u64, _unknown),
    .n_fields = 1,
    .fields = sleep_request_fields,
    .dense = one_u64_dense,
    .dense_len = 2,
    .encoded_size = one_u64_size,
    .put = one_u64_put};
static const parigot_pb_message_desc sleep_response_desc = {
    .full_name = "parigot.test.v1.SleepResponse",
    .size = sizeof(one_u64),
    .unknown_offset = offsetof(one_u64, _unknown),
    .n_fields = 1,
    .fields = sleep_response_fields,
    .dense = one_u64_dense,
    .dense_len = 2,
    .encoded_size = one_u64_size,
    .put = one_u64_put};
static const parigot_pb_method_desc test_methods[] = {
    {"Sleep", "/parigot.test.v1.Test/Sleep", &sleep_request_desc,
     &sleep_response_desc, false, false},
};
static const parigot_pb_service_desc test_service = {"parigot.test.v1.Test", 1,
                                                     test_methods};

void parigot_testing_require(void) {
  parigot_require(&test_service);
}

parigot_future *parigot_testing_sleep(uint64_t ns) {
  one_u64 req = {ns, {NULL, 0}};
  parigot_future *f =
      parigot_dispatch(&test_service, 0, &req, NULL, NULL, NULL, NULL);
  if (f == NULL) {
    parigot_log(PARIGOT_ERROR,
                "parigot_testing_sleep: cannot call parigot.test.v1.Test "
                "(call parigot_testing_require() in parigot_guest_declare())");
    pg_testing_count_failure();
    parigot_exit(1);
  }
  return f;
}

/* ---- deadlines ---------------------------------------------------------- */

/* A future and a timer racing: freed when both have settled. */
typedef struct race {
  parigot_future *out; /* NULL once settled */
  uint64_t ns;
  int pending;
} race;

static void race_done(race *r) {
  if (--r->pending == 0)
    free(r);
}

static void race_ok(void *ctx, const void *value) {
  race *r = ctx;
  parigot_future *out = r->out;
  r->out = NULL;
  if (out != NULL)
    parigot_future_resolve(out, value);
  race_done(r);
}

static void race_fail(void *ctx, const parigot_status *status) {
  race *r = ctx;
  parigot_future *out = r->out;
  r->out = NULL;
  if (out != NULL)
    parigot_future_reject(out, status);
  race_done(r);
}

static void race_timer(void *ctx, const void *value) {
  race *r = ctx;
  parigot_future *out = r->out;
  (void)value;
  r->out = NULL;
  if (out != NULL) {
    char why[64];
    snprintf(why, sizeof why, "not settled within %llu ns",
             (unsigned long long)r->ns);
    parigot_status st = {PARIGOT_CODE_DEADLINE_EXCEEDED, 0, why};
    parigot_future_reject(out, &st);
  }
  race_done(r);
}

/* The timer could not run (the test service failed it): the future alone
 * settles the race. */
static void race_timer_failed(void *ctx, const parigot_status *status) {
  race *r = ctx;
  parigot_log(PARIGOT_WARN, "parigot_testing_deadline: the timer failed: %s",
              status->message);
  race_done(r);
}

parigot_future *parigot_testing_deadline(parigot_future *f, uint64_t ns) {
  race *r = calloc(1, sizeof *r);
  parigot_future *out = parigot_future_new();
  if (r == NULL || out == NULL || f == NULL) {
    parigot_log(PARIGOT_ERROR, "parigot_testing_deadline: %s",
                f == NULL ? "no future (a call that could not start)"
                          : "out of memory");
    pg_testing_count_failure();
    parigot_exit(1);
  }
  *r = (race){out, ns, 2};
  parigot_future_on(f, race_ok, race_fail, r);
  parigot_future_on(parigot_testing_sleep(ns), race_timer, race_timer_failed,
                    r);
  return out;
}

/* ---- expected failures -------------------------------------------------- */

typedef struct expectation {
  const char *file, *expr, *code_expr;
  int line;
  bool fatal;
  uint32_t code;
  parigot_future *out;
} expectation;

static void expect_report(const expectation *e, const parigot_status *got) {
  line_buf r;
  start_line(&r, e->file, e->line);
  put(&r, "%s(%s, %s): expected %s, got %s",
      e->fatal ? "ASSERT_FAIL" : "EXPECT_FAIL", e->expr, e->code_expr,
      parigot_testing_code_name(e->code),
      parigot_testing_code_name(got ? got->code : PARIGOT_CODE_OK));
  if (got != NULL && got->message != NULL && got->message[0] != 0)
    put(&r, " (%s)", got->message);
  report(&r, e->fatal);
}

static void expect_ok(void *ctx, const void *value) {
  expectation *e = ctx;
  parigot_future *out = e->out;
  (void)value;
  expect_report(e, NULL);
  free(e);
  parigot_status st = {PARIGOT_CODE_FAILED_PRECONDITION, 0,
                       "succeeded where a failure was expected"};
  parigot_future_reject(out, &st);
}

static void expect_failed(void *ctx, const parigot_status *status) {
  expectation *e = ctx;
  parigot_future *out = e->out;
  bool as_expected = status->code == e->code;
  if (!as_expected)
    expect_report(e, status);
  free(e);
  if (as_expected)
    parigot_future_resolve(out, status);
  else
    parigot_future_reject(out, status);
}

parigot_future *parigot_testing_expect_code(const char *file, int line,
                                            bool fatal, const char *expr,
                                            const char *code_expr,
                                            parigot_future *f, uint32_t code) {
  expectation *e = calloc(1, sizeof *e);
  parigot_future *out = parigot_future_new();
  if (e == NULL || out == NULL) {
    parigot_log(PARIGOT_ERROR, "%s:%d: out of memory", base_name(file), line);
    pg_testing_count_failure();
    parigot_exit(1);
  }
  *e = (expectation){file, expr, code_expr, line, fatal, code, out};
  if (f == NULL) {
    /* The call could not start: its failure ran, and was lost, already. */
    line_buf r;
    start_line(&r, file, line);
    put(&r, "%s(%s, %s): expected %s, got a call that could not start",
        fatal ? "ASSERT_FAIL" : "EXPECT_FAIL", expr, code_expr,
        parigot_testing_code_name(code));
    free(e);
    report(&r, fatal);
    return out; /* never settles */
  }
  parigot_future_on(f, expect_ok, expect_failed, e);
  return out;
}
