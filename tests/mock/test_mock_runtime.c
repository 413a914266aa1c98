/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/test_mock_runtime.c: the C mock runtime (sdk/c/mock.c),
 * natively, through the generated mock of mocktest.v1.Probe, whose
 * requests are the rich test schema's messages (nested, repeated, maps,
 * oneofs, enums). The event loop's functions it calls are stubbed here:
 * answers, failures, log lines and failed checks are kept for the tests
 * to read, and a delay's sleep is a future the test settles. Memory is
 * counted by wrapping malloc, calloc, realloc and free at link time
 * (-Wl,--wrap): everything a mock took is given back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mocktest/v1/probe.pg.h"
#include "test.h"

/* ---- stubs of the event loop ---------------------------------------------
 */

struct parigot_call {
  int answered; /* 0, or 1 respond, 2 fail */
  uint32_t code;
  char text[512]; /* the response as text, or the failure's message */
};

struct parigot_future {
  parigot_future_ok ok;
  parigot_future_fail fail;
  void *ctx;
};

static char logged[8192];
static int failures;
static uint64_t slept_ns;
static struct parigot_future sleep_future;

void parigot_log(parigot_level level, const char *fmt, ...) {
  size_t n = strlen(logged);
  n += (size_t)snprintf(logged + n, sizeof logged - n, "%d ", (int)level);
  va_list ap;
  va_start(ap, fmt);
  if (n < sizeof logged)
    n += (size_t)vsnprintf(logged + n, sizeof logged - n, fmt, ap);
  va_end(ap);
  if (n < sizeof logged - 1)
    strcat(logged, "\n");
}

void pg_testing_count_failure(void) {
  failures++;
}

int parigot_respond(parigot_call *c, const parigot_pb_message_desc *d,
                    const void *resp) {
  c->answered = 1;
  parigot_mock_format(d, resp, c->text, sizeof c->text);
  return 0;
}

int parigot_call_fail(parigot_call *c, uint32_t code, int32_t app_error,
                      const char *message) {
  (void)app_error;
  c->answered = 2;
  c->code = code;
  snprintf(c->text, sizeof c->text, "%s", message);
  return 0;
}

void parigot_describe(const parigot_pb_file_desc *f) {
  (void)f;
}
void parigot_export(const parigot_pb_service_desc *s,
                    const parigot_invoke_fn *invokers, const void *handlers) {
  (void)s, (void)invokers, (void)handlers;
}
void parigot_testing_require(void) {}

parigot_future *parigot_testing_sleep(uint64_t ns) {
  slept_ns = ns;
  sleep_future = (struct parigot_future){0};
  return &sleep_future;
}

void parigot_future_on(parigot_future *f, parigot_future_ok ok,
                       parigot_future_fail fail, void *ctx) {
  f->ok = ok;
  f->fail = fail;
  f->ctx = ctx;
}

/* ---- helpers ---------------------------------------------------------- */

typedef parigot_test_v1_Rich Rich;
typedef parigot_test_v1_Rich_Inner Inner;

