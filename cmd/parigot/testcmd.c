/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/testcmd.c: `parigot test`, which runs an app's test
 * programs, each in a fresh app of its own, and reports each.
 *
 * Parses the command line (-j, --explore, --seed, --run, --list,
 * --timeout, --junit), loads the manifest, picks the tests, hands them to
 * the runner (testrun.h), prints each verdict as it comes, in the tests'
 * order, and writes them as JUnit XML. Owns the manifest and the verdicts
 * for the length of the command. Main thread.
 */
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "builtins.h"
#include "cli.h"
#include "manifest.h"
#include "testrun.h"
#include "units.h"
#include "wire_transport.h"

#define MAX_JOBS 1024
#define MAX_SCHEDULES 1000000

typedef struct test_opts {
  const char *run;     /* --run: a regex the test names must match */
  bool is_list;        /* --list: name the tests, run none */
  uint64_t timeout_ns; /* --timeout: each test's time on the wall clock */
  const char *junit;   /* --junit: where to write JUnit XML */
  uint64_t jobs;       /* -j: runs at once */
  uint64_t explore;    /* --explore: schedules per test, or 0 */
  uint64_t seed;       /* --seed */
  bool has_seed;
  const char *manifest;
} test_opts;

/* What the verdicts go to as they come. */
typedef struct reporter {
  const test_opts *o;
  bool explores_schedule;
  size_t passed, failed;
  pg_testrun_verdict *verdicts; /* one per test, for --junit */
} reporter;

enum {
  OPT_RUN,
  OPT_LIST,
  OPT_JOBS,
  OPT_EXPLORE,
  OPT_SEED,
  OPT_TIMEOUT,
  OPT_JUNIT,
  OPT_DETERMINISTIC
};

static const pg_cli_opt test_opts_table[] = {
    {OPT_RUN, "--run", "REGEX",
     "only the tests whose name the extended regular expression matches"},
    {OPT_LIST, "--list", NULL,
     "name the tests (those --run picks), one a line, and run none"},
    {OPT_JOBS, "-j", "N",
     "run N tests at once (default 1), each in a process of its own; the "
     "output is the same whatever N"},
    {OPT_EXPLORE, "--explore", "N",
     "run each test under the schedules of seeds 1 to N in turn, each in a "
     "fresh app, up to the first that fails; a failure names its seed"},
    {OPT_SEED, "--seed", "N",
     "run each test under the schedule of seed N, the one --explore names, "
     "its guests' random streams seeded with N too (default 0: the default "
     "schedule)"},
    {OPT_JUNIT, "--junit", "FILE",
     "also write the verdicts as JUnit XML (what CI systems read), with "
     "each test's time on the app's clock"},
    {OPT_TIMEOUT, "--timeout", "DURATION",
     "how long each test may take on the wall clock (default 5m): then what "
     "runs in its app is stopped, even in a loop, and the test fails"},
    {OPT_DETERMINISTIC, "--deterministic", NULL,
     "accepted as 'parigot run' takes it; tests always run "
     "deterministically"},
    {0, NULL, NULL, NULL},
};

static int test_main(int argc, char **argv);

const pg_cli_cmd pg_cli_test = {
    .name = "test",
    .summary = "run an app's test programs and report each",
    .synopsis = "[options] APP.toml",
    .description =
        "Runs each test program of the app (test = true in APP.toml) in a "
        "fresh app of its own, in a process of its own: fresh instances of "
        "the services it uses, fresh built-in state, nothing left by another "
        "test. Each runs deterministically and is reported: PASS when it "
        "exits with status 0 and every service it requires lived; else "
        "FAIL, and on the next line why: it exited with another status, "
        "trapped or died, did not exit (nothing was left to happen: stuck), "
        "never started (a service it requires missed its startup_timeout), "
        "or a service it requires died, or it was still running at "
        "--timeout, or the process running it was killed by a signal. Each "
        "test's output comes before its verdict, the tests in APP.toml's "
        "order, whatever -j. The last line is 'N passed, N failed'.\n\n"
        "With --explore N each test runs under the schedules of seeds 1 to "
        "N in turn (which ready event runs next, how late each message is "
        "delivered), each in a fresh app, and stops at the first that "
        "fails: its FAIL then says 'schedule: seed K' and the command that "
        "replays it, with --seed K; a test that passed under every one is "
        "'PASS name (N schedules)', with the output of its first. Runs of "
        "--explore count against -j as tests do.\n\n"
        "Options may come before or after APP.toml.",
    .exit_status = "0 when every test passed, 1 otherwise, 2 for a bad "
                   "command line or when a test's app cannot start (the "
                   "message says why).",
    .opts = test_opts_table,
    .run = test_main,
};

