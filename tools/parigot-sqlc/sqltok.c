/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/sqltok.c: SQLite's lexical rules, as far as
 * sqltok.h needs them.
 */
#include "sqltok.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool is_word_byte(unsigned char c) {
  return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* The end of a quoted run that starts at @p p with @p open and ends at
 * @p close (doubled to escape it); the text's end if unterminated. */
static const char *quoted_end(const char *p, char close) {
  for (p++; *p != '\0'; p++)
    if (*p == close) {
      if (p[1] != close)
        return p + 1;
      p++;
    }
  return p;
}

static const char *skip_space_and_comments(const char *p) {
  for (;;) {
    while (isspace((unsigned char)*p))
      p++;
    if (p[0] == '-' && p[1] == '-')
      p += strcspn(p, "\n");
    else if (p[0] == '/' && p[1] == '*') {
      const char *end = strstr(p + 2, "*/");
      p = end != NULL ? end + 2 : p + strlen(p);
    } else
      return p;
  }
}

static const char *number_end(const char *p) {
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    p += 2;
    while (isxdigit((unsigned char)*p))
      p++;
    return p;
  }
  while (isdigit((unsigned char)*p) || *p == '.')
    p++;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    while (isdigit((unsigned char)*p))
      p++;
  }
  return p;
}

/* One token at @p p (not at the end, not at a space or comment). */
static pg_sqltok one(const char *p) {
  unsigned char c = (unsigned char)*p;
  static const char *const ops[] = {
      "||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->>", "->"};
  if ((c == 'x' || c == 'X') && p[1] == '\'')
    return (pg_sqltok){PG_SQLTOK_STRING, p,
                       (size_t)(quoted_end(p + 1, '\'') - p)};
  if (c == '\'')
    return (pg_sqltok){PG_SQLTOK_STRING, p, (size_t)(quoted_end(p, '\'') - p)};
  if (c == '"' || c == '`')
    return (pg_sqltok){PG_SQLTOK_QUOTED, p,
                       (size_t)(quoted_end(p, (char)c) - p)};
  if (c == '[') {
    const char *end = strchr(p, ']');
    return (pg_sqltok){PG_SQLTOK_QUOTED, p,
                       end ? (size_t)(end + 1 - p) : strlen(p)};
  }
  if (isdigit(c) || (c == '.' && isdigit((unsigned char)p[1])))
    return (pg_sqltok){PG_SQLTOK_NUMBER, p, (size_t)(number_end(p) - p)};
  if (c == '@' || c == ':' || c == '$' || c == '?') {
    size_t n = 1;
    while (is_word_byte((unsigned char)p[n]))
      n++;
    if (n > 1 || c == '?')
      return (pg_sqltok){PG_SQLTOK_PARAM, p, n};
  }
  if (isalpha(c) || c == '_' || c >= 0x80) {
    size_t n = 1;
    while (is_word_byte((unsigned char)p[n]))
      n++;
    return (pg_sqltok){PG_SQLTOK_WORD, p, n};
  }
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
    if (strncmp(p, ops[i], strlen(ops[i])) == 0)
      return (pg_sqltok){PG_SQLTOK_OP, p, strlen(ops[i])};
  return (pg_sqltok){PG_SQLTOK_OP, p, 1};
}

size_t pg_sqltok_split(const char *sql, pg_sqltok *out, size_t cap) {
  size_t n = 0;
  const char *p = skip_space_and_comments(sql);
  while (*p != '\0') {
    if (n == cap)
      return cap + 1;
    out[n] = one(p);
    p = skip_space_and_comments(p + out[n].len);
    n++;
  }
  return n;
}

bool pg_sqltok_is(const pg_sqltok *t, const char *w) {
  size_t len = strlen(w);
  return t->len == len && strncasecmp(t->p, w, len) == 0 &&
         (t->kind == PG_SQLTOK_WORD || t->kind == PG_SQLTOK_OP);
}

void pg_sqltok_name(const pg_sqltok *t, char *out, size_t cap) {
  const char *p = t->p;
  size_t len = t->len;
  if (t->kind == PG_SQLTOK_QUOTED && len >= 2) {
    p++;
    len -= 2;
  }
  if (cap == 0)
    return;
  if (len >= cap)
    len = cap - 1;
  memcpy(out, p, len);
  out[len] = '\0';
}
