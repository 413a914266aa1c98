/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/exec.c: queries run on a connection (exec.h). Requests are
 * read with util/pbwire.h and trusted in nothing: a field of the wrong
 * wire type or a string that is not UTF-8 is INVALID_ARGUMENT naming it.
 */
#include "exec.h"

#include <stdio.h>
#include <string.h>

#include "parigot/abi.h"
#include "parigot/error.h"
#include "pbwire.h"
#include "utf8.h"

int pg_db_conn_open(pg_db_conn *c, const char *path, const char *journal,
                    const char *sync, char *err, size_t cap) {
  char sql[128];
  memset(c, 0, sizeof *c);
  int rc = sqlite3_open_v2(
      path, &c->db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_extended_result_codes(c->db, 1);
  snprintf(sql, sizeof sql,
           "PRAGMA foreign_keys = ON; PRAGMA journal_mode = %s; "
           "PRAGMA synchronous = %s;",
           journal, sync);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, cap, "%s: %s", path,
             c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    sqlite3_close(c->db);
    c->db = NULL;
    return PARIGOT_EIO;
  }
  return 0;
}

int pg_db_conn_prepare(pg_db_conn *c, const pg_db_model *m, char *err,
                       size_t cap) {
  c->m = m;
  c->stmts = sqlite3_malloc64((m->nqueries + 1) * sizeof *c->stmts);
  if (c->stmts == NULL)
    return PARIGOT_ENOMEM;
  memset(c->stmts, 0, (m->nqueries + 1) * sizeof *c->stmts);
  for (uint32_t i = 0; i < m->nqueries; i++) {
    const pg_db_query *q = &m->queries[i];
    if (sqlite3_prepare_v3(c->db, q->sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &c->stmts[i], NULL) == SQLITE_OK &&
        (uint32_t)sqlite3_bind_parameter_count(c->stmts[i]) == q->nparams &&
        (!pg_db_kind_has_rows(q->kind) ||
         (uint32_t)sqlite3_column_count(c->stmts[i]) == q->ncolumns))
      continue;
    snprintf(err, cap,
             "query %s (%s:%u) does not fit the database's schema: %s; run "
             "parigot-sqlc again",
             q->name, q->file, q->line,
             c->stmts[i] ? "its parameters or columns changed"
                         : sqlite3_errmsg(c->db));
    return PARIGOT_EINVAL;
  }
  return 0;
}

void pg_db_conn_close(pg_db_conn *c) {
  for (uint32_t i = 0; c->stmts != NULL && i < c->m->nqueries; i++)
    sqlite3_finalize(c->stmts[i]);
  sqlite3_free(c->stmts);
  sqlite3_close(c->db);
  memset(c, 0, sizeof *c);
}

uint32_t pg_db_code_of(int rc) {
  switch (rc) {
  case SQLITE_CONSTRAINT_UNIQUE:
  case SQLITE_CONSTRAINT_PRIMARYKEY:
  case SQLITE_CONSTRAINT_ROWID:
    return PARIGOT_CODE_ALREADY_EXISTS;
  case SQLITE_TOOBIG:
  case SQLITE_RANGE:
  case SQLITE_MISMATCH:
    return PARIGOT_CODE_INVALID_ARGUMENT;
  case SQLITE_FULL:
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return PARIGOT_CODE_DATA_LOSS;
  case SQLITE_INTERRUPT:
    return PARIGOT_CODE_CANCELLED;
  }
  switch (rc & 0xff) {
  case SQLITE_CONSTRAINT:
  case SQLITE_READONLY:
    return PARIGOT_CODE_FAILED_PRECONDITION;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return PARIGOT_CODE_UNAVAILABLE;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return PARIGOT_CODE_DATA_LOSS;
  case SQLITE_FULL:
  case SQLITE_NOMEM:
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  return PARIGOT_CODE_INTERNAL;
}

/* The failure of @p what on @p c, as a code and "what: SQLite's message". */
static uint32_t failed(pg_db_conn *c, int rc, const char *what, char *msg,
                       size_t cap) {
  int ext = sqlite3_extended_errcode(c->db);
  snprintf(msg, cap, "%s: %s", what, sqlite3_errmsg(c->db));
  return pg_db_code_of(ext != SQLITE_OK ? ext : rc);
}

uint32_t pg_db_conn_exec(pg_db_conn *c, const char *sql, char *msg,
                         size_t cap) {
  int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? 0 : failed(c, rc, sql, msg, cap);
}

bool pg_db_request_tx(const uint8_t *req, size_t len, uint64_t *tx) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(req, len);
  *tx = 0;
  while (rd.p < rd.end) {
    pg_pbwire_field f;
    if (pg_pbwire_read_field(&rd, &f) != NULL)
      return false;
    if (f.num == PG_DB_TX_FIELD && f.wt == PG_PBWIRE_VARINT)
      *tx = f.v;
  }
  return true;
}

