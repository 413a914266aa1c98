/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/rust/cart_test/test_mock_rust.c: the generated Rust mock of
 * mockdemo.v1.Prices (sdk/rust/src/mock.rs) stands in for the real Prices
 * while a Rust test program, cart_test.rs, tests the C Cart
 * (tests/mock/cart.c). Each CTest entry runs one scenario of
 * mock_rust.toml with `parigot test --run`, as a user would: canned
 * prices, matching by predicate and by equality, times, an error through
 * Total, a delay on the app's clock, and two tests meant to fail whose
 * FAIL reason must name the unmet expectation or the unexpected call.
 * And the generator: mocks of methods with awkward names compile, and
 * names that would clash are refused by name.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

#ifndef PG_MOCKRS_DIR
#error "PG_MOCKRS_DIR must name the folder of mock_rust.toml"
#endif

/* Runs `parigot test --run ^NAME$ mock_rust.toml` into @p r. */
static void run_one(const char *name, pg_proc_result *r) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "^%s$", name);
  char *argv[] = {(char *)pg_test_parigot(),       "test", "--run", pattern,
                  PG_MOCKRS_DIR "/mock_rust.toml", NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

/* The scenario passes: its PASS line, one test passed, status 0. */
static void expect_pass(const char *name) {
  pg_proc_result r;
  run_one(name, &r);
  char line[64];
  snprintf(line, sizeof line, "PASS %s\n", name);
  if (strstr(r.out, line) == NULL || r.status != 0)
    fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
  ASSERT_CONTAINS(r.out, line);
  ASSERT_CONTAINS(r.out, "1 passed, 0 failed\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* The scenario fails, and the line under its FAIL holds @p why. */
static void expect_fail(const char *name, const char *why) {
  pg_proc_result r;
  run_one(name, &r);
  char line[64];
  snprintf(line, sizeof line, "FAIL %s\n", name);
  const char *at = strstr(r.out, line);
  if (at == NULL)
    fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
  ASSERT_TRUE(at != NULL);
  const char *reason = at + strlen(line);
  const char *end = strchr(reason, '\n');
  ASSERT_TRUE(end != NULL);
  char *text = strndup(reason, (size_t)(end - reason));
  ASSERT_CONTAINS(text, why);
  free(text);
  ASSERT_CONTAINS(r.out, "0 passed, 1 failed\n");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
}

PG_TEST(mock_rust_canned_prices_for_equal_requests) {
  expect_pass("canned");
}

PG_TEST(mock_rust_predicate_times_and_the_record_of_calls) {
  expect_pass("predicate");
}

PG_TEST(mock_rust_a_full_expectation_passes_calls_to_the_next) {
  expect_pass("times");
}

PG_TEST(mock_rust_an_error_reaches_the_caller_through_c_cart) {
  expect_pass("error");
}

PG_TEST(mock_rust_delays_are_timed_on_the_apps_clock) {
  expect_pass("delay");
  pg_proc_result r;
  run_one("delay", &r);
  ASSERT_CONTAINS(r.err, "delay: delay: 650 ms\n");
  pg_proc_result_free(&r);
}

/* The whole manifest, passing and failing tests, twice: the same bytes. */
PG_TEST(mock_rust_runs_are_identical) {
  char *argv[] = {(char *)pg_test_parigot(), "test",
                  PG_MOCKRS_DIR "/mock_rust.toml", NULL};
  pg_proc_result a, b;
  pg_proc_run(argv, NULL, NULL, &a);
  pg_proc_run(argv, NULL, NULL, &b);
  ASSERT_CONTAINS(a.out, "5 passed, 3 failed\n");
  ASSERT_EQ(a.status, 1);
  ASSERT_STREQ(a.out, b.out);
  ASSERT_STREQ(a.err, b.err);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

/* The line of cart_test.rs that holds @p text, from 1; fails without. */
static int line_of(const char *text) {
  FILE *f = fopen(PG_CART_TEST_RS, "r");
  ASSERT_TRUE(f != NULL);
  char buf[512];
  int n = 0, found = 0;
  while (found == 0 && fgets(buf, sizeof buf, f) != NULL)
    if (n++, strstr(buf, text) != NULL)
      found = n;
  fclose(f);
  ASSERT_NE(found, 0);
  return found;
}

/* cart_test.rs expects "apple" twice where it says so; Cart asks once. */
PG_TEST(mock_rust_an_unmet_expectation_fails_the_test_by_name) {
  char why[256];
  snprintf(why, sizeof why,
           "mock of mockdemo.v1.Prices: 1 problem: expectation of Price set "
           "at cart_test.rs:%d (request PriceRequest { sku: \"apple\" }) "
           "was called 1 time, wanted exactly 2",
           line_of("the line the report names"));
  expect_fail("unmet", why);
}

PG_TEST(mock_rust_a_call_too_many_and_calls_missing_fail_the_test) {
  expect_fail("too_many",
              "mock of mockdemo.v1.Prices: 2 problems: expectation of Price "
              "set at cart_test.rs:");
  expect_fail("too_many", "(request PriceRequest { sku: \"apple\" }) was "
                          "called 2 times, wanted exactly 1; expectation of "
                          "Price set at cart_test.rs:");
  expect_fail("too_many", "(request PriceRequest { sku: \"plum\" }) was "
                          "called 0 times, wanted at least 2");
  pg_proc_result r; /* fig, at most once, was met by no call */
  run_one("too_many", &r);
  ASSERT_TRUE(strstr(r.out, "fig") == NULL);
  pg_proc_result_free(&r);
}

PG_TEST(mock_rust_an_unexpected_call_fails_the_test_by_name) {
  expect_fail("unexpected",
              "mock of mockdemo.v1.Prices: 1 problem: unexpected call "
              "Price(PriceRequest { sku: \"zz\" }) from cart");
}

/* ---- the generator ------------------------------------------------------ */

static void protoc_rust(pg_proc_result *r, const pg_ws *w, const char *proto) {
  pg_ws_sh(r, w,
           "mkdir -p out && protoc --plugin=protoc-gen-parigot=%s "
           "--parigot_out=lang=rust:out -I. %s",
           PG_PLUGIN, proto);
}

/* Methods named like the mock's own functions or Rust keywords, and types
 * from another package: the mock compiles with -D warnings. */
PG_TEST(mock_rust_generated_mocks_of_awkward_methods_compile) {
  pg_ws w;
  pg_ws_init(&w, "mockrs");
  pg_proc_result r;
  pg_ws_sh(&r, &w, "mkdir -p o/v1 p/v1");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_write(&w, "o/v1/other.proto",
              "syntax = \"proto3\";\npackage o.v1;\nmessage Far { int32 x "
              "= 1; }\n");
  pg_ws_write(&w, "p/v1/odd.proto",
              "syntax = \"proto3\";\npackage p.v1;\n"
              "import \"o/v1/other.proto\";\nmessage E {}\n"
              "service Odd {\n  rpc Type(E) returns (o.v1.Far);\n"
              "  rpc Get(o.v1.Far) returns (E);\n  rpc Verify(E) returns (E);\n"
              "  rpc Export(E) returns (E);\n  rpc Calls(E) returns (E);\n}\n"
              "service Empty {}\n");
  protoc_rust(&r, &w, "o/v1/other.proto p/v1/odd.proto");
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_write(&w, "lib.rs",
              "pub mod o { pub mod v1 { "
              "include!(\"out/o/v1/other.pg.rs\"); } }\n"
              "pub mod p { pub mod v1 { include!(\"out/p/v1/odd.pg.rs\"); } }\n"
              "pub fn use_it() {\n"
              "    let m = p::v1::OddMock::export();\n"
              "    m.expect_type().with(|_| true).times(2).returns(\n"
              "        o::v1::Far { x: 1, ..Default::default() });\n"
              "    m.expect_get().with_request(o::v1::Far::default())\n"
              "        .fail(parigot::code::NOT_FOUND, 0, \"no\");\n"
              "    m.expect_verify().any_times().delay_ns(5);\n"
              "    let _ = (m.type_calls(), m.get_calls(), m.calls_calls());\n"
              "    let _ = (m.expect_export(), m.expect_calls());\n"
              "    let _ = (m.calls(), m.unexpected_calls(), m.report());\n"
              "    p::v1::OddMock::get().verify();\n"
              "    p::v1::EmptyMock::export().verify();\n"
              "}\n");
  pg_ws_sh(&r, &w,
           "%s %s --crate-type rlib --crate-name odd --extern parigot=%s "
           "-o libodd.rlib lib.rs",
           PG_RUSTC, PG_RUST_FLAGS, PG_RUST_SDK_RLIB);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(mock_rust_generator_refuses_mock_names_that_clash_naming_them) {
  pg_ws w;
  pg_ws_init(&w, "mockrs");
  pg_ws_write(&w, "calls.proto",
              "syntax = \"proto3\";\npackage p;\nmessage E {}\n"
              "service Shop {\n  rpc Unexpected(E) returns (E);\n}\n");
  pg_proc_result r;
  protoc_rust(&r, &w, "calls.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "calls.proto: mock of service p.Shop: generated "
                         "Rust name 'unexpected_calls' is used twice");
  pg_proc_result_free(&r);
  pg_ws_write(&w, "type.proto",
              "syntax = \"proto3\";\npackage p;\nmessage ShopMock {}\n"
              "service Shop { rpc Buy(ShopMock) returns (ShopMock); }\n");
  protoc_rust(&r, &w, "type.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "type.proto: p.Shop: generated Rust name 'ShopMock' "
                         "is used twice");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}
