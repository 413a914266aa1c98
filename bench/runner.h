/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/runner.h: the pg-bench runner's internal interface: its options,
 * the three ways a program is run (native, parigot, V8), and the suites.
 *
 * runner.c parses the command line into a pg_bench_config and calls one
 * suite; each suite writes its records to config->out_path. Single-threaded.
 */
#ifndef PG_BENCH_RUNNER_H
#define PG_BENCH_RUNNER_H

#include <limits.h>
#include <stdbool.h>

#include "harness.h"

#define PG_BENCH_TIMEOUT_S 300.0 /* per run; a hung engine fails the bench */

/* Options shared by every subcommand; paths are borrowed from argv. */
typedef struct pg_bench_config {
  const char *out_path;     /* --out: the suite's fragment (results.json
                               for merge) */
  const char *parigot_path; /* --parigot: build/bin/parigot, may be absent */
  const char *node_path;    /* --node: node for the V8 peer, may be absent */
  const char *wasi_js_path; /* --wasi-js: bench/engine/run-wasi.mjs */
  const char *native_dir;   /* --native-dir: native builds, one per stem */
  const char *guest_dir;    /* --guest-dir: STEM.wasm files */
  const char *cache_dir;    /* --cache: PARIGOT_CACHE for warm runs */
  const char *work_dir;     /* --work-dir: scratch space (fresh caches) */
  const char *source_dir;   /* --source-dir: names the commit in merge */
  const char *max_memory;   /* --max-memory: passed to parigot exec */
  int runs;                 /* --runs: timed runs per way; best is kept */
  int startup_runs;         /* --startup-runs: runs for a start-up median */
  bool is_quick;            /* --quick: tiny inputs, for the smoke test */
  char **stems;             /* positional: programs or fragment files */
  int n_stems;
} pg_bench_config;

typedef enum pg_bench_way {
  PG_BENCH_NATIVE,
  PG_BENCH_PARIGOT,
  PG_BENCH_V8,
  PG_BENCH_N_WAYS
} pg_bench_way;

extern const char *const pg_bench_way_names[PG_BENCH_N_WAYS];

/* A command line for one run; argv points into the struct itself. */
typedef struct pg_bench_cmd {
  char *argv[PG_BENCH_MAX_ARGS];
  char program[PATH_MAX]; /* the native binary or the .wasm module */
} pg_bench_cmd;

/*
 * Says whether a way can run here, printing why not ("parigot: not built")
 * to stdout when it cannot. The native way needs nothing beyond the build.
 */
bool pg_bench_way_check(const pg_bench_config *cfg, pg_bench_way way);

/*
 * Fills cmd to run program stem one way, with arg (or NULL) as its only
 * argument. Returns 0, or -ENAMETOOLONG if a path does not fit.
 */
int pg_bench_cmd_init(pg_bench_cmd *cmd, const pg_bench_config *cfg,
                      pg_bench_way way, const char *stem, const char *arg);

/*
 * Runs cmd once and checks that it exited 0 and, when expect is not NULL,
 * printed exactly expect. Reports to stderr and returns -1 otherwise; on
 * success returns 0 with *run filled (the caller deinits it).
 */
int pg_bench_cmd_run(const pg_bench_cmd *cmd, const char *what,
                     const char *expect, pg_bench_run *run);

/* The suites and the merge step; each returns the process exit code. */
int pg_bench_engine_main(const pg_bench_config *cfg);
int pg_bench_startup_main(const pg_bench_config *cfg);
int pg_bench_proto_main(const pg_bench_config *cfg);
int pg_bench_app_main(const pg_bench_config *cfg);
int pg_bench_wire_main(const pg_bench_config *cfg);
int pg_bench_lang_main(const pg_bench_config *cfg);
int pg_bench_merge_main(const pg_bench_config *cfg);

#endif /* PG_BENCH_RUNNER_H */
