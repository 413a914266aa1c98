/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/kernel/test_calls.c: the call window and deadline heap
 * (kernel/calls.c): ids never repeat, ended calls leave the window in
 * order, deadlines come out earliest first and skip calls that ended, and
 * thousands of calls in flight grow the ring without losing one; calls
 * that end early leave the deadline queue as they end.
 */
#include "calls.h"
#include "test.h"

static pg_call *start(pg_calls *c, uint64_t deadline) {
  pg_call *call;
  ASSERT_EQ(pg_calls_start(c, 1, 2, deadline, &call), 0);
  return call;
}

PG_TEST(calls_ids_count_up_from_one_and_never_repeat) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  for (uint64_t i = 1; i <= 100; i++) {
    pg_call *call = start(&c, 1000);
    ASSERT_EQ(call->id, i);
    pg_calls_finish(&c, call);
  }
  ASSERT_TRUE(pg_calls_find(&c, 100) == NULL); /* ended and retired */
  ASSERT_TRUE(pg_calls_was_issued(&c, 100));
  ASSERT_TRUE(!pg_calls_was_issued(&c, 101));
  ASSERT_TRUE(!pg_calls_was_issued(&c, 0));
  pg_calls_free(&c);
}

PG_TEST(calls_window_keeps_live_calls_and_recalls_ended_ones) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  pg_call *a = start(&c, 10);
  uint64_t a_id = a->id;
  pg_call *b = start(&c, 20);
  b->is_answered = true;
  pg_calls_finish(&c, b); /* b ended but a, older, is live: b stays */
  ASSERT_TRUE(pg_calls_find(&c, 2) != NULL);
  pg_calls_finish(&c, pg_calls_find(&c, a_id));
  ASSERT_TRUE(pg_calls_find(&c, 1) == NULL);
  ASSERT_TRUE(pg_calls_find(&c, 2) == NULL);
  const pg_call *old = pg_calls_recall(&c, 2);
  ASSERT_TRUE(old != NULL && old->is_answered);
  ASSERT_TRUE(pg_calls_recall(&c, 3) == NULL);
  pg_calls_free(&c);
}

PG_TEST(calls_deadlines_come_out_earliest_first_skipping_ended_calls) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  uint64_t deadlines[] = {50, 10, 40, 20, 30};
  for (int i = 0; i < 5; i++)
    start(&c, deadlines[i]);
  pg_calls_finish(&c, pg_calls_find(&c, 4)); /* the one due at 20 */
  uint64_t at;
  ASSERT_TRUE(pg_calls_next_deadline(&c, &at));
  ASSERT_EQ(at, 10);
  ASSERT_TRUE(pg_calls_pop_expired(&c, 9) == NULL);
  uint64_t order[4], n = 0;
  pg_call *due;
  while ((due = pg_calls_pop_expired(&c, 100)) != NULL) {
    order[n++] = due->deadline_ns;
    pg_calls_finish(&c, due);
  }
  ASSERT_EQ(n, 4);
  ASSERT_EQ(order[0], 10);
  ASSERT_EQ(order[1], 30);
  ASSERT_EQ(order[2], 40);
  ASSERT_EQ(order[3], 50);
  ASSERT_TRUE(!pg_calls_next_deadline(&c, &at));
  pg_calls_free(&c);
}

PG_TEST(calls_ten_thousand_in_flight_grow_the_ring_and_all_stay_findable) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  for (uint64_t i = 0; i < 10000; i++)
    start(&c, 1000000 - i);
  for (uint64_t id = 1; id <= 10000; id++) {
    pg_call *call = pg_calls_find(&c, id);
    ASSERT_TRUE(call != NULL);
    ASSERT_EQ(call->deadline_ns, 1000000 - (id - 1));
  }
  /* End them newest first: the window only moves when the oldest ends. */
  for (uint64_t id = 10000; id >= 2; id--)
    pg_calls_finish(&c, pg_calls_find(&c, id));
  ASSERT_EQ(c.base, 1);
  pg_calls_finish(&c, pg_calls_find(&c, 1));
  ASSERT_EQ(c.base, 10001);
  pg_calls_free(&c);
}

PG_TEST(calls_deadlines_in_order_and_out_of_order_merge) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  /* 10 20 30 40 come in order (the queue); 15 and 25 do not (the heap). */
  uint64_t deadlines[] = {10, 20, 15, 30, 25, 40};
  for (int i = 0; i < 6; i++)
    start(&c, deadlines[i]);
  uint64_t want[] = {10, 15, 20, 25, 30, 40};
  for (int i = 0; i < 6; i++) {
    pg_call *due = pg_calls_pop_expired(&c, 1000);
    ASSERT_TRUE(due != NULL);
    ASSERT_EQ(due->deadline_ns, want[i]);
    pg_calls_finish(&c, due);
  }
  ASSERT_TRUE(pg_calls_pop_expired(&c, 1000) == NULL);
  /* A queue that wraps around its ring and grows keeps its order. */
  for (uint64_t i = 0; i < 1000; i++) {
    pg_calls_finish(&c, start(&c, 2000 + i)); /* ends before its deadline */
    start(&c, 5000 + i);
  }
  uint64_t at;
  ASSERT_TRUE(pg_calls_next_deadline(&c, &at));
  ASSERT_EQ(at, 5000);
  pg_calls_free(&c);
}

/* The schedulers ask for expired calls on every event; the answer "none
 * yet" is cached, and must not hide a later call with a shorter deadline. */
PG_TEST(calls_a_later_call_with_an_earlier_deadline_still_expires_first) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  start(&c, 1000);
  ASSERT_TRUE(pg_calls_pop_expired(&c, 500) == NULL); /* now cached: 1000 */
  pg_call *quick = start(&c, 100);
  uint64_t quick_id = quick->id;
  ASSERT_TRUE(pg_calls_pop_expired(&c, 99) == NULL);
  pg_call *due = pg_calls_pop_expired(&c, 100);
  ASSERT_TRUE(due != NULL);
  ASSERT_EQ(due->id, quick_id);
  pg_calls_finish(&c, due);
  ASSERT_TRUE(pg_calls_pop_expired(&c, 999) == NULL);
  ASSERT_TRUE(pg_calls_pop_expired(&c, 1000) != NULL);
  pg_calls_free(&c);
}

/* Calls that end in order, long before their deadline, leave the deadline
 * queue as they end, even when nobody asks for expired calls meanwhile. */
PG_TEST(calls_that_end_before_their_deadline_do_not_pile_up) {
  pg_calls c;
  pg_calls_init(&c, pg_mem_default());
  for (uint64_t i = 0; i < 100000; i++)
    pg_calls_finish(&c, start(&c, 1000000 + i));
  ASSERT_EQ(c.nfifo, 0);
  ASSERT_TRUE(c.capfifo <= 64);
  uint64_t at;
  ASSERT_TRUE(!pg_calls_next_deadline(&c, &at));
  pg_calls_free(&c);
}
