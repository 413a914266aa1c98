/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/db/sql.h: the statements and sizes the guest and the native peer
 * share, so that both time the same work: one table, a point lookup by
 * key, an insert of one row (each its own transaction), and TX_ROWS
 * inserts in one transaction.
 */
#ifndef PG_BENCH_DB_SQL_H
#define PG_BENCH_DB_SQL_H

#define PG_BENCH_DB_TX_ROWS 10000 /* rows of the one big transaction */
#define PG_BENCH_DB_LOOKUPS 20000 /* point lookups, after it */
#define PG_BENCH_DB_INSERTS 200   /* single-row inserts, each durable */

/* Row @p i's price, the same on both sides. */
#define PG_BENCH_DB_PRICE(i) (100 + (i) % 9000)

/* Row @p i's name, "item 42", into @p out (24 bytes): by hand, as both
 * sides run it, so that the suite times the database's path and not the
 * speed of a printf (wasi-libc's, in a guest, is several times the host's,
 * which the engine suite measures). The length, without the NUL. */
static inline int pg_bench_db_name(char out[24], int i) {
  char digits[12];
  int n = 0, len = 5;
  unsigned v = (unsigned)i;
  do
    digits[n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  __builtin_memcpy(out, "item ", 5);
  while (n > 0)
    out[len++] = digits[--n];
  out[len] = '\0';
  return len;
}

/* The id the @p i-th lookup asks for, spread over @p rows rows. */
#define PG_BENCH_DB_LOOKUP_ID(i, rows) (1 + ((int64_t)(i)*7919) % (rows))

/* The statements, as queries.sql has them. */
#define PG_BENCH_DB_GET_SQL                                                    \
  "SELECT id, name, price_cents FROM item WHERE id = @id"
#define PG_BENCH_DB_ADD_SQL                                                    \
  "INSERT INTO item (name, price_cents) VALUES (@name, @price_cents)"

#endif /* PG_BENCH_DB_SQL_H */
