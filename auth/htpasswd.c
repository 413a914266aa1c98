/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/htpasswd.c: Apache's htpasswd and AuthGroupFile files as lines: the
 * bounded reader, the atomic writer (temp file, fsync, rename), and the
 * parsing and editing of one user's lines in each.
 *
 * Owns each pg_htfile's copies of its lines (through its pg_mem). Calls the
 * file system only in pg_htfile_read, _stat and _write. One thread per
 * pg_htfile.
 */
#include "htpasswd.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h> /* qsort */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parigot/error.h"
#include "users.h"

#define ROLE_MAX 64

static bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

bool pg_login_valid(const char *s, size_t len) {
  if (len == 0 || len > PG_USER_ID_MAX)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '@' &&
        s[i] != '-')
      return false;
  return true;
}

bool pg_role_valid(const char *s, size_t len) {
  if (len == 0 || len > ROLE_MAX)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
      return false;
  return true;
}

/* ---- lines ---- */

static int push_line(pg_htfile *f, const char *s, size_t len) {
  if (f->n == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 16;
    char **lines = pg_mem_realloc(f->mem, f->lines, cap * sizeof *lines);
    if (!lines)
      return PARIGOT_ENOMEM;
    f->lines = lines;
    f->cap = cap;
  }
  char *copy = pg_mem_malloc(f->mem, len + 1);
  if (!copy)
    return PARIGOT_ENOMEM;
  memcpy(copy, s, len);
  copy[len] = 0;
  f->lines[f->n++] = copy;
  return 0;
}

void pg_htfile_deinit(pg_htfile *f) {
  for (size_t i = 0; i < f->n; i++)
    pg_mem_free(f->mem, f->lines[i]);
  pg_mem_free(f->mem, f->lines);
  f->lines = NULL;
  f->n = f->cap = 0;
}

static void stamp_of(const struct stat *st, pg_htstamp *out) {
  out->dev = (uint64_t)st->st_dev;
  out->ino = (uint64_t)st->st_ino;
  out->size = (uint64_t)st->st_size;
  out->mtime_ns =
      (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int pg_htfile_stat(const char *path, pg_htstamp *out) {
  struct stat st;
  if (stat(path, &st) != 0)
    return errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_EIO;
  stamp_of(&st, out);
  return 0;
}

/* Splits @p buf (@p len bytes) into lines appended to @p f. */
static int split_lines(pg_htfile *f, const char *buf, size_t len,
                       const char *path, char *err, size_t err_len) {
  size_t start = 0;
  while (start < len) {
    const char *nl = memchr(buf + start, '\n', len - start);
    size_t end = nl ? (size_t)(nl - buf) : len;
    size_t line_len = end - start;
    if (f->n == PG_HT_LINES_MAX) {
      snprintf(err, err_len, "%s:%zu: more than %d lines", path, f->n + 1,
               PG_HT_LINES_MAX);
      return PARIGOT_ETOOBIG;
    }
    if (line_len > 0 && buf[end - 1] == '\r')
      line_len--;
    if (line_len > PG_HT_LINE_MAX) {
      snprintf(err, err_len, "%s:%zu: a line longer than %d bytes", path,
               f->n + 1, PG_HT_LINE_MAX);
      return PARIGOT_ETOOBIG;
    }
    if (memchr(buf + start, 0, line_len)) {
      snprintf(err, err_len, "%s:%zu: a NUL byte", path, f->n + 1);
      return PARIGOT_ESYNTAX;
    }
    if (push_line(f, buf + start, line_len) != 0) {
      snprintf(err, err_len, "%s: out of memory", path);
      return PARIGOT_ENOMEM;
    }
    start = end + 1;
  }
  return 0;
}

static int read_all(int fd, char *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, buf + got, len - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    got += (size_t)n;
  }
  return 0;
}

int pg_htfile_read(const char *path, bool is_missing_empty, const pg_mem *mem,
                   pg_htfile *out, pg_htstamp *stamp, char *err,
                   size_t err_len) {
  *out = (pg_htfile){.mem = mem};
  if (stamp)
    *stamp = (pg_htstamp){0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && is_missing_empty)
      return 0;
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_EIO;
  }
  int rc = PARIGOT_EIO;
  char *buf = NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    goto done;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, err_len, "%s: not a regular file", path);
    goto done;
  }
  if ((uint64_t)st.st_size > PG_HT_FILE_MAX) {
    snprintf(err, err_len, "%s: larger than %u bytes", path, PG_HT_FILE_MAX);
    rc = PARIGOT_ETOOBIG;
    goto done;
  }
  size_t len = (size_t)st.st_size;
  buf = pg_mem_malloc(mem, len + 1);
  if (!buf) {
    snprintf(err, err_len, "%s: out of memory", path);
    rc = PARIGOT_ENOMEM;
    goto done;
  }
  if (read_all(fd, buf, len) != 0) {
    snprintf(err, err_len, "%s: reading failed (changed while read?)", path);
    goto done;
  }
  if (stamp)
    stamp_of(&st, stamp);
  rc = split_lines(out, buf, len, path, err, err_len);
