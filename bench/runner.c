/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/runner.c: pg-bench, the benchmark runner behind `make bench`.
 *
 *   pg-bench engine  [options] STEM...       CPU programs, three ways
 *   pg-bench startup [options] STEM          first-run and cached start-up
 *   pg-bench proto   [options] OURS PBC CPP  protobuf codecs, four ways
 *   pg-bench app     [options] NATIVE APP_DIR  calls and start-up of apps
 *   pg-bench wire    [options] H2LOAD GRPC_CPP APP_DIR WIRE_DIR
 *                                            gRPC: parigot, C++, grpc-js
 *   pg-bench merge --out results.json FRAGMENT.jsonl...
 *
 * Owns the option parsing and the table of subcommands, and builds the
 * command lines for the native, parigot and V8 ways. Calls the suites in
 * suite_*.c and the harness. Single-threaded.
 */
#include "runner.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct subcommand {
  const char *name;
  int (*main)(const pg_bench_config *cfg);
} subcommand;

static const subcommand subcommands[] = {
    {"engine", pg_bench_engine_main}, {"startup", pg_bench_startup_main},
    {"proto", pg_bench_proto_main},   {"app", pg_bench_app_main},
    {"wire", pg_bench_wire_main},     {"lang", pg_bench_lang_main},
    {"merge", pg_bench_merge_main},
};

const char *const pg_bench_way_names[PG_BENCH_N_WAYS] = {"native", "parigot",
                                                         "v8"};

static int usage(void) {
  fprintf(stderr,
          "usage: pg-bench engine|startup|proto|app|wire|merge --out FILE\n"
          "         [--parigot PATH] [--node PATH] [--wasi-js PATH]\n"
          "         [--native-dir DIR] [--guest-dir DIR] [--cache DIR]\n"
          "         [--work-dir DIR] [--source-dir DIR]\n"
          "         [--max-memory SIZE] [--runs N] [--startup-runs N]\n"
          "         [--quick] STEM|FRAGMENT...\n");
  return 2;
}

/* Returns the slot an option's value goes to, or NULL if it is unknown. */
static const char **string_option(pg_bench_config *cfg, const char *name) {
  static const struct {
    const char *name;
    size_t offset;
  } options[] = {
      {"--out", offsetof(pg_bench_config, out_path)},
      {"--parigot", offsetof(pg_bench_config, parigot_path)},
      {"--node", offsetof(pg_bench_config, node_path)},
      {"--wasi-js", offsetof(pg_bench_config, wasi_js_path)},
      {"--native-dir", offsetof(pg_bench_config, native_dir)},
      {"--guest-dir", offsetof(pg_bench_config, guest_dir)},
      {"--cache", offsetof(pg_bench_config, cache_dir)},
      {"--work-dir", offsetof(pg_bench_config, work_dir)},
      {"--source-dir", offsetof(pg_bench_config, source_dir)},
      {"--max-memory", offsetof(pg_bench_config, max_memory)},
  };
  for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
    if (strcmp(name, options[i].name) == 0)
      return (const char **)((char *)cfg + options[i].offset);
  return NULL;
}

static int parse_options(int argc, char **argv, pg_bench_config *cfg) {
  int runs = 0, startup_runs = 0;
  for (int i = 0; i < argc; i++) {
    const char **slot = string_option(cfg, argv[i]);
    if (strcmp(argv[i], "--quick") == 0)
      cfg->is_quick = true;
    else if (slot != NULL && i + 1 < argc)
      *slot = argv[++i];
    else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--startup-runs") == 0 && i + 1 < argc)
      startup_runs = atoi(argv[++i]);
    else if (argv[i][0] == '-')
      return -1;
    else
      cfg->stems[cfg->n_stems++] = argv[i];
  }
  cfg->runs = runs > 0 ? runs : cfg->is_quick ? 1 : 3;
  cfg->startup_runs = startup_runs > 0 ? startup_runs : cfg->is_quick ? 5 : 50;
  if (cfg->max_memory == NULL)
    cfg->max_memory = "1G";
  return cfg->out_path != NULL && cfg->n_stems > 0 ? 0 : -1;
}

bool pg_bench_way_check(const pg_bench_config *cfg, pg_bench_way way) {
  switch (way) {
  case PG_BENCH_NATIVE:
    return true;
  case PG_BENCH_PARIGOT:
    if (pg_bench_is_executable(cfg->parigot_path))
      return true;
    printf("parigot: not built (%s)\n",
           cfg->parigot_path ? cfg->parigot_path : "no --parigot given");
    return false;
  case PG_BENCH_V8:
    if (pg_bench_is_executable(cfg->node_path) && cfg->wasi_js_path != NULL)
      return true;
    printf("v8: node not found (%s)\n",
           cfg->node_path ? cfg->node_path : "no --node given");
    return false;
  case PG_BENCH_N_WAYS:
    break;
  }
  return false;
}

int pg_bench_cmd_init(pg_bench_cmd *cmd, const pg_bench_config *cfg,
                      pg_bench_way way, const char *stem, const char *arg) {
  int n = 0, len;
  if (way == PG_BENCH_NATIVE)
    len = snprintf(cmd->program, sizeof(cmd->program), "%s/%s", cfg->native_dir,
                   stem);
  else
    len = snprintf(cmd->program, sizeof(cmd->program), "%s/%s.wasm",
                   cfg->guest_dir, stem);
  if (len < 0 || (size_t)len >= sizeof(cmd->program))
    return -ENAMETOOLONG;
  if (way == PG_BENCH_PARIGOT) {
    cmd->argv[n++] = (char *)cfg->parigot_path;
    cmd->argv[n++] = "exec";
    cmd->argv[n++] = "--max-memory";
    cmd->argv[n++] = (char *)cfg->max_memory;
  } else if (way == PG_BENCH_V8) {
    cmd->argv[n++] = (char *)cfg->node_path;
    cmd->argv[n++] = "--no-warnings"; /* node:wasi is "experimental" */
    cmd->argv[n++] = (char *)cfg->wasi_js_path;
  }
  cmd->argv[n++] = cmd->program;
  if (arg != NULL)
    cmd->argv[n++] = (char *)arg;
  cmd->argv[n] = NULL;
  return 0;
}

int pg_bench_cmd_run(const pg_bench_cmd *cmd, const char *what,
                     const char *expect, pg_bench_run *run) {
  char msg[256];
  int rc = pg_bench_spawn(cmd->argv, PG_BENCH_TIMEOUT_S, run);
  if (rc != 0) {
    fprintf(stderr, "bench: %s: cannot start %s: %s\n", what, cmd->argv[0],
            strerror(-rc));
    return -1;
  }
  if (run->exit_code != 0 || run->is_timed_out)
    snprintf(msg, sizeof(msg), "%s failed", what);
  else if (expect != NULL && strcmp(run->out, expect) != 0)
    snprintf(msg, sizeof(msg),
             "OUTPUT MISMATCH: %s printed other output than native did\n"
             "  native stdout: %.*s",
             what, (int)strcspn(expect, "\n"), expect);
  else
    return 0;
  pg_bench_run_report(msg, cmd->argv, run);
  pg_bench_run_deinit(run);
  return -1;
}

int main(int argc, char **argv) {
  pg_bench_config cfg = {0};
  char *stems[argc > 0 ? argc : 1];
  cfg.stems = stems;
  if (argc < 2 || parse_options(argc - 2, argv + 2, &cfg) != 0)
    return usage();
  /* The table is printed while the runs go; keep it in order with stderr. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
    if (strcmp(argv[1], subcommands[i].name) == 0)
      return subcommands[i].main(&cfg);
  return usage();
}
