/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/client.c: the program of most app tests. Its manifest entry
 * picks a scenario with SCENARIO; each prints one line per thing it checks
 * to stdout, where the test reads them, and exits 0 when all were as
 * expected:
 *   deadline  a held call fails with DEADLINE_EXCEEDED, then the late
 *             answer is refused (DEADLINE_MS: the manifest's deadline);
 *   slow      a call Echo answers only after working SLOW_MS, past the
 *             deadline, while this program works BUSY_MS too, fails with
 *             DEADLINE_EXCEEDED all the same;
 *   crash     a call whose handler traps, and the next call, fail with
 *             UNAVAILABLE;
 *   apperror  a failing Echo reaches the caller as UNKNOWN plus its enum;
 *   many      COUNT (1000) calls in flight at once, each answered once;
 *   denied    a call to a service not required is refused by the SDK and,
 *             through the raw ABI, by the kernel;
 *   mixed     calls through Relay and Echo, failures, a deadline, random
 *             bytes and the clock: output that must repeat exactly;
 *   spin      a call Echo loops on for ever fails with UNAVAILABLE once
 *             the kernel stops Echo (max_handler_time), and so does the
 *             next one;
 *   quit      makes a call Echo works 50 ms on, and exits at once;
 *   hog       a call on which Echo runs out of memory fails UNAVAILABLE;
 *   leave     a call on which Echo exits fails UNAVAILABLE;
 *   queued    a call that crashes Echo, ten more queued behind it and one
 *             through Relay: every one fails UNAVAILABLE, Relay still
 *             answers for itself;
 *   stress    ROUNDS rounds, each a burst of Echo calls and a Forward
 *             through Relay in flight at once, and every 20th a call that
 *             Echo works 20 ms on with a 1 ms deadline; prints its TAG and
 *             counts (for parallel mode, several at once);
 *   restart   a call that crashes Echo, CRASHES times, each after Echo
 *             is back (a RESTARTED event), the first with a call queued
 *             behind it; then Echo answers; one more crash, past its
 *             max_restarts, and Echo stays dead;
 *   silent    a call Echo never answers fails with DEADLINE_EXCEEDED at
 *             its own deadline (TIMEOUT_MS), and Echo answers the next;
 *   placement one call of each kind, one after the other: an echo, a
 *             forward through Relay, a refusal with its enum, a deadline,
 *             the call's context, a big message; the output must not
 *             depend on where Echo and Relay run (same process or other
 *             units);
 *   failover  calls Echo one call after another until Echo's unit is
 *             killed (logging "100 calls answered" on the way); then it
 *             waits to be told Echo is back, and calls it once more;
 *   args      prints its argv (its name, then the manifest's args) and
 *             $SCENARIO (from the manifest's env);
 *   exit      exits with EXIT_CODE;  trap: traps;  idle: returns from its
 *             start hook with nothing to wait for and never exits (stuck).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apptest/v1/apptest.pg.h"
#include "parigot/abi.h"
#include "parigot/error.h"
#include "parigot/guest.h"

static const char *scenario;

static bool is(const char *name) {
  return scenario != NULL && strcmp(scenario, name) == 0;
}

static int env_int(const char *name, int fallback) {
  const char *v = getenv(name);
  return v != NULL ? atoi(v) : fallback;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void say(apptest_v1_Mode mode, int64_t value, const char *text,
                int32_t app_error,
                void (*ok)(void *, const apptest_v1_EchoResponse *),
                parigot_future_fail fail, void *ctx) {
  apptest_v1_EchoRequest req;
  apptest_v1_EchoRequest_init(&req);
  req.mode = mode;
  req.value = value;
  req.text.data = (uint8_t *)text;
  req.text.len = strlen(text);
  req.app_error = app_error;
  apptest_v1_Echo_Say(&req, ok, fail, ctx);
}

/* A continuation for answers that should not come. */
static void unexpected_fail(void *ctx, const parigot_status *st) {
  printf("%s: failed: code %" PRIu32 " app_error %" PRId32 ": %s\n",
         (const char *)ctx, st->code, st->app_error, st->message);
  parigot_exit(1);
}

static void unexpected_ok(void *ctx, const apptest_v1_EchoResponse *r) {
  printf("%s: answered %" PRId64 "\n", (const char *)ctx, r->value);
  parigot_exit(1);
}

/* ---- deadline ----------------------------------------------------------- */

static uint64_t held_at_ns;

static void released(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("late answer returned %" PRId64 "\n", r->value);
  parigot_exit(r->value == PARIGOT_ECANCELED ? 0 : 1);
}

static void held_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  uint64_t waited = now_ns() - held_at_ns;
  printf("held call failed: code %" PRIu32 ": %s\n", st->code, st->message);
  /* The guest's own clock is virtual in deterministic mode and says
   * nothing about the kernel's; the test reads the log's times then. */
  if (getenv("CHECK_CLOCK") != NULL)
    printf("waited past the deadline: %s\n",
           waited >= (uint64_t)env_int("DEADLINE_MS", 0) * 1000000u ? "yes"
                                                                    : "no");
  say(apptest_v1_MODE_RELEASE, 0, "", 0, released, unexpected_fail,
      (void *)"release");
}

static void start_deadline(void) {
  held_at_ns = now_ns();
  say(apptest_v1_MODE_HOLD, 1, "hold", 0, unexpected_ok, held_failed, NULL);
}

/* ---- slow -------------------------------------------------------------- */

static void slow_answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  (void)r;
  printf("slow call answered after its deadline\n");
  parigot_exit(1);
}

static void slow_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("slow call failed: code %" PRIu32 ": %s\n", st->code, st->message);
  parigot_exit(st->code == PARIGOT_CODE_DEADLINE_EXCEEDED ? 0 : 1);
}

/* Both guests of the app busy at once keep every worker of the kernel
 * busy too: no worker is free to fire the deadline when it passes, so the
 * kernel must notice it when the late answer comes. */
static void start_slow(void) {
  say(apptest_v1_MODE_SLOW, env_int("SLOW_MS", 0), "", 0, slow_answered,
      slow_failed, NULL);
  uint64_t until = now_ns() + (uint64_t)env_int("BUSY_MS", 0) * 1000000u;
  while (now_ns() < until)
    continue;
}

/* ---- crash -------------------------------------------------------------- */

static void next_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("next call failed: code %" PRIu32 ": %s\n", st->code, st->message);
  parigot_exit(st->code == PARIGOT_CODE_UNAVAILABLE ? 0 : 1);
}

