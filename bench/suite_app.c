/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/suite_app.c: the app suite: what an in-process call costs and how
 * long an app of 100 services takes to start, under `parigot run`.
 *
 * Calls: the ping program (bench/app/ping.c) calls the pong service N
 * times in a row, each call started in the previous one's continuation.
 * The suite times whole runs from outside: a run with N calls and one with
 * none (the same app starting and stopping), best of cfg->runs each, and
 * reports (t(N) - t(0)) / N, a mean per call. It also has the guest read
 * the host's clock around every call for a p50 and a p99: without
 * --deterministic ("par"), and with --deterministic --real-clock ("det":
 * the deterministic scheduler, only the guests' clocks are real). The native
 * peer (bench/app/native.c) does the same encode, copy and decode by plain
 * function calls.
 *
 * Start-up: `parigot run chain100.toml` (100 services, each requiring the
 * one before, and a program that exits once they are all ready), cached
 * after one warm-up run, wall clock from spawn to exit; chain1.toml beside
 * it shows the fixed cost.
 *
 * The pulse: the 1 KiB run of N calls in parallel mode with the timing
 * pulse at its default interval (1 ms) and at 1 s, as good as off; and a
 * runaway guest (pong spinning on its 20000th call, max_handler_time 20
 * ms, so that the pulse has settled to its pace): from
 * its last log line to its death in the log, less the 20 ms, the median
 * (and the worst) of KILL_RUNS runs, against two pulse intervals.
 *
 * Writes the ping manifests it runs into the app directory, next to the
 * guests, so they can be run again by hand. Calls the runner's way check
 * and the harness. Single-threaded; runs one program at a time.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY_GOAL_US 1.0     /* deterministic empty call */
#define RATIO_GOAL 1.5        /* 1 KiB call over the native round trip */
#define STARTUP_GOAL_MS 100.0 /* chain100, cached */
#define TARGET_RUN_S 0.3      /* calibrated: a run of N calls takes this */
#define CALIBRATE_CALLS 20000
#define MIN_CALLS 20000
#define MAX_CALLS 2000000
#define QUICK_CALLS 50
#define PULSE_GOAL_PCT 2.0  /* pulse 1ms over pulse 1s */
#define KILL_GOAL_TICKS 2.0 /* past the budget, in pulse intervals */
#define PULSE_MS 1.0        /* the default pulse interval */
#define KILL_BUDGET_MS 20
#define KILL_RUNS 10
#define KILL_AFTER_CALLS                                                       \
  20000 /* pong spins on this call: the app, and its                           \
           pulse, have been running a while */
#define PULSE_GOAL_TEXT "the pulse costs <= 2% of call throughput"
#define KILL_GOAL_TEXT                                                         \
  "a runaway guest is stopped within 2 pulse intervals of its budget"
#define EMPTY_GOAL_TEXT "empty call p50 <= 1 us in deterministic mode"
#define RATIO_GOAL_TEXT "1 KiB call <= 1.5x native encode+copy+decode"
#define STARTUP_GOAL_TEXT                                                      \
  "100 services in a chain, cached: <= 100 ms from parigot run to all ready"

enum { EMPTY, ONE_K, N_SIZES };
static const char *const size_names[N_SIZES] = {"empty", "1k"};
static const long size_bytes[N_SIZES] = {0, 1024};

enum { DET, PAR, N_MODES };
static const char *const mode_names[N_MODES] = {"det", "par"};

/* The three manifests per payload size. */
enum { CALLS, BASE, TIMED, N_KINDS };
static const char *const kind_suffix[N_KINDS] = {"", "-base", "-timed"};

typedef struct figures {
  long calls[N_SIZES];              /* N per run */
  double run_s[N_MODES][N_SIZES];   /* best run of N calls */
  double base_s[N_MODES][N_SIZES];  /* best run of 0 calls */
  double mean_us[N_MODES][N_SIZES]; /* (run - base) / N */
  double p50_us[N_MODES][N_SIZES];  /* timed by the guest */
  double p99_us[N_MODES][N_SIZES];
  double native_p50_us[N_SIZES];
  double native_p99_us[N_SIZES];
  double native_mean_us[N_SIZES];
  double chain_ms, chain_median_ms; /* chain100: best, median */
  double chain1_ms;                 /* chain1: best */
  double pulse_on_s, pulse_off_s;   /* par 1 KiB, N calls: best run */
  double kill_ms, kill_median_ms;   /* past the budget: worst, median */
} figures;

/* Every figure NAN (not measured) and no calls. */
static void figures_init(figures *fig) {
  for (int s = 0; s < N_SIZES; s++) {
    fig->calls[s] = 0;
    for (int m = 0; m < N_MODES; m++)
      fig->run_s[m][s] = fig->base_s[m][s] = fig->mean_us[m][s] = NAN;
    for (int m = 0; m < N_MODES; m++)
      fig->p50_us[m][s] = fig->p99_us[m][s] = NAN;
    fig->native_p50_us[s] = fig->native_p99_us[s] = NAN;
    fig->native_mean_us[s] = NAN;
  }
  fig->chain_ms = fig->chain_median_ms = fig->chain1_ms = NAN;
  fig->pulse_on_s = fig->pulse_off_s = NAN;
  fig->kill_ms = fig->kill_median_ms = NAN;
}

static void keep_min(double *slot, double v) {
  if (!(v >= *slot))
    *slot = v;
}

/* ---- the native peer ---------------------------------------------------- */

/* Reads "LABEL p50_ns X p99_ns Y mean_ns Z"; returns 0 or -1. */
static int parse_timing(const char *line, const char *label, double *p50,
                        double *p99, double *mean) {
  char word[16];
  double a, b, c;
  if (sscanf(line, "%15s p50_ns %lf p99_ns %lf mean_ns %lf", word, &a, &b,
             &c) != 4 ||
      strcmp(word, label) != 0)
    return -1;
  keep_min(p50, a / 1e3);
  keep_min(p99, b / 1e3);
  keep_min(mean, c / 1e3);
  return 0;
}

static int run_native(const pg_bench_config *cfg, figures *fig) {
  pg_bench_cmd cmd;
  pg_bench_run run;
  if (pg_bench_cmd_init(&cmd, cfg, PG_BENCH_NATIVE, cfg->stems[0],
                        cfg->is_quick ? "quick" : NULL) != 0 ||
      pg_bench_cmd_run(&cmd, "native round trips", NULL, &run) != 0)
    return -1;
  const char *line = run.out;
  int rc = 0;
  for (int s = 0; rc == 0 && s < N_SIZES; s++) {
    rc = parse_timing(line, size_names[s], &fig->native_p50_us[s],
                      &fig->native_p99_us[s], &fig->native_mean_us[s]);
    line += strcspn(line, "\n") + 1;
  }
  if (rc != 0)
    pg_bench_run_report("app: unexpected native output", cmd.argv, &run);
  pg_bench_run_deinit(&run);
  return rc;
}

/* ---- parigot runs ------------------------------------------------------- */

/* Writes dir/name (a manifest); returns 0 or -1. */
static int write_file(const char *dir, const char *name, const char *text) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
    perror(path);
    return -1;
  }
  return 0;
}

