/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/proto/ours.c: the proto suite's program for our codec: code from
 * protoc-gen-parigot on sdk/c/pb.c, built natively and as a wasm32-wasi
 * guest from this same source.
 *
 * Encode is parigot_pb_encoded_size() and then parigot_pb_encode() into a
 * buffer of exactly that size. Decode goes into a fresh message with an
 * arena allocator, and resetting the arena releases it: one arena per call
 * is the intended use (include/parigot/pb.h). Messages built here point into
 * the static values and arrays below and own nothing. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "parigot/bench/v1/shapes.pg.h"
#include "values.h"

typedef struct ours_case {
  const parigot_pb_message_desc *desc;
  const void *msg;     /* the message built from the values */
  uint8_t *encoded;    /* its encoding, decode's input */
  size_t len;          /* bytes at encoded */
  uint8_t *out;        /* encode's output, len bytes */
  parigot_arena arena; /* decode's memory, reset after each decode */
  parigot_pb_decode_options opts;
  uint64_t (*digest)(const void *msg);
} ours_case;

/* Every decode writes into one of these, on the stack. */
typedef union any_message {
  parigot_bench_v1_Small small;
  parigot_bench_v1_Mixed mixed;
  parigot_bench_v1_Large large;
} any_message;

static shape_values values;
static parigot_bench_v1_Small small;
static parigot_bench_v1_Mixed mixed;
static parigot_bench_v1_Small mixed_header;
static parigot_bench_v1_Attribute attributes[SHAPE_MIXED_ATTRIBUTES];
static parigot_bench_v1_Mixed_CountersEntry counters[SHAPE_MIXED_COUNTERS];
static parigot_bench_v1_Large large;
static parigot_bench_v1_Record records[SHAPE_LARGE_RECORDS];
static parigot_bench_v1_Small record_stats[SHAPE_LARGE_RECORDS];
static parigot_pb_bytes tags[SHAPE_LARGE_TAGS];

