/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/db_kind.c: the parigot.db kind (db_kind.h): settings,
 * declaration, start and stop, and each call routed to a query, a batch
 * or a transaction's step. Runs on the kernel's thread for its events;
 * no thread of its own.
 */
#include "db_kind.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "migrate.h"
#include "parigot/abi.h"
#include "parigot/error.h"
#include "pbwire.h"
#include "protofile.h"
#include "query_table.h"
#include "units.h"

#define DB_MAX_CONNECTIONS 64

typedef struct db_tx {
  uint64_t id;     /* 0: a free slot */
  uint32_t conn;   /* its connection */
  char owner[128]; /* the caller that began it */
  uint64_t deadline_ns;
} db_tx;

typedef struct db_state {
  pg_db_model m;
  pg_db_conn conns[DB_MAX_CONNECTIONS]; /* [0] serves calls outside txs */
  uint32_t nconns;
  db_tx txs[DB_MAX_CONNECTIONS];
  uint64_t next_tx;
  uint64_t tx_timeout_ns;
  char temp_path[PATH_MAX]; /* deterministic mode's private file, or "" */
  pg_db_buf out;            /* the answer being written */
  uint32_t ntxs;            /* transactions open */
  uint64_t busy_ms;         /* busy_timeout */
} db_state;

static const char *const settings[] = {"database",   "schema",
                                       "queries",    "busy_timeout",
                                       "tx_timeout", "connections"};

/* Setting @p key made a path against the manifest; false with @p why. */
static bool path_setting(pg_native *n, const char *key, char *out, size_t cap,
                         char *why, size_t why_cap) {
  const char *v = pg_native_setting(n, key);
  if (v == NULL || v[0] == '\0') {
    snprintf(why, why_cap,
             "config.%s is missing (parigot.db needs "
             "database, schema and queries)",
             key);
    return false;
  }
  if (pg_native_path(n, v, out, cap) != 0) {
    snprintf(why, why_cap, "config.%s: the path is too long", key);
    return false;
  }
  return true;
}

static bool duration_setting(pg_native *n, const char *key, uint64_t dflt,
                             uint64_t *out, char *why, size_t cap) {
  const char *v = pg_native_setting(n, key);
  *out = dflt;
  if (v != NULL && (pg_units_parse_duration(v, out) != 0 || *out == 0)) {
    snprintf(why, cap,
             "config.%s: expected a duration such as \"5s\", got "
             "\"%s\"",
             key, v);
    return false;
  }
  return true;
}

static int load_model(pg_native *n, pg_db_model *m, char *why, size_t cap) {
  char path[PATH_MAX];
  if (!path_setting(n, "queries", path, sizeof path, why, cap))
    return PARIGOT_EINVAL;
  return pg_db_query_table_load(path, pg_mem_default(), m, why, cap);
}

/* At load: the generated service, with its descriptors. */
static int db_declare(pg_native *n, char *why, size_t cap) {
  pg_db_model m;
  pg_db_pfile f;
  uint8_t *fds;
  size_t len;
  char full[512];
  int rc = load_model(n, &m, why, cap);
  if (rc != 0)
    return rc;
  if ((rc = pg_db_pfile_build(&m, pg_mem_default(), &f, why, cap)) == 0) {
    rc = pg_db_pfile_encode(&f, pg_mem_default(), &fds, &len);
    pg_db_pfile_free(&f);
  }
  if (rc == 0) {
    snprintf(full, sizeof full, "%s.%s", m.package, m.service);
    rc = pg_native_export(n, full, fds, len);
    pg_mem_free(pg_mem_default(), fds);
  }
  if (rc != 0 && why[0] == '\0')
    snprintf(why, cap, "%s", parigot_strerror(rc));
  pg_db_model_free(&m);
  return rc;
}

/* The file the connections open: the setting, or a private one. */
static bool database_path(pg_native *n, db_state *s, char *out, size_t cap,
                          char *why, size_t why_cap) {
  if (!pg_native_is_deterministic(n))
    return path_setting(n, "database", out, cap, why, why_cap);
  const char *dir = getenv("TMPDIR");
  snprintf(s->temp_path, sizeof s->temp_path, "%s/parigot-db-XXXXXX",
           dir != NULL && dir[0] != '\0' ? dir : "/tmp");
  int fd = mkstemp(s->temp_path);
  if (fd < 0) {
    snprintf(why, why_cap, "cannot make a private database in %s",
             s->temp_path);
    s->temp_path[0] = '\0';
    return false;
  }
  close(fd);
  snprintf(out, cap, "%s", s->temp_path);
  return true;
}

