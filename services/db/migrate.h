/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/migrate.h: a database's schema brought up to date at start:
 * the first step of the parigot.db built-in (issue 16), usable on its own.
 *
 * The schema is a `schema.sql` file, or a directory of numbered migrations
 * (`0001_init.sql`, `0002_prices.sql`, ...: the number first, applied in
 * numeric order). The database remembers the number of the last one it
 * took in `PRAGMA user_version` (a lone schema file is number 1), and gets
 * only those above it. All the migrations of one start run in one
 * transaction, each in a savepoint of its own: a migration that fails
 * stops the start with the file, the line and SQLite's message, and leaves
 * the database exactly as it was before the start.
 */
#ifndef PG_DB_MIGRATE_H
#define PG_DB_MIGRATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "mem.h"

/* Bounds on what is read: migrations in a directory, bytes of one. */
#define PG_DB_MAX_MIGRATIONS 10000u
#define PG_DB_MAX_MIGRATION_BYTES (16u << 20)

/* What a migration run did. */
typedef struct pg_db_migrated {
  uint32_t from_version; /* user_version before */
  uint32_t to_version;   /* ...and after */
  uint32_t applied;      /* migrations run */
} pg_db_migrated;

/*
 * Brings @p db (open, not in a transaction) up to the migrations at
 * @p path: a .sql file or a directory of them. 0 with *out filled; or a
 * negative parigot errno with @p err saying what and where, the database
 * unchanged:
 *   PARIGOT_ENOENT  @p path does not exist;
 *   PARIGOT_EIO     a file cannot be read;
 *   PARIGOT_EINVAL  a file name without its number, two files with one
 *                   number, a file over PG_DB_MAX_MIGRATION_BYTES, a
 *                   database newer than every migration, or a migration
 *                   that fails ("dir/0002_prices.sql:7: no such table: x");
 *   PARIGOT_ENOMEM  out of memory.
 */
int pg_db_migrate(sqlite3 *db, const char *path, const pg_mem *mem,
                  pg_db_migrated *out, char *err, size_t err_len);

#endif /* PG_DB_MIGRATE_H */
