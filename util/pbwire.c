/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/pbwire.c: the protobuf wire format (see pbwire.h).
 *
 * Owns nothing; any thread, one reader each.
 */
#include "pbwire.h"

#include <string.h>

const char *pg_pbwire_read_varint(pg_pbwire_reader *r, uint64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; i++) {
    if (r->p == r->end)
      return "truncated varint";
    uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return NULL;
    }
  }
  return "varint longer than 10 bytes";
}

const char *pg_pbwire_read_fixed(pg_pbwire_reader *r, size_t n, uint64_t *out) {
  if ((size_t)(r->end - r->p) < n)
    return "truncated fixed-width value";
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  *out = v;
  return NULL;
}

const char *pg_pbwire_read_tag(pg_pbwire_reader *r, uint32_t *num,
                               uint8_t *wt) {
  uint64_t tag;
  const char *why = pg_pbwire_read_varint(r, &tag);
  if (why != NULL)
    return why;
  if (tag > UINT32_MAX)
    return "tag does not fit 32 bits";
  *wt = (uint8_t)(tag & 7);
  *num = (uint32_t)(tag >> 3);
  if (*num == 0)
    return "field number 0";
  if (*wt > PG_PBWIRE_I32)
    return "invalid wire type";
  return NULL;
}

/* Moves past a length-delimited payload; its length in @p len. */
static const char *skip_len(pg_pbwire_reader *r, uint64_t *len) {
  const char *why = pg_pbwire_read_varint(r, len);
  if (why == NULL && *len > (uint64_t)(r->end - r->p))
    why = "length runs past the end";
  if (why == NULL)
    r->p += *len;
  return why;
}

/* Skips a group's contents up to its end tag, whose start goes in @p end;
 * nested groups count towards the nesting limit. */
static const char *skip_group(pg_pbwire_reader *r, uint32_t num,
                              const uint8_t **end) {
  uint32_t stack[PG_PBWIRE_MAX_GROUP_DEPTH];
  size_t depth = 0;
  stack[depth++] = num;
  while (depth > 0) {
    const uint8_t *at = r->p;
    uint32_t n;
    uint8_t wt;
    uint64_t v;
    const char *why = pg_pbwire_read_tag(r, &n, &wt);
    if (why != NULL)
      return r->p == r->end && at == r->end ? "unterminated group" : why;
    switch (wt) {
    case PG_PBWIRE_VARINT:
      why = pg_pbwire_read_varint(r, &v);
      break;
    case PG_PBWIRE_I64:
      why = pg_pbwire_read_fixed(r, 8, &v);
      break;
    case PG_PBWIRE_I32:
      why = pg_pbwire_read_fixed(r, 4, &v);
      break;
    case PG_PBWIRE_LEN:
      why = skip_len(r, &v);
      break;
    case PG_PBWIRE_SGROUP:
      if (depth == PG_PBWIRE_MAX_GROUP_DEPTH)
        return "groups nested too deeply";
      stack[depth++] = n;
      break;
    default: /* PG_PBWIRE_EGROUP */
      if (stack[depth - 1] != n)
        return "mismatched end-group tag";
      if (--depth == 0)
        *end = at;
      break;
    }
    if (why != NULL)
      return why;
  }
  return NULL;
}

const char *pg_pbwire_read_field(pg_pbwire_reader *r, pg_pbwire_field *f) {
  const char *why = pg_pbwire_read_tag(r, &f->num, &f->wt);
  if (why != NULL)
    return why;
  f->p = r->p;
  switch (f->wt) {
  case PG_PBWIRE_VARINT:
    why = pg_pbwire_read_varint(r, &f->v);
    break;
  case PG_PBWIRE_I64:
    why = pg_pbwire_read_fixed(r, 8, &f->v);
    break;
  case PG_PBWIRE_I32:
    why = pg_pbwire_read_fixed(r, 4, &f->v);
    break;
  case PG_PBWIRE_LEN:
    why = skip_len(r, &f->v);
    if (why == NULL) {
      f->p = r->p - f->v;
      f->len = (size_t)f->v;
    }
    return why;
  case PG_PBWIRE_SGROUP: {
    const uint8_t *end = NULL;
    why = skip_group(r, f->num, &end);
    if (why == NULL)
      f->len = (size_t)(end - f->p);
    return why;
  }
  default:
    return "end-group tag without a group";
  }
  f->len = (size_t)(r->p - f->p);
  return why;
}

size_t pg_pbwire_put_varint(uint8_t out[10], uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

bool pg_pbwire_read_shape(const uint8_t *p, size_t len, const char *shape,
                          pg_pbwire_field *f) {
  size_t n = strlen(shape);
  pg_pbwire_reader rd = pg_pbwire_reader_of(p, len);
  memset(f, 0, (n + 1) * sizeof *f);
  while (rd.p < rd.end) {
    pg_pbwire_field one;
    if (pg_pbwire_read_field(&rd, &one) != NULL)
      return false;
    if (one.num > n)
      continue;
    uint8_t want = shape[one.num - 1] == 'L' ? PG_PBWIRE_LEN : PG_PBWIRE_VARINT;
    if (one.wt != want)
      return false;
    f[one.num] = one;
  }
  return true;
}
