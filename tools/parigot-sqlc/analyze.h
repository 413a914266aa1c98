/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/analyze.h: a query file, read as sqlc reads one, and
 * typed by asking SQLite: each `-- name: Name :kind` starts a query; each
 * is prepared against the migrated schema, its result columns typed from
 * their declared types (and, for expressions, from what they compute),
 * its parameters from the columns they are compared with or assigned to,
 * or from a CAST around them.
 *
 * Parameters are written @name, :name, $name, sqlc.arg(name), or
 * sqlc.narg(name) (NULL-able: proto3 optional). A column that may be NULL
 * is optional as well; a parameter assigned to such a column (INSERT,
 * UPDATE SET) too.
 */
#ifndef PG_SQLC_ANALYZE_H
#define PG_SQLC_ANALYZE_H

#include <sqlite3.h>
#include <stdio.h>

#include "model.h"

/* Adds the queries of the file at @p path (named @p shown in messages and
 * in the model) to @p m, whose arena and query array are ready (room for
 * PG_DB_MAX_QUERIES). Each query it cannot type or prepare is reported on
 * @p errs as "shown:line: Name: why". The number of such errors (0: every
 * query was added), or -1 when the file cannot be read (reported too). */
int pg_sqlc_analyze_file(sqlite3 *db, const char *path, const char *shown,
                         pg_db_model *m, FILE *errs);

#endif /* PG_SQLC_ANALYZE_H */
