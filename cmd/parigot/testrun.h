/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/testrun.h: running test programs, each in a fresh app of its
 * own, in child processes, some at once, their output kept per test.
 *
 * `parigot test` (testcmd.c) gives the tests, the schedules to run each
 * under and how many runs may go at once; pg_testrun_run() forks one child
 * per (test, schedule) run, which runs the app with that one test
 * (pg_app_run) and sends its verdict back through a pipe. A child that
 * crashes or is killed fails its test with the signal's name. The verdicts
 * come back in the tests' order, each after the test's output, so what is
 * written does not depend on which run ended first.
 */
#ifndef PG_TESTRUN_H
#define PG_TESTRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

/* A test's verdict, over all the runs it had. */
typedef struct pg_testrun_verdict {
  size_t test; /* index into pg_testrun_config.tests */
  bool has_passed;
  /* The run that decided it: the first failing one, else the first. Its
   * name is the test's (borrowed from the config). */
  pg_app_program_result result;
  uint64_t seed;  /* the deciding run's seed */
  uint64_t nruns; /* runs that passed, when has_passed: every one */
  /* On the app's clock: the failing run's time, else every run's. */
  uint64_t ran_ns;
} pg_testrun_verdict;

/* Called once per test, in the order of pg_testrun_config.tests, after
 * the test's output has been written to stdout and stderr. @p v is
 * borrowed for the call. */
typedef void (*pg_testrun_verdict_cb)(void *ctx, const pg_testrun_verdict *v);

typedef struct pg_testrun_config {
  /* Everything but the tests, the seed and the schedule: manifest,
   * natives, timeout (per run), log... Borrowed; its results, nresults,
   * tests, ntests and stop_signal are the runner's. */
  const pg_app_config *app;
  const char *const *tests; /* names of test programs, borrowed */
  size_t ntests;
  /* Each test runs under the seeds first_seed .. first_seed + nseeds - 1
   * in turn, and no more once one fails. */
  uint64_t first_seed;
  uint64_t nseeds;
  bool explores_schedule; /* pg_app_config.explores_schedule */
  unsigned jobs;          /* runs at once, >= 1 */
  pg_testrun_verdict_cb on_verdict;
  void *ctx;
} pg_testrun_config;

/*
 * Runs every test, each under its seeds, from the calling thread, which
 * must be the process's only one and must not have run an app: it starts
 * none itself, only children, and takes SIGCHLD, SIGINT and SIGTERM for
 * the while. SIGINT or SIGTERM is passed on to the running children (their
 * apps stop, their tests fail), no more runs start, and the tests not run
 * fail saying so; a second signal kills the children and ends the process.
 * Returns 0 once every verdict has been given; or a negative parigot errno
 * with @p err set when a test's app could not start (the verdicts of the
 * tests before it have been given) or a child could not be made.
 */
int pg_testrun_run(const pg_testrun_config *cfg, char *err, size_t err_len);

#endif /* PG_TESTRUN_H */
