/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test.h: the tiny test harness every parigot test binary uses.
 *
 * PG_TEST(name) defines a test and registers it before main() runs; CMake
 * reads the same PG_TEST lines to make one CTest entry per test, so each test
 * runs in its own process with its own timeout (as libuv's runner does).
 * Assertions print both operands and stop the process with exit status 1.
 * Single-threaded: tests run one per process.
 */
#ifndef PG_TEST_H
#define PG_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*pg_test_fn)(void);

void pg_test_register(const char *name, pg_test_fn fn);

#define PG_TEST(name)                                                          \
  static void test_##name(void);                                               \
  __attribute__((constructor)) static void register_##name(void) {             \
    pg_test_register(#name, test_##name);                                      \
  }                                                                            \
  static void test_##name(void)

#define PG_FAIL(...)                                                           \
  do {                                                                         \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    exit(1);                                                                   \
  } while (0)

#define ASSERT_TRUE(c)                                                         \
  do {                                                                         \
    if (!(c))                                                                  \
      PG_FAIL("ASSERT_TRUE(%s) failed", #c);                                   \
  } while (0)

#define ASSERT_EQ(a, b)                                                        \
  do {                                                                         \
    intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                           \
    if (a_ != b_)                                                              \
      PG_FAIL("ASSERT_EQ(%s, %s) failed: %jd != %jd", #a, #b, a_, b_);         \
  } while (0)

#define ASSERT_NE(a, b)                                                        \
  do {                                                                         \
    intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                           \
    if (a_ == b_)                                                              \
      PG_FAIL("ASSERT_NE(%s, %s) failed: both %jd", #a, #b, a_);               \
  } while (0)

#define ASSERT_STREQ(a, b)                                                     \
  do {                                                                         \
    const char *a_ = (a), *b_ = (b);                                           \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                       \
      PG_FAIL("ASSERT_STREQ(%s, %s) failed:\n  \"%s\"\n  \"%s\"", #a, #b,      \
              a_ ? a_ : "(null)", b_ ? b_ : "(null)");                         \
  } while (0)

#define ASSERT_CONTAINS(hay, needle)                                           \
  do {                                                                         \
    const char *h_ = (hay), *n_ = (needle);                                    \
    if (h_ == NULL || strstr(h_, n_) == NULL)                                  \
      PG_FAIL("ASSERT_CONTAINS(%s, %s) failed:\n  \"%s\"\n  lacks \"%s\"",     \
              #hay, #needle, h_ ? h_ : "(null)", n_);                          \
  } while (0)

#endif /* PG_TEST_H */
