/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wire/test_pbjson.c: wire/pbjson against protobuf's own json_format.
 *
 * The oracle is tests/wire/pbjson/oracle.py on Debian's python3-protobuf:
 * it makes the cases (binary, json_format's JSON, and JSON that json_format
 * reads) from the schema pbjson_test.proto, and judges what pbjson made of
 * them. This file checks binary to JSON byte for byte itself, and hands
 * its JSON and binary back to the oracle, which parses both and compares
 * the messages. The rest are pbjson's own promises: exact error messages,
 * hostile input (truncation, bit flips, nesting), descriptor sets, and an
 * allocation failure at every point.
 *
 * Random cases use a fixed seed; PARIGOT_TEST_SEED=N runs another.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parigot/error.h"
#include "pbjson.h"
#include "test.h"
#include "test_mem.h"
#include "test_proc.h"

#define DEFAULT_SEED 20240601

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    PG_FAIL("cannot open %s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  uint8_t *p = malloc(cap);
  size_t k;
  while ((k = fread(p + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap)
      p = realloc(p, cap *= 2);
  }
  fclose(f);
  *len = n;
  return p;
}

static pg_pbjson *load_set(const pg_mem *mem) {
  size_t len;
  uint8_t *fds = read_file(PG_PBJSON_FDS, &len);
  pg_pbjson *j = NULL;
  char err[256];
  int rc = pg_pbjson_new(&j, fds, len, mem, err, sizeof err);
  if (rc != 0)
    PG_FAIL("pg_pbjson_new: %d %s", rc, err);
  free(fds);
  return j;
}

static uint8_t *unhex(const char *s, size_t n, size_t *len) {
  uint8_t *p = malloc(n / 2 + 1);
  for (size_t i = 0; i + 1 < n; i += 2) {
    unsigned v;
    sscanf(s + i, "%2x", &v);
    p[i / 2] = (uint8_t)v;
  }
  *len = n / 2;
  p[*len] = 0;
  return p;
}

static void put_hex(FILE *f, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%02x", p[i]);
}

static unsigned long seed(void) {
  const char *s = getenv("PARIGOT_TEST_SEED");
  unsigned long v = s ? strtoul(s, NULL, 10) : DEFAULT_SEED;
  printf("seed %lu (PARIGOT_TEST_SEED=%lu replays this run)\n", v, v);
  return v;
}

/* Runs the oracle's case set @p set through pbjson: binary to JSON must
 * equal json_format's (for "exact" cases), JSON to binary must succeed
 * (or fail, for "reject" cases); then the oracle judges both results. */
static void run_oracle(const char *set, int count) {
  char dir[] = "/tmp/pg-pbjson-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  char cases[64], results[64], seed_txt[32], count_txt[16];
  snprintf(cases, sizeof cases, "%s/cases", dir);
  snprintf(results, sizeof results, "%s/results", dir);
  snprintf(seed_txt, sizeof seed_txt, "%lu", seed());
  snprintf(count_txt, sizeof count_txt, "%d", count);
  char *gen[] = {
      "/usr/bin/python3", PG_PBJSON_ORACLE, "gen", PG_PBJSON_FDS, (char *)set,
      seed_txt,           count_txt,        cases, NULL};
  pg_proc_result r;
  pg_proc_run(gen, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("oracle gen failed (%d):\n%s", r.status, r.err);
  pg_proc_result_free(&r);

  pg_pbjson *j = load_set(pg_mem_default());
  size_t len;
  char *text = (char *)read_file(cases, &len);
  FILE *out = fopen(results, "w");
  ASSERT_TRUE(out != NULL);
  pg_pbjson_buf json = {0}, pb = {0};
  char err[512];
  int ncases = 0, mismatches = 0;
  for (char *line = text; line < text + len && *line;) {
    char *end = memchr(line, '\n', (size_t)(text + len - line));
    if (end == NULL)
      end = text + len;
    *end = '\0';
    char *f[5];
    f[0] = line;
    for (int i = 1; i < 5; i++) {
      f[i] = strchr(f[i - 1], '\t');
      ASSERT_TRUE(f[i] != NULL);
      *f[i]++ = '\0';
    }
    size_t bin_len, want_len, in_len;
    uint8_t *bin = unhex(f[2], strlen(f[2]), &bin_len);
    uint8_t *want = unhex(f[3], strlen(f[3]), &want_len);
    uint8_t *in = unhex(f[4], strlen(f[4]), &in_len);
    ncases++;
    if (strcmp(f[0], "reject") == 0) {
      int rc = pg_pbjson_from_json(j, f[1], (char *)in, in_len, &pb, err,
                                   sizeof err);
      if (rc == 0)
        PG_FAIL("accepted %s %s", f[1], in);
      ASSERT_TRUE(err[0] != '\0');
      fprintf(out, "ERR\t%s\n", err);
    } else {
      int rc = pg_pbjson_to_json(j, f[1], bin, bin_len, &json, err, sizeof err);
      if (rc != 0)
        PG_FAIL("to_json %s %s: %d %s", f[1], f[2], rc, err);
      ASSERT_EQ(strlen((char *)json.data), json.len);
      if (strcmp(f[0], "exact") == 0 &&
          strcmp((char *)json.data, (char *)want) != 0 && mismatches++ < 5)
        fprintf(stderr, "case %d %s:\n  ours     %s\n  protobuf %s\n",
                ncases - 1, f[1], json.data, want);
      put_hex(out, json.data, json.len);
      rc = pg_pbjson_from_json(j, f[1], (char *)in, in_len, &pb, err,
                               sizeof err);
      if (rc != 0)
        PG_FAIL("from_json %s %s: %d %s", f[1], in, rc, err);
      fputc('\t', out);
      put_hex(out, pb.data, pb.len);
      fputc('\n', out);
    }
    free(bin);
    free(want);
    free(in);
    line = end + 1;
  }
  fclose(out);
  free(text);
  pg_pbjson_buf_free(&json);
  pg_pbjson_buf_free(&pb);
  pg_pbjson_free(j);
  printf("%d cases\n", ncases);
  ASSERT_TRUE(ncases > 0);
  ASSERT_EQ(mismatches, 0);

  char *check[] = {"/usr/bin/python3",
                   PG_PBJSON_ORACLE,
                   "check",
                   PG_PBJSON_FDS,
                   cases,
                   results,
                   NULL};
  pg_proc_run(check, NULL, NULL, &r);
  printf("%s", r.out);
  if (r.status != 0)
    PG_FAIL("the oracle disagrees (%d):\n%s%s", r.status, r.out, r.err);
  ASSERT_CONTAINS(r.out, " passed, 0 failed");
  pg_proc_result_free(&r);
  char rm[96];
  snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
  ASSERT_EQ(system(rm), 0);
}

PG_TEST(pbjson_prints_and_reads_hand_picked_messages_as_json_format) {
  run_oracle("fixed", 0);
}

PG_TEST(pbjson_round_trips_random_messages_as_json_format_does) {
  run_oracle("random", 400);
}

PG_TEST(pbjson_merges_repeated_fields_and_skips_unknown_ones_as_protobuf) {
  run_oracle("merge", 200);
}

PG_TEST(pbjson_refuses_the_json_that_json_format_refuses) {
  run_oracle("reject", 0);
}

/* ---- exact results and messages ----------------------------------------- */

static pg_pbjson *set(void) {
  return load_set(pg_mem_default());
}

/* One conversion and what it must give. */
typedef struct conv_case {
  const char *type; /* the message type */
  const char *in;   /* JSON, or binary as hex */
  int code;         /* 0, or the code the conversion must fail with */
  const char *want; /* the JSON printed, or the failure's message */
} conv_case;

/* JSON in, binary, JSON out: the JSON printed must be c->want. */
static void expect_round(pg_pbjson *j, const conv_case *c) {
  pg_pbjson_buf pb = {0}, out = {0};
  char err[256];
  int rc = pg_pbjson_from_json(j, c->type, c->in, strlen(c->in), &pb, err,
                               sizeof err);
  if (rc != 0)
    PG_FAIL("from_json %s: %d %s", c->in, rc, err);
  rc = pg_pbjson_to_json(j, c->type, pb.data, pb.len, &out, err, sizeof err);
  if (rc != 0)
    PG_FAIL("to_json of %s: %d %s", c->in, rc, err);
  ASSERT_STREQ((char *)out.data, c->want);
  pg_pbjson_buf_free(&pb);
  pg_pbjson_buf_free(&out);
}

/* JSON in: from_json must fail with c->code and the message c->want. */
static void expect_json_error(pg_pbjson *j, const conv_case *c) {
  pg_pbjson_buf pb = {0};
  char err[256] = "unset";
  int rc = pg_pbjson_from_json(j, c->type, c->in, strlen(c->in), &pb, err,
                               sizeof err);
  if (rc != c->code)
    PG_FAIL("from_json %s: %d (%s), want %d", c->in, rc, err, c->code);
  ASSERT_EQ(pb.len, 0);
  ASSERT_STREQ(err, c->want);
  pg_pbjson_buf_free(&pb);
}

/* Binary given as hex: to_json must give c->want as JSON, or fail with
 * c->code and the message c->want. */
static void expect_binary(pg_pbjson *j, const conv_case *c) {
  size_t len;
  uint8_t *pb = unhex(c->in, strlen(c->in), &len);
  pg_pbjson_buf out = {0};
  char err[256] = "unset";
  int rc = pg_pbjson_to_json(j, c->type, pb, len, &out, err, sizeof err);
  if (rc != c->code)
    PG_FAIL("to_json %s: %d (%s), want %d", c->in, rc,
            rc ? err : (char *)out.data, c->code);
  ASSERT_STREQ(rc ? err : (char *)out.data, c->want);
  if (rc != 0)
    ASSERT_EQ(out.len, 0);
  pg_pbjson_buf_free(&out);
  free(pb);
}

/* Checks every case of a table against the test set with @p expect. */
static void run_cases(const conv_case *cases, size_t n,
                      void (*expect)(pg_pbjson *, const conv_case *)) {
  pg_pbjson *j = set();
  for (size_t i = 0; i < n; i++)
    expect(j, &cases[i]);
  pg_pbjson_free(j);
}

#define RUN_CASES(cases, expect)                                               \
  run_cases(cases, sizeof cases / sizeof cases[0], expect)

PG_TEST(pbjson_json_errors_name_the_field_path_and_the_problem) {
  static const conv_case cases[] = {
      {"example.v1.Everything", "{\"user\":{\"age\":\"abc\"}}", PARIGOT_EINVAL,
       "field \"user.age\": expected a number, "
       "got \"abc\""},
      {"example.v1.User", "{\"agee\":1}", PARIGOT_EINVAL,
       "unknown field \"agee\" in example.v1.User"},
      {"example.v1.Everything", "{\"user\":{\"friends\":[{},{\"agee\":1}]}}",
       PARIGOT_EINVAL,
       "field \"user.friends[1]\": unknown field \"agee\" in "
       "example.v1.User"},
      {"example.v1.User", "{\"age\":1.5}", PARIGOT_EINVAL,
       "field \"age\": expected an integer, got 1.5"},
      {"example.v1.User", "{\"age\":\"1.0\"}", PARIGOT_EINVAL,
       "field \"age\": expected an integer, got \"1.0\""},
      {"example.v1.User", "{\"age\":2147483648}", PARIGOT_ERANGE,
       "field \"age\": 2147483648 is out of range for int32"},
      {"example.v1.Scalars", "{\"fUint64\":-1}", PARIGOT_ERANGE,
       "field \"fUint64\": -1 is out of range for uint64"},
      {"example.v1.Scalars", "{\"fInt64\":\"99999999999999999999\"}",
       PARIGOT_ERANGE,
       "field \"fInt64\": \"99999999999999999999\" is out of "
       "range for int64"},
      {"example.v1.Scalars", "{\"fFloat\":1e39}", PARIGOT_ERANGE,
       "field \"fFloat\": 1e39 is out of range for float"},
      {"example.v1.Scalars", "{\"fDouble\":\"nan\"}", PARIGOT_EINVAL,
       "field \"fDouble\": expected a number, got \"nan\""},
      {"example.v1.Scalars", "{\"fBool\":1}", PARIGOT_EINVAL,
       "field \"fBool\": expected true or false, got 1"},
      {"example.v1.Scalars", "{\"fBytes\":\"a*==\"}", PARIGOT_EINVAL,
       "field \"fBytes\": invalid base64 \"a*==\""},
      {"example.v1.Scalars", "{\"fEnum\":\"RED\"}", PARIGOT_EINVAL,
       "field \"fEnum\": unknown value \"RED\" for enum "
       "example.v1.Color"},
      {"example.v1.Maps", "{\"nested\":{\"k\":{\"i32I64\":{\"x\":\"1\"}}}}",
       PARIGOT_EINVAL,
       "field \"nested[k].i32I64[x]\": expected a number, "
       "got \"x\""},
      {"example.v1.Maps", "{\"boolStr\":{\"1\":\"x\"}}", PARIGOT_EINVAL,
       "field \"boolStr[1]\": expected true or false, "
       "got \"1\""},
      {"example.v1.Oneofs", "{\"cInt32\":1,\"cString\":\"x\"}", PARIGOT_EINVAL,
       "field \"cString\": oneof \"choice\" is set twice, by "
       "\"cInt32\" and \"cString\""},
      {"example.v1.User", "{\"name\":\"a\",\"name\":\"b\"}", PARIGOT_EINVAL,
       "field \"name\" of example.v1.User given twice"},
      {"example.v1.Names", "{\"x1\":1,\"x_1\":2}", PARIGOT_EINVAL,
       "field \"x1\" of example.v1.Names given twice"},
      {"example.v1.User", "{\"friends\":[null]}", PARIGOT_EINVAL,
       "field \"friends[0]\": null is not allowed in a "
       "repeated field"},
      {"example.v1.WellKnown", "{\"time\":\"1972-01-01T10:00:20.021\"}",
       PARIGOT_EINVAL,
       "field \"time\": invalid timestamp "
       "\"1972-01-01T10:00:20.021\""},
      {"example.v1.WellKnown", "{\"time\":\"0001-01-01T00:00:00+00:01\"}",
       PARIGOT_ERANGE,
       "field \"time\": timestamp "
       "\"0001-01-01T00:00:00+00:01\" is out of range"},
      {"example.v1.WellKnown", "{\"duration\":\"315576000001s\"}",
       PARIGOT_ERANGE,
       "field \"duration\": duration \"315576000001s\" is out "
       "of range"},
      {"example.v1.WellKnown", "{\"mask\":\"a_b\"}", PARIGOT_EINVAL,
       "field \"mask\": FieldMask \"a_b\" contains '_'"},
      {"example.v1.WellKnown", "{\"any\":{\"name\":1}}", PARIGOT_EINVAL,
       "field \"any\": \"@type\" is missing in "
       "google.protobuf.Any"},
      {"example.v1.WellKnown", "{\"any\":{\"@type\":\"x/no.Such\"}}",
       PARIGOT_EINVAL,
       "field \"any\": Any type \"x/no.Such\" is not in the "
       "descriptor set"},
      {"example.v1.WellKnown",
       "{\"any\":{\"@type\":\"x/google.protobuf.Duration\"}}", PARIGOT_EINVAL,
       "field \"any\": Any of type "
       "\"x/google.protobuf.Duration\" needs a \"value\""},
      {"example.v1.WellKnown",
       "{\"any\":{\"@type\":\"x/example.v1.User\",\"agee\":1}}", PARIGOT_EINVAL,
       "field \"any\": unknown field \"agee\" in "
       "example.v1.User"},
      {"example.v1.WellKnown", "{\"value\":1e999}", PARIGOT_ERANGE,
       "field \"value\": 1e999 is out of range for double"},
      {"example.v1.User", "[]", PARIGOT_EINVAL,
       "expected an object for example.v1.User, got an array"},
      {"example.v1.User", "{\"name\":\"x\"", PARIGOT_EINVAL,
       "invalid JSON at offset 11: expected ',' or '}'"},
      {"example.v1.User", "{\"name\":\"x\"} x", PARIGOT_EINVAL,
       "invalid JSON at offset 13: unexpected data after the "
       "value"},
      {"example.v1.User", "{\"name\":\"\\ud800\"}", PARIGOT_EINVAL,
       "invalid JSON at offset 9: unpaired surrogate in \\u "
       "escape"},
      {"example.v1.User", "{\"name\":\"\xc3\x28\"}", PARIGOT_EINVAL,
       "invalid JSON at offset 9: invalid UTF-8"},
      {"example.v1.User", "{\"name\":\"a\nb\"}", PARIGOT_EINVAL,
       "invalid JSON at offset 10: control character in a "
       "string"},
      {"example.v1.User", "{\"age\":01}", PARIGOT_EINVAL,
       "invalid JSON at offset 8: expected ',' or '}'"},
      {"example.v1.User", "{\"age\":NaN}", PARIGOT_EINVAL,
       "invalid JSON at offset 7: unexpected character"},
      {"example.v1.User", "", PARIGOT_EINVAL,
       "invalid JSON at offset 0: unexpected end of input"},
      {"no.Such", "{}", PARIGOT_ENOENT, "unknown message type \"no.Such\""},
  };
  RUN_CASES(cases, expect_json_error);
}

PG_TEST(pbjson_reads_every_accepted_form_of_a_value) {
  static const conv_case cases[] = {
      /* Integers as numbers or strings, 1.0 and 1e2 as integers. */
      {"example.v1.Scalars",
       "{\"fInt32\":\"-7\",\"fInt64\":12,\"fUint32\":1.0,"
       "\"fUint64\":1e2,\"f_sint32\":\"+3\"}",
       0,
       "{\"fInt32\":-7,\"fInt64\":\"12\",\"fUint32\":1,"
       "\"fUint64\":\"100\",\"fSint32\":3}"},
      /* Floats from strings; float narrows to the nearest float. */
      {"example.v1.Scalars", "{\"fDouble\":\"1e2\",\"fFloat\":\"0.1\"}", 0,
       "{\"fDouble\":100.0,\"fFloat\":0.1}"},
      {"example.v1.Scalars", "{\"fFloat\":3.4028235e38}", 0,
       "{\"fFloat\":3.4028235e+38}"},
      /* Enums by name, number, or number in a string; aliases print first. */
      {"example.v1.Repeated", "{\"rEnum\":[\"COLOR_CRIMSON\",2,\"-3\",42]}", 0,
       "{\"rEnum\":[\"COLOR_RED\",\"COLOR_GREEN\",\"COLOR_BLUE\","
       "42]}"},
      /* Base64: URL-safe, unpadded, padded. */
      {"example.v1.Repeated", "{\"rBytes\":[\"-_8\",\"+/8=\",\"AA\",\"\"]}", 0,
       "{\"rBytes\":[\"+/8=\",\"+/8=\",\"AA==\",\"\"]}"},
      /* Escapes, surrogate pairs, "/" and control characters. */
      {"example.v1.User",
       "{\"name\":\"\\ud83d\\ude00\\/\\u00e9\\b\\u0001\\\"\"}", 0,
       "{\"name\":\"\xf0\x9f\x98\x80/\xc3\xa9\\b\\u0001\\\"\"}"},
      /* null is the default, except for Value and a NullValue with presence. */
      {"example.v1.WellKnown",
       "{\"any\":null,\"value\":null,\"values\":[null],"
       "\"nullValue\":null}",
       0, "{\"value\":null,\"values\":[null]}"},
      {"example.v1.Oneofs", "{\"cNull\":null}", 0, "{\"cNull\":null}"},
      /* Defaults are not printed, presence fields are. */
      {"example.v1.Everything",
       "{\"scalars\":{\"fInt32\":0,\"fString\":\"\"},"
       "\"optionals\":{\"oInt32\":0,\"oString\":\"\"}}",
       0,
       "{\"scalars\":{},\"optionals\":{\"oInt32\":0,"
       "\"oString\":\"\"}}"},
      /* @type may come after the fields; whitespace anywhere. */
      {"google.protobuf.Any",
       " {\n\t\"name\" : \"n\" ,\r\n \"@type\":\"t/example.v1.User\"}", 0,
       "{\"@type\":\"t/example.v1.User\",\"name\":\"n\"}"},
      {"google.protobuf.Timestamp", "\"1972-01-01T10:00:20.021-05:30\"", 0,
       "\"1972-01-01T15:30:20.021Z\""},
      {"google.protobuf.Duration", "\"-0.000001s\"", 0, "\"-0.000001s\""},
  };
  RUN_CASES(cases, expect_round);
}

PG_TEST(pbjson_reads_binary_as_protobuf_parses_it) {
  static const conv_case cases[] = {
      /* Unpacked elements of a packed field, and packed ones of an unpacked. */
      {"example.v1.Repeated", "18011802", 0, "{\"rInt32\":[1,2]}"},
      {"example.v1.Repeated", "9201020304", 0, "{\"rUnpacked\":[3,4]}"},
      /* The last scalar wins; int32 keeps the low 32 bits of the varint. */
      {"example.v1.User", "1001109080808010", 0, "{\"age\":16}"},
      {"example.v1.User", "10ffffffffffffffffff01", 0, "{\"age\":-1}"},
      /* A singular message seen twice is merged. */
      {"example.v1.User", "1a030a01611a021008", 0,
       "{\"bestFriend\":{\"name\":\"a\",\"age\":8}}"},
      /* Oneof: the member seen last wins; a message member seen before another
       * member was cleared by it. */
      {"example.v1.Oneofs", "1a02180108011a022805", 0,
       "{\"cMsg\":{\"fUint32\":5}}"},
      {"example.v1.Oneofs", "0801120268690800", 0, "{\"cInt32\":0}"},
      /* Map: the last value of a key wins, in the place of the first. */
      {"example.v1.Maps", "0a060a01621201310a060a01611201320a060a0162120133", 0,
       "{\"strStr\":{\"b\":\"3\",\"a\":\"2\"}}"},
      /* A map entry without key or value has the defaults. */
      {"example.v1.Maps", "0a0012002a004a00", 0,
       "{\"strStr\":{\"\":\"\"},\"i32I64\":{\"0\":\"0\"},"
       "\"u64Enum\":{\"0\":\"COLOR_UNSPECIFIED\"},"
       "\"f64Msg\":{\"0\":{}}}"},
      /* Unknown fields, groups among them, are skipped. */
      {"example.v1.User", "b8060ac3060801c4060a0178", 0, "{\"name\":\"x\"}"},
      /* Timestamps outside json_format's [0, 1e9) nanos are normalised. */
      {"google.protobuf.Timestamp", "0801108094ebdc03", 0,
       "\"1970-01-01T00:00:02Z\""},
      {"google.protobuf.Timestamp", "10ffffffffffffffffff01", 0,
       "\"1969-12-31T23:59:59.999999999Z\""},
      {"google.protobuf.Timestamp", "1080808080f8ffffffff01", 0,
       "\"1969-12-31T23:59:57.852516352Z\""},
      {"google.protobuf.Empty", "", 0, "{}"},
      {"google.protobuf.Value", "", 0, "null"},
      {"google.protobuf.Value", "1100000000000000002001", 0, "true"},
  };
  RUN_CASES(cases, expect_binary);
}

PG_TEST(pbjson_binary_errors_are_reported_with_the_field) {
  static const conv_case cases[] = {
      {"example.v1.User", "10", PARIGOT_EINVAL,
       "malformed example.v1.User: truncated varint"},
      {"example.v1.User", "0a05616263", PARIGOT_EINVAL,
       "malformed example.v1.User: length runs past the end"},
      {"example.v1.User", "0f", PARIGOT_EINVAL,
       "malformed example.v1.User: invalid wire type"},
      {"example.v1.User", "00", PARIGOT_EINVAL,
       "malformed example.v1.User: field number 0"},
      {"example.v1.User", "0c", PARIGOT_EINVAL,
       "malformed example.v1.User: end-group tag without a group"},
      {"example.v1.User", "bb06", PARIGOT_EINVAL,
       "malformed example.v1.User: unterminated group"},
      {"example.v1.User", "10ffffffffffffffffffff01", PARIGOT_EINVAL,
       "malformed example.v1.User: varint longer than 10 bytes"},
      {"example.v1.User", "0d00000000", PARIGOT_EINVAL,
       "field \"name\": wire type 5 for a string field"},
      {"example.v1.User", "0a01ff", PARIGOT_EINVAL,
       "field \"name\": string is not valid UTF-8"},
      {"example.v1.User", "0a03eda080", PARIGOT_EINVAL,
       "field \"name\": string is not valid UTF-8"},
      {"example.v1.User", "1a0110", PARIGOT_EINVAL,
       "field \"bestFriend\": malformed example.v1.User: "
       "truncated varint"},
      {"example.v1.User", "2200220210ff", PARIGOT_EINVAL,
       "field \"friends[1]\": malformed example.v1.User: "
       "truncated varint"},
      {"example.v1.Repeated", "1a0180", PARIGOT_EINVAL,
       "field \"rInt32\": malformed packed field: truncated varint"},
      {"example.v1.Repeated", "4a03000000", PARIGOT_EINVAL,
       "field \"rFixed32\": malformed packed field: truncated "
       "fixed-width value"},
      {"example.v1.Maps", "0a010a", PARIGOT_EINVAL,
       "field \"strStr\": malformed map entry: truncated varint"},
      {"example.v1.Maps", "0a030a01ff", PARIGOT_EINVAL,
       "field \"strStr\": map key is not valid UTF-8"},
      {"example.v1.Maps", "0a050a016b1005", PARIGOT_EINVAL,
       "field \"strStr\": wire type 0 for a map value"},
      {"example.v1.WellKnown", "0a0b0a09782f6e6f2e53756368", PARIGOT_EINVAL,
       "field \"any\": Any type \"x/no.Such\" is not in the "
       "descriptor set"},
      {"example.v1.WellKnown", "0a021201", PARIGOT_EINVAL,
       "field \"any\": malformed google.protobuf.Any: length runs "
       "past the end"},
      {"example.v1.WellKnown", "1a0d080110ffffffffffffffffff01", PARIGOT_EINVAL,
       "field \"duration\": duration seconds and nanos differ in "
       "sign"},
      {"example.v1.WellKnown", "1a070881bcaece9709", PARIGOT_ERANGE,
       "field \"duration\": duration 315576000001s is out of "
       "range"},
      {"example.v1.WellKnown", "120a08ffffffffffffffff7f", PARIGOT_ERANGE,
       "field \"time\": timestamp 9223372036854775807s is out of "
       "range"},
      {"example.v1.WellKnown", "42050a03615f42", PARIGOT_EINVAL,
       "field \"mask\": FieldMask path \"a_B\" has an upper-case "
       "letter"},
      {"example.v1.WellKnown", "42040a02615f", PARIGOT_EINVAL,
       "field \"mask\": FieldMask path \"a_\" ends in '_'"},
      {"example.v1.WellKnown", "42050a03615f31", PARIGOT_EINVAL,
       "field \"mask\": FieldMask path \"a_1\" has a '_' before a "
       "non-letter"},
      /* A superseded oneof member is still parsed, as protobuf would. */
      {"example.v1.Oneofs", "1a01180801", PARIGOT_EINVAL,
       "field \"cMsg\": malformed example.v1.Scalars: truncated "
       "varint"},
      {"no.Such", "", PARIGOT_ENOENT, "unknown message type \"no.Such\""},
  };
  RUN_CASES(cases, expect_binary);
}

/* A Tree nested @p depth messages deep, as binary (built inside out). */
static uint8_t *deep_tree(int depth, size_t *len) {
  size_t cap = (size_t)depth * 8 + 8, n = 0;
  uint8_t *p = malloc(cap), *tmp = malloc(cap);
  for (int i = 1; i < depth; i++) {
    /* wrap: field 3 (left), length n */
    size_t k = 0;
    tmp[k++] = 0x1a;
    size_t v = n;
    do {
      tmp[k++] = (uint8_t)(v > 0x7f ? (v & 0x7f) | 0x80 : v);
      v >>= 7;
    } while (v);
    memcpy(tmp + k, p, n);
    memcpy(p, tmp, n + k);
    n += k;
  }
  free(tmp);
  *len = n;
  return p;
}

PG_TEST(pbjson_refuses_nesting_deeper_than_100_messages) {
  pg_pbjson *j = set();
  pg_pbjson_buf out = {0}, pb = {0};
  char err[256];
  size_t len;
  uint8_t *p = deep_tree(100, &len);
  ASSERT_EQ(
      pg_pbjson_to_json(j, "example.v1.Tree", p, len, &out, err, sizeof err),
      0);
  free(p);
  ASSERT_EQ(pg_pbjson_from_json(j, "example.v1.Tree", (char *)out.data, out.len,
                                &pb, err, sizeof err),
            0);
  p = deep_tree(101, &len);
  ASSERT_EQ(
      pg_pbjson_to_json(j, "example.v1.Tree", p, len, &out, err, sizeof err),
      PARIGOT_EINVAL);
  ASSERT_CONTAINS(err, "messages nested deeper than 100");
  free(p);
  /* JSON: 100 messages of Tree fit, 101 do not; deep Values count too. */
  char json[2048];
  for (int depth = 100; depth <= 101; depth++) {
    char *o = json;
    for (int i = 1; i < depth; i++)
      o += sprintf(o, "{\"left\":");
    o += sprintf(o, "{}");
    for (int i = 1; i < depth; i++)
      *o++ = '}';
    *o = '\0';
    ASSERT_EQ(pg_pbjson_from_json(j, "example.v1.Tree", json, strlen(json), &pb,
                                  err, sizeof err),
              depth == 100 ? 0 : PARIGOT_EINVAL);
  }
  /* The path is cut short, but the message still says what is wrong. */
  ASSERT_TRUE(strncmp(err, "field \"left.left.left.", 22) == 0);
  ASSERT_CONTAINS(err, "...\": messages nested deeper than 100");
  char deep[4096], *d = deep;
  for (int i = 0; i < 1000; i++)
    *d++ = '[';
  for (int i = 0; i < 1000; i++)
    *d++ = ']';
  ASSERT_EQ(pg_pbjson_from_json(j, "google.protobuf.Value", deep,
                                (size_t)(d - deep), &pb, err, sizeof err),
            PARIGOT_EINVAL);
  ASSERT_CONTAINS(err, "messages nested deeper than 100");
  pg_pbjson_buf_free(&out);
  pg_pbjson_buf_free(&pb);
  pg_pbjson_free(j);
}

/* A message with something of every kind, as binary. */
static const char rich_json[] =
    "{\"scalars\":{\"fDouble\":1.5,\"fFloat\":-2.5,\"fInt32\":-3,"
    "\"fInt64\":\"-4\",\"fUint64\":\"5\",\"fSint32\":-6,\"fFixed32\":7,"
    "\"fSfixed64\":\"-8\",\"fBool\":true,\"fString\":\"s\xc3\xa9\","
    "\"fBytes\":\"AAE=\",\"fEnum\":\"COLOR_BLUE\"},"
    "\"repeated\":{\"rInt32\":[1,-2],\"rString\":[\"a\",\"b\"],"
    "\"rMsg\":[{\"fInt32\":1}],\"rFixed64\":[\"9\"],\"rDouble\":[1.0]},"
    "\"maps\":{\"strStr\":{\"k\":\"v\"},\"i32I64\":{\"-1\":\"2\"},"
    "\"boolStr\":{\"true\":\"t\"},\"values\":{\"v\":[1,\"x\",null]},"
    "\"f64Msg\":{\"3\":{\"fBool\":true}}},"
    "\"oneofs\":{\"cMsg\":{\"fString\":\"o\"},\"oDouble\":2.0},"
    "\"optionals\":{\"oInt32\":0},"
    "\"wkt\":{\"any\":{\"@type\":\"type.googleapis.com/example.v1.User\","
    "\"name\":\"n\"},\"time\":\"2001-02-03T04:05:06.007Z\","
    "\"duration\":\"-1.5s\",\"st\":{\"a\":{\"b\":[true]}},"
    "\"mask\":\"fooBar,x.y\",\"wInt64\":\"3\",\"wString\":\"w\","
    "\"anys\":[{\"@type\":\"type.googleapis.com/google.protobuf.Duration\","
    "\"value\":\"2s\"}]},"
    "\"tree\":{\"label\":\"r\",\"children\":[{\"label\":\"c\"}],"
    "\"named\":{\"x\":{\"left\":{}}}}}";

PG_TEST(pbjson_survives_every_truncation_and_bit_flip_of_its_input) {
  pg_pbjson *j = set();
  pg_pbjson_buf pb = {0}, out = {0};
  char err[256];
  ASSERT_EQ(pg_pbjson_from_json(j, "example.v1.Everything", rich_json,
                                strlen(rich_json), &pb, err, sizeof err),
            0);
  size_t len = pb.len;
  uint8_t *bin = malloc(len), *copy = malloc(len);
  memcpy(bin, pb.data, len);
  int ok = 0, failed = 0;
  /* Each prefix: exactly sized copies, so ASan sees any overread. */
  for (size_t n = 0; n <= len; n++) {
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, bin, n);
    int rc = pg_pbjson_to_json(j, "example.v1.Everything", p, n, &out, err,
                               sizeof err);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_EINVAL || rc == PARIGOT_ERANGE);
    rc == 0 ? ok++ : failed++;
    free(p);
  }
  for (size_t i = 0; i < len; i++) {
    for (int bit = 0; bit < 8; bit++) {
      memcpy(copy, bin, len);
      copy[i] ^= (uint8_t)(1u << bit);
      int rc = pg_pbjson_to_json(j, "example.v1.Everything", copy, len, &out,
                                 err, sizeof err);
      ASSERT_TRUE(rc == 0 || rc == PARIGOT_EINVAL || rc == PARIGOT_ERANGE ||
                  rc == PARIGOT_ENOTSUP);
      if (rc == 0) {
        /* What prints must read back. */
        int back =
            pg_pbjson_from_json(j, "example.v1.Everything", (char *)out.data,
                                out.len, &pb, err, sizeof err);
        if (back != 0)
          PG_FAIL("printed %s but cannot read it: %s", out.data, err);
      }
      rc == 0 ? ok++ : failed++;
    }
  }
  size_t jl = strlen(rich_json);
  for (size_t n = 0; n < jl; n++) {
    char *p = malloc(n ? n : 1);
    memcpy(p, rich_json, n);
    int rc = pg_pbjson_from_json(j, "example.v1.Everything", p, n, &pb, err,
                                 sizeof err);
    ASSERT_EQ(rc, PARIGOT_EINVAL);
    free(p);
  }
  for (size_t i = 0; i < jl; i++) {
    char *p = malloc(jl);
    memcpy(p, rich_json, jl);
    p[i] ^= 0x20;
    int rc = pg_pbjson_from_json(j, "example.v1.Everything", p, jl, &pb, err,
                                 sizeof err);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_EINVAL || rc == PARIGOT_ERANGE);
    free(p);
  }
  printf("%d binaries printed, %d refused\n", ok, failed);
  ASSERT_TRUE(ok > 0 && failed > 0);
  free(bin);
  free(copy);
  pg_pbjson_buf_free(&pb);
  pg_pbjson_buf_free(&out);
  pg_pbjson_free(j);
}

