/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/sha256.h: SHA-256 (FIPS 180-4), for cache keys and entry checksums.
 *
 * The context is caller-owned storage; one context per thread at a time.
 */
#ifndef PG_SHA256_H
#define PG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PG_SHA256_LEN 32

typedef struct pg_sha256 {
  uint32_t state[8];
  uint64_t total_bytes; /* bytes absorbed so far */
  uint8_t block[64];    /* partial block, block_len bytes valid */
  size_t block_len;
} pg_sha256;

void pg_sha256_init(pg_sha256 *s);
void pg_sha256_update(pg_sha256 *s, const void *data, size_t len_bytes);
void pg_sha256_final(pg_sha256 *s, uint8_t out[PG_SHA256_LEN]);
/** @brief Writes the 64 lowercase hex digits of @p digest and a NUL. */
void pg_sha256_hex(const uint8_t digest[PG_SHA256_LEN], char out[65]);

#endif /* PG_SHA256_H */
