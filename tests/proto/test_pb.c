/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/proto/test_pb.c: the codec's rules, one behaviour per test: exact
 * wire bytes for known values, protobuf's merge and last-one-wins rules,
 * and an error code (never a crash, read out of bounds or leak) for every
 * kind of hostile input. The ASan build runs the same tests, so a stray
 * read or a leak fails here too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/pb.h"
#include "parigot/test/v1/rich.pg.h"
#include "test.h"

typedef parigot_test_v1_Rich Rich;
typedef parigot_test_v1_Rich_Inner Inner;
typedef parigot_test_v1_Scalars Scalars;
typedef parigot_test_v1_Repeateds Repeateds;
typedef parigot_test_v1_Maps Maps;

static parigot_pb_bytes str(const char *s) {
  parigot_pb_bytes b = {(uint8_t *)s, strlen(s)};
  return b;
}

/* Encodes into a fresh buffer and checks that encoded_size was exact. */
static uint8_t *encode(const parigot_pb_message_desc *d, const void *m,
                       size_t *len) {
  size_t size = parigot_pb_encoded_size(d, m);
  uint8_t *buf = malloc(size + 1);
  int64_t n = parigot_pb_encode(d, m, buf, size);
  ASSERT_EQ(n, (int64_t)size);
  *len = size;
  return buf;
}

static void expect_bytes(const uint8_t *got, size_t len, const char *hex) {
  char out[1024] = {0};
  for (size_t i = 0; i < len && 2 * i + 2 < sizeof out; i++)
    snprintf(out + 2 * i, 3, "%02x", got[i]);
  ASSERT_STREQ(out, hex);
}

/* Decodes @p hex as @p d; returns the error code, always frees. */
static int decode_hex(const parigot_pb_message_desc *d, const char *hex,
                      const parigot_pb_decode_options *o) {
  size_t n = strlen(hex) / 2;
  uint8_t *buf = malloc(n + 1);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    buf[i] = (uint8_t)v;
  }
  void *m = calloc(1, d->size);
  int rc = parigot_pb_decode(d, m, buf, n, o);
  parigot_pb_free(d, m, NULL);
  free(m);
  free(buf);
  return rc;
}

PG_TEST(protobuf_scalars_encode_to_the_reference_bytes) {
  Scalars s;
  parigot_test_v1_Scalars_init(&s);
  s.f_int32 = -1;   /* a negative int32 is a 10-byte varint */
  s.f_sint32 = -1;  /* zigzag: 1 */
  s.f_uint64 = 300; /* ac 02 */
  s.f_fixed32 = 1;
  s.f_bool = true;
  s.f_string = str("hi");
  s.f_enum = parigot_test_v1_COLOR_NEGATIVE;
  s.f_double = -0.0; /* bits are not zero: written, as -0.0 is a value */
  size_t len;
  uint8_t *b = encode(&parigot_test_v1_Scalars_desc, &s, &len);
  expect_bytes(b, len,
               "090000000000000080"     /* 1: double -0.0 */
               "18ffffffffffffffffff01" /* 3: int32 -1 */
               "30ac02"                 /* 6: uint64 300 */
               "3801"                   /* 7: sint32 -1 */
               "4d01000000"             /* 9: fixed32 1 */
               "6801"                   /* 13: bool */
               "72026869"               /* 14: "hi" */
               "8001ffffffffffffffffff01" /* 16: enum -1 */);
  Scalars back;
  parigot_test_v1_Scalars_init(&back);
  ASSERT_EQ(parigot_test_v1_Scalars_decode(&back, b, len, NULL), 0);
  ASSERT_EQ(back.f_int32, -1);
  ASSERT_EQ(back.f_sint32, -1);
  ASSERT_EQ(back.f_uint64, 300);
  ASSERT_TRUE(signbit(back.f_double) && back.f_double == 0.0);
  ASSERT_STREQ((const char *)back.f_string.data, "hi");
  ASSERT_EQ(back.f_enum, -1);
  parigot_test_v1_Scalars_free(&back, NULL);
  free(b);
}

