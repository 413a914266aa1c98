/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/suite_startup.c: the start-up suite: how long `parigot exec` takes
 * on a small module the first time (translate with wasm2c, compile with cc,
 * into a fresh cache) and once the compiled module is cached.
 *
 * Peers: the same program built natively, and node running the module
 * (V8 has no cache here, so every node run is a first run). Owns the fresh
 * cache directories it makes under --work-dir and removes them. Calls the
 * runner's way helpers and the harness. Single-threaded.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHED_GOAL_MS 5.0
#define CACHED_GOAL_TEXT "cached start-up < 5 ms"

typedef struct figures {
  double first_ms;                   /* parigot, fresh cache, best run */
  double cached_ms[PG_BENCH_N_WAYS]; /* median; NAN when not run */
  double v8_best_ms;                 /* node's best run */
} figures;

/* Runs stem one way n times; stores the median and best in ms. */
static int time_runs(const pg_bench_config *cfg, pg_bench_way way,
                     const char *stem, const char *expect, int n,
                     double *median_ms, double *best_ms) {
  double ms[n];
  pg_bench_cmd cmd;
  char what[128];
  snprintf(what, sizeof(what), "%s under %s", stem, pg_bench_way_names[way]);
  if (pg_bench_cmd_init(&cmd, cfg, way, stem, NULL) != 0)
    return -1;
  for (int i = 0; i < n; i++) {
    pg_bench_run run;
    if (pg_bench_cmd_run(&cmd, what, expect, &run) != 0)
      return -1;
    ms[i] = run.wall_s * 1e3;
    pg_bench_run_deinit(&run);
  }
  if (best_ms != NULL)
    *best_ms = pg_bench_min(ms, (size_t)n);
  *median_ms = pg_bench_median(ms, (size_t)n);
  return 0;
}

/* One parigot run against a cache directory made for it and then removed. */
static int time_fresh_cache(const pg_bench_config *cfg, const char *stem,
                            const char *expect, double *ms) {
  char dir[PATH_MAX];
  int len = snprintf(dir, sizeof(dir), "%s/fresh-cache-XXXXXX",
                     cfg->work_dir ? cfg->work_dir : "/tmp");
  if (len < 0 || (size_t)len >= sizeof(dir) || mkdtemp(dir) == NULL) {
    perror("bench: fresh cache directory");
    return -1;
  }
  setenv("PARIGOT_CACHE", dir, 1);
  int rc = time_runs(cfg, PG_BENCH_PARIGOT, stem, expect, 1, ms, NULL);
  pg_bench_remove_tree(dir);
  return rc;
}

static int measure(const pg_bench_config *cfg, const bool *has_way,
                   const char *stem, figures *fig) {
  pg_bench_cmd cmd;
  pg_bench_run ref;
  double ms, unused;
  *fig = (figures){NAN, {NAN, NAN, NAN}, NAN};
  if (pg_bench_cmd_init(&cmd, cfg, PG_BENCH_NATIVE, stem, NULL) != 0 ||
      pg_bench_cmd_run(&cmd, "native reference run", NULL, &ref) != 0)
    return -1;
  int rc = time_runs(cfg, PG_BENCH_NATIVE, stem, ref.out, cfg->startup_runs,
                     &fig->cached_ms[PG_BENCH_NATIVE], NULL);
  if (rc == 0 && has_way[PG_BENCH_V8])
    rc = time_runs(cfg, PG_BENCH_V8, stem, ref.out, cfg->startup_runs,
                   &fig->cached_ms[PG_BENCH_V8], &fig->v8_best_ms);
  for (int i = 0; rc == 0 && has_way[PG_BENCH_PARIGOT] && i < cfg->runs; i++) {
    rc = time_fresh_cache(cfg, stem, ref.out, &ms);
    if (rc == 0 && !(ms >= fig->first_ms))
      fig->first_ms = ms;
  }
  if (rc == 0 && has_way[PG_BENCH_PARIGOT]) {
    if (cfg->cache_dir != NULL)
      setenv("PARIGOT_CACHE", cfg->cache_dir, 1);
    rc = time_runs(cfg, PG_BENCH_PARIGOT, stem, ref.out, 1, &unused, NULL);
    if (rc == 0)
      rc = time_runs(cfg, PG_BENCH_PARIGOT, stem, ref.out, cfg->startup_runs,
                     &fig->cached_ms[PG_BENCH_PARIGOT], NULL);
  }
  pg_bench_run_deinit(&ref);
  return rc;
}

