/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/engine/sha256.c: hashes generated data with SHA-256 (FIPS 180-4).
 *
 * A CPU-bound engine benchmark: 32-bit rotates, adds and table loads, the
 * shape of most checksum and crypto code. The input is made by a fixed-seed
 * xorshift generator in 64 KiB chunks, so memory use stays small. Prints one
 * result line that must be byte-identical natively, under parigot and under
 * V8. Usage: sha256 [quick]. Single-threaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FULL_BYTES (128u << 20) /* about 1 s natively on the bench machine */
#define QUICK_BYTES (1u << 20)
#define CHUNK_BYTES (64u << 10)

typedef struct sha256 {
  uint32_t h[8];      /* chaining value */
  uint64_t len_bytes; /* bytes hashed so far */
  uint8_t block[64];  /* partial block */
  size_t block_len;   /* bytes used in block */
} sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n) {
  return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* One compression of a 64-byte block into the chaining value. */
static void compress(uint32_t h[8], const uint8_t *block) {
  uint32_t w[64], v[8];
  for (int i = 0; i < 16; i++)
    w[i] = load_be32(block + 4 * i);
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  memcpy(v, h, sizeof(v));
  for (int i = 0; i < 64; i++) {
    uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
    uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    uint32_t t1 = v[7] + s1 + ch + K[i] + w[i];
    uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
    uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    v[7] = v[6];
    v[6] = v[5];
    v[5] = v[4];
    v[4] = v[3] + t1;
    v[3] = v[2];
    v[2] = v[1];
    v[1] = v[0];
    v[0] = t1 + s0 + maj;
  }
  for (int i = 0; i < 8; i++)
    h[i] += v[i];
}

static void sha256_init(sha256 *s) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                 0xa54ff53a, 0x510e527f, 0x9b05688c,
                                 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, iv, sizeof(iv));
  s->len_bytes = 0;
  s->block_len = 0;
}

static void sha256_update(sha256 *s, const uint8_t *p, size_t len) {
  s->len_bytes += len;
  while (len > 0) {
    if (s->block_len == 0 && len >= 64) {
      compress(s->h, p);
      p += 64;
      len -= 64;
      continue;
    }
    size_t n = 64 - s->block_len < len ? 64 - s->block_len : len;
    memcpy(s->block + s->block_len, p, n);
    s->block_len += n;
    p += n;
    len -= n;
    if (s->block_len == 64) {
      compress(s->h, s->block);
      s->block_len = 0;
    }
  }
}

static void sha256_final(sha256 *s, uint8_t out[32]) {
  uint64_t bits = s->len_bytes * 8;
  uint8_t pad[72] = {0x80};
  size_t pad_len = (s->block_len < 56 ? 56 : 120) - s->block_len;
  for (int i = 0; i < 8; i++)
    pad[pad_len + i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(s, pad, pad_len + 8);
  for (int i = 0; i < 32; i++)
    out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* Fills buf with xorshift64* output; the state carries across chunks. */
static void generate(uint64_t *state, uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i += 8) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    x *= 0x2545f4914f6cdd1dull;
    memcpy(buf + i, &x, 8);
  }
}

int main(int argc, char **argv) {
  static uint8_t chunk[CHUNK_BYTES];
  size_t total =
      argc > 1 && strcmp(argv[1], "quick") == 0 ? QUICK_BYTES : FULL_BYTES;
  uint64_t state = 0x9e3779b97f4a7c15ull;
  uint8_t digest[32];
  sha256 s;

  sha256_init(&s);
  for (size_t done = 0; done < total; done += CHUNK_BYTES) {
    generate(&state, chunk, CHUNK_BYTES);
    sha256_update(&s, chunk, CHUNK_BYTES);
  }
  sha256_final(&s, digest);
  printf("sha256 bytes=%zu digest=", total);
  for (int i = 0; i < 32; i++)
    printf("%02x", digest[i]);
  printf("\n");
  return 0;
}