/* @p v as a whole number in [1, @p max]: 0, or -1 if it is not one. */
static int parse_count(const char *v, uint64_t max, uint64_t *out) {
  char *end;
  if (*v < '0' || *v > '9')
    return -1;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (*end != '\0' || errno != 0 || n == 0 || n > max)
    return -1;
  *out = n;
  return 0;
}

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *v) {
  test_opts *o = ctx;
  char *end;
  if (opt == NULL) {
    if (o->manifest != NULL) {
      pg_cli_error("test: expected one APP.toml, got %s and %s (see "
                   "'parigot test --help')",
                   o->manifest, v);
      return -1;
    }
    o->manifest = v;
    return 0;
  }
  switch (opt->id) {
  case OPT_RUN:
    o->run = v;
    break;
  case OPT_LIST:
    o->is_list = true;
    break;
  case OPT_JOBS:
    if (parse_count(v, MAX_JOBS, &o->jobs) != 0) {
      pg_cli_error("test: -j %s: expected how many tests to run at once, "
                   "from 1 to %d",
                   v, MAX_JOBS);
      return -1;
    }
    break;
  case OPT_EXPLORE:
    if (parse_count(v, MAX_SCHEDULES, &o->explore) != 0) {
      pg_cli_error("test: --explore %s: expected how many schedules to run "
                   "each test under, from 1 to %d",
                   v, MAX_SCHEDULES);
      return -1;
    }
    break;
  case OPT_SEED:
    errno = 0;
    o->seed = strtoull(v, &end, 10);
    o->has_seed = true;
    if (*v < '0' || *v > '9' || *end || errno != 0) {
      pg_cli_error("test: --seed %s: not a non-negative integer", v);
      return -1;
    }
    break;
  case OPT_JUNIT:
    o->junit = v;
    break;
  case OPT_TIMEOUT:
    if (pg_units_parse_duration(v, &o->timeout_ns) != 0 || o->timeout_ns == 0) {
      pg_cli_error("test: --timeout %s: expected a duration such as 30s or "
                   "5m",
                   v);
      return -1;
    }
    break;
  case OPT_DETERMINISTIC:
    break;
  }
  return 0;
}

/* Returns 0, 1 for --help, or -1 after printing an error. */
static int parse(test_opts *o, int argc, char **argv) {
  int rest;
  int rc = pg_cli_parse(&pg_cli_test, argc, argv, on_arg, o, &rest);
  if (rc != 0)
    return rc;
  if (o->explore != 0 && o->has_seed) {
    pg_cli_error("test: --explore and --seed do not go together: --explore "
                 "runs seeds 1 to N, --seed replays one");
    return -1;
  }
  if (o->manifest == NULL) {
    pg_cli_error("test: expected one APP.toml (see 'parigot test --help')");
    return -1;
  }
  return 0;
}

/* The test programs --run picks (all without it) into @p out (room for
 * every guest), *n of them. 0, or PG_EXIT_USAGE after saying why. */
static int pick_tests(const test_opts *o, const pg_manifest *m,
                      const char **out, size_t *n) {
  regex_t re;
  int rc;
  *n = 0;
  if (o->run != NULL && (rc = regcomp(&re, o->run, REG_EXTENDED | REG_NOSUB))) {
    char why[256];
    regerror(rc, &re, why, sizeof why);
    pg_cli_error("test: --run %s: not a regular expression: %s", o->run, why);
    return PG_EXIT_USAGE;
  }
  for (size_t i = 0; i < m->nguests; i++)
    if (m->guests[i].is_test &&
        (o->run == NULL || regexec(&re, m->guests[i].name, 0, NULL, 0) == 0))
      out[(*n)++] = m->guests[i].name;
  if (o->run != NULL)
    regfree(&re);
  if (o->run != NULL && *n == 0) {
    pg_cli_error("test: --run %s: no test of %s matches it", o->run, m->path);
    return PG_EXIT_USAGE;
  }
  return 0;
}