PG_TEST(pbjson_finds_methods_and_keeps_the_first_copy_of_a_file) {
  size_t len;
  uint8_t *fds = read_file(PG_PBJSON_FDS, &len);
  /* The set twice over: protobuf merges it into one list with each file
   * twice; the copies are skipped. */
  uint8_t *twice = malloc(2 * len);
  memcpy(twice, fds, len);
  memcpy(twice + len, fds, len);
  pg_pbjson *j = NULL;
  char err[256];
  ASSERT_EQ(pg_pbjson_new(&j, twice, 2 * len, NULL, err, sizeof err), 0);
  const char *in = NULL, *out = NULL;
  ASSERT_EQ(pg_pbjson_method(j, "example.v1.UserService", 22, "GetUser", 7, &in,
                             &out),
            0);
  ASSERT_STREQ(in, "example.v1.User");
  ASSERT_STREQ(out, "example.v1.Everything");
  ASSERT_EQ(
      pg_pbjson_method(j, "example.v1.UserService", 22, "Ping", 4, &in, &out),
      0);
  ASSERT_STREQ(in, "google.protobuf.Empty");
  ASSERT_EQ(
      pg_pbjson_method(j, "example.v1.UserService", 22, "Pong", 4, &in, &out),
      PARIGOT_ENOENT);
  ASSERT_EQ(
      pg_pbjson_method(j, "example.v1.UserServic", 21, "Ping", 4, &in, &out),
      PARIGOT_ENOENT);
  ASSERT_EQ(
      pg_pbjson_method(j, "example.v1.UserServicex", 23, "Ping", 4, &in, &out),
      PARIGOT_ENOENT);
  pg_pbjson_free(j);
  pg_pbjson_free(NULL);
  free(twice);
  free(fds);
}