static void remove_temp(db_state *s) {
  static const char *const ends[] = {"", "-wal", "-shm", "-journal"};
  char p[PATH_MAX + 16];
  for (size_t i = 0; s->temp_path[0] != '\0' && i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", s->temp_path, ends[i]);
    unlink(p);
  }
  s->temp_path[0] = '\0';
}

static void free_state(db_state *s) {
  for (uint32_t i = 0; i < s->nconns; i++)
    pg_db_conn_close(&s->conns[i]);
  remove_temp(s);
  pg_db_model_free(&s->m);
  pg_db_buf_free(&s->out);
  free(s);
}

static bool read_settings(pg_native *n, db_state *s, uint64_t *busy_ns,
                          char *why, size_t cap) {
  const char *c = pg_native_setting(n, "connections");
  char *end;
  long v = c != NULL ? strtol(c, &end, 10) : 4;
  if (c != NULL && (*end != '\0' || v < 2 || v > DB_MAX_CONNECTIONS)) {
    snprintf(why, cap, "config.connections: expected 2 to %d, got %s",
             DB_MAX_CONNECTIONS, c);
    return false;
  }
  s->nconns = (uint32_t)v;
  return duration_setting(n, "busy_timeout", 5000000000ull, busy_ns, why,
                          cap) &&
         duration_setting(n, "tx_timeout", 10000000000ull, &s->tx_timeout_ns,
                          why, cap);
}

/* SQLite's busy handler: a lock another process holds is waited for, up
 * to busy_timeout; one of our own transactions holds it until a call of
 * ours ends it, which cannot come while this call waits: fail at once. */
static int on_busy(void *arg, int count) {
  const db_state *s = arg;
  if (s->ntxs > 0 || (uint64_t)count * 10u >= s->busy_ms)
    return 0;
  sqlite3_sleep(10);
  return 1;
}

/* Opens the connections, migrating through the first. */
static int open_all(pg_native *n, db_state *s, uint64_t busy_ns, char *why,
                    size_t cap) {
  char db_path[PATH_MAX], schema[PATH_MAX], msg[160];
  bool is_det = pg_native_is_deterministic(n);
  uint32_t want = s->nconns;
  s->busy_ms = is_det ? 0 : busy_ns / 1000000u;
  pg_db_migrated mig;
  if (!database_path(n, s, db_path, sizeof db_path, why, cap) ||
      !path_setting(n, "schema", schema, sizeof schema, why, cap))
    return PARIGOT_EINVAL;
  s->nconns = 0;
  for (uint32_t i = 0; i < want; i++) {
    int rc = pg_db_conn_open(&s->conns[i], db_path, "WAL",
                             is_det ? "OFF" : "FULL", why, cap);
    if (rc != 0)
      return rc;
    s->nconns++;
    sqlite3_busy_handler(s->conns[i].db, on_busy, s);
    if (i == 0 && (rc = pg_db_migrate(s->conns[0].db, schema, pg_mem_default(),
                                      &mig, why, cap)) != 0)
      return rc;
    if ((rc = pg_db_conn_prepare(&s->conns[i], &s->m, why, cap)) != 0)
      return rc;
  }
  snprintf(msg, sizeof msg, "schema at version %u (%u migration%s applied)",
           mig.to_version, mig.applied, mig.applied == 1 ? "" : "s");
  pg_native_log(n, 1, msg);
  return 0;
}

static int db_start(pg_native *n, void **state, char *why, size_t cap) {
  db_state *s = calloc(1, sizeof *s);
  uint64_t busy_ns;
  if (s == NULL)
    return PARIGOT_ENOMEM;
  pg_db_buf_init(&s->out, pg_mem_default(), pg_native_max_message_size(n));
  int rc = read_settings(n, s, &busy_ns, why, cap) ? 0 : PARIGOT_EINVAL;
  if (rc == 0)
    rc = load_model(n, &s->m, why, cap);
  if (rc == 0)
    rc = open_all(n, s, busy_ns, why, cap);
  if (rc != 0) {
    free_state(s);
    return rc;
  }
  *state = s;
  return 0;
}

/* ---- transactions ------------------------------------------------------- */

