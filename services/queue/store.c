/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/queue/store.c: the queue's SQLite database (store.h).
 *
 * Owns one connection and its prepared statements, made once at open.
 * Every operation is one BEGIN IMMEDIATE transaction (a writer from the
 * start, so no upgrade can fail half-way with SQLITE_BUSY) committed before
 * it returns: with WAL and synchronous=FULL the commit is on disk when the
 * caller answers. A failure rolls back and leaves the database as it was.
 * One thread at a time.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "parigot/error.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS messages("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " queue TEXT NOT NULL,"
    " body BLOB NOT NULL,"
    " visible_at INTEGER NOT NULL,"
    " deliveries INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS messages_ready"
    " ON messages(queue, visible_at, id);"
    /* Only delivered messages: those the sweep and its wake-up look at. */
    "CREATE INDEX IF NOT EXISTS messages_delivered"
    " ON messages(visible_at) WHERE deliveries > 0;"
    "CREATE TABLE IF NOT EXISTS queues("
    " name TEXT PRIMARY KEY, messages INTEGER NOT NULL) WITHOUT ROWID;";

enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_COUNT,
  ST_INSERT,
  ST_COUNT_ADD,
  ST_COUNT_DROP,
  ST_SELECT,
  ST_DELIVER,
  ST_UNTAKE,
  ST_DELETE,
  ST_NACK,
  ST_DYING,
  ST_MOVE,
  ST_NEXT_QUEUE,
  ST_NEXT_DEAD,
  ST_STATS,
  ST_SYNC_NORMAL,
  ST_SYNC_FULL,
  NSTATEMENTS
};

/* One per ST_*, in order. ?-numbers as bound below. */
static const char *const sql[NSTATEMENTS] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT messages FROM queues WHERE name = ?1",
    "INSERT INTO messages(queue, body, visible_at) VALUES(?1, ?2, ?3)",
    "INSERT INTO queues(name, messages) VALUES(?1, 1)"
    " ON CONFLICT(name) DO UPDATE SET messages = messages + 1",
    "UPDATE queues SET messages = messages - 1 WHERE name = ?1",
    "SELECT id, body, deliveries, visible_at FROM messages"
    " WHERE queue = ?1 AND visible_at <= ?2"
    " ORDER BY visible_at, id LIMIT ?3",
    "UPDATE messages SET deliveries = deliveries + 1, visible_at = ?2"
    " WHERE id = ?1",
    "UPDATE messages SET deliveries = deliveries - 1, visible_at = ?3"
    " WHERE id = ?1 AND deliveries = ?2",
    "DELETE FROM messages WHERE id = ?1 AND deliveries = ?2 RETURNING queue",
    "UPDATE messages SET visible_at = ?3 WHERE id = ?1 AND deliveries = ?2"
    " RETURNING queue",
    "SELECT id, queue FROM messages WHERE deliveries > 0"
    " AND deliveries >= ?1 AND visible_at <= ?2"
    " AND substr(queue, -5) <> '.dead'",
    "UPDATE messages SET queue = queue || '.dead' WHERE id = ?1",
    "SELECT min(visible_at) FROM messages WHERE queue = ?1"
    " AND visible_at > ?2",
    "SELECT min(visible_at) FROM messages WHERE deliveries > 0"
    " AND deliveries >= ?1 AND visible_at > ?2"
    " AND substr(queue, -5) <> '.dead'",
    "SELECT count(*), coalesce(sum(visible_at <= ?2), 0),"
    " coalesce(sum(deliveries > 0 AND visible_at > ?2), 0)"
    " FROM messages WHERE queue = ?1",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA synchronous = FULL",
};

struct pg_qstore {
  sqlite3 *db;
  sqlite3_stmt *st[NSTATEMENTS];
  uint32_t max_deliveries;
  bool is_file; /* not in memory: commits are synced */
};

static int fail_db(pg_qstore *s, const char *what, char *err, size_t err_len) {
  snprintf(err, err_len, "%s: %s", what, sqlite3_errmsg(s->db));
  return PARIGOT_EIO;
}

/* Runs a statement that returns no row we want, and resets it. */
static int step_done(pg_qstore *s, int which) {
  sqlite3_stmt *st = s->st[which];
  int rc = sqlite3_step(st);
  while (rc == SQLITE_ROW)
    rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : PARIGOT_EIO;
}

static int begin(pg_qstore *s, char *err, size_t err_len) {
  return step_done(s, ST_BEGIN) == 0 ? 0 : fail_db(s, "begin", err, err_len);
}

static int commit(pg_qstore *s, char *err, size_t err_len) {
  if (step_done(s, ST_COMMIT) == 0)
    return 0;
  int rc = fail_db(s, "commit", err, err_len);
  step_done(s, ST_ROLLBACK);
  return rc;
}

