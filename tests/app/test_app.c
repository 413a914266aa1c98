/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/test_app.c: the kernel's Milestone-1 behaviour as a user sees
 * it: `parigot run` and `parigot test` on small apps of real guests (built
 * into PG_APP_DIR beside their manifests), checking stdout, the log on
 * stderr and the exit status. Start order, graph errors, permissions,
 * deadlines, service errors, exit codes, many calls in flight, hostile
 * input to the ABI, determinism, the ABI version check, manifest args, and
 * the helloworld example.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "manifest.h"
#include "test.h"
#include "test_mem.h"
#include "test_proc.h"

/* The path of a test manifest; one buffer per call site is enough, as no
 * test needs two paths at once. */
static const char *app(const char *manifest) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", PG_APP_DIR, manifest);
  return path;
}

/* `parigot run` of test manifest @p manifest in both modes, which must
 * give the same outcome: stdout @p out, exit @p status, and every line of
 * @p lines (NULL-terminated) in the log. */
static void expect_in_both_modes(const char *manifest, const char *out,
                                 int status, const char *const *lines) {
  for (int deterministic = 0; deterministic < 2; deterministic++) {
    pg_proc_result r;
    if (deterministic)
      pg_proc_parigot(&r, "run", "--deterministic", app(manifest), NULL);
    else
      pg_proc_parigot(&r, "run", app(manifest), NULL);
    ASSERT_STREQ(r.out, out);
    for (size_t i = 0; lines[i] != NULL; i++)
      ASSERT_CONTAINS(r.err, lines[i]);
    ASSERT_EQ(r.status, status);
    pg_proc_result_free(&r);
  }
}

/* The guests that logged @p what ("ready"), in log order, separated by
 * spaces. A log line is "t=S.US LEVEL guest[ call=N]: message". */
static void said_order(const char *log, const char *what, char *out,
                       size_t cap) {
  char tail[64];
  size_t tlen = (size_t)snprintf(tail, sizeof tail, ": %s", what);
  out[0] = '\0';
  for (const char *line = log; *line != '\0';) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    const char *who = memchr(line, ' ', len);
    if (who != NULL && len >= tlen &&
        memcmp(line + len - tlen, tail, tlen) == 0) {
      who = strchr(who + 1, ' '); /* past the level */
      while (*who == ' ')
        who++;
      size_t wlen = (size_t)(line + len - tlen - who);
      snprintf(out + strlen(out), cap - strlen(out), "%s%.*s",
               out[0] ? " " : "", (int)wlen, who);
    }
    line += len + (end != NULL);
  }
}

/* The time, in microseconds, of the first log line containing @p text. */
static long log_time_us(const char *log, const char *text) {
  const char *hit = strstr(log, text);
  ASSERT_TRUE(hit != NULL);
  while (hit > log && hit[-1] != '\n')
    hit--;
  long s = 0, us = 0;
  ASSERT_EQ(sscanf(hit, "t=%ld.%ld", &s, &us), 2);
  return s * 1000000 + us;
}

/* Runs @p manifest in both modes into r[0] (parallel) and r[1]. */
static void run_both(const char *manifest, pg_proc_result r[2]) {
  pg_proc_parigot(&r[0], "run", app(manifest), NULL);
  pg_proc_parigot(&r[1], "run", "--deterministic", app(manifest), NULL);
}

/* Where @p text is in @p log; fails the test if it is not. */
static const char *at(const char *log, const char *text) {
  const char *hit = strstr(log, text);
  ASSERT_TRUE(hit != NULL);
  return hit;
}

/* ---- start-up order ----------------------------------------------------- */

PG_TEST(app_starts_a_chain_from_its_end) {
  pg_proc_result r;
  char order[256];
  pg_proc_parigot(&r, "run", "--deterministic", app("order_chain.toml"), NULL);
  ASSERT_EQ(r.status, 0);
  said_order(r.err, "ready", order, sizeof order);
  ASSERT_STREQ(order, "c b a top");
  pg_proc_result_free(&r);
}

PG_TEST(app_starts_a_diamond_bottom_up_lower_index_first) {
  pg_proc_result r;
  char order[256];
  pg_proc_parigot(&r, "run", "--deterministic", app("order_diamond.toml"),
                  NULL);
  ASSERT_EQ(r.status, 0);
  said_order(r.err, "ready", order, sizeof order);
  ASSERT_STREQ(order, "a c b d top");
  pg_proc_result_free(&r);
}

/* ---- graph errors ------------------------------------------------------- */

PG_TEST(app_cycle_is_refused_naming_every_guest_on_it) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("cycle.toml"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_STREQ(r.out, "");
  ASSERT_STREQ(r.err, "parigot: dependency cycle: a -> b -> c -> a\n");
  pg_proc_result_free(&r);
}

PG_TEST(app_requirement_nobody_exports_is_refused) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("missing.toml"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_STREQ(r.out, "");
  ASSERT_STREQ(r.err, "parigot: x requires apptest.v1.Nobody, which no "
                      "guest exports\n");
  pg_proc_result_free(&r);
}

/* ---- calls -------------------------------------------------------------- */