static db_tx *find_tx(db_state *s, uint64_t id, const pg_native_call *c) {
  for (uint32_t i = 1; i < s->nconns; i++)
    if (s->txs[i].id == id && id != 0 &&
        strlen(s->txs[i].owner) == c->caller_len &&
        memcmp(s->txs[i].owner, c->caller, c->caller_len) == 0)
      return &s->txs[i];
  return NULL;
}

/* Asks to be woken at the earliest transaction deadline, if any. */
static void arm(pg_native *n, db_state *s) {
  uint64_t at = 0;
  for (uint32_t i = 1; i < s->nconns; i++)
    if (s->txs[i].id != 0 && (at == 0 || s->txs[i].deadline_ns < at))
      at = s->txs[i].deadline_ns;
  pg_native_wake_at(n, at);
}

static void end_tx(pg_native *n, db_state *s, db_tx *t, const char *sql,
                   uint32_t *code, char *msg, size_t cap) {
  pg_db_conn *conn = &s->conns[t->conn];
  *code = pg_db_conn_exec(conn, sql, msg, cap);
  if (*code != 0 && conn->db != NULL && !sqlite3_get_autocommit(conn->db)) {
    char ignored[128]; /* a failed COMMIT leaves it open: end it */
    pg_db_conn_exec(conn, "ROLLBACK", ignored, sizeof ignored);
  }
  conn->is_in_tx = false;
  t->id = 0;
  s->ntxs--;
  arm(n, s);
}

/* BeginRequest{uint32 timeout_ms = 1} -> BeginResponse{uint64 tx = 1}. */
static uint32_t begin(pg_native *n, db_state *s, const pg_native_call *c,
                      char *msg, size_t cap) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(c->req, c->req_len);
  uint64_t timeout_ms = 0;
  while (rd.p < rd.end) {
    pg_pbwire_field f;
    if (pg_pbwire_read_field(&rd, &f) != NULL) {
      snprintf(msg, cap, "Begin: the request is not protobuf");
      return PARIGOT_CODE_INVALID_ARGUMENT;
    }
    if (f.num == 1 && f.wt == PG_PBWIRE_VARINT)
      timeout_ms = f.v;
  }
  uint32_t i = 1;
  while (i < s->nconns && s->txs[i].id != 0)
    i++;
  if (i == s->nconns || c->caller_len >= sizeof s->txs[i].owner) {
    snprintf(msg, cap,
             "Begin: all %u transactions are in use (config."
             "connections)",
             s->nconns - 1);
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  uint32_t code = pg_db_conn_exec(&s->conns[i], "BEGIN IMMEDIATE", msg, cap);
  if (code != 0)
    return code;
  db_tx *t = &s->txs[i];
  uint64_t life = timeout_ms > 0 && timeout_ms < UINT64_MAX / 1000000u
                      ? timeout_ms * 1000000u
                      : s->tx_timeout_ns;
  *t = (db_tx){
      .id = ++s->next_tx, .conn = i, .deadline_ns = pg_native_now(n) + life};
  memcpy(t->owner, c->caller, c->caller_len);
  t->owner[c->caller_len] = '\0';
  s->conns[i].is_in_tx = true;
  s->ntxs++;
  pg_db_buf_uint(&s->out, 1, t->id);
  arm(n, s);
  return 0;
}

/* Commit or Rollback: {uint64 tx = 1}, an empty answer. */
static uint32_t finish(pg_native *n, db_state *s, const pg_native_call *c,
                       bool is_commit, char *msg, size_t cap) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(c->req, c->req_len);
  uint64_t id = 0;
  uint32_t code;
  while (rd.p < rd.end) {
    pg_pbwire_field f;
    if (pg_pbwire_read_field(&rd, &f) != NULL)
      break;
    if (f.num == 1 && f.wt == PG_PBWIRE_VARINT)
      id = f.v;
  }
  db_tx *t = find_tx(s, id, c);
  if (t == NULL) {
    snprintf(msg, cap,
             "%s: no transaction %llu of yours (it ended, timed "
             "out, or was never begun)",
             is_commit ? "Commit" : "Rollback", (unsigned long long)id);
    return PARIGOT_CODE_FAILED_PRECONDITION;
  }
  end_tx(n, s, t, is_commit ? "COMMIT" : "ROLLBACK", &code, msg, cap);
  return code;
}