/* Binds every parameter's default: NULL for an optional one, else the
 * zero value of its type (proto3 leaves those off the wire). */
static void bind_defaults(sqlite3_stmt *st, const pg_db_query *q) {
  for (uint32_t i = 0; i < q->nparams; i++) {
    const pg_db_field *p = &q->params[i];
    int slot = (int)p->sql_slot;
    if (p->is_optional)
      sqlite3_bind_null(st, slot);
    else if (p->type == PG_DB_STRING)
      sqlite3_bind_text(st, slot, "", 0, SQLITE_STATIC);
    else if (p->type == PG_DB_BYTES)
      sqlite3_bind_zeroblob(st, slot, 0);
    else if (p->type == PG_DB_DOUBLE)
      sqlite3_bind_double(st, slot, 0.0);
    else
      sqlite3_bind_int64(st, slot, 0);
  }
}

static double double_of(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

static uint64_t bits_of(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}

/* One request field into its parameter; false with @p msg when it is not
 * what the field's type says. */
static bool bind_field(sqlite3_stmt *st, const pg_db_query *q,
                       const pg_pbwire_field *f, char *msg, size_t cap) {
  if (f->num == 0 || f->num > q->nparams)
    return true; /* unknown fields are skipped, as protobuf does */
  const pg_db_field *p = &q->params[f->num - 1];
  int slot = (int)p->sql_slot;
  static const uint8_t wire[PG_DB_NTYPES] = {PG_PBWIRE_VARINT, PG_PBWIRE_I64,
                                             PG_PBWIRE_LEN, PG_PBWIRE_LEN,
                                             PG_PBWIRE_VARINT};
  if (f->wt != wire[p->type]) {
    snprintf(msg, cap, "%s: field %u (%s) is not a %s", q->name, f->num,
             p->name, pg_db_type_name(p->type));
    return false;
  }
  if (p->type == PG_DB_STRING && !pg_utf8_valid(f->p, f->len)) {
    snprintf(msg, cap, "%s: field %u (%s) is not UTF-8", q->name, f->num,
             p->name);
    return false;
  }
  int rc = p->type == PG_DB_INT64  ? sqlite3_bind_int64(st, slot, (int64_t)f->v)
           : p->type == PG_DB_BOOL ? sqlite3_bind_int(st, slot, f->v != 0)
           : p->type == PG_DB_DOUBLE
               ? sqlite3_bind_double(st, slot, double_of(f->v))
           : p->type == PG_DB_STRING
               ? sqlite3_bind_text64(st, slot, (const char *)f->p, f->len,
                                     SQLITE_STATIC, SQLITE_UTF8)
           : f->len == 0
               ? sqlite3_bind_zeroblob(st, slot, 0)
               : sqlite3_bind_blob64(st, slot, f->p, f->len, SQLITE_STATIC);
  if (rc != SQLITE_OK) {
    snprintf(msg, cap, "%s: field %u (%s): %s", q->name, f->num, p->name,
             sqlite3_errstr(rc));
    return false;
  }
  return true;
}

static uint32_t bind_request(sqlite3_stmt *st, const pg_db_query *q,
                             const uint8_t *req, size_t len, char *msg,
                             size_t cap) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(req, len);
  bind_defaults(st, q);
  while (rd.p < rd.end) {
    pg_pbwire_field f;
    const char *why = pg_pbwire_read_field(&rd, &f);
    if (why != NULL) {
      snprintf(msg, cap, "%s: the request is not protobuf: %s", q->name, why);
      return PARIGOT_CODE_INVALID_ARGUMENT;
    }
    if (!bind_field(st, q, &f, msg, cap))
      return PARIGOT_CODE_INVALID_ARGUMENT;
  }
  return 0;
}

