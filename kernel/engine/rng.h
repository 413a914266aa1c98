/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/rng.h: random bytes for guests, from the OS or from a seed.
 *
 * Seeded mode (deterministic runs) is xoshiro256** keyed by splitmix64 of
 * the seed: the same seed gives the same stream on every machine. OS mode
 * reads getrandom(). A pg_rng belongs to one guest; one thread at a time.
 */
#ifndef PG_RNG_H
#define PG_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pg_rng {
  bool is_seeded;
  uint64_t s[4]; /* xoshiro256** state, seeded mode only */
} pg_rng;

void pg_rng_init_os(pg_rng *r);
void pg_rng_init_seeded(pg_rng *r, uint64_t seed);
/** @brief Fills @p buf; returns 0 or -errno (OS mode only can fail). */
int pg_rng_fill(pg_rng *r, void *buf, size_t len_bytes);

#endif /* PG_RNG_H */
