/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/util/test_util.c: the helpers every host module shares (util/):
 * UTF-8 against RFC 3629's table, the arena's chunks and failures, and the
 * protobuf wire reader on hand-made and broken input.
 */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "pbwire.h"
#include "test.h"
#include "utf8.h"

/* ---- UTF-8 ---- */

typedef struct seq_case {
  const char *bytes;
  size_t len, want;
} seq_case;

PG_TEST(utf8_seq_follows_rfc3629) {
  static const seq_case cases[] = {
      {"a", 1, 1},
      {"\x7f", 1, 1},
      {"\xc2\x80", 2, 2},
      {"\xdf\xbf", 2, 2},
      {"\xc0\x80", 2, 0}, /* overlong NUL */
      {"\xc1\xbf", 2, 0}, /* overlong */
      {"\xe0\xa0\x80", 3, 3},
      {"\xe0\x9f\xbf", 3, 0}, /* overlong below U+0800 */
      {"\xed\x9f\xbf", 3, 3},
      {"\xed\xa0\x80", 3, 0}, /* surrogate U+D800 */
      {"\xef\xbf\xbf", 3, 3},
      {"\xf0\x90\x80\x80", 4, 4},
      {"\xf0\x8f\xbf\xbf", 4, 0}, /* overlong below U+10000 */
      {"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF */
      {"\xf4\x90\x80\x80", 4, 0}, /* past U+10FFFF */
      {"\xf5\x80\x80\x80", 4, 0},
      {"\x80", 1, 0},         /* a continuation byte alone */
      {"\xe2\x82", 2, 0},     /* truncated */
      {"\xe2\x28\xa1", 3, 0}, /* bad continuation */
      {"\xe2\x82\x28", 3, 0},
      {"\xff", 1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t got = pg_utf8_seq((const uint8_t *)cases[i].bytes, cases[i].len);
    if (got != cases[i].want)
      PG_FAIL("case %zu: %zu, want %zu", i, got, cases[i].want);
  }
}

PG_TEST(utf8_valid_checks_every_byte) {
  const char *ok = "plain ASCII text, long enough for the fast path: h\xc3\xa9"
                   "llo \xe2\x82\xac \xf0\x9f\x98\x80 end";
  ASSERT_TRUE(pg_utf8_valid((const uint8_t *)ok, strlen(ok)));
  ASSERT_TRUE(pg_utf8_valid((const uint8_t *)"", 0));
  /* A bad byte after eight, sixteen and seventeen ASCII ones. */
  char bad[40];
  for (size_t at = 0; at < 32; at++) {
    memset(bad, 'x', sizeof bad);
    bad[at] = (char)0xff;
    if (pg_utf8_valid((const uint8_t *)bad, sizeof bad))
      PG_FAIL("0xff at %zu passed", at);
  }
  /* A sequence cut by the end of the span. */
  ASSERT_TRUE(!pg_utf8_valid((const uint8_t *)"abc\xe2\x82\xac", 5));
}

PG_TEST(utf8_encode_and_decode_round_trip_at_every_boundary) {
  static const uint32_t cps[] = {0,      0x7f,   0x80,   0x7ff,   0x800,
                                 0xd7ff, 0xe000, 0xffff, 0x10000, 0x10ffff};
  static const size_t lens[] = {1, 1, 2, 2, 3, 3, 3, 3, 4, 4};
  for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
    uint8_t b[4];
    size_t n = pg_utf8_encode(cps[i], b);
    ASSERT_EQ(n, lens[i]);
    ASSERT_EQ(pg_utf8_seq(b, n), n);
    ASSERT_EQ(pg_utf8_decode(b), cps[i]);
  }
}

PG_TEST(utf8_prefix_never_splits_a_sequence) {
  const uint8_t *s = (const uint8_t *)"a\xc3\xa9\xe2\x82\xac"; /* a é € */
  ASSERT_EQ(pg_utf8_prefix(s, 6, 6), 6);
  ASSERT_EQ(pg_utf8_prefix(s, 6, 100), 6);
  ASSERT_EQ(pg_utf8_prefix(s, 6, 5), 3); /* not into the euro sign */
  ASSERT_EQ(pg_utf8_prefix(s, 6, 4), 3);
  ASSERT_EQ(pg_utf8_prefix(s, 6, 3), 3);
  ASSERT_EQ(pg_utf8_prefix(s, 6, 2), 1); /* not into é */
  ASSERT_EQ(pg_utf8_prefix(s, 6, 1), 1);
  ASSERT_EQ(pg_utf8_prefix(s, 6, 0), 0);
}

/* ---- the arena ---- */

/* A pg_mem that counts its calls and fails from the fail_at-th malloc. */
typedef struct counting {
  int mallocs, frees, fail_at;
  size_t biggest;
} counting;

static void *count_malloc(size_t n, void *ud) {
  counting *c = ud;
  if (c->fail_at > 0 && c->mallocs + 1 >= c->fail_at)
    return NULL;
  c->mallocs++;
  if (n > c->biggest)
    c->biggest = n;
  return malloc(n);
}

static void *count_realloc(void *p, size_t n, void *ud) {
  (void)ud;
  return realloc(p, n);
}

static void count_free(void *p, void *ud) {
  counting *c = ud;
  if (p != NULL)
    c->frees++;
  free(p);
}

PG_TEST(arena_hands_out_aligned_memory_from_growing_chunks) {
  counting c = {0};
  pg_mem mem = {count_malloc, count_realloc, count_free, &c};
  pg_arena a;
  pg_arena_init(&a, &mem, 64, 256);
  ASSERT_EQ(c.mallocs, 0); /* nothing before the first allocation */
  char *prev = NULL;
  for (int i = 0; i < 40; i++) {
    char *p = pg_arena_alloc(&a, 3);
    ASSERT_TRUE(p != NULL);
    ASSERT_EQ((uintptr_t)p % alignof(max_align_t), 0);
    ASSERT_TRUE(p != prev);
    memset(p, 0xab, 3);
    prev = p;
  }
  /* 40 slots of max_align_t: chunks of 64, 128, 256, 256, ... bytes. */
  size_t slot = sizeof(max_align_t), in_chunks = 0, size = 64;
  int chunks = 0;
  while (in_chunks < 40 * slot) {
    in_chunks += size / slot * slot;
    size = size * 2 < 256 ? size * 2 : 256;
    chunks++;
  }
  ASSERT_EQ(c.mallocs, chunks);
  /* A big one gets a chunk of its own size. */
  ASSERT_TRUE(pg_arena_alloc(&a, 10000) != NULL);
  ASSERT_TRUE(c.biggest >= 10000);
  pg_arena_deinit(&a);
  ASSERT_EQ(c.frees, c.mallocs);
}

PG_TEST(arena_copies_strings_and_zeroes_calloc) {
  pg_arena a;
  pg_arena_init(&a, pg_mem_default(), 32, 32);
  char *s = pg_arena_strdup(&a, "hello, world", 5);
  ASSERT_STREQ(s, "hello");
  ASSERT_STREQ(pg_arena_strdup(&a, NULL, 0), "");
  unsigned char *z = pg_arena_calloc(&a, 100, 3);
  ASSERT_TRUE(z != NULL);
  for (size_t i = 0; i < 300; i++)
    ASSERT_EQ(z[i], 0);
  ASSERT_TRUE(pg_arena_calloc(&a, SIZE_MAX / 2, 4) == NULL); /* overflow */
  ASSERT_TRUE(pg_arena_alloc(&a, SIZE_MAX / 2 + 1) == NULL);
  pg_arena_deinit(&a);
}

PG_TEST(arena_returns_null_when_its_allocator_fails) {
  counting c = {.fail_at = 2};
  pg_mem mem = {count_malloc, count_realloc, count_free, &c};
  pg_arena a;
  pg_arena_init(&a, &mem, 64, 64);
  ASSERT_TRUE(pg_arena_alloc(&a, 64) != NULL); /* the first chunk */
  ASSERT_TRUE(pg_arena_alloc(&a, 8) == NULL);  /* a second one fails */
  ASSERT_TRUE(pg_arena_strdup(&a, "x", 1) == NULL);
  pg_arena_deinit(&a);
  ASSERT_EQ(c.frees, 1);
}

/* ---- the protobuf wire reader ---- */

PG_TEST(pbwire_reads_every_wire_type) {
  static const uint8_t msg[] = {
      0x08, 0x96, 0x01,                                  /* 1: varint 150 */
      0x12, 0x07, 't',  'e',  's',  't',  'i', 'n', 'g', /* 2: "testing" */
      0x1d, 0x01, 0x02, 0x03, 0x04,                      /* 3: fixed32 */
      0x21, 1,    2,    3,    4,    5,    6,   7,   8,   /* 4: fixed64 */
      0x2b, 0x08, 0x01, 0x33, 0x34, 0x2c,                /* 5: group, nested */
      0x30, 0x00,                                        /* 6: varint 0 */
  };
  pg_pbwire_reader r = pg_pbwire_reader_of(msg, sizeof msg);
  pg_pbwire_field f;
  ASSERT_TRUE(pg_pbwire_read_field(&r, &f) == NULL);
  ASSERT_EQ(f.num, 1);
  ASSERT_EQ(f.wt, PG_PBWIRE_VARINT);
  ASSERT_EQ(f.v, 150);
  ASSERT_EQ(f.len, 2);
  ASSERT_TRUE(pg_pbwire_read_field(&r, &f) == NULL);
  ASSERT_EQ(f.num, 2);
  ASSERT_EQ(f.wt, PG_PBWIRE_LEN);
  ASSERT_EQ(f.len, 7);
  ASSERT_TRUE(memcmp(f.p, "testing", 7) == 0);
  ASSERT_TRUE(pg_pbwire_read_field(&r, &f) == NULL);
  ASSERT_EQ(f.wt, PG_PBWIRE_I32);
  ASSERT_EQ(f.v, 0x04030201);
  ASSERT_TRUE(pg_pbwire_read_field(&r, &f) == NULL);
  ASSERT_EQ(f.wt, PG_PBWIRE_I64);
  ASSERT_EQ(f.v, 0x0807060504030201);
  ASSERT_TRUE(pg_pbwire_read_field(&r, &f) == NULL);
  ASSERT_EQ(f.num, 5);
  ASSERT_EQ(f.wt, PG_PBWIRE_SGROUP);
  ASSERT_EQ(f.len, 4); /* its contents, without the end tag */
  ASSERT_TRUE(pg_pbwire_read_field(&r, &f) == NULL);
  ASSERT_EQ(f.num, 6);
  ASSERT_EQ(f.v, 0);
  ASSERT_TRUE(r.p == r.end);
}

static const char *first_error(const uint8_t *p, size_t len) {
  pg_pbwire_reader r = pg_pbwire_reader_of(p, len);
  pg_pbwire_field f;
  while (r.p < r.end) {
    const char *why = pg_pbwire_read_field(&r, &f);
    if (why != NULL)
      return why;
  }
  return "no error";
}

#define BAD(want, ...)                                                         \
  do {                                                                         \
    static const uint8_t b_[] = {__VA_ARGS__};                                 \
    ASSERT_STREQ(first_error(b_, sizeof b_), want);                            \
  } while (0)

PG_TEST(pbwire_says_what_is_wrong) {
  BAD("truncated varint", 0x08, 0x80);
  BAD("varint longer than 10 bytes", 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
      0x80, 0x80, 0x80, 0x80, 0x01);
  BAD("length runs past the end", 0x12, 0x05, 'a');
  BAD("field number 0", 0x00, 0x00);
  BAD("invalid wire type", 0x0e);
  BAD("invalid wire type", 0x0f);
  BAD("tag does not fit 32 bits", 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
  BAD("end-group tag without a group", 0x0c);
  BAD("mismatched end-group tag", 0x0b, 0x14);
  BAD("unterminated group", 0x0b, 0x08, 0x01);
  BAD("truncated fixed-width value", 0x0d, 0x01, 0x02);
  BAD("truncated fixed-width value", 0x09, 1, 2, 3, 4, 5, 6, 7);
}

PG_TEST(pbwire_refuses_groups_nested_too_deeply) {
  uint8_t b[2 * (PG_PBWIRE_MAX_GROUP_DEPTH + 1)];
  size_t n = 0;
  for (int i = 0; i <= PG_PBWIRE_MAX_GROUP_DEPTH; i++)
    b[n++] = 0x0b; /* field 1, start group */
  for (int i = 0; i <= PG_PBWIRE_MAX_GROUP_DEPTH; i++)
    b[n++] = 0x0c;
  ASSERT_STREQ(first_error(b, n), "groups nested too deeply");
  /* One less is fine. */
  ASSERT_STREQ(first_error(b + 1, n - 2), "no error");
}

PG_TEST(pbwire_varints_round_trip) {
  static const uint64_t vals[] = {0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
  static const size_t lens[] = {1, 1, 1, 2, 2, 5, 10};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    uint8_t b[10];
    size_t n = pg_pbwire_put_varint(b, vals[i]);
    ASSERT_EQ(n, lens[i]);
    pg_pbwire_reader r = pg_pbwire_reader_of(b, n);
    uint64_t v;
    ASSERT_TRUE(pg_pbwire_read_varint(&r, &v) == NULL);
    ASSERT_TRUE(v == vals[i]);
    ASSERT_TRUE(r.p == r.end);
  }
}