/* The smoke test's manifests have names of their own, so that a `make
 * test` running beside `make bench` cannot rewrite the bench's. */
static void manifest_name(const pg_bench_config *cfg, char *buf, size_t cap,
                          int size, int kind) {
  snprintf(buf, cap, "%sping-%s%s.toml", cfg->is_quick ? "quick-" : "",
           size_names[size], kind_suffix[kind]);
}

/* Writes the three ping manifests of one payload size, N calls. */
static int write_ping_manifests(const pg_bench_config *cfg, int size,
                                long calls) {
  char name[64], text[1024];
  for (int k = 0; k < N_KINDS; k++) {
    manifest_name(cfg, name, sizeof(name), size, k);
    snprintf(text, sizeof(text),
             "# Written by pg-bench app (bench/suite_app.c): ping calls pong\n"
             "# %ld times with %ld bytes of payload.\n"
             "[app]\nname = \"ping\"\n\n"
             "[[service]]\nname = \"pong\"\nwasm = \"bench-app-pong.wasm\"\n\n"
             "[[program]]\nname = \"ping\"\nwasm = \"bench-app-ping.wasm\"\n"
             "env = { PING_CALLS = \"%ld\", PING_SIZE = \"%ld\", "
             "PING_TIMES = \"%d\" }\n",
             k == BASE ? 0 : calls, size_bytes[size], k == BASE ? 0 : calls,
             size_bytes[size], k == TIMED);
    if (write_file(cfg->stems[1], name, text) != 0)
      return -1;
  }
  return 0;
}