static parigot_pb_bytes str(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

static void reset(void) {
  logged[0] = '\0';
  failures = 0;
  slept_ns = 0;
}

/* A call of Check with @p req, as the SDK would hand it to the mock. */
static parigot_call check(parigot_mock *m, const Rich *req) {
  parigot_call c = {0};
  mocktest_v1_Probe_Check__mock_invoke(&c, req, m);
  return c;
}

static parigot_call other(parigot_mock *m, int32_t a) {
  Inner req;
  parigot_test_v1_Rich_Inner_init(&req);
  req.a = a;
  parigot_call c = {0};
  mocktest_v1_Probe_Other__mock_invoke(&c, &req, m);
  return c;
}

/* The parts of a rich request, in the caller's storage. */
typedef struct parts {
  Inner inner, child, choice;
  parigot_test_v1_Maps maps;
  parigot_test_v1_Maps_StringInt32Entry entries[2];
  parigot_test_v1_Repeateds reps;
  int32_t ints[3];
} parts;

/* inner {a: 1 b: "x" children {a: 2} color: COLOR_GREEN}, maps
 * {"a": 1, "b": @p b} (in that order, or reversed), repeateds [1, 2, 3],
 * choice_inner {a: 7}. */
static void rich(Rich *r, parts *p, int32_t b, bool reversed) {
  parigot_test_v1_Rich_init(r);
  parigot_test_v1_Rich_Inner_init(&p->inner);
  parigot_test_v1_Rich_Inner_init(&p->child);
  parigot_test_v1_Rich_Inner_init(&p->choice);
  p->inner.a = 1;
  p->inner.b = str("x");
  p->child.a = 2;
  p->inner.children = &p->child;
  p->inner.children_count = 1;
  p->inner.color = parigot_test_v1_COLOR_GREEN;
  r->inner = &p->inner;
  parigot_test_v1_Maps_init(&p->maps);
  for (int i = 0; i < 2; i++)
    parigot_test_v1_Maps_StringInt32Entry_init(&p->entries[i]);
  p->entries[reversed].key = str("a");
  p->entries[reversed].value = 1;
  p->entries[!reversed].key = str("b");
  p->entries[!reversed].value = b;
  p->maps.string_int32 = p->entries;
  p->maps.string_int32_count = 2;
  r->maps = &p->maps;
  parigot_test_v1_Repeateds_init(&p->reps);
  p->ints[0] = 1, p->ints[1] = 2, p->ints[2] = 3;
  p->reps.f_int32 = p->ints;
  p->reps.f_int32_count = 3;
  r->repeateds = &p->reps;
  p->choice.a = 7;
  r->choice_case = parigot_test_v1_Rich_choice_inner_FIELD;
  r->choice.choice_inner = &p->choice;
}

/* Blocks live, through the wrapped allocator (CMakeLists.txt). */
static long live;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

void *__wrap_malloc(size_t n) {
  void *p = __real_malloc(n);
  live += p != NULL;
  return p;
}
void *__wrap_calloc(size_t n, size_t size) {
  void *p = __real_calloc(n, size);
  live += p != NULL;
  return p;
}
void *__wrap_realloc(void *p, size_t n) {
  void *q = __real_realloc(p, n);
  live += p == NULL && q != NULL;
  return q;
}
void __wrap_free(void *p) {
  live -= p != NULL;
  __real_free(p);
}

static long heap_in_use(void) {
  return live;
}

/* ---- tests ---------------------------------------------------------------
 */

/* A request equal field by field matches, a map's entries in any order;
 * one differing deep inside does not: it is failed UNIMPLEMENTED naming
 * the method and request, and verify names the path of the difference. */
PG_TEST(mock_runtime_matches_rich_requests_field_by_field) {
  reset();
  long before = heap_in_use();
  parigot_mock *m = mocktest_v1_Probe_mock_new();
  ASSERT_TRUE(m != NULL);
  Rich want, got;
  parts pw, pg;
  rich(&want, &pw, 2, false);
  parigot_mock_expect *e = mocktest_v1_Probe_expect_Check(m, &want);
  parigot_mock_times(e, 2);
  Inner answer;
  parigot_test_v1_Rich_Inner_init(&answer);
  answer.a = 42;
  mocktest_v1_Probe_Check_answer(e, &answer);
  pw.inner.a = 99; /* the expectation holds a copy */

  rich(&got, &pg, 2, true);
  parigot_call c = check(m, &got);
  ASSERT_EQ(c.answered, 1);
  ASSERT_STREQ(c.text, "a: 42");

  rich(&got, &pg, 3, false);
  c = check(m, &got);
  ASSERT_EQ(c.answered, 2);
  ASSERT_EQ(c.code, PARIGOT_CODE_UNIMPLEMENTED);
  ASSERT_STREQ(c.text,
               "mock mocktest.v1.Probe: unexpected call of Check(repeateds "
               "{f_int32: 1 f_int32: 2 f_int32: 3} maps {string_int32 {key: "
               "\"a\" value: 1} string_int32 {key: \"b\" value: 3}} inner {a: "
               "1 b: \"x\" children {a: 2} color: COLOR_GREEN} choice_inner "
               "{a: 7})");

  ASSERT_EQ(mocktest_v1_Probe_Check_calls(m), 2);
  const Rich *first = mocktest_v1_Probe_Check_call(m, 0);
  ASSERT_TRUE(first != NULL && first->inner != NULL);
  ASSERT_EQ(first->inner->a, 1);
  ASSERT_EQ(first->maps->string_int32_count, 2);
  ASSERT_TRUE(mocktest_v1_Probe_Check_call(m, 2) == NULL);
  ASSERT_EQ(parigot_mock_unexpected(m), 1);

  ASSERT_TRUE(!parigot_mock_verify(m));
  ASSERT_EQ(failures, 2);
  ASSERT_CONTAINS(logged, "3 mock mocktest.v1.Probe: unexpected call 2 of "
                          "Check(repeateds");
  ASSERT_CONTAINS(logged, "3 mock mocktest.v1.Probe: test_mock_runtime.c:");
  ASSERT_CONTAINS(logged, ": expectation 1 Check(repeateds {f_int32: 1 ");
  ASSERT_CONTAINS(logged, ") wanted exactly 2 times, had 1 call; unexpected "
                          "call 2 of Check differs: maps.string_int32[\"b\"]"
                          ".value: 3 != 2 (got != expected)\n");
  parigot_mock_free(m);
  ASSERT_EQ(heap_in_use(), before);
}

/* Differences anywhere are found: an element of a repeated field, a
 * nested message, a oneof's case. */
PG_TEST(mock_runtime_names_each_kind_of_difference) {
  static const char *const diffs[] = {
      "repeateds.f_int32[1]: 5 != 2",
      "inner.children[0].a: 8 != 2",
      "choice_int32: set in the first, unset in the second",
      "repeateds.f_int32: 2 values != 3",
  };
  for (int k = 0; k < 4; k++) {
    reset();
    parigot_mock *m = mocktest_v1_Probe_mock_new();
    Rich want, got;
    parts pw, pg;
    rich(&want, &pw, 2, false);
    mocktest_v1_Probe_expect_Check(m, &want);
    rich(&got, &pg, 2, false);
    if (k == 0)
      pg.ints[1] = 5;
    else if (k == 1)
      pg.child.a = 8;
    else if (k == 2)
      got.choice_case = parigot_test_v1_Rich_choice_int32_FIELD;
    else
      pg.reps.f_int32_count = 2;
    ASSERT_EQ(check(m, &got).answered, 2);
    ASSERT_TRUE(!parigot_mock_verify(m));
    ASSERT_CONTAINS(logged, diffs[k]);
    parigot_mock_free(m);
  }
}

static bool positive(const Inner *req, void *ctx) {
  ++*(int *)ctx;
  return req->a > 0;
}

static bool negative(const Inner *req, void *ctx) {
  (void)ctx;
  return req->a < 0;
}

/* Predicates, the first expectation with calls left, one call too many
 * for the last full one, times(0), at_least; a default answer and a
 * failure with its code; verify's account of each. */
PG_TEST(mock_runtime_counts_times_and_answers) {
  reset();
  long before = heap_in_use();
  parigot_mock *m = mocktest_v1_Probe_mock_new();
  int asked = 0;
  parigot_mock_expect *pos =
      mocktest_v1_Probe_expect_Other_if(m, positive, &asked);
  parigot_mock_fail(pos, PARIGOT_CODE_NOT_FOUND, 0, "no such thing here");
  parigot_mock_times(mocktest_v1_Probe_expect_Other(m, NULL), 2);
  parigot_mock_times(mocktest_v1_Probe_expect_Check(m, NULL), 0);
  parigot_mock_at_least(mocktest_v1_Probe_expect_Other_if(m, negative, NULL),
                        2);
  parigot_mock_any_times(mocktest_v1_Probe_expect_Check(m, NULL));

  parigot_call c = other(m, 5);
  ASSERT_EQ(c.answered, 2);
  ASSERT_EQ(c.code, PARIGOT_CODE_NOT_FOUND);
  ASSERT_STREQ(c.text, "no such thing here");
  ASSERT_EQ(other(m, 0).answered, 1);  /* the second, default answer */
  ASSERT_STREQ(other(m, -1).text, ""); /* the second again */
  ASSERT_EQ(other(m, -2).answered, 1); /* the fourth */
  ASSERT_EQ(other(m, 6).answered, 1);  /* the second, one too many */
  Rich r;
  parigot_test_v1_Rich_init(&r);
  ASSERT_EQ(check(m, &r).answered, 1); /* the fifth: the third is full */
  ASSERT_EQ(mocktest_v1_Probe_Other_calls(m), 5);
  ASSERT_EQ(mocktest_v1_Probe_Check_calls(m), 1);
  ASSERT_TRUE(asked >= 5);

  ASSERT_TRUE(!parigot_mock_verify(m));
  ASSERT_EQ(failures, 2);
  ASSERT_CONTAINS(logged, ": expectation 2 Other(any request) wanted "
                          "exactly 2 times, had 3 calls\n");
  ASSERT_CONTAINS(logged, ": expectation 4 Other(if negative) wanted at "
                          "least 2 times, had 1 call\n");
  ASSERT_TRUE(strstr(logged, "expectation 1 ") == NULL);
  ASSERT_TRUE(strstr(logged, "expectation 3 ") == NULL);
  ASSERT_TRUE(strstr(logged, "expectation 5 ") == NULL);
  parigot_mock_free(m);
  ASSERT_EQ(heap_in_use(), before);
}

/* A delayed answer waits for the sleep's future; the mock freed in the
 * meantime lives until the answer has gone, and then all is given back. */
PG_TEST(mock_runtime_delays_and_frees_after_the_last_answer) {
  reset();
  long before = heap_in_use();
  parigot_mock *m = mocktest_v1_Probe_mock_new();
  parigot_mock_expect *e = mocktest_v1_Probe_expect_Other(m, NULL);
  Inner answer;
  parigot_test_v1_Rich_Inner_init(&answer);
  answer.b = str("late");
  mocktest_v1_Probe_Other_answer(e, &answer);
  parigot_mock_delay(e, 5000000);

  parigot_call c = {0};
  Inner req;
  parigot_test_v1_Rich_Inner_init(&req);
  mocktest_v1_Probe_Other__mock_invoke(&c, &req, m);
  ASSERT_EQ(c.answered, 0);
  ASSERT_EQ(slept_ns, 5000000);
  ASSERT_EQ(parigot_mock_pending(m), 1);
  ASSERT_TRUE(!parigot_mock_verify(m)); /* an answer not sent yet */
  ASSERT_CONTAINS(logged, "1 delayed answers not sent yet");
  parigot_mock_free(m);
  ASSERT_TRUE(sleep_future.ok != NULL);
  sleep_future.ok(sleep_future.ctx, NULL);
  ASSERT_EQ(c.answered, 1);
  ASSERT_STREQ(c.text, "b: \"late\"");
  ASSERT_EQ(heap_in_use(), before);
}

/* An expectation on a method of another service is refused, and verify
 * says so; the text format escapes and cuts. */
PG_TEST(mock_runtime_refuses_other_services_and_formats_text) {
  reset();
  static const parigot_pb_service_desc elsewhere = {"x.v1.Elsewhere", 0, NULL};
  parigot_mock *m = mocktest_v1_Probe_mock_new();
  ASSERT_TRUE(parigot_mock_expect_call(m, &elsewhere, 0, NULL, "here.c", 3) ==
              NULL);
  ASSERT_TRUE(parigot_mock_expect_call(m, &mocktest_v1_Probe_desc, 7, NULL,
                                       "here.c", 4) == NULL);
  ASSERT_CONTAINS(logged, "mock mocktest.v1.Probe: here.c:3: expectation "
                          "refused (not a method of mocktest.v1.Probe)\n");
  ASSERT_CONTAINS(logged, "here.c:4: expectation refused (not a method of "
                          "mocktest.v1.Probe)\n");
  ASSERT_TRUE(!parigot_mock_verify(m));
  ASSERT_CONTAINS(logged, "2 expectations or answers could not be set");
  parigot_mock_free(m);

  Inner in;
  parigot_test_v1_Rich_Inner_init(&in);
  in.b = (parigot_pb_bytes){(uint8_t *)"q\"\\\n", 4};
  in.color = -1;
  char text[64];
  parigot_mock_format(&parigot_test_v1_Rich_Inner_desc, &in, text, sizeof text);
  ASSERT_STREQ(text, "b: \"q\\\"\\\\\\012\" color: COLOR_NEGATIVE");
  in.color = 77;
  char small[16];
  parigot_mock_format(&parigot_test_v1_Rich_Inner_desc, &in, small,
                      sizeof small);
  ASSERT_STREQ(small, "b: \"q\\\"\\\\\\01...");
}
