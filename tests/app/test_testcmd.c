/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/test_testcmd.c: `parigot test` as its own command: each test
 * program in a fresh app of its own, in a process of its own (a service
 * that counts its calls is fresh for each), -j N writing the same bytes as
 * -j 1, a test whose process is killed failing with the signal, children
 * compiling the same module into one cache at once, bad -j and --explore
 * values refused by name, and --explore N / --seed S: N schedules per
 * test, a failure's seed named, and --seed replaying it byte for byte.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

/* The path of a test manifest, in a buffer of the caller's. */
static char *app(char *buf, size_t cap, const char *manifest) {
  snprintf(buf, cap, "%s/%s", PG_APP_DIR, manifest);
  return buf;
}

static void expect_same_run(const pg_proc_result *a, const pg_proc_result *b) {
  ASSERT_STREQ(a->out, b->out);
  ASSERT_STREQ(a->err, b->err);
  ASSERT_EQ(a->status, b->status);
}

static const char isolation_out[] = "first: count 1\nPASS first\n"
                                    "second: count 1\nPASS second\n"
                                    "third: count 1\nPASS third\n"
                                    "fourth: count 1\nPASS fourth\n"
                                    "4 passed, 0 failed\n";

/* ---- isolation ---------------------------------------------------------- */

/* Four tests each call the counting service once and pass only as its
 * first caller: each sees a fresh service, as each runs in a fresh app.
 * The same programs in one app (parigot run) are not each the first: the
 * check can fail. */
PG_TEST(testcmd_each_test_runs_in_a_fresh_app) {
  char m[4096];
  pg_proc_result r;
  pg_proc_parigot(&r, "test", app(m, sizeof m, "isolation.toml"), NULL);
  ASSERT_STREQ(r.out, isolation_out);
  ASSERT_EQ(r.status, 0);
  /* The service stopped once per test: four instances. */
  int stopped = 0;
  for (const char *p = r.err; (p = strstr(p, "INFO  counter: stopped\n")); p++)
    stopped++;
  ASSERT_EQ(stopped, 4);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", "--deterministic", app(m, sizeof m, "shared.toml"),
                  NULL);
  ASSERT_CONTAINS(r.out, "count 2\n");
  ASSERT_CONTAINS(r.err, "count 2, expected 1: the service was not fresh");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
}

/* ---- -j ----------------------------------------------------------------- */

/* -j 4 runs four tests at once, their output kept per test and written in
 * the manifest's order: stdout and the log are the bytes -j 1 writes, and
 * so are the verdicts and the status, passing or failing. */
PG_TEST(testcmd_j4_writes_the_same_bytes_as_j1) {
  static const char *const manifests[] = {"isolation.toml", "verdicts.toml",
                                          "det.toml"};
  char m[4096];
  for (size_t i = 0; i < sizeof manifests / sizeof manifests[0]; i++) {
    pg_proc_result one, four;
    app(m, sizeof m, manifests[i]);
    pg_proc_parigot(&one, "test", "-j", "1", m, NULL);
    pg_proc_parigot(&four, "test", m, "-j", "4", NULL);
    expect_same_run(&one, &four);
    ASSERT_CONTAINS(one.out, " passed, ");
    pg_proc_result_free(&one);
    pg_proc_result_free(&four);
  }
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "-j", "4", app(m, sizeof m, "isolation.toml"),
                  NULL);
  ASSERT_STREQ(r.out, isolation_out);
  pg_proc_result_free(&r);
}

/* Bad -j and --explore values are refused by name, before anything runs;
 * so is --explore with --seed, and a seed that is not one. */
