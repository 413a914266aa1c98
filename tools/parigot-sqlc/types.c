/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/types.c: column and parameter types (types.h). The
 * rules read tokens around a place in the query; a column's declared type
 * and NOT NULL come from sqlite3_table_column_metadata.
 */
#include "types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What an expression yields, as far as it is known. */
typedef struct typed {
  bool is_known;
  pg_db_type type;
  bool may_be_null;
} typed;

static const typed unknown = {false, PG_DB_INT64, true};

/* Words after which a name is not a table's alias. */
static bool is_clause_word(const pg_sqltok *t) {
  static const char *const words[] = {
      "where",     "join",    "left",    "right",     "inner",   "outer",
      "cross",     "full",    "natural", "on",        "using",   "group",
      "order",     "limit",   "set",     "values",    "default", "select",
      "returning", "union",   "except",  "intersect", "window",  "having",
      "as",        "indexed", "not",     "offset",    "do",      "from"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (pg_sqltok_is(t, words[i]))
      return true;
  return t->kind != PG_SQLTOK_WORD && t->kind != PG_SQLTOK_QUOTED;
}

static bool is_name(const pg_sqltok *t) {
  return t->kind == PG_SQLTOK_WORD || t->kind == PG_SQLTOK_QUOTED;
}

/* A table named at token @p i (after FROM, JOIN, INTO, UPDATE or a comma
 * of a FROM list); @p is_outer for the right side of a LEFT JOIN. */
static size_t add_table(pg_sqlc_types *t, size_t i, bool is_outer) {
  if (i >= t->ntoks || !is_name(&t->toks[i]) ||
      t->ntables == PG_SQLC_MAX_TABLES)
    return i;
  if (i + 2 < t->ntoks && pg_sqltok_is(&t->toks[i + 1], "."))
    i += 2; /* schema.table */
  pg_sqlc_table *tb = &t->tables[t->ntables++];
  memset(tb, 0, sizeof *tb);
  pg_sqltok_name(&t->toks[i], tb->name, sizeof tb->name);
  tb->is_outer = is_outer;
  i++;
  if (i < t->ntoks && pg_sqltok_is(&t->toks[i], "as"))
    i++;
  if (i < t->ntoks && !is_clause_word(&t->toks[i]))
    pg_sqltok_name(&t->toks[i++], tb->alias, sizeof tb->alias);
  return i;
}

static void find_tables(pg_sqlc_types *t) {
  bool in_from = false, next_is_outer = false;
  for (size_t i = 0; i < t->ntoks; i++) {
    const pg_sqltok *k = &t->toks[i];
    if (pg_sqltok_is(k, "left") || pg_sqltok_is(k, "right") ||
        pg_sqltok_is(k, "full"))
      next_is_outer = true;
    if (pg_sqltok_is(k, "right") || pg_sqltok_is(k, "full"))
      for (size_t j = 0; j < t->ntables; j++)
        t->tables[j].is_outer = true;
    if (pg_sqltok_is(k, "from") || pg_sqltok_is(k, "join") ||
        pg_sqltok_is(k, "into") || pg_sqltok_is(k, "update") ||
        (in_from && pg_sqltok_is(k, ","))) {
      bool outer = next_is_outer && pg_sqltok_is(k, "join");
      in_from = pg_sqltok_is(k, "from") || (in_from && pg_sqltok_is(k, ","));
      size_t end = add_table(t, i + 1, outer);
      if (outer)
        next_is_outer = false;
      i = end > i + 1 ? end - 1 : i;
    } else if (is_clause_word(k) && !pg_sqltok_is(k, "as")) {
      in_from = false;
    }
  }
}

bool pg_sqlc_types_init(pg_sqlc_types *t, sqlite3 *db, const char *sql) {
  size_t cap = strlen(sql) + 1;
  memset(t, 0, sizeof *t);
  t->db = db;
  if ((t->toks = malloc(cap * sizeof *t->toks)) == NULL)
    return false;
  t->ntoks = pg_sqltok_split(sql, t->toks, cap);
  find_tables(t);
  return true;
}

void pg_sqlc_types_free(pg_sqlc_types *t) {
  free(t->toks);
  t->toks = NULL;
}

bool pg_sqlc_is_field_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '_'))
      return false;
  return true;
}