done:
  if (buf) {
    explicit_bzero(buf, (size_t)st.st_size); /* hashes: no stray copies */
    pg_mem_free(mem, buf);
  }
  close(fd);
  if (rc != 0)
    pg_htfile_deinit(out);
  return rc;
}

/* ---- writing ---- */

static int write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int write_lines(int fd, const pg_htfile *f) {
  for (size_t i = 0; i < f->n; i++)
    if (write_all(fd, f->lines[i], strlen(f->lines[i])) != 0 ||
        write_all(fd, "\n", 1) != 0)
      return -1;
  return 0;
}

static void sync_dir(const char *dir) {
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
}

int pg_htfile_write(const pg_htfile *f, const char *path, char *err,
                    size_t err_len) {
  size_t plen = strlen(path);
  char *dir_copy = pg_mem_malloc(f->mem, plen + 1);
  char *base_copy = pg_mem_malloc(f->mem, plen + 1);
  char *tmp = pg_mem_malloc(f->mem, plen + 16);
  int rc = PARIGOT_EIO, fd = -1;
  if (!dir_copy || !base_copy || !tmp) {
    snprintf(err, err_len, "%s: out of memory", path);
    rc = PARIGOT_ENOMEM;
    goto done;
  }
  memcpy(dir_copy, path, plen + 1);
  memcpy(base_copy, path, plen + 1);
  const char *dir = dirname(dir_copy), *base = basename(base_copy);
  snprintf(tmp, plen + 16, "%s/.%s.XXXXXX", dir, base);
  fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
  if (fd < 0) {
    snprintf(err, err_len, "%s: cannot create a file beside it: %s", path,
             strerror(errno));
    goto done;
  }
  struct stat st;
  if (stat(path, &st) == 0) {
    /* The file it replaces keeps its mode, and its owner where we may
     * (root editing a service account's file). */
    if (fchmod(fd, st.st_mode & 07777) != 0) {
      snprintf(err, err_len, "%s: %s", tmp, strerror(errno));
      goto fail;
    }
    if (fchown(fd, st.st_uid, st.st_gid) != 0 && errno != EPERM) {
      snprintf(err, err_len, "%s: %s", tmp, strerror(errno));
      goto fail;
    }
  }
  if (write_lines(fd, f) != 0 || fsync(fd) != 0) {
    snprintf(err, err_len, "%s: writing failed: %s", tmp, strerror(errno));
    goto fail;
  }
  if (close(fd) != 0) {
    fd = -1;
    snprintf(err, err_len, "%s: writing failed: %s", tmp, strerror(errno));
    goto fail;
  }
  fd = -1;
  if (rename(tmp, path) != 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    goto fail;
  }
  sync_dir(dir);
  rc = 0;
  goto done;
fail:
  if (fd >= 0)
    close(fd);
  fd = -1;
  unlink(tmp);
done:
  pg_mem_free(f->mem, dir_copy);
  pg_mem_free(f->mem, base_copy);
  pg_mem_free(f->mem, tmp);
  return rc;
}

/* ---- htpasswd ---- */

