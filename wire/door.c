/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/door.c: Authorization: Basic at a unit's port, for any request
 * (gRPC, Connect, an HTTP route) from a client that is not a unit of the
 * app.
 *
 * The header is read here (the scheme "Basic", case aside; base64 of
 * "login:password"; anything else is 401) and checked with the auth
 * library (auth/users.h) on libuv's threads: a check hashes the password,
 * tens of milliseconds the loop never waits. A good check fills the
 * request's user (login, name, roles) and the request goes on
 * (pg_wire_stream_admitted); a bad one is 401 with WWW-Authenticate
 * (server.c adds it), or UNAUTHENTICATED for gRPC. No header: no user,
 * and whoever serves the request decides whether one was needed.
 *
 * Good checks are remembered for DOOR_TTL_MS in a small table keyed by
 * SHA-256 of the header's value (the password itself is never kept, and
 * every copy of it is wiped), so a browser's request per page does not
 * hash again. Failures are counted per client address (auth/throttle.h):
 * a client that keeps failing has its next check held by a timer for
 * pg_throttle_delay, without blocking anything; and has at most
 * DOOR_PER_CLIENT checks going at once (429 past that), so that it cannot
 * guess in parallel faster than the throttle counts. Passwords are never
 * logged.
 *
 * Owns the users, the throttle, the cache and the checks in flight; loop
 * thread, but for the password check itself.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "grpc.h"
#include "parigot/error.h"
#include "rpc.h"
#include "sha256.h"
#include "throttle.h"
#include "users.h"
#include "wireint.h"

#define DOOR_CACHE 64
#define DOOR_TTL_MS 30000u
#define DOOR_CLIENTS 4096u
#define DOOR_MAX_CREDENTIALS 1024u /* bytes of login:password */
#define DOOR_PER_CLIENT 4u         /* checks of one client held or running */
#define DOOR_IN_FLIGHT 64u         /* checks of all clients held or running */

typedef struct cache_entry {
  uint8_t key[PG_SHA256_LEN]; /* SHA-256 of the header's value */
  uint64_t expires_ms;        /* loop time; 0: empty */
  pg_user user;
} cache_entry;

typedef struct door_job door_job;

typedef struct door {
  pg_users *users;       /* NULL: nobody logs in */
  pg_throttle *throttle; /* failures per client */
  cache_entry cache[DOOR_CACHE];
  door_job *jobs; /* checks held or running */
  uint32_t njobs;
} door;

/* One check: held by its timer, then on a worker thread. */
struct door_job {
  pg_wire_pending pending; /* first: the stream, NULL once it is gone */
  pg_wire *w;
  door_job *prev, *next;
  uv_timer_t timer; /* always initialised: closing it frees the job */
  uv_work_t work;
  bool is_working;
  uint8_t key[PG_SHA256_LEN];
  char client[PG_THROTTLE_CLIENT_MAX];
  char creds[DOOR_MAX_CREDENTIALS]; /* login:password; wiped */
  size_t creds_len, colon;
  int rc;
  pg_user user;
};

const char *pg_wire_realm(const pg_wire *w) {
  return w->cfg.realm != NULL && w->cfg.realm[0] != '\0' ? w->cfg.realm
                                                         : w->cfg.unit;
}

static void users_log(void *user, const char *msg) {
  pg_wire_say(user, 2, "%s", msg);
}

int pg_wire_door_init(pg_wire *w, char *err, size_t err_len) {
  door *d = pg_mem_calloc(w->mem, 1, sizeof *d);
  if (d == NULL)
    return PARIGOT_ENOMEM;
  w->door = d;
  int rc = pg_throttle_new(DOOR_CLIENTS, w->mem, &d->throttle);
  if (rc != 0) {
    snprintf(err, err_len, "out of memory");
    return rc;
  }
  if (w->cfg.users == NULL)
    return 0;
  rc = pg_users_open(w->cfg.users, w->cfg.groups, w->mem, &d->users, err,
                     err_len);
  if (rc == 0)
    pg_users_set_log(d->users, users_log, w);
  return rc;
}

void pg_wire_door_free(pg_wire *w) {
  door *d = w->door;
  if (d == NULL)
    return;
  pg_users_free(d->users);
  pg_throttle_free(d->throttle);
  explicit_bzero(d->cache, sizeof d->cache);
  pg_mem_free(w->mem, d);
  w->door = NULL;
}

