/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/suite_proto.c: the proto suite: encode and decode throughput of
 * three message shapes (small, mixed, large) for our generated C code as a
 * wasm guest under `parigot exec` and natively, beside protobuf-c and C++
 * protobuf natively.
 *
 * The programs (bench/proto/) time themselves and print one line per shape
 * and operation; this suite runs each of them cfg->runs times, interleaved,
 * keeps the best figure of each, checks that every run printed the same
 * encoded sizes and digests as ours natively, prints the table with the
 * goal's ratios and writes the records. Owns the figures while it runs.
 * Calls the runner's way helpers and the harness. Single-threaded; runs one
 * program at a time.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SHAPES 3
#define N_OPS 2
#define PBC_GOAL 1.0  /* ours natively, times protobuf-c's speed */
#define CPP_GOAL 0.5  /* ours natively, times C++'s speed */
#define WASM_GOAL 1.5 /* ours under parigot, times ours native's time */
#define GOAL_TEXT                                                              \
  "natively >= protobuf-c and >= 0.5x C++ protobuf; under parigot <= 1.5x "    \
  "our native time"

static const char *const shape_names[N_SHAPES] = {"small", "mixed", "large"};
static const char *const op_names[N_OPS] = {"encode", "decode"};

/* Who is measured: ours two ways (stems[0]), then the native peers. */
typedef enum impl { PARIGOT, NATIVE, PROTOBUF_C, CPP, N_IMPLS } impl;
static const char *const impl_names[N_IMPLS] = {"parigot", "native",
                                                "protobuf-c", "cpp"};

typedef struct figures {
  long size[N_SHAPES];                  /* encoded bytes */
  double mbs[N_IMPLS][N_SHAPES][N_OPS]; /* best MB/s; NAN: not measured */
  double us[N_IMPLS][N_SHAPES][N_OPS];  /* best us per message */
} figures;

static int index_of(const char *const *names, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      return i;
  return -1;
}

/*
 * Reads a program's output: copies its size lines to sizes (they must not
 * differ between programs) and keeps the best of its figures in fig.
 * Returns 0, or -1 if a line is malformed or a measurement is missing.
 */
static int parse_output(const char *out, impl who, char *sizes, size_t cap,
                        figures *fig) {
  int seen = 0;
  size_t used = 0;
  sizes[0] = '\0';
  for (const char *line = out; *line != '\0';) {
    size_t len = strcspn(line, "\n");
    char shape[16], word[16];
    double mbs, us;
    long size;
    if (sscanf(line, "%15s %15s", shape, word) != 2)
      return -1;
    int s = index_of(shape_names, N_SHAPES, shape);
    int op = index_of(op_names, N_OPS, word);
    if (s < 0)
      return -1;
    if (strcmp(word, "size") == 0 && sscanf(line, "%*s size %ld", &size) == 1 &&
        used + len + 2 <= cap) {
      memcpy(sizes + used, line, len);
      used += len;
      sizes[used++] = '\n';
      sizes[used] = '\0';
      fig->size[s] = size;
    } else if (op >= 0 &&
               sscanf(line, "%*s %*s %lf MB/s %lf us/msg", &mbs, &us) == 2) {
      if (!(mbs <= fig->mbs[who][s][op]))
        fig->mbs[who][s][op] = mbs;
      if (!(us >= fig->us[who][s][op]))
        fig->us[who][s][op] = us;
      seen++;
    } else {
      return -1;
    }
    line += len + (line[len] == '\n');
  }
  return seen == N_SHAPES * N_OPS ? 0 : -1;
}