/* ---- reporting ---------------------------------------------------------- */

/* @p s as one shell word: as it is when nothing in it is special to the
 * shell, else in single quotes. */
static void put_shell_word(FILE *out, const char *s) {
  if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
                              "tuvwxyz0123456789_-+./:=@%,") == strlen(s)) {
    fputs(s, out);
    return;
  }
  fputc('\'', out);
  for (; *s != '\0'; s++)
    if (*s == '\'')
      fputs("'\\''", out);
    else
      fputc(*s, out);
  fputc('\'', out);
}

/* How to replay test @p name's schedule @p seed: "parigot test APP.toml
 * --run '^name$' --seed K", the name's regex characters escaped. */
static void put_replay(FILE *out, const char *manifest, const char *name,
                       uint64_t seed) {
  char re[512];
  size_t n = 0;
  re[n++] = '^';
  for (const char *p = name; *p != '\0' && n + 4 < sizeof re; p++) {
    if (strchr(".[]()*+?{}|^$\\", *p) != NULL)
      re[n++] = '\\';
    re[n++] = *p;
  }
  re[n++] = '$';
  re[n] = '\0';
  fputs("parigot test ", out);
  put_shell_word(out, manifest);
  fputs(" --run '", out);
  for (const char *p = re; *p != '\0'; p++)
    if (*p == '\'')
      fputs("'\\''", out);
    else
      fputc(*p, out);
  fprintf(out, "' --seed %llu", (unsigned long long)seed);
}

static void on_verdict(void *ctx, const pg_testrun_verdict *v) {
  reporter *rep = ctx;
  const char *name = v->result.name;
  rep->verdicts[v->test] = *v;
  if (v->has_passed) {
    rep->passed++;
    if (rep->o->explore != 0)
      printf("PASS %s (%llu schedule%s)\n", name, (unsigned long long)v->nruns,
             v->nruns == 1 ? "" : "s");
    else
      printf("PASS %s\n", name);
    return;
  }
  rep->failed++;
  printf("FAIL %s\n  %s\n", name, v->result.why);
  if (rep->explores_schedule && v->seed != 0) {
    printf("  schedule: seed %llu (replay: ", (unsigned long long)v->seed);
    put_replay(stdout, rep->o->manifest, name, v->seed);
    printf(")\n");
  }
}

/* @p s with XML's five special characters escaped, and control characters
 * other than tab and newline (which XML 1.0 cannot carry) as '?'. */
static void put_xml(FILE *out, const char *s) {
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '<')
      fputs("&lt;", out);
    else if (c == '>')
      fputs("&gt;", out);
    else if (c == '&')
      fputs("&amp;", out);
    else if (c == '"')
      fputs("&quot;", out);
    else if (c == '\'')
      fputs("&apos;", out);
    else if (c < 0x20 && c != '\t' && c != '\n')
      fputc('?', out);
    else
      fputc(c, out);
  }
}

/* A failure's message: its reason, and the schedule it failed under when
 * schedules were explored, with how to replay it. */
static void put_failure(FILE *out, const reporter *rep,
                        const pg_testrun_verdict *v) {
  char buf[1024];
  FILE *mem = fmemopen(buf, sizeof buf, "w");
  if (mem == NULL) {
    put_xml(out, v->result.why);
    return;
  }
  fputs(v->result.why, mem);
  if (rep->explores_schedule && v->seed != 0) {
    fprintf(mem,
            "; schedule: seed %llu (replay: ", (unsigned long long)v->seed);
    put_replay(mem, rep->o->manifest, v->result.name, v->seed);
    fputc(')', mem);
  }
  fclose(mem);
  buf[sizeof buf - 1] = '\0';
  put_xml(out, buf);
}

static void put_testcase(FILE *out, const char *app, const reporter *rep,
                         const pg_testrun_verdict *v) {
  fputs("    <testcase classname=\"", out);
  put_xml(out, app);
  fputs("\" name=\"", out);
  put_xml(out, v->result.name);
  fprintf(out, "\" time=\"%.6f\"", (double)v->ran_ns / 1e9);
  if (v->has_passed) {
    fputs("/>\n", out);
    return;
  }
  fputs(">\n      <failure message=\"", out);
  put_failure(out, rep, v);
  fputs("\"/>\n    </testcase>\n", out);
}

