/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/run.c: `parigot run`, `parigot test` and `parigot graph`,
 * the subcommands that take an app manifest.
 *
 * Owns the loaded manifest for the length of a command. Calls the kernel's
 * app runner (kernel/app.h). Main thread, but for the handler of SIGINT
 * and SIGTERM: the first asks the app to stop (an app of services alone
 * runs until then), the second ends the process at once.
 */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "builtins.h"
#include "cli.h"
#include "manifest.h"
#include "units.h"
#include "parigot/error.h"
#include "wire_transport.h"

/* The stop signal received, for the kernel's pulse to see; a handler can
 * only reach a global. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) {
  if (stop_signal != 0)
    _exit(128 + sig); /* the second: the app did not stop, or not yet */
  stop_signal = sig;
}

/* Installs on_stop_signal for SIGINT and SIGTERM, keeping the old
 * handlers in @p old (two entries) for restore_stop_signals(). */
static void catch_stop_signals(struct sigaction old[2]) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  stop_signal = 0;
  sigaction(SIGINT, &sa, &old[0]);
  sigaction(SIGTERM, &sa, &old[1]);
}

static void restore_stop_signals(const struct sigaction old[2]) {
  sigaction(SIGINT, &old[0], NULL);
  sigaction(SIGTERM, &old[1], NULL);
}

typedef struct app_opts {
  const char *cmd;
  bool is_deterministic;
  bool has_real_clock;
  uint64_t seed;
  const char *format;  /* graph: "dot" or "svg" */
  const char *unit;    /* run --unit: the one unit to run */
  const char *run;     /* test --run: a regex the test names must match */
  bool is_list;        /* test --list: name the tests, run none */
  uint64_t timeout_ns; /* test --timeout: the tests' time on the clock */
  const char *junit;   /* test --junit: where to write JUnit XML */
  const char *manifest;
} app_opts;

static int run_main(int argc, char **argv);
static int test_main(int argc, char **argv);
static int graph_main(int argc, char **argv);

enum {
  OPT_UNIT,
  OPT_DETERMINISTIC,
  OPT_SEED,
  OPT_REAL_CLOCK,
  OPT_FORMAT,
  OPT_RUN,
  OPT_LIST,
  OPT_TIMEOUT,
  OPT_JUNIT
};

static const pg_cli_opt run_opts[] = {
    {OPT_UNIT, "--unit", "NAME",
     "run only that [[unit]] of APP.toml; it serves its services at its "
     "listen address"},
    {OPT_DETERMINISTIC, "--deterministic", NULL,
     "one thread, virtual clock, seeded random: the same inputs give the "
     "same output and log"},
    {OPT_SEED, "--seed", "N", "random seed (implies --deterministic)"},
    {OPT_REAL_CLOCK, "--real-clock", NULL,
     "with --deterministic: guests read the real clock (to time a run; "
     "output that shows times then differs from run to run)"},
    {0, NULL, NULL, NULL},
};

static const pg_cli_opt test_opts[] = {
    {OPT_RUN, "--run", "REGEX",
     "only the tests whose name the extended regular expression matches"},
    {OPT_LIST, "--list", NULL,
     "name the tests (those --run picks), one a line, and run none"},
    {OPT_JUNIT, "--junit", "FILE",
     "also write the verdicts as JUnit XML (what CI systems read), with "
     "each test's time on the app's clock"},
    {OPT_TIMEOUT, "--timeout", "DURATION",
     "how long the tests may take on the wall clock (default 5m): then what "
     "runs is stopped, even in a loop, and the tests still running fail"},
    {OPT_SEED, "--seed", "N", "random seed (default 0)"},
    {OPT_DETERMINISTIC, "--deterministic", NULL,
     "accepted as 'parigot run' takes it; tests always run "
     "deterministically"},
    {0, NULL, NULL, NULL},
};