PG_TEST(app_call_to_unrequired_service_is_denied_by_sdk_and_kernel) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", app("denied.toml"), NULL);
  ASSERT_STREQ(r.out, "sdk: Relay.Forward refused at once, code 7\n"
                      "kernel: locate apptest.v1.Relay: -11\n"
                      "kernel: locate apptest.v1.Echo: 0, handle 0\n"
                      "kernel: dispatch on handle 1: -1\n"
                      "echo still answers: 5\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(app_call_past_deadline_fails_and_late_answer_is_dropped) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("deadline.toml"), NULL);
  ASSERT_STREQ(r.out, "held call failed: code 4: deadline exceeded\n"
                      "waited past the deadline: yes\n"
                      "late answer returned -9\n");
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.err, "echo call=1: holding the call\n");
  ASSERT_CONTAINS(r.err, "client call=1: call to echo failed: deadline "
                         "exceeded\n");
  ASSERT_CONTAINS(r.err, "echo call=1: response after the call ended "
                         "(deadline passed or caller gone): dropped\n");
  ASSERT_CONTAINS(r.err, "echo call=2: late answer returned -9\n");
  /* The kernel's clock, in the log, agrees with the guest's. */
  long held = log_time_us(r.err, "holding the call");
  long failed = log_time_us(r.err, "deadline exceeded");
  ASSERT_TRUE(failed - held >= 50000 - 1000);
  ASSERT_TRUE(failed >= 50000);
  pg_proc_result_free(&r);
}

PG_TEST(app_deadline_fires_while_every_guest_is_busy) {
  /* echo's handler and client's body are both still running when the
   * deadline passes, so no worker of the kernel is free: the timing pulse
   * ends the call, and echo's answer, 50 ms later, is refused (docs/abi.md,
   * respond: ECANCELED once the call has ended). */
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("slow.toml"), NULL);
  ASSERT_CONTAINS(r.err, "echo call=1: slow answer returned -9\n");
  ASSERT_STREQ(r.out, "slow call failed: code 4: deadline exceeded\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(app_calls_to_a_service_that_trapped_fail_unavailable) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", app("crash.toml"), NULL);
  ASSERT_STREQ(r.out, "crashed call failed: code 14: the service died\n"
                      "next call failed: code 14: callee is not running\n");
  ASSERT_CONTAINS(r.err, "ERROR echo: died: unreachable executed\n");
  /* The summary at the end, and the exit code of a service's death when
   * no program failed. */
  ASSERT_CONTAINS(r.err, "ERROR kernel: summary: echo died (unreachable "
                         "executed); 2 calls failed because of it\n");
  ASSERT_EQ(r.status, 3);
  pg_proc_result_free(&r);
}

PG_TEST(app_service_error_reaches_caller_with_its_enum_value) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", app("apperror.toml"), NULL);
  ASSERT_STREQ(r.out, "echo: 41 \"hi\"\n"
                      "refused: code 2 app_error 9 message \"refused: "
                      "shout\"\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(app_thousand_calls_in_flight_are_each_answered_once) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("many.toml"), NULL);
  ASSERT_STREQ(r.out, "dispatched: 1000\n"
                      "answers: 1000, wrong: 0, missing: 0, twice: 0, "
                      "before all were sent: 0\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* Three programs at once, in parallel mode, five times: the workers take
 * turns being the only one awake (kernel/applock.h) and hand over as calls
 * fan out, and the pulse fires deadlines while Echo is busy on a worker.
 * Each program must see every answer and every expiry, whatever the
 * interleaving; the lines come out in any order. */
PG_TEST(app_parallel_workers_hand_over_without_losing_a_call) {
  static const char *const want[] = {
      "a: 200 rounds, 700 answered, 10 expired, 0 wrong",
      "b: 200 rounds, 700 answered, 10 expired, 0 wrong",
      "c: 200 rounds, 700 answered, 10 expired, 0 wrong"};
  for (int run = 0; run < 5; run++) {
    pg_proc_result r;
    pg_proc_parigot(&r, "run", app("stress.toml"), NULL);
    ASSERT_EQ(r.status, 0);
    for (size_t i = 0; i < 3; i++) {
      char line[128];
      snprintf(line, sizeof line, "%s\n", want[i]);
      ASSERT_CONTAINS(r.out, line);
    }
    ASSERT_EQ(strlen(r.out), 3 * (strlen(want[0]) + 1));
    pg_proc_result_free(&r);
  }
}

/* A handler that loops for ever without calling the host is stopped by
 * the pulse once its max_handler_time (20 ms) has passed, never before:
 * its caller's call fails UNAVAILABLE, the next call too, the log says
 * why, and the program goes on to exit 0. Deterministic mode stops it at
 * the same point of the log every time. The app ends with the status of
 * a service that died. */
PG_TEST(app_runaway_handler_is_stopped_after_its_max_handler_time) {
  static const char out[] =
      "spinning call failed: code 14: the service died\n"
      "next call failed: code 14: callee is not running\n";
  pg_proc_result r, again;
  pg_proc_parigot(&r, "run", app("spin.toml"), NULL);
  ASSERT_STREQ(r.out, out);
  ASSERT_EQ(r.status, 3); /* a service died, no program failed */
  ASSERT_CONTAINS(r.err, "ERROR echo: died: ran past its max_handler_time "
                         "(20ms)\n");
  ASSERT_TRUE(log_time_us(r.err, "ran past its max_handler_time") >= 20000);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", "--deterministic", app("spin.toml"), NULL);
  pg_proc_parigot(&again, "run", "--deterministic", app("spin.toml"), NULL);
  ASSERT_STREQ(r.out, out);
  ASSERT_EQ(r.status, 3);
  ASSERT_CONTAINS(r.err, "t=0.020003 ERROR echo: died: ran past its "
                         "max_handler_time (20ms)\n");
  ASSERT_STREQ(r.err, again.err);
  pg_proc_result_free(&r);
  pg_proc_result_free(&again);
}

/* A start hook that never ends is stopped by its max_handler_time, and a
 * guest that requires it starts only after that, in parallel mode as in
 * deterministic mode: its calls find the service dead, never half-started. */
PG_TEST(app_runaway_start_hook_is_stopped_and_dependents_start_after_it) {
  static const char *const lines[] = {
      "ERROR echo: died: ran past its max_handler_time "
      "(30ms)\n",
      NULL};
  expect_in_both_modes("startspin.toml",
                       "spinning call failed: code 14: callee is not running\n"
                       "next call failed: code 14: callee is not running\n",
                       3, lines);
}

/* A program that exits in the middle of its call: the kernel cancels the
 * call, Echo's answer is refused and dropped, and the rest of the app goes
 * on. In both modes, with the same outcome. */
PG_TEST(app_calls_of_a_guest_that_exits_are_cancelled) {
  /* No call numbers: in parallel mode the waiter may call first. */
  static const char *const lines[] = {
      ": call to echo cancelled: the caller is gone\n",
      ": slow answer returned -9\n", NULL};
  expect_in_both_modes("quit.toml",
                       "waiter: 5 rounds, 17 answered, 0 expired, 0 wrong\n", 0,
                       lines);
}

/* A dependency that dies while calls are queued for it: every queued call,
 * and the one its dependent (Relay) makes on the caller's behalf, fails
 * UNAVAILABLE at once; Relay itself stays up and answers. */
PG_TEST(app_dependency_dying_with_calls_queued_fails_them_all) {
  static const char *const lines[] = {
      /* Relay, which requires Echo, is told (parigot_on_required_died),
       * and is still there to log it. */
      "INFO  relay: apptest.v1.Echo died: unreachable "
      "executed\n",
      "ERROR kernel: summary: echo died (unreachable "
      "executed); 12 calls failed because of it\n",
      NULL};
  expect_in_both_modes("queued.toml",
                       "queued: 12 of 12 calls failed UNAVAILABLE\n", 3, lines);
}

/* A service that runs out of its 4 MiB of memory and aborts, as C code
 * does on a failed malloc: the call fails UNAVAILABLE, the app goes on. */
PG_TEST(app_service_out_of_memory_dies_alone) {
  static const char *const lines[] = {
      "ERROR echo: died: unreachable executed\n", NULL};
  expect_in_both_modes("hog.toml",
                       "hogging call failed: code 14: the service died\n"
                       "next call failed: code 14: callee is not running\n",
                       3, lines);
}

/* A service that exits in the middle of a call dies like one that traps:
 * the call fails UNAVAILABLE, the log and the summary say it exited. */
PG_TEST(app_service_exiting_mid_call_fails_it_unavailable) {
  static const char *const lines[] = {
      "ERROR kernel: summary: echo died (a service "
      "exited); 2 calls failed because of it\n",
      NULL};
  expect_in_both_modes("leave.toml",
                       "leaving call failed: code 14: the service died\n"
                       "next call failed: code 14: callee is not running\n",
                       3, lines);
}

/* A service not started within startup_timeout fails the run (status 4),
 * with a line naming each service not started and what it waits for:
 * parallel mode sees it on time, while Echo's start hook still runs;
 * deterministic mode when that hook is stopped, on its virtual clock. */
PG_TEST(app_startup_timeout_names_what_did_not_start) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("startlate.toml"), NULL);
  ASSERT_CONTAINS(r.err, "ERROR kernel: start-up took longer than its "
                         "startup_timeout (100ms); not started: echo "
                         "(starting), relay (waits for echo)\n");
  ASSERT_TRUE(log_time_us(r.err, "start-up took longer") >= 100000);
  ASSERT_EQ(r.status, 4);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", "--deterministic", app("startlate.toml"), NULL);
  ASSERT_CONTAINS(r.err, "t=0.200001 ERROR kernel: start-up took longer "
                         "than its startup_timeout (100ms); not started: "
                         "relay (starting)\n");
  ASSERT_EQ(r.status, 4);
  pg_proc_result_free(&r);
}

