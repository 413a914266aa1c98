/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/proto/protobuf_c.c: the proto suite's protobuf-c peer: code from
 * protoc-c on Debian's libprotobuf-c, built natively only.
 *
 * Encode is protobuf_c_message_get_packed_size() and then
 * protobuf_c_message_pack() into a buffer of that size, as protobuf-c.h
 * says to. Decode is protobuf_c_message_unpack() with the default (malloc)
 * allocator and protobuf_c_message_free_unpacked(). Messages built here
 * point into the static values and arrays below and own nothing.
 * Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "parigot/bench/v1/shapes.pb-c.h"
#include "values.h"

typedef Parigot__Bench__V1__Small pb_small;
typedef Parigot__Bench__V1__Mixed pb_mixed;
typedef Parigot__Bench__V1__Attribute pb_attribute;
typedef Parigot__Bench__V1__Mixed__CountersEntry pb_counter;
typedef Parigot__Bench__V1__Large pb_large;
typedef Parigot__Bench__V1__Record pb_record;

typedef struct pbc_case {
  const ProtobufCMessage *msg; /* the message built from the values */
  uint8_t *encoded;            /* its encoding, decode's input */
  size_t len;                  /* bytes at encoded */
  uint8_t *out;                /* encode's output, len bytes */
  uint64_t (*digest)(const ProtobufCMessage *msg);
} pbc_case;

static shape_values values;
static pb_small small = PARIGOT__BENCH__V1__SMALL__INIT;
static pb_mixed mixed = PARIGOT__BENCH__V1__MIXED__INIT;
static pb_small mixed_header = PARIGOT__BENCH__V1__SMALL__INIT;
static pb_attribute attributes[SHAPE_MIXED_ATTRIBUTES];
static pb_attribute *attribute_ptrs[SHAPE_MIXED_ATTRIBUTES];
static pb_counter counters[SHAPE_MIXED_COUNTERS];
static pb_counter *counter_ptrs[SHAPE_MIXED_COUNTERS];
static pb_large large = PARIGOT__BENCH__V1__LARGE__INIT;
static pb_record records[SHAPE_LARGE_RECORDS];
static pb_record *record_ptrs[SHAPE_LARGE_RECORDS];
static pb_small record_stats[SHAPE_LARGE_RECORDS];
static char *tags[SHAPE_LARGE_TAGS];

static void build_small(pb_small *m, const shape_small *s) {
  parigot__bench__v1__small__init(m);
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
  pb_mixed *m = &mixed;
  m->name = v->name;
  m->description = v->description;
  m->payload = (ProtobufCBinaryData){sizeof(v->payload), v->payload};
  m->kind = (Parigot__Bench__V1__Kind)v->kind;
  build_small(&mixed_header, &v->header);
  m->header = &mixed_header;
  for (size_t i = 0; i < SHAPE_MIXED_ATTRIBUTES; i++) {
    parigot__bench__v1__attribute__init(&attributes[i]);
    attributes[i].key = v->attributes[i].key;
    attributes[i].value = v->attributes[i].value;
    attribute_ptrs[i] = &attributes[i];
  }
  m->n_attributes = SHAPE_MIXED_ATTRIBUTES;
  m->attributes = attribute_ptrs;
  m->n_samples = SHAPE_MIXED_SAMPLES;
  m->samples = v->samples;
  m->n_weights = SHAPE_MIXED_WEIGHTS;
  m->weights = v->weights;
  for (size_t i = 0; i < SHAPE_MIXED_COUNTERS; i++) {
    parigot__bench__v1__mixed__counters_entry__init(&counters[i]);
    counters[i].key = v->counters[i].key;
    counters[i].value = v->counters[i].value;
    counter_ptrs[i] = &counters[i];
  }
  m->n_counters = SHAPE_MIXED_COUNTERS;
  m->counters = counter_ptrs;
  m->id = v->id;
  m->flag = v->flag;
}

static void build_large(shape_large *v) {
  pb_large *m = &large;
  m->title = v->title;
  for (size_t i = 0; i < SHAPE_LARGE_RECORDS; i++) {
    pb_record *r = &records[i];
    parigot__bench__v1__record__init(r);
    r->id = v->records[i].id;
    r->name = v->records[i].name;
    r->n_values = SHAPE_RECORD_VALUES;
    r->values = v->records[i].values;
    build_small(&record_stats[i], &v->records[i].stats);
    r->stats = &record_stats[i];
    r->kind = (Parigot__Bench__V1__Kind)v->records[i].kind;
    r->score = v->records[i].score;
    record_ptrs[i] = r;
  }
  m->n_records = SHAPE_LARGE_RECORDS;
  m->records = record_ptrs;
  m->n_ids = SHAPE_LARGE_IDS;
  m->ids = v->ids;
  m->n_samples = SHAPE_LARGE_SAMPLES;
  m->samples = v->samples;
  for (size_t i = 0; i < SHAPE_LARGE_TAGS; i++)
    tags[i] = v->tags[i];
  m->n_tags = SHAPE_LARGE_TAGS;
  m->tags = tags;
}

/* The digests of values.h, over protobuf-c's message types. */
static uint64_t digest_text(uint64_t h, const char *s) {
  return shape_text(h, s, strlen(s));
}