/*
 * Runs `parigot run [--deterministic] dir/manifest` once; it must exit 0
 * and, when expect is not NULL, print expect as its first line. Returns
 * 0 with *run filled (the caller deinits it) or -1.
 */
static int run_app(const pg_bench_config *cfg, const char *manifest,
                   bool is_det, bool is_timed, const char *expect,
                   pg_bench_run *run) {
  char path[PATH_MAX], what[PATH_MAX + 64];
  char *argv[6];
  int n = 0;
  snprintf(path, sizeof(path), "%s/%s", cfg->stems[1], manifest);
  argv[n++] = (char *)cfg->parigot_path;
  argv[n++] = "run";
  if (is_det)
    argv[n++] = "--deterministic";
  if (is_det && is_timed) /* the guest times its calls on the real clock */
    argv[n++] = "--real-clock";
  argv[n++] = path;
  argv[n] = NULL;
  snprintf(what, sizeof(what), "parigot run%s%s %s",
           is_det ? " --deterministic" : "",
           is_det && is_timed ? " --real-clock" : "", path);
  int rc = pg_bench_spawn(argv, PG_BENCH_TIMEOUT_S, run);
  if (rc != 0) {
    fprintf(stderr, "bench: %s: cannot start: %s\n", what, strerror(-rc));
    return -1;
  }
  if (run->exit_code == 0 && !run->is_timed_out &&
      (expect == NULL || strncmp(run->out, expect, strlen(expect)) == 0))
    return 0;
  pg_bench_run_report(run->exit_code == 0 && !run->is_timed_out
                          ? "app: unexpected output"
                          : "app: run failed",
                      argv, run);
  pg_bench_run_deinit(run);
  return -1;
}

/* One run of a ping manifest: its wall time, and for TIMED its figures. */
static int run_ping(const pg_bench_config *cfg, int size, int kind, int mode,
                    long calls, double *wall_s, figures *fig) {
  char name[64], expect[64];
  pg_bench_run run;
  manifest_name(cfg, name, sizeof(name), size, kind);
  snprintf(expect, sizeof(expect), "ping calls %ld size %ld\n",
           kind == BASE ? 0 : calls, size_bytes[size]);
  if (run_app(cfg, name, mode == DET, kind == TIMED, expect, &run) != 0)
    return -1;
  *wall_s = run.wall_s;
  int rc = 0;
  if (kind == TIMED) {
    double unused = NAN;
    rc =
        parse_timing(run.out + strlen(expect), "ping", &fig->p50_us[mode][size],
                     &fig->p99_us[mode][size], &unused);
    if (rc != 0)
      fprintf(stderr, "bench: app: %s: no timings from ping; stdout:\n%s", name,
              run.out);
  }
  pg_bench_run_deinit(&run);
  return rc;
}

/* Picks N so that a deterministic run of N calls takes about TARGET_RUN_S;
 * the first runs also put the two modules in the cache. */
