/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/testkit/warm_reader.c: the racy example's reader, which also asks
 * the cache once as it starts (a warm-up), so that a test mocking the
 * cache is called before its own start.
 */
#include "parigot/guest.h"
#include "racy/v1/racy.pg.h"

static void got(void *ctx, const racy_v1_GetReply *r) {
  if (ctx != NULL) {
    racy_v1_Reader_Lookup_respond(ctx, r);
    return;
  }
  parigot_log(PARIGOT_INFO, "warm-up: %s",
              r->found ? (const char *)r->value.data : "not found");
}

static void get_failed(void *ctx, const parigot_status *st) {
  if (ctx != NULL)
    parigot_call_fail(ctx, st->code, st->app_error, st->message);
  else
    parigot_log(PARIGOT_INFO, "warm-up failed: %s", st->message);
}

static void lookup(parigot_call *call, const racy_v1_GetRequest *req,
                   void *ctx) {
  (void)ctx;
  racy_v1_Cache_Get(req, got, get_failed, call);
}

static const racy_v1_Reader_handlers handlers = {.Lookup = lookup};

void parigot_guest_declare(void) {
  racy_v1_Cache_require();
  racy_v1_Reader_export(&handlers);
}

void parigot_guest_start(void) {
  racy_v1_GetRequest req;
  racy_v1_GetRequest_init(&req);
  req.key = (parigot_pb_bytes){(uint8_t *)"warm", 4};
  racy_v1_Cache_Get(&req, got, get_failed, NULL);
}
