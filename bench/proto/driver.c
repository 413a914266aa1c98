/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/proto/driver.c: the proto programs' timing loop. Each measurement
 * calibrates a batch size by doubling it until a batch takes CALIBRATE_S,
 * then keeps the best of WINDOWS windows of about WINDOW_S each, timed with
 * CLOCK_MONOTONIC (under parigot the guest gets the host's clock, as it is
 * not run with --deterministic). Single-threaded.
 */
#define _POSIX_C_SOURCE 200809L

#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CALIBRATE_S 0.02
#define WINDOW_S 0.1
#define WINDOWS 3
#define QUICK_ITERATIONS 2

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double time_batch(shape_batch batch, void *ctx, uint64_t n) {
  double start = now_s();
  batch(ctx, n);
  return now_s() - start;
}

/* Seconds per iteration: the best window's. */
static double measure(shape_batch batch, void *ctx, int is_quick) {
  uint64_t n = 1;
  double s;
  if (is_quick)
    return time_batch(batch, ctx, QUICK_ITERATIONS) / QUICK_ITERATIONS;
  while ((s = time_batch(batch, ctx, n)) < CALIBRATE_S)
    n *= 2;
  n = (uint64_t)((double)n * WINDOW_S / s) + 1;
  double best = time_batch(batch, ctx, n);
  for (int w = 1; w < WINDOWS; w++) {
    s = time_batch(batch, ctx, n);
    if (s < best)
      best = s;
  }
  return best / (double)n;
}

static void report(const char *shape, const char *op, size_t size,
                   double per_msg_s) {
  printf("%s %s %.1f MB/s %.4f us/msg\n", shape, op,
         (double)size / per_msg_s / 1e6, per_msg_s * 1e6);
}

int shape_main(int argc, char **argv, const shape_case *cases, size_t n) {
  int is_quick = argc > 1 && strcmp(argv[1], "quick") == 0;
  for (size_t i = 0; i < n; i++) {
    const shape_case *c = &cases[i];
    printf("%s size %zu digest 0x%016llx\n", c->shape, c->size,
           (unsigned long long)c->digest);
    report(c->shape, "encode", c->size, measure(c->encode, c->ctx, is_quick));
    report(c->shape, "decode", c->size, measure(c->decode, c->ctx, is_quick));
    fflush(stdout);
  }
  return 0;
}

void shape_fail(const char *what) {
  fprintf(stderr, "proto bench: %s failed\n", what);
  exit(1);
}