/* Runs one program once; the first run of ours natively sets expect. */
static int run_once(const pg_bench_config *cfg, impl who, char *expect,
                    size_t cap, figures *fig) {
  static const int stem_of[N_IMPLS] = {0, 0, 1, 2};
  pg_bench_way way = who == PARIGOT ? PG_BENCH_PARIGOT : PG_BENCH_NATIVE;
  pg_bench_cmd cmd;
  pg_bench_run run;
  char what[160], sizes[1024];
  snprintf(what, sizeof(what), "%s (%s)", cfg->stems[stem_of[who]],
           impl_names[who]);
  if (pg_bench_cmd_init(&cmd, cfg, way, cfg->stems[stem_of[who]],
                        cfg->is_quick ? "quick" : NULL) != 0) {
    fprintf(stderr, "bench: %s: path too long\n", what);
    return -1;
  }
  if (pg_bench_cmd_run(&cmd, what, NULL, &run) != 0)
    return -1;
  int rc = parse_output(run.out, who, sizes, sizeof(sizes), fig);
  if (rc != 0)
    pg_bench_run_report("proto: unexpected output", cmd.argv, &run);
  else if (expect[0] == '\0')
    snprintf(expect, cap, "%s", sizes);
  else if (strcmp(sizes, expect) != 0) {
    fprintf(stderr,
            "bench: SIZE MISMATCH: %s encoded or decoded differently than "
            "ours natively\n  ours natively:\n%s  %s:\n%s",
            what, expect, what, sizes);
    rc = -1;
  }
  pg_bench_run_deinit(&run);
  return rc;
}

static void print_figure(double v, const char *format, int width) {
  if (isnan(v))
    printf(" %*s", width, "-");
  else
    printf(format, width, v);
}

static void print_tables(const pg_bench_config *cfg, const figures *fig) {
  printf("%-13s %6s %9s %9s %10s %9s %10s %10s %12s\n", "MB/s", "bytes",
         "parigot", "native", "protobuf-c", "cpp", "native/pbc", "native/cpp",
         "parigot time");
  for (int s = 0; s < N_SHAPES; s++)
    for (int op = 0; op < N_OPS; op++) {
      double v[N_IMPLS];
      for (int i = 0; i < N_IMPLS; i++)
        v[i] = fig->mbs[i][s][op];
      printf("%-6s %-6s %6ld", shape_names[s], op_names[op], fig->size[s]);
      for (int i = 0; i < N_IMPLS; i++)
        print_figure(v[i], " %*.1f", i == PROTOBUF_C ? 10 : 9);
      print_figure(v[NATIVE] / v[PROTOBUF_C], " %*.2fx", 9);
      print_figure(v[NATIVE] / v[CPP], " %*.2fx", 9);
      print_figure(v[NATIVE] / v[PARIGOT], " %*.2fx", 11);
      printf("\n");
    }
  printf("%-20s %9s %9s %10s %9s\n", "us/msg", "parigot", "native",
         "protobuf-c", "cpp");
  for (int s = 0; s < N_SHAPES; s++)
    for (int op = 0; op < N_OPS; op++) {
      printf("%-6s %-13s", shape_names[s], op_names[op]);
      for (int i = 0; i < N_IMPLS; i++)
        print_figure(fig->us[i][s][op], " %*.3f", i == PROTOBUF_C ? 10 : 9);
      printf("\n");
    }
  printf("(native/pbc, native/cpp: our native speed over the peer's; parigot "
         "time: ours under parigot over ours native; best of %d run%s)\n",
         cfg->runs, cfg->runs == 1 ? "" : "s");
}

/*
 * Prints one goal's verdict: ratio(shape, op) must be at least (or, with
 * is_max, at most) limit on every shape and operation; lists the misses.
 */
static void print_goal(const char *text, const figures *fig, impl num, impl den,
                       double limit, bool is_max) {
  int missed = 0, unmeasured = 0;
  printf("goal: %s:", text);
  for (int s = 0; s < N_SHAPES; s++)
    for (int op = 0; op < N_OPS; op++) {
      double r = fig->mbs[num][s][op] / fig->mbs[den][s][op];
      if (isnan(r))
        unmeasured++;
      else if (is_max ? r > limit : r < limit)
        printf("%s %s %s %.3fx", missed++ ? "," : " NOT met:", shape_names[s],
               op_names[op], r);
    }
  if (unmeasured > 0)
    printf(" not measured (%s did not run)\n", impl_names[den]);
  else
    printf("%s\n", missed ? "" : " met");
}