static void crash_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("crashed call failed: code %" PRIu32 ": %s\n", st->code, st->message);
  say(apptest_v1_MODE_ECHO, 1, "", 0, unexpected_ok, next_failed,
      (void *)"next");
}

/* ---- apperror ----------------------------------------------------------- */

static void refused(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("refused: code %" PRIu32 " app_error %" PRId32 " message \"%s\"\n",
         st->code, st->app_error, st->message);
  parigot_exit(st->code == PARIGOT_CODE_UNKNOWN &&
                       st->app_error == apptest_v1_ECHO_ERROR_TOO_LOUD
                   ? 0
                   : 1);
}

static void echoed_first(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("echo: %" PRId64 " \"%.*s\"\n", r->value, (int)r->text.len,
         (const char *)r->text.data);
  say(apptest_v1_MODE_FAIL, 0, "shout", apptest_v1_ECHO_ERROR_TOO_LOUD,
      unexpected_ok, refused, (void *)"fail");
}

static void start_apperror(void) {
  say(apptest_v1_MODE_ECHO, 41, "hi", 0, echoed_first, unexpected_fail,
      (void *)"echo");
}

/* ---- many --------------------------------------------------------------- */

static int count, answered, wrong, early;
static unsigned char *seen;
static bool is_dispatching;

static int64_t value_of(int i) {
  return (int64_t)i * 7 + 1;
}

static void many_done(void) {
  if (++answered < count)
    return;
  int missing = 0, twice = 0;
  for (int i = 0; i < count; i++) {
    missing += seen[i] == 0;
    twice += seen[i] > 1;
  }
  printf("answers: %d, wrong: %d, missing: %d, twice: %d, before all were "
         "sent: %d\n",
         answered, wrong, missing, twice, early);
  parigot_exit(wrong || missing || twice || early ? 1 : 0);
}

