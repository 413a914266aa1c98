/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/racy/reader.c: racy.v1.Reader, which answers a Lookup with what
 * the cache answers its own Get: one hop more than asking the cache.
 */
#include "parigot/guest.h"
#include "racy/v1/racy.pg.h"

static void got(void *ctx, const racy_v1_GetReply *r) {
  racy_v1_Reader_Lookup_respond(ctx, r);
}

static void get_failed(void *ctx, const parigot_status *st) {
  parigot_call_fail(ctx, st->code, st->app_error, st->message);
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

void parigot_guest_start(void) {}
