/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/users.c: the users of an htpasswd file and their roles from a group
 * file, and the check of a login and password against them.
 *
 * A pg_users owns a snapshot of both files (logins sorted for bsearch, each
 * with its hash and joined roles), the files' stamps, and a mutex. A check
 * takes the mutex only to look at the files' stamps (at most once a second),
 * reload them if they changed, and copy out the one user it needs; the
 * password hash itself runs outside it, so several threads check at once.
 * Calls htpasswd.c (files), password.c (hashes), the clock.
 */
#include "users.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "htpasswd.h"
#include "parigot/error.h"
#include "password.h"

#define RESTAT_NS 1000000000ull /* files looked at once a second at most */
#define MSG_MAX 512

/* What an unknown login is checked against when the file has no user, so
 * that it costs what a real check costs: yescrypt of a password no one
 * has, at libxcrypt's default cost. */
static const char empty_dummy[] =
    "$y$j9T$h6pbCk.R06z8KPiicIrv..$73d14Ufdo6uqHuk0XwS9mfoWTMKjp8mLIpS0WVtsCrD";

typedef struct entry {
  char id[PG_USER_ID_MAX + 1];
  char roles[PG_USER_ROLES_MAX + 1];
  char *hash; /* owned */
} entry;

typedef struct snapshot {
  entry *v; /* sorted by id */
  size_t n;
  char *dummy; /* owned: an unknown login's hash (a copy of a real one) */
  pg_htstamp users_stamp, groups_stamp;
} snapshot;

struct pg_users {
  const pg_mem *mem;
  char *users_path, *groups_path; /* owned; groups_path may be NULL */
  pthread_mutex_t lock;           /* guards everything below */
  snapshot snap;
  uint64_t next_stat_ns;
  bool has_failed;                        /* the last reload failed ... */
  pg_htstamp failed_users, failed_groups; /* ... on these versions */
  pg_users_log_cb log;
  void *log_data;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool same_stamp(const pg_htstamp *a, const pg_htstamp *b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns;
}

static void free_snapshot(const pg_mem *mem, snapshot *s) {
  for (size_t i = 0; i < s->n; i++) {
    explicit_bzero(s->v[i].hash, strlen(s->v[i].hash));
    pg_mem_free(mem, s->v[i].hash);
  }
  pg_mem_free(mem, s->v);
  pg_mem_free(mem, s->dummy);
  *s = (snapshot){0};
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const entry *)a)->id, ((const entry *)b)->id);
}

static entry *find(const snapshot *s, const char *id) {
  entry key;
  memcpy(key.id, id, strlen(id) + 1);
  return bsearch(&key, s->v, s->n, sizeof *s->v, cmp_entry);
}

/* The users of a checked htpasswd file into @p s, sorted; every hash must
 * be one we can check. */
static int take_users(const pg_mem *mem, const pg_htfile *f, const char *path,
                      snapshot *s, char *err, size_t err_len) {
  s->v = pg_mem_calloc(mem, f->n ? f->n : 1, sizeof *s->v);
  if (!s->v)
    return PARIGOT_ENOMEM;
  char why[256];
  for (size_t i = 0; i < f->n; i++) {
    pg_htpasswd_entry e;
    if (pg_htpasswd_parse(f->lines[i], &e, why, sizeof why) != 1)
      continue;
    int rc = pg_password_hash_ok(e.hash, e.hash_len, why, sizeof why);
    if (rc != 0) {
      snprintf(err, err_len, "%s:%zu: %.*s: %s", path, i + 1, (int)e.login_len,
               e.login, why);
      return rc;
    }
    entry *u = &s->v[s->n];
    memcpy(u->id, e.login, e.login_len);
    u->id[e.login_len] = 0;
    u->hash = pg_mem_malloc(mem, e.hash_len + 1);
    if (!u->hash)
      return PARIGOT_ENOMEM;
    memcpy(u->hash, e.hash, e.hash_len);
    u->hash[e.hash_len] = 0;
    if (s->n++ == 0 && !(s->dummy = pg_mem_strdup(mem, u->hash)))
      return PARIGOT_ENOMEM;
  }
  if (s->n == 0 && !(s->dummy = pg_mem_strdup(mem, empty_dummy)))
    return PARIGOT_ENOMEM;
  qsort(s->v, s->n, sizeof *s->v, cmp_entry);
  return 0;
}