static void many_ok(void *ctx, const apptest_v1_EchoResponse *r) {
  int i = (int)(intptr_t)ctx;
  char text[16];
  snprintf(text, sizeof text, "n%d", i);
  early += is_dispatching;
  wrong += r->value != value_of(i) || r->text.len != strlen(text) ||
           memcmp(r->text.data, text, r->text.len) != 0;
  seen[i]++;
  many_done();
}

static void many_fail(void *ctx, const parigot_status *st) {
  int i = (int)(intptr_t)ctx;
  parigot_log(PARIGOT_ERROR, "call %d failed: code %" PRIu32 ": %s", i,
              st->code, st->message);
  wrong++;
  seen[i]++;
  many_done();
}

static void start_many(void) {
  count = env_int("COUNT", 1000);
  seen = calloc((size_t)count, 1);
  if (seen == NULL)
    parigot_exit(70);
  is_dispatching = true;
  for (int i = 0; i < count; i++) {
    char text[16];
    snprintf(text, sizeof text, "n%d", i);
    say(apptest_v1_MODE_ECHO, value_of(i), text, 0, many_ok, many_fail,
        (void *)(intptr_t)i);
  }
  is_dispatching = false;
  printf("dispatched: %d\n", count);
}

/* ---- denied ------------------------------------------------------------- */

static uint32_t denied_code = UINT32_MAX;

static void forward_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  denied_code = st->code;
}

static void forward_ok(void *ctx, const apptest_v1_ForwardResponse *r) {
  (void)ctx;
  (void)r;
  printf("sdk: Relay.Forward answered\n");
  parigot_exit(1);
}

static void echo_still_answers(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("echo still answers: %" PRId64 "\n", r->value);
  parigot_exit(0);
}

static void start_denied(void) {
  apptest_v1_ForwardRequest req;
  apptest_v1_ForwardRequest_init(&req);
  parigot_future *f =
      apptest_v1_Relay_Forward(&req, forward_ok, forward_failed, NULL);
  /* The failure continuation has already run if the SDK refused at once. */
  printf("sdk: Relay.Forward %s, code %" PRIu32 "\n",
         f == NULL ? "refused at once" : "dispatched", denied_code);
  uint32_t handle = 77;
  static const char relay[] = "apptest.v1.Relay", echo[] = "apptest.v1.Echo";
  printf("kernel: locate %s: %d\n", relay,
         (int)parigot_abi_locate(relay, sizeof relay - 1, &handle));
  printf("kernel: locate %s: %d, handle %" PRIu32 "\n", echo,
         (int)parigot_abi_locate(echo, sizeof echo - 1, &handle), handle);
  uint64_t id = 0;
  printf("kernel: dispatch on handle 1: %d\n",
         (int)parigot_abi_dispatch(1, "Forward", 7, (const uint8_t *)"", 0, 0,
                                   &id));
  say(apptest_v1_MODE_ECHO, 5, "", 0, echo_still_answers, unexpected_fail,
      (void *)"echo");
}

/* ---- mixed -------------------------------------------------------------- */

static int mixed_left;

static void mixed_released(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("release: %" PRId64 "\n", r->value);
  parigot_log(PARIGOT_INFO, "done");
  parigot_exit(0);
}

static void mixed_settled(void) {
  if (--mixed_left == 0)
    say(apptest_v1_MODE_RELEASE, 0, "", 0, mixed_released, unexpected_fail,
        (void *)"release");
}

static void mixed_forwarded(void *ctx, const apptest_v1_ForwardResponse *r) {
  printf("forward %d: %" PRId64 " after %" PRId32 " hops\n", (int)(intptr_t)ctx,
         r->value, r->hops);
  mixed_settled();
}

static void mixed_echoed(void *ctx, const apptest_v1_EchoResponse *r) {
  printf("echo %d: %" PRId64 "\n", (int)(intptr_t)ctx, r->value);
  mixed_settled();
}

