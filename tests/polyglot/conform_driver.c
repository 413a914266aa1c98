/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/polyglot/conform_driver.c: the conformance suite's caller. It
 * makes the same calls to whichever conform.v1.Conformance the app runs
 * (C, Rust or AssemblyScript) and prints one line per case: the answer
 * re-encoded in hex, or the failure's code, app error and message. The
 * test runs it against each implementation and compares the printouts
 * byte for byte; the driver also checks what it can on its own (an echo
 * equals its request, a failure is the one asked for) and exits 1 when a
 * check fails, naming the case.
 *
 * Cases run one after another, each started from the answer to the one
 * before, so the printout has one order in every mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform/v1/conform.pg.h"
#include "parigot/guest.h"

static int failures;
static size_t step;
static void next_case(void);

static void check(bool ok, const char *name, const char *what) {
  if (!ok) {
    printf("%s: CHECK FAILED: %s\n", name, what);
    failures++;
  }
}

/* Prints the C encoding of @p m: equal values print equal lines. */
static void print_hex(const char *name, const parigot_pb_message_desc *d,
                      const void *m) {
  size_t len = parigot_pb_encoded_size(d, m);
  uint8_t *buf = malloc(len + 1);
  if (buf == NULL || parigot_pb_encode(d, m, buf, len) < 0) {
    printf("%s: cannot encode\n", name);
    failures++;
    free(buf);
    return;
  }
  printf("%s: ok %zu bytes ", name, len);
  for (size_t i = 0; i < len && i < 512; i++)
    printf("%02x", buf[i]);
  printf("%s\n", len > 512 ? "..." : "");
  free(buf);
}

static void print_failure(const char *name, const parigot_status *st) {
  printf("%s: status %u app_error %d \"%s\"\n", name, (unsigned)st->code,
         (int)st->app_error, st->message);
}

/* ---- what a case expects ---------------------------------------------- */

typedef struct expect {
  const char *name;
  uint32_t code; /* 0: an answer */
  int32_t app_error;
  const char *message; /* NULL: any */
  const void *sent;    /* Echo: the request the echo must equal */
} expect;

static void failed(void *ctx, const parigot_status *st) {
  const expect *e = ctx;
  print_failure(e->name, st);
  check(st->code == e->code, e->name, "the status code asked for");
  check(st->app_error == e->app_error, e->name, "the app error asked for");
  check(e->message == NULL || strcmp(st->message, e->message) == 0, e->name,
        "the message asked for");
  next_case();
}

static bool same_encoding(const parigot_pb_message_desc *d, const void *a,
                          const void *b) {
  size_t la = parigot_pb_encoded_size(d, a), lb = parigot_pb_encoded_size(d, b);
  uint8_t *ba = malloc(la + 1), *bb = malloc(lb + 1);
  bool same = ba && bb && la == lb && parigot_pb_encode(d, a, ba, la) >= 0 &&
              parigot_pb_encode(d, b, bb, lb) >= 0 && memcmp(ba, bb, la) == 0;
  free(ba);
  free(bb);
  return same;
}

/* The request as a service decodes it: unknown fields dropped, map
 * entries sorted by key. */
static bool decode_sent(const conform_v1_EchoRequest *sent,
                        conform_v1_EchoRequest *out) {
  size_t len = conform_v1_EchoRequest_encoded_size(sent);
  uint8_t *buf = malloc(len + 1);
  conform_v1_EchoRequest_init(out);
  bool ok = buf && conform_v1_EchoRequest_encode(sent, buf, len) >= 0 &&
            conform_v1_EchoRequest_decode(out, buf, len, NULL) == 0;
  free(buf);
  return ok;
}

static void echoed(void *ctx, const conform_v1_EchoResponse *r) {
  const expect *e = ctx;
  print_hex(e->name, &conform_v1_EchoResponse_desc, r);
  check(e->code == 0, e->name, "a failure");
  check(strcmp((const char *)r->caller.data, "driver") == 0, e->name,
        "the caller's name");
  conform_v1_EchoRequest empty, known;
  conform_v1_EchoRequest_init(&empty);
  check(decode_sent(e->sent, &known), e->name, "the request decodes");
  check(r->echo != NULL && r->echo->_unknown.len == 0, e->name,
        "an echo without unknown fields");
  check(same_encoding(&conform_v1_EchoRequest_desc, r->echo ? r->echo : &empty,
                      &known),
        e->name, "the echo equals the request");
  conform_v1_EchoRequest_free(&known, NULL);
  next_case();
}

static void empty_answered(void *ctx, const conform_v1_Empty *r) {
  const expect *e = ctx;
  print_hex(e->name, &conform_v1_Empty_desc, r);
  check(e->code == 0, e->name, "a failure");
  next_case();
}