/* An app of services alone runs until a signal, in both modes, then stops
 * cleanly with status 0. */
PG_TEST(app_of_services_alone_serves_until_a_signal) {
  const char *modes[] = {"--deterministic", NULL};
  for (int i = 0; i < 2; i++) {
    char *argv[] = {(char *)pg_test_parigot(), "run", (char *)app("serve.toml"),
                    NULL, NULL};
    if (modes[i] != NULL) {
      argv[2] = (char *)modes[i];
      argv[3] = (char *)app("serve.toml");
    }
    pg_proc_result r;
    pg_proc_run_signalled(argv, "relay: ready", SIGINT, 1, &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_CONTAINS(r.err, "INFO  kernel: stopping: SIGINT\n");
    ASSERT_TRUE(at(r.err, "relay: stopped") < at(r.err, "echo: stopped"));
    ASSERT_STREQ(r.out, "");
    pg_proc_result_free(&r);
  }
}

/* A second signal ends the process at once, even while a guest runs on
 * and the first could not stop the app. */
PG_TEST(app_second_signal_forces_the_exit) {
  char *argv[] = {(char *)pg_test_parigot(), "run",
                  (char *)app("unstoppable.toml"), NULL};
  pg_proc_result r;
  pg_proc_run_signalled(argv, "echo: spinning at start", SIGTERM, 2, &r);
  ASSERT_EQ(r.status, 128 + SIGTERM);
  ASSERT_TRUE(strstr(r.err, "stopping") == NULL); /* it never got there */
  pg_proc_result_free(&r);
}

/* ---- stopping ----------------------------------------------------------- */

PG_TEST(app_stops_services_in_reverse_dependency_order) {
  pg_proc_result r[2];
  char order[256];
  run_both("order_chain.toml", r);
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(r[i].status, 0);
    said_order(r[i].err, "stopping", order, sizeof order); /* the hooks */
    ASSERT_STREQ(order, "a b c");
    said_order(r[i].err, "stopped", order, sizeof order); /* the kernel */
    ASSERT_STREQ(order, "a b c");
    /* The program ended first, and each STOP came after the one before
     * it was over. */
    ASSERT_TRUE(at(r[i].err, "top: exited") < at(r[i].err, "a: stopping"));
    ASSERT_TRUE(at(r[i].err, "a: stopped") < at(r[i].err, "b: stopping"));
    pg_proc_result_free(&r[i]);
  }
  pg_proc_parigot(&r[0], "run", "--deterministic", app("order_diamond.toml"),
                  NULL);
  said_order(r[0].err, "stopped", order, sizeof order);
  ASSERT_STREQ(order, "d b c a"); /* started a c b d */
  pg_proc_result_free(&r[0]);
}

