/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/test_mock.c: the mocks protoc-gen-parigot generates, through
 * `parigot run` and `parigot test` on the demo apps built into
 * PG_MOCK_DIR: the C and Rust Carts total a basket against the real
 * Prices; the C test (c/cart_test.c) tests the Rust Cart with the C mock
 * of Prices standing in for it, and passes, while its variant with a
 * wrong expectation fails with a reason that names it; deterministic runs
 * print the same bytes; and the worked example of examples/mocking.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"

static const char *app(const char *manifest) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", PG_MOCK_DIR, manifest);
  return path;
}

/* Both Carts, with the real Prices, total two apples and a bread. */
PG_TEST(mock_demo_carts_total_with_real_prices) {
  static const char *const manifests[] = {"cart_c.toml", "cart_rust.toml"};
  for (size_t i = 0; i < 2; i++) {
    pg_proc_result r;
    pg_proc_parigot(&r, "run", "--deterministic", app(manifests[i]), NULL);
    ASSERT_STREQ(r.out, "total 350 cents, 2 prices\n");
    ASSERT_EQ(r.status, 0);
    pg_proc_result_free(&r);
  }
}

/* The C mock tests the Rust Cart: canned prices and the record of calls,
 * an error with its code and message, a delay (its answer no sooner on the
 * app's clock), verify passing, an unexpected call failed UNIMPLEMENTED
 * naming the method; the same mock from C++. The failing variants fail
 * with their reason: a wrong expectation (where it was set, what it
 * wanted, how the request that came instead differs), an unexpected call
 * found by verify. */
PG_TEST(mock_c_mock_tests_rust_cart) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "--deterministic", app("cart_rust.toml"), NULL);
  ASSERT_CONTAINS(r.out, "1. canned: total 350 cents, 2 prices\n"
                         "2. failed: code 14, \"price of cheese: price list "
                         "reloading\"\n"
                         "3. delayed: total 30, answered ");
  ASSERT_CONTAINS(r.out, "verify: every expectation met\n"
                         "4. unexpected: price of pear: mock "
                         "mockdemo.v1.Prices: unexpected call of "
                         "Price(sku: \"pear\")\n");
  ASSERT_CONTAINS(r.out, "PASS cart_test\nPASS cart_test_cxx\n");
  ASSERT_CONTAINS(r.out, "FAIL cart_test_wrong\n  exited with status 1: mock "
                         "mockdemo.v1.Prices: cart_test.c:");
  ASSERT_CONTAINS(r.out, ": expectation 2 Price(sku: \"braed\") wanted "
                         "exactly 1 time, had 0 calls; unexpected call 2 of "
                         "Price differs: sku: \"bread\" != \"braed\" (got "
                         "!= expected)\n");
  ASSERT_CONTAINS(r.out, "FAIL cart_test_unexpected\n  exited with status 1: "
                         "mock mockdemo.v1.Prices: unexpected call 6 of "
                         "Price(sku: \"pear\"): no expectation matches it\n");
  ASSERT_CONTAINS(r.out, "2 passed, 2 failed\n");
  ASSERT_EQ(r.status, 1);
  /* The unexpected call was logged when it came. */
  ASSERT_CONTAINS(r.err, "WARN  cart_test call=");
  ASSERT_CONTAINS(r.err, ": mock mockdemo.v1.Prices: unexpected call of "
                         "Price(sku: \"pear\")\n");
  pg_proc_result_free(&r);
}

/* The delay is on the app's clock: a deterministic run prints the same
 * time, and everything else, byte for byte. */
PG_TEST(mock_deterministic_runs_are_identical) {
  pg_proc_result a, b;
  pg_proc_parigot(&a, "test", "--deterministic", "--run", "^cart_test$",
                  app("cart_rust.toml"), NULL);
  pg_proc_parigot(&b, "test", "--deterministic", "--run", "^cart_test$",
                  app("cart_rust.toml"), NULL);
  ASSERT_CONTAINS(a.out, "PASS cart_test\n1 passed, 0 failed\n");
  ASSERT_STREQ(a.out, b.out);
  ASSERT_EQ(a.status, 0);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

/* The worked example of docs/testing.md: alerts_test mocks the Mailer of
 * examples/mocking and passes; the app runs with the real one. */
PG_TEST(mock_example_alerts_test_passes) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "--deterministic", PG_MOCKING_DIR "/notify.toml",
                  NULL);
  ASSERT_STREQ(r.out, "PASS alerts_test\n1 passed, 0 failed\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", "--deterministic", PG_MOCKING_DIR "/notify.toml",
                  NULL);
  ASSERT_STREQ(r.out, "mail to oncall@example.com: [WARNING] disk 91% full\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}