static parigot_pb_bytes text(char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

static void build_small(parigot_bench_v1_Small *m, const shape_small *s) {
  parigot_bench_v1_Small_init(m);
  m->id = s->id;
  m->timestamp = s->timestamp;
  m->flags = s->flags;
  m->counter = s->counter;
  m->delta = s->delta;
  m->offset = s->offset;
  m->crc = s->crc;
  m->ratio = s->ratio;
  m->score = s->score;
  m->active = s->active;
}

static void build_mixed(shape_mixed *v) {
  parigot_bench_v1_Mixed *m = &mixed;
  parigot_bench_v1_Mixed_init(m);
  m->name = text(v->name);
  m->description = text(v->description);
  m->payload = (parigot_pb_bytes){v->payload, sizeof(v->payload)};
  m->kind = v->kind;
  build_small(&mixed_header, &v->header);
  m->header = &mixed_header;
  for (size_t i = 0; i < SHAPE_MIXED_ATTRIBUTES; i++) {
    parigot_bench_v1_Attribute_init(&attributes[i]);
    attributes[i].key = text(v->attributes[i].key);
    attributes[i].value = text(v->attributes[i].value);
  }
  m->attributes_count = SHAPE_MIXED_ATTRIBUTES;
  m->attributes = attributes;
  m->samples_count = SHAPE_MIXED_SAMPLES;
  m->samples = v->samples;
  m->weights_count = SHAPE_MIXED_WEIGHTS;
  m->weights = v->weights;
  for (size_t i = 0; i < SHAPE_MIXED_COUNTERS; i++) {
    parigot_bench_v1_Mixed_CountersEntry_init(&counters[i]);
    counters[i].key = text(v->counters[i].key);
    counters[i].value = v->counters[i].value;
  }
  m->counters_count = SHAPE_MIXED_COUNTERS;
  m->counters = counters;
  m->id = v->id;
  m->flag = v->flag;
}

static void build_large(shape_large *v) {
  parigot_bench_v1_Large *m = &large;
  parigot_bench_v1_Large_init(m);
  m->title = text(v->title);
  for (size_t i = 0; i < SHAPE_LARGE_RECORDS; i++) {
    parigot_bench_v1_Record *r = &records[i];
    parigot_bench_v1_Record_init(r);
    r->id = v->records[i].id;
    r->name = text(v->records[i].name);
    r->values_count = SHAPE_RECORD_VALUES;
    r->values = v->records[i].values;
    build_small(&record_stats[i], &v->records[i].stats);
    r->stats = &record_stats[i];
    r->kind = v->records[i].kind;
    r->score = v->records[i].score;
  }
  m->records_count = SHAPE_LARGE_RECORDS;
  m->records = records;
  m->ids_count = SHAPE_LARGE_IDS;
  m->ids = v->ids;
  m->samples_count = SHAPE_LARGE_SAMPLES;
  m->samples = v->samples;
  for (size_t i = 0; i < SHAPE_LARGE_TAGS; i++)
    tags[i] = text(v->tags[i]);
  m->tags_count = SHAPE_LARGE_TAGS;
  m->tags = tags;
}

/* The digests of values.h, over our message types. */
static uint64_t digest_text(uint64_t h, parigot_pb_bytes b) {
  return shape_text(h, b.data, b.len);
}

static uint64_t digest_small_into(uint64_t h, const parigot_bench_v1_Small *s) {
  h = shape_mix(h, (uint64_t)s->id);
  h = shape_mix(h, (uint64_t)s->timestamp);
  h = shape_mix(h, s->flags);
  h = shape_mix(h, s->counter);
  h = shape_mix(h, (uint64_t)s->delta);
  h = shape_mix(h, (uint64_t)s->offset);
  h = shape_mix(h, s->crc);
  h = shape_mix(h, shape_double_bits(s->ratio));
  h = shape_mix(h, shape_float_bits(s->score));
  return shape_mix(h, s->active);
}

static uint64_t digest_small(const void *msg) {
  return digest_small_into(SHAPE_DIGEST_SEED, msg);
}

static uint64_t digest_mixed(const void *msg) {
  const parigot_bench_v1_Mixed *m = msg;
  uint64_t h = SHAPE_DIGEST_SEED, sum = 0;
  h = digest_text(h, m->name);
  h = digest_text(h, m->description);
  h = digest_text(h, m->payload);
  h = shape_mix(h, (uint64_t)m->kind);
  if (m->header == NULL)
    shape_fail("mixed.header");
  h = digest_small_into(h, m->header);
  h = shape_mix(h, m->attributes_count);
  for (size_t i = 0; i < m->attributes_count; i++) {
    h = digest_text(h, m->attributes[i].key);
    h = digest_text(h, m->attributes[i].value);
  }
  h = shape_mix(h, m->samples_count);
  for (size_t i = 0; i < m->samples_count; i++)
    h = shape_mix(h, (uint64_t)m->samples[i]);
  h = shape_mix(h, m->weights_count);
  for (size_t i = 0; i < m->weights_count; i++)
    h = shape_mix(h, shape_double_bits(m->weights[i]));
  h = shape_mix(h, m->counters_count);
  for (size_t i = 0; i < m->counters_count; i++)
    sum += shape_mix(digest_text(SHAPE_DIGEST_SEED, m->counters[i].key),
                     (uint64_t)m->counters[i].value);
  h = shape_mix(h, sum);
  h = shape_mix(h, m->id);
  return shape_mix(h, m->flag);
}

static uint64_t digest_large(const void *msg) {
  const parigot_bench_v1_Large *m = msg;
  uint64_t h = digest_text(SHAPE_DIGEST_SEED, m->title);
  h = shape_mix(h, m->records_count);
  for (size_t i = 0; i < m->records_count; i++) {
    const parigot_bench_v1_Record *r = &m->records[i];
    h = shape_mix(h, r->id);
    h = digest_text(h, r->name);
    h = shape_mix(h, r->values_count);
    for (size_t j = 0; j < r->values_count; j++)
      h = shape_mix(h, (uint64_t)r->values[j]);
    if (r->stats == NULL)
      shape_fail("record.stats");
    h = digest_small_into(h, r->stats);
    h = shape_mix(h, (uint64_t)r->kind);
    h = shape_mix(h, shape_double_bits(r->score));
  }
  h = shape_mix(h, m->ids_count);
  for (size_t i = 0; i < m->ids_count; i++)
    h = shape_mix(h, m->ids[i]);
  h = shape_mix(h, m->samples_count);
  for (size_t i = 0; i < m->samples_count; i++)
    h = shape_mix(h, shape_float_bits(m->samples[i]));
  h = shape_mix(h, m->tags_count);
  for (size_t i = 0; i < m->tags_count; i++)
    h = digest_text(h, m->tags[i]);
  return h;
}

static void encode_batch(void *ctx, uint64_t n) {
  const ours_case *c = ctx;
  for (uint64_t i = 0; i < n; i++) {
    size_t size = parigot_pb_encoded_size(c->desc, c->msg);
    if (size != c->len ||
        parigot_pb_encode(c->desc, c->msg, c->out, size) != (int64_t)size)
      shape_fail("encode");
  }
}

static void decode_batch(void *ctx, uint64_t n) {
  ours_case *c = ctx;
  for (uint64_t i = 0; i < n; i++) {
    any_message m;
    parigot_pb_init(c->desc, &m);
    if (parigot_pb_decode(c->desc, &m, c->encoded, c->len, &c->opts) != 0)
      shape_fail("decode");
    parigot_arena_reset(&c->arena);
  }
}

/* Encodes c's message once, decodes it once and checks the digest. */
static void prepare(ours_case *c, shape_case *sc) {
  any_message m;
  c->len = parigot_pb_encoded_size(c->desc, c->msg);
  c->encoded = malloc(c->len);
  c->out = malloc(c->len);
  if (c->encoded == NULL || c->out == NULL ||
      parigot_pb_encode(c->desc, c->msg, c->encoded, c->len) != (int64_t)c->len)
    shape_fail("first encode");
  parigot_arena_init(&c->arena, NULL);
  c->opts = (parigot_pb_decode_options){.allocator =
                                            parigot_arena_allocator(&c->arena)};
  parigot_pb_init(c->desc, &m);
  if (parigot_pb_decode(c->desc, &m, c->encoded, c->len, &c->opts) != 0)
    shape_fail("first decode");
  sc->size = c->len;
  sc->digest = c->digest(&m);
  if (sc->digest != c->digest(c->msg))
    shape_fail("round trip (digests differ)");
  parigot_arena_reset(&c->arena);
  sc->encode = encode_batch;
  sc->decode = decode_batch;
  sc->ctx = c;
}

int main(int argc, char **argv) {
  static ours_case cases[] = {
      {.desc = &parigot_bench_v1_Small_desc,
       .msg = &small,
       .digest = digest_small},
      {.desc = &parigot_bench_v1_Mixed_desc,
       .msg = &mixed,
       .digest = digest_mixed},
      {.desc = &parigot_bench_v1_Large_desc,
       .msg = &large,
       .digest = digest_large},
  };
  shape_case run[] = {
      {.shape = "small"}, {.shape = "mixed"}, {.shape = "large"}};
  shape_values_fill(&values);
  build_small(&small, &values.small);
  build_mixed(&values.mixed);
  build_large(&values.large);
  for (size_t i = 0; i < 3; i++)
    prepare(&cases[i], &run[i]);
  return shape_main(argc, argv, run, 3);
}
