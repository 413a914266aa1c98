/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/counter.c: a service that counts the calls it answers, and a
 * test program that wants to be its first caller: what proves that each
 * test program of `parigot test` runs in a fresh app (test_testcmd.c).
 * ROLE=service exports apptest.v1.Echo and answers each Say with how many
 * calls this instance has answered, that one included. ROLE=program
 * requires it, calls it once, prints "TAG: count N" and exits 0 when N is
 * 1; else it logs why at ERROR and exits 1. With ONE_IN=n it also draws a
 * number from its random stream (which the seed fixes), prints it, and
 * fails the same way when it is a multiple of n: a test that passes under
 * some seeds and fails under others.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apptest/v1/apptest.pg.h"
#include "parigot/guest.h"

static const char *role, *tag;
static int64_t answered; /* the service's count */

static bool is(const char *what, const char *name) {
  return what != NULL && strcmp(what, name) == 0;
}

/* ---- the service -------------------------------------------------------- */

static void say(parigot_call *call, const apptest_v1_EchoRequest *req,
                void *ctx) {
  (void)req, (void)ctx;
  apptest_v1_EchoResponse resp;
  apptest_v1_EchoResponse_init(&resp);
  resp.value = ++answered;
  apptest_v1_Echo_Say_respond(call, &resp);
}

static const apptest_v1_Echo_handlers handlers = {.Say = say};

/* ---- the program -------------------------------------------------------- */

/* Draws from the random stream when ONE_IN asks: 0, or 1 after logging
 * why the draw fails the test. */
static int draw(void) {
  const char *one_in = getenv("ONE_IN");
  uint32_t r = 0;
  if (one_in == NULL)
    return 0;
  uint32_t n = (uint32_t)atoi(one_in);
  if (n == 0 || getentropy(&r, sizeof r) != 0) {
    parigot_log(PARIGOT_ERROR, "ONE_IN=%s: no draw", one_in);
    return 1;
  }
  printf("%s: drew %" PRIu32 "\n", tag, r);
  if (r % n != 0)
    return 0;
  parigot_log(PARIGOT_ERROR, "drew %" PRIu32 ", a multiple of %" PRIu32, r, n);
  return 1;
}

static void counted(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("%s: count %" PRId64 "\n", tag, r->value);
  if (r->value != 1) {
    parigot_log(PARIGOT_ERROR,
                "count %" PRId64 ", expected 1: the service was not fresh",
                r->value);
    parigot_exit(1);
  }
  parigot_exit(draw());
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "call failed: code %" PRIu32 ": %s", st->code,
              st->message);
  parigot_exit(1);
}

void parigot_guest_declare(void) {
  role = getenv("ROLE");
  tag = getenv("TAG") != NULL ? getenv("TAG") : "counter";
  if (is(role, "service"))
    apptest_v1_Echo_export(&handlers);
  else
    apptest_v1_Echo_require();
}

void parigot_guest_start(void) {
  if (is(role, "service"))
    return;
  apptest_v1_EchoRequest req;
  apptest_v1_EchoRequest_init(&req);
  apptest_v1_Echo_Say(&req, counted, failed, NULL);
}