/* A FileDescriptorSet of one file, built by hand: @p body is the
 * FileDescriptorProto's fields after its name. */
static size_t one_file(uint8_t *out, const char *name, const uint8_t *body,
                       size_t body_len) {
  size_t n = strlen(name), k = 0;
  size_t file_len = 2 + n + body_len;
  out[k++] = 0x0a;
  out[k++] = (uint8_t)file_len;
  out[k++] = 0x0a;
  out[k++] = (uint8_t)n;
  memcpy(out + k, name, n);
  k += n;
  memcpy(out + k, body, body_len);
  return k + body_len;
}

static void expect_set_error(const uint8_t *fds, size_t len, const char *msg) {
  pg_pbjson *j = (pg_pbjson *)0x1;
  char err[256];
  ASSERT_EQ(pg_pbjson_new(&j, fds, len, NULL, err, sizeof err), PARIGOT_EINVAL);
  ASSERT_TRUE(j == (pg_pbjson *)0x1); /* left as it was */
  ASSERT_STREQ(err, msg);
}

PG_TEST(pbjson_refuses_malformed_or_inconsistent_descriptor_sets) {
  uint8_t fds[256];
  /* message M { N f = 1; } where N is nowhere. */
  static const uint8_t unresolved[] = {0x22, 0x11, 0x0a, 0x01, 'M',  0x12, 0x0c,
                                       0x0a, 0x01, 'f',  0x18, 0x01, 0x20, 0x01,
                                       0x28, 0x0b, 0x32, 0x01, 'N'};
  size_t n = one_file(fds, "a.proto", unresolved, sizeof unresolved);
  expect_set_error(fds, n,
                   "descriptor set: field M.f: type name \"N\" is "
                   "not fully qualified");
  /* message M { int32 f = 0; } */
  static const uint8_t zero[] = {0x22, 0x0e, 0x0a, 0x01, 'M',  0x12,
                                 0x09, 0x0a, 0x01, 'f',  0x18, 0x00,
                                 0x28, 0x05, 0x20, 0x01};
  n = one_file(fds, "a.proto", zero, sizeof zero);
  expect_set_error(fds, n,
                   "descriptor set: a.proto: field M.f: missing or "
                   "invalid number, label or type");
  /* message M {} twice in two files. */
  static const uint8_t m[] = {0x22, 0x03, 0x0a, 0x01, 'M'};
  n = one_file(fds, "a.proto", m, sizeof m);
  n += one_file(fds + n, "b.proto", m, sizeof m);
  expect_set_error(fds, n, "descriptor set: type M defined twice");
  /* The same file twice is fine: the second is skipped. */
  n = one_file(fds, "a.proto", m, sizeof m);
  n += one_file(fds + n, "a.proto", m, sizeof m);
  pg_pbjson *j = NULL;
  char err[256];
  ASSERT_EQ(pg_pbjson_new(&j, fds, n, NULL, err, sizeof err), 0);
  pg_pbjson_free(j);
  /* A name with a quote in it. */
  static const uint8_t bad_name[] = {0x22, 0x03, 0x0a, 0x01, '"'};
  n = one_file(fds, "a.proto", bad_name, sizeof bad_name);
  expect_set_error(fds, n,
                   "descriptor set: a.proto: a message without a "
                   "valid name in \"\"");
  /* google.protobuf.Timestamp of the wrong shape. */
  static const uint8_t ts[] = {0x12, 0x0f, 'g',  'o',  'o',  'g', 'l', 'e',
                               '.',  'p',  'r',  'o',  't',  'o', 'b', 'u',
                               'f',  0x22, 0x0b, 0x0a, 0x09, 'T', 'i', 'm',
                               'e',  's',  't',  'a',  'm',  'p'};
  n = one_file(fds, "t.proto", ts, sizeof ts);
  expect_set_error(fds, n,
                   "descriptor set: well-known type "
                   "google.protobuf.Timestamp has an unexpected "
                   "shape");
  /* Every prefix of the real set either loads or is refused cleanly. */
  size_t len;
  uint8_t *real = read_file(PG_PBJSON_FDS, &len);
  int loaded = 0;
  for (size_t k = 0; k < len; k += 7) {
    uint8_t *p = malloc(k ? k : 1);
    memcpy(p, real, k);
    j = NULL;
    int rc = pg_pbjson_new(&j, p, k, NULL, err, sizeof err);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_EINVAL);
    if (rc == 0) {
      loaded++;
      pg_pbjson_free(j);
    } else {
      ASSERT_TRUE(strncmp(err, "descriptor set: ", 16) == 0);
    }
    free(p);
  }
  ASSERT_TRUE(loaded > 0);
  free(real);
}

