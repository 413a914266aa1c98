/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/shopper.c: the demo app's program: totals a basket of two
 * apples and a bread through mockdemo.v1.Cart and prints
 * "total 350 cents, 2 prices", or the failure, exiting non-zero.
 */
#include <stdio.h>
#include <string.h>

#include "mockdemo/v1/cart.pg.h"
#include "parigot/guest.h"

static void totalled(void *ctx, const mockdemo_v1_TotalReply *r) {
  (void)ctx;
  printf("total %lld cents, %u prices\n", (long long)r->cents,
         (unsigned)r->prices_asked);
  parigot_exit(0);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "Total failed: code %u: %s", (unsigned)st->code,
              st->message);
  parigot_exit(1);
}

static void item(mockdemo_v1_Item *it, const char *sku, uint32_t quantity) {
  mockdemo_v1_Item_init(it);
  it->sku.data = (uint8_t *)sku;
  it->sku.len = strlen(sku);
  it->quantity = quantity;
}

void parigot_guest_declare(void) {
  mockdemo_v1_Cart_require();
}

void parigot_guest_start(void) {
  mockdemo_v1_Item items[2];
  item(&items[0], "apple", 2);
  item(&items[1], "bread", 1);
  mockdemo_v1_TotalRequest req;
  mockdemo_v1_TotalRequest_init(&req);
  req.items = items;
  req.items_count = 2;
  mockdemo_v1_Cart_Total(&req, totalled, failed, NULL);
}