/* A declared type's protobuf type, by SQLite's affinity rules. */
static bool decl_type(const char *decl, pg_db_type *out, char *why,
                      size_t cap) {
  char up[128];
  size_t n = 0;
  for (; decl[n] != '\0' && n + 1 < sizeof up; n++)
    up[n] = (char)(decl[n] >= 'a' && decl[n] <= 'z' ? decl[n] - 32 : decl[n]);
  up[n] = '\0';
  if (strstr(up, "BOOL") != NULL)
    *out = PG_DB_BOOL;
  else if (strstr(up, "INT") != NULL)
    *out = PG_DB_INT64;
  else if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
    *out = PG_DB_STRING;
  else if (strstr(up, "BLOB") != NULL)
    *out = PG_DB_BYTES;
  else if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
    *out = PG_DB_DOUBLE;
  else {
    snprintf(why, cap,
             up[0] ? "declared type %s has NUMERIC affinity, which holds "
                     "integers, reals or text: declare it INTEGER, REAL or "
                     "TEXT, or CAST it"
                   : "the column has no declared type%s: declare one or CAST "
                     "it",
             decl);
    return false;
  }
  return true;
}

/* Column @p col of a table the query names (of @p qual's, when given). */
static typed lookup(pg_sqlc_types *t, const char *qual, const char *col) {
  for (size_t i = 0; i < t->ntables; i++) {
    const pg_sqlc_table *tb = &t->tables[i];
    const char *decl = NULL;
    int notnull = 0, pk = 0;
    char why[256];
    typed r = {true, PG_DB_INT64, false};
    if (qual != NULL && strcasecmp(qual, tb->name) != 0 &&
        strcasecmp(qual, tb->alias) != 0)
      continue;
    if (strcasecmp(col, "rowid") == 0)
      return (typed){true, PG_DB_INT64, tb->is_outer};
    if (sqlite3_table_column_metadata(t->db, NULL, tb->name, col, &decl, NULL,
                                      &notnull, &pk, NULL) != SQLITE_OK)
      continue;
    if (decl == NULL || !decl_type(decl, &r.type, why, sizeof why))
      return unknown;
    r.may_be_null =
        tb->is_outer || !(notnull || (pk && strcasecmp(decl, "integer") == 0));
    return r;
  }
  return unknown;
}

/* The column named by the tokens ending at @p end (inclusive): `col` or
 * `qual.col`. */
static typed column_ending_at(pg_sqlc_types *t, size_t end) {
  char qual[128], col[128];
  if (end >= t->ntoks || !is_name(&t->toks[end]))
    return unknown;
  pg_sqltok_name(&t->toks[end], col, sizeof col);
  if (end >= 2 && pg_sqltok_is(&t->toks[end - 1], ".") &&
      is_name(&t->toks[end - 2])) {
    pg_sqltok_name(&t->toks[end - 2], qual, sizeof qual);
    return lookup(t, qual, col);
  }
  return lookup(t, NULL, col);
}

/* The column named by the tokens starting at @p start. */
static typed column_starting_at(pg_sqlc_types *t, size_t start) {
  if (start + 2 < t->ntoks && pg_sqltok_is(&t->toks[start + 1], "."))
    return column_ending_at(t, start + 2);
  if (start + 1 < t->ntoks && pg_sqltok_is(&t->toks[start + 1], "("))
    return unknown; /* a function */
  return column_ending_at(t, start);
}

/* ---- expressions -------------------------------------------------------- */

static typed expr(pg_sqlc_types *t, size_t a, size_t b);

/* The token after the parenthesis that opens at @p i. */
static size_t close_of(const pg_sqlc_types *t, size_t i, size_t b) {
  int depth = 0;
  for (; i < b; i++) {
    depth += pg_sqltok_is(&t->toks[i], "(");
    depth -= pg_sqltok_is(&t->toks[i], ")");
    if (depth == 0)
      return i + 1;
  }
  return b + 1; /* unbalanced */
}