/* A transaction whose loss in a power cut only brings a message back
 * sooner (a delivery, its undoing, a move to a dead-letter queue) is not
 * waited on to reach the disk: it does when the next synced commit does.
 * Sends, acknowledgements and nacks are synced (synchronous = FULL). */
static int begin_relaxed(pg_qstore *s, char *err, size_t err_len) {
  if (s->is_file && step_done(s, ST_SYNC_NORMAL) != 0)
    return fail_db(s, "synchronous", err, err_len);
  int rc = begin(s, err, err_len);
  if (rc != 0 && s->is_file)
    step_done(s, ST_SYNC_FULL);
  return rc;
}

/* Back to synced commits after begin_relaxed's transaction; @p rc passes
 * through. */
static int end_relaxed(pg_qstore *s, int rc) {
  if (s->is_file)
    step_done(s, ST_SYNC_FULL);
  return rc;
}

/* Ends a failed transaction; @p rc passes through. */
static int rollback(pg_qstore *s, int rc) {
  step_done(s, ST_ROLLBACK);
  return rc;
}

static int exec_pragmas(pg_qstore *s, bool is_file, uint32_t busy_ms, char *err,
                        size_t err_len) {
  char text[160];
  snprintf(text, sizeof text,
           "PRAGMA busy_timeout = %u; PRAGMA foreign_keys = ON;%s", busy_ms,
           is_file ? " PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                   : "");
  char *msg = NULL;
  if (sqlite3_exec(s->db, text, NULL, NULL, &msg) != SQLITE_OK ||
      sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(err, err_len, "%s", msg != NULL ? msg : "out of memory");
    sqlite3_free(msg);
    return PARIGOT_EIO;
  }
  return 0;
}

int pg_qstore_new(const char *path, uint32_t max_deliveries, uint32_t busy_ms,
                  pg_qstore **out, char *err, size_t err_len) {
  pg_qstore *s = pg_mem_calloc(pg_mem_default(), 1, sizeof *s);
  if (s == NULL)
    return PARIGOT_ENOMEM;
  s->max_deliveries = max_deliveries;
  s->is_file = path != NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
              (path == NULL ? SQLITE_OPEN_MEMORY : 0);
  int rc = 0;
  if (sqlite3_open_v2(path != NULL ? path : ":memory:", &s->db, flags, NULL) !=
      SQLITE_OK) {
    snprintf(err, err_len, "%s: %s", path,
             s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
    rc = PARIGOT_EIO;
    goto fail;
  }
  char why[400];
  if ((rc = exec_pragmas(s, path != NULL, busy_ms, why, sizeof why)) != 0) {
    snprintf(err, err_len, "%s: %s", path != NULL ? path : ":memory:", why);
    goto fail;
  }
  for (int i = 0; i < NSTATEMENTS; i++)
    if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                           &s->st[i], NULL) != SQLITE_OK) {
      rc = fail_db(s, sql[i], err, err_len);
      goto fail;
    }
  *out = s;
  return 0;
fail:
  pg_qstore_free(s);
  return rc;
}

void pg_qstore_free(pg_qstore *s) {
  if (s == NULL)
    return;
  for (int i = 0; i < NSTATEMENTS; i++)
    sqlite3_finalize(s->st[i]);
  sqlite3_close(s->db);
  pg_mem_free(pg_mem_default(), s);
}

/* The count of @p queue, in a transaction. */
static uint64_t count_of(pg_qstore *s, const char *queue) {
  sqlite3_stmt *st = s->st[ST_COUNT];
  sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
  uint64_t n = 0;
  if (sqlite3_step(st) == SQLITE_ROW)
    n = (uint64_t)sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return n;
}

static int count_add(pg_qstore *s, const char *queue) {
  sqlite3_bind_text(s->st[ST_COUNT_ADD], 1, queue, -1, SQLITE_TRANSIENT);
  return step_done(s, ST_COUNT_ADD);
}

static int count_drop(pg_qstore *s, const char *queue) {
  sqlite3_bind_text(s->st[ST_COUNT_DROP], 1, queue, -1, SQLITE_TRANSIENT);
  return step_done(s, ST_COUNT_DROP);
}

int pg_qstore_send(pg_qstore *s, const char *queue, const void *body,
                   size_t len, uint64_t visible_at, uint64_t max_messages,
                   uint64_t *id, char *err, size_t err_len) {
  int rc = begin(s, err, err_len);
  if (rc != 0)
    return rc;
  if (count_of(s, queue) >= max_messages)
    return rollback(s, PARIGOT_ENOSPC);
  sqlite3_stmt *st = s->st[ST_INSERT];
  sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
  sqlite3_bind_blob64(st, 2, body != NULL ? body : "", len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)visible_at);
  if (step_done(s, ST_INSERT) != 0 || count_add(s, queue) != 0)
    return rollback(s, fail_db(s, "send", err, err_len));
  *id = (uint64_t)sqlite3_last_insert_rowid(s->db);
  return commit(s, err, err_len);
}

