/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/relay.c: the apptest.v1.Relay service. It answers each Forward
 * only after its own call to Echo comes back, so a caller's call waits on
 * a second call: the kernel must keep both and route each answer home. It
 * logs the death of Echo when the kernel tells it.
 */
#include "apptest/v1/apptest.pg.h"
#include "parigot/guest.h"

static void echoed(void *ctx, const apptest_v1_EchoResponse *r) {
  apptest_v1_ForwardResponse resp;
  apptest_v1_ForwardResponse_init(&resp);
  resp.value = r->value;
  resp.hops = 2;
  apptest_v1_Relay_Forward_respond(ctx, &resp);
}

static void echo_failed(void *ctx, const parigot_status *st) {
  parigot_call_fail(ctx, st->code, st->app_error, st->message);
}

static void forward(parigot_call *call, const apptest_v1_ForwardRequest *req,
                    void *ctx) {
  (void)ctx;
  apptest_v1_EchoRequest er;
  apptest_v1_EchoRequest_init(&er);
  er.value = req->value + 1;
  apptest_v1_Echo_Say(&er, echoed, echo_failed, call);
}

static const apptest_v1_Relay_handlers handlers = {.Forward = forward};

void parigot_guest_declare(void) {
  apptest_v1_Echo_require();
  apptest_v1_Relay_export(&handlers);
}

static void required_died(const parigot_pb_service_desc *service,
                          const char *why) {
  parigot_log(PARIGOT_INFO, "%s died: %s", service->full_name, why);
}

void parigot_guest_start(void) {
  parigot_on_required_died(required_died);
  parigot_log(PARIGOT_INFO, "ready");
}
