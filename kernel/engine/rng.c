/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/rng.c: OS and seeded random streams (see rng.h).
 *
 * Owns nothing. Calls getrandom. One thread at a time per pg_rng.
 */
#include "rng.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t next(pg_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

void pg_rng_init_os(pg_rng *r) {
  memset(r, 0, sizeof *r);
}

void pg_rng_init_seeded(pg_rng *r, uint64_t seed) {
  r->is_seeded = true;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&seed);
}

int pg_rng_fill(pg_rng *r, void *buf, size_t len_bytes) {
  uint8_t *p = buf;
  if (r->is_seeded) {
    while (len_bytes > 0) {
      uint64_t v = next(r);
      size_t n = len_bytes < 8 ? len_bytes : 8;
      memcpy(p, &v, n); /* little-endian hosts only, as wasm itself */
      p += n;
      len_bytes -= n;
    }
    return 0;
  }
  while (len_bytes > 0) {
    ssize_t n = getrandom(p, len_bytes, 0);
    if (n < 0 && errno == EINTR)
      return -EINTR;
    if (n < 0)
      return -errno;
    p += n;
    len_bytes -= (size_t)n;
  }
  return 0;
}
