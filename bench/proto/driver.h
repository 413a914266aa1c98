/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/proto/driver.h: what the four proto programs share besides their
 * content: the timing loop and the lines they print.
 *
 * A program encodes and decodes each shape once itself (to learn the size
 * and the digest), then hands shape_main() one batch function per shape
 * and operation. shape_main() prints, per shape:
 *
 *   small size 48 digest 0x1234abcd5678ef90
 *   small encode 456.7 MB/s 0.1051 us/msg
 *   small decode 321.0 MB/s 0.1495 us/msg
 *
 * The size and digest lines must be the same from every program; pg-bench
 * proto checks that and reads the figures (1 MB = 10^6 bytes of encoded
 * message). Usable from C and C++; single-threaded.
 */
#ifndef PG_BENCH_PROTO_DRIVER_H
#define PG_BENCH_PROTO_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs one operation n times on the message ctx describes. */
typedef void (*shape_batch)(void *ctx, uint64_t n);

/* One shape as a program measures it. */
typedef struct shape_case {
  const char *shape;  /* "small", "mixed" or "large" */
  size_t size;        /* its encoded size in bytes */
  uint64_t digest;    /* see values.h, of a decoded copy */
  shape_batch encode; /* size + serialize into a buffer, n times */
  shape_batch decode; /* into a fresh message and release it, n times */
  void *ctx;          /* passed to both */
} shape_case;

/*
 * Prints and times every case, in order. With the argument "quick", each
 * measurement is a few iterations only (a smoke test). Returns the exit code.
 */
int shape_main(int argc, char **argv, const shape_case *cases, size_t n);

/* Prints "proto bench: WHAT failed" to stderr and exits with status 1. */
void shape_fail(const char *what);

#ifdef __cplusplus
}
#endif

#endif /* PG_BENCH_PROTO_DRIVER_H */