/* The first top-level token in [a, b) among the words in @p ops, or b. */
static size_t find_top(const pg_sqlc_types *t, size_t a, size_t b,
                       const char *const *ops, size_t nops) {
  int depth = 0;
  for (size_t i = a; i < b; i++) {
    depth +=
        pg_sqltok_is(&t->toks[i], "(") || pg_sqltok_is(&t->toks[i], "case");
    depth -= pg_sqltok_is(&t->toks[i], ")") || pg_sqltok_is(&t->toks[i], "end");
    if (depth != 0 || i == a)
      continue;
    for (size_t k = 0; k < nops; k++)
      if (pg_sqltok_is(&t->toks[i], ops[k]))
        return i;
  }
  return b;
}

static typed join_numeric(typed x, typed y) {
  if (!x.is_known || !y.is_known)
    return unknown;
  bool both_int = x.type == PG_DB_INT64 && y.type == PG_DB_INT64;
  bool numeric = (x.type == PG_DB_INT64 || x.type == PG_DB_DOUBLE) &&
                 (y.type == PG_DB_INT64 || y.type == PG_DB_DOUBLE);
  if (!numeric)
    return unknown;
  return (typed){true, both_int ? PG_DB_INT64 : PG_DB_DOUBLE,
                 x.may_be_null || y.may_be_null};
}

/* A split of [a, b) at every top-level @p ops: the operands, combined. */
static typed operands(pg_sqlc_types *t, size_t a, size_t b,
                      const char *const *ops, size_t nops, int how) {
  typed acc = {false, PG_DB_INT64, false};
  bool first = true;
  for (size_t s = a; s < b;) {
    size_t e = find_top(t, s, b, ops, nops);
    typed x = expr(t, s, e);
    if (how == 0) /* comparisons and logic: bool, NULL if an operand is */
      acc = (typed){true, PG_DB_BOOL,
                    acc.may_be_null || (x.is_known && x.may_be_null)};
    else if (how == 1) /* || */
      acc = (typed){true, PG_DB_STRING,
                    acc.may_be_null || !x.is_known || x.may_be_null};
    else
      acc = first ? x : join_numeric(acc, x);
    first = false;
    s = e + 1;
  }
  return acc;
}

/* Arguments of a call whose '(' is at @p open: [starts[i], ends[i]). */
static size_t args_of(const pg_sqlc_types *t, size_t open, size_t close,
                      size_t *starts, size_t *ends, size_t cap) {
  static const char *const comma[] = {","};
  size_t n = 0;
  size_t s = open + 1;
  if (s < t->ntoks && pg_sqltok_is(&t->toks[s], "distinct"))
    s++;
  while (s < close - 1 && n < cap) {
    size_t e = find_top(t, s, close - 1, comma, 1);
    if (e == s && pg_sqltok_is(&t->toks[s], ","))
      e = s;
    starts[n] = s;
    ends[n++] = e;
    s = e + 1;
  }
  return n;
}

static bool name_in(const pg_sqltok *k, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (pg_sqltok_is(k, names[i]))
      return true;
  return false;
}