static void mixed_failed(void *ctx, const parigot_status *st) {
  printf("call %d failed: code %" PRIu32 " app_error %" PRId32 ": %s\n",
         (int)(intptr_t)ctx, st->code, st->app_error, st->message);
  mixed_settled();
}

static void start_mixed(void) {
  uint64_t r = 0;
  struct timespec ts;
  getentropy(&r, sizeof r);
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("random: %016" PRIx64 "\n", r);
  printf("clock: %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  parigot_log(PARIGOT_INFO, "random %016" PRIx64, r);
  for (int i = 0; i < 4; i++) {
    apptest_v1_ForwardRequest req;
    apptest_v1_ForwardRequest_init(&req);
    req.value = i * 10;
    apptest_v1_Relay_Forward(&req, mixed_forwarded, mixed_failed,
                             (void *)(intptr_t)i);
    say(apptest_v1_MODE_ECHO, 100 + i, "", 0, mixed_echoed, mixed_failed,
        (void *)(intptr_t)(10 + i));
  }
  say(apptest_v1_MODE_FAIL, 0, "no", apptest_v1_ECHO_ERROR_REFUSED,
      mixed_echoed, mixed_failed, (void *)20);
  say(apptest_v1_MODE_HOLD, 0, "", 0, mixed_echoed, mixed_failed, (void *)21);
  mixed_left = 10;
}

/* ---- queued ------------------------------------------------------------- */

static int queued_left = 12, queued_unavailable;

static void queued_settled(void) {
  if (--queued_left > 0)
    return;
  printf("queued: %d of 12 calls failed UNAVAILABLE\n", queued_unavailable);
  parigot_exit(0);
}

static void queued_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  queued_unavailable += st->code == PARIGOT_CODE_UNAVAILABLE;
  queued_settled();
}

static void queued_answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx, (void)r;
  queued_settled();
}

static void queued_forward_answered(void *ctx,
                                    const apptest_v1_ForwardResponse *r) {
  (void)ctx, (void)r;
  queued_settled();
}

static void start_queued(void) {
  say(apptest_v1_MODE_CRASH, 0, "", 0, queued_answered, queued_failed, NULL);
  for (int i = 0; i < 10; i++)
    say(apptest_v1_MODE_ECHO, i, "", 0, queued_answered, queued_failed, NULL);
  apptest_v1_ForwardRequest req;
  apptest_v1_ForwardRequest_init(&req);
  apptest_v1_Relay_Forward(&req, queued_forward_answered, queued_failed, NULL);
}

/* ---- spin --------------------------------------------------------------- */

static void spin_next_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("next call failed: code %" PRIu32 ": %s\n", st->code, st->message);
  parigot_exit(0);
}

static void spin_failed(void *ctx, const parigot_status *st) {
  printf("%s call failed: code %" PRIu32 ": %s\n", (const char *)ctx, st->code,
         st->message);
  say(apptest_v1_MODE_ECHO, 1, "", 0, unexpected_ok, spin_next_failed,
      (void *)"next");
}

/* ---- stress ------------------------------------------------------------- */

static int stress_round, stress_rounds, stress_pending;
static int stress_answered, stress_expired, stress_wrong;

static void stress_next(void);

static void stress_settled(void) {
  if (--stress_pending == 0)
    stress_next();
}

static void stress_echoed(void *ctx, const apptest_v1_EchoResponse *r) {
  stress_answered += r->value == (int64_t)(intptr_t)ctx;
  stress_wrong += r->value != (int64_t)(intptr_t)ctx;
  stress_settled();
}

static void stress_forwarded(void *ctx, const apptest_v1_ForwardResponse *r) {
  /* Relay adds one on its way through Echo: two hops. */
  bool ok = r->value == (int64_t)(intptr_t)ctx + 1 && r->hops == 2;
  stress_answered += ok;
  stress_wrong += !ok;
  stress_settled();
}

static void stress_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  stress_expired += st->code == PARIGOT_CODE_DEADLINE_EXCEEDED;
  stress_wrong += st->code != PARIGOT_CODE_DEADLINE_EXCEEDED;
  stress_settled();
}

