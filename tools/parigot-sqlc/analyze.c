/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/analyze.c: query files read and typed (analyze.h).
 * The query's text is split into queries at their `-- name:` lines, its
 * sqlc.arg()/sqlc.narg() turned into SQLite's own @name, and each query
 * prepared: SQLite checks it against the schema and tells each result
 * column's declared type and origin. What SQLite does not tell (the type
 * of an expression, of a parameter) is read from the tokens around it
 * (types.c).
 */
#include "analyze.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqltok.h"
#include "types.h"

#define MAX_FILE_BYTES (16u << 20)

/* One query as written: its name line and its SQL. */
typedef struct written {
  char name[128];
  pg_db_kind kind;
  uint32_t line;     /* the `-- name:` line */
  uint32_t sql_line; /* the line its SQL starts on */
  char *sql;         /* malloc'd; sqlc.arg and narg already rewritten */
  char nullable[PG_DB_MAX_FIELDS + 1][64]; /* sqlc.narg names */
  uint32_t nnullable;
} written;

typedef struct file_ctx {
  sqlite3 *db;
  const char *shown;
  pg_db_model *m;
  FILE *errs;
  int nerrors;
} file_ctx;

__attribute__((format(printf, 4, 5))) static void
report(file_ctx *f, uint32_t line, const char *name, const char *fmt, ...) {
  va_list ap;
  fprintf(f->errs, "%s:%u: %s%s", f->shown, line, name ? name : "",
          name ? ": " : "");
  va_start(ap, fmt);
  vfprintf(f->errs, fmt, ap);
  va_end(ap);
  fputc('\n', f->errs);
  f->nerrors++;
}