PG_TEST(protobuf_implicit_defaults_are_not_written_and_optionals_are) {
  Scalars s;
  parigot_test_v1_Scalars_init(&s);
  ASSERT_EQ(parigot_test_v1_Scalars_encoded_size(&s), 0);
  parigot_test_v1_Optionals o;
  parigot_test_v1_Optionals_init(&o);
  o.has_f_int32 = true; /* set to its default: still written */
  o.has_f_string = true;
  size_t len;
  uint8_t *b = encode(&parigot_test_v1_Optionals_desc, &o, &len);
  expect_bytes(b, len, "18007200");
  parigot_test_v1_Optionals back;
  parigot_test_v1_Optionals_init(&back);
  ASSERT_EQ(parigot_test_v1_Optionals_decode(&back, b, len, NULL), 0);
  ASSERT_TRUE(back.has_f_int32 && back.has_f_string && !back.has_f_bool);
  ASSERT_EQ(back.f_string.len, 0);
  parigot_test_v1_Optionals_free(&back, NULL);
  free(b);
}

PG_TEST(protobuf_repeated_scalars_are_packed_unless_marked_unpacked) {
  Repeateds r;
  int32_t v[] = {1, 2, 3};
  parigot_test_v1_Repeateds_init(&r);
  r.f_int32 = v;
  r.f_int32_count = 3;
  r.unpacked_int32 = v;
  r.unpacked_int32_count = 3;
  size_t len;
  uint8_t *b = encode(&parigot_test_v1_Repeateds_desc, &r, &len);
  expect_bytes(b, len,
               "1a03010203"
               "900101900102900103");
  free(b);
  /* Readers must accept both forms for either field. */
  Repeateds back;
  parigot_test_v1_Repeateds_init(&back);
  const char *swapped = "180118021803"
                        "92010401020304";
  uint8_t raw[32];
  size_t n = strlen(swapped) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned x;
    sscanf(swapped + 2 * i, "%2x", &x);
    raw[i] = (uint8_t)x;
  }
  ASSERT_EQ(parigot_test_v1_Repeateds_decode(&back, raw, n, NULL), 0);
  ASSERT_EQ(back.f_int32_count, 3);
  ASSERT_EQ(back.f_int32[2], 3);
  ASSERT_EQ(back.unpacked_int32_count, 4);
  ASSERT_EQ(back.unpacked_int32[3], 4);
  parigot_test_v1_Repeateds_free(&back, NULL);
}

PG_TEST(protobuf_empty_packed_fields_decode_with_any_allocator) {
  /* f_int32 and f_double packed with no elements, then an unfinished
   * varint in a packed field. */
  uint8_t empty[] = {0x1a, 0x00, 0x0a, 0x00};
  uint8_t unfinished[] = {0x1a, 0x02, 0x80, 0x80};
  parigot_arena arena;
  parigot_arena_init(&arena, NULL);
  parigot_pb_decode_options o = {.allocator = parigot_arena_allocator(&arena)};
  Repeateds r;
  parigot_test_v1_Repeateds_init(&r);
  ASSERT_EQ(parigot_test_v1_Repeateds_decode(&r, empty, sizeof empty, &o), 0);
  ASSERT_EQ(r.f_int32_count, 0);
  ASSERT_EQ(
      parigot_test_v1_Repeateds_decode(&r, unfinished, sizeof unfinished, &o),
      PARIGOT_ETRUNCATED);
  parigot_arena_free(&arena);
  ASSERT_TRUE(parigot_arena_alloc(&arena, 0) != NULL);
  parigot_arena_free(&arena);
}

PG_TEST(protobuf_repeated_message_fields_merge_and_scalars_take_the_last) {
  /* Inner{a:1,b:"x"} then Inner{a:2}: a message field seen twice merges. */
  Rich r;
  parigot_test_v1_Rich_init(&r);
  uint8_t raw[] = {0x2a, 0x05, 0x08, 0x01, 0x12, 0x01,
                   0x78, 0x2a, 0x02, 0x08, 0x02};
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, sizeof raw, NULL), 0);
  ASSERT_TRUE(r.inner != NULL);
  ASSERT_EQ(r.inner->a, 2);
  ASSERT_STREQ((const char *)r.inner->b.data, "x");
  parigot_test_v1_Rich_free(&r, NULL);
}

PG_TEST(protobuf_oneof_keeps_the_last_member_and_frees_the_one_before) {
  /* choice_string "abc", choice_inner {a:5}, then choice_int32 7. */
  uint8_t raw[] = {0xaa, 0x01, 0x03, 'a',  'b',  'c',  0xb2,
                   0x01, 0x02, 0x08, 0x05, 0xa0, 0x01, 0x07};
  Rich r;
  parigot_test_v1_Rich_init(&r);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, sizeof raw, NULL), 0);
  ASSERT_EQ(r.choice_case, parigot_test_v1_Rich_choice_int32_FIELD);
  ASSERT_EQ(r.choice.choice_int32, 7);
  parigot_test_v1_Rich_free(&r, NULL); /* ASan: the string and Inner freed */
  ASSERT_EQ(r.choice_case, 0);
}

