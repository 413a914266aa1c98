/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/db/test_db_app.c: the parigot.db built-in as users run it: a C
 * guest (shop_client.c) calls the service parigot-sqlc generated, through
 * `parigot run` in deterministic and parallel mode, against real SQLite
 * files; a failing migration, a wrong setting and a query table that no
 * longer fits are refused by name; parigot-sqlc's own errors name the
 * query's file and line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>
#include <sqlite3.h>

#include "test.h"
#include "test_proc.h"

/* A temporary folder of one test, with its manifest. */
typedef struct fixture {
  char dir[64];
  char manifest[128];
} fixture;

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ASSERT_TRUE(f != NULL);
  fputs(text, f);
  ASSERT_EQ(fclose(f), 0);
}

/* A manifest in a fresh folder: the db built-in with @p config (TOML
 * inline-table entries after database and schema), and the client with
 * SCENARIO @p scenario; in @p f's folder if it has one. */
static void make_app(fixture *f, const char *schema, const char *extra,
                     const char *scenario) {
  char text[4096];
  if (f->dir[0] == '\0') { /* else the same folder again */
    snprintf(f->dir, sizeof f->dir, "/tmp/pg-dbapp-XXXXXX");
    ASSERT_TRUE(mkdtemp(f->dir) != NULL);
  }
  snprintf(f->manifest, sizeof f->manifest, "%s/app.toml", f->dir);
  snprintf(text, sizeof text,
           "[app]\nname = \"shop\"\n\n[[service]]\nname = \"db\"\n"
           "native = \"parigot.db\"\npublic = true\n"
           "config = { database = \"shop.db\", schema = \"%s\", queries = "
           "\"%s/shop_queries.toml\"%s }\n\n"
           "[[program]]\nname = \"client\"\nwasm = \"%s/shop_client.wasm\"\n"
           "[program.env]\nSCENARIO = \"%s\"\n",
           schema, PG_DB_DIR, extra, PG_DB_DIR, scenario);
  write_text(f->manifest, text);
}

/* make_app's app with two units: "data" (the db, serving on @p port)
 * and "front" (the client). */
static void make_units(fixture *f, const char *scenario, int port,
                       const char *env) {
  char units[512], path[160];
  make_app(f, PG_DB_DIR "/migrations", "", scenario);
  snprintf(units, sizeof units,
           "%s\n[[unit]]\nname = \"data\"\nservices = [\"db\"]\n"
           "listen = \"127.0.0.1:%d\"\n\n[[unit]]\nname = \"front\"\n"
           "services = [\"client\"]\n",
           env, port);
  snprintf(path, sizeof path, "%s/app.toml", f->dir);
  FILE *out = fopen(path, "a");
  ASSERT_TRUE(out != NULL);
  fputs(units, out);
  ASSERT_EQ(fclose(out), 0);
}

static pg_proc *start_data(const fixture *f) {
  char *argv[] = {(char *)pg_test_parigot(),
                  "run",
                  (char *)f->manifest,
                  "--unit",
                  "data",
                  NULL};
  pg_proc *p = pg_proc_start(argv);
  pg_proc_wait_for(p, " serves on 127.0.0.1:", 30);
  return p;
}

static void drop_app(fixture *f) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
  ASSERT_EQ(system(cmd), 0);
}

