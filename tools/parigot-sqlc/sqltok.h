/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/sqltok.h: SQL cut into tokens, enough to read what
 * SQLite does not say about a query: where each parameter sits (beside
 * which column, in which CAST) and what each result column's expression
 * is. Strings, quoted names and comments are single tokens, so nothing
 * inside them is mistaken for SQL. A token points into the text it came
 * from, which must outlive it.
 */
#ifndef PG_SQLC_SQLTOK_H
#define PG_SQLC_SQLTOK_H

#include <stdbool.h>
#include <stddef.h>

typedef enum pg_sqltok_kind {
  PG_SQLTOK_WORD,   /* a keyword or a bare name */
  PG_SQLTOK_QUOTED, /* "name", `name` or [name] */
  PG_SQLTOK_STRING, /* 'text' or X'hex' */
  PG_SQLTOK_NUMBER, /* 12, 1.5, 0x1f */
  PG_SQLTOK_PARAM,  /* @name, :name, $name, ?, ?3 */
  PG_SQLTOK_OP      /* punctuation and operators: ( ) , . = <> || ... */
} pg_sqltok_kind;

typedef struct pg_sqltok {
  pg_sqltok_kind kind;
  const char *p; /* into the text */
  size_t len;
} pg_sqltok;

/* Cuts @p sql into at most @p cap tokens at @p out (comments dropped).
 * The number of tokens, or cap + 1 when there are more. */
size_t pg_sqltok_split(const char *sql, pg_sqltok *out, size_t cap);

/* True if @p t is the word @p w, in any case. */
bool pg_sqltok_is(const pg_sqltok *t, const char *w);

/* A name token's text without its quotes, into @p out of @p cap bytes. */
void pg_sqltok_name(const pg_sqltok *t, char *out, size_t cap);

#endif /* PG_SQLC_SQLTOK_H */