/* The verdicts as JUnit XML into @p path, whole or not at all. 0, or
 * PG_EXIT_USAGE after naming the file and why. */
static int write_junit(const char *path, const char *app, const reporter *rep,
                       size_t n) {
  char tmp[4096];
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += rep->verdicts[i].ran_ns;
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  FILE *out = fopen(tmp, "w");
  if (out == NULL) {
    pg_cli_error("test: --junit %s: %s", path, strerror(errno));
    return PG_EXIT_USAGE;
  }
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", out);
  put_xml(out, app);
  fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" time=\"%.6f\">\n", n,
          rep->failed, (double)total / 1e9);
  fputs("  <testsuite name=\"", out);
  put_xml(out, app);
  fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" time=\"%.6f\">\n", n,
          rep->failed, (double)total / 1e9);
  for (size_t i = 0; i < n; i++)
    put_testcase(out, app, rep, &rep->verdicts[i]);
  fputs("  </testsuite>\n</testsuites>\n", out);
  bool ok = fflush(out) == 0 && !ferror(out);
  ok &= fclose(out) == 0;
  if (!ok || rename(tmp, path) != 0) {
    pg_cli_error("test: --junit %s: %s", path, strerror(errno));
    unlink(tmp);
    return PG_EXIT_USAGE;
  }
  return 0;
}

/* ---- the command -------------------------------------------------------- */

/* Runs the picked tests and reports them: the exit status. */
static int run_tests(const test_opts *o, const pg_manifest *m,
                     const char *const *tests, size_t ntests) {
  char err[4096];
  reporter rep = {.o = o,
                  .explores_schedule = o->explore != 0 || o->seed != 0,
                  .verdicts = calloc(ntests + 1, sizeof *rep.verdicts)};
  pg_app_config app = {.manifest = m,
                       .is_deterministic = true,
                       .run_tests = true,
                       .tests_timeout_ns = o->timeout_ns,
                       .log = stderr,
                       .transport = &pg_wire_transport_kind};
  app.natives = pg_builtins(&app.nnatives);
  pg_testrun_config cfg = {.app = &app,
                           .tests = tests,
                           .ntests = ntests,
                           .first_seed = o->explore != 0 ? 1 : o->seed,
                           .nseeds = o->explore != 0 ? o->explore : 1,
                           .explores_schedule = rep.explores_schedule,
                           .jobs = (unsigned)o->jobs,
                           .on_verdict = on_verdict,
                           .ctx = &rep};
  if (rep.verdicts == NULL) {
    pg_cli_error("out of memory");
    return PG_EXIT_USAGE;
  }
  int status;
  if (pg_testrun_run(&cfg, err, sizeof err) != 0) {
    fflush(stdout);
    pg_cli_error("%s", err);
    status = PG_EXIT_USAGE;
  } else {
    printf("%zu passed, %zu failed\n", rep.passed, rep.failed);
    status = rep.failed == 0 ? 0 : 1;
    if (o->junit != NULL && write_junit(o->junit, m->name, &rep, ntests) != 0)
      status = PG_EXIT_USAGE;
  }
  free(rep.verdicts);
  return status;
}

static int test_main(int argc, char **argv) {
  test_opts o = {.timeout_ns = 300000000000ull, /* 5m */
                 .jobs = 1};
  int p = parse(&o, argc, argv);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(&pg_cli_test, stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  char err[4096];
  pg_manifest m;
  if (pg_manifest_load(o.manifest, pg_mem_default(), &m, err, sizeof err)) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  const char **tests = calloc(m.nguests + 1, sizeof *tests);
  size_t ntests = 0;
  int status = 0;
  if (tests == NULL || pick_tests(&o, &m, tests, &ntests) != 0) {
    status = PG_EXIT_USAGE;
  } else if (o.is_list) {
    for (size_t i = 0; i < ntests; i++)
      printf("%s\n", tests[i]);
  } else {
    status = run_tests(&o, &m, tests, ntests);
  }
  free(tests);
  pg_manifest_free(&m, pg_mem_default());
  return status;
}
