/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/db/native.c: the native peer of the database suite: the same
 * statements as the guest (sql.h) through the sqlite3 C API in a loop, on
 * a database opened as the parigot.db built-in opens one (WAL, synchronous
 * FULL, foreign keys on), each statement prepared once. Usage: native
 * DB_FILE [quick]. In the guest's order: the transaction, the batch (the
 * transaction's work once more), lookups, inserts. Prints "tx_ms=...
 * lookup_us=... insert_us=... batch_ms=...".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sql.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(sqlite3 *db, int rc, int want, const char *what) {
  if (rc != want) {
    fprintf(stderr, "native: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

static void add(sqlite3 *db, sqlite3_stmt *st, int i) {
  char name[24];
  int len = pg_bench_db_name(name, i);
  sqlite3_bind_text(st, 1, name, len, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, PG_BENCH_DB_PRICE(i));
  check(db, sqlite3_step(st), SQLITE_DONE, "insert");
  (void)sqlite3_last_insert_rowid(db);
  sqlite3_reset(st);
}

int main(int argc, char **argv) {
  sqlite3 *db;
  sqlite3_stmt *get, *ins;
  int quick = argc > 2 && strcmp(argv[2], "quick") == 0;
  int tx_rows = quick ? 10 : PG_BENCH_DB_TX_ROWS;
  int lookups = quick ? 10 : PG_BENCH_DB_LOOKUPS;
  int inserts = quick ? 10 : PG_BENCH_DB_INSERTS;
  if (argc < 2) {
    fprintf(stderr, "usage: native DB_FILE [quick]\n");
    return 2;
  }
  check(NULL, sqlite3_open(argv[1], &db), SQLITE_OK, "open");
  check(db,
        sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                     "PRAGMA synchronous = FULL; CREATE TABLE item (id "
                     "INTEGER PRIMARY KEY, name TEXT NOT NULL, price_cents "
                     "INTEGER NOT NULL);",
                     NULL, NULL, NULL),
        SQLITE_OK, "schema");
  check(db,
        sqlite3_prepare_v3(db, PG_BENCH_DB_GET_SQL, -1,
                           SQLITE_PREPARE_PERSISTENT, &get, NULL),
        SQLITE_OK, "prepare");
  check(db,
        sqlite3_prepare_v3(db, PG_BENCH_DB_ADD_SQL, -1,
                           SQLITE_PREPARE_PERSISTENT, &ins, NULL),
        SQLITE_OK, "prepare");
  double t0 = now_s();
  check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK,
        "begin");
  for (int i = 0; i < tx_rows; i++)
    add(db, ins, i);
  check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK, "commit");
  double tx_ms = (now_s() - t0) * 1e3;
  /* A Batch is the same work as the transaction: BEGIN, inserts, COMMIT. */
  t0 = now_s();
  check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK,
        "begin");
  for (int i = 0; i < tx_rows; i++)
    add(db, ins, tx_rows + i);
  check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK, "commit");
  double batch_ms = (now_s() - t0) * 1e3;
  t0 = now_s();
  for (int i = 0; i < lookups; i++) {
    sqlite3_bind_int64(get, 1, PG_BENCH_DB_LOOKUP_ID(i, tx_rows));
    check(db, sqlite3_step(get), SQLITE_ROW, "lookup");
    int64_t id = sqlite3_column_int64(get, 0);
    const unsigned char *name = sqlite3_column_text(get, 1);
    int64_t price = sqlite3_column_int64(get, 2);
    if (name == NULL || price != PG_BENCH_DB_PRICE((int)id - 1))
      check(db, 1, 0, "the row read back");
    sqlite3_reset(get);
  }
  double lookup_us = (now_s() - t0) * 1e6 / lookups;
  t0 = now_s();
  for (int i = 0; i < inserts; i++)
    add(db, ins, 2 * tx_rows + i);
  double insert_us = (now_s() - t0) * 1e6 / inserts;
  printf("tx_ms=%.3f lookup_us=%.3f insert_us=%.3f batch_ms=%.3f\n", tx_ms,
         lookup_us, insert_us, batch_ms);
  sqlite3_finalize(get);
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return 0;
}