static int calibrate(const pg_bench_config *cfg, int size, long *calls) {
  double base, run, unused;
  figures scratch;
  if (cfg->is_quick) {
    *calls = QUICK_CALLS;
    return write_ping_manifests(cfg, size, *calls);
  }
  if (write_ping_manifests(cfg, size, CALIBRATE_CALLS) != 0 ||
      run_ping(cfg, size, BASE, DET, 0, &unused, &scratch) != 0 ||
      run_ping(cfg, size, BASE, DET, 0, &base, &scratch) != 0 ||
      run_ping(cfg, size, CALLS, DET, CALIBRATE_CALLS, &run, &scratch) != 0)
    return -1;
  double per_call = (run - base) / CALIBRATE_CALLS;
  long n = per_call > 0 ? (long)(TARGET_RUN_S / per_call) : MAX_CALLS;
  n = n < MIN_CALLS ? MIN_CALLS : n > MAX_CALLS ? MAX_CALLS : n;
  *calls = n / 1000 * 1000;
  return write_ping_manifests(cfg, size, *calls);
}

static int measure_calls(const pg_bench_config *cfg, figures *fig) {
  for (int s = 0; s < N_SIZES; s++)
    if (calibrate(cfg, s, &fig->calls[s]) != 0)
      return -1;
  /* The ways interleaved, so a slow moment of the machine hits all. */
  for (int r = 0; r < cfg->runs; r++)
    for (int s = 0; s < N_SIZES; s++)
      for (int m = 0; m < N_MODES; m++) {
        double run, base, timed;
        if (run_ping(cfg, s, CALLS, m, fig->calls[s], &run, fig) != 0 ||
            run_ping(cfg, s, BASE, m, 0, &base, fig) != 0 ||
            run_ping(cfg, s, TIMED, m, fig->calls[s], &timed, fig) != 0)
          return -1;
        keep_min(&fig->run_s[m][s], run);
        keep_min(&fig->base_s[m][s], base);
      }
  for (int m = 0; m < N_MODES; m++)
    for (int s = 0; s < N_SIZES; s++)
      fig->mean_us[m][s] =
          (fig->run_s[m][s] - fig->base_s[m][s]) / fig->calls[s] * 1e6;
  return 0;
}

/* ---- the pulse ---------------------------------------------------------- */

/* The 1 KiB ping app with the pulse at @p pulse, and the runaway one. */
static int write_pulse_manifests(const pg_bench_config *cfg, long calls) {
  static const char *const pulses[] = {"1ms", "1s"};
  char name[64], text[1024];
  for (int i = 0; i < 2; i++) {
    snprintf(name, sizeof(name), "%spulse-%s.toml",
             cfg->is_quick ? "quick-" : "", pulses[i]);
    snprintf(text, sizeof(text),
             "# Written by pg-bench app (bench/suite_app.c): the 1 KiB ping\n"
             "# app with the timing pulse every %s.\n"
             "[app]\nname = \"ping\"\npulse = \"%s\"\n\n"
             "[[service]]\nname = \"pong\"\nwasm = \"bench-app-pong.wasm\"\n\n"
             "[[program]]\nname = \"ping\"\nwasm = \"bench-app-ping.wasm\"\n"
             "env = { PING_CALLS = \"%ld\", PING_SIZE = \"1024\" }\n",
             pulses[i], pulses[i], calls);
    if (write_file(cfg->stems[1], name, text) != 0)
      return -1;
  }
  snprintf(text, sizeof(text),
           "# Written by pg-bench app (bench/suite_app.c): pong spins on\n"
           "# ping's call until the kernel stops it.\n"
           "[app]\nname = \"runaway\"\n\n"
           "[[service]]\nname = \"pong\"\nwasm = \"bench-app-pong.wasm\"\n"
           "max_handler_time = \"%dms\"\nenv = { PONG_SPIN = \"%d\" }\n\n"
           "[[program]]\nname = \"ping\"\nwasm = \"bench-app-ping.wasm\"\n"
           "env = { PING_CALLS = \"%d\", PING_FAILS = \"1\" }\n",
           KILL_BUDGET_MS, KILL_AFTER_CALLS, KILL_AFTER_CALLS);
  return write_file(cfg->stems[1],
                    cfg->is_quick ? "quick-runaway.toml" : "runaway.toml",
                    text);
}

