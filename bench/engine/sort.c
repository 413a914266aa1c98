/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/engine/sort.c: sorts 10 M pseudo-random 32-bit integers.
 *
 * A CPU-bound engine benchmark of branchy code over a 40 MiB array, so it
 * measures memory access and bounds checking as well as compare and swap.
 * The sort is written here (introsort-style quicksort with an insertion sort
 * for short runs) rather than taken from qsort(), because glibc and
 * wasi-libc sort differently and the three ways must run the same code.
 * Prints a checksum of the sorted array, which must match natively, under
 * parigot and under V8. Usage: sort [quick]. Single-threaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FULL_COUNT 10000000 /* 40 MiB; guests need --max-memory above 64M */
#define QUICK_COUNT 100000
#define SHORT_RUN 16

static void insertion_sort(uint32_t *a, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint32_t v = a[i];
    size_t j = i;
    for (; j > 0 && a[j - 1] > v; j--)
      a[j] = a[j - 1];
    a[j] = v;
  }
}

static uint32_t median3(uint32_t a, uint32_t b, uint32_t c) {
  if (a > b) {
    uint32_t t = a;
    a = b;
    b = t;
  }
  return c < a ? a : c > b ? b : c;
}

/*
 * Hoare partition around the median of three; recurses into the smaller side
 * and loops on the larger one, so the stack stays O(log n) deep.
 */
static void quick_sort(uint32_t *a, size_t n) {
  while (n > SHORT_RUN) {
    uint32_t pivot = median3(a[0], a[n / 2], a[n - 1]);
    size_t i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i >= j)
        break;
      uint32_t t = a[i];
      a[i++] = a[j];
      a[j--] = t;
    }
    size_t left = j + 1;
    if (left < n - left) {
      quick_sort(a, left);
      a += left;
      n -= left;
    } else {
      quick_sort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static uint32_t next_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

/* FNV-1a over the values; also fails if the array is out of order. */
static int checksum(const uint32_t *a, size_t n, uint64_t *out) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && a[i - 1] > a[i])
      return -1;
    h = (h ^ a[i]) * 0x100000001b3ull;
  }
  *out = h;
  return 0;
}

int main(int argc, char **argv) {
  size_t n =
      argc > 1 && strcmp(argv[1], "quick") == 0 ? QUICK_COUNT : FULL_COUNT;
  uint32_t *a = malloc(n * sizeof(*a));
  uint64_t state = 0x2545f4914f6cdd1dull, sum;
  if (a == NULL) {
    fprintf(stderr, "sort: cannot allocate %zu integers\n", n);
    return 1;
  }
  for (size_t i = 0; i < n; i++)
    a[i] = next_random(&state);
  quick_sort(a, n);
  if (checksum(a, n, &sum) != 0) {
    fprintf(stderr, "sort: result is out of order\n");
    return 1;
  }
  printf("sort count=%zu min=%u median=%u max=%u fnv1a=%016llx\n", n, a[0],
         a[n / 2], a[n - 1], (unsigned long long)sum);
  free(a);
  return 0;
}