/* A dependent's STOP handler may still call what it requires: that is
 * stopped only once the answer came. */
PG_TEST(app_stop_handler_calls_a_provider_that_still_answers) {
  pg_proc_result r[2];
  run_both("stopcall.toml", r);
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(r[i].status, 0);
    const char *answered = at(r[i].err, "relay: at stop, echo answered 41");
    ASSERT_TRUE(at(r[i].err, "relay: stopping") < answered);
    ASSERT_TRUE(answered < at(r[i].err, "relay: stopped"));
    ASSERT_TRUE(at(r[i].err, "relay: stopped") <
                at(r[i].err, "echo: stopping"));
    ASSERT_CONTAINS(r[i].err, "echo: stopped\n");
    pg_proc_result_free(&r[i]);
  }
}

/* A stop that waits on a call nobody answers ends at drain_timeout
 * (200ms), not at the call's deadline (5s); the log says who was left and
 * at what. */
PG_TEST(app_drain_timeout_ends_a_stop_that_waits) {
  pg_proc_result r[2];
  run_both("drain.toml", r);
  for (int i = 0; i < 2; i++) {
    const char *line = "ERROR kernel: stopping took longer than its "
                       "drain_timeout (200ms); not stopped: relay (waits "
                       "for its calls), echo (waits for relay)\n";
    ASSERT_EQ(r[i].status, 0);
    ASSERT_CONTAINS(r[i].err, line);
    long t = log_time_us(r[i].err, line);
    ASSERT_TRUE(t >= 200000 && t < 4000000);
    ASSERT_TRUE(strstr(r[i].err, "relay: stopped") == NULL);
    pg_proc_result_free(&r[i]);
  }
}

/* A STOP handler that never returns, with a max_handler_time longer than
 * the drain_timeout, is cut off at the drain_timeout and dies. */
PG_TEST(app_stop_handler_that_never_returns_is_cut_off) {
  const char *const lines[] = {
      "echo: stopping\n",
      "ERROR echo: died: still running when drain_timeout (200ms) ran out\n",
      "summary: echo died (still running when drain_timeout (200ms) ran "
      "out); 0 calls failed because of it\n",
      NULL};
  expect_in_both_modes("drainspin.toml", "", PG_APP_EXIT_SERVICE_DIED, lines);
}

/* ---- restarting --------------------------------------------------------- */

/* Echo crashes three times and comes back each time, after its backoff,
 * through its start hook; Relay is told of each death and return; a
 * fourth crash is past max_restarts. The same in both modes. */
PG_TEST(app_restarted_service_comes_back_after_its_backoff) {
  pg_proc_result r[2];
  run_both("restart.toml", r);
  for (int i = 0; i < 2; i++) {
    const char *log = r[i].err;
    ASSERT_STREQ(r[i].out,
                 "call queued behind the crash: code 14\n"
                 "3 crashes failed UNAVAILABLE; 3 restarts seen; then echo "
                 "answered 42\n"
                 "crash past max_restarts: code 14: the service died\n"
                 "then: code 14: callee is not running\n");
    ASSERT_EQ(r[i].status, PG_APP_EXIT_SERVICE_DIED);
    const char *waits[][2] = {{"echo: restart 1 of 3 in 10ms", "10"},
                              {"echo: restart 2 of 3 in 20ms", "20"},
                              {"echo: restart 3 of 3 in 40ms", "40"}};
    const char *backs[] = {"echo: back after restart 1 of 3",
                           "echo: back after restart 2 of 3",
                           "echo: back after restart 3 of 3"};
    for (int k = 0; k < 3; k++) {
      long gap = log_time_us(log, backs[k]) - log_time_us(log, waits[k][0]);
      ASSERT_TRUE(gap >= atol(waits[k][1]) * 1000); /* never early */
    }
    ASSERT_CONTAINS(log, "relay: apptest.v1.Echo is back\n");
    ASSERT_TRUE(strstr(log, "holding the call") == NULL);
    ASSERT_CONTAINS(log, "relay: apptest.v1.Echo died: unreachable "
                         "executed\n");
    ASSERT_CONTAINS(log, "ERROR echo: not restarted: it used its 3 "
                         "restarts\n");
    ASSERT_CONTAINS(log, "summary: echo died 4 times, restarted 3 times "
                         "(last: unreachable executed); 6 calls failed "
                         "because of it\n");
    pg_proc_result_free(&r[i]);
  }
}

/* A service that dies in its start hook and will restart is still
 * starting: what requires it starts only once it is up or, here, dead for
 * good. */
PG_TEST(app_dependents_wait_for_a_service_restarting_from_its_start) {
  pg_proc_result r[2];
  run_both("startcrash.toml", r);
  for (int i = 0; i < 2; i++) {
    ASSERT_EQ(r[i].status, PG_APP_EXIT_SERVICE_DIED);
    const char *last = at(r[i].err, "echo: not restarted: it used its 2 "
                                    "restarts");
    ASSERT_TRUE(last < at(r[i].err, "relay: ready"));
    ASSERT_TRUE(at(r[i].err, "relay: ready") < at(r[i].err, "top: ready"));
    ASSERT_CONTAINS(r[i].err, "summary: echo died 3 times, restarted 2 "
                              "times");
    pg_proc_result_free(&r[i]);
  }
}

