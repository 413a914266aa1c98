/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/queue/qclient.c: a C guest that uses the queue built-in
 * (parigot.queue.v1.Queue) through the stubs protoc-gen-parigot makes.
 * SCENARIO picks what it does; it prints one line per answer to stdout,
 * where test_queue.c reads them, and nothing that depends on timing but
 * whether a time bound held:
 *   all     send, receive, ack, nack, refusals by name, a full queue,
 *           stats; then a held receive a later send answers, a wait that
 *           ends empty, one the call's deadline cuts short (answered
 *           empty), a redelivery after the visibility timeout, and the
 *           dead-letter queue after max_deliveries (3 in its manifest),
 *           and a second receive waiting refused (max_held is 1);
 *   stream  sends "m1", "m2", ... to queue durable one after another,
 *           logging "acked N" for each answered Send, until one fails;
 *   count   prints the Stats of queue durable;
 *   leave   exits while a receive of its own is held;
 *   watch   prints the Stats of that receive's queue a second later.
 * Each step makes one call (or two) and its continuation runs the next.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/abi.h"
#include "parigot/guest.h"
#include "parigot/queue/v1/queue.pg.h"

#define MS 1000000ull

static const char *scenario;
static int step;
static char receipts[8][48]; /* of the last Receive, in order */
static uint64_t started_ns;  /* when the step that measures began */
static int streamed;
static int pending; /* answers to wait for before the next step */

static void next(void);

static const char *code_name(uint32_t code) {
  switch (code) {
#define NAME(name, value, what)                                                \
  case value:                                                                  \
    return #name;
    PARIGOT_CODE_MAP(NAME)
#undef NAME
  }
  return "?";
}

