/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/grpc.c: gRPC's framing and header formats (grpc.h), from the
 * protocol's description "gRPC over HTTP2".
 */
#include "grpc.h"

#include <string.h>

bool pg_grpc_unframe(const uint8_t *body, size_t len, const uint8_t **msg,
                     size_t *msg_len, uint32_t *status, const char **why) {
  if (len < PG_GRPC_PREFIX) {
    *status = PG_GRPC_INTERNAL;
    *why = "the request holds no gRPC message";
    return false;
  }
  if (body[0] != 0) {
    *status = PG_GRPC_UNIMPLEMENTED;
    *why = "compressed messages are not supported";
    return false;
  }
  size_t n = (size_t)body[1] << 24 | (size_t)body[2] << 16 |
             (size_t)body[3] << 8 | (size_t)body[4];
  if (n != len - PG_GRPC_PREFIX) {
    *status = PG_GRPC_INTERNAL;
    *why = n < len - PG_GRPC_PREFIX
               ? "a unary request must hold exactly one message"
               : "the request ends inside its message";
    return false;
  }
  *msg = body + PG_GRPC_PREFIX;
  *msg_len = n;
  return true;
}

void pg_grpc_frame(uint8_t out[PG_GRPC_PREFIX], size_t len) {
  out[0] = 0;
  out[1] = (uint8_t)(len >> 24);
  out[2] = (uint8_t)(len >> 16);
  out[3] = (uint8_t)(len >> 8);
  out[4] = (uint8_t)len;
}

bool pg_grpc_parse_timeout(const char *v, size_t len, uint64_t *ns) {
  if (len < 2 || len > 9)
    return false;
  uint64_t n = 0;
  for (size_t i = 0; i < len - 1; i++) {
    if (v[i] < '0' || v[i] > '9')
      return false;
    n = n * 10 + (uint64_t)(v[i] - '0');
  }
  uint64_t unit;
  switch (v[len - 1]) {
  case 'H':
    unit = 3600000000000ull;
    break;
  case 'M':
    unit = 60000000000ull;
    break;
  case 'S':
    unit = 1000000000ull;
    break;
  case 'm':
    unit = 1000000ull;
    break;
  case 'u':
    unit = 1000ull;
    break;
  case 'n':
    unit = 1ull;
    break;
  default:
    return false;
  }
  *ns = n > UINT64_MAX / unit ? UINT64_MAX : n * unit;
  return true;
}

size_t pg_grpc_encode_message(const char *msg, size_t len, char *out,
                              size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  if (cap == 0)
    return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)msg[i];
    bool is_plain = c >= 0x20 && c <= 0x7e && c != '%';
    if (n + (is_plain ? 1 : 3) >= cap)
      break;
    if (is_plain) {
      out[n++] = (char)c;
    } else {
      out[n++] = '%';
      out[n++] = hex[c >> 4];
      out[n++] = hex[c & 15];
    }
  }
  out[n] = '\0';
  return n;
}
