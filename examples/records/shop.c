/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/records/shop.c: a day at the record shop, in C. Albums come in
 * through the Rust catalogue (which checks them: the last one is refused),
 * copies are sold through it at the album's price, and then the shop asks
 * its database itself, through the service parigot-sqlc generated from
 * db/queries.sql: what it has by The Smiths, its top sellers, its revenue.
 * Each step waits for the one before: one call at a time, in order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parigot/guest.h"
#include "records/db/v1/shop_db.pg.h"
#include "records/v1/catalog.pg.h"

typedef struct album {
  const char *artist, *title;
  int64_t year, price_cents;
} album;

static const album deliveries[] = {
    {"The Smiths", "The Queen Is Dead", 1986, 2499},
    {"The Smiths", "Hatful of Hollow", 1984, 1799},
    {"The Smiths", "Strangeways, Here We Come", 1987, 2199},
    {"Cocteau Twins", "Heaven or Las Vegas", 1990, 2299},
    {"The Cure", "Disintegration", 0, -100}, /* the catalogue says no */
};
#define NDELIVERIES (sizeof deliveries / sizeof *deliveries)

/* Album ids to sell, one copy each, in this order. */
static const int64_t sales[] = {1, 4, 1, 3, 1, 4, 99};
#define NSALES (sizeof sales / sizeof *sales)

static size_t step;
static void next(void);

static parigot_pb_bytes text(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

static void refused(void *ctx, const parigot_status *st) {
  printf("  %s: refused: %s\n", (const char *)ctx, st->message);
  next();
}

static void stocked(void *ctx, const records_v1_StockResponse *r) {
  printf("  %s: album %" PRId64 "\n", (const char *)ctx, r->album_id);
  next();
}

static void sold(void *ctx, const records_v1_SellResponse *r) {
  (void)ctx;
  printf("  sale %" PRId64 ": %" PRId64 ".%02" PRId64 "\n", r->sale_id,
         r->cents / 100, r->cents % 100);
  next();
}

static void listed(void *ctx, const records_db_v1_AlbumsByResponse *r) {
  (void)ctx;
  printf("by The Smiths:\n");
  for (size_t i = 0; i < r->rows_count; i++)
    printf("  %" PRId64 " %s (%" PRId64 ")\n", r->rows[i].id,
           (const char *)r->rows[i].title.data, r->rows[i].year);
  next();
}

static void top(void *ctx, const records_db_v1_TopSellersResponse *r) {
  (void)ctx;
  printf("top sellers:\n");
  for (size_t i = 0; i < r->rows_count; i++)
    printf("  %" PRId64 " x %s, %s\n", r->rows[i].sold,
           (const char *)r->rows[i].title.data,
           (const char *)r->rows[i].artist.data);
  next();
}

static void revenue(void *ctx, const records_db_v1_RevenueResponse *r) {
  (void)ctx;
  printf("revenue: %" PRId64 " sales, %" PRId64 ".%02" PRId64 "\n", r->sales,
         r->cents / 100, r->cents % 100);
  parigot_exit(0);
}

static void failed(void *ctx, const parigot_status *st) {
  parigot_log(PARIGOT_ERROR, "%s failed: %s", (const char *)ctx, st->message);
  parigot_exit(1);
}

static void stock(const album *a) {
  records_v1_StockRequest q;
  records_v1_StockRequest_init(&q);
  q.artist = text(a->artist);
  q.title = text(a->title);
  q.year = a->year;
  q.price_cents = a->price_cents;
  records_v1_Catalog_Stock(&q, stocked, refused, (void *)a->title);
}

static void sell(int64_t id) {
  records_v1_SellRequest q;
  records_v1_SellRequest_init(&q);
  q.album_id = id;
  records_v1_Catalog_Sell(&q, sold, refused, "sale");
}

static void next(void) {
  size_t i = step++;
  if (i == 0)
    printf("deliveries:\n");
  if (i < NDELIVERIES) {
    stock(&deliveries[i]);
    return;
  }
  if ((i -= NDELIVERIES) == 0)
    printf("sales:\n");
  if (i < NSALES) {
    sell(sales[i]);
    return;
  }
  i -= NSALES;
  if (i == 0) {
    records_db_v1_AlbumsByRequest q;
    records_db_v1_AlbumsByRequest_init(&q);
    q.artist = text("The Smiths");
    records_db_v1_ShopDb_AlbumsBy(&q, listed, failed, "AlbumsBy");
  } else if (i == 1) {
    records_db_v1_TopSellersRequest q;
    records_db_v1_TopSellersRequest_init(&q);
    q.n = 3;
    records_db_v1_ShopDb_TopSellers(&q, top, failed, "TopSellers");
  } else {
    records_db_v1_RevenueRequest q;
    records_db_v1_RevenueRequest_init(&q);
    records_db_v1_ShopDb_Revenue(&q, revenue, failed, "Revenue");
  }
}

void parigot_guest_declare(void) {
  records_v1_Catalog_require();
  records_db_v1_ShopDb_require();
}

void parigot_guest_start(void) {
  next();
}
