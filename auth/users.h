/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/users.h: who may log in to an app: the users of an htpasswd file and
 * their roles from an Apache AuthGroupFile, and the check of a login and
 * password against them.
 *
 * A pg_users owns a copy of both files' contents (logins, password hashes,
 * roles), re-read when the files change. Every function may be called from
 * any thread; pg_users_check from several at once. pg_users_check is
 * BLOCKING (one password hash): the wire calls it off its event loop.
 */
#ifndef PG_AUTH_USERS_H
#define PG_AUTH_USERS_H

#include <stddef.h>

#include "mem.h"

#define PG_USER_ID_MAX 64 /* a login: [A-Za-z0-9._@-], 1..64 bytes */
#define PG_USER_NAME_MAX 128
#define PG_USER_ROLES_MAX 512 /* role names ([A-Za-z0-9._-]) joined by ',' */

typedef struct pg_user {
  char id[PG_USER_ID_MAX + 1];       /* the login */
  char name[PG_USER_NAME_MAX + 1];   /* the name to show: the login (htpasswd
                                        has no other) */
  char roles[PG_USER_ROLES_MAX + 1]; /* from the group file, sorted, joined by
                                        ','; "" none */
} pg_user;

typedef struct pg_users pg_users;

/** @brief Called (at most once per change of state) when a changed file
 * could not be read again and the last good users stay in force; @p msg
 * names FILE:LINE and why, and is valid for the call only. Called on the
 * thread of the pg_users_check that noticed, with the users' lock held: it
 * must not call back into this pg_users. */
typedef void (*pg_users_log_cb)(void *user_data, const char *msg);

/**
 * @brief Opens the users of an htpasswd file and, optionally, an Apache
 * AuthGroupFile ("role: alice bob" per line). Reads both at once: a missing
 * or malformed file is an error naming FILE:LINE and why (e.g. "$apr1$
 * hashes cannot be checked here: write them with htpasswd -B"), written to
 * @p err. Any thread.
 * @param[in] users_path   borrowed for the call (a copy is kept).
 * @param[in] groups_path  NULL: no roles. Borrowed for the call.
 * @param[in] mem          borrowed; must outlive the pg_users.
 * @param[out] out         a new pg_users on success, for pg_users_free.
 * @return 0, PARIGOT_ENOENT (a file is missing), PARIGOT_EIO (unreadable),
 *         PARIGOT_ESYNTAX (malformed), PARIGOT_ENOTSUP (a hash scheme we
 *         cannot check), PARIGOT_ENOMEM.
 */
int pg_users_open(const char *users_path, const char *groups_path,
                  const pg_mem *mem, pg_users **out, char *err, size_t err_len);

/** @brief Sets the callback of reload failures (NULL: none). Call it before
 * sharing @p u with other threads. */
void pg_users_set_log(pg_users *u, pg_users_log_cb cb, void *user_data);

/**
 * @brief Checks a login and password. BLOCKING (one password hash: tens of
 * ms): never call it on an event loop. Thread-safe (several threads at once).
 * Re-reads the files when they changed (stat: mtime, size, inode; checked at
 * most once a second); a file that became unreadable or malformed keeps the
 * last good users and says so once through the log callback if you add one.
 * Wipes every copy of the password it made (explicit_bzero).
 * @param[in] login, password  borrowed for the call; need not end in NUL.
 * @param[out] out  filled on success only.
 * @return 0; PARIGOT_EACCES for no such user OR a wrong password, taking the
 *         same time either way (a dummy hash for unknown users);
 *         PARIGOT_EINVAL for a login or password that is too long or has a
 *         NUL; PARIGOT_ENOMEM.
 */
int pg_users_check(pg_users *u, const char *login, size_t login_len,
                   const char *password, size_t password_len, pg_user *out);

/** @brief Frees @p u. NULL is a no-op. No check may be running. */
void pg_users_free(pg_users *u);

#endif /* PG_AUTH_USERS_H */