PG_TEST(protobuf_maps_decode_sorted_with_the_last_duplicate_winning) {
  /* string_int32: {"b":1}, {"a":2}, {"b":3} */
  uint8_t raw[] = {0x0a, 0x05, 0x0a, 0x01, 'b', 0x10, 0x01,
                   0x0a, 0x05, 0x0a, 0x01, 'a', 0x10, 0x02,
                   0x0a, 0x05, 0x0a, 0x01, 'b', 0x10, 0x03};
  Maps m;
  parigot_test_v1_Maps_init(&m);
  ASSERT_EQ(parigot_test_v1_Maps_decode(&m, raw, sizeof raw, NULL), 0);
  ASSERT_EQ(m.string_int32_count, 2);
  ASSERT_STREQ((const char *)m.string_int32[0].key.data, "a");
  ASSERT_EQ(m.string_int32[0].value, 2);
  ASSERT_STREQ((const char *)m.string_int32[1].key.data, "b");
  ASSERT_EQ(m.string_int32[1].value, 3);
  /* An entry with no value on the wire gets an empty message, not NULL. */
  uint8_t no_value[] = {0x6a, 0x03, 0x0a, 0x01, 'k'};
  ASSERT_EQ(parigot_test_v1_Maps_decode(&m, no_value, sizeof no_value, NULL),
            0);
  ASSERT_EQ(m.string_inner_count, 1);
  ASSERT_TRUE(m.string_inner[0].value != NULL);
  /* Key and value are always written, even when default. */
  size_t len;
  uint8_t *b = encode(&parigot_test_v1_Maps_desc, &m, &len);
  expect_bytes(b, len,
               "0a050a0161100"
               "2"
               "0a050a0162100"
               "3"
               "6a050a016b1200");
  parigot_test_v1_Maps_free(&m, NULL);
  free(b);
}

PG_TEST(protobuf_unknown_fields_are_skipped_or_kept_on_request) {
  /* Rich with unknown field 9999 as a varint, a fixed64, a group holding a
   * nested group, and a length-delimited value; then a known default_ = 5. */
  const char *hex = "f8f00401"
                    "f9f0040102030405060708"
                    "fbf004"
                    "0b"
                    "0801"
                    "0c"
                    "fcf004"
                    "faf0040161"
                    "c00205";
  ASSERT_EQ(decode_hex(&parigot_test_v1_Rich_desc, hex, NULL), 0);
  size_t n = strlen(hex) / 2;
  uint8_t raw[64];
  for (size_t i = 0; i < n; i++) {
    unsigned x;
    sscanf(hex + 2 * i, "%2x", &x);
    raw[i] = (uint8_t)x;
  }
  Rich r;
  parigot_test_v1_Rich_init(&r);
  parigot_pb_decode_options keep = {.keep_unknown = true};
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, n, &keep), 0);
  ASSERT_EQ(r.default_, 5);
  ASSERT_EQ(r._unknown.len, n - 3);
  size_t len;
  uint8_t *b = encode(&parigot_test_v1_Rich_desc, &r, &len);
  /* Known fields first, then the unknown bytes exactly as they came. */
  ASSERT_EQ(len, n);
  ASSERT_TRUE(memcmp(b, raw + n - 3, 3) == 0);
  ASSERT_TRUE(memcmp(b + 3, raw, n - 3) == 0);
  free(b);
  parigot_test_v1_Rich_free(&r, NULL);
  Rich skipped;
  parigot_test_v1_Rich_init(&skipped);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&skipped, raw, n, NULL), 0);
  ASSERT_EQ(skipped._unknown.len, 0);
}