/* Hands the selected rows to @p cb, then makes them invisible until
 * @p until: updated after the scan, which reads the index they move in.
 * The count, or PARIGOT_EIO. */
static int deliver_rows(pg_qstore *s, uint64_t until, pg_qstore_take_cb cb,
                        void *ctx) {
  sqlite3_stmt *sel = s->st[ST_SELECT];
  uint64_t ids[PG_QSTORE_TAKE_MAX];
  int n = 0, rc = SQLITE_DONE;
  while (n < PG_QSTORE_TAKE_MAX && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
    pg_qstore_msg m = {.id = (uint64_t)sqlite3_column_int64(sel, 0),
                       .body = sqlite3_column_blob(sel, 1),
                       .len = (size_t)sqlite3_column_bytes(sel, 1),
                       .deliveries = (uint32_t)sqlite3_column_int64(sel, 2) + 1,
                       .visible_was = (uint64_t)sqlite3_column_int64(sel, 3)};
    ids[n++] = m.id;
    if (!cb(ctx, &m))
      break;
  }
  if (n == 0 && rc != SQLITE_DONE)
    return PARIGOT_EIO;
  sqlite3_reset(sel);
  sqlite3_clear_bindings(sel);
  for (int i = 0; i < n; i++) {
    sqlite3_bind_int64(s->st[ST_DELIVER], 1, (sqlite3_int64)ids[i]);
    sqlite3_bind_int64(s->st[ST_DELIVER], 2, (sqlite3_int64)until);
    if (step_done(s, ST_DELIVER) != 0)
      return PARIGOT_EIO;
  }
  return n;
}

int pg_qstore_take(pg_qstore *s, const char *queue, uint64_t now,
                   uint64_t until, uint32_t max, pg_qstore_take_cb cb,
                   void *ctx, char *err, size_t err_len) {
  int rc = begin_relaxed(s, err, err_len);
  if (rc != 0)
    return rc;
  sqlite3_stmt *sel = s->st[ST_SELECT];
  sqlite3_bind_text(sel, 1, queue, -1, SQLITE_STATIC);
  sqlite3_bind_int64(sel, 2, (sqlite3_int64)now);
  sqlite3_bind_int64(sel, 3,
                     max < PG_QSTORE_TAKE_MAX ? max : PG_QSTORE_TAKE_MAX);
  int n = deliver_rows(s, until, cb, ctx);
  sqlite3_reset(sel);
  sqlite3_clear_bindings(sel);
  if (n < 0)
    return end_relaxed(s, rollback(s, fail_db(s, "receive", err, err_len)));
  if (n == 0)
    return end_relaxed(s, rollback(s, 0)); /* nothing written */
  rc = end_relaxed(s, commit(s, err, err_len));
  return rc != 0 ? rc : n;
}

int pg_qstore_untake(pg_qstore *s, uint64_t id, uint32_t deliveries,
                     uint64_t visible_was, char *err, size_t err_len) {
  int rc = begin(s, err, err_len);
  if (rc != 0)
    return rc;
  sqlite3_stmt *st = s->st[ST_UNTAKE];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
  sqlite3_bind_int64(st, 2, deliveries);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)visible_was);
  if (step_done(s, ST_UNTAKE) != 0)
    return rollback(s, fail_db(s, "untake", err, err_len));
  if (sqlite3_changes(s->db) == 0)
    return rollback(s, PARIGOT_ENOENT);
  return commit(s, err, err_len);
}

/* Steps a RETURNING queue statement once: 0 with the queue's name in
 * @p queue, PARIGOT_ENOENT when no row matched, PARIGOT_EIO. */
static int step_returning(pg_qstore *s, int which, char *queue, size_t cap) {
  sqlite3_stmt *st = s->st[which];
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    snprintf(queue, cap, "%s", (const char *)sqlite3_column_text(st, 0));
  int last = rc == SQLITE_ROW ? sqlite3_step(st) : rc;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (last != SQLITE_DONE)
    return PARIGOT_EIO;
  return rc == SQLITE_ROW ? 0 : PARIGOT_ENOENT;
}