static int cmp_role(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the roles of @p roles ("a,b,a", in place) and drops duplicates. */
static void sort_roles(char *roles) {
  char *names[PG_USER_ROLES_MAX / 2 + 1];
  size_t n = 0;
  for (char *p = roles; *p;) {
    names[n++] = p;
    p += strcspn(p, ",");
    if (*p)
      *p++ = 0;
  }
  qsort(names, n, sizeof *names, cmp_role);
  char out[PG_USER_ROLES_MAX + 1];
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
      continue;
    used += (size_t)sprintf(out + used, "%s%s", used ? "," : "", names[i]);
  }
  out[used] = 0;
  memcpy(roles, out, used + 1);
}

/* Adds @p role to @p u's roles, unsorted for now. */
static int add_role(entry *u, const char *role, size_t role_len) {
  size_t used = strlen(u->roles);
  if (used + (used > 0) + role_len > PG_USER_ROLES_MAX)
    return PARIGOT_ENOSPC;
  if (used > 0)
    u->roles[used++] = ',';
  memcpy(u->roles + used, role, role_len);
  u->roles[used + role_len] = 0;
  return 0;
}

/* Each member's roles from a checked group file; members who are not users
 * are left out (Apache does the same). */
static int take_roles(const pg_htfile *f, const char *path, snapshot *s,
                      char *err, size_t err_len) {
  char why[128];
  for (size_t i = 0; i < f->n; i++) {
    pg_htgroup_entry e;
    if (pg_htgroup_parse(f->lines[i], &e, why, sizeof why) != 1)
      continue;
    const char *p = e.members, *end = e.members + e.members_len;
    while (p < end) {
      p += strspn(p, " \t");
      size_t len = strcspn(p, " \t");
      if (len == 0)
        break;
      char id[PG_USER_ID_MAX + 1];
      memcpy(id, p, len); /* a checked member: len <= PG_USER_ID_MAX */
      id[len] = 0;
      p += len;
      entry *u = find(s, id);
      if (u && add_role(u, e.role, e.role_len) != 0) {
        snprintf(err, err_len,
                 "%s:%zu: %s has more roles than fit in %d "
                 "bytes",
                 path, i + 1, id, PG_USER_ROLES_MAX);
        return PARIGOT_ETOOBIG;
      }
    }
  }
  for (size_t i = 0; i < s->n; i++)
    sort_roles(s->v[i].roles);
  return 0;
}

/* Reads both files into a new snapshot @p s (freed on failure). */
static int load(const pg_mem *mem, const char *users_path,
                const char *groups_path, snapshot *s, char *err,
                size_t err_len) {
  *s = (snapshot){0};
  pg_htfile users = {.mem = mem}, groups = {.mem = mem};
  int rc = pg_htfile_read(users_path, false, mem, &users, &s->users_stamp, err,
                          err_len);
  if (rc == 0)
    rc = pg_htpasswd_check(&users, users_path, err, err_len);
  if (rc == 0 && groups_path) {
    rc = pg_htfile_read(groups_path, false, mem, &groups, &s->groups_stamp, err,
                        err_len);
    if (rc == 0)
      rc = pg_htgroup_check(&groups, groups_path, err, err_len);
  }
  if (rc == 0)
    rc = take_users(mem, &users, users_path, s, err, err_len);
  if (rc == 0 && groups_path)
    rc = take_roles(&groups, groups_path, s, err, err_len);
  if (rc == PARIGOT_ENOMEM)
    snprintf(err, err_len, "%s: out of memory", users_path);
  /* The lines held hashes: wipe them before they go back to the heap. */
  for (size_t i = 0; i < users.n; i++)
    explicit_bzero(users.lines[i], strlen(users.lines[i]));
  pg_htfile_deinit(&users);
  pg_htfile_deinit(&groups);
  if (rc != 0)
    free_snapshot(mem, s);
  return rc;
}