/* A call to SQLite's built-in function at @p a, '(' at a + 1. */
static typed call(pg_sqlc_types *t, size_t a, size_t close) {
  static const char *const text_fns[] = {
      "lower",    "upper",     "trim",         "ltrim",      "rtrim",
      "substr",   "substring", "replace",      "printf",     "format",
      "hex",      "quote",     "char",         "date",       "time",
      "datetime", "strftime",  "group_concat", "string_agg", "typeof"};
  static const char *const int_fns[] = {
      "length",  "instr",         "unicode",           "random",
      "changes", "total_changes", "last_insert_rowid", "unixepoch"};
  const pg_sqltok *f = &t->toks[a];
  size_t s[16], e[16];
  size_t n = args_of(t, a + 1, close, s, e, 16);
  typed x = n > 0 ? expr(t, s[0], e[0]) : unknown;
  if (pg_sqltok_is(f, "count"))
    return (typed){true, PG_DB_INT64, false};
  if (pg_sqltok_is(f, "total"))
    return (typed){true, PG_DB_DOUBLE, false};
  if (pg_sqltok_is(f, "avg") || pg_sqltok_is(f, "round") ||
      pg_sqltok_is(f, "julianday"))
    return (typed){true, PG_DB_DOUBLE, true};
  if (pg_sqltok_is(f, "sum") || pg_sqltok_is(f, "min") ||
      pg_sqltok_is(f, "max") || pg_sqltok_is(f, "nullif"))
    return x.is_known ? (typed){true, x.type, true} : unknown;
  if (pg_sqltok_is(f, "abs"))
    return x;
  if (pg_sqltok_is(f, "coalesce") || pg_sqltok_is(f, "ifnull")) {
    bool may_be_null = true;
    for (size_t i = 0; i < n; i++) {
      typed y = expr(t, s[i], e[i]);
      may_be_null &=
          !(y.is_known && !y.may_be_null) &&
          !(e[i] == s[i] + 1 && t->toks[s[i]].kind != PG_SQLTOK_WORD &&
            t->toks[s[i]].kind != PG_SQLTOK_QUOTED &&
            t->toks[s[i]].kind != PG_SQLTOK_PARAM);
    }
    return x.is_known ? (typed){true, x.type, may_be_null} : unknown;
  }
  if (pg_sqltok_is(f, "iif") && n == 3)
    return expr(t, s[1], e[1]);
  if (name_in(f, text_fns, sizeof text_fns / sizeof *text_fns))
    return (typed){true, PG_DB_STRING,
                   !x.is_known || x.may_be_null ||
                       pg_sqltok_is(f, "group_concat")};
  if (name_in(f, int_fns, sizeof int_fns / sizeof *int_fns))
    return (typed){true, PG_DB_INT64, n > 0 && (!x.is_known || x.may_be_null)};
  return unknown;
}

/* CAST(e AS T), '(' at a + 1. */
static typed cast(pg_sqlc_types *t, size_t a, size_t close) {
  static const char *const as[] = {"as"};
  size_t at = find_top(t, a + 2, close - 1, as, 1);
  char decl[128] = "", why[256];
  typed inner = expr(t, a + 2, at), r = {true, PG_DB_INT64, true};
  for (size_t i = at + 1; i + 1 < close; i++) {
    char w[64];
    pg_sqltok_name(&t->toks[i], w, sizeof w);
    size_t n = strlen(decl);
    snprintf(decl + n, sizeof decl - n, "%s%s", n ? " " : "", w);
  }
  if (at >= close - 1 || !decl_type(decl, &r.type, why, sizeof why))
    return unknown;
  r.may_be_null = !inner.is_known || inner.may_be_null;
  return r;
}

/* CASE ... END over [a, b): its THEN and ELSE branches joined. */
static typed case_expr(pg_sqlc_types *t, size_t a, size_t b) {
  static const char *const marks[] = {"when", "then", "else"};
  typed acc = unknown;
  bool has_else = false, first = true;
  for (size_t i = find_top(t, a + 1, b - 1, marks, 3); i < b - 1;) {
    size_t next = find_top(t, i, b - 1, marks, 3);
    bool is_branch =
        pg_sqltok_is(&t->toks[i], "then") || pg_sqltok_is(&t->toks[i], "else");
    has_else |= pg_sqltok_is(&t->toks[i], "else");
    if (is_branch) {
      typed x = expr(t, i + 1, next);
      if (!x.is_known && next == i + 2 && pg_sqltok_is(&t->toks[i + 1], "null"))
        x = (typed){acc.is_known, acc.type, true}; /* THEN NULL */
      else if (!first && x.is_known && acc.is_known && x.type != acc.type)
        x = join_numeric(acc, x);
      acc = first ? x
                  : (typed){acc.is_known && x.is_known, x.type,
                            acc.may_be_null || x.may_be_null};
      first = false;
    }
    i = next;
  }
  if (!has_else)
    acc.may_be_null = true;
  return acc;
}

static typed literal(const pg_sqltok *k) {
  if (k->kind == PG_SQLTOK_NUMBER)
    return (typed){true,
                   memchr(k->p, '.', k->len) || memchr(k->p, 'e', k->len)
                       ? PG_DB_DOUBLE
                       : PG_DB_INT64,
                   false};
  if (k->kind == PG_SQLTOK_STRING)
    return (typed){true, k->p[0] == '\'' ? PG_DB_STRING : PG_DB_BYTES, false};
  if (pg_sqltok_is(k, "true") || pg_sqltok_is(k, "false"))
    return (typed){true, PG_DB_BOOL, false};
  return unknown;
}

