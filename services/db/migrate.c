/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/migrate.c: migrations, found, ordered and applied.
 *
 * A directory is listed once, its .sql files parsed for their numbers and
 * sorted; then, in one BEGIN IMMEDIATE transaction, each migration above
 * the database's user_version runs statement by statement inside a
 * SAVEPOINT, and sets user_version to its number. SQLite says where a
 * statement fails to prepare (sqlite3_error_offset); a statement that
 * fails to run is placed at its first line. Any failure rolls the whole
 * transaction back. Owns nothing past a call.
 */
#include "migrate.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parigot/error.h"

typedef struct migration {
  uint32_t number;
  char *path; /* owned */
} migration;

typedef struct migration_list {
  migration *items; /* owned, n */
  uint32_t n, cap;
  const pg_mem *mem;
} migration_list;

static void list_free(migration_list *l) {
  for (uint32_t i = 0; i < l->n; i++)
    pg_mem_free(l->mem, l->items[i].path);
  pg_mem_free(l->mem, l->items);
}

static int list_add(migration_list *l, uint32_t number, const char *dir,
                    const char *name) {
  if (l->n == l->cap) {
    uint32_t cap = l->cap ? 2 * l->cap : 16;
    migration *m = pg_mem_realloc(l->mem, l->items, cap * sizeof *m);
    if (m == NULL)
      return PARIGOT_ENOMEM;
    l->items = m;
    l->cap = cap;
  }
  size_t len = strlen(dir) + strlen(name) + 2;
  char *path = pg_mem_malloc(l->mem, len);
  if (path == NULL)
    return PARIGOT_ENOMEM;
  if (name[0] != '\0')
    snprintf(path, len, "%s/%s", dir, name);
  else
    snprintf(path, len, "%s", dir); /* a lone schema file */
  l->items[l->n++] = (migration){number, path};
  return 0;
}

static int by_number(const void *a, const void *b) {
  uint32_t x = ((const migration *)a)->number;
  uint32_t y = ((const migration *)b)->number;
  return x < y ? -1 : x > y;
}

/* "0002_prices.sql" -> 2; 0 when the name does not start with a number
 * from 1 to UINT32_MAX followed by '_', '-', '.' (or is not a .sql). */
static uint32_t number_of(const char *name) {
  size_t len = strlen(name);
  if (len < 5 || strcmp(name + len - 4, ".sql") != 0)
    return 0;
  uint64_t n = 0;
  size_t i = 0;
  for (; name[i] >= '0' && name[i] <= '9' && n <= UINT32_MAX; i++)
    n = n * 10 + (uint64_t)(name[i] - '0');
  if (i == 0 || n == 0 || n > UINT32_MAX ||
      (name[i] != '_' && name[i] != '-' && name[i] != '.'))
    return 0;
  return (uint32_t)n;
}

/* The .sql files of @p dir, in numeric order. */
static int list_dir(const char *dir, migration_list *l, char *err,
                    size_t err_len) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    snprintf(err, err_len, "%s: cannot list it: %s", dir, strerror(errno));
    return PARIGOT_EIO;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 4 || strcmp(e->d_name + len - 4, ".sql"))
      continue; /* hidden files, READMEs: not migrations */
    uint32_t n = number_of(e->d_name);
    if (n == 0) {
      snprintf(err, err_len,
               "%s/%s: a migration's name starts with its number, from 1 "
               "up, then '_' (as in 0001_init.sql)",
               dir, e->d_name);
      rc = PARIGOT_EINVAL;
    } else if (l->n == PG_DB_MAX_MIGRATIONS) {
      snprintf(err, err_len, "%s: more than %u migrations", dir,
               PG_DB_MAX_MIGRATIONS);
      rc = PARIGOT_EINVAL;
    } else {
      rc = list_add(l, n, dir, e->d_name);
    }
  }
  closedir(d);
  if (rc != 0)
    return rc;
  qsort(l->items, l->n, sizeof *l->items, by_number);
  for (uint32_t i = 1; i < l->n; i++)
    if (l->items[i].number == l->items[i - 1].number) {
      snprintf(err, err_len, "%s and %s: two migrations numbered %u",
               l->items[i - 1].path, l->items[i].path, l->items[i].number);
      return PARIGOT_EINVAL;
    }
  return 0;
}

/* The whole of @p path, NUL-terminated, in *out (freed by the caller). */
static int read_file(const char *path, const pg_mem *mem, char **out,
                     size_t *len, char *err, size_t err_len) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  if (f == NULL || fstat(fileno(f), &st) != 0) {
    snprintf(err, err_len, "%s: cannot read it: %s", path, strerror(errno));
    if (f != NULL)
      fclose(f);
    return PARIGOT_EIO;
  }
  if (st.st_size > (off_t)PG_DB_MAX_MIGRATION_BYTES) {
    fclose(f);
    snprintf(err, err_len, "%s: over %u bytes", path,
             PG_DB_MAX_MIGRATION_BYTES);
    return PARIGOT_EINVAL;
  }
  char *buf = pg_mem_malloc(mem, (size_t)st.st_size + 1);
  size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
  bool ok = buf != NULL && got == (size_t)st.st_size && !ferror(f);
  fclose(f);
  if (!ok) {
    pg_mem_free(mem, buf);
    snprintf(err, err_len, "%s: cannot read it", path);
    return buf == NULL ? PARIGOT_ENOMEM : PARIGOT_EIO;
  }
  buf[got] = '\0';
  *out = buf;
  *len = got;
  return 0;
}

