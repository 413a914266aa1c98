/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/exec.h: one connection to a database and the queries of a
 * model run on it: a protobuf request in, its parameters bound to the
 * query's prepared statement (prepared once, when the connection opens),
 * the answer written as protobuf. SQLite's errors become gRPC codes:
 * a UNIQUE or PRIMARY KEY constraint ALREADY_EXISTS, another constraint
 * FAILED_PRECONDITION, busy or locked UNAVAILABLE, a value too big or of
 * the wrong kind INVALID_ARGUMENT, a full disk RESOURCE_EXHAUSTED, a
 * damaged file DATA_LOSS, the rest INTERNAL; the message is SQLite's,
 * after the query's name.
 *
 * A connection is used by one thread at a time.
 */
#ifndef PG_DB_EXEC_H
#define PG_DB_EXEC_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "model.h"

typedef struct pg_db_conn {
  sqlite3 *db;          /* owned */
  const pg_db_model *m; /* borrowed */
  sqlite3_stmt **stmts; /* one per query, owned */
  bool is_in_tx;        /* Begin ran on it, Commit or Rollback not yet */
} pg_db_conn;

/* Opens @p path (created if missing; flags as sqlite3_open_v2 takes them)
 * with foreign keys on, the journal @p journal ("WAL", "DELETE"), the
 * synchronous level @p sync ("FULL", "OFF"); how it waits for a lock is
 * its user's (sqlite3_busy_handler). No statement prepared yet. 0, or
 * PARIGOT_EIO with @p err. */
int pg_db_conn_open(pg_db_conn *c, const char *path, const char *journal,
                    const char *sync, char *err, size_t cap);

/* Prepares every query of @p m (which must outlive @p c). 0, or
 * PARIGOT_EINVAL with @p err naming the query that no longer prepares
 * (the schema changed under the query table). */
int pg_db_conn_prepare(pg_db_conn *c, const pg_db_model *m, char *err,
                       size_t cap);

/* Finalizes the statements and closes the database; @p c may be zeroed. */
void pg_db_conn_close(pg_db_conn *c);

/* Runs @p sql, which answers nothing (BEGIN, COMMIT, ...). A gRPC code
 * (0: done) with @p msg on failure. */
uint32_t pg_db_conn_exec(pg_db_conn *c, const char *sql, char *msg, size_t cap);

/* The request's transaction (field PG_DB_TX_FIELD), 0 when none; false
 * when the request is not valid protobuf. */
bool pg_db_request_tx(const uint8_t *req, size_t len, uint64_t *tx);

/* Runs query @p qi of the model with request @p req: the answer appended
 * to @p out. A gRPC code (0: answered) with @p msg on failure. */
uint32_t pg_db_run(pg_db_conn *c, uint32_t qi, const uint8_t *req, size_t len,
                   pg_db_buf *out, char *msg, size_t cap);

/* Runs a BatchRequest's steps in order, all or none (a savepoint), into a
 * BatchResponse in @p out. A gRPC code with @p msg naming the step. */
uint32_t pg_db_run_batch(pg_db_conn *c, const uint8_t *req, size_t len,
                         pg_db_buf *out, char *msg, size_t cap);

/* The gRPC code for SQLite's extended result code @p rc. */
uint32_t pg_db_code_of(int rc);

#endif /* PG_DB_EXEC_H */
