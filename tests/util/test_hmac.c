/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/util/test_hmac.c: util/hmac.c against every HMAC-SHA-256 vector of
 * RFC 4231 (one shot, and streamed a byte at a time), and pg_ct_equal.
 */
#include <stdint.h>
#include <string.h>

#include "hmac.h"
#include "test.h"

typedef struct vector {
  uint8_t key[131];
  size_t key_len;
  const char *data; /* NULL: data_byte repeated data_len times */
  uint8_t data_byte;
  size_t data_len;
  const char *mac_hex; /* 64 digits, or 32 for test case 5 (truncated) */
} vector;

static void fill(uint8_t *p, uint8_t b, size_t n) {
  memset(p, b, n);
}

static void hex(const uint8_t *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = 0;
}

/* RFC 4231 section 4, test cases 1 to 7, column HMAC-SHA-256. */
static void vectors(vector v[7]) {
  memset(v, 0, 7 * sizeof v[0]);
  fill(v[0].key, 0x0b, 20), v[0].key_len = 20, v[0].data = "Hi There";
  v[0].mac_hex =
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  memcpy(v[1].key, "Jefe", 4), v[1].key_len = 4;
  v[1].data = "what do ya want for nothing?";
  v[1].mac_hex =
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  fill(v[2].key, 0xaa, 20), v[2].key_len = 20;
  v[2].data_byte = 0xdd, v[2].data_len = 50;
  v[2].mac_hex =
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";
  for (int i = 0; i < 25; i++)
    v[3].key[i] = (uint8_t)(i + 1);
  v[3].key_len = 25, v[3].data_byte = 0xcd, v[3].data_len = 50;
  v[3].mac_hex =
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";
  fill(v[4].key, 0x0c, 20), v[4].key_len = 20;
  v[4].data = "Test With Truncation";
  v[4].mac_hex = "a3b6167473100ee06e0c796c2955552b";
  fill(v[5].key, 0xaa, 131), v[5].key_len = 131;
  v[5].data = "Test Using Larger Than Block-Size Key - Hash Key First";
  v[5].mac_hex =
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
  fill(v[6].key, 0xaa, 131), v[6].key_len = 131;
  v[6].data = "This is a test using a larger than block-size key and a "
              "larger than block-size data. The key needs to be hashed "
              "before being used by the HMAC algorithm.";
  v[6].mac_hex =
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";
}

static size_t message(const vector *v, uint8_t *buf) {
  if (v->data) {
    memcpy(buf, v->data, strlen(v->data));
    return strlen(v->data);
  }
  memset(buf, v->data_byte, v->data_len);
  return v->data_len;
}

PG_TEST(hmac_sha256_matches_rfc4231) {
  vector v[7];
  vectors(v);
  for (int i = 0; i < 7; i++) {
    uint8_t msg[256], mac[PG_SHA256_LEN];
    size_t len = message(&v[i], msg);
    pg_hmac_sha256(v[i].key, v[i].key_len, msg, len, mac);
    char got[65];
    size_t want_len = strlen(v[i].mac_hex) / 2;
    hex(mac, want_len, got);
    if (strcmp(got, v[i].mac_hex) != 0)
      PG_FAIL("test case %d: %s, want %s", i + 1, got, v[i].mac_hex);
  }
}

PG_TEST(hmac_sha256_streamed_equals_one_shot) {
  vector v[7];
  vectors(v);
  for (int i = 0; i < 7; i++) {
    uint8_t msg[256], one[PG_SHA256_LEN], streamed[PG_SHA256_LEN];
    size_t len = message(&v[i], msg);
    pg_hmac_sha256(v[i].key, v[i].key_len, msg, len, one);
    pg_hmac_sha256_ctx ctx;
    pg_hmac_sha256_init(&ctx, v[i].key, v[i].key_len);
    for (size_t j = 0; j < len; j++)
      pg_hmac_sha256_update(&ctx, msg + j, 1);
    pg_hmac_sha256_final(&ctx, streamed);
    if (memcmp(one, streamed, sizeof one) != 0)
      PG_FAIL("test case %d: streamed MAC differs", i + 1);
    /* final wipes the key-derived state. */
    static const pg_hmac_sha256_ctx zero;
    ASSERT_TRUE(memcmp(&ctx, &zero, sizeof ctx) == 0);
  }
}

PG_TEST(hmac_ct_equal_compares_every_byte) {
  uint8_t a[64], b[64];
  for (int i = 0; i < 64; i++)
    a[i] = b[i] = (uint8_t)(i * 7);
  ASSERT_TRUE(pg_ct_equal(a, b, sizeof a));
  ASSERT_TRUE(pg_ct_equal(a, b, 0));
  for (int i = 0; i < 64; i++) {
    b[i] ^= 0x80;
    if (pg_ct_equal(a, b, sizeof a))
      PG_FAIL("a difference at byte %d was not seen", i);
    ASSERT_TRUE(pg_ct_equal(a, b, (size_t)i)); /* before the difference */
    b[i] ^= 0x80;
  }
}