static char *read_all(const char *path, FILE *errs, const char *shown) {
  FILE *in = fopen(path, "rb");
  if (in == NULL) {
    fprintf(errs, "%s: cannot read: %s\n", shown, strerror(errno));
    return NULL;
  }
  char *buf = malloc(MAX_FILE_BYTES + 1);
  size_t n = buf ? fread(buf, 1, MAX_FILE_BYTES + 1, in) : 0;
  bool ok = buf != NULL && !ferror(in) && n <= MAX_FILE_BYTES &&
            memchr(buf, '\0', n) == NULL;
  fclose(in);
  if (!ok) {
    fprintf(errs, "%s: cannot read: %s\n", shown,
            buf == NULL          ? "out of memory"
            : n > MAX_FILE_BYTES ? "larger than 16 MiB"
                                 : "a NUL byte or a read error");
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* `-- name: GetRecord :one` at @p p (a line's start): true with the name
 * and kind, or with @p why when the line is a malformed name line. */
static bool name_line(const char *p, written *w, char *why, size_t cap) {
  why[0] = '\0';
  while (*p == ' ' || *p == '\t')
    p++;
  if (strncmp(p, "--", 2) != 0)
    return false;
  p += 2;
  while (*p == ' ' || *p == '\t')
    p++;
  if (strncmp(p, "name:", 5) != 0)
    return false;
  p += 5;
  while (*p == ' ' || *p == '\t')
    p++;
  size_t n = 0;
  while (isalnum((unsigned char)p[n]) || p[n] == '_')
    n++;
  snprintf(w->name, sizeof w->name, "%.*s", (int)(n < 127 ? n : 127), p);
  bool is_camel = n > 0 && n < 128 && isupper((unsigned char)p[0]);
  for (size_t i = 0; i < n && is_camel; i++)
    is_camel = isalnum((unsigned char)p[i]);
  p += n;
  while (*p == ' ' || *p == '\t')
    p++;
  size_t klen = *p == ':' ? strcspn(p + 1, " \t\r\n") : 0;
  bool has_kind = false;
  for (int k = 0; k < PG_DB_NKINDS && klen > 0; k++)
    if (strlen(pg_db_kind_name((pg_db_kind)k)) == klen &&
        strncmp(p + 1, pg_db_kind_name((pg_db_kind)k), klen) == 0) {
      w->kind = (pg_db_kind)k;
      has_kind = true;
    }
  if (!is_camel)
    snprintf(why, cap,
             "the query's name must be CamelCase (GetRecord), "
             "got \"%s\"",
             w->name);
  else if (!has_kind)
    snprintf(why, cap,
             "expected :one, :many, :exec, :execrows or "
             ":execlastid after the name");
  return true;
}

/* sqlc.arg(name) and sqlc.narg(name) become @name, outside strings and
 * comments; narg's names are remembered. False with @p why on a bad one. */
static bool rewrite_sqlc_args(written *w, char *why, size_t cap) {
  size_t len = strlen(w->sql), max = len / 2 + 8;
  pg_sqltok *t = malloc(max * sizeof *t);
  char *out = malloc(len + 1);
  size_t n = t ? pg_sqltok_split(w->sql, t, max) : 0, o = 0;
  const char *from = w->sql;
  bool ok = t != NULL && out != NULL && n <= max;
  for (size_t i = 0; ok && i + 5 < n; i++) {
    if (!(pg_sqltok_is(&t[i], "sqlc") && pg_sqltok_is(&t[i + 1], ".") &&
          (pg_sqltok_is(&t[i + 2], "arg") || pg_sqltok_is(&t[i + 2], "narg"))))
      continue;
    char name[64];
    if (!pg_sqltok_is(&t[i + 3], "(") || !pg_sqltok_is(&t[i + 5], ")") ||
        (t[i + 4].kind != PG_SQLTOK_WORD && t[i + 4].kind != PG_SQLTOK_STRING &&
         t[i + 4].kind != PG_SQLTOK_QUOTED)) {
      snprintf(why, cap, "sqlc.%.*s takes one name: sqlc.arg(name)",
               (int)t[i + 2].len, t[i + 2].p);
      ok = false;
      break;
    }
    const pg_sqltok *nt = &t[i + 4];
    pg_sqltok bare = *nt;
    if (nt->kind == PG_SQLTOK_STRING)
      bare.kind = PG_SQLTOK_QUOTED; /* 'name' as well as name */
    pg_sqltok_name(&bare, name, sizeof name);
    memcpy(out + o, from, (size_t)(t[i].p - from));
    o += (size_t)(t[i].p - from);
    o += (size_t)sprintf(out + o, "@%s", name);
    from = t[i + 5].p + 1;
    if (pg_sqltok_is(&t[i + 2], "narg") && w->nnullable < PG_DB_MAX_FIELDS)
      snprintf(w->nullable[w->nnullable++], 64, "%s", name);
    i += 5;
  }
  if (ok) {
    strcpy(out + o, from);
    free(w->sql);
    w->sql = out;
  } else {
    free(out);
    if (why[0] == '\0')
      snprintf(why, cap, "out of memory or too many tokens");
  }
  free(t);
  return ok;
}

/* The SQL from @p from to @p to, trimmed: leading space (counted into
 * *lines) and trailing space and semicolons. */
static char *trimmed(const char *from, const char *to, uint32_t *lines) {
  while (from < to && isspace((unsigned char)*from))
    *lines += *from++ == '\n';
  while (to > from && (isspace((unsigned char)to[-1]) || to[-1] == ';'))
    to--;
  char *s = malloc((size_t)(to - from) + 1);
  if (s != NULL) {
    memcpy(s, from, (size_t)(to - from));
    s[to - from] = '\0';
  }
  return s;
}

static pg_db_field *new_fields(pg_db_model *m, uint32_t n) {
  return pg_arena_calloc(&m->arena, n + 1, sizeof(pg_db_field));
}

static const char *keep(pg_db_model *m, const char *s) {
  return pg_arena_strdup(&m->arena, s, strlen(s));
}

/* A prepared query's result columns, typed. */
static bool type_columns(file_ctx *f, pg_sqlc_types *ty, sqlite3_stmt *st,
                         pg_db_query *q, const written *w) {
  int n = sqlite3_column_count(st);
  if ((q->columns = new_fields(f->m, (uint32_t)n)) == NULL)
    return false;
  for (int i = 0; i < n; i++) {
    const char *name = sqlite3_column_name(st, i);
    pg_db_field *c = &q->columns[i];
    char why[512];
    if (!pg_sqlc_is_field_name(name)) {
      report(f, w->line, w->name,
             "result column %d is named \"%s\": give it a snake_case name "
             "(... AS %s)",
             i + 1, name, "total");
      return false;
    }
    for (int j = 0; j < i; j++)
      if (strcmp(q->columns[j].name, name) == 0) {
        report(f, w->line, w->name,
               "two result columns are named %s: rename one (... AS %s_2)",
               name, name);
        return false;
      }
    if (!pg_sqlc_column_type(ty, st, i, c, why, sizeof why)) {
      report(f, w->line, w->name, "result column %s: %s", name, why);
      return false;
    }
    c->name = keep(f->m, name);
    c->number = (uint32_t)i + 1;
    c->sql_slot = (uint32_t)i;
  }
  q->ncolumns = (uint32_t)n;
  return true;
}

static bool is_nullable_arg(const written *w, const char *name) {
  for (uint32_t i = 0; i < w->nnullable; i++)
    if (strcmp(w->nullable[i], name) == 0)
      return true;
  return false;
}

/* A prepared query's parameters, typed, in the order SQLite numbers them. */
static bool type_params(file_ctx *f, pg_sqlc_types *ty, sqlite3_stmt *st,
                        pg_db_query *q, const written *w) {
  int n = sqlite3_bind_parameter_count(st);
  if (n > (int)PG_DB_MAX_FIELDS) {
    report(f, w->line, w->name, "more than %u parameters", PG_DB_MAX_FIELDS);
    return false;
  }
  if ((q->params = new_fields(f->m, (uint32_t)n)) == NULL)
    return false;
  for (int i = 1; i <= n; i++) {
    const char *raw = sqlite3_bind_parameter_name(st, i);
    pg_db_field *p = &q->params[i - 1];
    char why[512];
    if (raw == NULL || raw[0] == '?') {
      report(f, w->line, w->name,
             "parameter %d has no name: write @name (or sqlc.arg(name))", i);
      return false;
    }
    if (!pg_sqlc_is_field_name(raw + 1) || strcmp(raw + 1, "tx") == 0) {
      report(f, w->line, w->name, "parameter %s: %s", raw,
             strcmp(raw + 1, "tx") == 0
                 ? "tx is every request's transaction field: rename it"
                 : "use a snake_case name");
      return false;
    }
    bool is_assigned_nullable = false;
    if (!pg_sqlc_param_type(ty, raw, &p->type, &is_assigned_nullable, why,
                            sizeof why)) {
      report(f, w->line, w->name, "parameter %s: %s", raw, why);
      return false;
    }
    p->name = keep(f->m, raw + 1);
    p->number = (uint32_t)i;
    p->sql_slot = (uint32_t)i;
    p->is_optional = is_assigned_nullable || is_nullable_arg(w, raw + 1);
  }
  q->nparams = (uint32_t)n;
  return true;
}

/* The line of byte @p offset of the query's SQL. */
static uint32_t line_at(const written *w, int offset) {
  uint32_t line = w->sql_line;
  for (int i = 0; i < offset && w->sql[i] != '\0'; i++)
    line += w->sql[i] == '\n';
  return line;
}

static bool check_kind(file_ctx *f, sqlite3_stmt *st, const written *w) {
  int ncols = sqlite3_column_count(st);
  if (pg_db_kind_has_rows(w->kind) && ncols == 0) {
    report(f, w->line, w->name,
           ":%s needs result columns (a SELECT, or ... RETURNING); "
           "this query returns none: use :exec, :execrows or :execlastid",
           pg_db_kind_name(w->kind));
    return false;
  }
  if (!pg_db_kind_has_rows(w->kind) && ncols > 0) {
    report(f, w->line, w->name,
           "the query returns columns: use :one or :many, not :%s",
           pg_db_kind_name(w->kind));
    return false;
  }
  return true;
}

/* Where the name SQLite's message ends with ("no such table: x") is in
 * @p sql, when SQLite gives no offset itself; -1 if not found. */
static int offset_of_name(const char *sql, const char *msg) {
  static const char *const heads[] = {
      "no such table: ", "no such column: ", "no such function: "};
  for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
    size_t hl = strlen(heads[i]);
    if (strncmp(msg, heads[i], hl) != 0)
      continue;
    const char *name = msg + hl, *dot = strrchr(name, '.');
    size_t n = strlen(dot != NULL ? dot + 1 : name);
    name = dot != NULL ? dot + 1 : name;
    for (const char *p = sql; n > 0 && *p != '\0'; p++)
      if (strncasecmp(p, name, n) == 0 &&
          (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
          !(isalnum((unsigned char)p[n]) || p[n] == '_'))
        return (int)(p - sql);
  }
  return -1;
}

/* Prepares and types one query, adding it to the model. */
static void add_query(file_ctx *f, written *w) {
  sqlite3_stmt *st = NULL;
  const char *tail = NULL;
  pg_db_model *m = f->m;
  for (uint32_t i = 0; i < m->nqueries; i++)
    if (strcmp(m->queries[i].name, w->name) == 0) {
      report(f, w->line, w->name, "a query of that name is at %s:%u",
             m->queries[i].file, m->queries[i].line);
      return;
    }
  if (m->nqueries == PG_DB_MAX_QUERIES) {
    report(f, w->line, w->name, "more than %u queries", PG_DB_MAX_QUERIES);
    return;
  }
  if (sqlite3_prepare_v2(f->db, w->sql, -1, &st, &tail) != SQLITE_OK) {
    int off = sqlite3_error_offset(f->db);
    if (off < 0)
      off = offset_of_name(w->sql, sqlite3_errmsg(f->db));
    report(f, off >= 0 ? line_at(w, off) : w->line, w->name, "%s",
           sqlite3_errmsg(f->db));
    return;
  }
  while (tail != NULL && isspace((unsigned char)*tail))
    tail++;
  if (st == NULL || (tail != NULL && *tail != '\0' && *tail != ';')) {
    report(f, w->line, w->name,
           st == NULL ? "no SQL statement"
                      : "one statement per query: split "
                        "it into two named queries");
    sqlite3_finalize(st);
    return;
  }
  pg_db_query *q = &m->queries[m->nqueries];
  pg_sqlc_types ty;
  memset(q, 0, sizeof *q);
  bool has_types = false;
  bool ok = check_kind(f, st, w) &&
            (has_types = pg_sqlc_types_init(&ty, f->db, w->sql)) &&
            type_columns(f, &ty, st, q, w) && type_params(f, &ty, st, q, w);
  if (has_types)
    pg_sqlc_types_free(&ty);
  else if (!ok && f->nerrors == 0)
    report(f, w->line, w->name, "out of memory");
  sqlite3_finalize(st);
  if (!ok)
    return;
  q->name = keep(m, w->name);
  q->kind = w->kind;
  q->sql = keep(m, w->sql);
  q->file = keep(m, f->shown);
  q->line = w->line;
  if (q->name != NULL && q->sql != NULL && q->file != NULL)
    m->nqueries++;
}

/* Ends the query that started at @p start (its `-- name:` line) at
 * @p end, and adds it. */
static void end_query(file_ctx *f, written *w, const char *start,
                      const char *end) {
  char why[256] = "";
  const char *body = start + strcspn(start, "\n");
  w->sql_line = w->line; /* trimmed() counts the name line's end */
  w->sql = trimmed(body, end, &w->sql_line);
  if (w->sql == NULL)
    report(f, w->line, w->name, "out of memory");
  else if (w->sql[0] == '\0')
    report(f, w->line, w->name, "no SQL after its name line");
  else if (!rewrite_sqlc_args(w, why, sizeof why))
    report(f, w->line, w->name, "%s", why);
  else
    add_query(f, w);
  free(w->sql);
  w->sql = NULL;
}

int pg_sqlc_analyze_file(sqlite3 *db, const char *path, const char *shown,
                         pg_db_model *m, FILE *errs) {
  char *text = read_all(path, errs, shown);
  if (text == NULL)
    return -1;
  file_ctx f = {db, shown, m, errs, 0};
  written *w = calloc(1, sizeof *w), *next = calloc(1, sizeof *next);
  const char *start = NULL;
  uint32_t line = 1;
  bool has_any = false;
  for (const char *p = text; w != NULL && next != NULL && *p != '\0'; line++) {
    char why[256];
    memset(next, 0, sizeof *next);
    if (name_line(p, next, why, sizeof why)) {
      if (start != NULL)
        end_query(&f, w, start, p);
      if (why[0] != '\0')
        report(&f, line, NULL, "%s", why);
      written *t = w;
      w = next;
      next = t;
      w->line = line;
      start = why[0] == '\0' ? p : NULL;
      has_any = true;
    }
    p += strcspn(p, "\n");
    p += *p == '\n';
    if (*p == '\0' && start != NULL)
      end_query(&f, w, start, p);
  }
  if (w == NULL || next == NULL)
    report(&f, 1, NULL, "out of memory");
  else if (!has_any)
    report(&f, 1, NULL,
           "no query: each starts with a line "
           "`-- name: GetRecord :one`");
  free(w);
  free(next);
  free(text);
  return f.nerrors;
}
