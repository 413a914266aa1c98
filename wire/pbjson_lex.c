/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_lex.c: the JSON reader under JSON to binary: whitespace,
 * tokens (strings with their escapes decoded and checked as UTF-8,
 * numbers, literals), the members of objects and the elements of arrays,
 * and skipping a value, nested at most 100 deep.
 *
 * Reads the conversion's input (pg_pbjson_fj), which it borrows; a string
 * with escapes is decoded into the conversion's scratch buffer. Any thread.
 */
#include "pbjson_int.h"

#include <stdio.h>
#include <string.h>

#include "parigot/error.h"
#include "utf8.h"

int pg_pbjson_fj_nomem(pg_pbjson_fj *f) {
  return pg_pbjson_rep_fail(&f->rep, PARIGOT_ENOMEM, "out of memory");
}

int pg_pbjson_fj_syntax(pg_pbjson_fj *f, size_t at, const char *what) {
  if (f->rep.err != NULL && f->rep.err_len > 0)
    snprintf(f->rep.err, f->rep.err_len, "invalid JSON at offset %zu: %s", at,
             what);
  return PARIGOT_EINVAL;
}

/* What a token is, for "got ..." in messages: its text, cut short. */
const char *pg_pbjson_got(const pg_pbjson_fj *f, const pg_pbjson_tok *t,
                          char *buf, size_t n) {
  if (t->kind == TK_OBJ)
    return "an object";
  if (t->kind == TK_ARR)
    return "an array";
  pg_pbjson_snip(buf, n, f->s + t->at, t->end - t->at);
  return buf;
}

static void ws(pg_pbjson_fj *f) {
  while (f->pos < f->len && (f->s[f->pos] == ' ' || f->s[f->pos] == '\t' ||
                             f->s[f->pos] == '\n' || f->s[f->pos] == '\r'))
    f->pos++;
}

int pg_pbjson_peek(pg_pbjson_fj *f) {
  ws(f);
  return f->pos < f->len ? f->s[f->pos] : -1;
}

