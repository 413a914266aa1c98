/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/utf8.c: strict UTF-8 (see utf8.h).
 *
 * Owns nothing; any thread.
 */
#include "utf8.h"

#include <string.h>

size_t pg_utf8_seq(const uint8_t *s, size_t avail) {
  uint8_t c = s[0], lo = 0x80, hi = 0xBF;
  size_t n;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80; /* overlong below U+0800 */
    hi = c == 0xED ? 0x9F : 0xBF; /* surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    lo = c == 0xF0 ? 0x90 : 0x80; /* overlong below U+10000 */
    hi = c == 0xF4 ? 0x8F : 0xBF; /* past U+10FFFF */
  } else {
    return 0;
  }
  if (avail < n || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t k = 2; k < n; k++)
    if ((s[k] & 0xC0) != 0x80)
      return 0;
  return n;
}

bool pg_utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    if (s[i] < 0x80) {
      /* ASCII runs eight bytes at a time. */
      uint64_t w;
      while (i + 8 <= len &&
             (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0))
        i += 8;
      if (i < len && s[i] < 0x80)
        i++;
      continue;
    }
    size_t n = pg_utf8_seq(s + i, len - i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

uint32_t pg_utf8_decode(const uint8_t *s) {
  if (s[0] < 0x80)
    return s[0];
  if (s[0] < 0xE0)
    return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
  if (s[0] < 0xF0)
    return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
           (s[2] & 0x3F);
  return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
         (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

size_t pg_utf8_encode(uint32_t cp, uint8_t out[4]) {
  if (cp < 0x80) {
    out[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (uint8_t)(0xC0 | cp >> 6);
    out[1] = (uint8_t)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (uint8_t)(0xE0 | cp >> 12);
    out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (uint8_t)(0xF0 | cp >> 18);
  out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (uint8_t)(0x80 | (cp & 0x3F));
  return 4;
}

size_t pg_utf8_prefix(const uint8_t *s, size_t len, size_t max) {
  if (len <= max)
    return len;
  while (max > 0 && (s[max] & 0xC0) == 0x80)
    max--;
  return max;
}