static const pg_cli_opt graph_opts[] = {
    {OPT_FORMAT, "--format", "dot|svg",
     "Graphviz DOT (the default), or SVG drawn by Graphviz's dot"},
    {0, NULL, NULL, NULL},
};

#define OPTIONS_ANYWHERE " Options may come before or after APP.toml."

const pg_cli_cmd pg_cli_run = {
    .name = "run",
    .summary = "run an app: its services and programs, one process",
    .synopsis = "[options] APP.toml",
    .description =
        "Runs the app: every service and program of APP.toml in this one "
        "process, started in dependency order, until every program has "
        "exited. The log goes to stderr. An app of services alone runs "
        "until SIGINT or SIGTERM; a second signal ends it at "
        "once." OPTIONS_ANYWHERE,
    .exit_status = "the first non-zero status of a program, else 0; 2 when "
                   "the app cannot start (the message says why); 3 when a "
                   "service died and no program failed.",
    .opts = run_opts,
    .run = run_main,
};

const pg_cli_cmd pg_cli_test = {
    .name = "test",
    .summary = "run an app's test programs and report each",
    .synopsis = "[options] APP.toml",
    .description =
        "Runs the app's test programs (test = true in APP.toml) with its "
        "services, deterministically, and reports each: PASS when it exits "
        "with status 0 and every service it requires lived; else FAIL, and "
        "on the next line why: it exited with another status, trapped or "
        "died, did not exit (nothing was left to happen: stuck), never "
        "started (a service it requires missed its startup_timeout), or a "
        "service it requires died, or it was still running at --timeout. "
        "The last line is 'N passed, N failed'." OPTIONS_ANYWHERE,
    .exit_status = "0 when every test passed, 1 otherwise, 2 when the app "
                   "cannot start.",
    .opts = test_opts,
    .run = test_main,
};

const pg_cli_cmd pg_cli_graph = {
    .name = "graph",
    .summary = "print an app's dependency graph (DOT or SVG)",
    .synopsis = "[options] APP.toml",
    .description =
        "Loads every guest of the app, lets each declare what it exports "
        "and requires, and prints the dependency graph: Graphviz DOT, or "
        "SVG drawn by Graphviz's dot when it is installed." OPTIONS_ANYWHERE,
    .exit_status = "0; 1 when dot failed; 2 when the app cannot be loaded.",
    .opts = graph_opts,
    .run = graph_main,
};

static const pg_cli_cmd *command_of(const char *cmd) {
  if (strcmp(cmd, "test") == 0)
    return &pg_cli_test;
  return strcmp(cmd, "graph") == 0 ? &pg_cli_graph : &pg_cli_run;
}

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *v) {
  app_opts *o = ctx;
  char *end;
  if (opt == NULL) {
    if (o->manifest != NULL) {
      pg_cli_error("%s: expected one APP.toml, got %s and %s (see "
                   "'parigot %s --help')",
                   o->cmd, o->manifest, v, o->cmd);
      return -1;
    }
    o->manifest = v;
    return 0;
  }
  switch (opt->id) {
  case OPT_UNIT:
    o->unit = v;
    break;
  case OPT_DETERMINISTIC:
    o->is_deterministic = true;
    break;
  case OPT_REAL_CLOCK:
    o->has_real_clock = true;
    break;
  case OPT_SEED:
    o->seed = strtoull(v, &end, 10);
    o->is_deterministic = true;
    if (*v == '-' || *v == '\0' || *end) {
      pg_cli_error("%s: --seed %s: not a non-negative integer", o->cmd, v);
      return -1;
    }
    break;
  case OPT_RUN:
    o->run = v;
    break;
  case OPT_LIST:
    o->is_list = true;
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
  case OPT_FORMAT:
    o->format = v;
    if (strcmp(v, "dot") != 0 && strcmp(v, "svg") != 0) {
      pg_cli_error("graph: --format %s: expected dot or svg", v);
      return -1;
    }
    break;
  }
  return 0;
}

/* Returns 0, 1 for --help, or -1 after printing an error. Options may
 * come before or after APP.toml. */
