/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/testlib/test_testlib.c: the guest SDKs' test libraries through
 * `parigot test`: C (and C++) include/parigot/testing.h, Rust
 * parigot::testing and the panic hook, AssemblyScript's testing.ts and
 * abort handler. Each manifest in manifests/ runs one guest under several
 * SCENARIOs; a failing check must make its test FAIL with the check's
 * report as its reason (file:line, the expression, both values, a
 * message's first differing field), an EXPECT must go on and still end
 * non-zero, an ASSERT stop at once, and the timers fire at exact times on
 * the deterministic clock. A report's line is found in the guest's source
 * by the marker comment on it (@int...), so editing the guests keeps the
 * test true.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"

/* `parigot test` on manifest @p manifest of build/tests/testlib. */
static void run_tests(pg_proc_result *r, const char *manifest) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", PG_TESTLIB_DIR, manifest);
  char *argv[] = {(char *)pg_test_parigot(), "test", path, NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

/* The number of the line of tests/testlib/@p file holding @p marker as
 * a word of its own, followed by a space or the line's end. */
static int line_of(const char *file, const char *marker) {
  char path[4096], line[1024];
  snprintf(path, sizeof path, "%s/%s", PG_TESTLIB_SRC, file);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    PG_FAIL("cannot open %s", path);
  size_t len = strlen(marker);
  for (int n = 1; fgets(line, sizeof line, f) != NULL; n++)
    for (const char *p = line; (p = strstr(p, marker)) != NULL; p += len)
      if (p[len] == ' ' || p[len] == '\n') { /* not @int, nor @int_x */
        fclose(f);
        return n;
      }
  fclose(f);
  PG_FAIL("no %s in %s", marker, path);
}

/* Test @p name's verdict in @p out: its PASS or FAIL line and the lines
 * under it that say why (indented), as one string; "" if none. */
static const char *verdict(const char *out, const char *name) {
  static char block[4096];
  size_t nlen = strlen(name);
  block[0] = 0;
  for (const char *p = out; p != NULL && *p; p = strchr(p, '\n'), p += !!p) {
    if ((strncmp(p, "PASS ", 5) != 0 && strncmp(p, "FAIL ", 5) != 0) ||
        strncmp(p + 5, name, nlen) != 0 || p[5 + nlen] != '\n')
      continue;
    const char *end = p + 5 + nlen + 1;
    while (strncmp(end, "  ", 2) == 0 && strchr(end, '\n') != NULL)
      end = strchr(end, '\n') + 1;
    snprintf(block, sizeof block, "%.*s", (int)(end - p), p);
    break;
  }
  return block;
}

/* Test @p name failed, and its reason holds @p reason (printf format). */
static void expect_failed(const char *out, const char *name, const char *reason,
                          ...) __attribute__((format(printf, 3, 4)));

static void expect_failed(const char *out, const char *name, const char *reason,
                          ...) {
  char want[1024], head[256];
  va_list ap;
  va_start(ap, reason);
  vsnprintf(want, sizeof want, reason, ap);
  va_end(ap);
  snprintf(head, sizeof head, "FAIL %s\n", name);
  const char *v = verdict(out, name);
  if (strncmp(v, head, strlen(head)) != 0 || strstr(v, want) == NULL)
    PG_FAIL("test %s: expected a FAIL whose reason holds\n  %s\ngot\n%s\n"
            "in\n%s",
            name, want, v, out);
}

static void expect_passed(const char *out, const char *name) {
  char want[256];
  snprintf(want, sizeof want, "PASS %s\n", name);
  if (strcmp(verdict(out, name), want) != 0)
    PG_FAIL("test %s did not pass: %s\nin\n%s", name, verdict(out, name), out);
}

/* `parigot test` on @p manifest twice: the runs must be byte for byte the
 * same (deterministic: the timers' exact times too); the first is kept. */
static void run_twice(pg_proc_result *r, const char *manifest) {
  pg_proc_result again;
  run_tests(r, manifest);
  run_tests(&again, manifest);
  ASSERT_STREQ(again.out, r->out);
  ASSERT_STREQ(again.err, r->err);
  pg_proc_result_free(&again);
}

/* The log says "@p what after N ns" with N in [@p ns, @p ns + 20 us): a
 * timer of @p ns fired on time, give or take the deterministic clock's
 * ticks (1 us each time it is read). */
static void fired_on_time(const char *err, const char *what, uint64_t ns) {
  char want[256];
  snprintf(want, sizeof want, "%s after ", what);
  const char *p = strstr(err, want);
  if (p == NULL)
    PG_FAIL("no \"%s\" in the log:\n%s", want, err);
  unsigned long long n = strtoull(p + strlen(want), NULL, 10);
  if (n < ns || n >= ns + 20000)
    PG_FAIL("%s after %llu ns, not %llu", what, n, (unsigned long long)ns);
}

/* Every check of C's kinds fails with file:line, the expression and both
 * values; an EXPECT goes on (its next log line is reached) and still ends
 * with status 1 after parigot_exit(0); an ASSERT ends the test at once. */
PG_TEST(testlib_c_checks_report_file_line_expression_and_values) {
  pg_proc_result r;
  run_tests(&r, "c_checks.toml");
  const char *out = r.out;
  expect_passed(out, "pass");
  expect_failed(out, "int",
                "exited with status 1: c_checks.c:%d: EXPECT_EQ(total, 350): "
                "300 != 350\n",
                line_of("c_checks.c", "@int"));
  ASSERT_CONTAINS(r.err, "went on after the failed expectation");
  expect_failed(out, "uint", "c_checks.c:%d: EXPECT_GE(count, 3u): 2 < 3\n",
                line_of("c_checks.c", "@uint"));
  expect_failed(out, "signed", "c_checks.c:%d: EXPECT_GT(-1, count): -1 <= 2\n",
                line_of("c_checks.c", "@signed"));
  expect_failed(out, "str",
                "c_checks.c:%d: EXPECT_EQ(name, \"alicia\"): \"alice\" != "
                "\"alicia\" (first difference at offset 4)\n",
                line_of("c_checks.c", "@str"));
  expect_failed(out, "bytes",
                "c_checks.c:%d: EXPECT_BYTES_EQ(x, y): differ at offset 2: "
                "0x03 != 0x04\n",
                line_of("c_checks.c", "@bytes"));
  expect_failed(out, "bool", "c_checks.c:%d: EXPECT_TRUE(ok): false\n",
                line_of("c_checks.c", "@bool"));
  expect_failed(out, "assert",
                "exited with status 1: c_checks.c:%d: ASSERT_EQ(total, 350): "
                "300 != 350\n",
                line_of("c_checks.c", "@assert"));
  ASSERT_TRUE(strstr(r.err, "not reached") == NULL);
  /* The reason is the last failure; both were counted. */
  expect_failed(out, "two",
                "c_checks.c:%d: EXPECT_EQ(name, \"bob\"): \"alice\" != "
                "\"bob\"\n",
                line_of("c_checks.c", "@two"));
  ASSERT_CONTAINS(r.err, "failures: 2");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
}

/* PARIGOT_EXPECT_MSG_EQ names the first differing field as a path through
 * repeated fields, maps, oneofs, enums, optional fields and sub-messages;
 * a decoded copy equals its original. */
PG_TEST(testlib_c_messages_name_the_first_difference) {
  pg_proc_result r;
  run_tests(&r, "c_checks.toml");
  const char *out = r.out;
  const char *eq = "EXPECT_MSG_EQ(&a, &b): ";
  expect_failed(out, "msg_items",
                "c_checks.c:%d: %sitems[1].quantity: 2 != 3\n",
                line_of("c_checks.c", "@msg_items"), eq);
  expect_failed(out, "msg_count", "c_checks.c:%d: %sitems: 2 elements != 1\n",
                line_of("c_checks.c", "@msg_count"), eq);
  expect_failed(out, "msg_map",
                "c_checks.c:%d: %slabels[\"tier\"].value: 2 != 3\n",
                line_of("c_checks.c", "@msg_map"), eq);
  expect_failed(out, "msg_oneof", "c_checks.c:%d: %spayment: voucher != card\n",
                line_of("c_checks.c", "@msg_oneof"), eq);
  expect_failed(out, "msg_enum",
                "c_checks.c:%d: %sstate: STATE_OPEN (1) != STATE_PAID (2)\n",
                line_of("c_checks.c", "@msg_enum"), eq);
  expect_failed(out, "msg_optional", "c_checks.c:%d: %sdiscount: absent != 0\n",
                line_of("c_checks.c", "@msg_optional"), eq);
  expect_failed(out, "msg_sub",
                "c_checks.c:%d: %sship_to.city: \"Lyon\" != \"Lille\"\n",
                line_of("c_checks.c", "@msg_sub"), eq);
  expect_failed(out, "msg_absent",
                "c_checks.c:%d: ASSERT_MSG_EQ(&a, &b): ship_to: present != "
                "absent\n",
                line_of("c_checks.c", "@msg_absent"));
  expect_passed(out, "msg_equal");
  pg_proc_result_free(&r);
}

/* The C library compiles as C++ (overloads for _Generic) and reports
 * there too. */
PG_TEST(testlib_cxx_checks_report) {
  pg_proc_result r;
  run_tests(&r, "cxx_checks.toml");
  expect_passed(r.out, "pass");
  expect_failed(r.out, "fail",
                "exited with status 1: cxx_checks.cpp:%d: EXPECT_EQ(sum, 8): 7 "
                "!= 8\n",
                line_of("cxx_checks.cpp", "@cxx"));
  ASSERT_CONTAINS(r.err, "sum 7, failures 1");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
}

/* C's timers on parigot.test.v1.Test: a sleep ends exactly on time, a
 * deadline fires exactly at its time (or lets an earlier answer through),
 * and an expected failure reports both codes by name. */
PG_TEST(testlib_c_async_helpers) {
  pg_proc_result r;
  run_twice(&r, "c_async.toml");
  const char *out = r.out;
  expect_passed(out, "sleep");
  fired_on_time(r.err, "slept 2ms: answered", 2000000);
  expect_passed(out, "deadline");
  fired_on_time(r.err,
                "deadline: DEADLINE_EXCEEDED (not settled within 5000000 ns)",
                5000000);
  expect_passed(out, "deadline_met");
  fired_on_time(r.err, "deadline met", 1000000);
  expect_failed(out, "expect_fail_ok",
                "exited with status 1: c_checks.c:%d: "
                "EXPECT_FAIL(parigot_testing_sleep(1000), "
                "PARIGOT_CODE_NOT_FOUND): expected NOT_FOUND, got OK\n",
                line_of("c_checks.c", "@efok"));
  ASSERT_CONTAINS(r.err, "went on after FAILED_PRECONDITION");
  expect_failed(out, "expect_fail_code",
                "exited with status 1: c_checks.c:%d: ASSERT_FAIL(g, "
                "PARIGOT_CODE_NOT_FOUND): expected NOT_FOUND, got "
                "UNAVAILABLE (down for now)\n",
                line_of("c_checks.c", "@efcode"));
  ASSERT_TRUE(strstr(r.err, "not reached") == NULL);
  expect_passed(out, "expect_fail_pass");
  ASSERT_CONTAINS(r.err, "failed as expected: NOT_FOUND");
  pg_proc_result_free(&r);
}

/* Rust: assert_eq! and any panic reach the report through the SDK's
 * panic hook, with the place and the message; expect_eq! goes on and the
 * test still ends with status 1. */
PG_TEST(testlib_rust_panics_and_expectations_report) {
  pg_proc_result r;
  run_tests(&r, "rs_checks.toml");
  const char *out = r.out;
  expect_passed(out, "pass");
  expect_failed(out, "assert_eq",
                "panicked at rs_checks.rs:%d:13: assertion failed: "
                "`(left == right)`; left: `2`; right: `3`\n",
                line_of("rs_checks.rs", "@assert_eq"));
  expect_failed(out, "panic",
                "panicked at rs_checks.rs:%d:17: no items in "
                "cart 7\n",
                line_of("rs_checks.rs", "@panic"));
  expect_failed(out, "expect",
                "exited with status 1: rs_checks.rs:%d: "
                "expect_eq!(total, 3): 2 != 3\n",
                line_of("rs_checks.rs", "@expect"));
  ASSERT_CONTAINS(r.err, "went on after the failed expectation");
  pg_proc_result_free(&r);
}

/* Rust's timers and expected failures, as C's. */
PG_TEST(testlib_rust_async_helpers) {
  pg_proc_result r;
  run_twice(&r, "rs_async.toml");
  const char *out = r.out;
  expect_passed(out, "sleep");
  fired_on_time(r.err, "slept 2ms: answered", 2000000);
  expect_passed(out, "within");
  fired_on_time(r.err,
                "within: DEADLINE_EXCEEDED (not settled within 5000000 ns)",
                5000000);
  expect_passed(out, "within_met");
  fired_on_time(r.err, "within met", 1000000);
  expect_failed(out, "expect_fail_ok",
                "exited with status 1: rs_checks.rs:%d: "
                "expect_fail: expected NOT_FOUND, got OK\n",
                line_of("rs_checks.rs", "@expect_fail_ok"));
  ASSERT_CONTAINS(r.err, "went on after FAILED_PRECONDITION");
  expect_failed(out, "expect_fail_code",
                "rs_checks.rs:%d: assert_fail: "
                "expected NOT_FOUND, got UNAVAILABLE (down for now)\n",
                line_of("rs_checks.rs", "@expect_fail_code"));
  ASSERT_TRUE(strstr(r.err, "not reached") == NULL);
  expect_passed(out, "expect_fail_pass");
  pg_proc_result_free(&r);
}

/* AssemblyScript: assert() reports its message and file:line before the
 * trap; expectEq() goes on and ends with status 1, assertEq() stops. */
PG_TEST(testlib_assemblyscript_checks_report) {
  pg_proc_result r;
  run_tests(&r, "as_checks.toml");
  const char *out = r.out;
  expect_passed(out, "pass");
  expect_failed(out, "assert", "abort: the cart is empty at as_checks.ts:%d:",
                line_of("as_checks.ts", "@assert"));
  expect_failed(out, "int",
                "exited with status 1: total: expectEq: 300 != 350\n");
  ASSERT_CONTAINS(r.err, "went on after the failed expectation");
  expect_failed(out, "str", "name: expectEq: \"alice\" != \"alicia\"\n");
  expect_failed(out, "bytes",
                "blob: expectEq: differ at offset 2: 0x03 != 0x04\n");
  expect_failed(out, "assert_eq", "balance: assertEq: -5 != 5\n");
  ASSERT_TRUE(strstr(r.err, "not reached") == NULL);
  pg_proc_result_free(&r);
}

/* AssemblyScript's timers and expected failures. */
PG_TEST(testlib_assemblyscript_async_helpers) {
  pg_proc_result r;
  run_twice(&r, "as_async.toml");
  const char *out = r.out;
  expect_passed(out, "sleep");
  fired_on_time(r.err, "slept 2ms: answered", 2000000);
  expect_passed(out, "deadline");
  fired_on_time(r.err,
                "deadline: DEADLINE_EXCEEDED (not settled within 5000000 ns)",
                5000000);
  expect_passed(out, "deadline_met");
  fired_on_time(r.err, "deadline met", 1000000);
  expect_failed(out, "expect_fail_ok",
                "exited with status 1: sleep as a lookup: expectFail: "
                "expected NOT_FOUND, got OK\n");
  ASSERT_CONTAINS(r.err, "went on after OK");
  expect_failed(out, "expect_fail_code",
                "lookup: assertFail: expected NOT_FOUND, got UNAVAILABLE "
                "(down for now)\n");
  ASSERT_TRUE(strstr(r.err, "not reached") == NULL);
  pg_proc_result_free(&r);
}
