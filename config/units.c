/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/units.c: sizes and durations written as text (see units.h).
 *
 * Owns nothing and calls only libc. Any thread.
 */
#include "units.h"

#include <string.h>

#include "parigot/error.h"

/* Reads "digits[.digits]" scaled by 10^9 so fractions stay exact. */
static int parse_decimal(const char **s, uint64_t *out_nano) {
  const char *p = *s;
  uint64_t whole = 0, frac = 0, scale = 1000000000u;
  if (*p < '0' || *p > '9')
    return PARIGOT_EINVAL;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (whole > (UINT64_MAX / 1000000000u - 9) / 10)
      return PARIGOT_ERANGE;
    whole = whole * 10 + (uint64_t)(*p - '0');
  }
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9')
      return PARIGOT_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
      scale /= 10;
      frac += (uint64_t)(*p - '0') * scale;
    }
  }
  *out_nano = whole * 1000000000u + frac;
  *s = p;
  return 0;
}

/* nano * mult / 1e9, exactly, or PARIGOT_ERANGE. */
static int scale(uint64_t nano, uint64_t mult, uint64_t *out) {
  unsigned __int128 v = (unsigned __int128)nano * mult / 1000000000u;
  if (v > UINT64_MAX)
    return PARIGOT_ERANGE;
  *out = (uint64_t)v;
  return 0;
}

int pg_units_parse_size(const char *s, uint64_t *out_bytes) {
  uint64_t nano, mult = 1;
  int rc = parse_decimal(&s, &nano);
  if (rc)
    return rc;
  switch (*s) {
  case 'K':
  case 'k':
    mult = 1ull << 10;
    s++;
    break;
  case 'M':
  case 'm':
    mult = 1ull << 20;
    s++;
    break;
  case 'G':
  case 'g':
    mult = 1ull << 30;
    s++;
    break;
  }
  if (*s == 'i' && mult > 1)
    s++;
  if (*s == 'B')
    s++;
  if (*s)
    return PARIGOT_EINVAL;
  if (mult == 1 && nano % 1000000000u)
    return PARIGOT_EINVAL; /* a fraction of a byte */
  return scale(nano, mult, out_bytes);
}

int pg_units_parse_duration(const char *s, uint64_t *out_ns) {
  uint64_t nano, mult;
  int rc = parse_decimal(&s, &nano);
  if (rc)
    return rc;
  if (strcmp(s, "ms") == 0)
    mult = 1000000ull;
  else if (strcmp(s, "s") == 0)
    mult = 1000000000ull;
  else if (strcmp(s, "m") == 0)
    mult = 60000000000ull;
  else
    return PARIGOT_EINVAL;
  return scale(nano, mult, out_ns);
}
