/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/proto/values.h: the logical content of the three message shapes of
 * the proto suite (schema/parigot/bench/v1/shapes.proto), as plain C data.
 *
 * shape_values_fill() derives every value from a fixed seed, so each of the
 * four programs (ours natively and as wasm, protobuf-c, C++) copies exactly
 * the same values into its own message types. The digest helpers fold a
 * message's fields into one number that every program prints after a
 * decode, to show the codecs decoded the same thing. Usable from C and C++;
 * single-threaded.
 */
#ifndef PG_BENCH_PROTO_VALUES_H
#define PG_BENCH_PROTO_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHAPE_MIXED_NAME 24         /* characters */
#define SHAPE_MIXED_DESCRIPTION 164 /* characters */
#define SHAPE_MIXED_PAYLOAD 256     /* bytes */
#define SHAPE_MIXED_ATTRIBUTES 8
#define SHAPE_ATTR_KEY 8    /* characters */
#define SHAPE_ATTR_VALUE 24 /* characters */
#define SHAPE_MIXED_SAMPLES 32
#define SHAPE_MIXED_WEIGHTS 8
#define SHAPE_MIXED_COUNTERS 4
#define SHAPE_COUNTER_KEY 10 /* characters */

#define SHAPE_LARGE_TITLE 64 /* characters */
#define SHAPE_LARGE_RECORDS 460
#define SHAPE_RECORD_NAME 20 /* characters */
#define SHAPE_RECORD_VALUES 16
#define SHAPE_LARGE_IDS 1024
#define SHAPE_LARGE_SAMPLES 1024
#define SHAPE_LARGE_TAGS 64
#define SHAPE_TAG 16 /* characters */

/* Small: scalars only. */
typedef struct shape_small {
  int32_t id;
  int64_t timestamp;
  uint32_t flags;
  uint64_t counter;
  int32_t delta;
  int64_t offset;
  uint32_t crc;
  double ratio;
  float score;
  bool active;
} shape_small;

/* Mixed: about 1 KiB. Strings are NUL-terminated. */
typedef struct shape_mixed {
  char name[SHAPE_MIXED_NAME + 1];
  char description[SHAPE_MIXED_DESCRIPTION + 1];
  uint8_t payload[SHAPE_MIXED_PAYLOAD];
  int32_t kind;
  shape_small header;
  struct {
    char key[SHAPE_ATTR_KEY + 1];
    char value[SHAPE_ATTR_VALUE + 1];
  } attributes[SHAPE_MIXED_ATTRIBUTES];
  int32_t samples[SHAPE_MIXED_SAMPLES];
  double weights[SHAPE_MIXED_WEIGHTS];
  struct {
    char key[SHAPE_COUNTER_KEY + 1]; /* distinct keys */
    int64_t value;
  } counters[SHAPE_MIXED_COUNTERS];
  uint64_t id;
  bool flag;
} shape_mixed;

/* One element of Large.records. */
typedef struct shape_record {
  uint64_t id;
  char name[SHAPE_RECORD_NAME + 1];
  int32_t values[SHAPE_RECORD_VALUES];
  shape_small stats;
  int32_t kind;
  double score;
} shape_record;

/* Large: about 64 KiB. */
typedef struct shape_large {
  char title[SHAPE_LARGE_TITLE + 1];
  shape_record records[SHAPE_LARGE_RECORDS];
  uint64_t ids[SHAPE_LARGE_IDS];
  float samples[SHAPE_LARGE_SAMPLES];
  char tags[SHAPE_LARGE_TAGS][SHAPE_TAG + 1];
} shape_large;

typedef struct shape_values {
  shape_small small;
  shape_mixed mixed;
  shape_large large;
} shape_values;

/* Fills v with the benchmark's content, the same on every build. */
void shape_values_fill(shape_values *v);

/*
 * The digest a program prints for a shape, computed from its own message
 * types, the same way in each program: start from SHAPE_DIGEST_SEED and fold
 * in the fields in field-number order, nested messages in place:
 *   - an integer or enum: shape_mix(h, value as uint64_t, sign-extended);
 *     a bool: 0 or 1; a double or float: shape_mix(h, shape_*_bits(v));
 *   - a string or bytes: shape_text(h, data, len);
 *   - a repeated field: shape_mix(h, count), then each element;
 *   - the map (Mixed.counters, order-free): shape_mix(h, count), then
 *     shape_mix(h, sum over entries of shape_mix(shape_text(SEED, key),
 *     value)), the sum wrapping.
 */
#define SHAPE_DIGEST_SEED 0xcbf29ce484222325u

/* Folds a 64-bit word into h (FNV-1a, a word at a time). */
uint64_t shape_mix(uint64_t h, uint64_t x);

/* Folds len and then each of the len bytes at data into h. */
uint64_t shape_text(uint64_t h, const void *data, size_t len);

/* The bits of a double or a float. */
uint64_t shape_double_bits(double d);
uint64_t shape_float_bits(float f);

#ifdef __cplusplus
}
#endif

#endif /* PG_BENCH_PROTO_VALUES_H */