static void print_ms(const char *label, double ms) {
  if (isnan(ms))
    printf("  %-44s %10s\n", label, "-");
  else
    printf("  %-44s %7.2f ms\n", label, ms);
}

static void print_figures(const pg_bench_config *cfg, const char *stem,
                          const figures *fig) {
  char label[128];
  double cached = fig->cached_ms[PG_BENCH_PARIGOT];
  printf("\nstartup: %s.wasm under parigot exec, wall clock\n", stem);
  snprintf(label, sizeof(label),
           "first run, fresh cache, best of %d:", cfg->runs);
  print_ms(label, fig->first_ms);
  printf("    (translate with wasm2c + compile with cc + run)\n");
  snprintf(label, sizeof(label),
           "cached start-up, median of %d:", cfg->startup_runs);
  print_ms(label, cached);
  printf("    goal: %s: %s\n", CACHED_GOAL_TEXT,
         isnan(cached)             ? "not measured (parigot: not built)"
         : cached < CACHED_GOAL_MS ? "met"
                                   : "NOT met");
  print_ms("peer: native build, median:", fig->cached_ms[PG_BENCH_NATIVE]);
  print_ms("peer: v8 (compiles every run), median:",
           fig->cached_ms[PG_BENCH_V8]);
}

static int write_records(FILE *f, const char *stem, const figures *fig) {
  char name[128];
  int rc;
  pg_bench_peer first_peers[] = {{"native", NAN}, {"v8", fig->v8_best_ms}};
  snprintf(name, sizeof(name), "startup.%s.first_run", stem);
  pg_bench_record first = {name, fig->first_ms, "ms", first_peers, 2, NULL};
  rc = pg_bench_record_write(f, &first);

  pg_bench_peer cached_peers[] = {{"native", fig->cached_ms[PG_BENCH_NATIVE]},
                                  {"v8", fig->cached_ms[PG_BENCH_V8]}};
  snprintf(name, sizeof(name), "startup.%s.cached", stem);
  pg_bench_record cached = {name, fig->cached_ms[PG_BENCH_PARIGOT],
                            "ms", cached_peers,
                            2,    CACHED_GOAL_TEXT};
  return rc | pg_bench_record_write(f, &cached);
}

int pg_bench_startup_main(const pg_bench_config *cfg) {
  bool has_way[PG_BENCH_N_WAYS];
  pg_bench_load load;
  figures fig;
  FILE *f;

  printf("\n");
  if (!cfg->is_quick)
    pg_bench_warn_if_busy();
  pg_bench_load_start(&load);
  for (int w = 0; w < PG_BENCH_N_WAYS; w++)
    has_way[w] = pg_bench_way_check(cfg, w);
  if ((f = fopen(cfg->out_path, "w")) == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  int rc = 0;
  for (int i = 0; rc == 0 && i < cfg->n_stems; i++) {
    rc = measure(cfg, has_way, cfg->stems[i], &fig);
    if (rc == 0) {
      print_figures(cfg, cfg->stems[i], &fig);
      rc = write_records(f, cfg->stems[i], &fig);
    }
  }
  if (rc == 0 && !cfg->is_quick)
    pg_bench_load_report(&load);
  return fclose(f) != 0 || rc != 0 ? 1 : 0;
}