static typed expr(pg_sqlc_types *t, size_t a, size_t b) {
  static const char *const logic[] = {
      "or", "and", "=",  "==",   "!=",   "<>",      "<",      "<=",    ">",
      ">=", "is",  "in", "like", "glob", "between", "regexp", "match", "not"};
  static const char *const concat[] = {"||"};
  static const char *const arith[] = {"+", "-", "*", "/", "%"};
  if (a >= b || b > t->ntoks)
    return unknown;
  const pg_sqltok *k = &t->toks[a];
  if (pg_sqltok_is(k, "exists") || (pg_sqltok_is(k, "not") && a + 1 < b &&
                                    pg_sqltok_is(&t->toks[a + 1], "exists")))
    return (typed){true, PG_DB_BOOL, false};
  if (find_top(t, a, b, logic, sizeof logic / sizeof *logic) < b)
    return operands(t, a, b, logic, sizeof logic / sizeof *logic, 0);
  if (find_top(t, a, b, concat, 1) < b)
    return operands(t, a, b, concat, 1, 1);
  if (find_top(t, a, b, arith, 5) < b)
    return operands(t, a, b, arith, 5, 2);
  if (pg_sqltok_is(k, "-") || pg_sqltok_is(k, "+"))
    return expr(t, a + 1, b);
  if (pg_sqltok_is(k, "case") && pg_sqltok_is(&t->toks[b - 1], "end"))
    return case_expr(t, a, b);
  if (pg_sqltok_is(k, "(") && close_of(t, a, b) == b)
    return a + 1 < b && pg_sqltok_is(&t->toks[a + 1], "select")
               ? unknown
               : expr(t, a + 1, b - 1);
  if (b - a == 1)
    return is_name(k) ? column_ending_at(t, a) : literal(k);
  if (b - a == 3 && pg_sqltok_is(&t->toks[a + 1], "."))
    return column_ending_at(t, a + 2);
  if (is_name(k) && pg_sqltok_is(&t->toks[a + 1], "(") &&
      close_of(t, a + 1, b) == b)
    return pg_sqltok_is(k, "cast") ? cast(t, a, b) : call(t, a, b);
  return unknown;
}

/* ---- result columns ----------------------------------------------------- */

/* The result list: after RETURNING, or after the top-level SELECT up to
 * its FROM (or the end of the list). */
static bool result_list(const pg_sqlc_types *t, size_t *a, size_t *b) {
  static const char *const ends[] = {"from",   "where", "group",  "order",
                                     "limit",  "union", "except", "intersect",
                                     "window", "having"};
  int depth = 0;
  size_t start = t->ntoks;
  for (size_t i = 0; i < t->ntoks; i++) {
    depth += pg_sqltok_is(&t->toks[i], "(");
    depth -= pg_sqltok_is(&t->toks[i], ")");
    if (depth == 0 && pg_sqltok_is(&t->toks[i], "returning")) {
      *a = i + 1;
      *b = t->ntoks;
      return true;
    }
    if (depth == 0 && start == t->ntoks && pg_sqltok_is(&t->toks[i], "select"))
      start = i + 1;
  }
  if (start == t->ntoks)
    return false;
  if (start < t->ntoks && (pg_sqltok_is(&t->toks[start], "distinct") ||
                           pg_sqltok_is(&t->toks[start], "all")))
    start++;
  *a = start;
  *b = find_top(t, start > 0 ? start - 1 : 0, t->ntoks, ends,
                sizeof ends / sizeof *ends);
  return true;
}

/* Item @p i of the result list, its alias cut off. */
static bool result_item(const pg_sqlc_types *t, int i, size_t *a, size_t *b) {
  static const char *const comma[] = {","};
  size_t s, e;
  if (!result_list(t, &s, &e))
    return false;
  for (int k = 0; s < e; k++) {
    size_t end = find_top(t, s > 0 ? s - 1 : 0, e, comma, 1);
    if (end < s)
      end = e;
    if (pg_sqltok_is(&t->toks[end - 1], "*") &&
        (end - s == 1 || pg_sqltok_is(&t->toks[end - 2], ".")))
      return false; /* a star before: the items no longer line up */
    if (k == i) {
      if (end - s >= 3 && pg_sqltok_is(&t->toks[end - 2], "as"))
        end -= 2;
      else if (end - s >= 2 && is_name(&t->toks[end - 1]) &&
               !is_name(&t->toks[end - 2]) &&
               !pg_sqltok_is(&t->toks[end - 2], ".") &&
               !pg_sqltok_is(&t->toks[end - 1], "end"))
        end -= 1;
      *a = s;
      *b = end;
      return true;
    }
    s = end + 1;
  }
  return false;
}