PG_TEST(app_restart_sequence_repeats_byte_for_byte) {
  pg_proc_result a, b;
  pg_proc_parigot(&a, "run", "--deterministic", app("restart.toml"), NULL);
  pg_proc_parigot(&b, "run", "--deterministic", app("restart.toml"), NULL);
  ASSERT_CONTAINS(a.err, "back after restart 3 of 3");
  ASSERT_STREQ(a.out, b.out);
  ASSERT_STREQ(a.err, b.err);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

/* The host blocks (pg_mem) live at once at their peak over a
 * deterministic run of @p manifest, which must free every one. */
static long peak_blocks(const char *manifest) {
  counter c = {.fail_at = -1};
  pg_mem mem = counting_mem(&c);
  pg_manifest m;
  char err[512];
  int status = -1;
  ASSERT_EQ(pg_manifest_load(app(manifest), &mem, &m, err, sizeof err), 0);
  FILE *log = fopen("/dev/null", "w");
  ASSERT_TRUE(log != NULL);
  pg_app_config cfg = {.manifest = &m, .is_deterministic = true, .log = log};
  int rc = pg_app_run(&cfg, &mem, &status, err, sizeof err);
  if (rc != 0)
    PG_FAIL("%s: %s", manifest, err);
  ASSERT_EQ(status, PG_APP_EXIT_SERVICE_DIED);
  fclose(log);
  pg_manifest_free(&m, &mem);
  ASSERT_EQ(c.live, 0);
  return c.peak;
}

/* 1,000 deaths and restarts use no more memory than 10: each dead
 * instance is freed, host blocks and guest memory alike. Host blocks are
 * counted exactly (a kept instance fails the count); the process's peak
 * RSS takes in the guests' linear memories, whose touched pages come to
 * tens of KiB each, so one kept per restart would show as tens of MiB. */
/* `parigot run --deterministic` of test manifest @p manifest. Under
 * AddressSanitizer freed memory waits in a quarantine before its reuse,
 * which would grow the RSS of any run that frees a lot: no quarantine. */
static void run_unquarantined(const char *manifest, pg_proc_result *r) {
  char asan[512];
  const char *had = getenv("ASAN_OPTIONS");
  snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%squarantine_size_mb=0",
           had ? had : "", had && *had ? ":" : "");
  char *env[] = {asan, NULL};
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  (char *)app(manifest), NULL};
  pg_proc_run(argv, NULL, env, r);
}

PG_TEST(app_thousand_restarts_leave_memory_flat) {
  peak_blocks("restart10.toml"); /* compiles the guests, if not cached */
  ASSERT_EQ(peak_blocks("restart1000.toml"), peak_blocks("restart10.toml"));
  pg_proc_result few, many;
  run_unquarantined("restart10.toml", &few);
  run_unquarantined("restart1000.toml", &many);
  ASSERT_CONTAINS(many.out, "1000 crashes failed UNAVAILABLE; 1000 restarts "
                            "seen; then echo answered 42\n");
  ASSERT_CONTAINS(many.err, "summary: echo died 1001 times, restarted 1000 "
                            "times");
  ASSERT_EQ(many.status, PG_APP_EXIT_SERVICE_DIED);
  ASSERT_TRUE(many.max_rss_kb - few.max_rss_kb < 8 * 1024);
  pg_proc_result_free(&few);
  pg_proc_result_free(&many);
}

/* ---- a service that never answers --------------------------------------- */

PG_TEST(app_service_that_never_answers_fails_the_call_at_its_deadline) {
  const char *const lines[] = {
      "echo call=1: holding the call\n",
      "WARN  client call=1: call to echo failed: deadline exceeded\n",
      "echo: stopped\n", NULL};
  expect_in_both_modes("silent.toml",
                       "unanswered call failed: code 4: deadline exceeded\n"
                       "next call answered 7\n",
                       0, lines);
}

/* ---- exit status -------------------------------------------------------- */

PG_TEST(app_exit_status_is_the_programs_status) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("exit3.toml"), NULL);
  ASSERT_EQ(r.status, 3);
  ASSERT_CONTAINS(r.err, "INFO  three: exited with status 3\n");
  pg_proc_result_free(&r);
}

PG_TEST(app_exit_status_is_the_first_nonzero_status) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("exit05.toml"), NULL);
  ASSERT_EQ(r.status, 5);
  ASSERT_CONTAINS(r.err, "INFO  zero: exited with status 0\n");
  ASSERT_CONTAINS(r.err, "INFO  five: exited with status 5\n");
  pg_proc_result_free(&r);
}

PG_TEST(app_exit_status_is_zero_when_every_program_succeeds) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("exit00.toml"), NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.err, "INFO  first: exited with status 0\n");
  ASSERT_CONTAINS(r.err, "INFO  second: exited with status 0\n");
  pg_proc_result_free(&r);
}

PG_TEST(app_trapping_program_fails_the_app_and_the_log_says_it_died) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("trap.toml"), NULL);
  ASSERT_EQ(r.status, 134);
  ASSERT_CONTAINS(r.err, "ERROR crasher: died: unreachable executed\n");
  pg_proc_result_free(&r);
}

/* ---- hostile input ------------------------------------------------------ */

