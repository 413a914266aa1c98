/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/c/cart_test.c: a C test of the Rust Cart (tests/mock/rust/
 * cart/) with the generated C mock of mockdemo.v1.Prices standing in for
 * the manifest's "prices" (`mocks = ["prices"]`). Steps, one after the
 * other:
 *  1. canned prices, each request expected exactly once; Total is their
 *     sum, and the mock's record holds the requests in order;
 *  2. a price the mock fails reaches Total with its code and message;
 *  3. a price answered after a 5 ms delay (parigot.test.v1.Test's Sleep):
 *     Total comes no sooner, on the app's clock; then verify passes;
 *  4. an unexpected sku: the mock fails it with UNIMPLEMENTED naming the
 *     method, and counts it.
 * Two arguments make it fail, as the tests of the tests want: with
 * "--wrong", step 1 expects a sku ("braed") the Cart never asks for, and
 * the test fails at its verify, which names the expectation and how the
 * request that came instead differs from it; with "--unexpected", the test
 * verifies after step 4, and fails naming the unexpected call.
 * Prints one line per step; exits 0 when every check held.
 */
#include <stdio.h>
#include <string.h>

#include "mockdemo/v1/cart.pg.h"
#include "parigot/guest.h"

static parigot_mock *prices;
static bool wrong;      /* the deliberately wrong variant */
static bool unexpected; /* verify after the unexpected call */
static uint64_t asked_at;

#define DELAY_NS 5000000u

/* Fails the test: the log line at ERROR is the reason parigot test shows. */
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      parigot_log(PARIGOT_ERROR, "cart_test.c:%d: CHECK(%s) failed", __LINE__, \
                  #cond);                                                      \
      parigot_exit(1);                                                         \
    }                                                                          \
  } while (0)

static bool bytes_are(parigot_pb_bytes b, const char *s) {
  return b.len == strlen(s) && memcmp(b.data, s, b.len) == 0;
}

/* ---- building requests --------------------------------------------------- */

static mockdemo_v1_PriceRequest price_of(const char *sku) {
  mockdemo_v1_PriceRequest r;
  mockdemo_v1_PriceRequest_init(&r);
  r.sku.data = (uint8_t *)sku;
  r.sku.len = strlen(sku);
  return r;
}

static parigot_mock_expect *expect_price(const char *sku, int64_t cents,
                                         int line) {
  mockdemo_v1_PriceRequest req = price_of(sku);
  parigot_mock_expect *e =
      mockdemo_v1_Prices_expect_Price_at(prices, &req, "cart_test.c", line);
  mockdemo_v1_PriceReply reply;
  mockdemo_v1_PriceReply_init(&reply);
  reply.cents = cents;
  mockdemo_v1_Prices_Price_answer(e, &reply);
  return e;
}

/* Asks the Cart for the total of @p n items (sku, quantity pairs). */
static void total(const char *const *skus, const uint32_t *quantities, size_t n,
                  void (*ok)(void *, const mockdemo_v1_TotalReply *),
                  parigot_future_fail fail) {
  mockdemo_v1_Item items[4];
  for (size_t i = 0; i < n; i++) {
    mockdemo_v1_Item_init(&items[i]);
    items[i].sku.data = (uint8_t *)skus[i];
    items[i].sku.len = strlen(skus[i]);
    items[i].quantity = quantities[i];
  }
  mockdemo_v1_TotalRequest req;
  mockdemo_v1_TotalRequest_init(&req);
  req.items = items;
  req.items_count = n;
  mockdemo_v1_Cart_Total(&req, ok, fail, NULL);
}

static void unexpected_failure(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "Total failed: code %u: %s", (unsigned)st->code,
              st->message);
  parigot_exit(1);
}

static void unexpected_success(void *ctx, const mockdemo_v1_TotalReply *r) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "Total answered %lld where it should fail",
              (long long)r->cents);
  parigot_exit(1);
}

/* ---- 4: an unexpected call ------------------------------------------------
 */

static void step4_done(void *ctx, const parigot_status *st) {
  (void)ctx;
  CHECK(st->code == PARIGOT_CODE_UNIMPLEMENTED);
  CHECK(strstr(st->message, "price of pear: ") == st->message);
  CHECK(strstr(st->message, "unexpected call of Price(sku: \"pear\")"));
  CHECK(parigot_mock_unexpected(prices) == 1);
  printf("4. unexpected: %s\n", st->message);
  bool verified = !unexpected || parigot_mock_verify(prices);
  parigot_mock_free(prices);
  parigot_exit(verified ? 0 : 1);
}