static int parse(app_opts *o, int argc, char **argv) {
  int rest;
  int rc = pg_cli_parse(command_of(o->cmd), argc, argv, on_arg, o, &rest);
  if (rc != 0)
    return rc;
  if (o->has_real_clock && !o->is_deterministic) {
    pg_cli_error("%s: --real-clock goes with --deterministic (without it "
                 "every clock is real)",
                 o->cmd);
    return -1;
  }
  if (o->manifest == NULL) {
    pg_cli_error("%s: expected one APP.toml (see 'parigot %s --help')", o->cmd,
                 o->cmd);
    return -1;
  }
  return 0;
}

/* The unit named @p name, or NULL after saying which there are. */
static const pg_manifest_unit *find_unit(const pg_manifest *m,
                                         const char *name) {
  for (size_t i = 0; i < m->nunits; i++)
    if (strcmp(m->units[i].name, name) == 0)
      return &m->units[i];
  char names[1024] = "";
  size_t n = 0;
  for (size_t i = 0; i < m->nunits && n < sizeof names; i++)
    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "",
                          m->units[i].name);
  pg_cli_error("run: --unit %s: %s has no unit of that name (it has: %s)", name,
               m->path, names);
  return NULL;
}

static int run_tests_report(const pg_app_program_result *r, size_t n) {
  size_t passed = 0;
  for (size_t i = 0; i < n; i++) {
    bool ok = r[i].why[0] == '\0';
    passed += ok;
    if (ok)
      printf("PASS %s\n", r[i].name);
    else
      printf("FAIL %s\n  %s\n", r[i].name, r[i].why);
  }
  printf("%zu passed, %zu failed\n", passed, n - passed);
  return passed == n ? 0 : 1;
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

/* The verdicts as JUnit XML into @p path, whole or not at all. 0, or
 * PG_EXIT_USAGE after naming the file and why. */
static int write_junit(const char *path, const char *app,
                       const pg_app_program_result *r, size_t n) {
  char tmp[4096];
  size_t failed = 0;
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    failed += r[i].why[0] != '\0';
    total += r[i].ran_ns;
  }
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  FILE *out = fopen(tmp, "w");
  if (out == NULL) {
    pg_cli_error("test: --junit %s: %s", path, strerror(errno));
    return PG_EXIT_USAGE;
  }
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", out);
  put_xml(out, app);
  fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" time=\"%.6f\">\n", n, failed,
          (double)total / 1e9);
  fputs("  <testsuite name=\"", out);
  put_xml(out, app);
  fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" time=\"%.6f\">\n", n, failed,
          (double)total / 1e9);
  for (size_t i = 0; i < n; i++) {
    fputs("    <testcase classname=\"", out);
    put_xml(out, app);
    fputs("\" name=\"", out);
    put_xml(out, r[i].name);
    fprintf(out, "\" time=\"%.6f\"", (double)r[i].ran_ns / 1e9);
    if (r[i].why[0] == '\0') {
      fputs("/>\n", out);
      continue;
    }
    fputs(">\n      <failure message=\"", out);
    put_xml(out, r[i].why);
    fputs("\"/>\n    </testcase>\n", out);
  }
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

/* The test programs --run picks (all without it) into @p out (room for
 * every guest), *n of them. 0, or PG_EXIT_USAGE after saying why. */