static bool is_comment_or_blank(const char *line) {
  const char *p = line + strspn(line, " \t");
  return *p == 0 || *p == '#';
}

int pg_htpasswd_parse(const char *line, pg_htpasswd_entry *out, char *why,
                      size_t why_len) {
  if (is_comment_or_blank(line))
    return 0;
  const char *colon = strchr(line, ':');
  if (!colon) {
    snprintf(why, why_len, "not \"login:hash\" (no ':')");
    return PARIGOT_ESYNTAX;
  }
  size_t login_len = (size_t)(colon - line);
  if (!pg_login_valid(line, login_len)) {
    snprintf(why, why_len,
             "\"%.*s\" is not a login (1 to %d of A-Z a-z 0-9 . _ @ -)",
             (int)(login_len > 80 ? 80 : login_len), line, PG_USER_ID_MAX);
    return PARIGOT_ESYNTAX;
  }
  const char *hash = colon + 1;
  size_t hash_len = strlen(hash);
  while (hash_len > 0 &&
         (hash[hash_len - 1] == ' ' || hash[hash_len - 1] == '\t'))
    hash_len--;
  if (hash_len == 0) {
    snprintf(why, why_len, "%.*s has no password hash", (int)login_len, line);
    return PARIGOT_ESYNTAX;
  }
  *out = (pg_htpasswd_entry){.login = line,
                             .login_len = login_len,
                             .hash = hash,
                             .hash_len = hash_len};
  return 1;
}

typedef struct seen {
  const char *login;
  size_t len, line;
} seen;

static int cmp_seen(const void *a, const void *b) {
  const seen *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->login, y->login, n);
  if (c == 0)
    c = (x->len > y->len) - (x->len < y->len);
  return c ? c : (x->line > y->line) - (x->line < y->line);
}

int pg_htpasswd_check(const pg_htfile *f, const char *path, char *err,
                      size_t err_len) {
  char why[256];
  seen *v = pg_mem_calloc(f->mem, f->n ? f->n : 1, sizeof *v);
  if (!v) {
    snprintf(err, err_len, "%s: out of memory", path);
    return PARIGOT_ENOMEM;
  }
  size_t n = 0;
  int rc = 0;
  for (size_t i = 0; i < f->n && rc >= 0; i++) {
    pg_htpasswd_entry e;
    rc = pg_htpasswd_parse(f->lines[i], &e, why, sizeof why);
    if (rc < 0)
      snprintf(err, err_len, "%s:%zu: %s", path, i + 1, why);
    else if (rc == 1)
      v[n++] = (seen){e.login, e.login_len, i + 1};
  }
  if (rc >= 0) {
    rc = 0;
    qsort(v, n, sizeof *v, cmp_seen);
    for (size_t i = 1; i < n; i++) {
      if (v[i].len != v[i - 1].len ||
          memcmp(v[i].login, v[i - 1].login, v[i].len) != 0)
        continue;
      snprintf(err, err_len, "%s:%zu: %.*s is already on line %zu", path,
               v[i].line, (int)v[i].len, v[i].login, v[i - 1].line);
      rc = PARIGOT_ESYNTAX;
      break;
    }
  }
  pg_mem_free(f->mem, v);
  return rc;
}

long pg_htpasswd_find(const pg_htfile *f, const char *login) {
  size_t len = strlen(login);
  char why[128];
  for (size_t i = 0; i < f->n; i++) {
    pg_htpasswd_entry e;
    if (pg_htpasswd_parse(f->lines[i], &e, why, sizeof why) == 1 &&
        e.login_len == len && memcmp(e.login, login, len) == 0)
      return (long)i;
  }
  return -1;
}

int pg_htpasswd_set(pg_htfile *f, const char *login, const char *hash) {
  size_t login_len = strlen(login), hash_len = strlen(hash);
  if (!pg_login_valid(login, login_len) || hash_len == 0 ||
      strpbrk(hash, ":\n\r") || login_len + 1 + hash_len > PG_HT_LINE_MAX)
    return PARIGOT_EINVAL;
  char *line = pg_mem_malloc(f->mem, login_len + hash_len + 2);
  if (!line)
    return PARIGOT_ENOMEM;
  snprintf(line, login_len + hash_len + 2, "%s:%s", login, hash);
  long i = pg_htpasswd_find(f, login);
  if (i >= 0) {
    explicit_bzero(f->lines[i], strlen(f->lines[i]));
    pg_mem_free(f->mem, f->lines[i]);
    f->lines[i] = line;
    return 0;
  }
  int rc = push_line(f, line, strlen(line));
  pg_mem_free(f->mem, line);
  return rc;
}