static void deadline_answered(void *ctx, const conform_v1_DeadlineResponse *r) {
  const expect *e = ctx;
  print_hex(e->name, &conform_v1_DeadlineResponse_desc, r);
  /* Asked with 250ms: some of it is spent on the way, not more. */
  check(r->time_left_ms <= 250 && r->time_left_ms >= 150, e->name,
        "time left within the deadline given");
  next_case();
}

static uint32_t big_size;
static uint32_t big_seed;

static void big_answered(void *ctx, const conform_v1_BigResponse *r) {
  const expect *e = ctx;
  uint32_t h = 2166136261u;
  bool pattern = r->data.len == big_size;
  for (size_t i = 0; i < r->data.len; i++) {
    pattern = pattern && r->data.data[i] == (uint8_t)(i * 31u + big_seed);
    h = (h ^ r->data.data[i]) * 16777619u;
  }
  printf("%s: ok %zu bytes of data, fnv1a %08x\n", e->name, r->data.len,
         (unsigned)r->fnv1a);
  check(e->code == 0, e->name, "a failure");
  check(pattern, e->name, "the data asked for");
  check(h == r->fnv1a, e->name, "the data's FNV-1a");
  next_case();
}

/* ---- the cases -------------------------------------------------------- */

static conform_v1_Nested leaf = {
    .name = {(uint8_t *)"leaf", 4},
};
static int64_t numbers[] = {0, 1, -1, 300, -300, INT64_MAX, INT64_MIN};
static int64_t nested_values[] = {-2, 2, INT64_MIN, INT64_MAX};
#define NESTED_NAME "nested \xc3\xa9t\xc3\xa9 \xe6\x97\xa5"
#define TEXT "h\xc3\xa9llo, \xf0\x9f\x8c\x8d"
static conform_v1_Nested nested = {
    .name = {(uint8_t *)NESTED_NAME, sizeof NESTED_NAME - 1},
    .values_count = 4,
    .values = nested_values,
    .child = &leaf,
};
static conform_v1_EchoRequest_TagsEntry tags[] = {
    {{(uint8_t *)"zeta", 4}, -1, {0}},
    {{(uint8_t *)"alpha", 5}, 1, {0}},
    {{(uint8_t *)"", 0}, 0, {0}},
    {{(uint8_t *)"mid", 3}, 2147483647, {0}},
};
static parigot_pb_bytes names[] = {
    {(uint8_t *)"", 0}, {(uint8_t *)"b", 1}, {(uint8_t *)"a", 1}};
static uint8_t data[] = {0, 1, 2, 0xff, 0, 0x80};
static conform_v1_EchoRequest full;
static conform_v1_EchoRequest with_unknown;
static conform_v1_EchoRequest bad_utf8;
static conform_v1_EchoRequest bad_bytes;
static conform_v1_EchoRequest empty_req;
static conform_v1_EchoRequest huge;

/* After the known fields: field 100 varint, 101 bytes, 102 fixed32,
 * 103 fixed64, a group-free mix every decoder must skip. */
static uint8_t unknown_fields[] = {
    0xa0, 0x06, 0x96, 0x01,                        /* 100: 150 */
    0xaa, 0x06, 0x03, 'x',  'y', 'z',              /* 101: "xyz" */
    0xb5, 0x06, 1,    2,    3,   4,                /* 102: fixed32 */
    0xb9, 0x06, 1,    2,    3,   4,   5, 6, 7, 8}; /* 103: fixed64 */
/* A varint cut short: no decoder may accept it. */
static uint8_t truncated[] = {0x18, 0xff};

static void build_requests(void) {
  conform_v1_EchoRequest_init(&full);
  full.text.data = (uint8_t *)TEXT;
  full.text.len = sizeof TEXT - 1;
  full.data.data = data;
  full.data.len = sizeof data;
  full.numbers_count = sizeof numbers / sizeof numbers[0];
  full.numbers = numbers;
  full.nested = &nested;
  full.tags_count = sizeof tags / sizeof tags[0];
  full.tags = tags;
  full.has_flag = true;
  full.flag = false;
  full.kind = conform_v1_KIND_NEGATIVE;
  full.choice_case = conform_v1_EchoRequest_word_FIELD;
  full.choice.word.data = (uint8_t *)"oneof";
  full.choice.word.len = 5;
  full.ratio = -0.0;
  full.names_count = 3;
  full.names = names;
  full.stamp = UINT64_MAX;
  full.level = 1.5f;

  conform_v1_EchoRequest_init(&with_unknown);
  with_unknown.choice_case = conform_v1_EchoRequest_count_FIELD;
  with_unknown.choice.count = 0;
  with_unknown.ratio = 0.25;
  with_unknown._unknown.data = unknown_fields;
  with_unknown._unknown.len = sizeof unknown_fields;

  conform_v1_EchoRequest_init(&bad_utf8);
  bad_utf8.text.data = (uint8_t *)"\xff\xfe";
  bad_utf8.text.len = 2;

  conform_v1_EchoRequest_init(&bad_bytes);
  bad_bytes._unknown.data = truncated;
  bad_bytes._unknown.len = sizeof truncated;

  conform_v1_EchoRequest_init(&empty_req);
  conform_v1_EchoRequest_init(&huge);
}

