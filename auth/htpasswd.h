/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/htpasswd.h: Apache's two text files of users, as lines: the htpasswd
 * file ("login:hash" per line) and the AuthGroupFile ("role: alice bob" per
 * line); reading them (bounded), editing one user, and writing them back
 * whole, atomically.
 *
 * A pg_htfile owns a copy of every line of its file, in order; comments
 * ('#'), blank lines and other users' lines are written back untouched.
 * A pg_htfile belongs to one thread at a time.
 */
#ifndef PG_AUTH_HTPASSWD_H
#define PG_AUTH_HTPASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define PG_HT_LINE_MAX 8192        /* bytes of a line, without its newline */
#define PG_HT_LINES_MAX 100000     /* lines of a file */
#define PG_HT_FILE_MAX (64u << 20) /* bytes of a file */

typedef struct pg_htfile {
  const pg_mem *mem; /* borrowed */
  char **lines;      /* each line, without its newline, NUL-terminated */
  size_t n, cap;
} pg_htfile;

/** @brief What identifies a version of a file: a change of any of these is
 * a new version. */
typedef struct pg_htstamp {
  uint64_t dev, ino, size;
  int64_t mtime_ns;
} pg_htstamp;

/** @brief A parsed htpasswd line; pointers into the line. */
typedef struct pg_htpasswd_entry {
  const char *login, *hash;
  size_t login_len, hash_len;
} pg_htpasswd_entry;

/** @brief A parsed group line; pointers into the line. */
typedef struct pg_htgroup_entry {
  const char *role, *members; /* members: logins separated by spaces */
  size_t role_len, members_len;
} pg_htgroup_entry;

/** @brief Whether @p s (@p len bytes) is a login: [A-Za-z0-9._@-],
 * 1..PG_USER_ID_MAX bytes. */
bool pg_login_valid(const char *s, size_t len);
/** @brief Whether @p s (@p len bytes) is a role: [A-Za-z0-9._-], 1..64. */
bool pg_role_valid(const char *s, size_t len);

/**
 * @brief Reads the file at @p path into @p out (which it initialises).
 * Refuses a line longer than PG_HT_LINE_MAX, more than PG_HT_LINES_MAX
 * lines, a NUL byte, a file past PG_HT_FILE_MAX; @p err names FILE:LINE.
 * A trailing '\r' is dropped from each line.
 * @param[in] is_missing_empty  a missing file reads as no lines (for a file
 *            the CLI is about to create).
 * @param[out] stamp  NULL, or the stamp of the file read (zeroes if missing).
 * @return 0, PARIGOT_ENOENT, PARIGOT_EIO, PARIGOT_ESYNTAX, PARIGOT_ETOOBIG,
 *         PARIGOT_ENOMEM.
 */
int pg_htfile_read(const char *path, bool is_missing_empty, const pg_mem *mem,
                   pg_htfile *out, pg_htstamp *stamp, char *err,
                   size_t err_len);

/** @brief The stamp of the file at @p path now; PARIGOT_ENOENT/EIO. */
int pg_htfile_stat(const char *path, pg_htstamp *out);

/**
 * @brief Writes every line of @p f to @p path, whole or not at all: a temp
 * file in the same directory, fsync, rename, fsync of the directory. Keeps
 * the mode of the file it replaces, and its owner when allowed to (root);
 * a new file gets 0600.
 * @return 0, PARIGOT_EIO (@p err names the file and the system's reason).
 */
int pg_htfile_write(const pg_htfile *f, const char *path, char *err,
                    size_t err_len);

/** @brief Frees the lines of @p f; it may be read into again. */
void pg_htfile_deinit(pg_htfile *f);

/**
 * @brief Parses an htpasswd line: 1 and @p out for "login:hash", 0 for a
 * comment or blank line, PARIGOT_ESYNTAX with @p why for anything else (no
 * ':', a login that is not valid, an empty hash). The hash's scheme is not
 * judged here (see pg_password_hash_ok).
 */
int pg_htpasswd_parse(const char *line, pg_htpasswd_entry *out, char *why,
                      size_t why_len);

/** @brief Checks every line of an htpasswd file (syntax, logins given
 * twice); @p err names PATH:LINE. 0 or PARIGOT_ESYNTAX. */
int pg_htpasswd_check(const pg_htfile *f, const char *path, char *err,
                      size_t err_len);

/** @brief The index of @p login's line, or -1. */
long pg_htpasswd_find(const pg_htfile *f, const char *login);

/** @brief Replaces @p login's hash in place, or appends a line for it.
 * 0, PARIGOT_EINVAL (a login or hash that cannot be written), ENOMEM. */
int pg_htpasswd_set(pg_htfile *f, const char *login, const char *hash);

/** @brief Removes @p login's line; whether there was one. */
bool pg_htpasswd_remove(pg_htfile *f, const char *login);

/**
 * @brief Parses a group line: 1 and @p out for "role: login login", 0 for a
 * comment or blank line, PARIGOT_ESYNTAX with @p why otherwise (no ':', a
 * role or member that is not valid).
 */
int pg_htgroup_parse(const char *line, pg_htgroup_entry *out, char *why,
                     size_t why_len);

/** @brief Checks every line of a group file; @p err names PATH:LINE. */
int pg_htgroup_check(const pg_htfile *f, const char *path, char *err,
                     size_t err_len);

/** @brief The roles of @p login, sorted, without duplicates, joined by ','
 * into @p out ("" for none). 0 or PARIGOT_ENOSPC. The file must have passed
 * pg_htgroup_check. */
int pg_htgroup_roles(const pg_htfile *f, const char *login, char *out,
                     size_t out_len);

/** @brief Adds @p login to @p role (to the role's first line, or a new line
 * "role: login" at the end); nothing if it is in it already.
 * 0, PARIGOT_EINVAL, PARIGOT_ENOMEM. */
int pg_htgroup_add(pg_htfile *f, const char *role, const char *login);

/** @brief Removes @p login from every role (a role left empty keeps its
 * line). 0 or PARIGOT_ENOMEM; @p changed says whether a line changed. */
int pg_htgroup_remove_user(pg_htfile *f, const char *login, bool *changed);

#endif /* PG_AUTH_HTPASSWD_H */
