/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_pb.c: protobuf's binary format as the transcoder needs it:
 * reading a packed element from untrusted bytes, the wire type each field
 * type takes, and writing fields into a JSON-to-binary conversion's output.
 *
 * Owns nothing; reads borrow the caller's bytes. Calls util/pbwire.h's
 * reader (whole fields are read with it directly), libc and the output
 * buffer's pg_mem. Any thread.
 */
#include "pbjson_int.h"

#include <string.h>

#include "parigot/error.h"

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
    return pg_pbwire_read_fixed(r, 8, v);
  case WT_I32:
    return pg_pbwire_read_fixed(r, 4, v);
  default:
    return pg_pbwire_read_varint(r, v);
  }
}

int pg_pbjson_w_raw(pg_pbjson_fj *f, const void *p, size_t n) {
  return pg_pbjson_buf_add(f->out, p, n) == 0 ? 0 : pg_pbjson_fj_nomem(f);
}

int pg_pbjson_w_varint(pg_pbjson_fj *f, uint64_t v) {
  uint8_t b[10];
  return pg_pbjson_w_raw(f, b, pg_pbwire_put_varint(b, v));
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
  size_t k = pg_pbwire_put_varint(b, n);
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
