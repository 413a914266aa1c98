/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/suite_engine.c: the engine suite: CPU-bound programs run natively,
 * under `parigot exec` and under V8, best of N wall-clock runs each.
 *
 * Every run's stdout must equal the native run's, byte for byte; a mismatch
 * fails the suite loudly. Owns the per-program results while it runs. Calls
 * the runner's way helpers and the harness. Single-threaded; runs one
 * program at a time so the ways never compete for the cores.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOAL_RATIO 1.25 /* parigot's geomean, times native */
#define GOAL_TEXT "parigot geomean <= 1.25x native and faster than V8"

typedef struct result {
  const char *stem;               /* borrowed from argv */
  double best_s[PG_BENCH_N_WAYS]; /* NAN for a way that did not run */
} result;

/* "bench-sha256" is shown as "sha256". */
static const char *display_name(const char *stem) {
  return strncmp(stem, "bench-", 6) == 0 ? stem + 6 : stem;
}

/* One run; keeps the best time and checks the output against expect. */
static int run_once(const pg_bench_config *cfg, pg_bench_way way,
                    const char *stem, const char *expect, double *best_s,
                    char **out_copy) {
  pg_bench_cmd cmd;
  pg_bench_run run;
  char what[128];
  snprintf(what, sizeof(what), "%s under %s", display_name(stem),
           pg_bench_way_names[way]);
  if (pg_bench_cmd_init(&cmd, cfg, way, stem, cfg->is_quick ? "quick" : NULL)) {
    fprintf(stderr, "bench: %s: path too long\n", what);
    return -1;
  }
  if (pg_bench_cmd_run(&cmd, what, expect, &run) != 0)
    return -1;
  if (best_s != NULL && !(run.wall_s >= *best_s))
    *best_s = run.wall_s;
  if (out_copy != NULL) {
    *out_copy = run.out;
    run.out = NULL;
  }
  pg_bench_run_deinit(&run);
  return 0;
}

/*
 * Warms each way up once (parigot compiles and caches the module, the page
 * cache fills), then times cfg->runs rounds, the ways interleaved so a
 * noisy moment hurts all of them alike.
 */
static int measure(const pg_bench_config *cfg, const bool *has_way,
                   result *res) {
  char *expect = NULL;
  int rc = -1;
  for (int w = 0; w < PG_BENCH_N_WAYS; w++)
    res->best_s[w] = NAN;
  if (run_once(cfg, PG_BENCH_NATIVE, res->stem, NULL, NULL, &expect) != 0)
    return -1;
  for (int w = PG_BENCH_PARIGOT; w < PG_BENCH_N_WAYS; w++)
    if (has_way[w] && run_once(cfg, w, res->stem, expect, NULL, NULL) != 0)
      goto done;
  for (int r = 0; r < cfg->runs; r++)
    for (int w = 0; w < PG_BENCH_N_WAYS; w++)
      if (has_way[w] &&
          run_once(cfg, w, res->stem, expect, &res->best_s[w], NULL) != 0)
        goto done;
  rc = 0;
done:
  free(expect);
  return rc;
}

static void print_seconds(double s) {
  if (isnan(s))
    printf(" %9s", "-");
  else
    printf(" %9.3f", s);
}

static void print_ratio(double r) {
  if (isnan(r))
    printf(" %15s", "-");
  else
    printf(" %14.2fx", r);
}

static void print_row(const result *res) {
  const double *b = res->best_s;
  printf("%-12s", display_name(res->stem));
  for (int w = 0; w < PG_BENCH_N_WAYS; w++)
    print_seconds(b[w]);
  print_ratio(b[PG_BENCH_PARIGOT] / b[PG_BENCH_NATIVE]);
  print_ratio(b[PG_BENCH_V8] / b[PG_BENCH_NATIVE]);
  printf("\n");
}

/* Geometric mean of way's time over native's; NAN if way never ran. */
static double geomean_ratio(const result *res, int n, pg_bench_way way) {
  double ratios[n];
  for (int i = 0; i < n; i++) {
    ratios[i] = res[i].best_s[way] / res[i].best_s[PG_BENCH_NATIVE];
    if (isnan(ratios[i]))
      return NAN;
  }
  return pg_bench_geomean(ratios, (size_t)n);
}

static const char *verdict(double parigot, double v8) {
  if (isnan(parigot))
    return "not measured (parigot: not built)";
  if (isnan(v8))
    return parigot <= GOAL_RATIO ? "met for native; V8 not measured"
                                 : "NOT met";
  return parigot <= GOAL_RATIO && parigot < v8 ? "met" : "NOT met";
}

static int write_records(FILE *f, const result *res, int n, double g_parigot,
                         double g_v8) {
  char name[128];
  int rc = 0;
  for (int i = 0; i < n; i++) {
    pg_bench_peer peers[] = {{"native", res[i].best_s[PG_BENCH_NATIVE]},
                             {"v8", res[i].best_s[PG_BENCH_V8]}};
    snprintf(name, sizeof(name), "engine.%s", display_name(res[i].stem));
    pg_bench_record rec = {name, res[i].best_s[PG_BENCH_PARIGOT], "s", peers, 2,
                           NULL};
    rc |= pg_bench_record_write(f, &rec);
  }
  pg_bench_peer peers[] = {{"native", 1.0}, {"v8", g_v8}};
  pg_bench_record rec = {"engine.geomean", g_parigot, "x native", peers, 2,
                         GOAL_TEXT};
  rc |= pg_bench_record_write(f, &rec);
  return rc;
}

int pg_bench_engine_main(const pg_bench_config *cfg) {
  bool has_way[PG_BENCH_N_WAYS];
  result res[cfg->n_stems];
  pg_bench_load load;
  FILE *f;

  printf("\nengine: CPU-bound programs, best of %d wall-clock run%s, "
         "seconds%s\n",
         cfg->runs, cfg->runs == 1 ? "" : "s",
         cfg->is_quick ? " (quick inputs: a smoke test, not a benchmark)" : "");
  if (!cfg->is_quick)
    pg_bench_warn_if_busy();
  pg_bench_load_start(&load);
  for (int w = 0; w < PG_BENCH_N_WAYS; w++)
    has_way[w] = pg_bench_way_check(cfg, w);
  if (has_way[PG_BENCH_PARIGOT] && cfg->cache_dir != NULL)
    setenv("PARIGOT_CACHE", cfg->cache_dir, 1);
  printf("%-12s %9s %9s %9s %15s %15s\n", "program", "native", "parigot", "v8",
         "parigot/native", "v8/native");
  for (int i = 0; i < cfg->n_stems; i++) {
    res[i].stem = cfg->stems[i];
    if (measure(cfg, has_way, &res[i]) != 0)
      return 1;
    print_row(&res[i]);
  }
  double g_parigot = geomean_ratio(res, cfg->n_stems, PG_BENCH_PARIGOT);
  double g_v8 = geomean_ratio(res, cfg->n_stems, PG_BENCH_V8);
  printf("%-12s %29s", "geomean", "");
  print_ratio(g_parigot);
  print_ratio(g_v8);
  printf("\ngoal: %s: %s\n", GOAL_TEXT, verdict(g_parigot, g_v8));
  if (!cfg->is_quick)
    pg_bench_load_report(&load);

  if ((f = fopen(cfg->out_path, "w")) == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  int rc = write_records(f, res, cfg->n_stems, g_parigot, g_v8);
  return fclose(f) != 0 || rc != 0 ? 1 : 0;
}
