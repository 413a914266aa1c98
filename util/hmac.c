/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/hmac.c: HMAC-SHA-256 as RFC 2104 defines it, on util/sha256.c, and a
 * constant-time compare.
 *
 * Owns nothing beyond the caller's context; key material on the stack is
 * wiped with explicit_bzero before return. Any thread.
 */
#include "hmac.h"

#include <string.h>

enum { BLOCK = 64 };

void pg_hmac_sha256_init(pg_hmac_sha256_ctx *ctx, const uint8_t *key,
                         size_t key_len) {
  uint8_t k[BLOCK] = {0};
  if (key_len > BLOCK) {
    pg_sha256 s;
    pg_sha256_init(&s);
    pg_sha256_update(&s, key, key_len);
    pg_sha256_final(&s, k);
    explicit_bzero(&s, sizeof s);
  } else if (key_len > 0) {
    memcpy(k, key, key_len);
  }
  uint8_t ipad[BLOCK];
  for (int i = 0; i < BLOCK; i++) {
    ipad[i] = k[i] ^ 0x36;
    ctx->opad_key[i] = k[i] ^ 0x5c;
  }
  pg_sha256_init(&ctx->inner);
  pg_sha256_update(&ctx->inner, ipad, BLOCK);
  explicit_bzero(k, sizeof k);
  explicit_bzero(ipad, sizeof ipad);
}

void pg_hmac_sha256_update(pg_hmac_sha256_ctx *ctx, const void *data,
                           size_t len) {
  pg_sha256_update(&ctx->inner, data, len);
}

void pg_hmac_sha256_final(pg_hmac_sha256_ctx *ctx, uint8_t out[PG_SHA256_LEN]) {
  uint8_t inner[PG_SHA256_LEN];
  pg_sha256_final(&ctx->inner, inner);
  pg_sha256 outer;
  pg_sha256_init(&outer);
  pg_sha256_update(&outer, ctx->opad_key, BLOCK);
  pg_sha256_update(&outer, inner, sizeof inner);
  pg_sha256_final(&outer, out);
  explicit_bzero(inner, sizeof inner);
  explicit_bzero(&outer, sizeof outer);
  explicit_bzero(ctx, sizeof *ctx);
}

void pg_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg,
                    size_t len, uint8_t out[PG_SHA256_LEN]) {
  pg_hmac_sha256_ctx ctx;
  pg_hmac_sha256_init(&ctx, key, key_len);
  pg_hmac_sha256_update(&ctx, msg, len);
  pg_hmac_sha256_final(&ctx, out);
}

bool pg_ct_equal(const void *a, const void *b, size_t len) {
  /* volatile keeps the compiler from stopping at the first difference. */
  const volatile uint8_t *x = a;
  const volatile uint8_t *y = b;
  uint8_t diff = 0;
  for (size_t i = 0; i < len; i++)
    diff |= (uint8_t)(x[i] ^ y[i]);
  return diff == 0;
}
