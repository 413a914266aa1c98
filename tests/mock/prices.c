/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/prices.c: mockdemo.v1.Prices from a fixed table, the real
 * service that the mock tests stand a mock in for (`mocks = ["prices"]`),
 * so that `parigot run` of the demo app works without one. An unknown sku
 * is NOT_FOUND.
 */
#include <string.h>

#include "mockdemo/v1/cart.pg.h"
#include "parigot/guest.h"

static const struct {
  const char *sku;
  int64_t cents;
} table[] = {{"apple", 50}, {"bread", 250}, {"cheese", 400}};

static void price(parigot_call *call, const mockdemo_v1_PriceRequest *req,
                  void *ctx) {
  (void)ctx;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (req->sku.len == strlen(table[i].sku) &&
        memcmp(req->sku.data, table[i].sku, req->sku.len) == 0) {
      mockdemo_v1_PriceReply reply;
      mockdemo_v1_PriceReply_init(&reply);
      reply.cents = table[i].cents;
      mockdemo_v1_Prices_Price_respond(call, &reply);
      return;
    }
  parigot_call_fail(call, PARIGOT_CODE_NOT_FOUND, 0, "no such sku");
}

static const mockdemo_v1_Prices_handlers handlers = {.Price = price};

void parigot_guest_declare(void) {
  mockdemo_v1_Prices_export(&handlers);
}

void parigot_guest_start(void) {
  parigot_log(PARIGOT_INFO, "ready");
}
