/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/app/timing.h: what the benchmarks' guest programs that time their
 * own calls share (bench/app/ping.c, bench/wire/chain.c): the host clock,
 * a number from the environment, and the line of percentiles they print.
 * Header-only, for guests; single-threaded.
 */
#ifndef PG_BENCH_TIMING_H
#define PG_BENCH_TIMING_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline long env_long(const char *name, long fallback) {
  const char *v = getenv(name);
  return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : fallback;
}

static inline int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* "NAME p50_ns X p99_ns Y mean_ns Z" of @p n round trips (sorts them). */
static inline void print_percentiles(const char *name, uint32_t *times,
                                     long n) {
  double sum = 0;
  for (long i = 0; i < n; i++)
    sum += times[i];
  qsort(times, (size_t)n, sizeof *times, cmp_u32);
  printf("%s p50_ns %u p99_ns %u mean_ns %.1f\n", name, times[n / 2],
         times[n * 99 / 100], sum / (double)n);
}

#endif /* PG_BENCH_TIMING_H */
