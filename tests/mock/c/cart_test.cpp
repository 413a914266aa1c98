// SPDX-License-Identifier: Apache-2.0
// tests/mock/c/cart_test.cpp: the generated C mock of mockdemo.v1.Prices
// from C++ (through the same .pg.h), testing the Rust Cart: a predicate
// that is a capture-free lambda, canned prices, the record of calls, and
// verify, with the test library's checks. Exits 0 when all held.
#include <cstring>

#define PARIGOT_TESTING_SHORT_NAMES
#include "mockdemo/v1/cart.pg.h"
#include "parigot/guest.h"
#include "parigot/testing.h"

namespace {

parigot_mock *prices;

parigot_pb_bytes str(const char *s) {
  return parigot_pb_bytes{(uint8_t *)s, std::strlen(s)};
}

void totalled(void *, const mockdemo_v1_TotalReply *r) {
  EXPECT_EQ(r->cents, 3 * 70 + 20);
  EXPECT_EQ(mockdemo_v1_Prices_Price_calls(prices), 2u);
  const mockdemo_v1_PriceRequest *second =
      mockdemo_v1_Prices_Price_call(prices, 1);
  ASSERT_TRUE(second != nullptr);
  EXPECT_EQ(second->sku, "salt");
  parigot_mock_verify(prices);
  parigot_mock_free(prices);
  parigot_exit(0); // 1 if a check or the verify failed
}

void failed(void *, const parigot_status *st) {
  PARIGOT_FAIL("Total failed: %s", st->message);
  parigot_exit(1);
}

} // namespace

extern "C" void parigot_guest_declare(void) {
  prices = mockdemo_v1_Prices_mock_new();
  mockdemo_v1_Prices_mock_export(prices);
  mockdemo_v1_Cart_require();
}

extern "C" void parigot_guest_start(void) {
  mockdemo_v1_PriceRequest pepper;
  mockdemo_v1_PriceRequest_init(&pepper);
  pepper.sku = str("pepper");
  mockdemo_v1_PriceReply reply;
  mockdemo_v1_PriceReply_init(&reply);
  reply.cents = 70;
  mockdemo_v1_Prices_Price_answer(
      mockdemo_v1_Prices_expect_Price(prices, &pepper), &reply);
  auto is_salt = [](const mockdemo_v1_PriceRequest *req, void *) {
    return req->sku.len == 4 && std::memcmp(req->sku.data, "salt", 4) == 0;
  };
  parigot_mock_expect *e =
      mockdemo_v1_Prices_expect_Price_if(prices, is_salt, nullptr);
  reply.cents = 20;
  mockdemo_v1_Prices_Price_answer(e, &reply);

  mockdemo_v1_Item items[2];
  mockdemo_v1_Item_init(&items[0]);
  items[0].sku = str("pepper");
  items[0].quantity = 3;
  mockdemo_v1_Item_init(&items[1]);
  items[1].sku = str("salt");
  items[1].quantity = 1;
  mockdemo_v1_TotalRequest req;
  mockdemo_v1_TotalRequest_init(&req);
  req.items = items;
  req.items_count = 2;
  mockdemo_v1_Cart_Total(&req, totalled, failed, nullptr);
}