PG_TEST(testcmd_bad_job_and_schedule_counts_are_refused_by_name) {
  static const char *const bad[][3] = {
      {"-j", "0",
       "test: -j 0: expected how many tests to run at once, from "
       "1 to 1024\n"},
      {"-j", "-2", "test: -j -2: expected how many"},
      {"-j", "x", "test: -j x: expected how many"},
      {"-j", "4x", "test: -j 4x: expected how many"},
      {"-j", "", "test: -j : expected how many"},
      {"-j", "1025", "test: -j 1025: expected how many"},
      {"--explore", "0",
       "test: --explore 0: expected how many schedules to "
       "run each test under, from 1 to 1000000\n"},
      {"--explore", "-1", "test: --explore -1: expected how many schedules"},
      {"--explore", "ten", "test: --explore ten: expected how many schedules"},
      {"--seed", "-1", "test: --seed -1: not a non-negative integer\n"},
      {"--seed", "1e3", "test: --seed 1e3: not a non-negative integer\n"},
  };
  char m[4096];
  app(m, sizeof m, "isolation.toml");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pg_proc_result r;
    pg_proc_parigot(&r, "test", bad[i][0], bad[i][1], m, NULL);
    ASSERT_STREQ(r.out, "");
    ASSERT_CONTAINS(r.err, bad[i][2]);
    ASSERT_EQ(r.status, 2);
    pg_proc_result_free(&r);
  }
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "--explore", "3", "--seed", "2", m, NULL);
  ASSERT_STREQ(r.err, "parigot: test: --explore and --seed do not go "
                      "together: --explore runs seeds 1 to N, --seed "
                      "replays one\n");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", m, "-j", NULL);
  ASSERT_CONTAINS(r.err, "test: option -j needs a value, N");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
}

/* ---- a lost child ------------------------------------------------------- */

/* The process ids of @p pid's children, up to @p cap; how many. */
static size_t children_of(int pid, int *out, size_t cap) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
  FILE *f = fopen(path, "r");
  size_t n = 0;
  if (f == NULL)
    return 0;
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[len] = '\0';
  for (char *p = buf, *end; n < cap; p = end) {
    long v = strtol(p, &end, 10);
    if (end == p)
      break;
    out[n++] = (int)v;
  }
  return n;
}

/* The process that runs a test is killed (it could crash as well): the
 * test is a FAIL saying by which signal, never lost, and the next test
 * still runs. */
PG_TEST(testcmd_a_test_whose_process_is_killed_fails_with_the_signal) {
  char m[4096];
  char *argv[] = {(char *)pg_test_parigot(),      "test", "--timeout", "100s",
                  app(m, sizeof m, "loops.toml"), NULL};
  pg_proc *p = pg_proc_start(argv);
  int kids[4];
  size_t n = 0;
  /* loops, the first test, sleeps for ever in its own process. */
  for (int tries = 0; tries < 2000 && n == 0; tries++) {
    n = children_of(pg_proc_pid(p), kids, 4);
    if (n == 0)
      usleep(10000);
  }
  ASSERT_EQ(n, 1);
  usleep(200000); /* well into its app */
  ASSERT_EQ(kill(kids[0], SIGKILL), 0);
  pg_proc_result r;
  pg_proc_stop(p, 0, &r);
  /* What loops printed before, if anything, then the verdicts. */
  static const char tail[] = "FAIL loops\n"
                             "  the process running it was killed by SIGKILL\n"
                             "PASS passes\n"
                             "1 passed, 1 failed\n";
  ASSERT_TRUE(strlen(r.out) >= strlen(tail));
  ASSERT_STREQ(r.out + strlen(r.out) - strlen(tail), tail);
  ASSERT_EQ(r.status, 1);
  ASSERT_TRUE(r.elapsed_s < 60);
  pg_proc_result_free(&r);
}

/* ---- the module cache --------------------------------------------------- */

/* How many compiled modules, and work directories left, @p dir holds. */
static void count_cache(const char *dir, int *objects, int *leftovers) {
  DIR *d = opendir(dir);
  ASSERT_TRUE(d != NULL);
  *objects = *leftovers = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t len = strlen(e->d_name);
    if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0)
      (*objects)++;
    else if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      (*leftovers)++;
  }
  closedir(d);
}

/* Processes that find a module missing from an empty cache compile it at
 * the same time, each in a directory of its own, renaming the result into
 * place: every one runs its tests, the cache ends with the module once and
 * no work directory left. -j 4 on an empty cache writes what -j 1 does. */
