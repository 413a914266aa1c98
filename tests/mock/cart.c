/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/mock/cart.c: mockdemo.v1.Cart in C, the service the mock tests
 * test (tests/mock/rust/cart/ is the same service in Rust). Total asks
 * mockdemo.v1.Prices for each item's price, one after the other in the
 * request's order, and answers the sum of price times quantity with the
 * number of prices asked; a price that fails fails the total with the
 * same code and app error and the message "price of SKU: MESSAGE".
 *
 * One heap "basket" per Total call holds a copy of its skus (the request
 * lives only while the handler runs) until the call is answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockdemo/v1/cart.pg.h"
#include "parigot/guest.h"

typedef struct basket {
  parigot_call *call;
  size_t n, next;     /* items, and the one being priced */
  char **skus;        /* NUL-terminated copies */
  uint32_t *quantity; /* per item */
  int64_t cents;      /* the sum so far */
} basket;

static void basket_free(basket *b) {
  for (size_t i = 0; i < b->n; i++)
    free(b->skus[i]);
  free(b->skus);
  free(b->quantity);
  free(b);
}

/* A copy of @p req's items; NULL when out of memory. */
static basket *basket_new(parigot_call *call,
                          const mockdemo_v1_TotalRequest *req) {
  basket *b = calloc(1, sizeof *b);
  if (b == NULL)
    return NULL;
  b->call = call;
  size_t n = req->items_count;
  b->skus = calloc(n + 1, sizeof *b->skus);
  b->quantity = calloc(n + 1, sizeof *b->quantity);
  if (b->skus == NULL || b->quantity == NULL) {
    basket_free(b);
    return NULL;
  }
  for (; b->n < n; b->n++) {
    const parigot_pb_bytes *sku = &req->items[b->n].sku;
    b->skus[b->n] = malloc(sku->len + 1);
    if (b->skus[b->n] == NULL) {
      basket_free(b);
      return NULL;
    }
    memcpy(b->skus[b->n], sku->data, sku->len);
    b->skus[b->n][sku->len] = '\0';
    b->quantity[b->n] = req->items[b->n].quantity;
  }
  return b;
}

static void ask_next(basket *b);

static void priced(void *ctx, const mockdemo_v1_PriceReply *r) {
  basket *b = ctx;
  b->cents += r->cents * (int64_t)b->quantity[b->next];
  b->next++;
  ask_next(b);
}

static void price_failed(void *ctx, const parigot_status *st) {
  basket *b = ctx;
  char msg[512];
  snprintf(msg, sizeof msg, "price of %s: %s", b->skus[b->next], st->message);
  parigot_call_fail(b->call, st->code, st->app_error, msg);
  basket_free(b);
}

/* Asks the price of the next item, or answers the total after the last. */
static void ask_next(basket *b) {
  if (b->next == b->n) {
    mockdemo_v1_TotalReply reply;
    mockdemo_v1_TotalReply_init(&reply);
    reply.cents = b->cents;
    reply.prices_asked = (uint32_t)b->n;
    mockdemo_v1_Cart_Total_respond(b->call, &reply);
    basket_free(b);
    return;
  }
  mockdemo_v1_PriceRequest req;
  mockdemo_v1_PriceRequest_init(&req);
  req.sku.data = (uint8_t *)b->skus[b->next];
  req.sku.len = strlen(b->skus[b->next]);
  mockdemo_v1_Prices_Price(&req, priced, price_failed, b);
}

static void total(parigot_call *call, const mockdemo_v1_TotalRequest *req,
                  void *ctx) {
  (void)ctx;
  basket *b = basket_new(call, req);
  if (b == NULL) {
    parigot_call_fail(call, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
                      "out of memory");
    return;
  }
  ask_next(b);
}

static const mockdemo_v1_Cart_handlers handlers = {.Total = total};

void parigot_guest_declare(void) {
  mockdemo_v1_Prices_require();
  mockdemo_v1_Cart_export(&handlers);
}

void parigot_guest_start(void) {
  parigot_log(PARIGOT_INFO, "ready");
}
