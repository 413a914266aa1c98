/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/db/test_migrate.c: migrations against a real SQLite database file:
 * applied once each, in numeric order, remembered in user_version; a
 * failing one names its file and line and leaves the database as it was;
 * bad folders are refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate.h"
#include "parigot/error.h"
#include "test.h"

typedef struct fixture {
  char dir[64];     /* a temporary folder */
  char db_path[96]; /* its database file */
  char mig[96];     /* its migrations folder */
  sqlite3 *db;
} fixture;

static void put(const fixture *f, const char *name, const char *text) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", f->mig, name);
  FILE *out = fopen(path, "w");
  ASSERT_TRUE(out != NULL);
  fputs(text, out);
  ASSERT_EQ(fclose(out), 0);
}

static void open_fixture(fixture *f) {
  snprintf(f->dir, sizeof f->dir, "/tmp/pg-db-XXXXXX");
  ASSERT_TRUE(mkdtemp(f->dir) != NULL);
  snprintf(f->db_path, sizeof f->db_path, "%s/app.db", f->dir);
  snprintf(f->mig, sizeof f->mig, "%s/migrations", f->dir);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "mkdir %s", f->mig);
  ASSERT_EQ(system(cmd), 0);
  ASSERT_EQ(sqlite3_open(f->db_path, &f->db), SQLITE_OK);
}

static void close_fixture(fixture *f) {
  sqlite3_close(f->db);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
  ASSERT_EQ(system(cmd), 0);
}

/* The first column of the first row of @p sql, as text ("" if none). */
static const char *query(sqlite3 *db, const char *sql) {
  static char out[512];
  sqlite3_stmt *st;
  out[0] = '\0';
  ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
    snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

static int migrate(fixture *f, const char *path, pg_db_migrated *m, char *err,
                   size_t cap) {
  return pg_db_migrate(f->db, path, pg_mem_default(), m, err, cap);
}

PG_TEST(db_schema_file_is_applied_once_as_version_1) {
  fixture f;
  open_fixture(&f);
  put(&f, "schema.sql",
      "-- the shop\nCREATE TABLE item (id INTEGER PRIMARY KEY, title TEXT);\n"
      "INSERT INTO item (title) VALUES ('The Queen Is Dead');\n");
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/schema.sql", f.mig);
  pg_db_migrated m;
  ASSERT_EQ(migrate(&f, path, &m, err, sizeof err), 0);
  ASSERT_EQ(m.from_version, 0);
  ASSERT_EQ(m.to_version, 1);
  ASSERT_EQ(m.applied, 1);
  ASSERT_STREQ(query(f.db, "PRAGMA user_version"), "1");
  ASSERT_EQ(migrate(&f, path, &m, err, sizeof err), 0); /* nothing new */
  ASSERT_EQ(m.applied, 0);
  ASSERT_STREQ(query(f.db, "SELECT count(*) FROM item"), "1");
  close_fixture(&f);
}

PG_TEST(db_migrations_run_in_numeric_order_and_only_once) {
  fixture f;
  open_fixture(&f);
  put(&f, "1_init.sql",
      "CREATE TABLE log (n INTEGER);\n"
      "INSERT INTO log VALUES (1);\n");
  put(&f, "2_two.sql", "INSERT INTO log VALUES (2);");
  put(&f, "10_ten.sql", "INSERT INTO log VALUES (10);");
  put(&f, "9_nine.sql", "/* nine */ INSERT INTO log VALUES (9);");
  put(&f, "README.md", "not a migration");
  char err[512];
  pg_db_migrated m;
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), 0);
  ASSERT_EQ(m.applied, 4);
  ASSERT_EQ(m.to_version, 10);
  ASSERT_STREQ(query(f.db, "SELECT group_concat(n, ',') FROM log"), "1,2,9,10");
  put(&f, "11_more.sql", "INSERT INTO log VALUES (11);");
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), 0);
  ASSERT_EQ(m.from_version, 10);
  ASSERT_EQ(m.applied, 1);
  ASSERT_STREQ(query(f.db, "SELECT group_concat(n, ',') FROM log"),
               "1,2,9,10,11");
  close_fixture(&f);
}

