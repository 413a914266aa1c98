/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/toml.c: parses TOML 1.0.0 (https://toml.io/en/v1.0.0) into a tree.
 *
 * Owns each document's arena, from which every value, key and string is
 * carved, so a document is freed in one sweep and a failed parse cannot leak.
 * Calls only the caller's allocator hooks (or libc) and strtod(). A parse
 * runs on the caller's thread and shares no state with other parses; a
 * finished document is read-only.
 *
 * The parser is a recursive-descent reader over a byte buffer with a length.
 * Recursion happens only through nested arrays and inline tables, and both
 * stop at PG_TOML_MAX_DEPTH. Line and column numbers are computed lazily from
 * byte offsets (see locate()), so the scanning code deals in offsets only.
 */
#include "toml.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parigot/error.h"
#include "utf8.h"

/* Value flags. They carry the "defined once" rules of TOML tables. */
enum {
  TBL_EXPLICIT = 1 << 0, /* defined by its own [header] */
  TBL_DOTTED = 1 << 1,   /* created by a dotted key in a key/value pair */
  TBL_INLINE = 1 << 2,   /* an inline table; closed once its '}' is read */
  ARR_OF_TABLES = 1 << 3 /* created by [[header]]; later ones append */
};

/* Tables with more entries than this get a hash index; smaller ones are
 * scanned, which is faster for the handful of keys most tables have. */
#define INDEX_MIN 8

#define CHUNK_FIRST 4096     /* bytes in a document's first arena chunk */
#define CHUNK_MAX (1u << 20) /* chunks double up to this size */
#define MAX_KEY_PARTS (PG_TOML_MAX_DEPTH + 1)

typedef struct entry {
  const char *key; /* NUL-terminated, in the arena */
  size_t key_len;  /* bytes, without the NUL */
  uint32_t hash;   /* hash_key(key) */
  pg_toml_value *val;
} entry;

struct pg_toml_value {
  uint8_t kind;    /* a pg_toml_kind */
  uint8_t flags;   /* TBL_* and ARR_* */
  uint16_t depth;  /* containers between it and the root; root is 0 */
  pg_toml_pos pos; /* where it was defined */
  union {
    struct {
      const char *ptr; /* NUL-terminated, in the arena */
      size_t len;
    } str;
    int64_t i;
    double f;
    bool b;
    pg_toml_datetime dt;
    struct {
      pg_toml_value **items; /* in the arena */
      size_t len, cap;
    } arr;
    struct {
      entry *items;     /* document order; in the arena */
      uint32_t *index;  /* open addressing, entry number + 1, or NULL */
      size_t len, cap;  /* entries used / allocated */
      size_t index_cap; /* slots in index, a power of two */
    } tab;
  } u;
};

struct pg_toml_doc {
  pg_mem mem;     /* the caller's, copied */
  pg_arena arena; /* on mem: every value, key and string */
  pg_toml_value root;
};

/* A growable scratch buffer, freed when the parse ends. */
typedef struct sbuf {
  char *ptr;
  size_t len, cap; /* bytes used / allocated */
} sbuf;

/* One part of a (dotted) key; its bytes live in parser.keys. */
typedef struct keypart {
  size_t off, len; /* in parser.keys */
  size_t src;      /* input offset, for messages */
  pg_toml_pos pos; /* locate(src) */
  uint32_t hash;
} keypart;

typedef struct parser {
  const char *buf; /* the input; borrowed */
  size_t len, pos; /* input length / read offset, bytes */
  size_t start;    /* offset after the BOM, where line 1 column 1 is */
  pg_toml_doc *doc;
  pg_toml_value *cur; /* table that key/value pairs go into */
  pg_toml_error *err; /* may be NULL */
  bool failed;        /* err already holds the first failure */
  sbuf str;           /* decoded string or number being read */
  sbuf keys;          /* decoded parts of the key being read */
  keypart path[MAX_KEY_PARTS];
  int npath;
  size_t loc_off; /* locate() cursor: offset, and its line and column */
  int loc_line, loc_col;
} parser;

/* ---- allocation ------------------------------------------------------- */

/* Arena allocation: memory is freed only with the whole document. */
static void *arena_alloc(pg_toml_doc *doc, size_t n) {
  return pg_arena_alloc(&doc->arena, n);
}

static char *arena_strdup(pg_toml_doc *doc, const char *s, size_t n) {
  return pg_arena_strdup(&doc->arena, s, n);
}

/* ---- positions and errors --------------------------------------------- */

/*
 * Line and column of a byte offset. The cursor only moves forward, and the
 * parser asks for offsets in document order, so the total cost is linear.
 * Columns count code points: every byte that is not a UTF-8 continuation.
 */
static pg_toml_pos locate(parser *p, size_t off) {
  if (off < p->loc_off) {
    p->loc_off = p->start;
    p->loc_line = 1;
    p->loc_col = 1;
  }
  for (; p->loc_off < off; p->loc_off++) {
    unsigned char c = (unsigned char)p->buf[p->loc_off];
    if (c == '\n') {
      p->loc_line++;
      p->loc_col = 1;
    } else if ((c & 0xC0) != 0x80) {
      p->loc_col++;
    }
  }
  return (pg_toml_pos){p->loc_line, p->loc_col};
}

static void set_error(pg_toml_error *err, pg_toml_pos pos, const char *fmt,
                      va_list ap) {
  int n = 0;
  err->line = pos.line;
  err->column = pos.column;
  if (pos.line > 0)
    n = snprintf(err->msg, sizeof err->msg, "line %d, column %d: ", pos.line,
                 pos.column);
  vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 4, 5))) static int
fail(parser *p, size_t off, int code, const char *fmt, ...) {
  if (p->err != NULL && !p->failed) {
    va_list ap;
    va_start(ap, fmt);
    set_error(p->err, locate(p, off), fmt, ap);
    va_end(ap);
  }
  p->failed = true;
  return code;
}

static int nomem(parser *p) {
  if (p->err != NULL && !p->failed) {
    p->err->line = p->err->column = 0;
    snprintf(p->err->msg, sizeof p->err->msg, "out of memory");
  }
  p->failed = true;
  return PARIGOT_ENOMEM;
}

static int too_deep(parser *p, size_t off) {
  return fail(p, off, PARIGOT_ENOTSUP, "nesting deeper than %d levels",
              PG_TOML_MAX_DEPTH);
}

/* Names the character at @p off for a message, e.g. "'x'" or "U+3000". */
static const char *describe(const parser *p, size_t off, char *out,
                            size_t cap) {
  if (off >= p->len)
    return "end of input";
  unsigned char c = (unsigned char)p->buf[off];
  if (c == '\n' || (c == '\r' && off + 1 < p->len && p->buf[off + 1] == '\n'))
    return "end of line";
  if (c > ' ' && c < 0x7F)
    snprintf(out, cap, "'%c'", c);
  else
    snprintf(out, cap, "U+%04X",
             (unsigned)pg_utf8_decode((const uint8_t *)p->buf + off));
  return out;
}

