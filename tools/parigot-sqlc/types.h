/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/types.h: the protobuf type of a query's result
 * columns and parameters, from the schema SQLite holds and the tokens of
 * the query.
 *
 * A result column that names a table's column takes its declared type
 * (by SQLite's affinity rules: INT -> int64; CHAR, CLOB, TEXT -> string;
 * BLOB -> bytes; REAL, FLOA, DOUB -> double; BOOL first -> bool; other
 * declared types have NUMERIC affinity and are refused, as they may hold
 * any of those) and may be NULL unless declared NOT NULL (or INTEGER
 * PRIMARY KEY), or when its table is on the outer side of a LEFT JOIN. An
 * expression is typed by what it computes: COUNT(...) int64, AVG double,
 * CAST(x AS T) T, arithmetic from its operands, a comparison bool, ...;
 * what cannot be typed is refused with a hint to CAST it.
 *
 * A parameter takes the type of the column it is compared with (=, <, IN
 * (...), BETWEEN, LIKE) or assigned to (INSERT's column list, UPDATE SET,
 * arithmetic with it), of the CAST around it, or int64 after LIMIT and
 * OFFSET. Assigned to a column that may be NULL, it is optional.
 */
#ifndef PG_SQLC_TYPES_H
#define PG_SQLC_TYPES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "sqltok.h"

#define PG_SQLC_MAX_TABLES 64

typedef struct pg_sqlc_table {
  char name[128];  /* as written, unquoted */
  char alias[128]; /* or "" */
  bool is_outer;   /* its columns may be NULL whatever they declare */
} pg_sqlc_table;

typedef struct pg_sqlc_types {
  sqlite3 *db;     /* borrowed: the migrated schema */
  pg_sqltok *toks; /* owned */
  size_t ntoks;
  pg_sqlc_table tables[PG_SQLC_MAX_TABLES]; /* the tables the query names */
  size_t ntables;
} pg_sqlc_types;

/* Tokenizes @p sql (which must outlive @p t) and finds its tables. False
 * when out of memory. */
bool pg_sqlc_types_init(pg_sqlc_types *t, sqlite3 *db, const char *sql);
void pg_sqlc_types_free(pg_sqlc_types *t);

/* [a-z_][a-z0-9_]*, up to 63 bytes: a protobuf field name. */
bool pg_sqlc_is_field_name(const char *s);

/* Result column @p i of @p st: sets out->type and out->is_optional. False
 * with @p why when it cannot be typed. */
bool pg_sqlc_column_type(pg_sqlc_types *t, sqlite3_stmt *st, int i,
                         pg_db_field *out, char *why, size_t cap);

/* The parameter written @p raw ("@id"): its type, and whether it is
 * assigned to a column that may be NULL. False with @p why. */
bool pg_sqlc_param_type(pg_sqlc_types *t, const char *raw, pg_db_type *type,
                        bool *is_assigned_nullable, char *why, size_t cap);

#endif /* PG_SQLC_TYPES_H */
