/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/suite_lang.c: the language suite: the in-process round trip of the
 * app suite (ping calls pong N times in a row, 1 KiB each way) with the
 * caller and the callee each written in C, C++, Rust or AssemblyScript:
 * sixteen pairs, C to C the reference.
 *
 * Every ping reads PING_CALLS and PING_SIZE from its environment, checks
 * each answer's length and the last answer's bytes, and prints "ping calls
 * N size S"; every pong answers the payload back. The C pair is the app
 * suite's own (bench/app); the others are in bench/lang/. A pair's figure
 * is (best run of N calls - best run of none) / N, timed from outside,
 * best of cfg->runs, in deterministic mode (one thread: what the languages
 * cost, no thread hand-off) and in parallel mode. The goal: no pair more
 * than 2x the C-to-C figure.
 *
 * Writes its manifests into the lang directory, beside the guests.
 * Single-threaded; runs one program at a time.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATIO_GOAL 2.0
#define RATIO_GOAL_TEXT "no language pair more than 2x C to C (1 KiB call)"
#define CALLS 300000
#define QUICK_CALLS 20
#define SIZE 1024

enum { C, CXX, RUST, AS, N_LANGS };
static const char *const lang_names[N_LANGS] = {"c", "cpp", "rust", "as"};
static const char *const lang_titles[N_LANGS] = {"C", "C++", "Rust", "AS"};

enum { DET, PAR, N_MODES };
static const char *const mode_names[N_MODES] = {"det", "par"};

typedef struct figures {
  double run_s[N_MODES][N_LANGS][N_LANGS];  /* [mode][caller][callee] */
  double base_s[N_MODES][N_LANGS][N_LANGS]; /* the same app, no calls */
  double mean_us[N_MODES][N_LANGS][N_LANGS];
} figures;

static void keep_min(double *slot, double v) {
  if (!(v >= *slot))
    *slot = v;
}

/* The wasm of a language's ping or pong, relative to the lang directory. */
static void guest_path(char *buf, size_t cap, int lang, const char *role) {
  if (lang == C)
    snprintf(buf, cap, "../app/bench-app-%s.wasm", role);
  else
    snprintf(buf, cap, "bench-lang-%s-%s.wasm", lang_names[lang], role);
}

static void manifest_name(const pg_bench_config *cfg, char *buf, size_t cap,
                          int caller, int callee, bool is_base) {
  snprintf(buf, cap, "%s%s-%s%s.toml", cfg->is_quick ? "quick-" : "",
           lang_names[caller], lang_names[callee], is_base ? "-base" : "");
}

static int write_manifest(const pg_bench_config *cfg, int caller, int callee,
                          bool is_base, long calls) {
  char name[64], ping[64], pong[64], path[PATH_MAX];
  manifest_name(cfg, name, sizeof name, caller, callee, is_base);
  guest_path(ping, sizeof ping, caller, "ping");
  guest_path(pong, sizeof pong, callee, "pong");
  snprintf(path, sizeof path, "%s/%s", cfg->stems[0], name);
  FILE *f = fopen(path, "w");
  if (f == NULL ||
      fprintf(f,
              "# Written by pg-bench lang (bench/suite_lang.c): ping in %s\n"
              "# calls pong in %s %ld times with %d bytes each way.\n"
              "[app]\nname = \"lang\"\n\n"
              "[[service]]\nname = \"pong\"\nwasm = \"%s\"\n\n"
              "[[program]]\nname = \"ping\"\nwasm = \"%s\"\n"
              "env = { PING_CALLS = \"%ld\", PING_SIZE = \"%d\" }\n",
              lang_titles[caller], lang_titles[callee], is_base ? 0 : calls,
              SIZE, pong, ping, is_base ? 0 : calls, SIZE) < 0 ||
      fclose(f) != 0) {
    perror(path);
    return -1;
  }
  return 0;
}

/* One run; it must exit 0 and print "ping calls N size S" first. */
static int run_pair(const pg_bench_config *cfg, int caller, int callee,
                    bool is_base, int mode, long calls, double *wall_s) {
  char name[64], path[PATH_MAX], expect[64];
  manifest_name(cfg, name, sizeof name, caller, callee, is_base);
  snprintf(path, sizeof path, "%s/%s", cfg->stems[0], name);
  snprintf(expect, sizeof expect, "ping calls %ld size %d\n",
           is_base ? 0 : calls, SIZE);
  char *argv[] = {(char *)cfg->parigot_path, "run",
                  mode == DET ? "--deterministic" : path,
                  mode == DET ? path : NULL, NULL};
  pg_bench_run run;
  int rc = pg_bench_spawn(argv, PG_BENCH_TIMEOUT_S, &run);
  if (rc != 0) {
    fprintf(stderr, "bench: lang: %s: cannot start: %s\n", path, strerror(-rc));
    return -1;
  }
  rc = run.exit_code == 0 && !run.is_timed_out &&
               strncmp(run.out, expect, strlen(expect)) == 0
           ? 0
           : -1;
  if (rc != 0)
    pg_bench_run_report("lang: run failed", argv, &run);
  *wall_s = run.wall_s;
  pg_bench_run_deinit(&run);
  return rc;
}

