/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/app/chain.c: one link of the start-up suite's chain of services,
 * shaped by its manifest entry, so that one module serves every link.
 *
 * Environment (from the manifest):
 *   LINK_EXPORT   I: export the Ping service as parigot.bench.app.v1.LinkI
 *   LINK_REQUIRE  J: require parigot.bench.app.v1.LinkJ
 * A guest with no LINK_EXPORT is the chain's end, a program: it exits 0
 * as soon as it starts, which is once every link before it is ready.
 *
 * The graph matches services by full name, so each link needs a name of
 * its own: the service descriptors are built here at start-up from the
 * generated Ping descriptor (same methods, another name) and stay in
 * static storage, as parigot_export() and parigot_require() keep the
 * pointers. The generated export() function cannot rename a service, so
 * this file lists the generated invoker itself. Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>

#include "parigot/bench/app/v1/ping.pg.h"
#include "parigot/guest.h"

#define LINK_PREFIX "parigot.bench.app.v1.Link"

static char export_name[64], require_name[64];
static parigot_pb_service_desc export_desc, require_desc;
static bool is_end;

static void ping(parigot_call *call, const parigot_bench_app_v1_Payload *req,
                 void *ctx) {
  (void)ctx;
  parigot_bench_app_v1_Ping_Ping_respond(call, req);
}

static const parigot_bench_app_v1_Ping_handlers handlers = {.Ping = ping};
static const parigot_invoke_fn invokers[] = {
    parigot_bench_app_v1_Ping_Ping__invoke, NULL};

/* Fills @p d as the Ping service named LINK_PREFIX + @p index; false when
 * the name does not fit. */
static bool link_desc(parigot_pb_service_desc *d, char *name, size_t cap,
                      const char *index) {
  int n = snprintf(name, cap, LINK_PREFIX "%s", index);
  if (n < 0 || (size_t)n >= cap)
    return false;
  *d = parigot_bench_app_v1_Ping_desc;
  d->full_name = name;
  return true;
}

void parigot_guest_declare(void) {
  const char *e = getenv("LINK_EXPORT"), *r = getenv("LINK_REQUIRE");
  is_end = e == NULL;
  if (e != NULL && link_desc(&export_desc, export_name, sizeof export_name, e))
    parigot_export(&export_desc, invokers, &handlers);
  if (r != NULL &&
      link_desc(&require_desc, require_name, sizeof require_name, r))
    parigot_require(&require_desc);
}

void parigot_guest_start(void) {
  if (is_end)
    parigot_exit(0);
}
