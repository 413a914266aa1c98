/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/kernel/test_kernel.c: the kernel's small modules on their own:
 * sha256, the wasm reader, the cache trailer, clocks (the fast one too),
 * random streams and the error table.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "clock.h"
#include "fastclock.h"
#include "parigot/error.h"
#include "rng.h"
#include "sha256.h"
#include "test.h"
#include "wasm_info.h"

static void sha_hex(const void *data, size_t len, char out[65]) {
  pg_sha256 s;
  uint8_t d[PG_SHA256_LEN];
  pg_sha256_init(&s);
  pg_sha256_update(&s, data, len);
  pg_sha256_final(&s, d);
  pg_sha256_hex(d, out);
}

PG_TEST(sha256_matches_fips_180_vectors) {
  char h[65];
  sha_hex("abc", 3, h);
  ASSERT_STREQ(
      h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  sha_hex("", 0, h);
  ASSERT_STREQ(
      h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  sha_hex(two, strlen(two), h);
  ASSERT_STREQ(
      h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

PG_TEST(sha256_gives_same_digest_for_any_split) {
  static uint8_t data[1000];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 7);
  char whole[65], parts[65];
  sha_hex(data, sizeof data, whole);
  for (size_t cut = 0; cut < sizeof data; cut += 37) {
    pg_sha256 s;
    uint8_t d[PG_SHA256_LEN];
    pg_sha256_init(&s);
    pg_sha256_update(&s, data, cut);
    pg_sha256_update(&s, data + cut, sizeof data - cut);
    pg_sha256_final(&s, d);
    pg_sha256_hex(d, parts);
    ASSERT_STREQ(parts, whole);
  }
}

/* (module (import "m" "f" (func (param i32 i64) (result f32)))
 *         (memory 2 5) (func) (export "run" (func 1))) */
static const uint8_t small[] = {
    0,  'a',  's', 'm',  1,    0,   0,    0,    1, 10,
    2,  0x60, 2,   0x7f, 0x7e, 1,   0x7d, 0x60, 0, 0, /* types */
    2,  7,    1,   1,    'm',  1,   'f',  0,    0,    /* import */
    3,  2,    1,   1,                                 /* function */
    5,  4,    1,   1,    2,    5,                     /* memory */
    7,  7,    1,   3,    'r',  'u', 'n',  0,    1,    /* export */
    10, 4,    1,   2,    0,    0x0b};                 /* code */

PG_TEST(wasm_info_reads_imports_exports_and_memory) {
  pg_wasm_info info;
  ASSERT_EQ(pg_wasm_info_parse(&info, small, sizeof small, pg_mem_default()),
            0);
  ASSERT_EQ(info.nimports, 1);
  ASSERT_STREQ(info.imports[0].module, "m");
  ASSERT_STREQ(info.imports[0].name, "f");
  ASSERT_STREQ(pg_wasm_info_func_sig(&info, 0), "iI:f");
  ASSERT_STREQ(pg_wasm_info_func_sig(&info, 1), ":");
  ASSERT_TRUE(pg_wasm_info_func_sig(&info, 2) == NULL);
  ASSERT_TRUE(info.has_memory);
  ASSERT_EQ(info.mem_initial_pages, 2);
  ASSERT_EQ(info.mem_max_pages, 5);
  const pg_wasm_export *ex = pg_wasm_info_export(&info, "run");
  ASSERT_TRUE(ex != NULL);
  ASSERT_EQ(ex->index, 1);
  pg_wasm_info_deinit(&info);
}

PG_TEST(wasm_info_rejects_every_truncation) {
  for (size_t len = 0; len < sizeof small; len++) {
    pg_wasm_info info;
    int rc = pg_wasm_info_parse(&info, small, len, pg_mem_default());
    /* Cutting exactly between sections leaves a valid prefix. */
    if (rc == 0) {
      pg_wasm_info_deinit(&info);
      continue;
    }
    ASSERT_TRUE(rc == PARIGOT_EBADMODULE || rc == PARIGOT_ENOTWASM);
    ASSERT_TRUE(info.errmsg[0] != '\0');
  }
}

PG_TEST(wasm_info_rejects_huge_counts_before_allocating) {
  /* A type section claiming 2^32-1 types in 6 bytes. */
  static const uint8_t m[] = {0, 'a', 's',  'm',  1,    0,    0,   0,
                              1, 5,   0xff, 0xff, 0xff, 0xff, 0x0f};
  pg_wasm_info info;
  ASSERT_EQ(pg_wasm_info_parse(&info, m, sizeof m, pg_mem_default()),
            PARIGOT_EBADMODULE);
  ASSERT_CONTAINS(info.errmsg, "exceeds section size");
}

PG_TEST(wasm_info_rejects_overlong_leb) {
  static const uint8_t m[] = {0, 'a',  's',  'm',  1,    0,    0,   0,
                              1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  pg_wasm_info info;
  ASSERT_EQ(pg_wasm_info_parse(&info, m, sizeof m, pg_mem_default()),
            PARIGOT_EBADMODULE);
}

PG_TEST(wasm_info_names_components_as_unsupported) {
  static const uint8_t m[] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
  pg_wasm_info info;
  ASSERT_EQ(pg_wasm_info_parse(&info, m, sizeof m, pg_mem_default()),
            PARIGOT_EUNSUPPORTED);
  ASSERT_CONTAINS(info.errmsg, "component");
}

static void write_bytes(const char *path, const char *s) {
  FILE *f = fopen(path, "wb");
  ASSERT_TRUE(f != NULL);
  fputs(s, f);
  fclose(f);
}

PG_TEST(cache_trailer_detects_any_change) {
  char tmp[64], path[64];
  snprintf(tmp, sizeof tmp, "/tmp/pg-cache-%d.tmp", (int)getpid());
  snprintf(path, sizeof path, "/tmp/pg-cache-%d.so", (int)getpid());
  ASSERT_EQ(pg_cache_verify(path), PARIGOT_ENOENT);
  write_bytes(tmp, "pretend this is an ELF file");
  ASSERT_EQ(pg_cache_commit(tmp, path), 0);
  ASSERT_EQ(access(tmp, F_OK), -1); /* renamed away */
  ASSERT_EQ(pg_cache_verify(path), 0);
  FILE *f = fopen(path, "r+b");
  fseek(f, 3, SEEK_SET);
  fputc('X', f);
  fclose(f);
  ASSERT_EQ(pg_cache_verify(path), PARIGOT_ECACHE);
  write_bytes(path, "short");
  ASSERT_EQ(pg_cache_verify(path), PARIGOT_ECACHE);
  unlink(path);
}

PG_TEST(virtual_clock_starts_at_fixed_instant_and_advances_on_read) {
  pg_clock c;
  uint64_t a, b, r;
  pg_clock_init(&c, true);
  ASSERT_EQ(pg_clock_now(&c, PG_CLOCK_MONOTONIC, &a), 0);
  ASSERT_EQ(pg_clock_now(&c, PG_CLOCK_MONOTONIC, &b), 0);
  ASSERT_EQ(b - a, PG_CLOCK_VIRTUAL_TICK_NS);
  pg_clock_advance(&c, 5000000000ull);
  ASSERT_EQ(pg_clock_now(&c, PG_CLOCK_REALTIME, &r), 0);
  ASSERT_EQ(r, PG_CLOCK_VIRTUAL_EPOCH_NS + b + PG_CLOCK_VIRTUAL_TICK_NS +
                   5000000000ull);
  ASSERT_EQ(pg_clock_now(&c, 9, &a), -22);
}

/* Calibrated over 100 ms and at least four 1 ms ticks, the counter clock
 * reads no earlier than
 * clock_gettime (so a deadline from it never fires early) and no later
 * than its tolerance twice over plus the time between the two reads. On a
 * machine without a counter it is clock_gettime itself. */
PG_TEST(fast_clock_never_reads_early_and_stays_within_its_tolerance) {
  pg_fastclock c;
  pg_fastclock_init(&c);
  usleep(110000);
  /* A tick later than two intervals makes the clock unusable until the
   * next one on time, as it should: a loaded machine (a parallel test run)
   * may make a few late, so it gets up to 200 ticks to find one. */
  for (int i = 0; i < 200 && (i < 4 || !c.is_usable); i++) {
    pg_fastclock_tick(&c, 1000000);
    usleep(1000);
  }
#if defined(__x86_64__)
  ASSERT_TRUE(c.is_usable);
#else
  ASSERT_TRUE(!c.is_usable);
#endif
  int early = 0, far = 0;
  for (int i = 0; i < 100000; i++) {
    uint64_t before = pg_clock_host_monotonic_ns();
    uint64_t t = pg_fastclock_now(&c);
    uint64_t after = pg_clock_host_monotonic_ns();
    early += t < before;
    far += t > after + 2 * PG_FASTCLOCK_TOLERANCE_NS + 1000;
  }
  ASSERT_EQ(early, 0);
  ASSERT_TRUE(far < 100); /* a descheduled thread may see a few */
}

PG_TEST(seeded_rng_repeats_per_seed_and_differs_across_seeds) {
  pg_rng a, b, c;
  uint8_t x[33], y[33], z[33];
  pg_rng_init_seeded(&a, 42);
  pg_rng_init_seeded(&b, 42);
  pg_rng_init_seeded(&c, 43);
  ASSERT_EQ(pg_rng_fill(&a, x, sizeof x), 0);
  ASSERT_EQ(pg_rng_fill(&b, y, sizeof y), 0);
  ASSERT_EQ(pg_rng_fill(&c, z, sizeof z), 0);
  ASSERT_EQ(memcmp(x, y, sizeof x), 0);
  ASSERT_NE(memcmp(x, z, sizeof x), 0);
}

PG_TEST(error_names_and_messages_come_from_one_table) {
  ASSERT_STREQ(parigot_err_name(PARIGOT_ENOMEM), "PARIGOT_ENOMEM");
  ASSERT_STREQ(parigot_strerror(PARIGOT_ENOCC), "no C compiler found");
  ASSERT_STREQ(parigot_strerror(12345), "unknown error");
  ASSERT_TRUE(parigot_err_is_fatal(PARIGOT_ETRAP));
  ASSERT_TRUE(!parigot_err_is_fatal(PARIGOT_EINVAL));
}