/* The current row's columns as the fields of a message, into @p out. */
static uint32_t put_row(sqlite3_stmt *st, const pg_db_query *q, pg_db_buf *out,
                        char *msg, size_t cap) {
  for (uint32_t i = 0; i < q->ncolumns; i++) {
    const pg_db_field *c = &q->columns[i];
    int col = (int)c->sql_slot;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
      continue; /* absent: an optional field unset, else its zero value */
    if (c->type == PG_DB_INT64 || c->type == PG_DB_BOOL) {
      int64_t v = sqlite3_column_int64(st, col);
      if (c->type == PG_DB_BOOL)
        v = v != 0;
      if (v != 0 || c->is_optional)
        pg_db_buf_uint(out, c->number, (uint64_t)v);
    } else if (c->type == PG_DB_DOUBLE) {
      double d = sqlite3_column_double(st, col);
      if (bits_of(d) != 0 || c->is_optional) {
        pg_db_buf_tag(out, c->number, PG_PBWIRE_I64);
        pg_db_buf_fixed64(out, bits_of(d));
      }
    } else {
      const void *p = c->type == PG_DB_STRING
                          ? (const void *)sqlite3_column_text(st, col)
                          : sqlite3_column_blob(st, col);
      size_t n = (size_t)sqlite3_column_bytes(st, col);
      if (c->type == PG_DB_STRING && !pg_utf8_valid(p, n)) {
        snprintf(msg, cap, "%s: column %s holds text that is not UTF-8",
                 q->name, c->name);
        return PARIGOT_CODE_DATA_LOSS;
      }
      if (n > 0 || c->is_optional)
        pg_db_buf_bytes(out, c->number, p, n);
    }
  }
  return 0;
}