/* Fails the i-th allocation for every i: each call returns 0 or
 * PARIGOT_ENOMEM, and nothing leaks. */
PG_TEST(pbjson_allocation_failures_are_reported_and_leak_nothing) {
  size_t len;
  uint8_t *fds = read_file(PG_PBJSON_FDS, &len);
  pg_pbjson *good = set();
  pg_pbjson_buf pb = {0};
  char err[256];
  ASSERT_EQ(pg_pbjson_from_json(good, "example.v1.Everything", rich_json,
                                strlen(rich_json), &pb, err, sizeof err),
            0);
  bool done_new = false, done_to = false, done_from = false;
  for (long i = 0; !(done_new && done_to && done_from); i++) {
    counter c = {0, 0, i, 0};
    pg_mem mem = counting_mem(&c);
    pg_pbjson *j = NULL;
    int rc = pg_pbjson_new(&j, fds, len, &mem, err, sizeof err);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_ENOMEM);
    if (rc == 0) {
      done_new = true;
      pg_pbjson_free(j);
    }
    ASSERT_EQ(c.live, 0);
    /* Conversions with a pg_pbjson that allocates through mem. */
    counter c2 = {0, 0, -1, 0};
    pg_mem mem2 = counting_mem(&c2);
    ASSERT_EQ(pg_pbjson_new(&j, fds, len, &mem2, err, sizeof err), 0);
    long base = c2.calls;
    c2.fail_at = base + i;
    pg_pbjson_buf out = {0};
    rc = pg_pbjson_to_json(j, "example.v1.Everything", pb.data, pb.len, &out,
                           err, sizeof err);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_ENOMEM);
    if (rc == PARIGOT_ENOMEM)
      ASSERT_CONTAINS(err, "out of memory");
    done_to |= rc == 0;
    pg_pbjson_buf_free(&out);
    c2.fail_at = c2.calls + i;
    rc = pg_pbjson_from_json(j, "example.v1.Everything", rich_json,
                             strlen(rich_json), &out, err, sizeof err);
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_ENOMEM);
    done_from |= rc == 0;
    pg_pbjson_buf_free(&out);
    pg_pbjson_free(j);
    ASSERT_EQ(c2.live, 0);
    ASSERT_TRUE(i < 100000);
  }
  pg_pbjson_buf_free(&pb);
  pg_pbjson_free(good);
  free(fds);
}

