/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_pb.c: protobuf's binary format as the transcoder needs it:
 * reading a field (and skipping a group) from untrusted bytes, the wire
 * type each field type takes, and writing fields into a JSON-to-binary
 * conversion's output.
 *
 * Owns nothing; reads borrow the caller's bytes. Calls libc and the
 * output buffer's pg_mem. Any thread.
 */
#include "pbjson_int.h"

#include <string.h>

#include "parigot/error.h"

/* Reads a varint of up to 10 bytes; bits past 64 are dropped, as protobuf
 * does. Returns NULL or what is wrong. */
static const char *rd_varint(pg_pbjson_rd *r, uint64_t *out) {
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

static const char *rd_fixed(pg_pbjson_rd *r, size_t n, uint64_t *out) {
  if ((size_t)(r->end - r->p) < n)
    return "truncated fixed-width value";
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  *out = v;
  return NULL;
}

static const char *rd_tag(pg_pbjson_rd *r, uint32_t *num, uint8_t *wt) {
  uint64_t tag;
  const char *why = rd_varint(r, &tag);
  if (why != NULL)
    return why;
  if (tag > UINT32_MAX)
    return "tag does not fit 32 bits";
  *wt = (uint8_t)(tag & 7);
  *num = (uint32_t)(tag >> 3);
  if (*num == 0)
    return "field number 0";
  if (*wt > 5)
    return "invalid wire type";
  return NULL;
}

/* Skips a group's contents up to its end tag; nested groups count towards
 * the nesting limit. */
static const char *skip_group(pg_pbjson_rd *r, uint32_t num,
                              const uint8_t **end) {
  uint32_t stack[MAX_DEPTH];
  size_t depth = 0;
  stack[depth++] = num;
  while (depth > 0) {
    const uint8_t *at = r->p;
    uint32_t n;
    uint8_t wt;
    uint64_t v;
    const char *why = rd_tag(r, &n, &wt);
    if (why != NULL)
      return r->p == r->end && at == r->end ? "unterminated group" : why;
    switch (wt) {
    case WT_VARINT:
      why = rd_varint(r, &v);
      break;
    case WT_I64:
      why = rd_fixed(r, 8, &v);
      break;
    case WT_I32:
      why = rd_fixed(r, 4, &v);
      break;
    case WT_LEN:
      why = rd_varint(r, &v);
      if (why == NULL && v > (uint64_t)(r->end - r->p))
        why = "length runs past the end";
      if (why == NULL)
        r->p += v;
      break;
    case WT_SGROUP:
      if (depth == MAX_DEPTH)
        return "groups nested too deeply";
      stack[depth++] = n;
      break;
    default: /* WT_EGROUP */
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

/* Reads the next field of @p r. Returns NULL or what is wrong. */
const char *pg_pbjson_rd_field(pg_pbjson_rd *r, pg_pbjson_wfield *f) {
  const char *why = rd_tag(r, &f->num, &f->wt);
  if (why != NULL)
    return why;
  f->p = r->p;
  switch (f->wt) {
  case WT_VARINT:
    why = rd_varint(r, &f->v);
    break;
  case WT_I64:
    why = rd_fixed(r, 8, &f->v);
    break;
  case WT_I32:
    why = rd_fixed(r, 4, &f->v);
    break;
  case WT_LEN:
    why = rd_varint(r, &f->v);
    if (why == NULL && f->v > (uint64_t)(r->end - r->p))
      why = "length runs past the end";
    if (why == NULL) {
      f->p = r->p;
      r->p += f->v;
      f->len = (size_t)f->v;
      return NULL;
    }
    break;
  case WT_SGROUP: {
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

/* The wire type a scalar of @p type is written with. */
uint8_t pg_pbjson_wire_type_of(uint8_t type) {
  switch (type) {
  case TY_DOUBLE:
  case TY_FIXED64:
  case TY_SFIXED64:
    return WT_I64;
  case TY_FLOAT:
  case TY_FIXED32:
  case TY_SFIXED32:
    return WT_I32;
  case TY_STRING:
  case TY_BYTES:
  case TY_MESSAGE:
    return WT_LEN;
  case TY_GROUP:
    return WT_SGROUP;
  default:
    return WT_VARINT;
  }
}

bool pg_pbjson_is_packable(uint8_t type) {
  return type != TY_STRING && type != TY_BYTES && type != TY_MESSAGE &&
         type != TY_GROUP;
}

/* Whether a field may arrive with wire type @p wt: its own, or packed for a
 * repeated scalar (protobuf takes either form whatever [packed] says). */
bool pg_pbjson_wire_ok(const pg_pbjson_field *f, uint8_t wt) {
  if (wt == pg_pbjson_wire_type_of(f->type))
    return true;
  return wt == WT_LEN && f->label == LB_REPEATED &&
         pg_pbjson_is_packable(f->type);
}

const char *pg_pbjson_type_label(uint8_t type) {
  static const char *const names[] = {
      "?",        "double",   "float",   "int64",  "uint64",
      "int32",    "fixed64",  "fixed32", "bool",   "string",
      "group",    "message",  "bytes",   "uint32", "enum",
      "sfixed32", "sfixed64", "sint32",  "sint64"};
  return type <= TY_SINT64 ? names[type] : "?";
}

/* Reads one element of a packed field. */
const char *pg_pbjson_rd_packed(pg_pbjson_rd *r, uint8_t type, uint64_t *v) {
  switch (pg_pbjson_wire_type_of(type)) {
  case WT_I64:
    return rd_fixed(r, 8, v);
  case WT_I32:
    return rd_fixed(r, 4, v);
  default:
    return rd_varint(r, v);
  }
}

int pg_pbjson_w_raw(pg_pbjson_fj *f, const void *p, size_t n) {
  return pg_pbjson_buf_add(f->out, p, n) == 0 ? 0 : pg_pbjson_fj_nomem(f);
}

static size_t varint_put(uint8_t *o, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    o[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  o[n++] = (uint8_t)v;
  return n;
}

int pg_pbjson_w_varint(pg_pbjson_fj *f, uint64_t v) {
  uint8_t b[10];
  return pg_pbjson_w_raw(f, b, varint_put(b, v));
}

int pg_pbjson_w_tag(pg_pbjson_fj *f, uint32_t num, uint8_t wt) {
  return pg_pbjson_w_varint(f, (uint64_t)num << 3 | wt);
}

int pg_pbjson_w_fixed(pg_pbjson_fj *f, uint64_t v, size_t n) {
  uint8_t b[8];
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  return pg_pbjson_w_raw(f, b, n);
}

/* A length-delimited field: its tag now, its length once the body is
 * written (the body moves right to make room). */
int pg_pbjson_begin_len(pg_pbjson_fj *f, uint32_t num, size_t *mark) {
  int rc = pg_pbjson_w_tag(f, num, WT_LEN);
  *mark = f->out->len;
  return rc;
}

int pg_pbjson_end_len(pg_pbjson_fj *f, size_t mark) {
  size_t n = f->out->len - mark;
  uint8_t b[10];
  size_t k = varint_put(b, n);
  if (pg_pbjson_buf_reserve(f->out, k) != 0)
    return pg_pbjson_fj_nomem(f);
  memmove(f->out->data + mark + k, f->out->data + mark, n);
  memcpy(f->out->data + mark, b, k);
  f->out->len += k;
  return 0;
}

int pg_pbjson_w_scalar(pg_pbjson_fj *f, uint8_t type, const pg_pbjson_sval *v) {
  switch (type) {
  case TY_DOUBLE: {
    uint64_t bits;
    memcpy(&bits, &v->d, sizeof bits);
    return pg_pbjson_w_fixed(f, bits, 8);
  }
  case TY_FLOAT: {
    float x = pg_pbjson_narrow(v->d);
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return pg_pbjson_w_fixed(f, bits, 4);
  }
  case TY_FIXED64:
  case TY_SFIXED64:
    return pg_pbjson_w_fixed(f, v->u, 8);
  case TY_FIXED32:
  case TY_SFIXED32:
    return pg_pbjson_w_fixed(f, (uint32_t)v->u, 4);
  case TY_SINT32: {
    uint32_t x = (uint32_t)v->u;
    return pg_pbjson_w_varint(f, (uint32_t)(x << 1) ^ (uint32_t) - (x >> 31));
  }
  case TY_SINT64:
    return pg_pbjson_w_varint(f, v->u << 1 ^ (uint64_t) - (v->u >> 63));
  case TY_UINT32:
    return pg_pbjson_w_varint(f, (uint32_t)v->u);
  case TY_STRING:
  case TY_BYTES: {
    int rc = pg_pbjson_w_varint(f, v->n);
    return rc ? rc : pg_pbjson_w_raw(f, v->p, v->n);
  }
  default: /* int32 and enums sign-extended to 64 bits, as protobuf does */
    return pg_pbjson_w_varint(f, v->u);
  }
}

bool pg_pbjson_sval_is_default(uint8_t type, const pg_pbjson_sval *v) {
  uint64_t bits;
  switch (type) {
  case TY_DOUBLE:
    memcpy(&bits, &v->d, sizeof bits);
    return bits == 0;
  case TY_FLOAT: {
    float x = pg_pbjson_narrow(v->d);
    uint32_t b32;
    memcpy(&b32, &x, sizeof b32);
    return b32 == 0;
  }
  case TY_STRING:
  case TY_BYTES:
    return v->n == 0;
  default:
    return v->u == 0;
  }
}