static void stress_next(void) {
  if (stress_round == stress_rounds) {
    printf("%s: %d rounds, %d answered, %d expired, %d wrong\n", getenv("TAG"),
           stress_rounds, stress_answered, stress_expired, stress_wrong);
    parigot_exit(stress_wrong != 0);
  }
  int round = ++stress_round;
  int burst = 1 + round % 4;
  stress_pending = burst + 1 + (round % 20 == 0);
  for (int i = 0; i < burst; i++)
    say(apptest_v1_MODE_ECHO, round * 10 + i, "", 0, stress_echoed,
        stress_failed, (void *)(intptr_t)(round * 10 + i));
  apptest_v1_ForwardRequest req;
  apptest_v1_ForwardRequest_init(&req);
  req.value = round;
  apptest_v1_Relay_Forward(&req, stress_forwarded, stress_failed,
                           (void *)(intptr_t)round);
  if (round % 20 == 0) {
    parigot_next_call_timeout(1000000);
    say(apptest_v1_MODE_SLOW, 20, "", 0, stress_echoed, stress_failed, NULL);
  }
}

/* ---- args --------------------------------------------------------------- */

/* A reactor has no main(): the SDK gets argv from WASI. */
static void start_args(void) {
  int argc = 0;
  const char *const *argv = parigot_args(&argc);
  if (argv == NULL || argv[argc] != NULL)
    parigot_exit(1);
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++)
    printf("argv[%d]=%s\n", i, argv[i]);
  printf("SCENARIO=%s\n", getenv("SCENARIO"));
  parigot_exit(0);
}

/* ---- context: the call's own deadline, time left and caller ------------ */

static void context_ok(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  /* 300 ms asked for; the kernel's clock moved a little since. */
  printf("time left within 300ms: %s; caller: %.*s\n",
         r->value > 290000000 && r->value <= 300000000 ? "yes" : "no",
         (int)r->text.len, (const char *)r->text.data);
  parigot_exit(0);
}

static void start_context(void) {
  parigot_next_call_timeout(300000000);
  say(apptest_v1_MODE_CONTEXT, 0, "", 0, context_ok, unexpected_fail,
      (void *)"context");
}

/* ---- big: events larger than the SDK's first event buffer --------------- */

static void big_ok(void *ctx, const apptest_v1_EchoResponse *r) {
  const char *sent = ctx;
  printf("echoed %zu bytes: %s\n", r->text.len,
         r->text.len == strlen(sent) &&
                 memcmp(r->text.data, sent, r->text.len) == 0
             ? "same"
             : "different");
  parigot_exit(0);
}

static void start_big(void) {
  static char text[100001];
  for (size_t i = 0; i < sizeof text - 1; i++)
    text[i] = (char)('a' + i % 26);
  say(apptest_v1_MODE_ECHO, 0, text, 0, big_ok, unexpected_fail, text);
}

/* ---- restart ------------------------------------------------------------ */

static int crashes_left, crashes_unavailable, restarts_seen;

static void restart_crash(void);

static void restart_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  crashes_unavailable += st->code == PARIGOT_CODE_UNAVAILABLE;
  /* Echo's RESTARTED comes next. */
}

static void dead_for_good(void *ctx, const parigot_status *st) {
  printf("%s: code %" PRIu32 ": %s\n", (const char *)ctx, st->code,
         st->message);
  if (strcmp(ctx, "crash past max_restarts") == 0)
    say(apptest_v1_MODE_ECHO, 1, "", 0, unexpected_ok, dead_for_good,
        (void *)"then");
  else
    parigot_exit(0);
}

static void answers_after_restarts(void *ctx,
                                   const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("%d crashes failed UNAVAILABLE; %d restarts seen; then echo "
         "answered %" PRId64 "\n",
         crashes_unavailable, restarts_seen, r->value);
  say(apptest_v1_MODE_CRASH, 0, "", 0, unexpected_ok, dead_for_good,
      (void *)"crash past max_restarts");
}

static void restart_crash(void) {
  crashes_left--;
  say(apptest_v1_MODE_CRASH, 0, "", 0, unexpected_ok, restart_failed, NULL);
}