/* `parigot run` in parallel mode: the program is not a test. */
static void run(const char *manifest, pg_proc_result *r) {
  char *argv[] = {(char *)pg_test_parigot(), "run", (char *)manifest, NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

/* The lines every run of the main scenario prints, in order. */
static const char *const main_lines[] = {
    "step 1: artist 1\n",
    "step 2: record 1\n",
    "step 3: record 2\n",
    "step 4 failed: ALREADY_EXISTS: AddArtist: UNIQUE constraint failed: "
    "artist.name\n",
    "step 5: 1 \"The Queen Is Dead\" by The Smiths, year 1986, 2499 cents, 2 "
    "left, cover 3 bytes, rating 4.50, sealed 1\n",
    "step 6: 2 \"Hatful of Hollow\" by The Smiths, year NULL 0, 1799 cents, "
    "2 left, cover NULL 0 bytes, rating NULL 0.00, sealed 0\n",
    "step 7 failed: NOT_FOUND: GetRecord: no row\n",
    "step 8 failed: FAILED_PRECONDITION: AddRecord: CHECK constraint failed: "
    "price_cents >= 0\n",
    "step 9: 1 rows: [1 The Queen Is Dead 1986]\n",
    "step 10: sold, 1 row(s) changed\n",
    "step 11: sold, 0 row(s) changed\n",
    "step 12: 2 records in stock worth 6097, average rating 4.500, latest "
    "1986, open\n",
    "step 13 failed: FAILED_PRECONDITION: Batch: step 3: AddRecord: FOREIGN "
    "KEY constraint failed\n",
    "step 14: transaction 1\n",
    "step 15: record 3\n",
    "step 16: 3 \"Rank\" by The Smiths, year 1988",
    "step 17 failed: NOT_FOUND: GetRecord: no row\n",
    "step 18: rolled back\n",
    "step 19 failed: NOT_FOUND: GetRecord: no row\n",
    "step 20: transaction 2\n",
    "step 21: record 3\n",
    "step 22: committed\n",
    "step 23 failed: FAILED_PRECONDITION: Commit: no transaction 2 of yours",
    "step 24: 3 \"Rank\" by The Smiths, year 1988",
    "step 25 failed: FAILED_PRECONDITION: GetRecord: no transaction 12345 of "
    "yours",
    "step 26: 2 rows: [1 The Queen Is Dead 1986] [3 Rank 1988]\n",
    "step 27: artist 2\n",
    "step 28: 4 rows: [Morrissey: (none)] [The Smiths: Hatful of Hollow] [The "
    "Smiths: Rank] [The Smiths: The Queen Is Dead]\n",
    "step 29: deleted\n",
    "step 30: 2 records in stock worth 5499, average rating 4.500, latest "
    "1988, open\n",
    "0 unexpected answer(s)\n"};

static void expect_main_lines(const char *out) {
  const char *at = out;
  for (size_t i = 0; i < sizeof main_lines / sizeof *main_lines; i++) {
    const char *hit = strstr(at, main_lines[i]);
    if (hit == NULL)
      PG_FAIL("missing, or out of order: %s\nin:\n%s", main_lines[i], out);
    at = hit + strlen(main_lines[i]);
  }
}

PG_TEST(db_app_answers_every_query_kind_deterministically_twice_alike) {
  char manifest[256];
  pg_proc_result a, b;
  snprintf(manifest, sizeof manifest, "%s/shop.toml", PG_DB_DIR);
  char *argv[] = {(char *)pg_test_parigot(), "test", manifest, NULL};
  pg_proc_run(argv, NULL, NULL, &a); /* parigot test is deterministic */
  pg_proc_run(argv, NULL, NULL, &b);
  if (a.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", a.status, a.out, a.err);
  expect_main_lines(a.out);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  ASSERT_CONTAINS(a.err, "schema at version 2 (2 migrations applied)");
  ASSERT_CONTAINS(a.out, "PASS client\n1 passed, 0 failed\n");
  struct stat st; /* the private file is gone, the named one never made */
  char path[256];
  snprintf(path, sizeof path, "%s/shop.db", PG_DB_DIR);
  ASSERT_TRUE(stat(path, &st) != 0);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

PG_TEST(db_app_keeps_its_data_in_the_named_file_in_parallel_mode) {
  fixture f = {0};
  pg_proc_result r;
  make_app(&f, PG_DB_DIR "/migrations", "", "main");
  run(f.manifest, &r);
  if (r.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  expect_main_lines(r.out);
  pg_proc_result_free(&r);
  make_app(&f, PG_DB_DIR "/migrations", "", "count");
  run(f.manifest, &r); /* the same file, found again */
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "records: 2\n");
  ASSERT_CONTAINS(r.err, "schema at version 2 (0 migrations applied)");
  pg_proc_result_free(&r);
  drop_app(&f);
}

PG_TEST(db_app_rolls_back_a_transaction_left_open_past_its_timeout) {
  fixture f = {0};
  pg_proc_result r;
  make_app(&f, PG_DB_DIR "/migrations", "", "timeout");
  run(f.manifest, &r);
  if (r.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  ASSERT_CONTAINS(r.out, "step 3 failed: FAILED_PRECONDITION: AddRecord: no "
                         "transaction 1 of yours");
  ASSERT_CONTAINS(r.out, "step 5 failed: NOT_FOUND");
  ASSERT_CONTAINS(r.err, "transaction 1 of client rolled back: its timeout "
                         "passed");
  pg_proc_result_free(&r);
  drop_app(&f);
}

/* A program that exits in the middle of a transaction does not keep the
 * database: the built-in rolls it back when it hears of the end, and the
 * other program's write, refused meanwhile, goes through. */
PG_TEST(db_app_rolls_back_the_transaction_of_a_guest_that_ended) {
  fixture f = {0};
  pg_proc_result r;
  char path[160];
  make_app(&f, PG_DB_DIR "/migrations", "", "abandon");
  snprintf(path, sizeof path, "%s/app.toml", f.dir);
  FILE *out = fopen(path, "a");
  ASSERT_TRUE(out != NULL);
  fprintf(out,
          "\n[[program]]\nname = \"checker\"\n"
          "wasm = \"%s/shop_client.wasm\"\nenv = { SCENARIO = "
          "\"after\" }\n",
          PG_DB_DIR);
  ASSERT_EQ(fclose(out), 0);
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  f.manifest, NULL};
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  ASSERT_CONTAINS(r.out, "wrote after some refusals\n");
  ASSERT_CONTAINS(r.out, "step 2: 0 rows:\n");
  ASSERT_CONTAINS(r.err, "db: transaction 1 of client rolled back: client "
                         "ended\n");
  pg_proc_result_free(&r);
  drop_app(&f);
}

/* An answer is held to the manifest's max_message_size: past it, the call
 * fails with RESOURCE_EXHAUSTED and a hint, and the built-in goes on. */
PG_TEST(db_app_refuses_an_answer_over_max_message_size) {
  fixture f = {0};
  pg_proc_result r;
  char text[4096];
  make_app(&f, PG_DB_DIR "/migrations", "", "big");
  FILE *in = fopen(f.manifest, "r");
  ASSERT_TRUE(in != NULL);
  size_t n = fread(text, 1, sizeof text - 1, in);
  fclose(in);
  text[n] = '\0';
  char *at = strstr(text, "name = \"shop\"\n");
  ASSERT_TRUE(at != NULL);
  char patched[4200];
  snprintf(patched, sizeof patched, "%.*smax_message_size = \"16K\"\n%s",
           (int)(at - text + strlen("name = \"shop\"\n")), text,
           at + strlen("name = \"shop\"\n"));
  write_text(f.manifest, patched);
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  f.manifest, NULL};
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  ASSERT_CONTAINS(r.out, "step 201: record 200\n");
  ASSERT_CONTAINS(r.out, "step 202 failed: RESOURCE_EXHAUSTED: ListByArtist: "
                         "the answer is over 16384 bytes: page it");
  pg_proc_result_free(&r);
  drop_app(&f);
}

PG_TEST(db_app_stops_at_a_failing_migration_naming_its_file_and_line) {
  fixture f = {0};
  pg_proc_result r;
  char path[256];
  make_app(&f, "migrations", "", "main");
  snprintf(path, sizeof path, "%s/migrations", f.dir);
  ASSERT_EQ(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/migrations/0001_init.sql", f.dir);
  write_text(path, "CREATE TABLE artist (id INTEGER PRIMARY KEY);\n");
  snprintf(path, sizeof path, "%s/migrations/0002_bad.sql", f.dir);
  write_text(path, "-- a typo on line 2\nCREATE TABLE record (id INTEGR "
                   "PRIMARY KEY,, title TEXT);\n");
  run(f.manifest, &r);
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "0002_bad.sql:2:");
  ASSERT_CONTAINS(r.err, "db");
  pg_proc_result_free(&r);
  drop_app(&f);
}

PG_TEST(db_app_refuses_an_unknown_setting_by_name_and_line) {
  fixture f = {0};
  pg_proc_result r;
  make_app(&f, PG_DB_DIR "/migrations", ", databse = \"x.db\"", "main");
  run(f.manifest, &r);
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "app.toml:8: service db: config.databse: "
                         "parigot.db takes no such setting (it takes: "
                         "database, schema, queries");
  pg_proc_result_free(&r);
  drop_app(&f);
}

PG_TEST(db_app_refuses_a_query_table_that_no_longer_fits_the_schema) {
  fixture f = {0};
  pg_proc_result r;
  char path[256];
  make_app(&f, "schema.sql", "", "main");
  snprintf(path, sizeof path, "%s/schema.sql", f.dir);
  write_text(path,
             "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);\n");
  run(f.manifest, &r);
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "query AddRecord (shop/queries.sql:7) does not fit "
                         "the database's schema: no such table: record");
  pg_proc_result_free(&r);
  drop_app(&f);
}

/* ---- parigot-sqlc ------------------------------------------------------- */

/* Runs parigot-sqlc on @p queries against the test shop's schema, into a
 * fresh folder. */
static void sqlc(fixture *f, const char *queries, pg_proc_result *r) {
  char qpath[128], proto[128], table[128];
  snprintf(f->dir, sizeof f->dir, "/tmp/pg-sqlc-XXXXXX");
  ASSERT_TRUE(mkdtemp(f->dir) != NULL);
  snprintf(qpath, sizeof qpath, "%s/q.sql", f->dir);
  snprintf(proto, sizeof proto, "%s/out.proto", f->dir);
  snprintf(table, sizeof table, "%s/out.toml", f->dir);
  write_text(qpath, queries);
  char *argv[] = {PG_SQLC,     "--schema", PG_DB_SRC "/shop/migrations",
                  "--package", "t.v1",     "--service",
                  "Q",         "--proto",  proto,
                  "--table",   table,      qpath,
                  NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

static bool exists_in(const fixture *f, const char *name) {
  char path[128];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", f->dir, name);
  return stat(path, &st) == 0;
}

PG_TEST(sqlc_reports_each_query_it_cannot_prepare_or_type_and_writes_none) {
  fixture f = {0};
  pg_proc_result r;
  sqlc(&f,
       "-- name: Good :one\nSELECT id FROM artist WHERE id = @id;\n\n"
       "-- name: Typo :many\nSELECT id\nFROM artsts;\n\n"
       "-- name: Untyped :one\nSELECT @x + 1 AS y;\n\n"
       "-- name: Anonymous :exec\nDELETE FROM artist WHERE id = ?;\n\n"
       "-- name: NoRows :one\nDELETE FROM artist WHERE id = @id;\n\n"
       "-- name: Rows :exec\nSELECT id FROM artist;\n\n"
       "-- name: Numeric :many\nSELECT CAST(id AS DECIMAL) AS d FROM artist;\n"
       "\n-- name: lower :one\nSELECT 1 AS one;\n\n"
       "-- name: Expr :one\nSELECT COUNT(*) FROM artist;\n",
       &r);
  ASSERT_EQ(r.status, 1);
  ASSERT_CONTAINS(r.err, "q.sql:6: Typo: no such table: artsts\n");
  ASSERT_CONTAINS(r.err, "q.sql:8: Untyped: result column y: cannot tell the "
                         "type of `@x + 1`: CAST it");
  ASSERT_CONTAINS(r.err, "q.sql:11: Anonymous: parameter 1 has no name: "
                         "write @name");
  ASSERT_CONTAINS(r.err, "q.sql:14: NoRows: :one needs result columns");
  ASSERT_CONTAINS(r.err, "q.sql:17: Rows: the query returns columns: use "
                         ":one or :many, not :exec");
  ASSERT_CONTAINS(r.err, "q.sql:20: Numeric: result column d: cannot tell");
  ASSERT_CONTAINS(r.err, "q.sql:23: the query's name must be CamelCase");
  ASSERT_CONTAINS(r.err, "q.sql:26: Expr: result column 1 is named "
                         "\"COUNT(*)\": give it a snake_case name");
  ASSERT_CONTAINS(r.err, "parigot-sqlc: 8 errors; nothing written\n");
  ASSERT_TRUE(strstr(r.err, "Good") == NULL);
  ASSERT_TRUE(!exists_in(&f, "out.proto") && !exists_in(&f, "out.toml"));
  pg_proc_result_free(&r);
  drop_app(&f);
}

PG_TEST(sqlc_types_parameters_from_their_columns_and_casts) {
  fixture f = {0};
  pg_proc_result r;
  sqlc(&f,
       "-- name: Find :many\nSELECT r.title, r.rating FROM record r "
       "WHERE r.price_cents < @max_cents AND r.title LIKE @pattern\n"
       "  AND r.year IN (@a, @b) AND CAST(@flag AS INTEGER) = 1 "
       "AND r.rating >= @min_rating LIMIT @n OFFSET @skip;\n\n"
       "-- name: Rate :execrows\nUPDATE record SET rating = @rating, "
       "cover = @cover WHERE id = @id;\n",
       &r);
  if (r.status != 0)
    PG_FAIL("status %d: %s", r.status, r.err);
  char path[128], text[8192];
  snprintf(path, sizeof path, "%s/out.proto", f.dir);
  FILE *in = fopen(path, "r");
  ASSERT_TRUE(in != NULL);
  size_t n = fread(text, 1, sizeof text - 1, in);
  text[n] = '\0';
  fclose(in);
  ASSERT_CONTAINS(text, "message FindRequest {\n  int64 max_cents = 1;\n"
                        "  string pattern = 2;\n  int64 a = 3;\n"
                        "  int64 b = 4;\n  int64 flag = 5;\n"
                        "  double min_rating = 6;\n  int64 n = 7;\n"
                        "  int64 skip = 8;\n");
  ASSERT_CONTAINS(text, "message FindRow {\n  string title = 1;\n"
                        "  optional double rating = 2;\n}");
  ASSERT_CONTAINS(text, "message RateRequest {\n  optional double rating = "
                        "1;\n  optional bytes cover = 2;\n  int64 id = 3;\n");
  pg_proc_result_free(&r);
  drop_app(&f);
}

/* The descriptors the built-in serves are the very bytes protoc makes of
 * the .proto parigot-sqlc wrote: optional fields, a oneof, repeated
 * messages, json names and all. */
PG_TEST(sqlc_descriptors_are_the_bytes_protoc_makes_of_its_proto) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "set -e; d=$(mktemp -d); cd %s; "
           "%s --schema shop/migrations --package shop.v1 --service "
           "ShopQueries --proto $d/shop_queries.proto --table $d/t.toml "
           "--descriptor-set $d/ours.pb shop/queries.sql; "
           "protoc -I$d --descriptor_set_out=$d/theirs.pb shop_queries.proto; "
           "cmp $d/ours.pb $d/theirs.pb; rm -rf $d",
           PG_DB_SRC, PG_SQLC);
  ASSERT_EQ(system(cmd), 0);
}

/* ---- over the wire ------------------------------------------------------ */

/* The db in a unit of its own: the client in another unit sees exactly
 * what it sees in one process. */
PG_TEST(db_app_serves_another_unit_over_the_wire) {
  fixture f = {0};
  pg_proc_result r, data_r;
  make_units(&f, "main", pg_test_free_port(), "");
  pg_proc *data = start_data(&f);
  char *front[] = {
      (char *)pg_test_parigot(), "run", f.manifest, "--unit", "front", NULL};
  pg_proc_run(front, NULL, NULL, &r);
  pg_proc_stop(data, SIGTERM, &data_r);
  if (r.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  expect_main_lines(r.out);
  ASSERT_EQ(data_r.status, 0);
  ASSERT_CONTAINS(data_r.err, "INFO  db: stopped");
  pg_proc_result_free(&r);
  pg_proc_result_free(&data_r);
  drop_app(&f);
}

/* grpcio and curl (Connect's JSON), clients written elsewhere, call the
 * generated service of a db unit: typed rows, NULLs, errors with their
 * codes, a batch, a transaction. */
PG_TEST(db_app_answers_grpcio_and_connect_json) {
  fixture f = {0};
  pg_proc_result r, data_r;
  char port[16], py[128], cmd[1024];
  int p = pg_test_free_port();
  snprintf(port, sizeof port, "%d", p);
  make_units(&f, "main", p, "");
  snprintf(py, sizeof py, "%s/py", f.dir);
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s && protoc -I%s --python_out=%s "
           "shop/v1/shop_queries.proto",
           py, PG_DB_DIR, py);
  ASSERT_EQ(system(cmd), 0);
  pg_proc *data = start_data(&f);
  char *argv[] = {"/usr/bin/python3", PG_DB_SRC "/grpc_shop.py", port, py,
                  NULL};
  pg_proc_run(argv, NULL, NULL, &r);
  pg_proc_stop(data, SIGTERM, &data_r);
  ASSERT_STREQ(r.err, "");
  ASSERT_STREQ(
      r.out, "artist 1\n"
             "again: ALREADY_EXISTS: AddArtist: UNIQUE constraint failed: "
             "artist.name\n"
             "record 1\n"
             "get: id 1 title Louder Than Bombs year None cover b'\\x00\\x01' "
             "sealed True\n"
             "missing: NOT_FOUND: GetRecord: no row\n"
             "batch: INVALID_ARGUMENT: Batch: step 2: AddRecord: field 2 "
             "(title) is not a string\n"
             "batch: 2 results, last ids [2, 3]\n"
             "tx: committed 4, seen outside after commit: True\n"
             "connect json: {\"id\":\"1\",\"title\":\"Louder Than Bombs\","
             "\"artist\":\"The Smiths\",\"priceCents\":\"1799\","
             "\"quantity\":\"3\",\"cover\":\"AAE=\",\"isSealed\":true}\n"
             "connect error: not_found\n");
  ASSERT_EQ(data_r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_result_free(&data_r);
  drop_app(&f);
}

/* Every acknowledged write survives a kill -9 of the db's unit in the
 * middle of a stream of them, and the file is sound. */
PG_TEST(db_app_keeps_every_acknowledged_write_across_kill_9) {
  fixture f = {0};
  pg_proc_result front_r, data_r;
  char path[160];
  make_units(&f, "fill", pg_test_free_port(), "COUNT = \"100000\"\n");
  pg_proc *data = start_data(&f);
  char *argv[] = {
      (char *)pg_test_parigot(), "run", f.manifest, "--unit", "front", NULL};
  pg_proc *front = pg_proc_start(argv);
  pg_proc_wait_for(front, "300 records acknowledged", 60);
  pg_proc_stop(data, SIGKILL, &data_r);
  pg_proc_stop(front, SIGTERM, &front_r);
  ASSERT_EQ(data_r.status, 128 + SIGKILL);
  long acked = 0; /* the highest id the client was told of */
  for (const char *p = front_r.out; (p = strstr(p, ": record ")) != NULL; p++)
    acked = atol(p + strlen(": record "));
  ASSERT_TRUE(acked >= 300);
  sqlite3 *db;
  sqlite3_stmt *st;
  snprintf(path, sizeof path, "%s/shop.db", f.dir);
  ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  ASSERT_STREQ((const char *)sqlite3_column_text(st, 0), "ok");
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM record WHERE id <= ?1",
                               -1, &st, NULL),
            SQLITE_OK);
  sqlite3_bind_int64(st, 1, acked);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  ASSERT_EQ(sqlite3_column_int64(st, 0), acked);
  sqlite3_finalize(st);
  sqlite3_close(db);
  pg_proc_result_free(&front_r);
  pg_proc_result_free(&data_r);
  drop_app(&f);
}