PG_TEST(protobuf_hostile_input_gets_the_matching_error) {
  const parigot_pb_message_desc *d = &parigot_test_v1_Rich_desc;
  /* Truncated: a tag with no value, a fixed32 cut short, a varint cut. */
  ASSERT_EQ(decode_hex(d, "c002", NULL), PARIGOT_ETRUNCATED);
  ASSERT_EQ(decode_hex(d, "85800101", NULL), PARIGOT_ETRUNCATED);
  ASSERT_EQ(decode_hex(d, "c00280", NULL), PARIGOT_ETRUNCATED);
  /* Over-long varints: 11 bytes, or a 10th byte above 1. */
  ASSERT_EQ(decode_hex(d,
                       "c002"
                       "ffffffffffffffffffff"
                       "01",
                       NULL),
            PARIGOT_EVARINT);
  ASSERT_EQ(decode_hex(d,
                       "c002"
                       "ffffffffffffffffff"
                       "02",
                       NULL),
            PARIGOT_EVARINT);
  ASSERT_EQ(decode_hex(d,
                       "c002"
                       "ffffffffffffffffff"
                       "01",
                       NULL),
            0);
  /* Lengths past the end, including one near 2^64. */
  ASSERT_EQ(decode_hex(d, "ca02056869", NULL), PARIGOT_ELENGTH);
  ASSERT_EQ(decode_hex(d,
                       "ca02"
                       "ffffffffffffffffff"
                       "00",
                       NULL),
            PARIGOT_ELENGTH);
  ASSERT_EQ(decode_hex(d, "2a05080112", NULL), PARIGOT_ELENGTH);
  /* Wrong wire types for known fields, reserved types 6 and 7, and an
   * end-group with no start. */
  ASSERT_EQ(decode_hex(d, "c2020105", NULL), PARIGOT_EWIRETYPE);
  ASSERT_EQ(decode_hex(d, "2801", NULL), PARIGOT_EWIRETYPE);
  ASSERT_EQ(decode_hex(d, "f8f004", NULL), PARIGOT_ETRUNCATED);
  ASSERT_EQ(decode_hex(d, "fef00401", NULL), PARIGOT_EWIRETYPE);
  ASSERT_EQ(decode_hex(d, "fff00401", NULL), PARIGOT_EWIRETYPE);
  ASSERT_EQ(decode_hex(d, "fcf004", NULL), PARIGOT_EWIRETYPE);
  ASSERT_EQ(decode_hex(d, "fbf004fcf104", NULL), PARIGOT_EWIRETYPE);
  /* Field number 0, and one past the largest allowed. */
  ASSERT_EQ(decode_hex(d, "0001", NULL), PARIGOT_EFIELD);
  ASSERT_EQ(decode_hex(d, "808080801001", NULL), PARIGOT_EFIELD);
  /* Packed fixed-width data that is not a whole number of elements. */
  ASSERT_EQ(decode_hex(&parigot_test_v1_Repeateds_desc, "0a03000000", NULL),
            PARIGOT_ELENGTH);
  /* Strings must be UTF-8: a lone continuation byte, an over-long '/', a
   * surrogate, and a code point past U+10FFFF. Bytes take anything. */
  ASSERT_EQ(decode_hex(d, "ca020180", NULL), PARIGOT_EUTF8);
  ASSERT_EQ(decode_hex(d, "ca0202c0af", NULL), PARIGOT_EUTF8);
  ASSERT_EQ(decode_hex(d, "ca0203eda080", NULL), PARIGOT_EUTF8);
  ASSERT_EQ(decode_hex(d, "ca0204f4908080", NULL), PARIGOT_EUTF8);
  ASSERT_EQ(decode_hex(d, "c20103eda080", NULL), 0);
  ASSERT_EQ(decode_hex(d, "ca0204f09f9880", NULL), 0);
}

/* Inner.child nested @p depth deep, as bytes built from the inside out. */
static uint8_t *nested(size_t depth, size_t *len) {
  uint8_t *buf = malloc(depth * 8 + 8);
  size_t n = 0;
  for (size_t i = 0; i < depth; i++) {
    /* Prepend tag 0x1a (Inner.child) or 0x2a (Rich.inner) and length. */
    uint8_t hdr[6];
    size_t h = 0, v = n;
    hdr[h++] = i + 1 == depth ? 0x2a : 0x1a;
    do {
      hdr[h++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    } while (v);
    memmove(buf + h, buf, n);
    memcpy(buf, hdr, h);
    n += h;
  }
  *len = n;
  return buf;
}

PG_TEST(protobuf_nesting_past_the_limit_is_refused) {
  size_t len;
  Rich r;
  parigot_test_v1_Rich_init(&r);
  uint8_t *ok = nested(100, &len);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, ok, len, NULL), 0);
  parigot_test_v1_Rich_free(&r, NULL);
  free(ok);
  uint8_t *deep = nested(101, &len);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, deep, len, NULL), PARIGOT_EDEPTH);
  parigot_test_v1_Rich_free(&r, NULL);
  parigot_pb_decode_options o = {.max_depth = 200};
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, deep, len, &o), 0);
  parigot_test_v1_Rich_free(&r, NULL);
  free(deep);
  /* Unknown groups count as nesting too. */
  uint8_t *groups = malloc(2000);
  for (int i = 0; i < 500; i++) {
    groups[2 * i] = 0x0b; /* start group, field 1 of Inner.Leaf... */
    groups[2 * i + 1] = 0x0b;
  }
  parigot_test_v1_Rich_Inner_Leaf leaf;
  parigot_test_v1_Rich_Inner_Leaf_init(&leaf);
  ASSERT_EQ(parigot_test_v1_Rich_Inner_Leaf_decode(&leaf, groups, 1000, NULL),
            PARIGOT_EWIRETYPE); /* field 1 is bytes: a group is wrong */
  for (int i = 0; i < 1000; i++)
    groups[i] = 0x1b; /* start group of unknown field 3 */
  ASSERT_EQ(parigot_test_v1_Rich_Inner_Leaf_decode(&leaf, groups, 1000, NULL),
            PARIGOT_EDEPTH);
  free(groups);
}

