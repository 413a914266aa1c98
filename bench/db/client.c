/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/db/client.c: the guest side of the database suite. Through the
 * service parigot-sqlc generated (bench/db/queries.sql) and the parigot.db
 * built-in, one call after another: PG_BENCH_DB_TX_ROWS inserts in one
 * transaction (Begin, the inserts with its tx, Commit), as many again in
 * one Batch call, then point lookups, then single-row inserts; each phase
 * timed with the guest's clock (the native peer runs them in this order).
 * Prints "tx_ms=... lookup_us=... insert_us=... batch_ms=..." and exits 0,
 * or logs the first failure and exits 1. QUICK=1 makes every phase 10
 * calls (the smoke test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/db/v1/items.pg.h"
#include "parigot/guest.h"
#include "sql.h"

static int phase, done;
static uint64_t tx, t0;
static double tx_ms, lookup_us, insert_us, batch_ms;
static int tx_rows = PG_BENCH_DB_TX_ROWS, lookups = PG_BENCH_DB_LOOKUPS,
           inserts = PG_BENCH_DB_INSERTS;
static void next(void);

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void failed(void *ctx, const parigot_status *st) {
  parigot_log(PARIGOT_ERROR, "%s failed: %s", (const char *)ctx, st->message);
  parigot_exit(1);
}

static void added(void *ctx, const bench_db_v1_AddItemResponse *r) {
  (void)ctx, (void)r;
  done++;
  next();
}

static void add(uint64_t in_tx, int i) {
  char name[24];
  bench_db_v1_AddItemRequest q;
  bench_db_v1_AddItemRequest_init(&q);
  int len = pg_bench_db_name(name, i);
  q.name = (parigot_pb_bytes){(uint8_t *)name, (size_t)len};
  q.price_cents = PG_BENCH_DB_PRICE(i);
  q.tx = in_tx;
  bench_db_v1_Items_AddItem(&q, added, failed, "AddItem");
}

static void found(void *ctx, const bench_db_v1_GetItemResponse *r) {
  (void)ctx;
  if (r->price_cents != PG_BENCH_DB_PRICE((int)r->id - 1)) {
    parigot_log(PARIGOT_ERROR, "item %lld has the wrong price",
                (long long)r->id);
    parigot_exit(1);
    return;
  }
  done++;
  next();
}

static void began(void *ctx, const bench_db_v1_BeginResponse *r) {
  (void)ctx;
  tx = r->tx;
  next();
}

static void committed(void *ctx, const bench_db_v1_CommitResponse *r) {
  (void)ctx, (void)r;
  tx_ms = (double)(now_ns() - t0) / 1e6;
  phase++, done = 0, t0 = now_ns();
  next();
}

static void batched(void *ctx, const bench_db_v1_BatchResponse *r) {
  (void)ctx;
  batch_ms = (double)(now_ns() - t0) / 1e6;
  if (r->results_count != (size_t)tx_rows) {
    parigot_log(PARIGOT_ERROR, "Batch answered %zu results", r->results_count);
    parigot_exit(1);
    return;
  }
  phase++, done = 0, t0 = now_ns();
  next();
}

/* TX_ROWS inserts in one Batch call, rows from @p first on. */
static void batch(int first) {
  static char names[PG_BENCH_DB_TX_ROWS][24];
  static bench_db_v1_AddItemRequest reqs[PG_BENCH_DB_TX_ROWS];
  static bench_db_v1_BatchStep steps[PG_BENCH_DB_TX_ROWS];
  for (int i = 0; i < tx_rows; i++) {
    int len = pg_bench_db_name(names[i], first + i);
    bench_db_v1_AddItemRequest_init(&reqs[i]);
    reqs[i].name = (parigot_pb_bytes){(uint8_t *)names[i], (size_t)len};
    reqs[i].price_cents = PG_BENCH_DB_PRICE(first + i);
    bench_db_v1_BatchStep_init(&steps[i]);
    steps[i].step_case = bench_db_v1_BatchStep_add_item_FIELD;
    steps[i].step.add_item = &reqs[i];
  }
  bench_db_v1_BatchRequest q;
  bench_db_v1_BatchRequest_init(&q);
  q.steps = steps;
  q.steps_count = (size_t)tx_rows;
  bench_db_v1_Items_Batch(&q, batched, failed, "Batch");
}

static void next(void) {
  if (phase == 0 && tx == 0) { /* the transaction: Begin first */
    bench_db_v1_BeginRequest q;
    bench_db_v1_BeginRequest_init(&q);
    q.timeout_ms = 600000;
    t0 = now_ns();
    bench_db_v1_Items_Begin(&q, began, failed, "Begin");
  } else if (phase == 0 && done < tx_rows) {
    add(tx, done);
  } else if (phase == 0) {
    bench_db_v1_CommitRequest q;
    bench_db_v1_CommitRequest_init(&q);
    q.tx = tx;
    bench_db_v1_Items_Commit(&q, committed, failed, "Commit");
  } else if (phase == 1 && done == 0) {
    done = 1;
    batch(tx_rows); /* rows tx_rows .. 2 tx_rows - 1 */
  } else if (phase == 2 && done < lookups) {
    bench_db_v1_GetItemRequest q;
    bench_db_v1_GetItemRequest_init(&q);
    q.id = PG_BENCH_DB_LOOKUP_ID(done, tx_rows);
    bench_db_v1_Items_GetItem(&q, found, failed, "GetItem");
  } else if (phase == 2) {
    lookup_us = (double)(now_ns() - t0) / 1e3 / lookups;
    phase++, done = 0, t0 = now_ns();
    next();
  } else if (phase == 3 && done < inserts) {
    add(0, 2 * tx_rows + done);
  } else if (phase == 3) {
    insert_us = (double)(now_ns() - t0) / 1e3 / inserts;
    phase++;
    next();
  } else {
    printf("tx_ms=%.3f lookup_us=%.3f insert_us=%.3f batch_ms=%.3f\n", tx_ms,
           lookup_us, insert_us, batch_ms);
    parigot_exit(0);
  }
}

void parigot_guest_declare(void) {
  bench_db_v1_Items_require();
}

void parigot_guest_start(void) {
  const char *quick = getenv("QUICK");
  if (quick != NULL && strcmp(quick, "1") == 0)
    tx_rows = lookups = inserts = 10;
  next();
}
