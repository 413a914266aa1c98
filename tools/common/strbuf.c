/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/common/strbuf.c: the text buffer the generators write
 * into. See strbuf.h.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (q == NULL) {
    fputs("parigot generator: out of memory\n", stderr);
    abort();
  }
  return q;
}

void pg_strbuf_init(pg_strbuf *b) {
  b->data = NULL;
  b->len = b->cap = 0;
}

void pg_strbuf_free(pg_strbuf *b) {
  free(b->data);
  pg_strbuf_init(b);
}

void pg_strbuf_vprintf(pg_strbuf *b, const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0)
    abort(); /* only on a bad format string: a generator bug */
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + (size_t)n + 1)
      cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
  }
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
  va_end(again);
  b->len += (size_t)n;
}

void pg_strbuf_printf(pg_strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  pg_strbuf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *pg_strbuf_take(pg_strbuf *b) {
  char *s = b->data ? b->data : xrealloc(NULL, 1);
  if (b->data == NULL)
    s[0] = 0;
  pg_strbuf_init(b);
  return s;
}

char *pg_strdupf(const char *fmt, ...) {
  pg_strbuf b;
  va_list ap;
  pg_strbuf_init(&b);
  va_start(ap, fmt);
  pg_strbuf_vprintf(&b, fmt, ap);
  va_end(ap);
  return pg_strbuf_take(&b);
}