int pg_qstore_ack(pg_qstore *s, uint64_t id, uint32_t deliveries, char *err,
                  size_t err_len) {
  char queue[256];
  int rc = begin(s, err, err_len);
  if (rc != 0)
    return rc;
  sqlite3_bind_int64(s->st[ST_DELETE], 1, (sqlite3_int64)id);
  sqlite3_bind_int64(s->st[ST_DELETE], 2, deliveries);
  rc = step_returning(s, ST_DELETE, queue, sizeof queue);
  if (rc == 0 && count_drop(s, queue) != 0)
    rc = PARIGOT_EIO;
  if (rc == PARIGOT_EIO)
    return rollback(s, fail_db(s, "ack", err, err_len));
  if (rc != 0)
    return rollback(s, rc);
  return commit(s, err, err_len);
}

int pg_qstore_nack(pg_qstore *s, uint64_t id, uint32_t deliveries,
                   uint64_t visible_at, char *queue, size_t cap, char *err,
                   size_t err_len) {
  int rc = begin(s, err, err_len);
  if (rc != 0)
    return rc;
  sqlite3_stmt *st = s->st[ST_NACK];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
  sqlite3_bind_int64(st, 2, deliveries);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)visible_at);
  rc = step_returning(s, ST_NACK, queue, cap);
  if (rc == PARIGOT_EIO)
    return rollback(s, fail_db(s, "nack", err, err_len));
  if (rc != 0)
    return rollback(s, rc);
  return commit(s, err, err_len);
}

/* The rows to move, in a collected list: the move changes the column the
 * scan filters on. How many moved, or PARIGOT_EIO. */
static int move_dying(pg_qstore *s, uint64_t now) {
  sqlite3_stmt *sel = s->st[ST_DYING];
  uint64_t ids[PG_QSTORE_TAKE_MAX];
  char queues[PG_QSTORE_TAKE_MAX][PG_QSTORE_NAME_MAX + 1];
  int n = 0, rc = SQLITE_DONE;
  sqlite3_bind_int64(sel, 1, s->max_deliveries);
  sqlite3_bind_int64(sel, 2, (sqlite3_int64)now);
  while (n < PG_QSTORE_TAKE_MAX && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
    ids[n] = (uint64_t)sqlite3_column_int64(sel, 0);
    snprintf(queues[n++], sizeof *queues, "%s",
             (const char *)sqlite3_column_text(sel, 1));
  }
  sqlite3_reset(sel);
  sqlite3_clear_bindings(sel);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return PARIGOT_EIO;
  for (int i = 0; i < n; i++) {
    char dead[PG_QSTORE_NAME_MAX + 8];
    snprintf(dead, sizeof dead, "%s.dead", queues[i]);
    sqlite3_bind_int64(s->st[ST_MOVE], 1, (sqlite3_int64)ids[i]);
    if (step_done(s, ST_MOVE) != 0 || count_drop(s, queues[i]) != 0 ||
        count_add(s, dead) != 0)
      return PARIGOT_EIO;
  }
  return n;
}

/* Whether any message is to move now: a read, outside any transaction. */
static bool has_dying(pg_qstore *s, uint64_t now) {
  sqlite3_stmt *st = s->st[ST_DYING];
  sqlite3_bind_int64(st, 1, s->max_deliveries);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
  bool any = sqlite3_step(st) != SQLITE_DONE; /* a row, or an error */
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return any;
}

int pg_qstore_sweep(pg_qstore *s, uint64_t now, char *err, size_t err_len) {
  int total = 0;
  while (has_dying(s, now)) { /* batches of PG_QSTORE_TAKE_MAX */
    int rc = begin(s, err, err_len);
    if (rc != 0)
      return rc;
    int n = move_dying(s, now);
    if (n < 0)
      return rollback(s, fail_db(s, "dead-letter", err, err_len));
    if ((rc = commit(s, err, err_len)) != 0)
      return rc;
    if (n == 0)
      break;
    total += n;
  }
  return total;
}

bool pg_qstore_next(pg_qstore *s, const char *queue, uint64_t now,
                    uint64_t *at) {
  sqlite3_stmt *st = s->st[queue != NULL ? ST_NEXT_QUEUE : ST_NEXT_DEAD];
  if (queue != NULL)
    sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64(st, 1, s->max_deliveries);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
  bool any = sqlite3_step(st) == SQLITE_ROW &&
             sqlite3_column_type(st, 0) != SQLITE_NULL;
  if (any)
    *at = (uint64_t)sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return any;
}

int pg_qstore_stats(pg_qstore *s, const char *queue, uint64_t now,
                    uint64_t *messages, uint64_t *visible, uint64_t *in_flight,
                    char *err, size_t err_len) {
  sqlite3_stmt *st = s->st[ST_STATS];
  sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *messages = (uint64_t)sqlite3_column_int64(st, 0);
    *visible = (uint64_t)sqlite3_column_int64(st, 1);
    *in_flight = (uint64_t)sqlite3_column_int64(st, 2);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_ROW ? 0 : fail_db(s, "stats", err, err_len);
}