bool pg_sqlc_column_type(pg_sqlc_types *t, sqlite3_stmt *st, int i,
                         pg_db_field *out, char *why, size_t cap) {
  const char *decl = sqlite3_column_decltype(st, i);
  const char *table = sqlite3_column_table_name(st, i);
  const char *origin = sqlite3_column_origin_name(st, i);
  size_t a, b;
  if (decl != NULL && table != NULL && origin != NULL) {
    if (!decl_type(decl, &out->type, why, cap))
      return false;
    typed c = lookup(t, table, origin);
    out->is_optional = !c.is_known || c.may_be_null;
    return true;
  }
  if (!result_item(t, i, &a, &b)) {
    snprintf(why, cap,
             "cannot find its expression: name it and CAST it, "
             "CAST(... AS INTEGER) AS name");
    return false;
  }
  typed x = expr(t, a, b);
  if (!x.is_known) {
    snprintf(why, cap,
             "cannot tell the type of `%.*s`: CAST it, as in "
             "CAST(... AS INTEGER), REAL, TEXT or BLOB",
             (int)(t->toks[b - 1].p + t->toks[b - 1].len - t->toks[a].p),
             t->toks[a].p);
    return false;
  }
  out->type = x.type;
  out->is_optional = x.may_be_null;
  return true;
}

/* ---- parameters --------------------------------------------------------- */

static bool is_compare(const pg_sqltok *k) {
  static const char *const ops[] = {"=", "==",   "!=",   "<>", "<", "<=",
                                    ">", ">=",   "+",    "-",  "*", "/",
                                    "%", "like", "glob", "is"};
  return name_in(k, ops, sizeof ops / sizeof *ops);
}

/* Whether the place @p i is in an UPDATE's SET list (an assignment). */
static bool is_in_set(const pg_sqlc_types *t, size_t i) {
  while (i-- > 0) {
    const pg_sqltok *k = &t->toks[i];
    if (pg_sqltok_is(k, "set"))
      return true;
    if (pg_sqltok_is(k, "where") || pg_sqltok_is(k, "from") ||
        pg_sqltok_is(k, "select") || pg_sqltok_is(k, "returning"))
      return false;
  }
  return false;
}

/* INSERT INTO t (a, b) VALUES (@x, @y): the column at @p i's position. */
static typed insert_column(pg_sqlc_types *t, size_t i, bool *is_assigned) {
  size_t open = i, ncommas = 0;
  int depth = 0;
  while (open-- > 0) {
    depth += pg_sqltok_is(&t->toks[open], ")");
    depth -= pg_sqltok_is(&t->toks[open], "(");
    if (depth < 0)
      break;
    ncommas += depth == 0 && pg_sqltok_is(&t->toks[open], ",");
  }
  if (open >= t->ntoks || open == 0)
    return unknown;
  size_t v = open - 1; /* VALUES, or the ',' after an earlier row */
  while (v > 0 && pg_sqltok_is(&t->toks[v], ",")) {
    size_t prev = v - 1; /* skip back over the earlier row */
    int d = 0;
    while (prev > 0) {
      d += pg_sqltok_is(&t->toks[prev], ")");
      d -= pg_sqltok_is(&t->toks[prev], "(");
      if (d == 0)
        break;
      prev--;
    }
    v = prev - 1;
  }
  if (!pg_sqltok_is(&t->toks[v], "values") || v < 2 ||
      !pg_sqltok_is(&t->toks[v - 1], ")"))
    return unknown;
  size_t cols_close = v - 1, cols_open = cols_close, k = 0;
  while (cols_open > 0 && !pg_sqltok_is(&t->toks[cols_open], "("))
    cols_open--;
  for (size_t j = cols_open + 1; j < cols_close; j++) {
    if (pg_sqltok_is(&t->toks[j], ","))
      continue;
    if (k++ == ncommas) {
      *is_assigned = true;
      return column_ending_at(t, j);
    }
  }
  return unknown;
}

