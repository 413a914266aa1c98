/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/polyglot/conform.c: conform.v1.Conformance in C, the reference
 * the Rust (rust/) and AssemblyScript (assemblyscript/) versions are held
 * to: conform_driver.c calls each and their answers must match byte for
 * byte. What each method does is in proto/conform/v1/conform.proto.
 */
#include <stdlib.h>

#include "conform/v1/conform.pg.h"
#include "parigot/guest.h"

static void echo(parigot_call *call, const conform_v1_EchoRequest *req,
                 void *ctx) {
  (void)ctx;
  conform_v1_EchoResponse resp;
  conform_v1_EchoResponse_init(&resp);
  resp.echo = (conform_v1_EchoRequest *)req;
  const char *caller = parigot_call_caller(call);
  resp.caller.data = (uint8_t *)caller;
  for (resp.caller.len = 0; caller[resp.caller.len]; resp.caller.len++)
    ;
  conform_v1_Conformance_Echo_respond(call, &resp);
}

static void fail(parigot_call *call, const conform_v1_FailRequest *req,
                 void *ctx) {
  (void)ctx;
  parigot_call_fail(call, req->code, req->app_error,
                    (const char *)req->message.data);
}

/* Kept until the deadline ends the call: the kernel answers it, and the
 * SDK's record of it stays, as a service that lost track of a call would. */
static void hold(parigot_call *call, const conform_v1_Empty *req, void *ctx) {
  (void)call;
  (void)req;
  (void)ctx;
}

static void deadline(parigot_call *call, const conform_v1_Empty *req,
                     void *ctx) {
  (void)req;
  (void)ctx;
  conform_v1_DeadlineResponse resp;
  conform_v1_DeadlineResponse_init(&resp);
  resp.time_left_ms = parigot_call_time_left(call) / 1000000u;
  conform_v1_Conformance_Deadline_respond(call, &resp);
}

static void big(parigot_call *call, const conform_v1_BigRequest *req,
                void *ctx) {
  (void)ctx;
  uint8_t *data = malloc(req->size ? req->size : 1);
  if (data == NULL) {
    parigot_call_fail(call, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
                      "out of memory");
    return;
  }
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < req->size; i++) {
    data[i] = (uint8_t)(i * 31u + req->seed);
    h = (h ^ data[i]) * 16777619u;
  }
  conform_v1_BigResponse resp;
  conform_v1_BigResponse_init(&resp);
  resp.data.data = data;
  resp.data.len = req->size;
  resp.fnv1a = h;
  conform_v1_Conformance_Big_respond(call, &resp);
  free(data);
}

static void nothing(parigot_call *call, const conform_v1_Empty *req,
                    void *ctx) {
  (void)req;
  (void)ctx;
  conform_v1_Empty resp;
  conform_v1_Empty_init(&resp);
  conform_v1_Conformance_Nothing_respond(call, &resp);
}

static const conform_v1_Conformance_handlers handlers = {
    .Echo = echo,
    .Fail = fail,
    .Hold = hold,
    .Deadline = deadline,
    .Big = big,
    .Nothing = nothing,
};

void parigot_guest_declare(void) {
  conform_v1_Conformance_export(&handlers);
}

void parigot_guest_start(void) {}
