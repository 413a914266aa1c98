/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/testlib/c_checks.c: a C test program that fails each kind of check
 * of include/parigot/testing.h on purpose, picked by its SCENARIO
 * (c_checks.toml and c_async.toml in tests/testlib/manifests), and one
 * that passes them all.
 * test_testlib.c finds each failing line by the marker comment on it
 * (@int, @str...) and expects that line in the report.
 */
#include <stdlib.h>
#include <string.h>

#include "parigot/guest.h"
#include "parigot/testing.h"
#include "testlib/v1/order.pg.h"

static const char *scenario(void) {
  const char *s = getenv("SCENARIO");
  return s != NULL ? s : "";
}

/* The timers need parigot.test.v1.Test: only the scenarios of
 * c_async.toml require it. */
void parigot_guest_declare(void) {
  static const char *const timers[] = {"sleep", "deadline", "deadline_met",
                                       "expect_fail_ok"};
  for (size_t i = 0; i < sizeof timers / sizeof *timers; i++)
    if (strcmp(scenario(), timers[i]) == 0)
      parigot_testing_require();
}

/* An order built by hand: two items, a label, paid by voucher. */
static void fill(testlib_v1_Order *o, testlib_v1_Item items[2],
                 testlib_v1_Order_LabelsEntry *label, testlib_v1_Address *to) {
  testlib_v1_Order_init(o);
  o->customer = (parigot_pb_bytes){(uint8_t *)"ada", 3};
  for (int i = 0; i < 2; i++) {
    testlib_v1_Item_init(&items[i]);
    items[i].sku = (parigot_pb_bytes){(uint8_t *)(i ? "B-2" : "A-1"), 3};
    items[i].quantity = i + 1;
  }
  o->items = items;
  o->items_count = 2;
  o->state = testlib_v1_STATE_OPEN;
  testlib_v1_Order_LabelsEntry_init(label);
  label->key = (parigot_pb_bytes){(uint8_t *)"tier", 4};
  label->value = 2;
  o->labels = label;
  o->labels_count = 1;
  o->payment_case = testlib_v1_Order_voucher_FIELD;
  o->payment.voucher = 7;
  testlib_v1_Address_init(to);
  to->city = (parigot_pb_bytes){(uint8_t *)"Lyon", 4};
  o->ship_to = to;
}

/* Each message scenario changes one thing in the second order. */
static void msg_scenario(const char *s) {
  testlib_v1_Order a, b;
  testlib_v1_Item ia[2], ib[2];
  testlib_v1_Order_LabelsEntry la, lb;
  testlib_v1_Address ta, tb;
  fill(&a, ia, &la, &ta);
  fill(&b, ib, &lb, &tb);
  if (strcmp(s, "msg_items") == 0) {
    ib[1].quantity = 3;
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_items */
  } else if (strcmp(s, "msg_count") == 0) {
    b.items_count = 1;
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_count */
  } else if (strcmp(s, "msg_map") == 0) {
    lb.value = 3;
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_map */
  } else if (strcmp(s, "msg_oneof") == 0) {
    b.payment_case = testlib_v1_Order_card_FIELD;
    b.payment.card = (parigot_pb_bytes){(uint8_t *)"4242", 4};
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_oneof */
  } else if (strcmp(s, "msg_enum") == 0) {
    b.state = testlib_v1_STATE_PAID;
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_enum */
  } else if (strcmp(s, "msg_optional") == 0) {
    b.has_discount = true;
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_optional */
  } else if (strcmp(s, "msg_sub") == 0) {
    tb.city = (parigot_pb_bytes){(uint8_t *)"Lille", 5};
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_sub */
  } else if (strcmp(s, "msg_absent") == 0) {
    b.ship_to = NULL;
    PARIGOT_ASSERT_MSG_EQ(&testlib_v1_Order_desc, &a, &b); /* @msg_absent */
  } else {
    /* A decoded copy equals the order it came from. */
    uint8_t buf[256];
    int64_t n = testlib_v1_Order_encode(&a, buf, sizeof buf);
    PARIGOT_ASSERT_GT(n, 0);
    testlib_v1_Order c;
    testlib_v1_Order_init(&c);
    PARIGOT_ASSERT_EQ(testlib_v1_Order_decode(&c, buf, (size_t)n, NULL), 0);
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &a, &c);
    PARIGOT_EXPECT_MSG_EQ(&testlib_v1_Order_desc, &c, &b);
    testlib_v1_Order_free(&c, NULL);
  }
}

