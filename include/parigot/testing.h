/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file testing.h
 * @brief Assertions and asynchronous helpers for test programs in C and
 * C++ (docs/testing.md, "Assertions and helpers").
 *
 * A failed check writes one line at ERROR level through parigot_log(),
 * naming the file and line, the check with its expressions and both
 * values: `cart_test.c:42: EXPECT_EQ(total.cents, 350): 300 != 350`.
 * `parigot test` puts a failing test's last ERROR line under its FAIL
 * line, so that line is the reason a reader sees. The same line goes to
 * stderr.
 *
 * Two families:
 * - PARIGOT_EXPECT_...: the failure is counted and the test goes on; the
 *   value of the check is true when it held. A test with any failed
 *   expectation ends with status 1 even if it calls parigot_exit(0)
 *   (parigot_testing_failures() is the count).
 * - PARIGOT_ASSERT_...: the failure ends the test at once, with status 1
 *   (parigot_exit(1)).
 *
 * PARIGOT_EXPECT_EQ() and its kin compare integers (signed and unsigned
 * mixed correctly), booleans, floating point numbers, C strings and
 * #parigot_pb_bytes (a string or bytes field; against a C string too),
 * picking the comparison from the operands' types (_Generic in C,
 * overloads in C++). Bytes in memory compare with PARIGOT_EXPECT_BYTES_EQ()
 * (the first differing offset is named), protobuf messages with
 * PARIGOT_EXPECT_MSG_EQ() (field by field through the generated
 * descriptor; the first difference is named as a path:
 * `items[1].quantity: 2 != 3`).
 *
 * Define PARIGOT_TESTING_SHORT_NAMES before including this header for
 * EXPECT_EQ(), ASSERT_TRUE()... without the prefix.
 *
 * The timers (parigot_testing_sleep(), parigot_testing_deadline()) call
 * the service parigot.test.v1.Test, which `parigot test` adds to every
 * test app: a test that uses them calls parigot_testing_require() in its
 * parigot_guest_declare(). Everything here runs on the guest's one thread
 * (guest.h); the failure count is the only state, and it is the guest's.
 */
#ifndef PARIGOT_TESTING_H
#define PARIGOT_TESTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/guest.h"
#include "parigot/pb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief How a check compares its two values. */
typedef enum parigot_testing_op {
  PARIGOT_TESTING_EQ = 0, /**< a == b */
  PARIGOT_TESTING_NE = 1, /**< a != b */
  PARIGOT_TESTING_LT = 2, /**< a < b */
  PARIGOT_TESTING_LE = 3, /**< a <= b */
  PARIGOT_TESTING_GT = 4, /**< a > b */
  PARIGOT_TESTING_GE = 5  /**< a >= b */
} parigot_testing_op;

/** @brief What kind of value a #parigot_testing_value holds. */
typedef enum parigot_testing_kind {
  PARIGOT_TESTING_INT = 0,    /**< a signed integer, in @c i */
  PARIGOT_TESTING_UINT = 1,   /**< an unsigned integer, in @c u */
  PARIGOT_TESTING_BOOL = 2,   /**< a boolean, in @c u (0 or 1) */
  PARIGOT_TESTING_DOUBLE = 3, /**< a floating point number, in @c d */
  PARIGOT_TESTING_STR = 4,    /**< a C string (may be NULL), in @c p */
  PARIGOT_TESTING_BYTES = 5   /**< bytes, in @c p and @c len */
} parigot_testing_kind;

/** @brief One operand of a check, as the macros capture it. */
typedef struct parigot_testing_value {
  int kind;      /**< a #parigot_testing_kind */
  intmax_t i;    /**< INT */
  uintmax_t u;   /**< UINT, BOOL */
  double d;      /**< DOUBLE */
  const void *p; /**< STR, BYTES: not owned */
  size_t len;    /**< BYTES */
} parigot_testing_value;