static int measure(const pg_bench_config *cfg, long calls, figures *fig) {
  for (int a = 0; a < N_LANGS; a++)
    for (int b = 0; b < N_LANGS; b++) {
      double unused;
      if (write_manifest(cfg, a, b, false, calls) != 0 ||
          write_manifest(cfg, a, b, true, calls) != 0 ||
          /* the warm-up: the first run may compile the modules */
          run_pair(cfg, a, b, true, DET, calls, &unused) != 0)
        return -1;
    }
  /* The pairs interleaved, so a slow moment of the machine hits all. */
  for (int r = 0; r < cfg->runs; r++)
    for (int m = 0; m < N_MODES; m++)
      for (int a = 0; a < N_LANGS; a++)
        for (int b = 0; b < N_LANGS; b++) {
          double run, base;
          if (run_pair(cfg, a, b, false, m, calls, &run) != 0 ||
              run_pair(cfg, a, b, true, m, calls, &base) != 0)
            return -1;
          keep_min(&fig->run_s[m][a][b], run);
          keep_min(&fig->base_s[m][a][b], base);
        }
  for (int m = 0; m < N_MODES; m++)
    for (int a = 0; a < N_LANGS; a++)
      for (int b = 0; b < N_LANGS; b++)
        fig->mean_us[m][a][b] =
            (fig->run_s[m][a][b] - fig->base_s[m][a][b]) / calls * 1e6;
  return 0;
}

/* The worst pair's ratio to C to C in mode m. */
static double worst_ratio(const figures *fig, int m) {
  double worst = 0;
  for (int a = 0; a < N_LANGS; a++)
    for (int b = 0; b < N_LANGS; b++) {
      double r = fig->mean_us[m][a][b] / fig->mean_us[m][C][C];
      worst = r > worst || isnan(r) ? r : worst;
    }
  return worst;
}

static void print_table(const pg_bench_config *cfg, const figures *fig,
                        long calls) {
  for (int m = 0; m < N_MODES; m++) {
    printf("\n%s mode: us per 1 KiB round trip (x C to C); rows call, "
           "columns answer\n%-8s",
           m == DET ? "deterministic" : "parallel", "");
    for (int b = 0; b < N_LANGS; b++)
      printf(" %16s", lang_titles[b]);
    printf("\n");
    for (int a = 0; a < N_LANGS; a++) {
      printf("%-8s", lang_titles[a]);
      for (int b = 0; b < N_LANGS; b++)
        printf("   %6.3f (%4.2fx)", fig->mean_us[m][a][b],
               fig->mean_us[m][a][b] / fig->mean_us[m][C][C]);
      printf("\n");
    }
  }
  printf("(a figure is (run of %ld calls - run of none) / %ld, best of %d "
         "run%s each)\n",
         calls, calls, cfg->runs, cfg->runs == 1 ? "" : "s");
  double det = worst_ratio(fig, DET), par = worst_ratio(fig, PAR);
  printf("goal: %s: worst det %.2fx %s; worst par %.2fx %s\n", RATIO_GOAL_TEXT,
         det, det <= RATIO_GOAL ? "met" : "NOT met", par,
         par <= RATIO_GOAL ? "met" : "NOT met");
}

static int write_records(FILE *f, const figures *fig) {
  char name[64];
  int rc = 0;
  for (int m = 0; m < N_MODES; m++)
    for (int a = 0; a < N_LANGS; a++)
      for (int b = 0; b < N_LANGS; b++) {
        pg_bench_peer peers[] = {{"c-c", fig->mean_us[m][C][C]}};
        snprintf(name, sizeof name, "lang.call.%s-%s.%s", lang_names[a],
                 lang_names[b], mode_names[m]);
        pg_bench_record rec = {
            name, fig->mean_us[m][a][b], "us/call mean", peers,
            1,    RATIO_GOAL_TEXT};
        rc |= pg_bench_record_write(f, &rec);
      }
  return rc;
}

int pg_bench_lang_main(const pg_bench_config *cfg) {
  if (cfg->n_stems != 1) {
    fprintf(stderr, "usage: pg-bench lang [options] LANG_DIR\n");
    return 2;
  }
  printf("\nlang: a 1 KiB call's round trip with caller and callee in C, "
         "C++, Rust and AssemblyScript%s\n",
         cfg->is_quick ? " (quick: a smoke test, not a benchmark)" : "");
  if (!pg_bench_way_check(cfg, PG_BENCH_PARIGOT))
    return 1;
  if (cfg->cache_dir != NULL)
    setenv("PARIGOT_CACHE", cfg->cache_dir, 1);
  pg_bench_load load;
  if (!cfg->is_quick)
    pg_bench_warn_if_busy();
  pg_bench_load_start(&load);
  figures fig;
  for (int m = 0; m < N_MODES; m++)
    for (int a = 0; a < N_LANGS; a++)
      for (int b = 0; b < N_LANGS; b++)
        fig.run_s[m][a][b] = fig.base_s[m][a][b] = NAN;
  long calls = cfg->is_quick ? QUICK_CALLS : CALLS;
  if (measure(cfg, calls, &fig) != 0)
    return 1;
  print_table(cfg, &fig, calls);
  if (!cfg->is_quick)
    pg_bench_load_report(&load);
  FILE *f = fopen(cfg->out_path, "w");
  if (f == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  int rc = write_records(f, &fig);
  return fclose(f) != 0 || rc != 0 ? 1 : 0;
}
