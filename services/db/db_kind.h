/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/db_kind.h: the parigot.db built-in, a native kind
 * (include/parigot/native.h). Its service is the one parigot-sqlc
 * generated from the app's queries; its settings (the manifest's
 * `config`):
 *
 * | key          | default | what                                        |
 * |--------------|---------|---------------------------------------------|
 * | database     | -       | the SQLite file, relative to the manifest   |
 * | schema       | -       | schema.sql or a directory of migrations     |
 * | queries      | -       | the query table parigot-sqlc wrote          |
 * | busy_timeout | "5s"    | how long a write waits for another process  |
 * | tx_timeout   | "10s"   | a transaction's life when Begin gives none  |
 * | connections  | 4       | 2 .. 64: one is kept for calls outside      |
 * |              |         | transactions, the others hold transactions  |
 *
 * At start it opens the database (WAL, synchronous FULL, foreign keys on,
 * the busy timeout), applies the migrations (services/db/migrate.h: a
 * failing one stops the start, naming its file and line) and prepares
 * every query on every connection. In deterministic mode the database is
 * a fresh private file made from the schema for the run, and removed at
 * its end, so runs repeat byte for byte.
 *
 * Calls are answered in the handler, one at a time. A transaction (Begin)
 * holds a connection of its own until Commit or Rollback from the guest
 * that began it; one left open past its timeout is rolled back (a
 * wake-up), so a guest that dies or hangs never holds the database.
 */
#ifndef PG_DB_KIND_H
#define PG_DB_KIND_H

#include "parigot/native.h"

extern const pg_native_kind pg_db_native;

#endif /* PG_DB_KIND_H */