/* Every check abuse.wasm makes, with the code docs/abi.md documents. */
static const char *const abuse_lines[] = {
    "program: ok export_service: name past the end of memory: PARIGOT_EFAULT",
    "program: ok export_service: name running off the end: PARIGOT_EFAULT",
    "program: ok export_service: length wrapping past 4 GiB: PARIGOT_EFAULT",
    "program: ok export_service: length 4 GiB - 1: PARIGOT_EFAULT",
    "program: ok export_service: empty name: PARIGOT_EINVAL",
    "program: ok export_service: 256-byte name: PARIGOT_EINVAL",
    "program: ok export_service: name with a space: PARIGOT_EINVAL",
    "program: ok require_service: name past the end of memory: "
    "PARIGOT_EFAULT",
    "program: ok require_service: length wrapping past 4 GiB: PARIGOT_EFAULT",
    "program: ok require_service: name with a slash: PARIGOT_EINVAL",
    "program: ok require_service: twice is harmless: PARIGOT_OK",
    "program: ok event_read: outside parigot_event: PARIGOT_EINVAL",
    "program: ok dispatch: inside parigot_main: PARIGOT_EINVAL",
    "program: ok locate: name past the end of memory: PARIGOT_EFAULT",
    "program: ok locate: handle past the end of memory: PARIGOT_EFAULT",
    "program: ok locate: handle running off the end: PARIGOT_EFAULT",
    "program: ok locate: handle at 4 GiB - 2: PARIGOT_EFAULT",
    "program: ok locate: name with a '!': PARIGOT_EINVAL",
    "program: ok locate: empty name: PARIGOT_EINVAL",
    "program: ok locate: a service not required: PARIGOT_EPERM",
    "program: ok locate: a service required: PARIGOT_OK",
    "program: ok dispatch: unknown handle: PARIGOT_EINVAL",
    "program: ok dispatch: method past the end of memory: PARIGOT_EFAULT",
    "program: ok dispatch: empty method: PARIGOT_EINVAL",
    "program: ok dispatch: method with a space: PARIGOT_EINVAL",
    "program: ok dispatch: request running off the end: PARIGOT_EFAULT",
    "program: ok dispatch: request length wrapping past 4 GiB: "
    "PARIGOT_EFAULT",
    "program: ok dispatch: request over max_message_size: PARIGOT_ETOOBIG",
    "program: ok dispatch: call id past the end of memory: PARIGOT_EFAULT",
    "program: ok dispatch: a good call: PARIGOT_OK",
    "program: ok respond: a live call this guest made (the caller's id): "
    "PARIGOT_ENOENT",
    "program: ok event_read: buffer past the end of memory: PARIGOT_EFAULT",
    "program: ok event_read: buffer length wrapping past 4 GiB: "
    "PARIGOT_EFAULT",
    "program: ok event_read: length past the end of memory: PARIGOT_EFAULT",
    "program: ok event_read: capacity 0: PARIGOT_ENOSPC",
    "program: ok event_read: capacity 0 reports the bytes needed: 48",
    "program: ok event_read: the START event: PARIGOT_OK",
    "program: ok event_read: kind: 1",
    "program: ok export_service: after parigot_main: PARIGOT_EINVAL",
    "program: ok require_service: after parigot_main: PARIGOT_EINVAL",
    "program: ok respond: an id never issued: PARIGOT_ENOENT",
    "program: ok respond: id 0: PARIGOT_ENOENT",
    "program: ok log: message past the end of memory: PARIGOT_EFAULT",
    "program: ok log: length wrapping past 4 GiB: PARIGOT_EFAULT",
    "program: ok log: 65537 bytes: PARIGOT_EINVAL",
    "program: ok log: level 4: PARIGOT_EINVAL",
    "program: ok log: a good line: PARIGOT_OK",
    "program: ok now: past the end of memory: PARIGOT_EFAULT",
    "program: ok now: a good clock: PARIGOT_OK",
    "program: ok event_buffer: past the end of memory: PARIGOT_EFAULT",
    "program: ok event_buffer: length wrapping past 4 GiB: PARIGOT_EFAULT",
    "probe: ok respond: status 17: PARIGOT_EINVAL",
    "probe: ok respond: response past the end of memory: PARIGOT_EFAULT",
    "probe: ok respond: response length wrapping past 4 GiB: PARIGOT_EFAULT",
    "probe: ok respond: an id never issued: PARIGOT_ENOENT",
    "probe: ok event_read: capacity 10: PARIGOT_ENOSPC",
    "probe: ok event_read: capacity 10 reports the bytes needed: 58",
    "probe: ok event_read: the CALL event: PARIGOT_OK",
    "probe: ok event_read: kind: 2",
    "probe: ok event_read: call id: 2",
    "probe: ok respond: the answer: PARIGOT_OK",
    "probe: ok respond: the same call again: PARIGOT_ENOENT",
    "program: ok respond: a call this guest made, after it ended: "
    "PARIGOT_ENOENT",
    "program: 52 checks, 0 mismatches; probe: 0 mismatches",
};