static uint64_t digest_small_into(uint64_t h, const pb_small *s) {
  h = shape_mix(h, (uint64_t)s->id);
  h = shape_mix(h, (uint64_t)s->timestamp);
  h = shape_mix(h, s->flags);
  h = shape_mix(h, s->counter);
  h = shape_mix(h, (uint64_t)s->delta);
  h = shape_mix(h, (uint64_t)s->offset);
  h = shape_mix(h, s->crc);
  h = shape_mix(h, shape_double_bits(s->ratio));
  h = shape_mix(h, shape_float_bits(s->score));
  return shape_mix(h, s->active != 0);
}

static uint64_t digest_small(const ProtobufCMessage *msg) {
  return digest_small_into(SHAPE_DIGEST_SEED, (const pb_small *)msg);
}

static uint64_t digest_mixed(const ProtobufCMessage *msg) {
  const pb_mixed *m = (const pb_mixed *)msg;
  uint64_t h = SHAPE_DIGEST_SEED, sum = 0;
  h = digest_text(h, m->name);
  h = digest_text(h, m->description);
  h = shape_text(h, m->payload.data, m->payload.len);
  h = shape_mix(h, (uint64_t)m->kind);
  if (m->header == NULL)
    shape_fail("mixed.header");
  h = digest_small_into(h, m->header);
  h = shape_mix(h, m->n_attributes);
  for (size_t i = 0; i < m->n_attributes; i++) {
    h = digest_text(h, m->attributes[i]->key);
    h = digest_text(h, m->attributes[i]->value);
  }
  h = shape_mix(h, m->n_samples);
  for (size_t i = 0; i < m->n_samples; i++)
    h = shape_mix(h, (uint64_t)m->samples[i]);
  h = shape_mix(h, m->n_weights);
  for (size_t i = 0; i < m->n_weights; i++)
    h = shape_mix(h, shape_double_bits(m->weights[i]));
  h = shape_mix(h, m->n_counters);
  for (size_t i = 0; i < m->n_counters; i++)
    sum += shape_mix(digest_text(SHAPE_DIGEST_SEED, m->counters[i]->key),
                     (uint64_t)m->counters[i]->value);
  h = shape_mix(h, sum);
  h = shape_mix(h, m->id);
  return shape_mix(h, m->flag != 0);
}

static uint64_t digest_large(const ProtobufCMessage *msg) {
  const pb_large *m = (const pb_large *)msg;
  uint64_t h = digest_text(SHAPE_DIGEST_SEED, m->title);
  h = shape_mix(h, m->n_records);
  for (size_t i = 0; i < m->n_records; i++) {
    const pb_record *r = m->records[i];
    h = shape_mix(h, r->id);
    h = digest_text(h, r->name);
    h = shape_mix(h, r->n_values);
    for (size_t j = 0; j < r->n_values; j++)
      h = shape_mix(h, (uint64_t)r->values[j]);
    if (r->stats == NULL)
      shape_fail("record.stats");
    h = digest_small_into(h, r->stats);
    h = shape_mix(h, (uint64_t)r->kind);
    h = shape_mix(h, shape_double_bits(r->score));
  }
  h = shape_mix(h, m->n_ids);
  for (size_t i = 0; i < m->n_ids; i++)
    h = shape_mix(h, m->ids[i]);
  h = shape_mix(h, m->n_samples);
  for (size_t i = 0; i < m->n_samples; i++)
    h = shape_mix(h, shape_float_bits(m->samples[i]));
  h = shape_mix(h, m->n_tags);
  for (size_t i = 0; i < m->n_tags; i++)
    h = digest_text(h, m->tags[i]);
  return h;
}

static void encode_batch(void *ctx, uint64_t n) {
  const pbc_case *c = ctx;
  for (uint64_t i = 0; i < n; i++) {
    size_t size = protobuf_c_message_get_packed_size(c->msg);
    if (size != c->len || protobuf_c_message_pack(c->msg, c->out) != size)
      shape_fail("encode");
  }
}

static void decode_batch(void *ctx, uint64_t n) {
  const pbc_case *c = ctx;
  for (uint64_t i = 0; i < n; i++) {
    ProtobufCMessage *m =
        protobuf_c_message_unpack(c->msg->descriptor, NULL, c->len, c->encoded);
    if (m == NULL)
      shape_fail("decode");
    protobuf_c_message_free_unpacked(m, NULL);
  }
}

/* Encodes c's message once, decodes it once and checks the digest. */
static void prepare(pbc_case *c, shape_case *sc) {
  c->len = protobuf_c_message_get_packed_size(c->msg);
  c->encoded = malloc(c->len);
  c->out = malloc(c->len);
  if (c->encoded == NULL || c->out == NULL ||
      protobuf_c_message_pack(c->msg, c->encoded) != c->len)
    shape_fail("first encode");
  ProtobufCMessage *m =
      protobuf_c_message_unpack(c->msg->descriptor, NULL, c->len, c->encoded);
  if (m == NULL)
    shape_fail("first decode");
  sc->size = c->len;
  sc->digest = c->digest(m);
  if (sc->digest != c->digest(c->msg))
    shape_fail("round trip (digests differ)");
  protobuf_c_message_free_unpacked(m, NULL);
  sc->encode = encode_batch;
  sc->decode = decode_batch;
  sc->ctx = c;
}

int main(int argc, char **argv) {
  static pbc_case cases[] = {
      {.msg = &small.base, .digest = digest_small},
      {.msg = &mixed.base, .digest = digest_mixed},
      {.msg = &large.base, .digest = digest_large},
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
