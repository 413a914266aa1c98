/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/engine/matmul.c: multiplies two dense square matrices of doubles.
 *
 * A CPU-bound engine benchmark of loads, stores and multiply-adds streaming
 * through 12.5 MiB matrices (the i-k-j loop order, unblocked, as plain C code
 * is usually written). Entries come from a fixed-seed generator and are
 * small integers over 8, so every product and sum is exact and the result
 * cannot depend on rounding. Prints a checksum of C that must match natively,
 * under parigot and under V8. Usage: matmul [quick]. Single-threaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FULL_N 1280 /* about 1 s natively on the bench machine */
#define QUICK_N 64

static double next_entry(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return (double)((x * 0x2545f4914f6cdd1dull) >> 59) / 8; /* 0 .. 3.875 */
}

/* c = a * b for n x n row-major matrices; c must be zeroed. */
static void multiply(size_t n, const double *a, const double *b, double *c) {
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (size_t j = 0; j < n; j++)
        c[i * n + j] += aik * b[k * n + j];
    }
}

int main(int argc, char **argv) {
  size_t n = argc > 1 && strcmp(argv[1], "quick") == 0 ? QUICK_N : FULL_N;
  double *a = malloc(n * n * sizeof(double));
  double *b = malloc(n * n * sizeof(double));
  double *c = calloc(n * n, sizeof(double));
  uint64_t state = 0x853c49e6748fea9bull;
  double trace = 0, sum = 0, weighted = 0;

  if (a == NULL || b == NULL || c == NULL) {
    fprintf(stderr, "matmul: cannot allocate three %zux%zu matrices\n", n, n);
    return 1;
  }
  for (size_t i = 0; i < n * n; i++)
    a[i] = next_entry(&state);
  for (size_t i = 0; i < n * n; i++)
    b[i] = next_entry(&state);
  multiply(n, a, b, c);
  for (size_t i = 0; i < n; i++) {
    trace += c[i * n + i];
    for (size_t j = 0; j < n; j++) {
      sum += c[i * n + j];
      weighted += c[i * n + j] * (double)((i * 31 + j * 17) % 64);
    }
  }
  printf("matmul n=%zu trace=%.17g sum=%.17g weighted=%.17g\n", n, trace, sum,
         weighted);
  free(a);
  free(b);
  free(c);
  return 0;
}
