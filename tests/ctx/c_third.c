/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/ctx/c_third.c: ctxtest.v1.Third in C, the last hop of the chain:
 * it answers with the user it sees, read with the C SDK
 * (parigot_call_user, parigot_call_user_has_role).
 */
#include <stdio.h>
#include <string.h>

#include "ctxtest/v1/ctxtest.pg.h"
#include "parigot/guest.h"

/* "id=alice name=Alice roles=staff admin=no", or "nobody": the words
 * every hop of tests/ctx writes. */
static void who(char *out, size_t cap) {
  parigot_user u;
  if (!parigot_call_user(&u)) {
    snprintf(out, cap, "nobody");
    return;
  }
  snprintf(out, cap, "id=%s name=%s roles=%s admin=%s", u.id, u.name, u.roles,
           parigot_call_user_has_role("admin") ? "yes" : "no");
}

static void hop(parigot_call *call, const ctxtest_v1_HopRequest *req,
                void *ctx) {
  (void)req;
  (void)ctx;
  char seen[1024], line[1100];
  who(seen, sizeof seen);
  int n = snprintf(line, sizeof line, "third (C): %s\n", seen);
  ctxtest_v1_HopResponse resp;
  ctxtest_v1_HopResponse_init(&resp);
  resp.report.data = (uint8_t *)line;
  resp.report.len = (size_t)n;
  ctxtest_v1_Third_Hop_respond(call, &resp);
}

static const ctxtest_v1_Third_handlers handlers = {.Hop = hop};

void parigot_guest_declare(void) {
  ctxtest_v1_Third_export(&handlers);
}

void parigot_guest_start(void) {}