static int hex4(const uint8_t *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (uint32_t)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

/* Decodes the escapes of s[from, to) into f->scratch. */
static int unescape(pg_pbjson_fj *f, size_t from, size_t to, pg_pbjson_tok *t) {
  f->scratch.len = 0;
  if (pg_pbjson_buf_reserve(&f->scratch, to - from) != 0)
    return pg_pbjson_fj_nomem(f);
  uint8_t *o = f->scratch.data;
  for (size_t i = from; i < to;) {
    if (f->s[i] != '\\') {
      *o++ = f->s[i++];
      continue;
    }
    uint8_t e = f->s[i + 1]; /* the scan saw to it that this exists */
    uint32_t cp, lo;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      *o++ = e;
      break;
    case 'b':
      *o++ = '\b';
      break;
    case 'f':
      *o++ = '\f';
      break;
    case 'n':
      *o++ = '\n';
      break;
    case 'r':
      *o++ = '\r';
      break;
    case 't':
      *o++ = '\t';
      break;
    case 'u':
      if (to - i < 6 || hex4(f->s + i + 2, &cp) != 0)
        return pg_pbjson_fj_syntax(f, i, "invalid \\u escape");
      if (cp >= 0xdc00 && cp <= 0xdfff)
        return pg_pbjson_fj_syntax(f, i, "unpaired surrogate in \\u escape");
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (to - i < 12 || f->s[i + 6] != '\\' || f->s[i + 7] != 'u' ||
            hex4(f->s + i + 8, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
          return pg_pbjson_fj_syntax(f, i, "unpaired surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i += 6;
      }
      o += pg_utf8_encode(cp, o);
      i += 4;
      break;
    default:
      return pg_pbjson_fj_syntax(f, i, "invalid escape");
    }
    i += 2;
  }
  t->p = f->scratch.data;
  t->n = (size_t)(o - f->scratch.data);
  return 0;
}

/* A string at f->pos. Bytes point into the input when there is no escape,
 * else into f->scratch, valid until the next string is read. */
static int lex_string(pg_pbjson_fj *f, pg_pbjson_tok *t) {
  size_t i = ++f->pos;
  bool has_escape = false;
  for (;;) {
    if (i >= f->len)
      return pg_pbjson_fj_syntax(f, t->at, "unterminated string");
    uint8_t c = f->s[i];
    if (c == '"')
      break;
    if (c == '\\') {
      has_escape = true;
      i += 2;
    } else if (c < 0x20) {
      return pg_pbjson_fj_syntax(f, i, "control character in a string");
    } else if (c >= 0x80) {
      size_t k = pg_utf8_seq(f->s + i, f->len - i);
      if (k == 0)
        return pg_pbjson_fj_syntax(f, i, "invalid UTF-8");
      i += k;
    } else {
      i++;
    }
  }
  t->kind = TK_STR;
  if (has_escape) {
    int rc = unescape(f, f->pos, i, t);
    if (rc != 0)
      return rc;
  } else {
    t->p = f->s + f->pos;
    t->n = i - f->pos;
  }
  f->pos = i + 1;
  return 0;
}

/* The length of a JSON number at s[0, n), 0 if there is none; *is_int when
 * it has neither fraction nor exponent. */
size_t pg_pbjson_number_len(const uint8_t *s, size_t n, bool *is_int) {
  size_t i = 0;
  *is_int = true;
  if (i < n && s[i] == '-')
    i++;
  if (i < n && s[i] == '0') {
    i++;
  } else if (i < n && pg_pbjson_is_digit(s[i])) {
    while (i < n && pg_pbjson_is_digit(s[i]))
      i++;
  } else {
    return 0;
  }
  if (i < n && s[i] == '.') {
    *is_int = false;
    if (++i >= n || !pg_pbjson_is_digit(s[i]))
      return 0;
    while (i < n && pg_pbjson_is_digit(s[i]))
      i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    *is_int = false;
    if (++i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    if (i >= n || !pg_pbjson_is_digit(s[i]))
      return 0;
    while (i < n && pg_pbjson_is_digit(s[i]))
      i++;
  }
  return i;
}

/* Reads the next value's token. An object or array is only looked at: its
 * bracket stays for the caller to step over. */
int pg_pbjson_next_token(pg_pbjson_fj *f, pg_pbjson_tok *t) {
  int c = pg_pbjson_peek(f);
  memset(t, 0, sizeof *t);
  t->at = f->pos;
  int rc = 0;
  if (c < 0) {
    return pg_pbjson_fj_syntax(f, f->pos, "unexpected end of input");
  } else if (c == '"') {
    rc = lex_string(f, t);
  } else if (c == '-' || pg_pbjson_is_digit(c)) {
    t->kind = TK_NUM;
    t->p = f->s + f->pos;
    t->n = pg_pbjson_number_len(t->p, f->len - f->pos, &t->is_int);
    if (t->n == 0)
      return pg_pbjson_fj_syntax(f, f->pos, "invalid number");
    f->pos += t->n;
  } else if (c == '{' || c == '[') {
    t->kind = c == '{' ? TK_OBJ : TK_ARR;
    t->end = f->pos + 1;
    return 0;
  } else {
    static const struct {
      const char *text;
      pg_pbjson_tkind kind;
    } words[] = {{"true", TK_TRUE}, {"false", TK_FALSE}, {"null", TK_NULL}};
    size_t i = 0;
    for (; i < 3; i++) {
      size_t n = strlen(words[i].text);
      if (f->len - f->pos >= n && memcmp(f->s + f->pos, words[i].text, n) == 0)
        break;
    }
    if (i == 3)
      return pg_pbjson_fj_syntax(f, f->pos, "unexpected character");
    t->kind = words[i].kind;
    f->pos += strlen(words[i].text);
  }
  t->end = f->pos;
  return rc;
}

/* Steps over the ',' before the next member or element of an object or
 * array whose opening bracket was stepped over (*has), or over its closing
 * bracket @p close (!*has). */
static int list_next(pg_pbjson_fj *f, int close, bool *first, bool *has) {
  int c = pg_pbjson_peek(f);
  *has = false;
  if (c == close) {
    f->pos++;
    return 0;
  }
  if (!*first) {
    if (c != ',')
      return pg_pbjson_fj_syntax(f, f->pos,
                                 close == '}' ? "expected ',' or '}'"
                                              : "expected ',' or ']'");
    f->pos++;
  }
  *first = false;
  *has = true;
  return 0;
}

/* Steps to the next member of an object whose '{' was stepped over: *has
 * and the key in *key, or !*has after the closing brace. */
int pg_pbjson_obj_next(pg_pbjson_fj *f, bool *first, bool *has,
                       pg_pbjson_tok *key) {
  int rc = list_next(f, '}', first, has);
  if (rc != 0 || !*has)
    return rc;
  *has = false;
  if (pg_pbjson_peek(f) != '"')
    return pg_pbjson_fj_syntax(f, f->pos, "expected a string key");
  memset(key, 0, sizeof *key);
  key->at = f->pos;
  if ((rc = lex_string(f, key)) != 0)
    return rc;
  key->end = f->pos;
  if (pg_pbjson_peek(f) != ':')
    return pg_pbjson_fj_syntax(f, f->pos, "expected ':'");
  f->pos++;
  *has = true;
  return 0;
}

/* Steps to the next element of an array whose '[' was stepped over. */
int pg_pbjson_arr_next(pg_pbjson_fj *f, bool *first, bool *has) {
  return list_next(f, ']', first, has);
}

/* Reads the next token into @p t; one not of @p kind is refused as
 * "expected WHAT[ for M's type], got ...". */
int pg_pbjson_expect_kind(pg_pbjson_fj *f, pg_pbjson_tkind kind,
                          const char *what, const pg_pbjson_msg *m,
                          pg_pbjson_tok *t) {
  char buf[64];
  int rc = pg_pbjson_next_token(f, t);
  if (rc != 0 || t->kind == kind)
    return rc;
  if (m != NULL)
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "expected %s for %s, got %s", what, m->full_name,
                              pg_pbjson_got(f, t, buf, sizeof buf));
  return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL, "expected %s, got %s",
                            what, pg_pbjson_got(f, t, buf, sizeof buf));
}

/* Reads the '{' or '[' (@p kind) that opens an object or array, as
 * pg_pbjson_expect_kind does, and steps over it. */
int pg_pbjson_open_container(pg_pbjson_fj *f, pg_pbjson_tkind kind,
                             const char *what, const pg_pbjson_msg *m) {
  pg_pbjson_tok t;
  int rc = pg_pbjson_expect_kind(f, kind, what, m, &t);
  if (rc == 0)
    f->pos++;
  return rc;
}

/* Steps over one value, checking it; containers nest at most MAX_DEPTH. */
int pg_pbjson_skip_value(pg_pbjson_fj *f, int depth) {
  pg_pbjson_tok t;
  int rc = pg_pbjson_next_token(f, &t);
  if (rc != 0 || (t.kind != TK_OBJ && t.kind != TK_ARR))
    return rc;
  if (depth >= MAX_DEPTH)
    return pg_pbjson_fj_syntax(f, f->pos, "nested deeper than 100");
  f->pos++;
  bool first = true, has;
  for (;;) {
    if (t.kind == TK_OBJ) {
      pg_pbjson_tok key;
      rc = pg_pbjson_obj_next(f, &first, &has, &key);
    } else {
      rc = pg_pbjson_arr_next(f, &first, &has);
    }
    if (rc != 0 || !has)
      return rc;
    if ((rc = pg_pbjson_skip_value(f, depth + 1)) != 0)
      return rc;
  }
}

/* pg_pbjson_obj_next for an object whose keys are map keys: a key also goes on
 * the path, from where pg_pbjson_path_pop(*saved) takes it. */
int pg_pbjson_key_next(pg_pbjson_fj *f, bool *first, bool *has,
                       pg_pbjson_tok *key, size_t *saved) {
  int rc = pg_pbjson_obj_next(f, first, has, key);
  if (rc == 0 && *has)
    *saved = pg_pbjson_path_key(&f->rep.pt, key->p, key->n);
  return rc;
}