static uint32_t line_at(const char *text, const char *at) {
  uint32_t line = 1;
  for (const char *p = text; p < at; p++)
    line += *p == '\n';
  return line;
}

/* Where the statement that starts at or after @p p really begins: past
 * blanks and comments. */
static const char *skip_blank(const char *p, const char *end) {
  while (p < end) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
      p++;
    else if (end - p >= 2 && p[0] == '-' && p[1] == '-')
      while (p < end && *p != '\n')
        p++;
    else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
      const char *close = strstr(p + 2, "*/");
      p = close != NULL && close < end ? close + 2 : end;
    } else
      break;
  }
  return p;
}

/* Runs every statement of @p m's @p text; on failure @p err says where. */
static int run_file(sqlite3 *db, const migration *m, const char *text,
                    size_t len, char *err, size_t err_len) {
  const char *p = text, *end = text + len;
  while ((p = skip_blank(p, end)) < end) {
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db, p, (int)(end - p), &st, &tail);
    const char *at = p;
    if (rc != SQLITE_OK) {
      int off = sqlite3_error_offset(db);
      at = off >= 0 && off < end - p ? p + off : p;
    } else if (st != NULL) {
      while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        continue;
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) {
      snprintf(err, err_len, "%s:%u: %s", m->path, line_at(text, at),
               sqlite3_errmsg(db));
      sqlite3_finalize(st);
      return PARIGOT_EINVAL;
    }
    sqlite3_finalize(st);
    if (tail == NULL || tail <= p)
      break;
    p = tail;
  }
  return 0;
}

static int exec(sqlite3 *db, const char *sql, const char *what, char *err,
                size_t err_len) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  snprintf(err, err_len, "%s: %s", what, sqlite3_errmsg(db));
  return PARIGOT_EINVAL;
}

static int user_version(sqlite3 *db, uint32_t *out) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
    return PARIGOT_EIO;
  int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : PARIGOT_EIO;
  *out = (uint32_t)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc;
}

/* One migration, in its savepoint; user_version is its number after. */
static int apply(sqlite3 *db, const migration *m, const pg_mem *mem, char *err,
                 size_t err_len) {
  char *text, sql[64];
  size_t len;
  int rc = read_file(m->path, mem, &text, &len, err, err_len);
  if (rc != 0)
    return rc;
  rc = exec(db, "SAVEPOINT pg_migration", m->path, err, err_len);
  if (rc == 0)
    rc = run_file(db, m, text, len, err, err_len);
  snprintf(sql, sizeof sql, "PRAGMA user_version = %u", m->number);
  if (rc == 0)
    rc = exec(db, sql, m->path, err, err_len);
  if (rc == 0)
    rc = exec(db, "RELEASE pg_migration", m->path, err, err_len);
  pg_mem_free(mem, text);
  return rc;
}

static int migrate_list(sqlite3 *db, const migration_list *l, const pg_mem *mem,
                        pg_db_migrated *out, char *err, size_t err_len) {
  uint32_t from;
  if (user_version(db, &from) != 0) {
    snprintf(err, err_len, "cannot read the database's version: %s",
             sqlite3_errmsg(db));
    return PARIGOT_EIO;
  }
  uint32_t highest = l->n > 0 ? l->items[l->n - 1].number : 0;
  if (from > highest) {
    snprintf(err, err_len,
             "the database is at version %u, newer than its migrations "
             "(the highest is %u): it belongs to a newer app",
             from, highest);
    return PARIGOT_EINVAL;
  }
  *out = (pg_db_migrated){from, from, 0};
  int rc = exec(db, "BEGIN IMMEDIATE", "migrations", err, err_len);
  for (uint32_t i = 0; rc == 0 && i < l->n; i++) {
    if (l->items[i].number <= from)
      continue;
    rc = apply(db, &l->items[i], mem, err, err_len);
    if (rc == 0) {
      out->applied++;
      out->to_version = l->items[i].number;
    }
  }
  if (rc == 0)
    rc = exec(db, "COMMIT", "migrations", err, err_len);
  if (rc != 0) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* as it was */
    out->to_version = from;
    out->applied = 0;
  }
  return rc;
}

int pg_db_migrate(sqlite3 *db, const char *path, const pg_mem *mem,
                  pg_db_migrated *out, char *err, size_t err_len) {
  struct stat st;
  migration_list l = {.mem = mem};
  if (stat(path, &st) != 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_EIO;
  }
  int rc = S_ISDIR(st.st_mode) ? list_dir(path, &l, err, err_len)
                               : list_add(&l, 1, path, "");
  if (rc == 0)
    rc = migrate_list(db, &l, mem, out, err, err_len);
  if (rc == PARIGOT_ENOMEM)
    snprintf(err, err_len, "%s: out of memory", path);
  list_free(&l);
  return rc;
}