PG_TEST(testcmd_runs_compiling_one_module_at_once_share_the_cache) {
  char dir[] = "/tmp/pg-testcmd-cache-XXXXXX", m[4096], rm[4200];
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  ASSERT_EQ(setenv("PARIGOT_CACHE", dir, 1), 0);
  char *argv[] = {(char *)pg_test_parigot(), "test",
                  app(m, sizeof m, "isolation.toml"), NULL};
  pg_proc *procs[2];
  for (int i = 0; i < 2; i++)
    procs[i] = pg_proc_start(argv);
  for (int i = 0; i < 2; i++) {
    pg_proc_result r;
    pg_proc_stop(procs[i], 0, &r);
    ASSERT_STREQ(r.out, isolation_out);
    ASSERT_EQ(r.status, 0);
    pg_proc_result_free(&r);
  }
  int objects, leftovers;
  count_cache(dir, &objects, &leftovers);
  ASSERT_EQ(objects, 1); /* counter.wasm, service and tests alike */
  ASSERT_EQ(leftovers, 0);
  snprintf(rm, sizeof rm, "rm -rf %s/*", dir);
  ASSERT_EQ(system(rm), 0);
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "-j", "4", m, NULL);
  ASSERT_STREQ(r.out, isolation_out);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  count_cache(dir, &objects, &leftovers);
  ASSERT_EQ(objects, 1);
  ASSERT_EQ(leftovers, 0);
  snprintf(rm, sizeof rm, "rm -rf %s", dir);
  ASSERT_EQ(system(rm), 0);
}

/* ---- schedules ---------------------------------------------------------- */

/* --explore N runs each test under N schedules, each in a fresh app (the
 * counting service is fresh every time): a test that passes every one says
 * so, with the output of its first; -j 4 writes the same bytes. */
