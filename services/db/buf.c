/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/buf.c: the bounded byte buffer of buf.h.
 */
#include "buf.h"

#include <string.h>

#include "parigot/error.h"
#include "pbwire.h"

void pg_db_buf_init(pg_db_buf *b, const pg_mem *mem, size_t limit) {
  *b = (pg_db_buf){.mem = mem, .limit = limit};
}

void pg_db_buf_free(pg_db_buf *b) {
  pg_mem_free(b->mem, b->data);
  pg_db_buf_init(b, b->mem, b->limit);
}

void pg_db_buf_clear(pg_db_buf *b) {
  b->len = 0;
  b->error = 0;
}

/* Room for @p more bytes, doubling, never past the limit. */
static bool reserve(pg_db_buf *b, size_t more) {
  if (b->error != 0)
    return false;
  if (more > b->limit - b->len) {
    b->error = PARIGOT_ETOOBIG;
    return false;
  }
  if (b->len + more <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more)
    cap = cap > b->limit / 2 ? b->limit : cap * 2;
  uint8_t *p = pg_mem_realloc(b->mem, b->data, cap);
  if (p == NULL) {
    b->error = PARIGOT_ENOMEM;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

void pg_db_buf_add(pg_db_buf *b, const void *p, size_t len) {
  if (len == 0 || !reserve(b, len))
    return;
  memcpy(b->data + b->len, p, len);
  b->len += len;
}

void pg_db_buf_varint(pg_db_buf *b, uint64_t v) {
  uint8_t tmp[10];
  pg_db_buf_add(b, tmp, pg_pbwire_put_varint(tmp, v));
}

void pg_db_buf_tag(pg_db_buf *b, uint32_t field, uint32_t wire_type) {
  pg_db_buf_varint(b, (uint64_t)field << 3 | wire_type);
}

void pg_db_buf_fixed64(pg_db_buf *b, uint64_t v) {
  uint8_t tmp[8];
  for (int i = 0; i < 8; i++)
    tmp[i] = (uint8_t)(v >> (8 * i));
  pg_db_buf_add(b, tmp, 8);
}

void pg_db_buf_bytes(pg_db_buf *b, uint32_t field, const void *p, size_t len) {
  pg_db_buf_tag(b, field, PG_PBWIRE_LEN);
  pg_db_buf_varint(b, len);
  pg_db_buf_add(b, p, len);
}

void pg_db_buf_string(pg_db_buf *b, uint32_t field, const char *s) {
  if (s != NULL)
    pg_db_buf_bytes(b, field, s, strlen(s));
}

void pg_db_buf_uint(pg_db_buf *b, uint32_t field, uint64_t v) {
  pg_db_buf_tag(b, field, PG_PBWIRE_VARINT);
  pg_db_buf_varint(b, v);
}
