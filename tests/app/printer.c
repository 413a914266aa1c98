/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/printer.c: a guest that prints to stdout with printf, for the
 * tests that no output is lost (test_app.c, "stdout"). ROLE=service
 * exports apptest.v1.Echo; ROLE=program requires it and runs SCENARIO:
 *   calls   three calls in a row, a line before and after each; then
 *           "last words" without a newline, and exit 0;
 *   killed  a call whose handler prints a line and a tail without a
 *           newline, then one on which the service prints two lines and
 *           spins until the pulse kills it; prints how that call failed;
 *   stuck   prints two lines, then sleeps for ever: only the kernel ends
 *           it (max_handler_time);
 *   exit    prints a line and exits 0.
 * The service prints a line per call, MODE_ECHO's text after it without a
 * newline, and on STOP a line, then "bye" without a newline, or, with
 * ON_STOP=spin, two lines and a loop only the kernel ends. The guest never
 * flushes: the SDK and the kernel must see to it. (wasi-libc writes the
 * first line of a stream at once, then decides whether to buffer: each
 * scenario prints two lines or more where it matters.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apptest/v1/apptest.pg.h"
#include "parigot/guest.h"

static const char *role, *scenario;

static bool is(const char *what, const char *name) {
  return what != NULL && strcmp(what, name) == 0;
}

/* ---- the service -------------------------------------------------------- */

static void say(parigot_call *call, const apptest_v1_EchoRequest *req,
                void *ctx) {
  (void)ctx;
  printf("svc: call %" PRId64 "\n", req->value);
  if (req->mode == apptest_v1_MODE_SPIN) {
    printf("svc: spinning\n");
    for (volatile uint32_t spins = 0;; spins++)
      continue;
  }
  printf("%.*s", (int)req->text.len, (const char *)req->text.data);
  apptest_v1_EchoResponse resp;
  apptest_v1_EchoResponse_init(&resp);
  resp.value = req->value;
  apptest_v1_Echo_Say_respond(call, &resp);
}

static const apptest_v1_Echo_handlers handlers = {.Say = say};

static void stopping(void) {
  printf("svc: stopping\n");
  if (is(getenv("ON_STOP"), "spin")) {
    printf("svc: spinning\n");
    for (volatile uint32_t spins = 0;; spins++)
      continue;
  }
  printf("svc: bye");
}

/* ---- the program -------------------------------------------------------- */

static void call(int64_t value, apptest_v1_Mode mode, const char *text,
                 void (*ok)(void *, const apptest_v1_EchoResponse *),
                 parigot_future_fail fail) {
  apptest_v1_EchoRequest req;
  apptest_v1_EchoRequest_init(&req);
  req.value = value;
  req.mode = mode;
  req.text.data = (uint8_t *)text;
  req.text.len = strlen(text);
  apptest_v1_Echo_Say(&req, ok, fail, NULL);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("client: call failed: code %" PRIu32 "\n", st->code);
  parigot_exit(0);
}

static void answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("client: answered %" PRId64 "\n", r->value);
  if (r->value < 3) {
    call(r->value + 1, apptest_v1_MODE_ECHO, "", answered, failed);
    return;
  }
  printf("client: last words");
  parigot_exit(0);
}

static void spun(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("client: call 2 failed: code %" PRIu32 "\n", st->code);
  parigot_exit(0);
}

static void spin_answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx, (void)r;
  printf("client: call 2 answered\n");
  parigot_exit(1);
}

/* Prints nothing itself: the service's output of call 1 (its tail
 * included) must come before that of call 2 all the same. */
static void first_answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx, (void)r;
  call(2, apptest_v1_MODE_SPIN, "", spin_answered, spun);
}

void parigot_guest_declare(void) {
  role = getenv("ROLE");
  scenario = getenv("SCENARIO");
  if (is(role, "service"))
    apptest_v1_Echo_export(&handlers);
  else if (is(scenario, "calls") || is(scenario, "killed"))
    apptest_v1_Echo_require();
}

void parigot_guest_start(void) {
  if (is(role, "service")) {
    parigot_on_stop(stopping);
  } else if (is(scenario, "calls")) {
    printf("client: before\n");
    call(1, apptest_v1_MODE_ECHO, "", answered, failed);
  } else if (is(scenario, "killed")) {
    call(1, apptest_v1_MODE_ECHO, "svc: tail 1 ", first_answered, failed);
  } else if (is(scenario, "stuck")) {
    printf("client: line 1\nclient: line 2\n");
    for (;;)
      usleep(1000);
  } else {
    printf("client: done\n");
    parigot_exit(0);
  }
}