static parigot_pb_bytes text(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

/* ---- continuations: print, then the next step -------------------------- */

static void failed(void *ctx, const parigot_status *st) {
  printf("%s: %s: %s\n", (const char *)ctx, code_name(st->code), st->message);
  next();
}

static void sent(void *ctx, const parigot_queue_v1_SendResponse *r) {
  printf("%s: sent, id %" PRIu64 "\n", (const char *)ctx, r->id);
  next();
}

static void received(void *ctx, const parigot_queue_v1_ReceiveResponse *r) {
  printf("%s: %zu message%s", (const char *)ctx, r->messages_count,
         r->messages_count == 1 ? "" : "s");
  for (size_t i = 0; i < r->messages_count; i++) {
    const parigot_queue_v1_Message *m = &r->messages[i];
    printf(" [id %" PRIu64 " \"%.*s\" delivery %" PRIu32 " receipt %s]", m->id,
           (int)m->body.len, (const char *)m->body.data, m->deliveries,
           (const char *)m->receipt.data);
    if (i < 8)
      snprintf(receipts[i], sizeof receipts[i], "%s",
               (const char *)m->receipt.data);
  }
  printf("\n");
  next();
}

static void done(void *ctx, const void *r) {
  (void)r;
  printf("%s: ok\n", (const char *)ctx);
  next();
}

static void counted(void *ctx, const parigot_queue_v1_StatsResponse *r) {
  printf("%s: %" PRIu64 " messages, %" PRIu64 " visible, %" PRIu64
         " in flight, %" PRIu32 " receives waiting\n",
         (const char *)ctx, r->messages, r->visible, r->in_flight,
         r->held_receives);
  next();
}

/* Prints whether the time since started_ns is within [lo, hi) ms. */
static void took(const char *what, uint64_t lo, uint64_t hi) {
  uint64_t ms = (parigot_now() - started_ns) / MS;
  printf("%s: %s\n", what, ms >= lo && ms < hi ? "yes" : "no");
}

static void received_timed(void *ctx,
                           const parigot_queue_v1_ReceiveResponse *r) {
  const uint64_t *bounds = ctx;
  took("answered within its bounds", bounds[0], bounds[1]);
  received("timed receive", r);
}

/* ---- calls -----------------------------------------------------------------
 */

static void send(const char *queue, const char *body, size_t len,
                 uint32_t delay_ms, const char *label) {
  parigot_queue_v1_SendRequest req;
  parigot_queue_v1_SendRequest_init(&req);
  req.queue = text(queue);
  req.body = (parigot_pb_bytes){(uint8_t *)body, len};
  req.delay_ms = delay_ms;
  parigot_queue_v1_Queue_Send(&req, sent, failed, (void *)label);
}

static void say(const char *queue, const char *body, const char *label) {
  send(queue, body, strlen(body), 0, label);
}

static void receive(
    const char *queue, uint32_t max, uint32_t wait_ms, uint32_t visibility_ms,
    void (*ok)(void *, const parigot_queue_v1_ReceiveResponse *), void *ctx) {
  parigot_queue_v1_ReceiveRequest req;
  parigot_queue_v1_ReceiveRequest_init(&req);
  req.queue = text(queue);
  req.max_messages = max;
  req.wait_ms = wait_ms;
  req.visibility_timeout_ms = visibility_ms;
  parigot_queue_v1_Queue_Receive(&req, ok, failed, ctx);
}

static void ack(const char *receipt, const char *label) {
  parigot_queue_v1_AckRequest req;
  parigot_queue_v1_AckRequest_init(&req);
  req.receipt = text(receipt);
  parigot_queue_v1_Queue_Ack(
      &req, (void (*)(void *, const parigot_queue_v1_AckResponse *))done,
      failed, (void *)label);
}

static void nack(const char *receipt, uint32_t delay_ms, const char *label) {
  parigot_queue_v1_NackRequest req;
  parigot_queue_v1_NackRequest_init(&req);
  req.receipt = text(receipt);
  req.delay_ms = delay_ms;
  parigot_queue_v1_Queue_Nack(
      &req, (void (*)(void *, const parigot_queue_v1_NackResponse *))done,
      failed, (void *)label);
}

static void stats(const char *queue, const char *label) {
  parigot_queue_v1_StatsRequest req;
  parigot_queue_v1_StatsRequest_init(&req);
  req.queue = text(queue);
  parigot_queue_v1_Queue_Stats(&req, counted, failed, (void *)label);
}

/* ---- all
 * --------------------------------------------------------------------- */

static char stale[48];
static const uint64_t held_bounds[] = {0, 2000};
static const uint64_t wait_bounds[] = {300, 2000};
static const uint64_t deadline_bounds[] = {400, 500};
static const uint64_t redelivery_bounds[] = {200, 2000};
static const uint64_t dead_bounds[] = {100, 2000};

/* Send, receive, ack, nack and every refusal, on queue jobs. */
static bool basics(int s) {
  static char big[2000];
  switch (s) {
  case 0:
    say("jobs", "a", "send a");
    return true;
  case 1:
    say("jobs", "b", "send b");
    return true;
  case 2:
    say("jobs", "c", "send c");
    return true;
  case 3:
    receive("jobs", 2, 0, 0, received, "receive 2");
    return true;
  case 4:
    snprintf(stale, sizeof stale, "%s", receipts[0]);
    ack(receipts[0], "ack a");
    return true;
  case 5:
    nack(receipts[1], 0, "nack b");
    return true;
  case 6:
    receive("jobs", 5, 0, 0, received, "receive c then b");
    return true;
  case 7:
    ack(stale, "ack a again");
    return true;
  case 8:
    ack("x", "ack a bad receipt");
    return true;
  case 9:
    say("bad name!", "z", "send to a bad name");
    return true;
  case 10:
    memset(big, 'x', sizeof big);
    send("jobs", big, sizeof big, 0, "send 2000 bytes");
    return true;
  case 11:
    receive("jobs", 101, 0, 0, received, "receive 101");
    return true;
  case 12:
    stats("jobs", "stats");
    return true;
  case 13:
    say("jobs", "d", "send d");
    return true;
  case 14:
    say("jobs", "e", "send e");
    return true;
  case 15:
    say("jobs", "f", "send f");
    return true;
  case 16:
    ack(receipts[0], "ack c");
    return true;
  case 17:
    ack(receipts[1], "ack b");
    return true;
  case 18:
    stats("jobs", "stats");
    return true;
  case 19:
    receive("empty", 1, 0, 0, received, "receive from empty");
    return true;
  }
  return false;
}

/* Held receives, waits, redelivery, dead letters, on queues h, w, r. */
static bool waits(int s) {
  switch (s) {
  case 0: /* held, then answered by the send after it: two answers */
    pending = 2;
    started_ns = parigot_now();
    receive("h", 1, 2000, 0, received_timed, (void *)held_bounds);
    say("h", "late", "send to h");
    return true;
  case 1:
    started_ns = parigot_now();
    receive("w", 1, 300, 0, received_timed, (void *)wait_bounds);
    return true;
  case 2:
    parigot_next_call_timeout(500 * MS);
    started_ns = parigot_now();
    receive("w", 1, 10000, 0, received_timed, (void *)deadline_bounds);
    return true;
  case 3:
    say("r", "again", "send to r");
    return true;
  case 4:
    started_ns = parigot_now();
    receive("r", 1, 0, 200, received, "receive r, not acknowledged");
    return true;
  case 5:
    receive("r", 1, 2000, 0, received_timed, (void *)redelivery_bounds);
    return true;
  case 6:
    nack(receipts[0], 0, "nack r");
    return true;
  case 7:
    receive("r", 1, 0, 0, received, "receive r a third time");
    return true;
  case 8: /* r.dead gets it 100 ms after this, not before */
    started_ns = parigot_now();
    nack(receipts[0], 100, "nack r, 100 ms");
    return true;
  case 9:
    receive("r.dead", 1, 2000, 0, received_timed, (void *)dead_bounds);
    return true;
  case 10:
    ack(receipts[0], "ack from r.dead");
    return true;
  case 11:
    stats("r", "stats r");
    return true;
  case 12:
    stats("r.dead", "stats r.dead");
    return true;
  case 13: /* max_held is 1: a second receive waiting is refused */
    pending = 3;
    receive("m", 1, 2000, 0, received, "first receive held on m");
    receive("m", 1, 2000, 0, received, "second receive held on m");
    say("m", "one", "send to m");
    return true;
  }
  return false;
}

/* Steps of "all": basics, then waits. */
static void next_all(void) {
  int s = step++;
  if (!basics(s) && !waits(s - 20))
    parigot_exit(0);
}

/* ---- leave, watch ------------------------------------------------------ */

/* leave: a receive held on x, then a send to y; once the send is answered
 * (so the receive is held by now) it exits with the receive still held. */
static void leave_now(void *ctx, const parigot_queue_v1_SendResponse *r) {
  (void)ctx, (void)r;
  printf("leaving with a receive held\n");
  parigot_exit(0);
}

static void start_leave(void) {
  parigot_queue_v1_SendRequest req;
  parigot_queue_v1_SendRequest_init(&req);
  receive("x", 1, 60000, 0, received, "held on x");
  req.queue = text("y");
  parigot_queue_v1_Queue_Send(&req, leave_now, failed, NULL);
}

/* watch: waits 1 s (a receive that ends empty), then looks at x. */
static void next_watch(void) {
  switch (step++) {
  case 0:
    receive("tick", 1, 1000, 0, received, "a second");
    return;
  case 1:
    stats("x", "x");
    return;
  }
  parigot_exit(0);
}

/* ---- stream, count ------------------------------------------------------- */

static void streamed_one(void *ctx, const parigot_queue_v1_SendResponse *r) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "acked %d id %" PRIu64, streamed, r->id);
  next();
}