/** @cond */
/* What the macros expand to. */
static inline parigot_testing_value parigot_testing_i(intmax_t v) {
  parigot_testing_value x = {PARIGOT_TESTING_INT, v, 0, 0, NULL, 0};
  return x;
}
static inline parigot_testing_value parigot_testing_u(uintmax_t v) {
  parigot_testing_value x = {PARIGOT_TESTING_UINT, 0, v, 0, NULL, 0};
  return x;
}
static inline parigot_testing_value parigot_testing_b(bool v) {
  parigot_testing_value x = {PARIGOT_TESTING_BOOL, 0, v ? 1u : 0u, 0, NULL, 0};
  return x;
}
static inline parigot_testing_value parigot_testing_d(double v) {
  parigot_testing_value x = {PARIGOT_TESTING_DOUBLE, 0, 0, v, NULL, 0};
  return x;
}
static inline parigot_testing_value parigot_testing_s(const char *v) {
  parigot_testing_value x = {PARIGOT_TESTING_STR, 0, 0, 0, v, 0};
  return x;
}
static inline parigot_testing_value parigot_testing_pb(parigot_pb_bytes v) {
  parigot_testing_value x = {PARIGOT_TESTING_BYTES, 0, 0, 0, v.data, v.len};
  return x;
}

#ifdef __cplusplus
} /* extern "C" */
/* C++: overloads pick the kind, as _Generic does in C. */
static inline parigot_testing_value parigot_testing_v(bool v) {
  return parigot_testing_b(v);
}
static inline parigot_testing_value parigot_testing_v(char v) {
  return parigot_testing_i(v);
}
static inline parigot_testing_value parigot_testing_v(signed char v) {
  return parigot_testing_i(v);
}
static inline parigot_testing_value parigot_testing_v(short v) {
  return parigot_testing_i(v);
}
static inline parigot_testing_value parigot_testing_v(int v) {
  return parigot_testing_i(v);
}
static inline parigot_testing_value parigot_testing_v(long v) {
  return parigot_testing_i(v);
}
static inline parigot_testing_value parigot_testing_v(long long v) {
  return parigot_testing_i(v);
}
static inline parigot_testing_value parigot_testing_v(unsigned char v) {
  return parigot_testing_u(v);
}
static inline parigot_testing_value parigot_testing_v(unsigned short v) {
  return parigot_testing_u(v);
}
static inline parigot_testing_value parigot_testing_v(unsigned v) {
  return parigot_testing_u(v);
}
static inline parigot_testing_value parigot_testing_v(unsigned long v) {
  return parigot_testing_u(v);
}
static inline parigot_testing_value parigot_testing_v(unsigned long long v) {
  return parigot_testing_u(v);
}
static inline parigot_testing_value parigot_testing_v(float v) {
  return parigot_testing_d(v);
}
static inline parigot_testing_value parigot_testing_v(double v) {
  return parigot_testing_d(v);
}
static inline parigot_testing_value parigot_testing_v(const char *v) {
  return parigot_testing_s(v);
}
static inline parigot_testing_value parigot_testing_v(parigot_pb_bytes v) {
  return parigot_testing_pb(v);
}
#define PARIGOT_TESTING_V(x) parigot_testing_v(x)
extern "C" {
#else
#define PARIGOT_TESTING_V(x)                                                   \
  _Generic((x),                                                                \
      _Bool: parigot_testing_b,                                                \
      char: parigot_testing_i,                                                 \
      signed char: parigot_testing_i,                                          \
      short: parigot_testing_i,                                                \
      int: parigot_testing_i,                                                  \
      long: parigot_testing_i,                                                 \
      long long: parigot_testing_i,                                            \
      unsigned char: parigot_testing_u,                                        \
      unsigned short: parigot_testing_u,                                       \
      unsigned: parigot_testing_u,                                             \
      unsigned long: parigot_testing_u,                                        \
      unsigned long long: parigot_testing_u,                                   \
      float: parigot_testing_d,                                                \
      double: parigot_testing_d,                                               \
      char *: parigot_testing_s,                                               \
      const char *: parigot_testing_s,                                         \
      parigot_pb_bytes: parigot_testing_pb)(x)
#endif

/* Checks a op b; on failure logs the report and counts it, and with
 * @p fatal ends the test with status 1. True when it held. */
bool parigot_testing_compare(const char *file, int line, bool fatal,
                             const char *check, const char *expr_a,
                             const char *expr_b, int op,
                             parigot_testing_value a, parigot_testing_value b);
bool parigot_testing_truth(const char *file, int line, bool fatal,
                           const char *check, const char *expr, bool want,
                           bool got);
bool parigot_testing_bytes_eq(const char *file, int line, bool fatal,
                              const char *expr_a, const char *expr_b,
                              const void *a, size_t a_len, const void *b,
                              size_t b_len);
bool parigot_testing_msg_eq(const char *file, int line, bool fatal,
                            const char *expr_a, const char *expr_b,
                            const parigot_pb_message_desc *desc, const void *a,
                            const void *b);
parigot_future *parigot_testing_expect_code(const char *file, int line,
                                            bool fatal, const char *expr,
                                            const char *code_expr,
                                            parigot_future *f, uint32_t code);
/** @endcond */

/** @cond */
#define PARIGOT_TESTING_CMP(fatal, check, op, a, b)                            \
  parigot_testing_compare(__FILE__, __LINE__, fatal, check, #a, #b, op,        \
                          PARIGOT_TESTING_V(a), PARIGOT_TESTING_V(b))
/** @endcond */

/** @brief Expects @p a == @p b (integers, booleans, numbers, strings,
 * #parigot_pb_bytes); counts a failure and goes on. True when it held. */
#define PARIGOT_EXPECT_EQ(a, b)                                                \
  PARIGOT_TESTING_CMP(false, "EXPECT_EQ", PARIGOT_TESTING_EQ, a, b)
/** @brief Expects @p a != @p b. */
#define PARIGOT_EXPECT_NE(a, b)                                                \
  PARIGOT_TESTING_CMP(false, "EXPECT_NE", PARIGOT_TESTING_NE, a, b)
/** @brief Expects @p a < @p b (numbers; strings and bytes by memcmp). */
#define PARIGOT_EXPECT_LT(a, b)                                                \
  PARIGOT_TESTING_CMP(false, "EXPECT_LT", PARIGOT_TESTING_LT, a, b)
/** @brief Expects @p a <= @p b. */
#define PARIGOT_EXPECT_LE(a, b)                                                \
  PARIGOT_TESTING_CMP(false, "EXPECT_LE", PARIGOT_TESTING_LE, a, b)
/** @brief Expects @p a > @p b. */
#define PARIGOT_EXPECT_GT(a, b)                                                \
  PARIGOT_TESTING_CMP(false, "EXPECT_GT", PARIGOT_TESTING_GT, a, b)
/** @brief Expects @p a >= @p b. */
#define PARIGOT_EXPECT_GE(a, b)                                                \
  PARIGOT_TESTING_CMP(false, "EXPECT_GE", PARIGOT_TESTING_GE, a, b)
/** @brief Expects @p x to be true. */
#define PARIGOT_EXPECT_TRUE(x)                                                 \
  parigot_testing_truth(__FILE__, __LINE__, false, "EXPECT_TRUE", #x, true,    \
                        (x) ? true : false)
/** @brief Expects @p x to be false. */
#define PARIGOT_EXPECT_FALSE(x)                                                \
  parigot_testing_truth(__FILE__, __LINE__, false, "EXPECT_FALSE", #x, false,  \
                        (x) ? true : false)
/** @brief Expects @p a_len bytes at @p a to equal @p b_len bytes at @p b;
 * the report names the first differing offset. */
#define PARIGOT_EXPECT_BYTES_EQ(a, a_len, b, b_len)                            \
  parigot_testing_bytes_eq(__FILE__, __LINE__, false, #a, #b, a, a_len, b,     \
                           b_len)
/** @brief Expects two messages of type @p desc (a generated
 * `pkg_Msg_desc`, by address) to be equal field by field; @p a and @p b
 * point to them. The report names the first differing field as a path. */
#define PARIGOT_EXPECT_MSG_EQ(desc, a, b)                                      \
  parigot_testing_msg_eq(__FILE__, __LINE__, false, #a, #b, desc, a, b)

/** @brief As PARIGOT_EXPECT_EQ(), but a failure ends the test (status 1). */
#define PARIGOT_ASSERT_EQ(a, b)                                                \
  PARIGOT_TESTING_CMP(true, "ASSERT_EQ", PARIGOT_TESTING_EQ, a, b)
/** @brief As PARIGOT_EXPECT_NE(), but a failure ends the test. */
#define PARIGOT_ASSERT_NE(a, b)                                                \
  PARIGOT_TESTING_CMP(true, "ASSERT_NE", PARIGOT_TESTING_NE, a, b)
/** @brief As PARIGOT_EXPECT_LT(), but a failure ends the test. */
#define PARIGOT_ASSERT_LT(a, b)                                                \
  PARIGOT_TESTING_CMP(true, "ASSERT_LT", PARIGOT_TESTING_LT, a, b)
/** @brief As PARIGOT_EXPECT_LE(), but a failure ends the test. */
#define PARIGOT_ASSERT_LE(a, b)                                                \
  PARIGOT_TESTING_CMP(true, "ASSERT_LE", PARIGOT_TESTING_LE, a, b)
/** @brief As PARIGOT_EXPECT_GT(), but a failure ends the test. */
#define PARIGOT_ASSERT_GT(a, b)                                                \
  PARIGOT_TESTING_CMP(true, "ASSERT_GT", PARIGOT_TESTING_GT, a, b)
/** @brief As PARIGOT_EXPECT_GE(), but a failure ends the test. */
#define PARIGOT_ASSERT_GE(a, b)                                                \
  PARIGOT_TESTING_CMP(true, "ASSERT_GE", PARIGOT_TESTING_GE, a, b)
/** @brief As PARIGOT_EXPECT_TRUE(), but a failure ends the test. */
#define PARIGOT_ASSERT_TRUE(x)                                                 \
  parigot_testing_truth(__FILE__, __LINE__, true, "ASSERT_TRUE", #x, true,     \
                        (x) ? true : false)
/** @brief As PARIGOT_EXPECT_FALSE(), but a failure ends the test. */
#define PARIGOT_ASSERT_FALSE(x)                                                \
  parigot_testing_truth(__FILE__, __LINE__, true, "ASSERT_FALSE", #x, false,   \
                        (x) ? true : false)
/** @brief As PARIGOT_EXPECT_BYTES_EQ(), but a failure ends the test. */
#define PARIGOT_ASSERT_BYTES_EQ(a, a_len, b, b_len)                            \
  parigot_testing_bytes_eq(__FILE__, __LINE__, true, #a, #b, a, a_len, b, b_len)
/** @brief As PARIGOT_EXPECT_MSG_EQ(), but a failure ends the test. */
#define PARIGOT_ASSERT_MSG_EQ(desc, a, b)                                      \
  parigot_testing_msg_eq(__FILE__, __LINE__, true, #a, #b, desc, a, b)

/**
 * @brief Counts a failure and reports it: `file:line: ` and the formatted
 * text, at ERROR. For checks of one's own; the test goes on.
 * @param[in] file  usually __FILE__ (only its last component is written).
 * @param[in] line  usually __LINE__.
 * @param[in] fmt   printf format.
 */
void parigot_testing_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** @brief Reports and counts a failure with a printf-style text, at this
 * file and line; the test goes on: `PARIGOT_FAIL("got %d rows", n)`. */
#define PARIGOT_FAIL(...) parigot_testing_fail(__FILE__, __LINE__, __VA_ARGS__)

/**
 * @brief How many checks have failed in this guest so far (EXPECT and
 * ASSERT alike, parigot_testing_fail() too). While it is not 0,
 * parigot_exit(0) exits with status 1.
 * @return the count.
 */
unsigned parigot_testing_failures(void);

/**
 * @brief The name of a status code: "OK", "NOT_FOUND"...
 * @param[in] code  a #parigot_code.
 * @return a static string; "CODE_<n>" (in a static buffer) above 16.
 */
const char *parigot_testing_code_name(uint32_t code);

/* ---- asynchronous helpers ---------------------------------------------- */

/**
 * @brief Declares that this test calls parigot.test.v1.Test, the service
 * `parigot test` adds to every test app (its timers): call it in
 * parigot_guest_declare() before using parigot_testing_sleep() or
 * parigot_testing_deadline(). Requiring it twice (also through generated
 * code) is harmless.
 */
void parigot_testing_require(void);

/**
 * @brief A future that succeeds once @p ns have passed on the app's clock
 * (virtual, and so exact, in deterministic mode), with a `const uint64_t *`
 * value: the clock when it was answered. A test that did not call
 * parigot_testing_require() fails at once (ERROR line, status 1).
 * @param[in] ns  how long, in ns.
 * @return the future, owned by the SDK as every future is.
 */
parigot_future *parigot_testing_sleep(uint64_t ns);

/**
 * @brief A future that settles as @p f does if @p f settles within @p ns
 * on the app's clock, and fails with PARIGOT_CODE_DEADLINE_EXCEEDED
 * ("not settled within <ns> ns") otherwise; @p f's later answer is then
 * dropped. Needs parigot_testing_require().
 * @param[in] f   an unsettled future (a call's, or any).
 * @param[in] ns  the time allowed, in ns.
 * @return the new future.
 */
parigot_future *parigot_testing_deadline(parigot_future *f, uint64_t ns);

/**
 * @brief Expects future @p f to fail with status code @p code: the
 * returned future succeeds (its value the #parigot_status) when it does;
 * any other outcome is a counted failure reported as
 * `file:line: EXPECT_FAIL(f, PARIGOT_CODE_NOT_FOUND): expected NOT_FOUND,
 * got OK`, and the returned future then fails (with @p f's status, or
 * FAILED_PRECONDITION when @p f succeeded).
 */
#define PARIGOT_EXPECT_FAIL(f, code)                                           \
  parigot_testing_expect_code(__FILE__, __LINE__, false, #f, #code, f, code)
/** @brief As PARIGOT_EXPECT_FAIL(), but any other outcome ends the test
 * with status 1. */
#define PARIGOT_ASSERT_FAIL(f, code)                                           \
  parigot_testing_expect_code(__FILE__, __LINE__, true, #f, #code, f, code)

#ifdef PARIGOT_TESTING_SHORT_NAMES
#define EXPECT_EQ PARIGOT_EXPECT_EQ
#define EXPECT_NE PARIGOT_EXPECT_NE
#define EXPECT_LT PARIGOT_EXPECT_LT
#define EXPECT_LE PARIGOT_EXPECT_LE
#define EXPECT_GT PARIGOT_EXPECT_GT
#define EXPECT_GE PARIGOT_EXPECT_GE
#define EXPECT_TRUE PARIGOT_EXPECT_TRUE
#define EXPECT_FALSE PARIGOT_EXPECT_FALSE
#define EXPECT_BYTES_EQ PARIGOT_EXPECT_BYTES_EQ
#define EXPECT_MSG_EQ PARIGOT_EXPECT_MSG_EQ
#define EXPECT_FAIL PARIGOT_EXPECT_FAIL
#define ASSERT_EQ PARIGOT_ASSERT_EQ
#define ASSERT_NE PARIGOT_ASSERT_NE
#define ASSERT_LT PARIGOT_ASSERT_LT
#define ASSERT_LE PARIGOT_ASSERT_LE
#define ASSERT_GT PARIGOT_ASSERT_GT
#define ASSERT_GE PARIGOT_ASSERT_GE
#define ASSERT_TRUE PARIGOT_ASSERT_TRUE
#define ASSERT_FALSE PARIGOT_ASSERT_FALSE
#define ASSERT_BYTES_EQ PARIGOT_ASSERT_BYTES_EQ
#define ASSERT_MSG_EQ PARIGOT_ASSERT_MSG_EQ
#define ASSERT_FAIL PARIGOT_ASSERT_FAIL
#endif

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_TESTING_H */