/* The time of the log line that holds @p text, in ms; NAN if none. */
static double log_time_ms(const char *log, const char *text) {
  const char *hit = strstr(log, text);
  if (hit == NULL)
    return NAN;
  while (hit > log && hit[-1] != '\n')
    hit--;
  long s, us;
  return sscanf(hit, "t=%ld.%ld", &s, &us) == 2 ? s * 1e3 + us / 1e3 : NAN;
}

/* One run of the runaway app: how long past its budget pong was stopped,
 * in ms (the app must end with status 3: a service died, no program
 * failed). */
static int run_runaway(const pg_bench_config *cfg, double *late_ms) {
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s/%s", cfg->stems[1],
           cfg->is_quick ? "quick-runaway.toml" : "runaway.toml");
  char *argv[] = {(char *)cfg->parigot_path, "run", path, NULL};
  pg_bench_run run;
  int rc = pg_bench_spawn(argv, PG_BENCH_TIMEOUT_S, &run);
  if (rc != 0) {
    fprintf(stderr, "bench: %s: cannot start: %s\n", path, strerror(-rc));
    return -1;
  }
  double spun = log_time_ms(run.err, ": spinning");
  double died = log_time_ms(run.err, "pong: died: ran past its");
  *late_ms = died - spun - KILL_BUDGET_MS;
  if (run.exit_code != 3 || run.is_timed_out || isnan(*late_ms) ||
      strcmp(run.out, "ping failed\n") != 0) {
    pg_bench_run_report("app: the runaway app did not end as it should", argv,
                        &run);
    rc = -1;
  }
  pg_bench_run_deinit(&run);
  return rc;
}

static int measure_pulse(const pg_bench_config *cfg, figures *fig) {
  long calls = fig->calls[ONE_K];
  int nkill = cfg->is_quick ? 1 : KILL_RUNS;
  double late[KILL_RUNS];
  char expect[64];
  snprintf(expect, sizeof(expect), "ping calls %ld size 1024\n", calls);
  if (write_pulse_manifests(cfg, calls) != 0)
    return -1;
  for (int r = 0; r < cfg->runs; r++)
    for (int i = 0; i < 2; i++) {
      char name[64];
      pg_bench_run run;
      snprintf(name, sizeof(name), "%spulse-%s.toml",
               cfg->is_quick ? "quick-" : "", i == 0 ? "1ms" : "1s");
      if (run_app(cfg, name, false, false, expect, &run) != 0)
        return -1;
      keep_min(i == 0 ? &fig->pulse_on_s : &fig->pulse_off_s, run.wall_s);
      pg_bench_run_deinit(&run);
    }
  for (int i = 0; i < nkill; i++)
    if (run_runaway(cfg, &late[i]) != 0)
      return -1;
  fig->kill_ms = late[0];
  for (int i = 1; i < nkill; i++)
    fig->kill_ms = late[i] > fig->kill_ms ? late[i] : fig->kill_ms;
  fig->kill_median_ms = pg_bench_median(late, (size_t)nkill);
  return 0;
}

static int measure_startup(const pg_bench_config *cfg, figures *fig) {
  int n = cfg->startup_runs;
  double ms[n];
  pg_bench_run run;
  /* The warm-up: the first run of a module may compile it. */
  if (run_app(cfg, "chain100.toml", false, false, NULL, &run) != 0)
    return -1;
  pg_bench_run_deinit(&run);
  for (int i = 0; i < n; i++) {
    if (run_app(cfg, "chain1.toml", false, false, NULL, &run) != 0)
      return -1;
    keep_min(&fig->chain1_ms, run.wall_s * 1e3);
    pg_bench_run_deinit(&run);
    if (run_app(cfg, "chain100.toml", false, false, NULL, &run) != 0)
      return -1;
    ms[i] = run.wall_s * 1e3;
    pg_bench_run_deinit(&run);
  }
  fig->chain_ms = pg_bench_min(ms, (size_t)n);
  fig->chain_median_ms = pg_bench_median(ms, (size_t)n);
  return 0;
}

/* ---- the table and the records ------------------------------------------ */