/* An AssemblyScript guest calls the same generated service: the stubs of
 * another language, the same answers. */
PG_TEST(db_app_answers_an_assemblyscript_guest) {
  if (!PG_HAS_AS)
    PG_FAIL("built without AssemblyScript; this test should not exist");
  fixture f = {0};
  pg_proc_result r;
  char text[2048];
  make_app(&f, PG_DB_DIR "/migrations", "", "main");
  snprintf(text, sizeof text,
           "[app]\nname = \"shop\"\n\n[[service]]\nname = \"db\"\n"
           "native = \"parigot.db\"\nconfig = { database = \"shop.db\", "
           "schema = \"%s/migrations\", queries = \"%s/shop_queries.toml\" "
           "}\n\n[[program]]\nname = \"as\"\nwasm = \"%s/as_shop.wasm\"\n",
           PG_DB_DIR, PG_DB_DIR, PG_DB_DIR);
  write_text(f.manifest, text);
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  f.manifest, NULL};
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("status %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  ASSERT_STREQ(r.out, "artist: 1\n"
                      "again: code 6: AddArtist: UNIQUE constraint failed: "
                      "artist.name\n"
                      "record: 1\n"
                      "get: 1 Meat Is Murder by The Smiths, year NULL, cover 4 "
                      "bytes, sealed yes\n"
                      "missing: code 5: GetRecord: no row\n");
  pg_proc_result_free(&r);
  drop_app(&f);
}
