/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/clock.h: the only place parigot reads time, real or virtual.
 *
 * A real clock reads the OS clocks. A virtual clock (deterministic mode)
 * starts at a fixed instant and moves only when read (by one microsecond, so
 * loops that wait for time to pass still end) or when a guest sleeps (by
 * the time slept, without sleeping). A pg_clock belongs to one guest; one
 * thread at a time.
 */
#ifndef PG_CLOCK_H
#define PG_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* WASI clock ids, which the guest passes unchanged. */
enum {
  PG_CLOCK_REALTIME = 0,
  PG_CLOCK_MONOTONIC = 1,
  PG_CLOCK_PROCESS_CPUTIME = 2,
  PG_CLOCK_THREAD_CPUTIME = 3,
};

/* 2000-01-01T00:00:00Z: where virtual wall-clock time starts. */
#define PG_CLOCK_VIRTUAL_EPOCH_NS (946684800ull * 1000000000ull)
#define PG_CLOCK_VIRTUAL_TICK_NS 1000u

typedef struct pg_clock {
  bool is_virtual;
  uint64_t virtual_ns; /* virtual time elapsed since the start */
} pg_clock;

void pg_clock_init(pg_clock *c, bool is_virtual);

/** @brief Reads clock @p id; returns 0 or -EINVAL for an unknown id. */
int pg_clock_now(pg_clock *c, uint32_t id, uint64_t *out_ns);

/** @brief The resolution of clock @p id; 0 or -EINVAL. */
int pg_clock_resolution(const pg_clock *c, uint32_t id, uint64_t *out_ns);

/** @brief Moves a virtual clock forward by @p ns; no-op for a real one. */
void pg_clock_advance(pg_clock *c, uint64_t ns);

/** @brief Host monotonic time, for the kernel's own deadlines. */
uint64_t pg_clock_host_monotonic_ns(void);

#endif /* PG_CLOCK_H */
