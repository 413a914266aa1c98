/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/db/test_db_example.c: examples/records, the database from C and
 * Rust, runs as its README says: the same day at the shop deterministically
 * (twice, alike) and in parallel mode against a real file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"

static const char day[] =
    "deliveries:\n"
    "  The Queen Is Dead: album 1\n"
    "  Hatful of Hollow: album 2\n"
    "  Strangeways, Here We Come: album 3\n"
    "  Heaven or Las Vegas: album 4\n"
    "  Disintegration: refused: a price cannot be negative\n"
    "sales:\n"
    "  sale 1: 24.99\n"
    "  sale 2: 22.99\n"
    "  sale 3: 24.99\n"
    "  sale 4: 21.99\n"
    "  sale 5: 24.99\n"
    "  sale 6: 22.99\n"
    "  sale: refused: no album 99\n"
    "by The Smiths:\n"
    "  2 Hatful of Hollow (1984)\n"
    "  1 The Queen Is Dead (1986)\n"
    "  3 Strangeways, Here We Come (1987)\n"
    "top sellers:\n"
    "  3 x The Queen Is Dead, The Smiths\n"
    "  2 x Heaven or Las Vegas, Cocteau Twins\n"
    "  1 x Strangeways, Here We Come, The Smiths\n"
    "revenue: 6 sales, 142.94\n";

PG_TEST(db_example_runs_a_day_at_the_shop_deterministically_twice_alike) {
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  PG_RECORDS_DIR "/records.toml", NULL};
  pg_proc_result a, b;
  pg_proc_run(argv, NULL, NULL, &a);
  pg_proc_run(argv, NULL, NULL, &b);
  if (a.status != 0)
    PG_FAIL("status %d\n%s\n%s", a.status, a.out, a.err);
  ASSERT_STREQ(a.out, day);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

PG_TEST(db_example_runs_a_day_at_the_shop_in_parallel_mode) {
  char dir[] = "/tmp/pg-records-XXXXXX", cmd[512];
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  snprintf(cmd, sizeof cmd,
           "cp -r %s/records.toml %s/db %s/*.wasm "
           "%s/shop_db.toml %s/",
           PG_RECORDS_DIR, PG_RECORDS_DIR, PG_RECORDS_DIR, PG_RECORDS_DIR, dir);
  ASSERT_EQ(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "%s/records.toml", dir);
  char *argv[] = {(char *)pg_test_parigot(), "run", cmd, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("status %d\n%s\n%s", r.status, r.out, r.err);
  ASSERT_STREQ(r.out, day);
  snprintf(cmd, sizeof cmd, "test -s %s/records.db && rm -rf %s", dir, dir);
  ASSERT_EQ(system(cmd), 0); /* the data went to the named file */
  pg_proc_result_free(&r);
}
