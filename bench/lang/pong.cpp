// SPDX-License-Identifier: Apache-2.0
//
// bench/lang/pong.cpp: the language suite's pong service in C++: answers
// each Ping with its own payload.
#include "parigot/bench/app/v1/ping.pg.h"
#include "parigot/guest.h"

namespace {

void ping(parigot_call *call, const parigot_bench_app_v1_Payload *req, void *) {
  parigot_bench_app_v1_Payload resp = *req;
  resp._unknown = {};
  parigot_bench_app_v1_Ping_Ping_respond(call, &resp);
}

const parigot_bench_app_v1_Ping_handlers handlers = {ping, nullptr};

} // namespace

extern "C" void parigot_guest_declare(void) {
  parigot_bench_app_v1_Ping_export(&handlers);
}

extern "C" void parigot_guest_start(void) {}