static void echo_restarted(const parigot_pb_service_desc *service) {
  (void)service;
  restarts_seen++;
  if (crashes_left > 0)
    restart_crash();
  else
    say(apptest_v1_MODE_ECHO, 42, "", 0, answers_after_restarts,
        unexpected_fail, (void *)"after the restarts");
}

/* Queued behind the first crash, it fails with it, and the restarted
 * Echo never sees it (it would log that it holds it). */
static void behind_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("call queued behind the crash: code %" PRIu32 "\n", st->code);
}

static void start_restart(void) {
  crashes_left = env_int("CRASHES", 3);
  parigot_on_required_restarted(echo_restarted);
  restart_crash();
  say(apptest_v1_MODE_HOLD, 0, "", 0, unexpected_ok, behind_failed, NULL);
}

/* ---- placement: what a caller sees, wherever the callee runs ----------- */

static int placement_step;
static char placement_big[100001];
static void placement_next(void);

static void placement_failed(void *ctx, const parigot_status *st) {
  printf("%s: code %" PRIu32 " app_error %" PRId32 ": %s\n", (const char *)ctx,
         st->code, st->app_error, st->message);
  placement_next();
}

static void placement_echoed(void *ctx, const apptest_v1_EchoResponse *r) {
  if (strcmp(ctx, "context") == 0)
    printf("context: caller %.*s, time left %s\n", (int)r->text.len,
           (const char *)r->text.data,
           r->value > 0 && r->value <= 1000000000 ? "<= 1s" : "wrong");
  else if (strcmp(ctx, "big") == 0)
    printf("big: %zu bytes, %s\n", r->text.len,
           r->text.len == strlen(placement_big) &&
                   memcmp(r->text.data, placement_big, r->text.len) == 0
               ? "same"
               : "different");
  else
    printf("%s: %" PRId64 " %.*s\n", (const char *)ctx, r->value,
           (int)r->text.len, (const char *)r->text.data);
  placement_next();
}

static void placement_forwarded(void *ctx,
                                const apptest_v1_ForwardResponse *r) {
  printf("%s: %" PRId64 " after %" PRId32 " hops\n", (const char *)ctx,
         r->value, r->hops);
  placement_next();
}

static void placement_next(void) {
  apptest_v1_ForwardRequest fwd;
  switch (placement_step++) {
  case 0:
    say(apptest_v1_MODE_ECHO, 5, "hi", 0, placement_echoed, placement_failed,
        (void *)"echo");
    return;
  case 1:
    apptest_v1_ForwardRequest_init(&fwd);
    fwd.value = 10;
    apptest_v1_Relay_Forward(&fwd, placement_forwarded, placement_failed,
                             (void *)"forward");
    return;
  case 2:
    say(apptest_v1_MODE_FAIL, 0, "no", apptest_v1_ECHO_ERROR_REFUSED,
        placement_echoed, placement_failed, (void *)"refused");
    return;
  case 3:
    parigot_next_call_timeout(50000000);
    say(apptest_v1_MODE_HOLD, 0, "", 0, placement_echoed, placement_failed,
        (void *)"held");
    return;
  case 4:
    parigot_next_call_timeout(1000000000);
    say(apptest_v1_MODE_CONTEXT, 0, "", 0, placement_echoed, placement_failed,
        (void *)"context");
    return;
  case 5:
    for (size_t i = 0; i < sizeof placement_big - 1; i++)
      placement_big[i] = (char)('a' + i % 26);
    say(apptest_v1_MODE_ECHO, 0, placement_big, 0, placement_echoed,
        placement_failed, (void *)"big");
    return;
  default:
    parigot_exit(0);
  }
}

/* ---- failover: a unit killed under a caller, then back ------------------ */

static int failover_answered;
static uint32_t failover_code; /* of the call that failed */
static bool failover_died;

static void failover_call(void);

static void failover_ok(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)r;
  if (ctx != NULL) { /* the call after Echo came back */
    printf("told echo died: %s\nfailed call: code %" PRIu32 "\n"
           "calls succeed again\n",
           failover_died ? "yes" : "no", failover_code);
    parigot_exit(0);
  }
  if (++failover_answered == 100)
    parigot_log(PARIGOT_INFO, "100 calls answered");
  failover_call();
}

