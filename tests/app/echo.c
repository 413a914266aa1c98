/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/echo.c: the apptest.v1.Echo service. Each request's mode says
 * whether to answer, fail with the service's own error, hold the call
 * unanswered, answer only after working past the deadline, or trap; a
 * MODE_RELEASE call answers the held ones late, so a test can watch the
 * kernel drop an answer that comes after the deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apptest/v1/apptest.pg.h"
#include "parigot/guest.h"

enum { MAX_HELD = 16 };

static parigot_call *held[MAX_HELD];
static void *hoard; /* MODE_HOG's blocks, each linked to the one before */
static int nheld;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void answer(parigot_call *call, int64_t value, const char *text,
                   size_t text_len) {
  apptest_v1_EchoResponse resp;
  apptest_v1_EchoResponse_init(&resp);
  resp.value = value;
  resp.text.data = (uint8_t *)text;
  resp.text.len = text_len;
  apptest_v1_Echo_Say_respond(call, &resp);
}

/* Answers every held call; the result of the last answer tells the caller
 * what the kernel said to a response that came too late. */
static int release_held(void) {
  int rc = 0;
  for (int i = 0; i < nheld; i++) {
    apptest_v1_EchoResponse resp;
    apptest_v1_EchoResponse_init(&resp);
    rc = apptest_v1_Echo_Say_respond(held[i], &resp);
    parigot_log(PARIGOT_INFO, "late answer returned %d", rc);
  }
  nheld = 0;
  return rc;
}

static void say(parigot_call *call, const apptest_v1_EchoRequest *req,
                void *ctx) {
  (void)ctx;
  char msg[128];
  switch (req->mode) {
  case apptest_v1_MODE_FAIL:
    snprintf(msg, sizeof msg, "refused: %.*s", (int)req->text.len,
             (const char *)req->text.data);
    parigot_call_fail(call, PARIGOT_CODE_UNKNOWN, req->app_error, msg);
    return;
  case apptest_v1_MODE_HOLD:
    if (nheld == MAX_HELD) {
      parigot_call_fail(call, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
                        "too many held calls");
      return;
    }
    parigot_log(PARIGOT_INFO, "holding the call");
    held[nheld++] = call;
    return;
  case apptest_v1_MODE_RELEASE:
    answer(call, release_held(), "", 0);
    return;
  case apptest_v1_MODE_SLOW: {
    /* Busy, not asleep: the kernel gets no turn until the answer. */
    uint64_t until = now_ns() + (uint64_t)req->value * 1000000u;
    while (now_ns() < until)
      continue;
    apptest_v1_EchoResponse resp;
    apptest_v1_EchoResponse_init(&resp);
    parigot_log(PARIGOT_INFO, "slow answer returned %d",
                apptest_v1_Echo_Say_respond(call, &resp));
    return;
  }
  case apptest_v1_MODE_CRASH:
    __builtin_trap();
  case apptest_v1_MODE_EXIT:
    parigot_exit(0); /* a service has no business exiting */
  case apptest_v1_MODE_HOG:
    /* Touch every page, so the memory is really used; the manifest's
     * max_memory ends it, and the guest aborts as C code does. */
    for (;;) {
      char *p = malloc(1u << 20);
      if (p == NULL)
        abort();
      memset(p, 1, 1u << 20);
      *(void **)p = hoard; /* kept, so the compiler cannot drop it */
      hoard = p;
    }
  case apptest_v1_MODE_SPIN:
    for (volatile uint32_t spins = 0;; spins++)
      continue; /* only the kernel's pulse can end this */
  case apptest_v1_MODE_CONTEXT: {
    const char *caller = parigot_call_caller(call);
    answer(call, (int64_t)parigot_call_time_left(call), caller, strlen(caller));
    return;
  }
  default:
    answer(call, req->value, (const char *)req->text.data, req->text.len);
  }
}

static const apptest_v1_Echo_handlers handlers = {.Say = say};

void parigot_guest_declare(void) {
  apptest_v1_Echo_export(&handlers);
}

/* SPIN_AT_START=1: the start hook never ends (and calls the host no
 * more), for the tests of an app that cannot stop. */
/* ON_STOP=log: a line; ON_STOP=spin: a loop only drain_timeout ends. */
static void stopping(void) {
  parigot_log(PARIGOT_INFO, "stopping");
  if (strcmp(getenv("ON_STOP"), "spin") == 0)
    for (volatile uint32_t spins = 0;; spins++)
      continue;
}

void parigot_guest_start(void) {
  const char *crash = getenv("CRASH_AT_START");
  if (crash != NULL && strcmp(crash, "1") == 0)
    __builtin_trap();
  if (getenv("ON_STOP") != NULL)
    parigot_on_stop(stopping);
  const char *spin = getenv("SPIN_AT_START");
  if (spin != NULL && strcmp(spin, "1") == 0) {
    parigot_log(PARIGOT_INFO, "spinning at start");
    for (volatile uint32_t spins = 0;; spins++)
      continue;
  }
  parigot_log(PARIGOT_INFO, "ready");
}
