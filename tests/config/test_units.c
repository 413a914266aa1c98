/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/config/test_units.c: sizes and durations, as written in manifests
 * and on the command line.
 *
 * The CLI parses --max-memory and --timeout with config/units.c, which the
 * app manifest shares; these tests pin the rules both rely on.
 * Single-threaded.
 */
#include "parigot/error.h"
#include "test.h"
#include "units.h"

static uint64_t size(const char *s) {
  uint64_t v = 0;
  ASSERT_EQ(pg_units_parse_size(s, &v), 0);
  return v;
}

static uint64_t dur(const char *s) {
  uint64_t v = 0;
  ASSERT_EQ(pg_units_parse_duration(s, &v), 0);
  return v;
}

PG_TEST(opt_sizes_take_k_m_g_suffixes) {
  ASSERT_EQ(size("0"), 0);
  ASSERT_EQ(size("4096"), 4096);
  ASSERT_EQ(size("32K"), 32768);
  ASSERT_EQ(size("32M"), 32u << 20);
  ASSERT_EQ(size("2G"), 2ull << 30);
  ASSERT_EQ(size("1.5M"), 3u << 19);
  ASSERT_EQ(size("64MiB"), 64u << 20);
}

PG_TEST(opt_sizes_reject_junk_and_overflow) {
  uint64_t v = 7;
  ASSERT_EQ(pg_units_parse_size("", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_size("M", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_size("-1M", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_size("12X", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_size("1.5", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_size("99999999999999999999G", &v), PARIGOT_ERANGE);
  ASSERT_EQ(pg_units_parse_size("17179869184G", &v), PARIGOT_ERANGE);
  ASSERT_EQ(v, 7);
}

PG_TEST(opt_durations_take_ms_s_m) {
  ASSERT_EQ(dur("500ms"), 500000000ull);
  ASSERT_EQ(dur("1s"), 1000000000ull);
  ASSERT_EQ(dur("1.25s"), 1250000000ull);
  ASSERT_EQ(dur("2m"), 120000000000ull);
  ASSERT_EQ(dur("0.5m"), 30000000000ull);
}

PG_TEST(opt_durations_need_a_unit) {
  uint64_t v = 7;
  ASSERT_EQ(pg_units_parse_duration("5", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_duration("5h", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_duration("s", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_duration("1.s", &v), PARIGOT_EINVAL);
  ASSERT_EQ(pg_units_parse_duration("999999999999999999999m", &v),
            PARIGOT_ERANGE);
  ASSERT_EQ(v, 7);
}