static int pick_tests(const app_opts *o, const pg_manifest *m, const char **out,
                      size_t *n) {
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

static int graph(const app_opts *o, const pg_app_config *cfg) {
  char err[4096];
  FILE *out = stdout, *dot = NULL;
  if (strcmp(o->format, "svg") == 0) {
    if (system("command -v dot >/dev/null 2>&1") != 0) {
      pg_cli_error("graph: --format svg needs Graphviz's dot, which is not "
                   "installed (use --format dot)");
      return PG_EXIT_USAGE;
    }
    fflush(stdout);
    if ((dot = popen("dot -Tsvg", "w")) == NULL) {
      pg_cli_error("graph: cannot run dot");
      return PG_EXIT_USAGE;
    }
    out = dot;
  }
  int rc = pg_app_write_graph(cfg, pg_mem_default(), out, err, sizeof err);
  int drc = dot ? pclose(dot) : 0;
  if (rc != 0) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  return drc == 0 ? 0 : 1;
}

static int app_command(const char *cmd, int argc, char **argv,
                       const char *prebuilt) {
  app_opts o = {.cmd = cmd,
                .format = "dot",
                .timeout_ns = 300000000000ull, /* 5m */
                .is_deterministic = strcmp(cmd, "test") == 0};
  int p = parse(&o, argc, argv);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(command_of(cmd), stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  char err[4096];
  pg_manifest m;
  if (pg_manifest_load(o.manifest, pg_mem_default(), &m, err, sizeof err)) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  const pg_manifest_unit *unit = NULL;
  if (o.unit != NULL && (unit = find_unit(&m, o.unit)) == NULL) {
    pg_manifest_free(&m, pg_mem_default());
    return PG_EXIT_USAGE;
  }
  const char **tests = calloc(m.nguests + 1, sizeof *tests);
  size_t ntests = 0;
  if (strcmp(cmd, "test") == 0 &&
      (tests == NULL || pick_tests(&o, &m, tests, &ntests) != 0)) {
    free(tests);
    pg_manifest_free(&m, pg_mem_default());
    return PG_EXIT_USAGE;
  }
  if (o.is_list) {
    for (size_t i = 0; i < ntests; i++)
      printf("%s\n", tests[i]);
    free(tests);
    pg_manifest_free(&m, pg_mem_default());
    return 0;
  }
  pg_app_program_result *results = calloc(m.nguests + 1, sizeof *results);
  size_t nresults = 0;
  pg_app_config cfg = {.manifest = &m,
                       .is_deterministic = o.is_deterministic,
                       .has_real_clock = o.has_real_clock,
                       .seed = o.seed,
                       .run_tests = strcmp(cmd, "test") == 0,
                       .tests = o.run != NULL ? tests : NULL,
                       .ntests = ntests,
                       .tests_timeout_ns =
                           strcmp(cmd, "test") == 0 ? o.timeout_ns : 0,
                       .log = stderr,
                       .results = results,
                       .nresults = &nresults,
                       .unit = unit,
                       .prebuilt_dir = prebuilt,
                       .transport = &pg_wire_transport_kind};
  cfg.natives = pg_builtins(&cfg.nnatives);
  int status = 0, rc = 0;
  struct sigaction old[2];
  if (strcmp(cmd, "graph") == 0) {
    status = graph(&o, &cfg);
  } else if (results == NULL) {
    rc = PARIGOT_ENOMEM;
  } else {
    cfg.stop_signal = &stop_signal;
    catch_stop_signals(old);
    rc = pg_app_run(&cfg, pg_mem_default(), &status, err, sizeof err);
    restore_stop_signals(old);
  }
  if (rc != 0) {
    pg_cli_error("%s", rc == PARIGOT_ENOMEM ? "out of memory" : err);
    status = PG_EXIT_USAGE;
  } else if (strcmp(cmd, "test") == 0) {
    status = run_tests_report(results, nresults);
    if (o.junit != NULL && write_junit(o.junit, m.name, results, nresults) != 0)
      status = PG_EXIT_USAGE;
  }
  free(results);
  free(tests);
  pg_manifest_free(&m, pg_mem_default());
  return status;
}

static int run_main(int argc, char **argv) {
  return app_command("run", argc, argv, NULL);
}

int pg_cmd_run_prebuilt(int argc, char **argv, const char *prebuilt) {
  return app_command("run", argc, argv, prebuilt);
}

static int test_main(int argc, char **argv) {
  return app_command("test", argc, argv, NULL);
}

static int graph_main(int argc, char **argv) {
  return app_command("graph", argc, argv, NULL);
}