bool pg_htpasswd_remove(pg_htfile *f, const char *login) {
  long i = pg_htpasswd_find(f, login);
  if (i < 0)
    return false;
  pg_mem_free(f->mem, f->lines[i]);
  memmove(f->lines + i, f->lines + i + 1,
          (f->n - (size_t)i - 1) * sizeof *f->lines);
  f->n--;
  return true;
}

/* ---- groups ---- */

/* The next member of a group line from *p (spaces and tabs between them):
 * its length, 0 at the end. */
static size_t next_member(const char **p, const char *end) {
  while (*p < end && (**p == ' ' || **p == '\t'))
    (*p)++;
  const char *s = *p;
  while (*p < end && **p != ' ' && **p != '\t')
    (*p)++;
  return (size_t)(*p - s);
}

int pg_htgroup_parse(const char *line, pg_htgroup_entry *out, char *why,
                     size_t why_len) {
  if (is_comment_or_blank(line))
    return 0;
  const char *colon = strchr(line, ':');
  if (!colon) {
    snprintf(why, why_len, "not \"role: login login ...\" (no ':')");
    return PARIGOT_ESYNTAX;
  }
  const char *role = line + strspn(line, " \t");
  size_t role_len = (size_t)(colon - role);
  while (role_len > 0 &&
         (role[role_len - 1] == ' ' || role[role_len - 1] == '\t'))
    role_len--;
  if (!pg_role_valid(role, role_len)) {
    snprintf(why, why_len,
             "\"%.*s\" is not a role (1 to %d of A-Z a-z 0-9 . _ -)",
             (int)(role_len > 80 ? 80 : role_len), role, ROLE_MAX);
    return PARIGOT_ESYNTAX;
  }
  const char *members = colon + 1, *end = members + strlen(members);
  for (const char *p = members;;) {
    const char *m = p + strspn(p, " \t");
    size_t len = next_member(&p, end);
    if (len == 0)
      break;
    if (!pg_login_valid(m, len)) {
      snprintf(why, why_len, "\"%.*s\" is not a login",
               (int)(len > 80 ? 80 : len), m);
      return PARIGOT_ESYNTAX;
    }
  }
  *out = (pg_htgroup_entry){.role = role,
                            .role_len = role_len,
                            .members = members,
                            .members_len = (size_t)(end - members)};
  return 1;
}

int pg_htgroup_check(const pg_htfile *f, const char *path, char *err,
                     size_t err_len) {
  char why[256];
  for (size_t i = 0; i < f->n; i++) {
    pg_htgroup_entry e;
    int rc = pg_htgroup_parse(f->lines[i], &e, why, sizeof why);
    if (rc < 0) {
      snprintf(err, err_len, "%s:%zu: %s", path, i + 1, why);
      return rc;
    }
  }
  return 0;
}