PG_TEST(testcmd_explore_runs_each_passing_test_under_n_schedules) {
  char m[4096];
  pg_proc_result r, four;
  pg_proc_parigot(&r, "test", "--explore", "5",
                  app(m, sizeof m, "isolation.toml"), NULL);
  ASSERT_STREQ(r.out, "first: count 1\nPASS first (5 schedules)\n"
                      "second: count 1\nPASS second (5 schedules)\n"
                      "third: count 1\nPASS third (5 schedules)\n"
                      "fourth: count 1\nPASS fourth (5 schedules)\n"
                      "4 passed, 0 failed\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_parigot(&four, "test", "--explore", "5", "-j", "4", m, NULL);
  expect_same_run(&r, &four);
  pg_proc_result_free(&r);
  pg_proc_result_free(&four);
  pg_proc_parigot(&r, "test", "--explore", "1", m, NULL);
  ASSERT_CONTAINS(r.out, "PASS first (1 schedule)\n");
  pg_proc_result_free(&r);
}

/* The seed of @p out's "schedule: seed K" line. */
static unsigned long failing_seed(const char *out) {
  const char *s = strstr(out, "  schedule: seed ");
  ASSERT_TRUE(s != NULL);
  return strtoul(s + strlen("  schedule: seed "), NULL, 10);
}

/* dice fails under the seeds whose draw is a multiple of 4: --explore
 * stops at the first, names it and says how to replay it; every seed
 * before it passes, and --seed K replays the failing run byte for byte
 * (stdout and log). -j 4 finds the same seed. The JUnit failure names it
 * too. */
PG_TEST(testcmd_explore_names_the_first_failing_seed_and_seed_replays_it) {
  char m[4096], want[8192], seed[32], dir[] = "/tmp/pg-testcmd-XXXXXX";
  char junit[64], cmd[1024];
  pg_proc_result r, four, replay;
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  snprintf(junit, sizeof junit, "%s/j.xml", dir);
  app(m, sizeof m, "dice.toml");
  pg_proc_parigot(&r, "test", "--explore", "40", "--junit", junit, m, NULL);
  ASSERT_EQ(r.status, 1);
  unsigned long k = failing_seed(r.out);
  ASSERT_TRUE(k >= 1 && k <= 40);
  snprintf(want, sizeof want,
           "steady: count 1\nPASS steady (40 schedules)\n"
           "dice: count 1\n"
           "dice: drew ");
  ASSERT_TRUE(strncmp(r.out, want, strlen(want)) == 0);
  snprintf(want, sizeof want, "\nFAIL dice\n  exited with status 1");
  ASSERT_CONTAINS(r.out, want);
  snprintf(want, sizeof want,
           "  schedule: seed %lu (replay: parigot test %s --run '^dice$' "
           "--seed %lu)\n1 passed, 1 failed\n",
           k, m, k);
  ASSERT_CONTAINS(r.out, want);
  ASSERT_EQ(strlen(strstr(r.out, want)), strlen(want)); /* the end */
  /* -j 4 runs seeds past the first failure at once, and drops them. */
  pg_proc_parigot(&four, "test", "--explore", "40", "-j", "4", "--junit", junit,
                  m, NULL);
  expect_same_run(&r, &four);
  pg_proc_result_free(&four);
  /* Every seed before K passes; K fails, as it did. */
  for (unsigned long s = 1; s < k; s++) {
    snprintf(seed, sizeof seed, "%lu", s);
    pg_proc_parigot(&replay, "test", m, "--run", "^dice$", "--seed", seed,
                    NULL);
    ASSERT_CONTAINS(replay.out, "PASS dice\n1 passed, 0 failed\n");
    ASSERT_EQ(replay.status, 0);
    pg_proc_result_free(&replay);
  }
  snprintf(seed, sizeof seed, "%lu", k);
  pg_proc_parigot(&replay, "test", m, "--run", "^dice$", "--seed", seed, NULL);
  /* The dice part of the exploration's output, whose last line counts
   * steady too. */
  const char *dice = strstr(r.out, "dice: count 1\n");
  snprintf(want, sizeof want, "%.*s0 passed, 1 failed\n",
           (int)(strlen(dice) - strlen("1 passed, 1 failed\n")), dice);
  ASSERT_STREQ(replay.out, want);
  ASSERT_CONTAINS(r.err, replay.err); /* the dice run's log, the last */
  ASSERT_EQ(replay.status, 1);
  pg_proc_result_free(&replay);
  snprintf(cmd, sizeof cmd,
           "python3 -c \"import sys, xml.etree.ElementTree as E; "
           "s = E.parse(sys.argv[1]).getroot().find('testsuite'); "
           "c = {t.get('name'): t for t in s.findall('testcase')}; "
           "assert s.get('tests') == '2' and s.get('failures') == '1'; "
           "assert c['steady'].find('failure') is None; "
           "f = c['dice'].find('failure').get('message'); "
           "assert f.startswith('exited with status 1'), f; "
           "assert '; schedule: seed %lu (replay: ' in f, f\" %s",
           k, junit);
  ASSERT_EQ(system(cmd), 0);
  pg_proc_result_free(&r);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ASSERT_EQ(system(cmd), 0);
}

/* --seed 0 is the default schedule: the same bytes as no --seed, and a
 * failure names no schedule; another seed gives other random bytes. */
PG_TEST(testcmd_seed_zero_is_the_default_schedule) {
  char m[4096];
  pg_proc_result plain, zero, one;
  app(m, sizeof m, "det.toml");
  pg_proc_parigot(&plain, "test", m, NULL);
  pg_proc_parigot(&zero, "test", "--seed", "0", m, NULL);
  expect_same_run(&plain, &zero);
  pg_proc_parigot(&one, "test", "--seed", "1", m, NULL);
  ASSERT_TRUE(strcmp(plain.out, one.out) != 0);
  ASSERT_EQ(one.status, 0);
  pg_proc_result_free(&plain);
  pg_proc_result_free(&zero);
  pg_proc_result_free(&one);
  pg_proc_parigot(&zero, "test", "--seed", "0", "--run", "^exits_5$",
                  app(m, sizeof m, "verdicts.toml"), NULL);
  ASSERT_STREQ(zero.out, "FAIL exits_5\n  exited with status 5\n"
                         "0 passed, 1 failed\n");
  pg_proc_result_free(&zero);
}