/* ---- the job's life ----------------------------------------------------- */

static void job_freed(uv_handle_t *h) {
  door_job *j = h->data;
  explicit_bzero(j->creds, sizeof j->creds);
  pg_mem_free(j->w->mem, j);
}

static void job_end(door_job *j) {
  door *d = j->w->door;
  if (j->prev != NULL)
    j->prev->next = j->next;
  else
    d->jobs = j->next;
  if (j->next != NULL)
    j->next->prev = j->prev;
  d->njobs--;
  if (j->pending.s != NULL)
    j->pending.s->pending = NULL;
  uv_close((uv_handle_t *)&j->timer, job_freed);
}

void pg_wire_door_stop(pg_wire *w) {
  door *d = w->door;
  for (door_job *j = d != NULL ? d->jobs : NULL, *next; j != NULL; j = next) {
    next = j->next;
    if (!j->is_working) /* held by its timer: ends now */
      job_end(j);
  }
}

/* ---- answers ------------------------------------------------------------ */

static void refuse(pg_wire_stream *s, const char *why) {
  pg_wire_stream_refuse(s, PG_GRPC_UNAUTHENTICATED, 401, why);
}

/* Whether another check may start: a client has at most DOOR_PER_CLIENT
 * at once (so it cannot guess in parallel past the throttle, which counts
 * failures as they end), all clients DOOR_IN_FLIGHT (the worker threads'
 * queue stays short). Answered 429 or 503 otherwise. */
static bool has_room(door *d, pg_wire_stream *s) {
  uint32_t mine = 0;
  for (door_job *j = d->jobs; j != NULL; j = j->next)
    mine += strcmp(j->client, s->c->name) == 0;
  if (mine >= DOOR_PER_CLIENT) {
    pg_wire_stream_refuse(s, PG_GRPC_RESOURCE_EXHAUSTED, 429,
                          "too many logins at once from this address");
    return false;
  }
  if (d->njobs >= DOOR_IN_FLIGHT) {
    pg_wire_stream_refuse(s, PG_GRPC_UNAVAILABLE, 503,
                          "too many logins at once");
    return false;
  }
  return true;
}

static void admit(pg_wire_stream *s, const pg_user *u) {
  pg_wire_who *who = &s->who;
  snprintf(who->user_id, sizeof who->user_id, "%s", u->id);
  snprintf(who->user_name, sizeof who->user_name, "%s", u->name);
  snprintf(who->user_roles, sizeof who->user_roles, "%s", u->roles);
  pg_wire_stream_admitted(s);
}

/* ---- the cache ---------------------------------------------------------- */

static const pg_user *cached(door *d, const uint8_t key[PG_SHA256_LEN],
                             uint64_t now) {
  for (size_t i = 0; i < DOOR_CACHE; i++)
    if (d->cache[i].expires_ms > now &&
        memcmp(d->cache[i].key, key, PG_SHA256_LEN) == 0)
      return &d->cache[i].user;
  return NULL;
}

static void remember(door *d, const uint8_t key[PG_SHA256_LEN],
                     const pg_user *u, uint64_t now) {
  size_t at = 0; /* the one that expires first (or is empty) */
  for (size_t i = 0; i < DOOR_CACHE; i++)
    if (d->cache[i].expires_ms < d->cache[at].expires_ms)
      at = i;
  memcpy(d->cache[at].key, key, PG_SHA256_LEN);
  d->cache[at].user = *u;
  d->cache[at].expires_ms = now + DOOR_TTL_MS;
}

/* ---- Basic -------------------------------------------------------------- */

static int b64(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64 (RFC 4648, padding optional) of @p in into @p out, at most cap
 * bytes; false when malformed or too long. */
static bool unbase64(const char *in, char *out, size_t cap, size_t *len) {
  size_t n = 0, bits = 0, k = strlen(in);
  uint32_t acc = 0;
  while (k > 0 && in[k - 1] == '=')
    k--;
  if (strlen(in) - k > 2)
    return false;
  for (size_t i = 0; i < k; i++) {
    int v = b64(in[i]);
    if (v < 0)
      return false;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= cap)
        return false;
      out[n++] = (char)(acc >> bits & 0xff);
    }
  }
  if (bits >= 6) /* a lone character encodes no byte */
    return false;
  *len = n;
  return true;
}