static bool has_member(const pg_htgroup_entry *e, const char *login,
                       size_t login_len) {
  const char *p = e->members, *end = e->members + e->members_len;
  for (;;) {
    const char *m = p + strspn(p, " \t");
    size_t len = next_member(&p, end);
    if (len == 0)
      return false;
    if (len == login_len && memcmp(m, login, len) == 0)
      return true;
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int pg_htgroup_roles(const pg_htfile *f, const char *login, char *out,
                     size_t out_len) {
  size_t login_len = strlen(login), n = 0;
  char why[128];
  /* Role names point into the lines; at most one per line. */
  if (out_len == 0)
    return PARIGOT_ENOSPC;
  out[0] = 0;
  if (f->n == 0)
    return 0;
  const char **roles = pg_mem_calloc(f->mem, f->n, sizeof *roles);
  char *names = pg_mem_calloc(f->mem, f->n, ROLE_MAX + 1);
  int rc = PARIGOT_ENOMEM;
  if (!roles || !names)
    goto done;
  for (size_t i = 0; i < f->n; i++) {
    pg_htgroup_entry e;
    if (pg_htgroup_parse(f->lines[i], &e, why, sizeof why) != 1 ||
        !has_member(&e, login, login_len))
      continue;
    char *name = names + n * (ROLE_MAX + 1);
    memcpy(name, e.role, e.role_len);
    name[e.role_len] = 0;
    roles[n++] = name;
  }
  qsort(roles, n, sizeof *roles, cmp_str);
  size_t used = 0;
  rc = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && strcmp(roles[i], roles[i - 1]) == 0)
      continue;
    size_t len = strlen(roles[i]);
    if (used + (used > 0) + len + 1 > out_len) {
      rc = PARIGOT_ENOSPC;
      break;
    }
    if (used > 0)
      out[used++] = ',';
    memcpy(out + used, roles[i], len + 1);
    used += len;
  }
done:
  pg_mem_free(f->mem, roles);
  pg_mem_free(f->mem, names);
  return rc;
}

int pg_htgroup_add(pg_htfile *f, const char *role, const char *login) {
  size_t role_len = strlen(role), login_len = strlen(login);
  if (!pg_role_valid(role, role_len) || !pg_login_valid(login, login_len))
    return PARIGOT_EINVAL;
  char why[128];
  for (size_t i = 0; i < f->n; i++) {
    pg_htgroup_entry e;
    if (pg_htgroup_parse(f->lines[i], &e, why, sizeof why) != 1 ||
        e.role_len != role_len || memcmp(e.role, role, role_len) != 0)
      continue;
    if (has_member(&e, login, login_len))
      return 0;
    size_t old = strlen(f->lines[i]);
    if (old + 1 + login_len > PG_HT_LINE_MAX)
      return PARIGOT_EINVAL;
    char *line = pg_mem_malloc(f->mem, old + login_len + 2);
    if (!line)
      return PARIGOT_ENOMEM;
    bool is_empty = e.members[strspn(e.members, " \t")] == 0;
    snprintf(line, old + login_len + 2, "%s%s%s", f->lines[i],
             is_empty && old > 0 && f->lines[i][old - 1] == ' ' ? "" : " ",
             login);
    pg_mem_free(f->mem, f->lines[i]);
    f->lines[i] = line;
    return 0;
  }
  char line[ROLE_MAX + PG_USER_ID_MAX + 4];
  snprintf(line, sizeof line, "%s: %s", role, login);
  return push_line(f, line, strlen(line));
}

/* @p line without @p login among its members, into @p out (as long as
 * @p line at most). */
static void drop_member(const pg_htgroup_entry *e, const char *line,
                        const char *login, size_t login_len, char *out) {
  size_t head = (size_t)(e->members - line);
  memcpy(out, line, head);
  size_t used = head;
  const char *p = e->members, *end = e->members + e->members_len;
  for (;;) {
    const char *m = p + strspn(p, " \t");
    size_t len = next_member(&p, end);
    if (len == 0)
      break;
    if (len == login_len && memcmp(m, login, len) == 0)
      continue;
    out[used++] = ' ';
    memcpy(out + used, m, len);
    used += len;
  }
  out[used] = 0;
}

int pg_htgroup_remove_user(pg_htfile *f, const char *login, bool *changed) {
  size_t login_len = strlen(login);
  char why[128];
  *changed = false;
  for (size_t i = 0; i < f->n; i++) {
    pg_htgroup_entry e;
    if (pg_htgroup_parse(f->lines[i], &e, why, sizeof why) != 1 ||
        !has_member(&e, login, login_len))
      continue;
    char *line = pg_mem_malloc(f->mem, strlen(f->lines[i]) + 2);
    if (!line)
      return PARIGOT_ENOMEM;
    drop_member(&e, f->lines[i], login, login_len, line);
    pg_mem_free(f->mem, f->lines[i]);
    f->lines[i] = line;
    *changed = true;
  }
  return 0;
}