PG_TEST(pbjson_buffers_are_reused_and_json_is_nul_terminated) {
  pg_pbjson *j = set();
  pg_pbjson_buf out = {0};
  char err[64];
  ASSERT_EQ(
      pg_pbjson_to_json(j, "example.v1.User", NULL, 0, &out, err, sizeof err),
      0);
  ASSERT_EQ(out.len, 2);
  ASSERT_STREQ((char *)out.data, "{}");
  uint8_t *first = out.data;
  static const uint8_t ada[] = {0x0a, 0x03, 'A', 'd', 'a'};
  ASSERT_EQ(
      pg_pbjson_to_json(j, "example.v1.User", ada, sizeof ada, &out, NULL, 0),
      0);
  ASSERT_TRUE(out.data == first);
  ASSERT_STREQ((char *)out.data, "{\"name\":\"Ada\"}");
  /* A failure leaves the buffer empty but still owned. */
  ASSERT_EQ(pg_pbjson_to_json(j, "example.v1.User", ada, 3, &out, NULL, 0),
            PARIGOT_EINVAL);
  ASSERT_EQ(out.len, 0);
  pg_pbjson_buf_free(&out);
  ASSERT_TRUE(out.data == NULL);
  pg_pbjson_buf_free(&out);
  pg_pbjson_buf_free(NULL);
  pg_pbjson_free(j);
}
