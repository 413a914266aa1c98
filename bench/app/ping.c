/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/app/ping.c: the app suite's program: PING_CALLS sequential calls
 * of Ping with a payload of PING_SIZE bytes, each started in the previous
 * call's continuation, then exit 0.
 *
 * Environment (from the manifest):
 *   PING_CALLS  how many calls (0: start and exit, the start-up baseline)
 *   PING_SIZE   payload bytes (0: an empty message)
 *   PING_FAILS  1: a call is expected to fail (pong spins on it, for the
 *               suite's runaway measure): print "ping failed" and exit 0
 *   PING_TIMES  1: read the clock before each call and in its
 *               continuation, and print percentiles of the round trips.
 *               Only meaningful without --deterministic, where the clock
 *               is the host's; a deterministic run's clock is virtual.
 *
 * Prints "ping calls N size S" and, with PING_TIMES=1,
 * "ping p50_ns X p99_ns Y mean_ns Z". Exits 1, with a log line, when a
 * call fails or an answer has the wrong length or (the last one) the
 * wrong bytes. Owns its payload and timing buffers for the whole run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parigot/bench/app/v1/ping.pg.h"
#include "parigot/guest.h"
#include "timing.h"

static long calls;        /* to make in all */
static long done;         /* answered so far */
static size_t size;       /* payload bytes */
static uint8_t *payload;  /* what every request carries */
static uint32_t *times;   /* round trip of each call in ns, or NULL */
static uint64_t start_ns; /* when the current call started */

static void finish(void) {
  printf("ping calls %ld size %zu\n", calls, size);
  if (times != NULL && calls > 0)
    print_percentiles("ping", times, calls);
  parigot_exit(0);
}

static void send_one(void);

static void answered(void *ctx, const parigot_bench_app_v1_Payload *resp) {
  (void)ctx;
  if (times != NULL)
    times[done] = (uint32_t)(now_ns() - start_ns);
  if (resp->data.len != size || (done + 1 == calls && size > 0 &&
                                 memcmp(resp->data.data, payload, size) != 0)) {
    parigot_log(PARIGOT_ERROR, "call %ld: wrong answer (%zu bytes)", done,
                resp->data.len);
    parigot_exit(1);
  }
  if (++done == calls)
    finish();
  else
    send_one();
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "call %ld failed: code %u: %s", done,
              (unsigned)st->code, st->message);
  if (env_long("PING_FAILS", 0) == 1) {
    printf("ping failed\n");
    parigot_exit(0);
  }
  parigot_exit(1);
}

static void send_one(void) {
  parigot_bench_app_v1_Payload req;
  parigot_bench_app_v1_Payload_init(&req);
  req.data.data = payload;
  req.data.len = size;
  if (times != NULL)
    start_ns = now_ns();
  parigot_bench_app_v1_Ping_Ping(&req, answered, failed, NULL);
}

void parigot_guest_declare(void) {
  parigot_bench_app_v1_Ping_require();
}

void parigot_guest_start(void) {
  calls = env_long("PING_CALLS", 1000);
  size = (size_t)env_long("PING_SIZE", 0);
  payload = malloc(size ? size : 1);
  if (env_long("PING_TIMES", 0) == 1 && calls > 0)
    times = malloc((size_t)calls * sizeof *times);
  if (calls < 0 || payload == NULL ||
      (env_long("PING_TIMES", 0) == 1 && calls > 0 && times == NULL)) {
    parigot_log(PARIGOT_ERROR, "bad PING_CALLS or out of memory");
    parigot_exit(1);
  }
  for (size_t i = 0; i < size; i++)
    payload[i] = (uint8_t)(i * 31 + 7);
  if (calls == 0)
    finish();
  else
    send_one();
}
