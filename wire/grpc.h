/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/grpc.h: the small print of the gRPC protocol over HTTP/2: the
 * length-prefixed message, the grpc-timeout header, the percent-encoded
 * grpc-message, and the names of the status codes. Pure functions, any
 * thread; they read untrusted bytes and check every length.
 */
#ifndef PG_WIRE_GRPC_H
#define PG_WIRE_GRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/abi.h"

enum { PG_GRPC_PREFIX = 5 }; /* compressed flag, then a big-endian u32 */

/* The status codes the wire itself uses: the ABI's (parigot/abi.h),
 * which are gRPC's. */
enum {
  PG_GRPC_UNKNOWN = PARIGOT_CODE_UNKNOWN,
  PG_GRPC_INVALID_ARGUMENT = PARIGOT_CODE_INVALID_ARGUMENT,
  PG_GRPC_RESOURCE_EXHAUSTED = PARIGOT_CODE_RESOURCE_EXHAUSTED,
  PG_GRPC_UNIMPLEMENTED = PARIGOT_CODE_UNIMPLEMENTED,
  PG_GRPC_INTERNAL = PARIGOT_CODE_INTERNAL,
  PG_GRPC_UNAVAILABLE = PARIGOT_CODE_UNAVAILABLE,
  PG_GRPC_DEADLINE_EXCEEDED = PARIGOT_CODE_DEADLINE_EXCEEDED,
  PG_GRPC_NOT_FOUND = PARIGOT_CODE_NOT_FOUND,
  PG_GRPC_PERMISSION_DENIED = PARIGOT_CODE_PERMISSION_DENIED,
  PG_GRPC_UNAUTHENTICATED = PARIGOT_CODE_UNAUTHENTICATED,
  PG_GRPC_MAX = PARIGOT_CODE_MAX,
};

/* Reads a unary request body: exactly one uncompressed message. True with
 * the message's place in @p body; false with the status to answer (and
 * its message in *why, a static string). */
bool pg_grpc_unframe(const uint8_t *body, size_t len, const uint8_t **msg,
                     size_t *msg_len, uint32_t *status, const char **why);

/* Writes the 5-byte prefix of a message of @p len bytes. */
void pg_grpc_frame(uint8_t out[PG_GRPC_PREFIX], size_t len);

/* Parses a grpc-timeout value ("100m", "5S"): 1 to 8 digits, then one of
 * H M S m u n. False for anything else. Saturates at UINT64_MAX ns. */
bool pg_grpc_parse_timeout(const char *v, size_t len, uint64_t *ns);

/* Writes @p msg percent-encoded as grpc-message requires (every byte
 * outside 0x20..0x7e, and '%', as %XX), NUL-terminated and cut to fit
 * @p cap. Returns its length. */
size_t pg_grpc_encode_message(const char *msg, size_t len, char *out,
                              size_t cap);

#endif /* PG_WIRE_GRPC_H */
