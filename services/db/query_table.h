/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/query_table.h: the query table, the file parigot-sqlc writes
 * beside its .proto and the parigot.db built-in loads (its `queries`
 * setting): a model (model.h) as TOML, so that it reads well in a review.
 *
 *   # Written by parigot-sqlc; do not edit.
 *   package = "vinyl.db.v1"
 *   service = "StoreQueries"
 *   proto = "vinyl/db/v1/store_queries.proto"
 *
 *   [[query]]
 *   name = "GetRecord"
 *   kind = "one"
 *   file = "db/queries.sql"
 *   line = 3
 *   sql = "SELECT id, title FROM record WHERE id = @id"
 *   params = [{ name = "id", number = 1, type = "int64", slot = 1 }]
 *   columns = [{ name = "id", number = 1, type = "int64", slot = 0 },
 *              { name = "title", number = 2, type = "string", slot = 1,
 *                optional = true }]
 *
 * Loading checks everything a hand edit could break (names, numbers,
 * types, slots, bounds) and says where.
 */
#ifndef PG_DB_QUERY_TABLE_H
#define PG_DB_QUERY_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "mem.h"
#include "model.h"

#define PG_DB_MAX_TABLE_BYTES (16u << 20)

/* Loads the table at @p path into @p out (its arena from @p mem). 0; or
 * PARIGOT_ENOENT, PARIGOT_EIO, PARIGOT_EINVAL ("path:line: ..."),
 * PARIGOT_ENOMEM with @p err set and nothing to free. */
int pg_db_query_table_load(const char *path, const pg_mem *mem,
                           pg_db_model *out, char *err, size_t err_len);

/* Writes @p m as a table to @p out. 0 or PARIGOT_EIO. */
int pg_db_query_table_write(const pg_db_model *m, FILE *out);

#endif /* PG_DB_QUERY_TABLE_H */