/* Where the parameter at token @p i sits, and what that says. */
static typed param_at(pg_sqlc_types *t, size_t i, bool *is_assigned) {
  const pg_sqltok *tk = t->toks;
  size_t n = t->ntoks;
  *is_assigned = false;
  if (i >= 2 && i + 2 < n && pg_sqltok_is(&tk[i - 1], "(") &&
      pg_sqltok_is(&tk[i - 2], "cast") && pg_sqltok_is(&tk[i + 1], "as")) {
    char why[256];
    typed r = {true, PG_DB_INT64, false};
    char decl[64];
    pg_sqltok_name(&tk[i + 2], decl, sizeof decl);
    return decl_type(decl, &r.type, why, sizeof why) ? r : unknown;
  }
  if (i >= 1 &&
      (pg_sqltok_is(&tk[i - 1], "limit") || pg_sqltok_is(&tk[i - 1], "offset")))
    return (typed){true, PG_DB_INT64, false};
  if (i >= 2 && is_compare(&tk[i - 1])) {
    size_t end = i - 2;
    if (end >= 1 && pg_sqltok_is(&tk[end], "not"))
      end--; /* IS NOT, NOT LIKE */
    typed c = column_ending_at(t, end);
    if (c.is_known) {
      *is_assigned = pg_sqltok_is(&tk[i - 1], "=") && is_in_set(t, i);
      return c;
    }
  }
  if (i + 2 < n && is_compare(&tk[i + 1])) {
    typed c = column_starting_at(t, i + 2);
    if (c.is_known)
      return c;
  }
  if (i >= 2 && pg_sqltok_is(&tk[i - 1], "between"))
    return column_ending_at(
        t, i >= 3 && pg_sqltok_is(&tk[i - 2], "not") ? i - 3 : i - 2);
  if (i >= 4 && pg_sqltok_is(&tk[i - 1], "and") &&
      pg_sqltok_is(&tk[i - 3], "between"))
    return column_ending_at(t, pg_sqltok_is(&tk[i - 4], "not") ? i - 5 : i - 4);
  size_t j = i; /* col IN (@a, @b) */
  while (j > 0 &&
         (tk[j].kind == PG_SQLTOK_PARAM || pg_sqltok_is(&tk[j], ",") ||
          tk[j].kind == PG_SQLTOK_NUMBER || tk[j].kind == PG_SQLTOK_STRING))
    j--;
  if (j >= 2 && pg_sqltok_is(&tk[j], "(") && pg_sqltok_is(&tk[j - 1], "in"))
    return column_ending_at(
        t, pg_sqltok_is(&tk[j - 2], "not") && j >= 3 ? j - 3 : j - 2);
  return insert_column(t, i, is_assigned);
}

bool pg_sqlc_param_type(pg_sqlc_types *t, const char *raw, pg_db_type *type,
                        bool *is_assigned_nullable, char *why, size_t cap) {
  typed found = unknown;
  *is_assigned_nullable = false;
  for (size_t i = 0; i < t->ntoks; i++) {
    const pg_sqltok *k = &t->toks[i];
    bool is_assigned;
    if (k->kind != PG_SQLTOK_PARAM || k->len != strlen(raw) ||
        strncmp(k->p, raw, k->len) != 0)
      continue;
    typed x = param_at(t, i, &is_assigned);
    if (!x.is_known)
      continue;
    if (found.is_known && found.type != x.type) {
      snprintf(why, cap, "used as %s and as %s: CAST one use",
               pg_db_type_name(found.type), pg_db_type_name(x.type));
      return false;
    }
    found = x;
    *is_assigned_nullable |= is_assigned && x.may_be_null;
  }
  if (!found.is_known) {
    snprintf(why, cap,
             "cannot tell its type: compare it with a column, "
             "assign it to one, or write CAST(%s AS INTEGER) (or "
             "REAL, TEXT, BLOB)",
             raw);
    return false;
  }
  *type = found.type;
  return true;
}
