/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/protofile.h: the protobuf file a model (model.h) stands
 * for: its messages and its service, laid out once so that the .proto
 * parigot-sqlc writes and the descriptors the built-in gives the kernel
 * cannot disagree.
 *
 * For a query Q: QRequest (its parameters, then `uint64 tx = 1000`), and
 * QResponse: a :one's columns; a :many's `repeated QRow rows = 1` with QRow
 * the columns; nothing for :exec; `int64 rows_affected = 1` for :execrows;
 * `int64 last_insert_id = 1` for :execlastid. Then the transactions:
 * Begin(BeginRequest{uint32 timeout_ms = 1}) returns BeginResponse{uint64
 * tx = 1}, Commit and Rollback (CommitRequest/RollbackRequest{uint64 tx =
 * 1}, empty answers), and, when some query executes, Batch: BatchRequest{
 * repeated BatchStep steps = 1; uint64 tx = 1000} with BatchStep a oneof
 * of those queries' requests (named after them in snake_case), answered by
 * BatchResponse{repeated BatchResult results = 1}, BatchResult{int64
 * rows_affected = 1; int64 last_insert_id = 2}.
 *
 * A built pg_db_pfile owns everything in it, in one arena.
 */
#ifndef PG_DB_PROTOFILE_H
#define PG_DB_PROTOFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "mem.h"
#include "model.h"

typedef struct pg_db_pfield {
  const char *name;      /* snake_case */
  const char *json_name; /* lowerCamelCase, as protoc derives it */
  uint32_t number;
  const char *type;  /* "int64", ...; or a message's name for is_message */
  bool is_message;   /* type is a message of this file */
  bool is_repeated;  /* repeated */
  bool is_optional;  /* proto3 optional */
  bool is_in_oneof;  /* a member of the message's oneof */
  const char *about; /* a comment, or NULL */
} pg_db_pfield;

typedef struct pg_db_pmsg {
  const char *name;
  pg_db_pfield *fields;
  uint32_t nfields;
  const char *oneof; /* the oneof's name, or NULL */
} pg_db_pmsg;

typedef struct pg_db_pmethod {
  const char *name, *input, *output;
  const char *about; /* a comment: the SQL's place, or what it does */
} pg_db_pmethod;

typedef struct pg_db_pfile {
  const char *name;    /* the .proto's path */
  const char *package; /* "vinyl.db.v1" */
  const char *service; /* "StoreQueries" */
  pg_db_pmsg *msgs;
  uint32_t nmsgs;
  pg_db_pmethod *methods;
  uint32_t nmethods;
  pg_arena arena; /* owns all the above */
} pg_db_pfile;

/* Lays out @p m's file in @p out (zeroed first). 0; PARIGOT_ENOMEM; or
 * PARIGOT_EINVAL with @p err when two messages get one name (a query
 * named Batch, say). */
int pg_db_pfile_build(const pg_db_model *m, const pg_mem *mem, pg_db_pfile *out,
                      char *err, size_t err_len);

/* Frees what @p f owns; @p f may be zeroed. */
void pg_db_pfile_free(pg_db_pfile *f);

/* @p f as a FileDescriptorSet of one FileDescriptorProto (proto3), into
 * *out from @p mem (*len bytes; the caller frees it). 0 or
 * PARIGOT_ENOMEM. */
int pg_db_pfile_encode(const pg_db_pfile *f, const pg_mem *mem, uint8_t **out,
                       size_t *len);

/* snake_case of a CamelCase name ("GetRecord" -> "get_record") into
 * @p out of @p cap bytes (cut short if it does not fit). */
void pg_db_snake_case(const char *camel, char *out, size_t cap);

#endif /* PG_DB_PROTOFILE_H */