/* Steps @p st to its end, writing the answer @p q's kind asks for. */
static uint32_t step_all(pg_db_conn *c, sqlite3_stmt *st, const pg_db_query *q,
                         pg_db_buf *out, char *msg, size_t cap) {
  pg_db_buf row;
  uint32_t code = 0;
  int rc;
  bool has_row = false;
  pg_db_buf_init(&row, out->mem, out->limit);
  while (code == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (q->kind == PG_DB_ONE && has_row)
      continue; /* :one answers the first row; the rest still run */
    has_row = true;
    if (q->kind == PG_DB_ONE) {
      code = put_row(st, q, out, msg, cap);
      continue;
    }
    pg_db_buf_clear(&row);
    code = put_row(st, q, &row, msg, cap);
    pg_db_buf_bytes(out, 1, row.data, row.len);
    if (row.error != 0 || out->error != 0) {
      snprintf(msg, cap,
               "%s: the answer is over %zu bytes: page it (LIMIT, "
               "OFFSET or a key after the last row)",
               q->name, out->limit);
      code = PARIGOT_CODE_RESOURCE_EXHAUSTED;
    }
  }
  pg_db_buf_free(&row);
  if (code != 0)
    return code;
  if (rc != SQLITE_DONE)
    return failed(c, rc, q->name, msg, cap);
  if (q->kind == PG_DB_ONE && !has_row) {
    snprintf(msg, cap, "%s: no row", q->name);
    return PARIGOT_CODE_NOT_FOUND;
  }
  if (q->kind == PG_DB_EXECROWS)
    pg_db_buf_uint(out, 1, (uint64_t)sqlite3_changes64(c->db));
  else if (q->kind == PG_DB_EXECLASTID)
    pg_db_buf_uint(out, 1, (uint64_t)sqlite3_last_insert_rowid(c->db));
  if (out->error != 0) {
    snprintf(msg, cap, "%s: the answer is over %zu bytes", q->name, out->limit);
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  return 0;
}

uint32_t pg_db_run(pg_db_conn *c, uint32_t qi, const uint8_t *req, size_t len,
                   pg_db_buf *out, char *msg, size_t cap) {
  const pg_db_query *q = &c->m->queries[qi];
  sqlite3_stmt *st = c->stmts[qi];
  uint32_t code = bind_request(st, q, req, len, msg, cap);
  if (code == 0)
    code = step_all(c, st, q, out, msg, cap);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return code;
}

/* The query a BatchStep's oneof member @p k names: the k-th of those that
 * execute, in the model's order; UINT32_MAX for none. */
static uint32_t step_query(const pg_db_model *m, uint32_t k) {
  for (uint32_t i = 0, n = 0; i < m->nqueries; i++)
    if (!pg_db_kind_has_rows(m->queries[i].kind) && ++n == k)
      return i;
  return UINT32_MAX;
}

/* One BatchStep: its member run, its BatchResult appended to @p out. */
static uint32_t run_step(pg_db_conn *c, const uint8_t *p, size_t len,
                         pg_db_buf *out, pg_db_buf *tmp, char *msg,
                         size_t cap) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(p, len);
  pg_pbwire_field f = {0}, last = {0};
  while (rd.p < rd.end) {
    if (pg_pbwire_read_field(&rd, &f) != NULL) {
      snprintf(msg, cap, "a step is not protobuf");
      return PARIGOT_CODE_INVALID_ARGUMENT;
    }
    if (f.wt == PG_PBWIRE_LEN)
      last = f; /* a oneof keeps its last member */
  }
  uint32_t qi = last.num != 0 ? step_query(c->m, last.num) : UINT32_MAX;
  if (qi == UINT32_MAX) {
    snprintf(msg, cap, "a step names no query");
    return PARIGOT_CODE_INVALID_ARGUMENT;
  }
  pg_db_buf_clear(tmp);
  uint32_t code = pg_db_run(c, qi, last.p, last.len, tmp, msg, cap);
  if (code != 0)
    return code;
  pg_db_buf_clear(tmp);
  pg_db_buf_uint(tmp, 1, (uint64_t)sqlite3_changes64(c->db));
  pg_db_buf_uint(tmp, 2, (uint64_t)sqlite3_last_insert_rowid(c->db));
  pg_db_buf_bytes(out, 1, tmp->data, tmp->len);
  return 0;
}

uint32_t pg_db_run_batch(pg_db_conn *c, const uint8_t *req, size_t len,
                         pg_db_buf *out, char *msg, size_t cap) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(req, len);
  pg_db_buf tmp;
  uint32_t code = pg_db_conn_exec(c, "SAVEPOINT parigot_batch", msg, cap);
  uint32_t n = 0;
  pg_db_buf_init(&tmp, out->mem, out->limit);
  while (code == 0 && rd.p < rd.end) {
    pg_pbwire_field f;
    char why[400];
    if (pg_pbwire_read_field(&rd, &f) != NULL) {
      snprintf(msg, cap, "Batch: the request is not protobuf");
      code = PARIGOT_CODE_INVALID_ARGUMENT;
    } else if (f.num == 1 && f.wt == PG_PBWIRE_LEN &&
               (code = run_step(c, f.p, f.len, out, &tmp, why, sizeof why)) !=
                   0) {
      snprintf(msg, cap, "Batch: step %u: %s", n + 1, why);
    }
    n += f.num == 1;
  }
  pg_db_buf_free(&tmp);
  if (code == 0 && out->error != 0) {
    snprintf(msg, cap, "Batch: the answer is over %zu bytes", out->limit);
    code = PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  char ignored[128];
  if (code != 0) {
    pg_db_conn_exec(c, "ROLLBACK TO parigot_batch", ignored, sizeof ignored);
    pg_db_conn_exec(c, "RELEASE parigot_batch", ignored, sizeof ignored);
    return code;
  }
  return pg_db_conn_exec(c, "RELEASE parigot_batch", msg, cap);
}
