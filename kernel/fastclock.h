/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/fastclock.h: CLOCK_MONOTONIC read from the CPU's time-stamp
 * counter, for the one clock read a parallel app makes per call (the
 * deadline in dispatch).
 *
 * clock_gettime costs about 24 ns on our machines, the counter about 9:
 * on a 1 KiB in-process call that difference was 4% of the round trip. The
 * clock extrapolates from the last calibration point with a rate measured
 * over the app's whole life (at least 100 ms of it before it is used), and
 * the timing pulse both recalibrates it and checks it against
 * clock_gettime every tick: a clock off by more than half of
 * PG_FASTCLOCK_TOLERANCE_NS, or a calibration point older than two ticks,
 * and the reading falls back to clock_gettime. Readings add the tolerance,
 * so they err late, never early: a deadline taken from one never fires
 * before its time. Only x86-64 has it; elsewhere it always falls back. Not
 * thread-safe: the app's lock guards it.
 */
#ifndef PG_FASTCLOCK_H
#define PG_FASTCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define PG_FASTCLOCK_TOLERANCE_NS 2000u

typedef struct pg_fastclock {
  bool is_usable;     /* calibrated, and it kept time at the last check */
  uint64_t first_tsc; /* the first sample: the rate's baseline */
  uint64_t first_ns;
  uint64_t tsc, ns;    /* the last calibration point */
  uint64_t mult;       /* nanoseconds per cycle, times 2^32 */
  uint64_t max_cycles; /* extrapolate no further than this from tsc */
} pg_fastclock;

/* Takes the first sample; the clock is usable after a later tick. */
void pg_fastclock_init(pg_fastclock *c);

/* Checks the clock against clock_gettime and recalibrates it; call it
 * every pulse tick (@p interval_ns apart). */
void pg_fastclock_tick(pg_fastclock *c, uint64_t interval_ns);

/* CLOCK_MONOTONIC in nanoseconds, from the counter when it can be. */
uint64_t pg_fastclock_now(const pg_fastclock *c);

#endif /* PG_FASTCLOCK_H */