static void print_us(double v, int width) {
  if (isnan(v))
    printf(" %*s", width, "-");
  else
    printf(" %*.3f", width, v);
}

static void print_ratio(double v, int width) {
  if (isnan(v))
    printf(" %*s", width, "-");
  else
    printf(" %*.2fx", width - 1, v);
}

static const char *verdict(double v, double limit) {
  return isnan(v) ? "not measured" : v <= limit ? "met" : "NOT met";
}

static void print_calls(const pg_bench_config *cfg, const figures *fig) {
  printf("%-6s %8s %8s %8s %8s %8s %8s %8s | %8s %8s %8s | %8s %8s\n",
         "us/call", "calls", "det mean", "det p50", "det p99", "par mean",
         "par p50", "par p99", "nat mean", "nat p50", "nat p99", "det/nat",
         "par/nat");
  for (int s = 0; s < N_SIZES; s++) {
    printf("%-7s %8ld", size_names[s], fig->calls[s]);
    for (int m = 0; m < N_MODES; m++) {
      print_us(fig->mean_us[m][s], 8);
      print_us(fig->p50_us[m][s], 8);
      print_us(fig->p99_us[m][s], 8);
    }
    printf(" |");
    print_us(fig->native_mean_us[s], 8);
    print_us(fig->native_p50_us[s], 8);
    print_us(fig->native_p99_us[s], 8);
    printf(" |");
    print_ratio(fig->p50_us[DET][s] / fig->native_p50_us[s], 8);
    print_ratio(fig->p50_us[PAR][s] / fig->native_p50_us[s], 8);
    printf("\n");
  }
  printf("(det = parigot run --deterministic, par = parigot run; a mean is "
         "(run of N calls - run of none) / N, best of %d run%s each;\n"
         " p50/p99: the guest's own clock around each call (det: with "
         "--real-clock); nat: the same encode, copy, decode natively,\n"
         " per round trip; det/nat and par/nat: p50 over native p50)\n",
         cfg->runs, cfg->runs == 1 ? "" : "s");
  double empty = fig->p50_us[DET][EMPTY];
  printf("goal: %s: det p50 %.3f us: %s\n", EMPTY_GOAL_TEXT, empty,
         verdict(empty, EMPTY_GOAL_US));
  double det = fig->p50_us[DET][ONE_K] / fig->native_p50_us[ONE_K];
  double par = fig->p50_us[PAR][ONE_K] / fig->native_p50_us[ONE_K];
  printf("goal: %s: det %.2fx %s; par %.2fx %s (p50/p50)\n", RATIO_GOAL_TEXT,
         det, verdict(det, RATIO_GOAL), par, verdict(par, RATIO_GOAL));
}

static void print_startup(const pg_bench_config *cfg, const figures *fig) {
  printf("\napp start-up: parigot run chain100.toml (100 services in a "
         "chain + a program that exits when it starts), cached,\n"
         "wall clock from spawn to exit (so also the tear-down)\n");
  printf("  chain100: best of %d %8.2f ms, median %.2f ms\n", cfg->startup_runs,
         fig->chain_ms, fig->chain_median_ms);
  printf("  chain1:   best of %d %8.2f ms (one service: the fixed cost)\n",
         cfg->startup_runs, fig->chain1_ms);
  printf("  per further service: %.3f ms\n",
         (fig->chain_ms - fig->chain1_ms) / 99);
  printf("goal: %s: %s\n", STARTUP_GOAL_TEXT,
         verdict(fig->chain_ms, STARTUP_GOAL_MS));
}