int pg_users_open(const char *users_path, const char *groups_path,
                  const pg_mem *mem, pg_users **out, char *err,
                  size_t err_len) {
  pg_users *u = pg_mem_calloc(mem, 1, sizeof *u);
  if (!u) {
    snprintf(err, err_len, "out of memory");
    return PARIGOT_ENOMEM;
  }
  u->mem = mem;
  pthread_mutex_init(&u->lock, NULL);
  u->users_path = pg_mem_strdup(mem, users_path);
  u->groups_path = groups_path ? pg_mem_strdup(mem, groups_path) : NULL;
  if (!u->users_path || (groups_path && !u->groups_path)) {
    snprintf(err, err_len, "out of memory");
    pg_users_free(u);
    return PARIGOT_ENOMEM;
  }
  int rc = load(mem, users_path, groups_path, &u->snap, err, err_len);
  if (rc != 0) {
    pg_users_free(u);
    return rc;
  }
  u->next_stat_ns = now_ns() + RESTAT_NS;
  *out = u;
  return 0;
}

void pg_users_set_log(pg_users *u, pg_users_log_cb cb, void *user_data) {
  u->log = cb;
  u->log_data = user_data;
}

/* With the lock held: reloads the files if they changed since the snapshot
 * (and since the last failed reload), at most once a second. */
static void maybe_reload(pg_users *u) {
  uint64_t now = now_ns();
  if (now < u->next_stat_ns)
    return;
  u->next_stat_ns = now + RESTAT_NS;
  pg_htstamp us = {0}, gs = {0};
  pg_htfile_stat(u->users_path, &us);
  if (u->groups_path)
    pg_htfile_stat(u->groups_path, &gs);
  if (same_stamp(&us, &u->snap.users_stamp) &&
      same_stamp(&gs, &u->snap.groups_stamp))
    return;
  if (u->has_failed && same_stamp(&us, &u->failed_users) &&
      same_stamp(&gs, &u->failed_groups))
    return; /* the same broken files: said already */
  snapshot s;
  char err[MSG_MAX];
  if (load(u->mem, u->users_path, u->groups_path, &s, err, sizeof err) == 0) {
    free_snapshot(u->mem, &u->snap);
    u->snap = s;
    u->has_failed = false;
    return;
  }
  u->has_failed = true;
  u->failed_users = us;
  u->failed_groups = gs;
  if (u->log) {
    char msg[MSG_MAX + 64];
    snprintf(msg, sizeof msg, "%s (the users read before stay in force)", err);
    u->log(u->log_data, msg);
  }
}

int pg_users_check(pg_users *u, const char *login, size_t login_len,
                   const char *password, size_t password_len, pg_user *out) {
  if (login_len > PG_USER_ID_MAX || memchr(login, 0, login_len) ||
      password_len > PG_PASSWORD_MAX || memchr(password, 0, password_len))
    return PARIGOT_EINVAL;
  char id[PG_USER_ID_MAX + 1];
  memcpy(id, login, login_len);
  id[login_len] = 0;
  char hash[PG_PASSWORD_HASH_MAX + 1];
  pg_user user = {0};
  pthread_mutex_lock(&u->lock);
  maybe_reload(u);
  const entry *e = find(&u->snap, id);
  snprintf(hash, sizeof hash, "%s", e ? e->hash : u->snap.dummy);
  if (e) {
    memcpy(user.id, e->id, sizeof user.id);
    memcpy(user.name, e->id, sizeof user.id);
    memcpy(user.roles, e->roles, sizeof user.roles);
  }
  pthread_mutex_unlock(&u->lock);
  int rc = pg_password_verify(password, password_len, hash, u->mem);
  explicit_bzero(hash, sizeof hash);
  if (rc == 0 && !e)
    rc = PARIGOT_EACCES; /* the dummy matched: still no such user */
  if (rc == 0)
    *out = user;
  return rc;
}

void pg_users_free(pg_users *u) {
  if (!u)
    return;
  pthread_mutex_destroy(&u->lock);
  free_snapshot(u->mem, &u->snap);
  pg_mem_free(u->mem, u->users_path);
  pg_mem_free(u->mem, u->groups_path);
  pg_mem_free(u->mem, u);
}
