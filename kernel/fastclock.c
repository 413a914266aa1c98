/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/fastclock.c: CLOCK_MONOTONIC from the time-stamp counter (see
 * fastclock.h).
 *
 * A calibration point reads the counter first and the OS clock second, so
 * a thread descheduled between the two makes the point late, never early;
 * the next tick's check catches a point that is off by more than the
 * tolerance, and the clock falls back until one passes again.
 */
#include "fastclock.h"

#include "clock.h"

#if defined(__x86_64__)
#include <x86intrin.h>

static bool read_counter(uint64_t *out) {
  *out = __rdtsc();
  return true;
}

/* Nanoseconds @p cycles after the calibration point; @p cycles is at most
 * max_cycles, but the product needs 128 bits for slow counters. */
static uint64_t ns_after(const pg_fastclock *c, uint64_t cycles) {
  return c->ns + (uint64_t)(((unsigned __int128)cycles * c->mult) >> 32);
}
#else
static bool read_counter(uint64_t *out) {
  (void)out;
  return false;
}

static uint64_t ns_after(const pg_fastclock *c, uint64_t cycles) {
  (void)cycles;
  return c->ns;
}
#endif

/* A rate from less than this is too rough: two samples late by up to
 * SAMPLE_SLACK_NS each make it off by 20 ppm at most. */
#define MIN_BASELINE_NS 100000000u
#define SAMPLE_SLACK_NS 1000u

/* The counter and the OS clock at one instant: the OS clock read on both
 * sides, and the later read kept, so the sample errs late. False when the
 * thread was interrupted between the reads every time. */
static bool sample(uint64_t *tsc, uint64_t *ns) {
  for (int i = 0; i < 4; i++) {
    uint64_t before = pg_clock_host_monotonic_ns();
    if (!read_counter(tsc))
      return false;
    *ns = pg_clock_host_monotonic_ns();
    if (*ns - before <= SAMPLE_SLACK_NS)
      return true;
  }
  return false;
}

void pg_fastclock_init(pg_fastclock *c) {
  *c = (pg_fastclock){0};
  pg_clock_host_monotonic_ns(); /* the first call of a process is slow */
  if (!sample(&c->first_tsc, &c->first_ns))
    c->first_ns = 0;
}

void pg_fastclock_tick(pg_fastclock *c, uint64_t interval_ns) {
  uint64_t t, ns;
  if (c->first_ns == 0 || !sample(&t, &ns)) {
    c->is_usable = false;
    return;
  }
  /* Usable until the next tick only if it kept time since the last
   * calibration, to half its tolerance, and can be calibrated at all. */
  uint64_t predicted = ns_after(c, t - c->tsc);
  bool kept = c->mult != 0 && t - c->tsc <= c->max_cycles &&
              (predicted > ns ? predicted - ns : ns - predicted) <=
                  PG_FASTCLOCK_TOLERANCE_NS / 2;
  if (t <= c->first_tsc || ns < c->first_ns + MIN_BASELINE_NS) {
    c->is_usable = false;
    return;
  }
  c->mult = (uint64_t)(((unsigned __int128)(ns - c->first_ns) << 32) /
                       (t - c->first_tsc));
  c->tsc = t;
  c->ns = ns;
  /* Two ticks' worth: a late tick still finds the clock in use. */
  c->max_cycles =
      c->mult == 0
          ? 0
          : (uint64_t)(((unsigned __int128)(2 * interval_ns) << 32) / c->mult);
  c->is_usable = kept;
}

uint64_t pg_fastclock_now(const pg_fastclock *c) {
  uint64_t t;
  if (c->is_usable && read_counter(&t) && t - c->tsc <= c->max_cycles)
    return ns_after(c, t - c->tsc) + PG_FASTCLOCK_TOLERANCE_NS;
  return pg_clock_host_monotonic_ns();
}
