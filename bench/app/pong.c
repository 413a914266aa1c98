/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/app/pong.c: the app suite's service: answers every Ping with the
 * payload it was sent.
 *
 * The response points at the decoded request, which lives until the
 * handler returns; the generated respond() encodes it before that. With
 * PONG_SPIN=N it loops for ever on its Nth call instead (the suite's
 * runaway guest). Owns nothing. Single-threaded, like every guest.
 */
#include <stdlib.h>

#include "parigot/bench/app/v1/ping.pg.h"
#include "parigot/guest.h"

static long spin_at;  /* PONG_SPIN: the call to loop on for ever; 0 none */
static long answered; /* calls so far */

static void ping(parigot_call *call, const parigot_bench_app_v1_Payload *req,
                 void *ctx) {
  (void)ctx;
  if (++answered == spin_at) {
    /* The suite's runaway guest: only max_handler_time ends this. */
    parigot_log(PARIGOT_INFO, "spinning");
    for (volatile uint32_t n = 0;; n++)
      continue;
  }
  parigot_bench_app_v1_Payload resp;
  parigot_bench_app_v1_Payload_init(&resp);
  resp.data = req->data;
  parigot_bench_app_v1_Ping_Ping_respond(call, &resp);
}

static const parigot_bench_app_v1_Ping_handlers handlers = {.Ping = ping};

void parigot_guest_declare(void) {
  parigot_bench_app_v1_Ping_export(&handlers);
}

void parigot_guest_start(void) {
  const char *v = getenv("PONG_SPIN");
  spin_at = v != NULL ? strtol(v, NULL, 10) : 0;
}