static int write_records(FILE *f, const figures *fig) {
  char name[64];
  int rc = 0;
  for (int s = 0; s < N_SHAPES; s++)
    for (int op = 0; op < N_OPS; op++) {
      pg_bench_peer mbs_peers[] = {{"native", fig->mbs[NATIVE][s][op]},
                                   {"protobuf-c", fig->mbs[PROTOBUF_C][s][op]},
                                   {"cpp", fig->mbs[CPP][s][op]}};
      pg_bench_peer us_peers[] = {{"native", fig->us[NATIVE][s][op]},
                                  {"protobuf-c", fig->us[PROTOBUF_C][s][op]},
                                  {"cpp", fig->us[CPP][s][op]}};
      snprintf(name, sizeof(name), "proto.%s.%s", shape_names[s], op_names[op]);
      pg_bench_record mbs = {
          name, fig->mbs[PARIGOT][s][op], "MB/s", mbs_peers, 3, GOAL_TEXT};
      rc |= pg_bench_record_write(f, &mbs);
      snprintf(name, sizeof(name), "proto.%s.%s.us", shape_names[s],
               op_names[op]);
      pg_bench_record us = {
          name, fig->us[PARIGOT][s][op], "us/msg", us_peers, 3, NULL};
      rc |= pg_bench_record_write(f, &us);
    }
  return rc;
}

int pg_bench_proto_main(const pg_bench_config *cfg) {
  char expect[1024] = "";
  pg_bench_load load;
  figures fig;
  FILE *f;

  if (cfg->n_stems != 3) {
    fprintf(stderr, "usage: pg-bench proto [options] OURS PROTOBUF_C CPP\n");
    return 2;
  }
  printf("\nproto: size + encode, and decode into a fresh message, per "
         "shape; best of %d run%s%s\n",
         cfg->runs, cfg->runs == 1 ? "" : "s",
         cfg->is_quick ? " (quick: a smoke test, not a benchmark)" : "");
  if (!cfg->is_quick)
    pg_bench_warn_if_busy();
  pg_bench_load_start(&load);
  bool has_parigot = pg_bench_way_check(cfg, PG_BENCH_PARIGOT);
  if (has_parigot && cfg->cache_dir != NULL)
    setenv("PARIGOT_CACHE", cfg->cache_dir, 1);
  for (int i = 0; i < N_IMPLS; i++)
    for (int s = 0; s < N_SHAPES; s++)
      for (int op = 0; op < N_OPS; op++)
        fig.mbs[i][s][op] = fig.us[i][s][op] = NAN;
  /* Ours natively first: its first run sets the expected sizes. */
  static const impl order[N_IMPLS] = {NATIVE, PARIGOT, PROTOBUF_C, CPP};
  for (int r = 0; r < cfg->runs; r++)
    for (int i = 0; i < N_IMPLS; i++)
      if ((order[i] != PARIGOT || has_parigot) &&
          run_once(cfg, order[i], expect, sizeof(expect), &fig) != 0)
        return 1;
  print_tables(cfg, &fig);
  print_goal("ours natively >= protobuf-c on every shape", &fig, NATIVE,
             PROTOBUF_C, PBC_GOAL, false);
  print_goal("ours natively >= 0.5x C++ protobuf", &fig, NATIVE, CPP, CPP_GOAL,
             false);
  print_goal("ours under parigot <= 1.5x our native time", &fig, NATIVE,
             PARIGOT, WASM_GOAL, true);
  if (!cfg->is_quick)
    pg_bench_load_report(&load);

  if ((f = fopen(cfg->out_path, "w")) == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  int rc = write_records(f, &fig);
  return fclose(f) != 0 || rc != 0 ? 1 : 0;
}