static void echo(const expect *e, const conform_v1_EchoRequest *req) {
  conform_v1_Conformance_Echo(req, echoed, failed, (void *)e);
}

static void ask_fail(const expect *e) {
  conform_v1_FailRequest req;
  conform_v1_FailRequest_init(&req);
  req.code = e->code;
  req.app_error = e->app_error;
  req.message.data = (uint8_t *)e->message;
  req.message.len = strlen(e->message);
  conform_v1_Conformance_Fail(&req, NULL, failed, (void *)e);
}

static void big(const expect *e, uint32_t size, uint32_t seed) {
  conform_v1_BigRequest req;
  conform_v1_BigRequest_init(&req);
  big_size = req.size = size;
  big_seed = req.seed = seed;
  conform_v1_Conformance_Big(&req, big_answered, failed, (void *)e);
}

static const conform_v1_Empty nothing_req;

static const expect cases[] = {
    {"echo every field kind", 0, 0, NULL, &full},
    {"echo an empty request", 0, 0, NULL, &empty_req},
    {"echo drops unknown fields", 0, 0, NULL, &with_unknown},
    {"echo of bad UTF-8 is refused", PARIGOT_CODE_INVALID_ARGUMENT, 0,
     "cannot decode the request", &bad_utf8},
    {"echo of a cut varint is refused", PARIGOT_CODE_INVALID_ARGUMENT, 0,
     "cannot decode the request", &bad_bytes},
    {"echo of 3 MiB", 0, 0, NULL, &huge},
    {"echo of 5 MiB is too big to send", PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
     NULL, &huge},
    {"fail with an app error", PARIGOT_CODE_UNKNOWN,
     conform_v1_CONFORM_ERROR_ASKED, "asked to fail", NULL},
    {"fail with not found", PARIGOT_CODE_NOT_FOUND, 0, "no such thing", NULL},
    {"fail with no message", PARIGOT_CODE_INVALID_ARGUMENT, 0, "", NULL},
    {"fail with a negative app error", PARIGOT_CODE_UNKNOWN, -5, "negative",
     NULL},
    {"hold until the deadline", PARIGOT_CODE_DEADLINE_EXCEEDED, 0, NULL, NULL},
    {"deadline seen by the service", 0, 0, NULL, NULL},
    {"big answer of 1 MiB", 0, 0, NULL, NULL},
    {"big answer of 0 bytes", 0, 0, NULL, NULL},
    {"big answer past the message limit", PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
     NULL, NULL},
    {"nothing in, nothing out", 0, 0, NULL, NULL},
    {"missing method", PARIGOT_CODE_UNIMPLEMENTED, 0, NULL, NULL},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static uint8_t *huge_data;

static void next_case(void) {
  if (step == NCASES) {
    printf("%d checks failed\n", failures);
    parigot_exit(failures ? 1 : 0);
  }
  const expect *e = &cases[step++];
  switch (step - 1) {
  case 0:
  case 1:
  case 2:
  case 3:
  case 4:
    echo(e, e->sent);
    break;
  case 5:
  case 6:
    huge.data.len = step - 1 == 5 ? 3u << 20 : 5u << 20;
    huge.data.data = huge_data;
    echo(e, &huge);
    break;
  case 7:
  case 8:
  case 9:
  case 10:
    ask_fail(e);
    break;
  case 11:
    parigot_next_call_timeout(50 * 1000000ull);
    conform_v1_Conformance_Hold(&nothing_req, empty_answered, failed,
                                (void *)e);
    break;
  case 12:
    parigot_next_call_timeout(250 * 1000000ull);
    conform_v1_Conformance_Deadline(&nothing_req, deadline_answered, failed,
                                    (void *)e);
    break;
  case 13:
    big(e, 1u << 20, 7);
    break;
  case 14:
    big(e, 0, 9);
    break;
  case 15:
    big(e, 5u << 20, 3);
    break;
  case 16:
    conform_v1_Conformance_Nothing(&nothing_req, empty_answered, failed,
                                   (void *)e);
    break;
  default:
    conform_v1_Conformance_Missing(&nothing_req, empty_answered, failed,
                                   (void *)e);
    break;
  }
}

void parigot_guest_declare(void) {
  conform_v1_Conformance_require();
}

void parigot_guest_start(void) {
  build_requests();
  huge_data = malloc(5u << 20);
  if (huge_data == NULL)
    parigot_exit(70);
  for (uint32_t i = 0; i < (5u << 20); i++)
    huge_data[i] = (uint8_t)(i * 7u);
  next_case();
}