/* A syntax error placed by SQLite itself, a run-time error at its
 * statement's first line; either way the database is as before the
 * start, migrations that succeeded in it included. */
PG_TEST(db_failing_migration_names_file_and_line_and_changes_nothing) {
  fixture f;
  open_fixture(&f);
  put(&f, "1_init.sql", "CREATE TABLE item (id INTEGER PRIMARY KEY);\n");
  char err[512], want[512];
  pg_db_migrated m;
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), 0);
  put(&f, "2_price.sql", "ALTER TABLE item ADD COLUMN cents INTEGER;\n");
  put(&f, "3_bad.sql",
      "-- a typo\n\nCREATE TABLE sale (\n  id INTEGER,\n"
      "  item INTEGR REFERENCES item\n  CRATE\n);\n");
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), PARIGOT_EINVAL);
  snprintf(want, sizeof want, "%s/3_bad.sql:6: near \"CRATE\": syntax error",
           f.mig);
  ASSERT_STREQ(err, want);
  ASSERT_STREQ(query(f.db, "PRAGMA user_version"), "1");
  ASSERT_STREQ(query(f.db, "SELECT count(*) FROM pragma_table_info('item')"),
               "1"); /* 2_price.sql is undone too */
  put(&f, "3_bad.sql",
      "CREATE TABLE sale (id INTEGER);\n\n"
      "INSERT INTO nowhere VALUES (1);\n");
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), PARIGOT_EINVAL);
  snprintf(want, sizeof want, "%s/3_bad.sql:3: no such table: nowhere", f.mig);
  ASSERT_STREQ(err, want);
  ASSERT_STREQ(query(f.db, "SELECT count(*) FROM sqlite_schema WHERE "
                           "name = 'sale'"),
               "0");
  put(&f, "3_bad.sql", "CREATE TABLE sale (id INTEGER);\n");
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), 0);
  ASSERT_EQ(m.to_version, 3);
  ASSERT_EQ(m.applied, 2);
  close_fixture(&f);
}

PG_TEST(db_bad_migration_folders_are_refused_by_name) {
  fixture f;
  open_fixture(&f);
  char err[512], want[512];
  pg_db_migrated m;
  put(&f, "init.sql", "SELECT 1;");
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), PARIGOT_EINVAL);
  snprintf(want, sizeof want,
           "%s/init.sql: a migration's name starts with its number, from 1 "
           "up, then '_' (as in 0001_init.sql)",
           f.mig);
  ASSERT_STREQ(err, want);
  char path[256];
  snprintf(path, sizeof path, "%s/init.sql", f.mig);
  ASSERT_EQ(unlink(path), 0);
  put(&f, "01_a.sql", "SELECT 1;");
  put(&f, "1_b.sql", "SELECT 1;");
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), PARIGOT_EINVAL);
  ASSERT_TRUE(strstr(err, "two migrations numbered 1") != NULL);
  snprintf(path, sizeof path, "%s/01_a.sql", f.mig);
  ASSERT_EQ(unlink(path), 0);
  ASSERT_EQ(sqlite3_exec(f.db, "PRAGMA user_version = 7", NULL, NULL, NULL),
            SQLITE_OK);
  ASSERT_EQ(migrate(&f, f.mig, &m, err, sizeof err), PARIGOT_EINVAL);
  ASSERT_STREQ(err, "the database is at version 7, newer than its "
                    "migrations (the highest is 1): it belongs to a newer "
                    "app");
  snprintf(path, sizeof path, "%s/none", f.dir);
  ASSERT_EQ(migrate(&f, path, &m, err, sizeof err), PARIGOT_ENOENT);
  close_fixture(&f);
}