PG_TEST(protobuf_sizes_past_the_configured_maximum_are_refused) {
  uint8_t raw[64] = {0};
  Rich r;
  parigot_test_v1_Rich_init(&r);
  parigot_pb_decode_options small = {.max_size = 16};
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, 17, &small), PARIGOT_ETOOBIG);
  /* 32 empty Rich.empties entries cost 64 bytes of input but 32 structs of
   * memory: the allocation budget stops them. */
  for (int i = 0; i < 32; i++) {
    raw[2 * i] = 0x52;
    raw[2 * i + 1] = 0x00;
  }
  parigot_pb_decode_options tight = {.max_alloc = 64};
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, 64, &tight), PARIGOT_ETOOBIG);
  parigot_test_v1_Rich_free(&r, NULL);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, 64, NULL), 0);
  ASSERT_EQ(r.empties_count, 32);
  parigot_test_v1_Rich_free(&r, NULL);
}

PG_TEST(protobuf_encode_into_a_short_buffer_is_refused) {
  Rich r;
  parigot_test_v1_Rich_init(&r);
  r.register_ = str("hello");
  size_t size = parigot_test_v1_Rich_encoded_size(&r);
  uint8_t buf[64];
  ASSERT_EQ(parigot_test_v1_Rich_encode(&r, buf, size - 1), PARIGOT_ENOSPC);
  /* A bigger buffer works: the bytes land at its start. */
  ASSERT_EQ(parigot_test_v1_Rich_encode(&r, buf, sizeof buf), (int64_t)size);
  expect_bytes(buf, size, "ca020568656c6c6f");
}

PG_TEST(protobuf_encoding_a_message_cycle_fails_instead_of_recursing) {
  Inner a;
  parigot_test_v1_Rich_Inner_init(&a);
  a.child = &a;
  uint8_t buf[4096];
  ASSERT_EQ(parigot_test_v1_Rich_Inner_encode(&a, buf, sizeof buf),
            PARIGOT_EDEPTH);
}

/* An allocator that fails after a set number of allocations and counts
 * what is still outstanding. */
typedef struct counting {
  int fail_after;
  int live;
  int calls;
} counting;

static void *count_alloc(void *ctx, size_t size) {
  counting *c = ctx;
  if (c->calls++ >= c->fail_after)
    return NULL;
  c->live++;
  return malloc(size);
}

static void count_free(void *ctx, void *p) {
  counting *c = ctx;
  c->live--;
  free(p);
}

PG_TEST(protobuf_allocation_failure_at_any_point_leaks_nothing) {
  /* A message with strings, sub-messages, repeated fields and a map. */
  Rich src;
  parigot_test_v1_Rich_init(&src);
  Inner in = {0}, kids[2] = {{0}};
  in.b = str("inner");
  in.children = kids;
  in.children_count = 2;
  kids[1].b = str("kid");
  src.inner = &in;
  src.register_ = str("r");
  parigot_test_v1_Maps maps = {0};
  parigot_test_v1_Maps_StringInt32Entry e[2] = {{str("x"), 1, {0}},
                                                {str("w"), 2, {0}}};
  maps.string_int32 = e;
  maps.string_int32_count = 2;
  src.maps = &maps;
  size_t len;
  uint8_t *b = encode(&parigot_test_v1_Rich_desc, &src, &len);
  bool succeeded = false;
  for (int n = 0; !succeeded; n++) {
    counting c = {.fail_after = n};
    parigot_pb_allocator a = {count_alloc, count_free, &c};
    parigot_pb_decode_options o = {.allocator = &a};
    Rich r;
    parigot_test_v1_Rich_init(&r);
    int rc = parigot_test_v1_Rich_decode(&r, b, len, &o);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_ENOMEM);
    succeeded = rc == 0;
    parigot_test_v1_Rich_free(&r, &a);
    ASSERT_EQ(c.live, 0);
    ASSERT_TRUE(n < 1000);
  }
  free(b);
}