#define DESCRIBE(p, off) describe((p), (off), (char[16]){0}, 16)

/*
 * Writes the first @p n key parts as one quoted, dotted name for messages.
 * Control characters and quotes are escaped so the message stays one line.
 */
static const char *key_name(const parser *p, int n, char *out, size_t cap) {
  size_t w = 0;
  out[w++] = '"';
  for (int i = 0; i < n && w + 8 < cap; i++) {
    const keypart *k = &p->path[i];
    if (i > 0)
      out[w++] = '.';
    for (size_t j = 0; j < k->len && w + 8 < cap; j++) {
      unsigned char c = (unsigned char)p->keys.ptr[k->off + j];
      if (c < 0x20 || c == 0x7F || c == '"' || c == '\\')
        w += (size_t)snprintf(out + w, cap - w, "\\u%04X", c);
      else
        out[w++] = (char)c;
    }
  }
  out[w++] = '"';
  out[w] = '\0';
  return out;
}

#define KEY_NAME(p, n) key_name((p), (n), (char[96]){0}, 96)

/* ---- scratch buffers -------------------------------------------------- */

static int sbuf_grow(parser *p, sbuf *b, size_t more) {
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < more) {
    if (cap > SIZE_MAX / 2)
      return nomem(p);
    cap *= 2;
  }
  char *ptr = p->doc->mem.realloc(b->ptr, cap, p->doc->mem.user_data);
  if (ptr == NULL)
    return nomem(p);
  b->ptr = ptr;
  b->cap = cap;
  return 0;
}

static int sbuf_putc(parser *p, sbuf *b, char c) {
  if (b->len == b->cap && sbuf_grow(p, b, 1) != 0)
    return PARIGOT_ENOMEM;
  b->ptr[b->len++] = c;
  return 0;
}

static int sbuf_put(parser *p, sbuf *b, const char *s, size_t n) {
  if (b->cap - b->len < n && sbuf_grow(p, b, n) != 0)
    return PARIGOT_ENOMEM;
  memcpy(b->ptr + b->len, s, n);
  b->len += n;
  return 0;
}

static int sbuf_put_utf8(parser *p, sbuf *b, uint32_t cp) {
  uint8_t u[4];
  return sbuf_put(p, b, (const char *)u, pg_utf8_encode(cp, u));
}

static void sbuf_free(parser *p, sbuf *b) {
  p->doc->mem.free(b->ptr, p->doc->mem.user_data);
  b->ptr = NULL;
  b->len = b->cap = 0;
}

/* ---- input encoding --------------------------------------------------- */

/* Validating the whole input first means the scanner never meets a broken
 * sequence and can copy non-ASCII bytes without looking at them. */
static int check_encoding(parser *p) {
  const unsigned char *s = (const unsigned char *)p->buf;
  for (size_t i = 0; i < p->len;) {
    if (s[i] == 0)
      return fail(p, i, PARIGOT_ESYNTAX, "NUL byte in input");
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t n = pg_utf8_seq(s + i, p->len - i);
    if (n == 0)
      return fail(p, i, PARIGOT_ESYNTAX, "invalid UTF-8 byte 0x%02X", s[i]);
    i += n;
  }
  return 0;
}

/* ---- scanning --------------------------------------------------------- */

static int peek_at(const parser *p, size_t k) {
  size_t off = p->pos + k;
  return off < p->len ? (unsigned char)p->buf[off] : -1;
}

static int peek(const parser *p) {
  return peek_at(p, 0);
}

static bool is_digit(int c) {
  return c >= '0' && c <= '9';
}

static bool is_bare_key_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
         c == '_' || c == '-';
}

/* Bytes that may not appear raw in a string or comment: TOML allows tab but
 * no other C0 control, and not DEL. Newlines are handled by the callers. */
static bool is_forbidden_control(int c) {
  return (c < 0x20 && c != '\t') || c == 0x7F;
}

static bool at_newline(const parser *p) {
  int c = peek(p);
  return c == '\n' || (c == '\r' && peek_at(p, 1) == '\n');
}

static void eat_newline(parser *p) {
  p->pos += p->buf[p->pos] == '\r' ? 2 : 1;
}

static void skip_ws(parser *p) {
  while (p->pos < p->len && (p->buf[p->pos] == ' ' || p->buf[p->pos] == '\t'))
    p->pos++;
}

static bool match_word(parser *p, const char *word) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->buf + p->pos, word, n) != 0)
    return false;
  p->pos += n;
  return true;
}

/* Skips a comment, if one starts here, up to (not including) its newline. */
static int skip_comment(parser *p) {
  if (peek(p) != '#')
    return 0;
  for (p->pos++; p->pos < p->len && !at_newline(p); p->pos++) {
    int c = peek(p);
    if (is_forbidden_control(c))
      return fail(p, p->pos, PARIGOT_ESYNTAX,
                  "control character U+%04X in comment", (unsigned)c);
  }
  return 0;
}

/* Skips whitespace, comments and newlines, as allowed inside arrays. */
static int skip_blank(parser *p) {
  for (;;) {
    skip_ws(p);
    int rc = skip_comment(p);
    if (rc != 0)
      return rc;
    if (!at_newline(p))
      return 0;
    eat_newline(p);
  }
}

/* Ends an expression: optional whitespace and comment, then newline or EOF. */
static int end_line(parser *p, const char *after) {
  skip_ws(p);
  int rc = skip_comment(p);
  if (rc != 0)
    return rc;
  if (p->pos == p->len)
    return 0;
  if (!at_newline(p))
    return fail(p, p->pos, PARIGOT_ESYNTAX,
                "unexpected %s after %s; expected end of line",
                DESCRIBE(p, p->pos), after);
  eat_newline(p);
  return 0;
}

/* ---- tables and arrays ------------------------------------------------ */