PG_TEST(app_bad_guest_input_gets_documented_errors_and_host_survives) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", app("abuse.toml"), NULL);
  /* The mismatches alone say what went wrong. */
  char bad[4096] = "";
  for (const char *m = r.out; (m = strstr(m, "MISMATCH")) != NULL; m++)
    snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%.*s\n",
             (int)strcspn(m, "\n"), m);
  ASSERT_STREQ(bad, "");
  for (size_t i = 0; i < sizeof abuse_lines / sizeof abuse_lines[0]; i++)
    ASSERT_CONTAINS(r.out, abuse_lines[i]);
  ASSERT_CONTAINS(r.err, "INFO  abuse: still alive\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* ---- determinism -------------------------------------------------------- */

/* Runs `parigot CMD [OPT] det.toml` twice into @p a; the second run must
 * repeat the first byte for byte, output and log. */
static void run_det_twice(const char *cmd, const char *opt, pg_proc_result *a) {
  pg_proc_result b;
  const char *m = app("det.toml");
  pg_proc_parigot(a, cmd, opt ? opt : m, opt ? m : NULL, NULL);
  pg_proc_parigot(&b, cmd, opt ? opt : m, opt ? m : NULL, NULL);
  ASSERT_EQ(a->status, 0);
  ASSERT_EQ(b.status, 0);
  ASSERT_STREQ(a->out, b.out);
  ASSERT_STREQ(a->err, b.err);
  pg_proc_result_free(&b);
}

PG_TEST(app_deterministic_runs_repeat_byte_for_byte) {
  pg_proc_result t, r, seeded;
  run_det_twice("test", NULL, &t);
  /* The runs did things whose order or values could have differed. */
  ASSERT_CONTAINS(t.out, "forward 3: 31 after 2 hops\n");
  ASSERT_CONTAINS(t.out, "call 21 failed: code 4 app_error 0: deadline "
                         "exceeded\n");
  ASSERT_CONTAINS(t.out, "release: -9\n");
  ASSERT_CONTAINS(t.out, "PASS mixed_test\n1 passed, 0 failed\n");
  ASSERT_CONTAINS(t.err, "dropped");
  run_det_twice("run", "--deterministic", &r);
  ASSERT_CONTAINS(r.out, "release: -9\n");
  /* Another seed gives other random bytes: the equal runs above were not
   * equal for lack of anything that could differ. */
  pg_proc_parigot(&seeded, "test", "--seed", "1", app("det.toml"), NULL);
  ASSERT_EQ(seeded.status, 0);
  ASSERT_TRUE(strcmp(t.out, seeded.out) != 0);
  pg_proc_result_free(&t);
  pg_proc_result_free(&r);
  pg_proc_result_free(&seeded);
}

/* ---- loading ------------------------------------------------------------ */

PG_TEST(app_guest_built_for_abi_3_is_refused) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("abi_v3.toml"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_STREQ(r.out, "");
  ASSERT_CONTAINS(r.err, "parigot: future: ");
  ASSERT_CONTAINS(r.err, "abi_v3.wasm: built for parigot ABI 3; this "
                         "parigot speaks ABI 1 to 2\n");
  pg_proc_result_free(&r);
}

/* Version 2 is a superset of version 1: a guest built for 1 still runs. */
PG_TEST(app_guest_built_for_abi_1_still_runs) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("abi_v1.toml"), NULL);
  ASSERT_EQ(r.status, 4);
  ASSERT_CONTAINS(r.err, "INFO  past: exited with status 4\n");
  pg_proc_result_free(&r);
}

/* A C reactor reads argv with parigot_args() and its env with getenv(). */
PG_TEST(app_guest_gets_manifest_args_after_its_name_and_its_env) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", app("args.toml"), NULL);
  ASSERT_STREQ(r.out, "argc=3\nargv[0]=args\nargv[1]=--flag\n"
                      "argv[2]=two words\nSCENARIO=args\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* ---- the example -------------------------------------------------------- */

PG_TEST(app_helloworld_runs_and_prints_bonjour) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", PG_HELLOWORLD_DIR "/helloworld.toml", NULL);
  ASSERT_STREQ(r.out, "Bonjour, world\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(app_helloworld_test_passes) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", PG_HELLOWORLD_DIR "/helloworld.toml", NULL);
  ASSERT_STREQ(r.out, "PASS hello_test\n1 passed, 0 failed\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* A call can carry its own deadline; the handler sees its time left on the
 * app's clock and who called, in both scheduler modes. */
PG_TEST(app_handler_sees_the_calls_own_deadline_and_its_caller) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", app("context.toml"), NULL);
  ASSERT_STREQ(r.out, "time left within 300ms: yes; caller: client\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", app("context.toml"), NULL);
  ASSERT_STREQ(r.out, "time left within 300ms: yes; caller: client\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* --real-clock keeps the deterministic order (the same output) but lets
 * guests read real time; without --deterministic it means nothing and is
 * refused. */
PG_TEST(app_real_clock_goes_only_with_deterministic) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--real-clock", app("apperror.toml"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "--real-clock goes with --deterministic");
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", "--deterministic", "--real-clock",
                  app("apperror.toml"), NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "echo: 41 \"hi\"\n"
                      "refused: code 2 app_error 9 message \"refused: "
                      "shout\"\n");
  pg_proc_result_free(&r);
}

/* Events bigger than a guest's event buffer take the event_read path, and
 * the buffer grows; both modes. */
PG_TEST(app_large_messages_pass_whole_both_ways) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", app("big.toml"), NULL);
  ASSERT_STREQ(r.out, "echoed 100000 bytes: same\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", app("big.toml"), NULL);
  ASSERT_STREQ(r.out, "echoed 100000 bytes: same\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* ---- stdout ------------------------------------------------------------- */

/* Guests print with printf and never flush; parigot's stdout is a pipe.
 * Each line reaches it when printed, in the order the guests printed,
 * and what a guest printed without a newline reaches it before the
 * guest's event ends: the program's before it exits, the service's as
 * it stops. Both modes. */
PG_TEST(app_stdout_of_a_service_and_a_program_is_whole_and_in_order) {
  static const char *const none[] = {NULL};
  expect_in_both_modes("stdout_calls.toml",
                       "client: before\n"
                       "svc: call 1\nclient: answered 1\n"
                       "svc: call 2\nclient: answered 2\n"
                       "svc: call 3\nclient: answered 3\n"
                       "client: last wordssvc: stopping\nsvc: bye",
                       0, none);
}

/* A service killed by the pulse in the middle of a handler has printed
 * all it printed before: the earlier handler's tail without a newline,
 * and the killed handler's lines. */
PG_TEST(app_stdout_of_a_service_killed_by_the_pulse_is_kept) {
  static const char *const lines[] = {
      "ERROR svc: died: ran past its max_handler_time (50ms)\n", NULL};
  expect_in_both_modes("stdout_killed.toml",
                       "svc: call 1\nsvc: tail 1 svc: call 2\n"
                       "svc: spinning\nclient: call 2 failed: code 14\n",
                       PG_APP_EXIT_SERVICE_DIED, lines);
}

/* A program that prints and then never returns, stopped by its
 * max_handler_time, has printed its lines. */
PG_TEST(app_stdout_of_a_stuck_program_stopped_by_the_kernel_is_kept) {
  static const char *const lines[] = {
      "ERROR client: died: ran past its max_handler_time (100ms)\n", NULL};
  pg_proc_result r[2];
  run_both("stdout_stuck.toml", r);
  for (int i = 0; i < 2; i++) {
    ASSERT_STREQ(r[i].out, "client: line 1\nclient: line 2\n");
    ASSERT_CONTAINS(r[i].err, lines[0]);
    ASSERT_TRUE(r[i].status != 0);
    pg_proc_result_free(&r[i]);
  }
}

/* A STOP handler that prints and then never returns, cut off at the
 * drain_timeout, has printed its lines. */
PG_TEST(app_stdout_of_a_stop_handler_cut_off_while_stuck_is_kept) {
  static const char *const lines[] = {
      "ERROR svc: died: still running when drain_timeout (200ms) ran out\n",
      NULL};
  expect_in_both_modes("stdout_drain.toml",
                       "client: done\nsvc: stopping\nsvc: spinning\n",
                       PG_APP_EXIT_SERVICE_DIED, lines);
}

/* ---- parigot test's verdicts -------------------------------------------- */

/* Each way a test fails is a FAIL with its reason under it: an exit
 * status, a trap, a program that never exits with nothing left to happen
 * (once printed PASS), a service it requires dying under it (once PASS
 * too); the status is 1 whenever any failed. Each test runs in an app of
 * its own, and what it printed comes just before its verdict. */
PG_TEST(app_test_fails_each_way_with_its_reason) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", app("verdicts.toml"), NULL);
  ASSERT_STREQ(r.out, "PASS passes\n"
                      "FAIL exits_5\n  exited with status 5\n"
                      "FAIL traps\n  died: unreachable executed\n"
                      "FAIL stuck\n"
                      "  did not exit: nothing was left to happen (stuck)\n"
                      "crashed call failed: code 14: the service died\n"
                      "next call failed: code 14: callee is not running\n"
                      "FAIL echo_dies\n"
                      "  service echo, which it requires, died: unreachable "
                      "executed\n"
                      "1 passed, 4 failed\n");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
}

/* --run picks tests by an extended regular expression, and only those
 * are loaded and run; --list names them and runs none; a pattern that
 * matches nothing, or is not one, is refused by name. */
PG_TEST(app_test_run_picks_tests_and_list_names_them) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "--run", "^(passes|exits_5)$",
                  app("verdicts.toml"), NULL);
  ASSERT_STREQ(r.out, "PASS passes\nFAIL exits_5\n  exited with status 5\n"
                      "1 passed, 1 failed\n");
  ASSERT_TRUE(strstr(r.err, "traps") == NULL);
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", "--list", "--run", "s$", app("verdicts.toml"),
                  NULL);
  ASSERT_STREQ(r.out, "passes\ntraps\necho_dies\n");
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", "--run", "nothing", app("verdicts.toml"), NULL);
  ASSERT_CONTAINS(r.err, "test: --run nothing: no test of ");
  ASSERT_CONTAINS(r.err, "verdicts.toml matches it");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", "--run", "(", app("verdicts.toml"), NULL);
  ASSERT_CONTAINS(r.err, "test: --run (: not a regular expression: ");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
}