PG_TEST(protobuf_arena_reset_reuses_its_block) {
  counting c = {.fail_after = 1 << 30};
  parigot_pb_allocator backing = {count_alloc, count_free, &c};
  parigot_arena arena;
  parigot_arena_init(&arena, &backing);
  uint8_t raw[] = {0x2a, 0x05, 0x08, 0x01, 0x12, 0x01, 0x78};
  parigot_pb_decode_options o = {.allocator = parigot_arena_allocator(&arena)};
  for (int i = 0; i < 100; i++) {
    Rich r;
    parigot_test_v1_Rich_init(&r);
    ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, sizeof raw, &o), 0);
    ASSERT_EQ(r.inner->a, 1);
    parigot_arena_reset(&arena);
  }
  ASSERT_EQ(c.calls, 1); /* one block, reused by every later call */
  void *big = parigot_arena_alloc(&arena, 3 << 20);
  ASSERT_TRUE(big != NULL);
  memset(big, 1, 3 << 20);
  parigot_arena_free(&arena);
  ASSERT_EQ(c.live, 0);
}

PG_TEST(protobuf_descriptors_describe_the_schema) {
  const parigot_pb_file_desc *f = &parigot_test_v1_rich_proto_file;
  ASSERT_STREQ(f->name, "parigot/test/v1/rich.proto");
  ASSERT_STREQ(f->package, "parigot.test.v1");
  ASSERT_EQ(f->n_dependencies, 1);
  ASSERT_STREQ(f->dependencies[0]->name, "parigot/test/common/v1/common.proto");
  ASSERT_TRUE(f->descriptor_len > 100);
  /* The descriptor is a FileDescriptorProto: field 1 is the file name. */
  ASSERT_EQ(f->descriptor[0], 0x0a);
  ASSERT_EQ(f->descriptor[1], strlen(f->name));
  ASSERT_EQ(f->n_services, 1);
  const parigot_pb_service_desc *s = f->services[0];
  ASSERT_STREQ(s->full_name, "parigot.test.v1.RichService");
  ASSERT_EQ(s->n_methods, 2);
  ASSERT_STREQ(s->methods[1].path, "/parigot.test.v1.RichService/Count");
  ASSERT_TRUE(s->methods[1].input == &parigot_test_v1_Batch_desc);
  ASSERT_TRUE(s->methods[1].output == &parigot_test_common_v1_Point_desc);
  const parigot_pb_field *max =
      parigot_pb_field_find(&parigot_test_v1_Rich_desc, 536870911);
  ASSERT_TRUE(max != NULL);
  ASSERT_STREQ(max->json_name, "maxFieldNumber");
  ASSERT_TRUE(parigot_pb_field_find(&parigot_test_v1_Rich_desc, 11) == NULL);
  ASSERT_STREQ(parigot_test_v1_Color_desc.values[4].name, "COLOR_NEGATIVE");
}

PG_TEST(protobuf_alias_bytes_points_into_the_input_only_with_an_arena) {
  uint8_t raw[] = {0xc2, 0x01, 0x03, 'a', 'b', 'c', /* choice_bytes */
                   0xca, 0x02, 0x01, 'r'};          /* register_ */
  parigot_arena arena;
  parigot_arena_init(&arena, NULL);
  parigot_pb_decode_options o = {.allocator = parigot_arena_allocator(&arena),
                                 .alias_bytes = true};
  Rich r;
  parigot_test_v1_Rich_init(&r);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, sizeof raw, &o), 0);
  ASSERT_TRUE(r.choice.choice_bytes.data == raw + 3); /* aliased */
  ASSERT_TRUE(r.register_.data != raw + 9); /* strings are still copied */
  ASSERT_EQ(r.register_.data[1], 0);        /* and NUL-terminated */
  parigot_arena_free(&arena);
  parigot_pb_decode_options with_malloc = {.alias_bytes = true};
  parigot_test_v1_Rich_init(&r);
  ASSERT_EQ(parigot_test_v1_Rich_decode(&r, raw, sizeof raw, &with_malloc),
            PARIGOT_EINVAL);
}