/* FNV-1a: tiny, and good enough for config keys. */
static uint32_t hash_key(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static bool same_key(const entry *e, const char *key, size_t len,
                     uint32_t hash) {
  return e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0;
}

static const entry *table_find(const pg_toml_value *t, const char *key,
                               size_t len, uint32_t hash) {
  const entry *items = t->u.tab.items;
  if (t->u.tab.index == NULL) {
    for (size_t i = 0; i < t->u.tab.len; i++)
      if (same_key(&items[i], key, len, hash))
        return &items[i];
    return NULL;
  }
  size_t mask = t->u.tab.index_cap - 1;
  for (size_t s = hash & mask;; s = (s + 1) & mask) {
    uint32_t slot = t->u.tab.index[s];
    if (slot == 0)
      return NULL;
    if (same_key(&items[slot - 1], key, len, hash))
      return &items[slot - 1];
  }
}

static void index_put(pg_toml_value *t, size_t i) {
  size_t mask = t->u.tab.index_cap - 1;
  size_t s = t->u.tab.items[i].hash & mask;
  while (t->u.tab.index[s] != 0)
    s = (s + 1) & mask;
  t->u.tab.index[s] = (uint32_t)(i + 1);
}

/* Rebuilds the index at a load factor of at most 1/4, so probes stay short
 * and rebuilding (which leaves the old index in the arena) stays rare. */
static int index_rebuild(parser *p, pg_toml_value *t) {
  size_t cap = 64;
  while (cap < 4 * t->u.tab.len)
    cap *= 2;
  uint32_t *index = arena_alloc(p->doc, cap * sizeof *index);
  if (index == NULL)
    return nomem(p);
  memset(index, 0, cap * sizeof *index);
  t->u.tab.index = index;
  t->u.tab.index_cap = cap;
  for (size_t i = 0; i < t->u.tab.len; i++)
    index_put(t, i);
  return 0;
}

/* Grows an arena array of @p size-byte items; the old copy stays in the
 * arena, which costs at most as much again as the final array. */
static int grow(parser *p, void **items, size_t *cap, size_t size) {
  size_t n = *cap ? *cap * 2 : 4;
  if (n > SIZE_MAX / 2 / size)
    return nomem(p);
  void *bigger = arena_alloc(p->doc, n * size);
  if (bigger == NULL)
    return nomem(p);
  if (*cap > 0)
    memcpy(bigger, *items, *cap * size);
  *items = bigger;
  *cap = n;
  return 0;
}

/* Adds an entry the caller has checked is absent. Takes @p key as is. */
static int table_add(parser *p, pg_toml_value *t, const char *key, size_t len,
                     uint32_t hash, pg_toml_value *v) {
  if (t->u.tab.len == t->u.tab.cap &&
      grow(p, (void **)&t->u.tab.items, &t->u.tab.cap, sizeof(entry)) != 0)
    return PARIGOT_ENOMEM;
  size_t i = t->u.tab.len++;
  t->u.tab.items[i] = (entry){key, len, hash, v};
  if (t->u.tab.len <= INDEX_MIN)
    return 0;
  if (t->u.tab.index_cap < 2 * t->u.tab.len)
    return index_rebuild(p, t);
  index_put(t, i);
  return 0;
}

static int array_push(parser *p, pg_toml_value *a, pg_toml_value *v) {
  if (a->u.arr.len == a->u.arr.cap &&
      grow(p, (void **)&a->u.arr.items, &a->u.arr.cap,
           sizeof(pg_toml_value *)) != 0)
    return PARIGOT_ENOMEM;
  a->u.arr.items[a->u.arr.len++] = v;
  return 0;
}

static pg_toml_value *new_value(parser *p, pg_toml_kind kind, pg_toml_pos pos,
                                int depth) {
  pg_toml_value *v = arena_alloc(p->doc, sizeof *v);
  if (v == NULL)
    return NULL;
  memset(v, 0, sizeof *v);
  v->kind = (uint8_t)kind;
  v->depth = (uint16_t)depth;
  v->pos = pos;
  return v;
}

/* Creates a container under @p parent and files it under key part @p k. */
static int add_child(parser *p, pg_toml_value *parent, const keypart *k,
                     pg_toml_kind kind, int flags, pg_toml_pos pos,
                     pg_toml_value **out) {
  int depth = parent->depth + 1;
  if (depth > PG_TOML_MAX_DEPTH)
    return too_deep(p, k->src);
  pg_toml_value *v = new_value(p, kind, pos, depth);
  const char *key = arena_strdup(p->doc, p->keys.ptr + k->off, k->len);
  if (v == NULL || key == NULL)
    return nomem(p);
  v->flags = (uint8_t)flags;
  *out = v;
  return table_add(p, parent, key, k->len, k->hash, v);
}

static const entry *find_part(const parser *p, const pg_toml_value *t,
                              const keypart *k) {
  return table_find(t, p->keys.ptr + k->off, k->len, k->hash);
}

/* ---- keys and strings ------------------------------------------------- */

static int read_unicode(parser *p, sbuf *out, int ndigits, size_t at) {
  uint32_t cp = 0;
  for (int i = 0; i < ndigits; i++) {
    int c = peek(p);
    int d = is_digit(c)              ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0)
      return fail(p, at, PARIGOT_ESYNTAX,
                  "escape \\%c needs %d hex digits, found %s",
                  ndigits == 4 ? 'u' : 'U', ndigits, DESCRIBE(p, p->pos));
    cp = cp << 4 | (uint32_t)d;
    p->pos++;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return fail(p, at, PARIGOT_ESYNTAX,
                "escape names U+%04X, which is not a Unicode scalar value",
                (unsigned)cp);
  return sbuf_put_utf8(p, out, cp);
}

/* Decodes the escape sequence starting at the backslash under p->pos. */
static int read_escape(parser *p, sbuf *out) {
  static const char from[] = "btnfr\"\\";
  static const char to[] = "\b\t\n\f\r\"\\";
  size_t at = p->pos;
  int c = peek_at(p, 1);
  const char *hit = c > 0 ? strchr(from, c) : NULL;
  if (hit != NULL) {
    p->pos += 2;
    return sbuf_putc(p, out, to[hit - from]);
  }
  if (c == 'u' || c == 'U') {
    p->pos += 2;
    return read_unicode(p, out, c == 'u' ? 4 : 8, at);
  }
  return fail(p, at, PARIGOT_ESYNTAX, "invalid escape sequence: '\\' then %s",
              DESCRIBE(p, at + 1));
}

/* Copies one raw character of a string body, refusing raw controls. */
static int copy_plain(parser *p, sbuf *out) {
  int c = peek(p);
  if (is_forbidden_control(c))
    return fail(p, p->pos, PARIGOT_ESYNTAX,
                "control character U+%04X in string; it must be escaped",
                (unsigned)c);
  p->pos++;
  return sbuf_putc(p, out, (char)c);
}

/* Reads "..." or '...' (one line) and appends the decoded bytes to @p out. */
static int read_line_string(parser *p, sbuf *out) {
  size_t open = p->pos;
  char quote = p->buf[p->pos++];
  for (;;) {
    int c = peek(p), rc;
    if (c == quote) {
      p->pos++;
      return 0;
    }
    if (c == -1 || at_newline(p))
      return fail(p, open, PARIGOT_ESYNTAX, "unterminated string");
    if (c == '\\' && quote == '"')
      rc = read_escape(p, out);
    else
      rc = copy_plain(p, out);
    if (rc != 0)
      return rc;
  }
}

/*
 * Handles a backslash at the end of a line in a """ string, which swallows
 * the newline and all whitespace after it. Returns 1 when it was one, 0 when
 * the backslash starts an ordinary escape.
 */
static int skip_line_ending_backslash(parser *p) {
  size_t save = p->pos++;
  skip_ws(p);
  if (!at_newline(p)) {
    p->pos = save;
    return 0;
  }
  while (at_newline(p) || peek(p) == ' ' || peek(p) == '\t')
    p->pos += at_newline(p) && peek(p) == '\r' ? 2 : 1;
  return 1;
}

/*
 * At a run of quotes inside a multi-line string: returns 1 and consumes the
 * closing delimiter when the run has three to five quotes (up to two belong
 * to the content), 0 when it is content, or a negative error.
 */
static int close_multiline(parser *p, sbuf *out, char quote) {
  size_t run = 0;
  while (peek_at(p, run) == quote)
    run++;
  if (run < 3)
    return 0;
  if (run > 5)
    return fail(p, p->pos, PARIGOT_ESYNTAX,
                "%zu quotes in a row in a multi-line string; at most 2 may "
                "precede the closing delimiter",
                run);
  int rc = sbuf_put(p, out, p->buf + p->pos, run - 3);
  p->pos += run;
  return rc != 0 ? rc : 1;
}

/* Reads """...""" or '''...''' and appends the decoded bytes to @p out.
 * CRLF in the body becomes LF so values do not depend on the editor. */
static int read_multiline_string(parser *p, sbuf *out) {
  size_t open = p->pos;
  char quote = p->buf[p->pos];
  p->pos += 3;
  if (at_newline(p))
    eat_newline(p);
  for (;;) {
    int c = peek(p), rc = 0;
    if (c == -1)
      return fail(p, open, PARIGOT_ESYNTAX, "unterminated multi-line string");
    if (c == quote && (rc = close_multiline(p, out, quote)) != 0)
      return rc < 0 ? rc : 0;
    if (at_newline(p)) {
      eat_newline(p);
      rc = sbuf_putc(p, out, '\n');
    } else if (c == '\\' && quote == '"') {
      if (skip_line_ending_backslash(p) == 0)
        rc = read_escape(p, out);
    } else {
      rc = copy_plain(p, out);
    }
    if (rc != 0)
      return rc;
  }
}

static bool at_triple_quote(const parser *p) {
  int c = peek(p);
  return (c == '"' || c == '\'') && peek_at(p, 1) == c && peek_at(p, 2) == c;
}

static int read_simple_key(parser *p) {
  if (p->npath == MAX_KEY_PARTS)
    return too_deep(p, p->pos);
  keypart *k = &p->path[p->npath];
  k->src = p->pos;
  k->pos = locate(p, p->pos);
  k->off = p->keys.len;
  int c = peek(p), rc;
  if (at_triple_quote(p)) {
    return fail(p, p->pos, PARIGOT_ESYNTAX,
                "a multi-line string cannot be a key");
  } else if (c == '"' || c == '\'') {
    rc = read_line_string(p, &p->keys);
  } else {
    size_t start = p->pos;
    while (is_bare_key_char(peek(p)))
      p->pos++;
    if (p->pos == start)
      return fail(p, p->pos, PARIGOT_ESYNTAX, "expected a key, found %s",
                  DESCRIBE(p, p->pos));
    rc = sbuf_put(p, &p->keys, p->buf + start, p->pos - start);
  }
  if (rc != 0)
    return rc;
  k->len = p->keys.len - k->off;
  k->hash = hash_key(p->keys.ptr + k->off, k->len);
  p->npath++;
  return 0;
}

/* Reads a key such as a."b c".'d' into p->path, and the whitespace after. */
static int read_key(parser *p) {
  p->npath = 0;
  p->keys.len = 0;
  for (;;) {
    int rc = read_simple_key(p);
    if (rc != 0)
      return rc;
    skip_ws(p);
    if (peek(p) != '.')
      return 0;
    p->pos++;
    skip_ws(p);
  }
}

/* ---- numbers and dates ------------------------------------------------ */

static bool is_base_digit(int c, int base) {
  if (base == 16)
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return c >= '0' && c < '0' + base;
}

static int digit_value(int c) {
  return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Scans digits of @p base with single underscores between digits. */
static int scan_digits(parser *p, int base) {
  if (!is_base_digit(peek(p), base))
    return fail(p, p->pos, PARIGOT_ESYNTAX, "expected a digit, found %s",
                DESCRIBE(p, p->pos));
  for (;;) {
    while (is_base_digit(peek(p), base))
      p->pos++;
    if (peek(p) != '_')
      return 0;
    if (!is_base_digit(peek_at(p, 1), base))
      return fail(p, p->pos, PARIGOT_ESYNTAX,
                  "'_' in a number must be between two digits");
    p->pos++;
  }
}

/* Accumulates the digits in [start, p->pos) without overflowing @p limit. */
static int accumulate(parser *p, size_t start, int base, uint64_t limit,
                      uint64_t *out) {
  uint64_t acc = 0;
  for (size_t i = start; i < p->pos; i++) {
    int c = (unsigned char)p->buf[i];
    if (!is_base_digit(c, base))
      continue;
    uint64_t d = (uint64_t)digit_value(c);
    if (acc > (limit - d) / (uint64_t)base)
      return fail(p, start, PARIGOT_ESYNTAX, "integer does not fit in 64 bits");
    acc = acc * (uint64_t)base + d;
  }
  *out = acc;
  return 0;
}

/* 0x, 0o and 0b integers: no sign allowed, value at most INT64_MAX. */
static int parse_prefixed_int(parser *p, pg_toml_value *v) {
  size_t start = p->pos;
  char letter = p->buf[p->pos + 1];
  int base = letter == 'x' ? 16 : letter == 'o' ? 8 : 2;
  uint64_t acc;
  p->pos += 2;
  int rc = scan_digits(p, base);
  if (rc == 0)
    rc = accumulate(p, start + 2, base, INT64_MAX, &acc);
  if (rc != 0)
    return rc;
  v->kind = PG_TOML_INTEGER;
  v->u.i = (int64_t)acc;
  return 0;
}

static int finish_int(parser *p, pg_toml_value *v, size_t start) {
  bool neg = p->buf[start] == '-';
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  uint64_t acc;
  int rc = accumulate(p, start, 10, limit, &acc);
  if (rc != 0)
    return rc;
  v->kind = PG_TOML_INTEGER;
  if (!neg)
    v->u.i = (int64_t)acc;
  else
    v->u.i = acc == limit ? INT64_MIN : -(int64_t)acc;
  return 0;
}

/*
 * Converts the float text in [start, p->pos) with strtod once underscores
 * are gone. parigot never calls setlocale(), so the C locale's '.' applies.
 */
static int finish_float(parser *p, pg_toml_value *v, size_t start) {
  p->str.len = 0;
  for (size_t i = start; i < p->pos; i++)
    if (p->buf[i] != '_' && sbuf_putc(p, &p->str, p->buf[i]) != 0)
      return PARIGOT_ENOMEM;
  if (sbuf_putc(p, &p->str, '\0') != 0)
    return PARIGOT_ENOMEM;
  double d = strtod(p->str.ptr, NULL);
  if (isinf(d))
    return fail(p, start, PARIGOT_ESYNTAX, "float is out of range");
  v->kind = PG_TOML_FLOAT;
  v->u.f = d;
  return 0;
}

/* The ".digits" and "e[+-]digits" parts whose presence makes a float. */
static int scan_float_tail(parser *p, bool *is_float) {
  int rc = 0;
  if (peek(p) == '.') {
    p->pos++;
    *is_float = true;
    rc = scan_digits(p, 10);
  }
  if (rc == 0 && (peek(p) == 'e' || peek(p) == 'E')) {
    p->pos++;
    p->pos += peek(p) == '+' || peek(p) == '-';
    *is_float = true;
    rc = scan_digits(p, 10);
  }
  return rc;
}

/* Integers and floats: decimal with an optional sign, or unsigned 0x/0o/0b.
 * Underscores are checked here and dropped when converting. */
static int parse_number(parser *p, pg_toml_value *v) {
  size_t start = p->pos;
  bool has_sign = peek(p) == '+' || peek(p) == '-';
  p->pos += has_sign;
  if (match_word(p, "inf") || match_word(p, "nan")) {
    double d = p->buf[p->pos - 1] == 'f' ? INFINITY : NAN;
    v->kind = PG_TOML_FLOAT;
    v->u.f = p->buf[start] == '-' ? -d : d;
    return 0;
  }
  int c = peek_at(p, 1);
  if (!has_sign && peek(p) == '0' && (c == 'x' || c == 'o' || c == 'b'))
    return parse_prefixed_int(p, v);
  if (!is_digit(peek(p)))
    return fail(p, start, PARIGOT_ESYNTAX, "expected a value, found %s",
                DESCRIBE(p, start));
  size_t int_start = p->pos;
  bool is_float = false;
  int rc = scan_digits(p, 10);
  if (rc == 0 && p->buf[int_start] == '0' && p->pos - int_start > 1)
    rc = fail(p, int_start, PARIGOT_ESYNTAX,
              "leading zeros are not allowed in numbers");
  if (rc == 0)
    rc = scan_float_tail(p, &is_float);
  if (rc != 0)
    return rc;
  return is_float ? finish_float(p, v, start) : finish_int(p, v, start);
}

static bool digits_at(const parser *p, size_t k, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_digit(peek_at(p, k + i)))
      return false;
  return true;
}

/* Reads exactly @p n digits, as dates and times require. */
static int read_fixed(parser *p, size_t n, const char *what, int *out) {
  if (!digits_at(p, 0, n))
    return fail(p, p->pos, PARIGOT_ESYNTAX, "expected %zu digits for the %s", n,
                what);
  *out = 0;
  for (size_t i = 0; i < n; i++)
    *out = *out * 10 + (p->buf[p->pos++] - '0');
  return 0;
}

static int expect_char(parser *p, char c, const char *where) {
  if (peek(p) != c)
    return fail(p, p->pos, PARIGOT_ESYNTAX, "expected '%c' in %s, found %s", c,
                where, DESCRIBE(p, p->pos));
  p->pos++;
  return 0;
}

static int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

static int read_date(parser *p, pg_toml_datetime *dt) {
  size_t start = p->pos;
  int rc = read_fixed(p, 4, "year", &dt->year);
  if (rc == 0)
    rc = expect_char(p, '-', "date");
  if (rc == 0)
    rc = read_fixed(p, 2, "month", &dt->month);
  if (rc == 0)
    rc = expect_char(p, '-', "date");
  if (rc == 0)
    rc = read_fixed(p, 2, "day", &dt->day);
  if (rc != 0)
    return rc;
  if (dt->month < 1 || dt->month > 12)
    return fail(p, start, PARIGOT_ESYNTAX, "month %02d does not exist",
                dt->month);
  if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
    return fail(p, start, PARIGOT_ESYNTAX, "date %04d-%02d-%02d does not exist",
                dt->year, dt->month, dt->day);
  return 0;
}

/* Reads ".123456789..." keeping nanoseconds; finer digits are truncated,
 * as the spec asks, rather than rounded. */
static int read_fraction(parser *p, pg_toml_datetime *dt) {
  p->pos++;
  if (!is_digit(peek(p)))
    return fail(p, p->pos, PARIGOT_ESYNTAX,
                "expected digits after '.' in time, found %s",
                DESCRIBE(p, p->pos));
  int scale = 100000000;
  for (; is_digit(peek(p)); p->pos++, scale /= 10)
    dt->nanosecond += scale * (p->buf[p->pos] - '0');
  return 0;
}

static int read_time(parser *p, pg_toml_datetime *dt) {
  size_t start = p->pos;
  int rc = read_fixed(p, 2, "hour", &dt->hour);
  if (rc == 0)
    rc = expect_char(p, ':', "time");
  if (rc == 0)
    rc = read_fixed(p, 2, "minute", &dt->minute);
  if (rc == 0)
    rc = expect_char(p, ':', "time");
  if (rc == 0)
    rc = read_fixed(p, 2, "second", &dt->second);
  if (rc == 0 && peek(p) == '.')
    rc = read_fraction(p, dt);
  if (rc != 0)
    return rc;
  if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
    return fail(p, start, PARIGOT_ESYNTAX, "time %02d:%02d:%02d does not exist",
                dt->hour, dt->minute, dt->second);
  return 0;
}

static int read_offset(parser *p, pg_toml_datetime *dt) {
  if (peek(p) == 'Z' || peek(p) == 'z') {
    p->pos++;
    return 0;
  }
  size_t start = p->pos;
  int sign = p->buf[p->pos++] == '-' ? -1 : 1, hours, minutes;
  int rc = read_fixed(p, 2, "offset hours", &hours);
  if (rc == 0)
    rc = expect_char(p, ':', "time offset");
  if (rc == 0)
    rc = read_fixed(p, 2, "offset minutes", &minutes);
  if (rc != 0)
    return rc;
  if (hours > 23 || minutes > 59)
    return fail(p, start, PARIGOT_ESYNTAX, "time offset %c%02d:%02d is invalid",
                sign < 0 ? '-' : '+', hours, minutes);
  dt->offset_minutes = sign * (hours * 60 + minutes);
  return 0;
}

/* A date, optionally followed by a time ('T', 't' or one space), optionally
 * followed by an offset. */
static int parse_datetime(parser *p, pg_toml_value *v) {
  int rc = read_date(p, &v->u.dt);
  if (rc != 0)
    return rc;
  v->kind = PG_TOML_LOCAL_DATE;
  int c = peek(p);
  if (c != 'T' && c != 't' && !(c == ' ' && is_digit(peek_at(p, 1))))
    return 0;
  p->pos++;
  if ((rc = read_time(p, &v->u.dt)) != 0)
    return rc;
  v->kind = PG_TOML_LOCAL_DATETIME;
  c = peek(p);
  if (c != 'Z' && c != 'z' && c != '+' && c != '-')
    return 0;
  v->kind = PG_TOML_OFFSET_DATETIME;
  return read_offset(p, &v->u.dt);
}

static int parse_number_or_date(parser *p, pg_toml_value *v) {
  if (digits_at(p, 0, 4) && peek_at(p, 4) == '-')
    return parse_datetime(p, v);
  if (digits_at(p, 0, 2) && peek_at(p, 2) == ':') {
    v->kind = PG_TOML_LOCAL_TIME;
    return read_time(p, &v->u.dt);
  }
  return parse_number(p, v);
}

/* ---- values ----------------------------------------------------------- */

static int parse_value(parser *p, int depth, pg_toml_value **out);
static int parse_keyval(parser *p, pg_toml_value *t);

static int parse_string(parser *p, pg_toml_value *v) {
  p->str.len = 0;
  int rc = at_triple_quote(p) ? read_multiline_string(p, &p->str)
                              : read_line_string(p, &p->str);
  if (rc != 0)
    return rc;
  v->kind = PG_TOML_STRING;
  v->u.str.len = p->str.len;
  v->u.str.ptr = arena_strdup(p->doc, p->str.ptr, p->str.len);
  return v->u.str.ptr == NULL ? nomem(p) : 0;
}

static int parse_bool(parser *p, pg_toml_value *v) {
  v->kind = PG_TOML_BOOL;
  v->u.b = match_word(p, "true");
  if (v->u.b || match_word(p, "false"))
    return 0;
  return fail(p, p->pos, PARIGOT_ESYNTAX,
              "expected a value (true or false?), found %s",
              DESCRIBE(p, p->pos));
}

/* One array element, the blanks after it, and its comma if it has one. */
static int parse_array_item(parser *p, pg_toml_value *a) {
  pg_toml_value *item;
  int rc = parse_value(p, a->depth + 1, &item);
  if (rc == 0)
    rc = array_push(p, a, item);
  if (rc == 0)
    rc = skip_blank(p);
  if (rc != 0 || peek(p) == ']')
    return rc;
  if (peek(p) != ',')
    return fail(p, p->pos, PARIGOT_ESYNTAX,
                "expected ',' or ']' in array, found %s", DESCRIBE(p, p->pos));
  p->pos++;
  return skip_blank(p);
}

/* [ v, v, ] across lines, with comments; a trailing comma is allowed. */
static int parse_array(parser *p, pg_toml_value *v) {
  if (v->depth > PG_TOML_MAX_DEPTH)
    return too_deep(p, p->pos);
  v->kind = PG_TOML_ARRAY;
  p->pos++;
  int rc = skip_blank(p);
  while (rc == 0 && peek(p) != ']')
    rc = parse_array_item(p, v);
  if (rc == 0)
    p->pos++;
  return rc;
}

/* { k = v, ... } on one line, no trailing comma; sealed once closed. */
static int parse_inline_table(parser *p, pg_toml_value *v) {
  if (v->depth > PG_TOML_MAX_DEPTH)
    return too_deep(p, p->pos);
  v->kind = PG_TOML_TABLE;
  p->pos++;
  skip_ws(p);
  while (peek(p) != '}') {
    int rc = parse_keyval(p, v);
    if (rc != 0)
      return rc;
    skip_ws(p);
    if (peek(p) == '}')
      break;
    if (peek(p) != ',')
      return fail(p, p->pos, PARIGOT_ESYNTAX,
                  "expected ',' or '}' in inline table, found %s%s",
                  DESCRIBE(p, p->pos),
                  at_newline(p) ? " (inline tables must be on one line)" : "");
    p->pos++;
    skip_ws(p);
    if (peek(p) == '}')
      return fail(p, p->pos, PARIGOT_ESYNTAX, "trailing comma in inline table");
  }
  p->pos++;
  v->flags |= TBL_INLINE;
  return 0;
}

/* Parses any value. @p depth is the depth the value gets if a container. */
static int parse_value(parser *p, int depth, pg_toml_value **out) {
  pg_toml_value *v = new_value(p, PG_TOML_NONE, locate(p, p->pos), depth);
  if (v == NULL)
    return nomem(p);
  *out = v;
  int c = peek(p);
  if (c == '"' || c == '\'')
    return parse_string(p, v);
  if (c == '[')
    return parse_array(p, v);
  if (c == '{')
    return parse_inline_table(p, v);
  if (c == 't' || c == 'f')
    return parse_bool(p, v);
  if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n')
    return parse_number_or_date(p, v);
  return fail(p, p->pos, PARIGOT_ESYNTAX, "expected a value, found %s",
              DESCRIBE(p, p->pos));
}

/* ---- key/value pairs and headers -------------------------------------- */

/* "a" or "an", for messages that name a kind. */
static const char *article(const char *noun) {
  return strchr("aeiou", noun[0]) != NULL ? "an" : "a";
}

/* Explains why key part @p i cannot be used as a table. */
static int not_a_table(parser *p, int i, const pg_toml_value *v) {
  const char *what = v->kind == PG_TOML_TABLE
                         ? "inline table, which cannot be extended"
                         : pg_toml_kind_name((pg_toml_kind)v->kind);
  return fail(p, p->path[i].src, PARIGOT_ESYNTAX,
              "%s is %s %s (defined on line %d)", KEY_NAME(p, i + 1),
              article(what), what, v->pos.line);
}

/*
 * Follows the parts of a dotted key before the last one, creating tables as
 * needed. Only tables that dotted keys created (in this same table) may be
 * extended: tables from headers, inline tables and arrays may not
 * (toml-lang/toml#846).
 */
static int walk_dotted(parser *p, pg_toml_value **t) {
  for (int i = 0; i < p->npath - 1; i++) {
    const keypart *k = &p->path[i];
    const entry *e = find_part(p, *t, k);
    if (e == NULL) {
      int rc = add_child(p, *t, k, PG_TOML_TABLE, TBL_DOTTED, k->pos, t);
      if (rc != 0)
        return rc;
      continue;
    }
    pg_toml_value *v = e->val;
    bool ok = v->kind == PG_TOML_TABLE && (v->flags & TBL_DOTTED) &&
              !(v->flags & TBL_INLINE);
    if (!ok && v->kind == PG_TOML_TABLE && !(v->flags & TBL_INLINE))
      return fail(p, k->src, PARIGOT_ESYNTAX,
                  "dotted key cannot add to table %s defined by a header on "
                  "line %d",
                  KEY_NAME(p, i + 1), v->pos.line);
    if (!ok)
      return not_a_table(p, i, v);
    *t = v;
  }
  return 0;
}

static int duplicate_key(parser *p, const entry *e) {
  const keypart *k = &p->path[p->npath - 1];
  return fail(p, k->src, PARIGOT_ESYNTAX,
              "duplicate key %s (first defined on line %d)",
              KEY_NAME(p, p->npath), e->val->pos.line);
}

/* key = value, into table @p t (the current table or an inline table). */
static int parse_keyval(parser *p, pg_toml_value *t) {
  int rc = read_key(p);
  if (rc == 0)
    rc = walk_dotted(p, &t);
  if (rc != 0)
    return rc;
  const keypart *k = &p->path[p->npath - 1];
  const entry *e = find_part(p, t, k);
  if (e != NULL)
    return duplicate_key(p, e);
  if (peek(p) != '=')
    return fail(p, p->pos, PARIGOT_ESYNTAX, "expected '=' after key, found %s",
                DESCRIBE(p, p->pos));
  /* Copy the key now: the value may be an inline table, whose own keys
   * reuse p->path and p->keys. */
  size_t len = k->len;
  uint32_t hash = k->hash;
  const char *key = arena_strdup(p->doc, p->keys.ptr + k->off, len);
  if (key == NULL)
    return nomem(p);
  p->pos++;
  skip_ws(p);
  pg_toml_value *v;
  if ((rc = parse_value(p, t->depth + 1, &v)) != 0)
    return rc;
  return table_add(p, t, key, len, hash, v);
}

/* Follows key part @p i of a header: through tables, and through arrays of
 * tables to their last element, creating implicit tables as needed. */
static int walk_header(parser *p, int i, pg_toml_value **t) {
  const keypart *k = &p->path[i];
  const entry *e = find_part(p, *t, k);
  if (e == NULL)
    return add_child(p, *t, k, PG_TOML_TABLE, 0, k->pos, t);
  pg_toml_value *v = e->val;
  if (v->kind == PG_TOML_TABLE && !(v->flags & TBL_INLINE))
    *t = v;
  else if (v->kind == PG_TOML_ARRAY && (v->flags & ARR_OF_TABLES))
    *t = v->u.arr.items[v->u.arr.len - 1];
  else
    return not_a_table(p, i, v);
  return 0;
}

/* [a.b]: defines a table, or makes explicit one a header implied. */
static int open_table(parser *p, pg_toml_value *t, pg_toml_pos at) {
  int last = p->npath - 1;
  const keypart *k = &p->path[last];
  const entry *e = find_part(p, t, k);
  if (e == NULL)
    return add_child(p, t, k, PG_TOML_TABLE, TBL_EXPLICIT, at, &p->cur);
  pg_toml_value *v = e->val;
  if (v->kind != PG_TOML_TABLE || (v->flags & TBL_INLINE))
    return not_a_table(p, last, v);
  if (v->flags & (TBL_EXPLICIT | TBL_DOTTED))
    return fail(p, k->src, PARIGOT_ESYNTAX,
                "table %s already defined%s on line %d", KEY_NAME(p, last + 1),
                (v->flags & TBL_DOTTED) ? " by dotted keys" : "", v->pos.line);
  v->flags |= TBL_EXPLICIT;
  v->pos = at;
  p->cur = v;
  return 0;
}

static int not_array_of_tables(parser *p, int i, const pg_toml_value *v) {
  const char *name = pg_toml_kind_name((pg_toml_kind)v->kind);
  return fail(p, p->path[i].src, PARIGOT_ESYNTAX,
              "cannot append to %s: it is %s %s defined on line %d, not an "
              "array of tables",
              KEY_NAME(p, i + 1), article(name), name, v->pos.line);
}

/* [[a.b]]: appends a table to an array of tables, creating it if needed. */
static int open_array_table(parser *p, pg_toml_value *t, pg_toml_pos at) {
  int last = p->npath - 1;
  const keypart *k = &p->path[last];
  const entry *e = find_part(p, t, k);
  pg_toml_value *arr;
  int rc;
  if (e == NULL) {
    rc = add_child(p, t, k, PG_TOML_ARRAY, ARR_OF_TABLES, at, &arr);
    if (rc != 0)
      return rc;
  } else if (e->val->kind == PG_TOML_ARRAY && (e->val->flags & ARR_OF_TABLES)) {
    arr = e->val;
  } else {
    return not_array_of_tables(p, last, e->val);
  }
  if (arr->depth + 1 > PG_TOML_MAX_DEPTH)
    return too_deep(p, k->src);
  pg_toml_value *tbl = new_value(p, PG_TOML_TABLE, at, arr->depth + 1);
  if (tbl == NULL)
    return nomem(p);
  tbl->flags = TBL_EXPLICIT;
  p->cur = tbl;
  return array_push(p, arr, tbl);
}

static int parse_header(parser *p) {
  pg_toml_pos at = locate(p, p->pos);
  bool is_array = peek_at(p, 1) == '[';
  p->pos += is_array ? 2 : 1;
  skip_ws(p);
  int rc = read_key(p);
  if (rc != 0)
    return rc;
  if (peek(p) != ']' || (is_array && peek_at(p, 1) != ']'))
    return fail(p, p->pos, PARIGOT_ESYNTAX, "expected '%s' after %s, found %s",
                is_array ? "]]" : "]", KEY_NAME(p, p->npath),
                DESCRIBE(p, p->pos));
  p->pos += is_array ? 2 : 1;
  pg_toml_value *t = &p->doc->root;
  for (int i = 0; i < p->npath - 1; i++)
    if ((rc = walk_header(p, i, &t)) != 0)
      return rc;
  return is_array ? open_array_table(p, t, at) : open_table(p, t, at);
}

static int parse_document(parser *p) {
  static const char bom[] = "\xEF\xBB\xBF";
  int rc = check_encoding(p);
  if (rc != 0)
    return rc;
  /* Scratch buffers are never NULL, so offsets into them are always valid
   * pointer arithmetic, even for empty keys. */
  if (sbuf_grow(p, &p->str, 1) != 0 || sbuf_grow(p, &p->keys, 1) != 0)
    return PARIGOT_ENOMEM;
  if (p->len >= 3 && memcmp(p->buf, bom, 3) == 0)
    p->pos = p->start = p->loc_off = 3;
  while (p->pos < p->len) {
    skip_ws(p);
    int c = peek(p);
    const char *what = "value";
    if (c == '[') {
      rc = parse_header(p);
      what = "table header";
    } else if (c != '#' && c != -1 && !at_newline(p)) {
      rc = parse_keyval(p, p->cur);
    }
    if (rc == 0)
      rc = end_line(p, what);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* ---- public API ------------------------------------------------------- */

static int early_error(pg_toml_error *err, int code, const char *msg) {
  if (err != NULL) {
    err->line = err->column = 0;
    snprintf(err->msg, sizeof err->msg, "%s", msg);
  }
  return code;
}

static bool mem_is_complete(const pg_mem *mem) {
  return mem->malloc != NULL && mem->realloc != NULL && mem->free != NULL;
}

int pg_toml_parse(const char *buf, size_t len, const pg_mem *mem,
                  pg_toml_doc **out, pg_toml_error *err) {
  if (out == NULL || (buf == NULL && len > 0) ||
      (mem != NULL && !mem_is_complete(mem)))
    return early_error(err, PARIGOT_EINVAL, "invalid argument");
  if (len >= (size_t)INT_MAX)
    return early_error(err, PARIGOT_ERANGE, "document is 2 GiB or larger");
  if (mem == NULL)
    mem = pg_mem_default();
  pg_toml_doc *doc = mem->malloc(sizeof *doc, mem->user_data);
  if (doc == NULL)
    return early_error(err, PARIGOT_ENOMEM, "out of memory");
  memset(doc, 0, sizeof *doc);
  doc->mem = *mem;
  pg_arena_init(&doc->arena, &doc->mem, CHUNK_FIRST, CHUNK_MAX);
  doc->root.kind = PG_TOML_TABLE;
  doc->root.flags = TBL_EXPLICIT;
  parser p = {.buf = buf ? buf : "",
              .len = len,
              .doc = doc,
              .cur = &doc->root,
              .err = err,
              .loc_line = 1,
              .loc_col = 1};
  int rc = parse_document(&p);
  sbuf_free(&p, &p.str);
  sbuf_free(&p, &p.keys);
  if (rc != 0) {
    pg_toml_free(doc);
    return rc;
  }
  *out = doc;
  return 0;
}

void pg_toml_free(pg_toml_doc *doc) {
  if (doc == NULL)
    return;
  pg_mem mem = doc->mem;
  pg_arena_deinit(&doc->arena);
  mem.free(doc, mem.user_data);
}

const pg_toml_value *pg_toml_doc_root(const pg_toml_doc *doc) {
  return doc != NULL ? &doc->root : NULL;
}

pg_toml_kind pg_toml_value_kind(const pg_toml_value *v) {
  return v != NULL ? (pg_toml_kind)v->kind : PG_TOML_NONE;
}

const char *pg_toml_kind_name(pg_toml_kind kind) {
  switch (kind) {
  case PG_TOML_NONE:
    return "nothing";
  case PG_TOML_STRING:
    return "string";
  case PG_TOML_INTEGER:
    return "integer";
  case PG_TOML_FLOAT:
    return "float";
  case PG_TOML_BOOL:
    return "boolean";
  case PG_TOML_OFFSET_DATETIME:
    return "offset date-time";
  case PG_TOML_LOCAL_DATETIME:
    return "local date-time";
  case PG_TOML_LOCAL_DATE:
    return "local date";
  case PG_TOML_LOCAL_TIME:
    return "local time";
  case PG_TOML_ARRAY:
    return "array";
  case PG_TOML_TABLE:
    return "table";
  }
  return "unknown";
}

pg_toml_pos pg_toml_value_pos(const pg_toml_value *v) {
  return v != NULL ? v->pos : (pg_toml_pos){0, 0};
}

static bool is_kind(const pg_toml_value *v, pg_toml_kind kind) {
  return v != NULL && v->kind == kind;
}

int pg_toml_value_string(const pg_toml_value *v, const char **str_out,
                         size_t *len_out) {
  if (!is_kind(v, PG_TOML_STRING) || str_out == NULL)
    return PARIGOT_EINVAL;
  *str_out = v->u.str.ptr;
  if (len_out != NULL)
    *len_out = v->u.str.len;
  return 0;
}

int pg_toml_value_int(const pg_toml_value *v, int64_t *out) {
  if (!is_kind(v, PG_TOML_INTEGER) || out == NULL)
    return PARIGOT_EINVAL;
  *out = v->u.i;
  return 0;
}

int pg_toml_value_float(const pg_toml_value *v, double *out) {
  if (!is_kind(v, PG_TOML_FLOAT) || out == NULL)
    return PARIGOT_EINVAL;
  *out = v->u.f;
  return 0;
}

int pg_toml_value_bool(const pg_toml_value *v, bool *out) {
  if (!is_kind(v, PG_TOML_BOOL) || out == NULL)
    return PARIGOT_EINVAL;
  *out = v->u.b;
  return 0;
}

int pg_toml_value_datetime(const pg_toml_value *v, pg_toml_datetime *out) {
  pg_toml_kind k = pg_toml_value_kind(v);
  if (k < PG_TOML_OFFSET_DATETIME || k > PG_TOML_LOCAL_TIME || out == NULL)
    return PARIGOT_EINVAL;
  *out = v->u.dt;
  return 0;
}

size_t pg_toml_table_len(const pg_toml_value *table) {
  return is_kind(table, PG_TOML_TABLE) ? table->u.tab.len : 0;
}

const pg_toml_value *pg_toml_table_getn(const pg_toml_value *table,
                                        const char *key, size_t key_len) {
  if (!is_kind(table, PG_TOML_TABLE) || (key == NULL && key_len > 0))
    return NULL;
  const char *k = key != NULL ? key : "";
  const entry *e = table_find(table, k, key_len, hash_key(k, key_len));
  return e != NULL ? e->val : NULL;
}

const pg_toml_value *pg_toml_table_get(const pg_toml_value *table,
                                       const char *key) {
  return key != NULL ? pg_toml_table_getn(table, key, strlen(key)) : NULL;
}

const pg_toml_value *pg_toml_table_at(const pg_toml_value *table, size_t i,
                                      const char **key_out,
                                      size_t *key_len_out) {
  if (i >= pg_toml_table_len(table))
    return NULL;
  const entry *e = &table->u.tab.items[i];
  if (key_out != NULL)
    *key_out = e->key;
  if (key_len_out != NULL)
    *key_len_out = e->key_len;
  return e->val;
}

size_t pg_toml_array_len(const pg_toml_value *array) {
  return is_kind(array, PG_TOML_ARRAY) ? array->u.arr.len : 0;
}

const pg_toml_value *pg_toml_array_at(const pg_toml_value *array, size_t i) {
  return i < pg_toml_array_len(array) ? array->u.arr.items[i] : NULL;
}

void pg_toml_write_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", out);
    else if (c < 0x20 || c == 0x7f)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}