/* "Basic <base64>" into j's credentials; NULL, or why not. */
static const char *parse(const char *v, door_job *j) {
  if (strncasecmp(v, "Basic", 5) != 0 || (v[5] != ' ' && v[5] != '\t'))
    return "only Basic authorization is taken here";
  v += 5;
  while (*v == ' ' || *v == '\t')
    v++;
  if (!unbase64(v, j->creds, sizeof j->creds - 1, &j->creds_len))
    return "malformed Basic credentials";
  const char *colon = memchr(j->creds, ':', j->creds_len);
  if (colon == NULL)
    return "malformed Basic credentials";
  j->colon = (size_t)(colon - j->creds);
  return NULL;
}

/* ---- the check ---------------------------------------------------------- */

static void check_work(uv_work_t *work) {
  door_job *j = work->data;
  door *d = j->w->door;
  j->rc = pg_users_check(d->users, j->creds, j->colon, j->creds + j->colon + 1,
                         j->creds_len - j->colon - 1, &j->user);
  explicit_bzero(j->creds, sizeof j->creds);
}

static void check_done(uv_work_t *work, int status) {
  door_job *j = work->data;
  pg_wire *w = j->w;
  door *d = w->door;
  pg_wire_stream *s = j->pending.s;
  j->is_working = false;
  if (status != 0)
    j->rc = PARIGOT_EIO; /* cancelled */
  if (s != NULL && !w->is_stopping) {
    pg_wire_conn *c = s->c;
    uint64_t now = uv_now(&w->loop);
    s->pending = NULL;
    j->pending.s = NULL;
    if (j->rc == 0) {
      pg_throttle_passed(d->throttle, j->client);
      remember(d, j->key, &j->user, now);
      admit(s, &j->user);
    } else {
      pg_throttle_failed(d->throttle, j->client, now * 1000000u);
      refuse(s, "wrong login or password");
    }
    pg_wire_conn_flush(c);
  }
  job_end(j);
}

static void start_work(door_job *j) {
  j->is_working = true;
  j->work.data = j;
  if (uv_queue_work(&j->w->loop, &j->work, check_work, check_done) != 0)
    check_done(&j->work, UV_ECANCELED);
}

static void on_held(uv_timer_t *t) {
  door_job *j = t->data;
  if (j->pending.s == NULL) { /* the client left while held */
    job_end(j);
    return;
  }
  start_work(j);
}

void pg_wire_door_check(pg_wire_stream *s) {
  pg_wire *w = s->c->w;
  door *d = w->door;
  const char *v = pg_wire_hdrs_get(&s->headers, "authorization");
  uint64_t now = uv_now(&w->loop);
  uint8_t key[PG_SHA256_LEN];
  pg_sha256 h;
  pg_sha256_init(&h);
  pg_sha256_update(&h, v, strlen(v));
  pg_sha256_final(&h, key);
  const pg_user *u = cached(d, key, now);
  if (u != NULL) {
    admit(s, u);
    return;
  }
  if (!has_room(d, s))
    return;
  door_job *j = pg_mem_calloc(w->mem, 1, sizeof *j);
  if (j == NULL) {
    refuse(s, "out of memory");
    return;
  }
  const char *bad = parse(v, j);
  if (bad == NULL && d->users == NULL)
    bad = "nobody logs in at this unit";
  if (bad != NULL) {
    explicit_bzero(j->creds, sizeof j->creds);
    pg_mem_free(w->mem, j);
    refuse(s, bad);
    return;
  }
  j->w = w;
  j->pending.s = s;
  memcpy(j->key, key, sizeof key);
  snprintf(j->client, sizeof j->client, "%s", s->c->name);
  uv_timer_init(&w->loop, &j->timer);
  j->timer.data = j;
  j->next = d->jobs;
  if (d->jobs != NULL)
    d->jobs->prev = j;
  d->jobs = j;
  d->njobs++;
  s->pending = &j->pending;
  uint64_t hold = pg_throttle_delay(d->throttle, j->client, now * 1000000u);
  if (hold > 0)
    uv_timer_start(&j->timer, on_held, (hold + 999999u) / 1000000u, 0);
  else
    start_work(j);
}
