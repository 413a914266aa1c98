/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/buf.h: a byte buffer with a limit, for protobuf messages the
 * database built-in writes. It grows from its pg_mem up to its limit; past
 * it, or out of memory, it stops growing and remembers why, so a writer
 * checks once at the end. Owned by one thread at a time.
 */
#ifndef PG_DB_BUF_H
#define PG_DB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct pg_db_buf {
  const pg_mem *mem; /* borrowed */
  uint8_t *data;     /* owned; len bytes written */
  size_t len, cap;
  size_t limit; /* the most it may hold */
  int error;    /* 0, PARIGOT_ETOOBIG or PARIGOT_ENOMEM: sticky */
} pg_db_buf;

void pg_db_buf_init(pg_db_buf *b, const pg_mem *mem, size_t limit);
void pg_db_buf_free(pg_db_buf *b);

/* Empties @p b for reuse, keeping its memory and clearing its error. */
void pg_db_buf_clear(pg_db_buf *b);

/* Appends @p len bytes; on failure sets b->error and appends nothing. */
void pg_db_buf_add(pg_db_buf *b, const void *p, size_t len);

/* Protobuf's pieces: a varint, a tag, a fixed64, a length-delimited
 * field (tag, length, bytes). */
void pg_db_buf_varint(pg_db_buf *b, uint64_t v);
void pg_db_buf_tag(pg_db_buf *b, uint32_t field, uint32_t wire_type);
void pg_db_buf_fixed64(pg_db_buf *b, uint64_t v);
void pg_db_buf_bytes(pg_db_buf *b, uint32_t field, const void *p, size_t len);

/* A string field, when @p s is not NULL. */
void pg_db_buf_string(pg_db_buf *b, uint32_t field, const char *s);

/* A varint field, always written (even 0). */
void pg_db_buf_uint(pg_db_buf *b, uint32_t field, uint64_t v);

#endif /* PG_DB_BUF_H */