static void db_wake(pg_native *n, void *state, uint64_t now_ns) {
  db_state *s = state;
  for (uint32_t i = 1; i < s->nconns; i++) {
    db_tx *t = &s->txs[i];
    char msg[256], line[400];
    uint32_t code;
    if (t->id == 0 || t->deadline_ns > now_ns)
      continue;
    snprintf(line, sizeof line,
             "transaction %llu of %s rolled back: its timeout passed",
             (unsigned long long)t->id, t->owner);
    end_tx(n, s, t, "ROLLBACK", &code, msg, sizeof msg);
    pg_native_log(n, 2, line);
  }
  arm(n, s);
}

/* A guest ended: its transactions are rolled back. */
static void db_caller_ended(pg_native *n, void *state, const char *name) {
  db_state *s = state;
  for (uint32_t i = 1; i < s->nconns; i++) {
    db_tx *t = &s->txs[i];
    char msg[256], line[400];
    uint32_t code;
    if (t->id == 0 || strcmp(t->owner, name) != 0)
      continue;
    snprintf(line, sizeof line, "transaction %llu of %s rolled back: %s ended",
             (unsigned long long)t->id, name, name);
    end_tx(n, s, t, "ROLLBACK", &code, msg, sizeof msg);
    pg_native_log(n, 2, line);
  }
}

/* ---- calls -------------------------------------------------------------- */

static bool method_is(const pg_native_call *c, const char *name) {
  return c->method_len == strlen(name) &&
         memcmp(c->method, name, c->method_len) == 0;
}

/* The connection for a call: its transaction's, or the first. */
static pg_db_conn *conn_for(db_state *s, const pg_native_call *c,
                            uint32_t *code, char *msg, size_t cap) {
  uint64_t id;
  if (!pg_db_request_tx(c->req, c->req_len, &id)) {
    snprintf(msg, cap, "%.*s: the request is not protobuf", (int)c->method_len,
             c->method);
    *code = PARIGOT_CODE_INVALID_ARGUMENT;
    return NULL;
  }
  if (id == 0)
    return &s->conns[0];
  db_tx *t = find_tx(s, id, c);
  if (t != NULL)
    return &s->conns[t->conn];
  snprintf(msg, cap,
           "%.*s: no transaction %llu of yours (it ended, timed "
           "out, or was never begun)",
           (int)c->method_len, c->method, (unsigned long long)id);
  *code = PARIGOT_CODE_FAILED_PRECONDITION;
  return NULL;
}

static uint32_t route(pg_native *n, db_state *s, const pg_native_call *c,
                      char *msg, size_t cap) {
  uint32_t code = 0;
  if (method_is(c, "Begin"))
    return begin(n, s, c, msg, cap);
  if (method_is(c, "Commit") || method_is(c, "Rollback"))
    return finish(n, s, c, method_is(c, "Commit"), msg, cap);
  pg_db_conn *conn = conn_for(s, c, &code, msg, cap);
  if (conn == NULL)
    return code;
  if (method_is(c, "Batch"))
    return pg_db_run_batch(conn, c->req, c->req_len, &s->out, msg, cap);
  for (uint32_t i = 0; i < s->m.nqueries; i++)
    if (method_is(c, s->m.queries[i].name))
      return pg_db_run(conn, i, c->req, c->req_len, &s->out, msg, cap);
  snprintf(msg, cap, "%s.%s has no method %.*s", s->m.package, s->m.service,
           (int)c->method_len, c->method);
  return PARIGOT_CODE_UNIMPLEMENTED;
}

static void db_call(pg_native *n, void *state, const pg_native_call *c) {
  db_state *s = state;
  char msg[1024];
  pg_db_buf_clear(&s->out);
  uint32_t code = route(n, s, c, msg, sizeof msg);
  if (code == 0)
    pg_native_respond(n, c->id, 0, 0, s->out.data, s->out.len);
  else
    pg_native_respond(n, c->id, code, 0, msg, strlen(msg));
}

static void db_stop(pg_native *n, void *state) {
  db_state *s = state;
  for (uint32_t i = 1; i < s->nconns; i++)
    if (s->txs[i].id != 0) {
      char msg[128];
      uint32_t code;
      end_tx(n, s, &s->txs[i], "ROLLBACK", &code, msg, sizeof msg);
    }
  free_state(s);
}

const pg_native_kind pg_db_native = {
    .name = "parigot.db",
    .start = db_start,
    .call = db_call,
    .stop = db_stop,
    .settings = settings,
    .nsettings = sizeof settings / sizeof *settings,
    .declare = db_declare,
    .wake = db_wake,
    .caller_ended = db_caller_ended,
};
