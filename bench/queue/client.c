/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/queue/client.c: the queue suite's guest program. QUEUE_CALLS round
 * trips through the parigot.queue built-in, one after another, each a Send
 * of a 100-byte body, a Receive of it and an Ack of its receipt, each call
 * started in the previous one's continuation. Times each round trip with
 * the host's clock (parallel runs) and prints
 *   queue round_trips N seconds S
 *   queue p50_ns X p99_ns Y mean_ns Z
 * or, with 0 calls, the first line alone (the suite's baseline).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/guest.h"
#include "parigot/queue/v1/queue.pg.h"
#include "timing.h"

static long calls, done;
static uint32_t *times; /* ns per round trip */
static uint64_t began_ns, round_ns;
static uint8_t body[100];

static void round_trip(void);

static void failed(void *ctx, const parigot_status *st) {
  printf("%s failed: code %" PRIu32 ": %s\n", (const char *)ctx, st->code,
         st->message);
  parigot_exit(1);
}

static void finish(void) {
  printf("queue round_trips %ld seconds %.6f\n", calls,
         (double)(now_ns() - began_ns) / 1e9);
  if (calls > 0)
    print_percentiles("queue", times, calls);
  parigot_exit(0);
}

static void acked(void *ctx, const parigot_queue_v1_AckResponse *r) {
  (void)ctx, (void)r;
  times[done++] = (uint32_t)(now_ns() - round_ns);
  if (done == calls)
    finish();
  else
    round_trip();
}

static void received(void *ctx, const parigot_queue_v1_ReceiveResponse *r) {
  (void)ctx;
  if (r->messages_count != 1 || r->messages[0].body.len != sizeof body) {
    printf("receive: %zu messages\n", r->messages_count);
    parigot_exit(1);
  }
  parigot_queue_v1_AckRequest req;
  parigot_queue_v1_AckRequest_init(&req);
  req.receipt = r->messages[0].receipt;
  parigot_queue_v1_Queue_Ack(&req, acked, failed, (void *)"ack");
}

static void sent(void *ctx, const parigot_queue_v1_SendResponse *r) {
  (void)ctx, (void)r;
  parigot_queue_v1_ReceiveRequest req;
  parigot_queue_v1_ReceiveRequest_init(&req);
  req.queue = (parigot_pb_bytes){(uint8_t *)"bench", 5};
  req.max_messages = 1;
  parigot_queue_v1_Queue_Receive(&req, received, failed, (void *)"receive");
}

static void round_trip(void) {
  round_ns = now_ns();
  parigot_queue_v1_SendRequest req;
  parigot_queue_v1_SendRequest_init(&req);
  req.queue = (parigot_pb_bytes){(uint8_t *)"bench", 5};
  req.body = (parigot_pb_bytes){body, sizeof body};
  parigot_queue_v1_Queue_Send(&req, sent, failed, (void *)"send");
}

void parigot_guest_declare(void) {
  parigot_queue_v1_Queue_require();
}

void parigot_guest_start(void) {
  calls = env_long("QUEUE_CALLS", 1000);
  memset(body, 'q', sizeof body);
  times = calloc(calls > 0 ? (size_t)calls : 1, sizeof *times);
  if (times == NULL)
    parigot_exit(1);
  began_ns = now_ns();
  if (calls <= 0)
    finish();
  round_trip();
}
