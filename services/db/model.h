/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/model.h: a database's typed queries, as parigot-sqlc infers
 * them and the parigot.db built-in runs them: one protobuf service with a
 * method per query, its request and answer messages, and the SQL behind
 * each. parigot-sqlc writes a model out twice, as a .proto (for the
 * guests' stubs) and as a query table (query_table.h, for the built-in);
 * the built-in rebuilds the service's descriptors from the table
 * (descriptor.h), so both sides speak the same messages.
 *
 * A model owns everything in it, in one arena: pg_db_model_free frees it
 * whole. Read-only once built; any thread.
 */
#ifndef PG_DB_MODEL_H
#define PG_DB_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

/* The field every request has for a transaction from Begin; 0: none. */
#define PG_DB_TX_FIELD 1000u
/* Parameters or columns one query may have (fields 1 .. this). */
#define PG_DB_MAX_FIELDS 999u
#define PG_DB_MAX_QUERIES 4096u

/* A field's protobuf type, from the SQLite column or parameter. */
typedef enum pg_db_type {
  PG_DB_INT64 = 0, /* INTEGER affinity */
  PG_DB_DOUBLE,    /* REAL */
  PG_DB_STRING,    /* TEXT */
  PG_DB_BYTES,     /* BLOB */
  PG_DB_BOOL,      /* declared BOOL or BOOLEAN */
  PG_DB_NTYPES
} pg_db_type;

/* What a query answers (sqlc's annotations). */
typedef enum pg_db_kind {
  PG_DB_ONE = 0,    /* :one, the first row; none: NOT_FOUND */
  PG_DB_MANY,       /* :many, every row */
  PG_DB_EXEC,       /* :exec, nothing */
  PG_DB_EXECROWS,   /* :execrows, rows changed */
  PG_DB_EXECLASTID, /* :execlastid, the last inserted rowid */
  PG_DB_NKINDS
} pg_db_kind;

/* A parameter (request field) or a column (answer field). */
typedef struct pg_db_field {
  const char *name;  /* snake_case, unique in its message */
  uint32_t number;   /* its field number: 1, 2, ... */
  pg_db_type type;   /* its protobuf type */
  bool is_optional;  /* proto3 optional: a NULL-able column, sqlc.narg */
  uint32_t sql_slot; /* a parameter's index in the statement (1-based);
                        a column's index in the row (0-based) */
} pg_db_field;

typedef struct pg_db_query {
  const char *name; /* the method: "GetRecord" */
  pg_db_kind kind;
  const char *sql;  /* as SQLite runs it: @name parameters */
  const char *file; /* where it was written, for messages */
  uint32_t line;
  pg_db_field *params; /* the request's fields */
  uint32_t nparams;
  pg_db_field *columns; /* a row's fields (:one, :many) */
  uint32_t ncolumns;
} pg_db_query;

typedef struct pg_db_model {
  const char *package;    /* "vinyl.db.v1" */
  const char *service;    /* "StoreQueries" */
  const char *proto_file; /* "vinyl/db/v1/store_queries.proto" */
  pg_db_query *queries;
  uint32_t nqueries;
  pg_arena arena; /* owns everything above */
} pg_db_model;

/* "int64", "double", ...: the protobuf names of the types. */
const char *pg_db_type_name(pg_db_type t);

/* "one", "many", ...: the kinds as sqlc spells them after ':'. */
const char *pg_db_kind_name(pg_db_kind k);

/* True if @p k answers rows. */
static inline bool pg_db_kind_has_rows(pg_db_kind k) {
  return k == PG_DB_ONE || k == PG_DB_MANY;
}

/* Frees everything @p m owns; @p m may be zeroed. */
void pg_db_model_free(pg_db_model *m);

#endif /* PG_DB_MODEL_H */
