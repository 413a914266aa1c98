/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/proto/values.c: the proto suite's message content, derived from a
 * fixed seed with splitmix64, and the helpers of the digest that programs
 * print after a decode. Singular values are nonzero, since a zero would drop
 * the field from the encoding and change the shape's size. Single-threaded.
 */
#include "values.h"

#include <string.h>

#define SEED 0x5eed2025u

typedef struct rng {
  uint64_t state;
} rng;

static uint64_t next(rng *r) {
  uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* A number in 1 .. n. */
static uint64_t between_1_and(rng *r, uint64_t n) {
  return 1 + next(r) % n;
}

/* n printable ASCII characters and a NUL. */
static void text(rng *r, char *out, size_t n) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.";
  for (size_t i = 0; i < n; i++)
    out[i] = alphabet[next(r) % (sizeof(alphabet) - 1)];
  out[n] = '\0';
}

static void fill_small(rng *r, shape_small *s) {
  s->id = (int32_t)between_1_and(r, 100000);
  s->timestamp = 1700000000000 + (int64_t)between_1_and(r, 1000000000);
  s->flags = (uint32_t)between_1_and(r, 65535);
  s->counter = (next(r) >> 30) | 1;
  s->delta = (int32_t)between_1_and(r, 2000) - 1001; /* -1000 .. 999 */
  s->offset = (int64_t)between_1_and(r, 1u << 24) - (1 << 23);
  s->crc = (uint32_t)next(r) | 1;
  s->ratio = (double)between_1_and(r, 1000000) / 1e6;
  s->score = (float)between_1_and(r, 10000) / 100.0f;
  s->active = true;
}

static void fill_mixed(rng *r, shape_mixed *m) {
  text(r, m->name, SHAPE_MIXED_NAME);
  text(r, m->description, SHAPE_MIXED_DESCRIPTION);
  for (size_t i = 0; i < SHAPE_MIXED_PAYLOAD; i++)
    m->payload[i] = (uint8_t)next(r);
  m->kind = (int32_t)between_1_and(r, 3);
  fill_small(r, &m->header);
  for (size_t i = 0; i < SHAPE_MIXED_ATTRIBUTES; i++) {
    text(r, m->attributes[i].key, SHAPE_ATTR_KEY);
    text(r, m->attributes[i].value, SHAPE_ATTR_VALUE);
  }
  for (size_t i = 0; i < SHAPE_MIXED_SAMPLES; i++)
    m->samples[i] = (int32_t)between_1_and(r, 5000);
  for (size_t i = 0; i < SHAPE_MIXED_WEIGHTS; i++)
    m->weights[i] = (double)between_1_and(r, 1000000) / 1000.0;
  for (size_t i = 0; i < SHAPE_MIXED_COUNTERS; i++) {
    text(r, m->counters[i].key, SHAPE_COUNTER_KEY);
    m->counters[i].key[0] = (char)('a' + i); /* keys stay distinct */
    m->counters[i].value = (int64_t)between_1_and(r, 100000);
  }
  m->id = next(r) >> 8;
  m->flag = true;
}

static void fill_large(rng *r, shape_large *l) {
  text(r, l->title, SHAPE_LARGE_TITLE);
  for (size_t i = 0; i < SHAPE_LARGE_RECORDS; i++) {
    shape_record *rec = &l->records[i];
    rec->id = 100000 + i;
    text(r, rec->name, SHAPE_RECORD_NAME);
    for (size_t j = 0; j < SHAPE_RECORD_VALUES; j++)
      rec->values[j] = (int32_t)between_1_and(r, 1000) - 500;
    fill_small(r, &rec->stats);
    rec->kind = (int32_t)between_1_and(r, 3);
    rec->score = (double)between_1_and(r, 1000000) / 7.0;
  }
  for (size_t i = 0; i < SHAPE_LARGE_IDS; i++)
    l->ids[i] = next(r) >> 36;
  for (size_t i = 0; i < SHAPE_LARGE_SAMPLES; i++)
    l->samples[i] = (float)between_1_and(r, 100000) / 64.0f;
  for (size_t i = 0; i < SHAPE_LARGE_TAGS; i++)
    text(r, l->tags[i], SHAPE_TAG);
}

void shape_values_fill(shape_values *v) {
  rng r = {SEED};
  fill_small(&r, &v->small);
  fill_mixed(&r, &v->mixed);
  fill_large(&r, &v->large);
}

uint64_t shape_mix(uint64_t h, uint64_t x) {
  return (h ^ x) * 0x100000001b3u;
}

uint64_t shape_text(uint64_t h, const void *data, size_t len) {
  const uint8_t *p = data;
  h = shape_mix(h, len);
  for (size_t i = 0; i < len; i++)
    h = shape_mix(h, p[i]);
  return h;
}

uint64_t shape_double_bits(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof(bits));
  return bits;
}

uint64_t shape_float_bits(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof(bits));
  return bits;
}
