/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/wire/chain.c: the wire suite's chain program: the front of the
 * three-service chain client -> Relay -> Echo (tests/app/relay.c and
 * echo.c), the app of tests/wire/manifests/three.toml.in. It makes
 * CHAIN_WARMUP untimed calls of Relay.Forward, then CHAIN_CALLS timed
 * ones, in a row, each started in the previous one's continuation, and
 * reads the clock around each; Relay answers each only after its own call
 * to Echo comes back. The same manifest runs as one process (`parigot
 * run`) and as three units (`parigot up`), where both calls cross the
 * wire.
 *
 * Environment (from the manifest):
 *   CHAIN_CALLS   timed calls (default 1000)
 *   CHAIN_WARMUP  untimed calls first (default 100): a unit's first call
 *                 also opens its connection to the next unit
 *
 * Prints "chain calls N" and "chain p50_ns X p99_ns Y mean_ns Z" and exits
 * 0; exits 1, with a log line, when a call fails or an answer is not the
 * request's value + 1 after 2 hops. Only meaningful without
 * --deterministic, where the clock is the host's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "apptest/v1/apptest.pg.h"
#include "parigot/guest.h"
#include "../app/timing.h"

static long calls;        /* timed calls */
static long warmup;       /* untimed calls before them */
static long done;         /* answered so far, warm-up included */
static uint32_t *times;   /* round trip of each timed call in ns */
static uint64_t start_ns; /* when the current call started */

static void finish(void) {
  printf("chain calls %ld\n", calls);
  print_percentiles("chain", times, calls);
  parigot_exit(0);
}

static void send_one(void);

static void answered(void *ctx, const apptest_v1_ForwardResponse *resp) {
  (void)ctx;
  uint64_t end_ns = now_ns();
  if (resp->value != done + 1 || resp->hops != 2) {
    parigot_log(PARIGOT_ERROR, "call %ld: answer %lld after %d hops", done,
                (long long)resp->value, (int)resp->hops);
    parigot_exit(1);
  }
  if (done >= warmup)
    times[done - warmup] = (uint32_t)(end_ns - start_ns);
  if (++done == warmup + calls)
    finish();
  else
    send_one();
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "call %ld failed: code %u: %s", done,
              (unsigned)st->code, st->message);
  parigot_exit(1);
}

static void send_one(void) {
  apptest_v1_ForwardRequest req;
  apptest_v1_ForwardRequest_init(&req);
  req.value = done;
  start_ns = now_ns();
  apptest_v1_Relay_Forward(&req, answered, failed, NULL);
}

void parigot_guest_declare(void) {
  apptest_v1_Relay_require();
}

void parigot_guest_start(void) {
  calls = env_long("CHAIN_CALLS", 1000);
  warmup = env_long("CHAIN_WARMUP", 100);
  if (calls <= 0 || warmup < 0 ||
      (times = malloc((size_t)calls * sizeof *times)) == NULL) {
    parigot_log(PARIGOT_ERROR, "bad CHAIN_CALLS or out of memory");
    parigot_exit(1);
  }
  send_one();
}