/* Every check holding: the test passes. */
static void all_pass(void) {
  int total = 350;
  size_t count = 3;
  const char *name = "bob";
  parigot_pb_bytes field = {(uint8_t *)"bob", 3};
  uint8_t x[] = {1, 2, 3}, y[] = {1, 2, 3};
  PARIGOT_EXPECT_EQ(total, 350);
  PARIGOT_EXPECT_EQ(count, 3);
  PARIGOT_EXPECT_LT(-1, count); /* by value, not C's conversions */
  PARIGOT_EXPECT_GT(count, -1);
  PARIGOT_EXPECT_LE(total, 350u);
  PARIGOT_EXPECT_GE(2.5, 2);
  PARIGOT_EXPECT_NE(total, 351);
  PARIGOT_EXPECT_EQ(name, "bob");
  PARIGOT_EXPECT_EQ(field, "bob");
  PARIGOT_EXPECT_EQ(field, name);
  PARIGOT_EXPECT_LT("abc", "abd");
  PARIGOT_EXPECT_EQ(true, total == 350);
  PARIGOT_EXPECT_TRUE(count == 3);
  PARIGOT_EXPECT_FALSE(count == 4);
  PARIGOT_EXPECT_BYTES_EQ(x, sizeof x, y, sizeof y);
  PARIGOT_ASSERT_EQ(parigot_testing_failures(), 0u);
  msg_scenario("msg_equal");
}

/* ---- asynchronous scenarios ------------------------------------------- */

static uint64_t t0;

/* A timer of @p ns set just after t0 fired @p elapsed after t0: on time
 * give or take the clock's own ticks (each reading of the deterministic
 * clock moves it by 1 us); test_testlib.c checks the exact value is the
 * same on every run. */
static void on_time(uint64_t elapsed, uint64_t ns) {
  PARIGOT_EXPECT_GE(elapsed, ns);
  PARIGOT_EXPECT_LT(elapsed, ns + 20000);
}

static void slept(void *ctx, const void *value) {
  const uint64_t *now = value;
  (void)ctx;
  on_time(*now - t0, 2000000);
  PARIGOT_EXPECT_GT(parigot_now(), *now);
  parigot_log(PARIGOT_INFO, "slept 2ms: answered after %llu ns",
              (unsigned long long)(*now - t0));
  parigot_exit(0);
}

static void deadline_failed(void *ctx, const parigot_status *st) {
  uint64_t elapsed = parigot_now() - t0;
  (void)ctx;
  parigot_log(PARIGOT_INFO, "deadline: %s (%s) after %llu ns",
              parigot_testing_code_name(st->code), st->message,
              (unsigned long long)elapsed);
  PARIGOT_EXPECT_EQ(st->code, PARIGOT_CODE_DEADLINE_EXCEEDED);
  on_time(elapsed, 5000000);
  parigot_exit(0);
}

static void deadline_met(void *ctx, const void *value) {
  uint64_t elapsed = parigot_now() - t0;
  (void)ctx;
  (void)value;
  parigot_log(PARIGOT_INFO, "deadline met after %llu ns",
              (unsigned long long)elapsed);
  on_time(elapsed, 1000000);
  parigot_exit(0);
}

static void unexpected_ok(void *ctx, const void *value) {
  (void)ctx;
  (void)value;
  PARIGOT_FAIL("the deadline let a future through that never settles");
  parigot_exit(0);
}

static void unexpected_fail(void *ctx, const parigot_status *st) {
  (void)ctx;
  PARIGOT_FAIL("failed: %s", parigot_testing_code_name(st->code));
  parigot_exit(0);
}

static void as_expected(void *ctx, const void *value) {
  const parigot_status *st = value;
  (void)ctx;
  parigot_log(PARIGOT_INFO, "failed as expected: %s",
              parigot_testing_code_name(st->code));
  parigot_exit(0);
}

