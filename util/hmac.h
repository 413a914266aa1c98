/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/hmac.h: HMAC-SHA-256 (RFC 2104, FIPS 198-1) on util/sha256.h, and a
 * constant-time comparison of two byte strings of one length.
 *
 * The wire signs the identity headers of calls between units of an app with
 * it (the app's secret is the key). The streaming context is caller-owned
 * storage holding key-derived state: wipe it (pg_hmac_sha256_final does) and
 * use one context per thread at a time. Nothing here allocates.
 */
#ifndef PG_HMAC_H
#define PG_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

typedef struct pg_hmac_sha256_ctx {
  pg_sha256 inner;      /* H(K ^ ipad || ...), being fed the message */
  uint8_t opad_key[64]; /* K ^ opad, for the outer hash at the end */
} pg_hmac_sha256_ctx;

/** @brief HMAC-SHA-256 of @p msg under @p key, written to @p out. Any key
 * length (a key longer than 64 bytes is hashed first, as RFC 2104 says).
 * Borrows every argument for the call only. */
void pg_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg,
                    size_t len, uint8_t out[PG_SHA256_LEN]);

/** @brief Starts a streaming HMAC in caller-owned @p ctx; the key is not kept
 * (only state derived from it, which _final wipes). */
void pg_hmac_sha256_init(pg_hmac_sha256_ctx *ctx, const uint8_t *key,
                         size_t key_len);
/** @brief Feeds @p len bytes of the message. */
void pg_hmac_sha256_update(pg_hmac_sha256_ctx *ctx, const void *data,
                           size_t len);
/** @brief Writes the MAC to @p out and wipes @p ctx (init it again to reuse
 * it). */
void pg_hmac_sha256_final(pg_hmac_sha256_ctx *ctx, uint8_t out[PG_SHA256_LEN]);

/** @brief Whether the @p len bytes at @p a and @p b are equal, in a time that
 * depends on @p len only (never on where they differ). For MACs and hashes. */
bool pg_ct_equal(const void *a, const void *b, size_t len);

#endif /* PG_HMAC_H */