static void step4(void) {
  static const char *const skus[] = {"pear"};
  static const uint32_t quantities[] = {1};
  total(skus, quantities, 1, unexpected_success, step4_done);
}

/* ---- 3: a delayed answer ----------------------------------------------- */

static bool is_cheap(const mockdemo_v1_PriceRequest *req, void *ctx) {
  (void)ctx;
  return bytes_are(req->sku, "gum");
}

static void step3_done(void *ctx, const mockdemo_v1_TotalReply *r) {
  (void)ctx;
  uint64_t took = parigot_now() - asked_at;
  CHECK(r->cents == 30);
  CHECK(took >= DELAY_NS);
  printf("3. delayed: total %lld, answered %llu ns after asking\n",
         (long long)r->cents, (unsigned long long)took);
  CHECK(parigot_mock_verify(prices));
  printf("verify: every expectation met\n");
  step4();
}

static void step3(void) {
  parigot_mock_expect *e =
      mockdemo_v1_Prices_expect_Price_if(prices, is_cheap, NULL);
  mockdemo_v1_PriceReply reply;
  mockdemo_v1_PriceReply_init(&reply);
  reply.cents = 10;
  mockdemo_v1_Prices_Price_answer(e, &reply);
  parigot_mock_delay(e, DELAY_NS);
  static const char *const skus[] = {"gum"};
  static const uint32_t quantities[] = {3};
  asked_at = parigot_now();
  total(skus, quantities, 1, step3_done, unexpected_failure);
}

/* ---- 2: an error ------------------------------------------------------- */

static void step2_done(void *ctx, const parigot_status *st) {
  (void)ctx;
  CHECK(st->code == PARIGOT_CODE_UNAVAILABLE);
  CHECK(strcmp(st->message, "price of cheese: price list reloading") == 0);
  CHECK(mockdemo_v1_Prices_Price_calls(prices) == 4);
  printf("2. failed: code %u, \"%s\"\n", (unsigned)st->code, st->message);
  step3();
}

static void step2(void) {
  expect_price("bread", 250, __LINE__);
  mockdemo_v1_PriceRequest cheese = price_of("cheese");
  parigot_mock_expect *e = mockdemo_v1_Prices_expect_Price(prices, &cheese);
  parigot_mock_fail(e, PARIGOT_CODE_UNAVAILABLE, 0, "price list reloading");
  static const char *const skus[] = {"bread", "cheese", "apple"};
  static const uint32_t quantities[] = {1, 2, 1};
  total(skus, quantities, 3, unexpected_success, step2_done);
}

/* ---- 1: canned prices ---------------------------------------------------- */

static void step1_done(void *ctx, const mockdemo_v1_TotalReply *r) {
  (void)ctx;
  if (wrong)
    parigot_exit(parigot_mock_verify(prices) ? 0 : 1);
  CHECK(r->cents == 2 * 50 + 250);
  CHECK(r->prices_asked == 2);
  CHECK(mockdemo_v1_Prices_Price_calls(prices) == 2);
  const mockdemo_v1_PriceRequest *first =
      mockdemo_v1_Prices_Price_call(prices, 0);
  const mockdemo_v1_PriceRequest *second =
      mockdemo_v1_Prices_Price_call(prices, 1);
  CHECK(first != NULL && bytes_are(first->sku, "apple"));
  CHECK(second != NULL && bytes_are(second->sku, "bread"));
  CHECK(mockdemo_v1_Prices_Price_call(prices, 2) == NULL);
  CHECK(parigot_mock_verify(prices));
  printf("1. canned: total %lld cents, %u prices\n", (long long)r->cents,
         (unsigned)r->prices_asked);
  step2();
}

static void step1_failed(void *ctx, const parigot_status *st) {
  if (wrong) /* verify names the expectation the Cart never met */
    parigot_exit(parigot_mock_verify(prices) ? 0 : 1);
  unexpected_failure(ctx, st);
}

void parigot_guest_declare(void) {
  prices = mockdemo_v1_Prices_mock_new();
  mockdemo_v1_Prices_mock_export(prices);
  mockdemo_v1_Cart_require();
}

void parigot_guest_start(void) {
  int argc;
  const char *const *argv = parigot_args(&argc);
  wrong = argc > 1 && strcmp(argv[1], "--wrong") == 0;
  unexpected = argc > 1 && strcmp(argv[1], "--unexpected") == 0;
  CHECK(prices != NULL);
  expect_price("apple", 50, __LINE__);
  expect_price(wrong ? "braed" : "bread", 250, __LINE__);
  static const char *const skus[] = {"apple", "bread"};
  static const uint32_t quantities[] = {2, 1};
  total(skus, quantities, 2, step1_done, step1_failed);
}
