/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/app/pong.c: the app suite's service: answers every Ping with the
 * payload it was sent.
 *
 * The response points at the decoded request, which lives until the
 * handler returns; the generated respond() encodes it before that. Owns
 * nothing. Single-threaded, like every guest.
 */
#include "parigot/bench/app/v1/ping.pg.h"
#include "parigot/guest.h"

static void ping(parigot_call *call, const parigot_bench_app_v1_Payload *req,
                 void *ctx) {
  (void)ctx;
  parigot_bench_app_v1_Payload resp;
  parigot_bench_app_v1_Payload_init(&resp);
  resp.data = req->data;
  parigot_bench_app_v1_Ping_Ping_respond(call, &resp);
}

static const parigot_bench_app_v1_Ping_handlers handlers = {.Ping = ping};

void parigot_guest_declare(void) {
  parigot_bench_app_v1_Ping_export(&handlers);
}

void parigot_guest_start(void) {}