static void print_pulse(const pg_bench_config *cfg, const figures *fig) {
  double pct = (fig->pulse_on_s / fig->pulse_off_s - 1) * 100;
  printf("\nthe pulse: parigot run of %ld 1 KiB calls, best of %d: pulse "
         "1ms %.3f s, pulse 1s (as good as off) %.3f s: %+.1f%%\n",
         fig->calls[ONE_K], cfg->runs, fig->pulse_on_s, fig->pulse_off_s, pct);
  printf("goal: %s: %s\n", PULSE_GOAL_TEXT, verdict(pct, PULSE_GOAL_PCT));
  printf("a runaway guest (pong spins on a call, max_handler_time %d ms), "
         "stopped past its budget, %d runs: median %.2f ms, worst %.2f ms "
         "(pulse 1 ms)\n",
         KILL_BUDGET_MS, cfg->is_quick ? 1 : KILL_RUNS, fig->kill_median_ms,
         fig->kill_ms);
  printf("goal: %s (median): %s\n", KILL_GOAL_TEXT,
         verdict(fig->kill_median_ms, KILL_GOAL_TICKS * PULSE_MS));
}

static int write_records(FILE *f, const figures *fig) {
  char name[64];
  int rc = 0;
  for (int s = 0; s < N_SIZES; s++)
    for (int m = 0; m < N_MODES; m++) {
      double value = fig->p50_us[m][s];
      pg_bench_peer peers[] = {{"native", fig->native_p50_us[s]},
                               {"mean", fig->mean_us[m][s]}};
      snprintf(name, sizeof(name), "app.call.%s.%s", size_names[s],
               mode_names[m]);
      const char *goal = s == ONE_K ? RATIO_GOAL_TEXT
                         : m == DET ? EMPTY_GOAL_TEXT
                                    : NULL;
      pg_bench_record rec = {name, value, "us/call p50", peers, 2, goal};
      rc |= pg_bench_record_write(f, &rec);
    }
  pg_bench_peer chain_peers[] = {{"chain1", fig->chain1_ms}};
  pg_bench_record chain = {
      "app.startup.chain100", fig->chain_ms, "ms", chain_peers, 1,
      STARTUP_GOAL_TEXT};
  rc |= pg_bench_record_write(f, &chain);
  pg_bench_peer pulse_peers[] = {{"pulse 1s", fig->pulse_off_s}};
  pg_bench_record pulse = {
      "app.pulse.calls_1k", fig->pulse_on_s, "s", pulse_peers, 1,
      PULSE_GOAL_TEXT};
  rc |= pg_bench_record_write(f, &pulse);
  pg_bench_peer kill_peers[] = {{"worst", fig->kill_ms}};
  pg_bench_record kill = {"app.pulse.runaway_late",
                          fig->kill_median_ms,
                          "ms median",
                          kill_peers,
                          1,
                          KILL_GOAL_TEXT};
  return rc | pg_bench_record_write(f, &kill);
}

int pg_bench_app_main(const pg_bench_config *cfg) {
  pg_bench_load load;
  figures fig;
  FILE *f;

  if (cfg->n_stems != 2) {
    fprintf(stderr, "usage: pg-bench app [options] NATIVE_STEM APP_DIR\n");
    return 2;
  }
  figures_init(&fig);
  printf("\napp: a call's round trip (ping -> pong -> ping's continuation, "
         "calls in a row) and start-up%s\n",
         cfg->is_quick ? " (quick: a smoke test, not a benchmark)" : "");
  if (!cfg->is_quick)
    pg_bench_warn_if_busy();
  pg_bench_load_start(&load);
  int rc = 0;
  for (int r = 0; rc == 0 && r < cfg->runs; r++)
    rc = run_native(cfg, &fig);
  if (rc == 0 && pg_bench_way_check(cfg, PG_BENCH_PARIGOT)) {
    if (cfg->cache_dir != NULL)
      setenv("PARIGOT_CACHE", cfg->cache_dir, 1);
    rc = measure_calls(cfg, &fig);
    if (rc == 0)
      rc = measure_startup(cfg, &fig);
    if (rc == 0)
      rc = measure_pulse(cfg, &fig);
  }
  if (rc != 0)
    return 1;
  print_calls(cfg, &fig);
  print_startup(cfg, &fig);
  print_pulse(cfg, &fig);
  if (!cfg->is_quick)
    pg_bench_load_report(&load);

  if ((f = fopen(cfg->out_path, "w")) == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  rc = write_records(f, &fig);
  return fclose(f) != 0 || rc != 0 ? 1 : 0;
}
