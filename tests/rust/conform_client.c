/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/rust/conform_client.c: a C program calling a Rust
 * conform.v1.Conformance service, one scenario per run ($SCENARIO), each
 * printing what it saw on stdout and exiting 0:
 *   unimplemented  Missing, which the Rust service leaves unimplemented;
 *   fail           Fail, with the code, app error and message asked for;
 *   deadline       Hold past a 50 ms deadline, then Deadline's time left;
 *   echo           Echo of awkward values: the same bytes come back;
 *   died           Nothing, which kills the service: UNAVAILABLE and DIED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform/v1/conform.pg.h"
#include "parigot/guest.h"

static int pending; /* answers (and DIED events) still awaited */

static void one_done(void) {
  if (--pending == 0)
    parigot_exit(0);
}

static void failed(void *ctx, const parigot_status *st) {
  printf("%s: code %u app_error %d: %s\n", (const char *)ctx,
         (unsigned)st->code, (int)st->app_error, st->message);
  one_done();
}

static void empty_ok(void *ctx, const conform_v1_Empty *r) {
  (void)r;
  printf("%s: ok\n", (const char *)ctx);
  one_done();
}

static void deadline_ok(void *ctx, const conform_v1_DeadlineResponse *r) {
  (void)ctx;
  unsigned long long ms = (unsigned long long)r->time_left_ms;
  printf("Deadline: time left %s\n",
         ms > 0 && ms <= 2000 ? "in (0, 2000] ms" : "wrong");
  one_done();
}

static conform_v1_EchoRequest echo_req;
static conform_v1_Nested echo_nested, echo_child;
static int64_t numbers[] = {-1, 0, 300, INT64_MIN};
static int64_t values[] = {-5, 5};
static parigot_pb_bytes names[] = {{(uint8_t *)"x", 1}, {(uint8_t *)"", 0}};
static conform_v1_EchoRequest_TagsEntry tags[] = {
    {{(uint8_t *)"a", 1}, -7, {0}}, {{(uint8_t *)"b", 1}, 0, {0}}};

static void fill_echo(void) {
  conform_v1_EchoRequest *q = &echo_req;
  conform_v1_EchoRequest_init(q);
  q->text.data = (uint8_t *)"h\xc3\xa9llo";
  q->text.len = 6;
  q->data.data = (uint8_t *)"\0\1\2";
  q->data.len = 3;
  q->numbers = numbers;
  q->numbers_count = 4;
  conform_v1_Nested_init(&echo_nested);
  conform_v1_Nested_init(&echo_child);
  echo_nested.name.data = (uint8_t *)"n";
  echo_nested.name.len = 1;
  echo_nested.values = values;
  echo_nested.values_count = 2;
  echo_nested.child = &echo_child;
  q->nested = &echo_nested;
  q->tags = tags;
  q->tags_count = 2;
  q->has_flag = true;
  q->flag = false;
  q->kind = conform_v1_KIND_NEGATIVE;
  q->choice_case = conform_v1_EchoRequest_count_FIELD;
  q->choice.count = 0;
  q->ratio = -0.0;
  q->names = names;
  q->names_count = 2;
  q->stamp = 0xfedcba9876543210ull;
  q->level = 1.5f;
}

static void echo_ok(void *ctx, const conform_v1_EchoResponse *r) {
  (void)ctx;
  uint8_t a[512], b[512];
  int64_t na = conform_v1_EchoRequest_encode(&echo_req, a, sizeof a);
  int64_t nb =
      r->echo ? conform_v1_EchoRequest_encode(r->echo, b, sizeof b) : -1;
  printf("Echo: %s bytes, caller %.*s\n",
         na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0 ? "same" : "other",
         (int)r->caller.len, (const char *)r->caller.data);
  one_done();
}

static void died(const parigot_pb_service_desc *s, const char *why) {
  printf("died: %s: %s\n", s->full_name, why);
  one_done();
}

void parigot_guest_declare(void) {
  conform_v1_Conformance_require();
}

void parigot_guest_start(void) {
  const char *s = getenv("SCENARIO");
  conform_v1_Empty empty;
  conform_v1_Empty_init(&empty);
  if (s == NULL)
    s = "";
  if (strcmp(s, "unimplemented") == 0) {
    pending = 1;
    conform_v1_Conformance_Missing(&empty, empty_ok, failed, "Missing");
  } else if (strcmp(s, "fail") == 0) {
    conform_v1_FailRequest f;
    conform_v1_FailRequest_init(&f);
    f.code = PARIGOT_CODE_UNKNOWN;
    f.app_error = conform_v1_CONFORM_ERROR_ASKED;
    f.message.data = (uint8_t *)"asked to fail";
    f.message.len = strlen("asked to fail");
    pending = 1;
    conform_v1_Conformance_Fail(&f, empty_ok, failed, "Fail");
  } else if (strcmp(s, "deadline") == 0) {
    pending = 2;
    parigot_next_call_timeout(50000000);
    conform_v1_Conformance_Hold(&empty, empty_ok, failed, "Hold");
    parigot_next_call_timeout(2000000000);
    conform_v1_Conformance_Deadline(&empty, deadline_ok, failed, "Deadline");
  } else if (strcmp(s, "echo") == 0) {
    pending = 1;
    fill_echo();
    conform_v1_Conformance_Echo(&echo_req, echo_ok, failed, "Echo");
  } else if (strcmp(s, "died") == 0) {
    pending = 2;
    parigot_on_required_died(died);
    conform_v1_Conformance_Nothing(&empty, empty_ok, failed, "Nothing");
  } else {
    printf("no such scenario: %s\n", s);
    parigot_exit(2);
  }
}
