/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/common/strbuf.h: a growing text buffer for the files our
 * generators write (protoc-gen-parigot, parigot-sqlc). Running out of
 * memory aborts the generator: protoc reports the failed plugin, the build
 * the failed tool, and a half-written file is never emitted.
 */
#ifndef PG_STRBUF_H
#define PG_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct pg_strbuf {
  char *data; /* NUL-terminated; owned by the buffer */
  size_t len;
  size_t cap;
} pg_strbuf;

void pg_strbuf_init(pg_strbuf *b);
void pg_strbuf_free(pg_strbuf *b);
void pg_strbuf_printf(pg_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pg_strbuf_vprintf(pg_strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Takes the text; the buffer is empty again. The caller frees it. */
char *pg_strbuf_take(pg_strbuf *b);
/* A printf into a new heap string, owned by the caller. */
char *pg_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PG_STRBUF_H */