static void after_expect_fail(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "went on after %s",
              parigot_testing_code_name(st->code));
  parigot_exit(0);
}

static void async_scenario(const char *s) {
  t0 = parigot_now();
  if (strcmp(s, "sleep") == 0) {
    parigot_future_on(parigot_testing_sleep(2000000), slept, unexpected_fail,
                      NULL);
  } else if (strcmp(s, "deadline") == 0) {
    parigot_future *never = parigot_future_new();
    parigot_future_on(parigot_testing_deadline(never, 5000000), unexpected_ok,
                      deadline_failed, NULL);
  } else if (strcmp(s, "deadline_met") == 0) {
    parigot_future *soon = parigot_testing_sleep(1000000);
    parigot_future_on(parigot_testing_deadline(soon, 5000000), deadline_met,
                      unexpected_fail, NULL);
  } else if (strcmp(s, "expect_fail_ok") == 0) {
    /* A real call that succeeds, where NOT_FOUND was expected. */
    parigot_future *f = PARIGOT_EXPECT_FAIL(parigot_testing_sleep(1000),
                                            PARIGOT_CODE_NOT_FOUND); /* @efok */
    parigot_future_on(f, unexpected_ok, after_expect_fail, NULL);
  } else if (strcmp(s, "expect_fail_code") == 0) {
    parigot_future *g = parigot_future_new();
    parigot_future *f =
        PARIGOT_ASSERT_FAIL(g, PARIGOT_CODE_NOT_FOUND); /* @efcode */
    parigot_future_on(f, unexpected_ok, after_expect_fail, NULL);
    parigot_status st = {PARIGOT_CODE_UNAVAILABLE, 0, "down for now"};
    parigot_future_reject(g, &st);
    parigot_log(PARIGOT_INFO, "not reached");
  } else if (strcmp(s, "expect_fail_pass") == 0) {
    parigot_future *g = parigot_future_new();
    parigot_future *f = PARIGOT_EXPECT_FAIL(g, PARIGOT_CODE_NOT_FOUND);
    parigot_future_on(f, as_expected, unexpected_fail, NULL);
    parigot_status st = {PARIGOT_CODE_NOT_FOUND, 0, "no such order"};
    parigot_future_reject(g, &st);
  }
}

void parigot_guest_start(void) {
  const char *s = scenario();
  int total = 300;
  size_t count = 2;
  const char *name = "alice";
  bool ok = false;
  uint8_t x[] = {1, 2, 3, 4}, y[] = {1, 2, 4, 4};
  if (strcmp(s, "pass") == 0) {
    all_pass();
  } else if (strcmp(s, "int") == 0) {
    PARIGOT_EXPECT_EQ(total, 350); /* @int */
    parigot_log(PARIGOT_INFO, "went on after the failed expectation");
  } else if (strcmp(s, "uint") == 0) {
    PARIGOT_EXPECT_GE(count, 3u); /* @uint */
  } else if (strcmp(s, "signed") == 0) {
    PARIGOT_EXPECT_GT(-1, count); /* @signed */
  } else if (strcmp(s, "str") == 0) {
    PARIGOT_EXPECT_EQ(name, "alicia"); /* @str */
  } else if (strcmp(s, "bytes") == 0) {
    PARIGOT_EXPECT_BYTES_EQ(x, sizeof x, y, sizeof y); /* @bytes */
  } else if (strcmp(s, "bool") == 0) {
    PARIGOT_EXPECT_TRUE(ok); /* @bool */
  } else if (strcmp(s, "assert") == 0) {
    PARIGOT_ASSERT_EQ(total, 350); /* @assert */
    parigot_log(PARIGOT_INFO, "not reached");
  } else if (strcmp(s, "two") == 0) {
    PARIGOT_EXPECT_EQ(count, 1u);
    PARIGOT_EXPECT_EQ(parigot_testing_failures(), 1u);
    PARIGOT_EXPECT_EQ(name, "bob"); /* @two */
    parigot_log(PARIGOT_INFO, "failures: %u", parigot_testing_failures());
  } else if (strncmp(s, "msg", 3) == 0) {
    msg_scenario(s);
  } else {
    async_scenario(s);
    return; /* ends in a continuation */
  }
  parigot_exit(0);
}