static void failover_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  failover_code = st->code; /* Echo's RESTARTED comes, in time */
}

static void failover_call(void) {
  say(apptest_v1_MODE_ECHO, 1, "", 0, failover_ok, failover_failed, NULL);
}

static void failover_died_fn(const parigot_pb_service_desc *service,
                             const char *why) {
  (void)service, (void)why;
  failover_died = true;
}

static void failover_back(const parigot_pb_service_desc *service) {
  (void)service;
  say(apptest_v1_MODE_ECHO, 1, "", 0, failover_ok, unexpected_fail,
      (void *)"again");
}

static void start_failover(void) {
  parigot_on_required_died(failover_died_fn);
  parigot_on_required_restarted(failover_back);
  failover_call();
}

/* ---- silent: a service that never answers ------------------------------- */

static void silent_answered(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  printf("next call answered %" PRId64 "\n", r->value);
  parigot_exit(0);
}

static void silent_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("unanswered call failed: code %" PRIu32 ": %s\n", st->code,
         st->message);
  say(apptest_v1_MODE_ECHO, 7, "", 0, silent_answered, unexpected_fail,
      (void *)"next");
}

static void start_silent(void) {
  parigot_next_call_timeout((uint64_t)env_int("TIMEOUT_MS", 100) * 1000000u);
  say(apptest_v1_MODE_HOLD, 0, "", 0, unexpected_ok, silent_failed, NULL);
}

/* ---- the guest's two functions ------------------------------------------ */

void parigot_guest_declare(void) {
  scenario = getenv("SCENARIO");
  if (is("deadline") || is("slow") || is("crash") || is("apperror") ||
      is("many") || is("denied") || is("mixed") || is("context") || is("big") ||
      is("stress") || is("spin") || is("quit") || is("queued") || is("hog") ||
      is("leave") || is("restart") || is("silent") || is("placement") ||
      is("failover"))
    apptest_v1_Echo_require();
  if (is("mixed") || is("stress") || is("queued") || is("placement"))
    apptest_v1_Relay_require();
}

void parigot_guest_start(void) {
  if (is("deadline"))
    start_deadline();
  else if (is("slow"))
    start_slow();
  else if (is("crash"))
    say(apptest_v1_MODE_CRASH, 0, "", 0, unexpected_ok, crash_failed,
        (void *)"crash");
  else if (is("apperror"))
    start_apperror();
  else if (is("many"))
    start_many();
  else if (is("denied"))
    start_denied();
  else if (is("mixed"))
    start_mixed();
  else if (is("args"))
    start_args();
  else if (is("context"))
    start_context();
  else if (is("big"))
    start_big();
  else if (is("queued"))
    start_queued();
  else if (is("leave"))
    say(apptest_v1_MODE_EXIT, 0, "", 0, unexpected_ok, spin_failed,
        (void *)"leaving");
  else if (is("hog"))
    say(apptest_v1_MODE_HOG, 0, "", 0, unexpected_ok, spin_failed,
        (void *)"hogging");
  else if (is("quit")) {
    say(apptest_v1_MODE_SLOW, 50, "", 0, unexpected_ok, unexpected_fail,
        (void *)"quit");
    parigot_exit(0);
  } else if (is("spin"))
    say(apptest_v1_MODE_SPIN, 0, "", 0, unexpected_ok, spin_failed,
        (void *)"spinning");
  else if (is("stress")) {
    stress_rounds = env_int("ROUNDS", 100);
    stress_next();
  } else if (is("restart"))
    start_restart();
  else if (is("silent"))
    start_silent();
  else if (is("placement"))
    placement_next();
  else if (is("failover"))
    start_failover();
  else if (is("exit"))
    parigot_exit(env_int("EXIT_CODE", 0));
  else if (is("trap"))
    __builtin_trap();
  else if (is("idle"))
    return; /* nothing to wait for, and no exit: stuck */
  else
    parigot_exit(64); /* a manifest without a known SCENARIO */
}