static void stream_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("stream ended after %d: %s\n", streamed, code_name(st->code));
  parigot_exit(1);
}

static void next_stream(void) {
  char body[32];
  int len = snprintf(body, sizeof body, "m%d", ++streamed);
  parigot_queue_v1_SendRequest req;
  parigot_queue_v1_SendRequest_init(&req);
  req.queue = text("durable");
  req.body = (parigot_pb_bytes){(uint8_t *)body, (size_t)len};
  parigot_queue_v1_Queue_Send(&req, streamed_one, stream_failed, NULL);
}

static void next(void) {
  if (pending > 1) { /* a step of two calls: wait for both */
    pending--;
    return;
  }
  pending = 0;
  if (strcmp(scenario, "all") == 0)
    next_all();
  else if (strcmp(scenario, "stream") == 0)
    next_stream();
  else if (strcmp(scenario, "watch") == 0)
    next_watch();
  else if (step++ == 0)
    stats("durable", "durable");
  else
    parigot_exit(0);
}

void parigot_guest_declare(void) {
  scenario = getenv("SCENARIO");
  if (scenario == NULL)
    scenario = "all";
  parigot_queue_v1_Queue_require();
}

void parigot_guest_start(void) {
  if (strcmp(scenario, "leave") == 0)
    start_leave();
  else
    next();
}
