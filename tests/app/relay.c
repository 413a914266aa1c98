/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/relay.c: the apptest.v1.Relay service. It answers each Forward
 * only after its own call to Echo comes back, so a caller's call waits on
 * a second call: the kernel must keep both and route each answer home. It
 * logs the death of Echo when the kernel tells it.
 */
#include <stdlib.h>
#include <string.h>

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

static void required_back(const parigot_pb_service_desc *service) {
  parigot_log(PARIGOT_INFO, "%s is back", service->full_name);
}

static void stop_answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "at stop, echo answered %lld", (long long)r->value);
}

static void stop_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "at stop, echo failed: %s", st->message);
}

/* STOP_CALL=say: a call to Echo on the way out, which it must still
 * answer; STOP_CALL=hold: one it never answers. */
static void stopping(void) {
  const char *what = getenv("STOP_CALL");
  parigot_log(PARIGOT_INFO, "stopping");
  if (what == NULL)
    return;
  apptest_v1_EchoRequest er;
  apptest_v1_EchoRequest_init(&er);
  er.value = 41;
  er.mode =
      strcmp(what, "hold") == 0 ? apptest_v1_MODE_HOLD : apptest_v1_MODE_ECHO;
  apptest_v1_Echo_Say(&er, stop_answered, stop_failed, NULL);
}

void parigot_guest_start(void) {
  parigot_on_required_died(required_died);
  parigot_on_required_restarted(required_back);
  if (getenv("ON_STOP") != NULL)
    parigot_on_stop(stopping);
  parigot_log(PARIGOT_INFO, "ready");
}