/* A test that never yields (a loop in its start hook) once hung parigot
 * test for ever: --timeout stops it on the host's clock, even in
 * deterministic mode, and it fails with its reason. The timeout is each
 * test's own: the next test, in an app of its own, still passes. */
PG_TEST(app_test_stops_and_fails_tests_past_its_timeout) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "--timeout", "300ms", app("loops.toml"), NULL);
  ASSERT_STREQ(r.out, "client: line 1\nclient: line 2\n"
                      "FAIL loops\n  died: still running when the test's "
                      "timeout (300ms) ran out\n"
                      "PASS passes\n"
                      "1 passed, 1 failed\n");
  ASSERT_CONTAINS(r.err, "kernel: stopping: the test ran past its timeout "
                         "(300ms)");
  ASSERT_EQ(r.status, 1);
  ASSERT_TRUE(r.elapsed_s < 10);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", "--timeout", "soon", app("loops.toml"), NULL);
  ASSERT_CONTAINS(r.err, "test: --timeout soon: expected a duration");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
}

/* --junit writes the verdicts as JUnit XML that a real XML parser reads
 * (Python's), each failure with its reason, times on the app's clock, so
 * two deterministic runs write the same bytes; a file that cannot be
 * written is named. */
PG_TEST(app_test_writes_the_verdicts_as_junit_xml) {
  char dir[] = "/tmp/pg-junit-XXXXXX", a[64], b[64], cmd[1024];
  pg_proc_result r;
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  snprintf(a, sizeof a, "%s/a.xml", dir);
  snprintf(b, sizeof b, "%s/b.xml", dir);
  pg_proc_parigot(&r, "test", "--junit", a, app("verdicts.toml"), NULL);
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", "--junit", b, app("verdicts.toml"), NULL);
  pg_proc_result_free(&r);
  snprintf(cmd, sizeof cmd,
           "cmp -s %s %s && python3 -c \"import sys, xml.etree.ElementTree "
           "as E; s = E.parse(sys.argv[1]).getroot().find('testsuite'); "
           "c = s.findall('testcase'); f = [t.get('name') + ': ' + "
           "t.find('failure').get('message') for t in c if t.find('failure') "
           "is not None]; assert s.get('tests') == '5' and "
           "s.get('failures') == '4', s.attrib; assert f[0] == 'exits_5: "
           "exited with status 5', f; assert f[3].startswith('echo_dies: "
           "service echo'), f\" %s",
           a, b, a);
  ASSERT_EQ(system(cmd), 0);
  pg_proc_parigot(&r, "test", "--junit", "/nonexistent/dir/j.xml",
                  app("verdicts.toml"), NULL);
  ASSERT_CONTAINS(r.err, "test: --junit /nonexistent/dir/j.xml: No such file "
                         "or directory");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ASSERT_EQ(system(cmd), 0);
}
