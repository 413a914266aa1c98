/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/db/suite_db.c: the database suite, pg-bench-db. Runs the guest
 * (client.c, under `parigot run`, calling the parigot.db built-in) and the
 * native peer (native.c, the sqlite3 C API in a loop) on fresh database
 * files, best of --runs each, and prints per phase the figures side by
 * side with the goals of issue 16: a point lookup and a single-row insert
 * within 1.5x of native per query, TX_ROWS inserts in one transaction
 * within 1.2x (one Batch call; the same inserts as TX_ROWS calls between
 * Begin and Commit are a figure beside it).
 * Writes the records to --out.
 *
 * Usage: pg-bench-db --parigot P --native N --dir D --work W --runs R
 *        --out FILE [--quick]
 * D holds bench-db-client.wasm and bench_db_items.toml (the query table), and
 * the schema.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sql.h"

#define N_PHASES 4
#define TIMEOUT_S 600

typedef struct options {
  const char *parigot, *native, *dir, *work, *out;
  int runs;
  bool is_quick;
} options;

static const char *const phase_names[N_PHASES] = {"tx10k", "lookup", "insert",
                                                  "batch10k"};
static const char *const phase_units[N_PHASES] = {"ms", "us", "us", "ms"};
/* A phase's goal, or 0 for a figure without one: ten thousand calls cost
 * ten thousand round trips, which the in-process call's own figure (the app
 * suite) bounds; the goal of ten thousand inserts in one transaction is
 * the one call of a Batch. */
static const double goals[N_PHASES] = {0, 1.5, 1.5, 1.2};

static bool parse_line(const char *out, double v[N_PHASES]) {
  const char *at = strstr(out, "tx_ms=");
  return at != NULL &&
         sscanf(at, "tx_ms=%lf lookup_us=%lf insert_us=%lf batch_ms=%lf", &v[0],
                &v[1], &v[2], &v[3]) == 4;
}

/* A fresh folder W/NAME for one run. */
static void fresh(const options *o, const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s/%s", o->work, name);
  pg_bench_remove_tree(out);
  mkdir(o->work, 0755);
  mkdir(out, 0755);
}

static int run_native(const options *o, double v[N_PHASES]) {
  char dir[4096], db[4200];
  fresh(o, "native", dir, sizeof dir);
  snprintf(db, sizeof db, "%s/bench.db", dir);
  char *argv[] = {(char *)o->native, db, o->is_quick ? "quick" : NULL, NULL};
  pg_bench_run run;
  int rc = pg_bench_spawn(argv, TIMEOUT_S, &run);
  if (rc == 0 && (run.exit_code != 0 || !parse_line(run.out, v))) {
    pg_bench_run_report("db: the native peer failed", argv, &run);
    rc = -1;
  }
  pg_bench_run_deinit(&run);
  return rc;
}

static int run_parigot(const options *o, double v[N_PHASES]) {
  char dir[4096], toml[4200];
  fresh(o, "parigot", dir, sizeof dir);
  snprintf(toml, sizeof toml, "%s/bench.toml", dir);
  FILE *f = fopen(toml, "w");
  if (f == NULL)
    return -1;
  fprintf(f,
          "[app]\nname = \"bench-db\"\ndeadline = \"60s\"\n\n"
          "[[service]]\nname = \"db\"\nnative = \"parigot.db\"\n"
          "max_handler_time = \"60s\"\n"
          "config = { database = \"bench.db\", schema = \"%s/schema.sql\", "
          "queries = \"%s/bench_db_items.toml\" }\n\n"
          "[[program]]\nname = \"client\"\nwasm = \"%s/bench-db-client.wasm\"\n"
          "env = { QUICK = \"%d\" }\n",
          o->dir, o->dir, o->dir, o->is_quick);
  fclose(f);
  char *argv[] = {(char *)o->parigot, "run", toml, NULL};
  pg_bench_run run;
  int rc = pg_bench_spawn(argv, TIMEOUT_S, &run);
  if (rc == 0 && (run.exit_code != 0 || !parse_line(run.out, v))) {
    pg_bench_run_report("db: the guest failed", argv, &run);
    rc = -1;
  }
  pg_bench_run_deinit(&run);
  return rc;
}

/* Best of o->runs for each phase. */
static int best_of(const options *o, int (*fn)(const options *, double *),
                   double best[N_PHASES]) {
  for (int p = 0; p < N_PHASES; p++)
    best[p] = INFINITY;
  for (int r = 0; r < o->runs; r++) {
    double v[N_PHASES];
    if (fn(o, v) != 0)
      return -1;
    for (int p = 0; p < N_PHASES; p++)
      best[p] = fmin(best[p], v[p]);
  }
  return 0;
}

static int report(const options *o, const double par[N_PHASES],
                  const double nat[N_PHASES]) {
  FILE *out = fopen(o->out, "a");
  if (out == NULL)
    return -1;
  printf("db: through a guest and the parigot.db built-in vs the sqlite3 C "
         "API natively (best of %d)\n",
         o->runs);
  printf("  %-8s %12s %12s %8s  %s\n", "phase", "parigot", "native", "ratio",
         "goal");
  for (int p = 0; p < N_PHASES; p++) {
    double ratio = par[p] / nat[p];
    char goal[64] = "", verdict[96] = "(a figure)";
    if (goals[p] > 0) {
      snprintf(goal, sizeof goal, "within %.1fx native", goals[p]);
      snprintf(verdict, sizeof verdict, "%s: %s", goal,
               ratio <= goals[p] ? "met" : "NOT met");
    }
    printf("  %-8s %9.3f %-2s %9.3f %-2s %7.2fx  %s\n", phase_names[p], par[p],
           phase_units[p], nat[p], phase_units[p], ratio, verdict);
    char name[64];
    snprintf(name, sizeof name, "db.%s", phase_names[p]);
    pg_bench_peer peer = {"native", nat[p]};
    pg_bench_record rec = {name,  par[p], phase_units[p],
                           &peer, 1,      goals[p] > 0 ? goal : NULL};
    pg_bench_record_write(out, &rec);
  }
  printf("  (tx10k: %d inserts in one transaction, a call each between Begin "
         "and Commit; lookup: per point lookup by key; insert: per single-row "
         "insert, each its own durable commit; batch10k: the %d inserts in "
         "one Batch call; native: the same statements in a loop)\n",
         PG_BENCH_DB_TX_ROWS, PG_BENCH_DB_TX_ROWS);
  return fclose(out) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  options o = {.runs = 3};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--quick") == 0)
      o.is_quick = true;
    else if (v == NULL)
      break;
    else if (strcmp(a, "--parigot") == 0)
      o.parigot = v, i++;
    else if (strcmp(a, "--native") == 0)
      o.native = v, i++;
    else if (strcmp(a, "--dir") == 0)
      o.dir = v, i++;
    else if (strcmp(a, "--work") == 0)
      o.work = v, i++;
    else if (strcmp(a, "--out") == 0)
      o.out = v, i++;
    else if (strcmp(a, "--runs") == 0)
      o.runs = atoi(v), i++;
  }
  if (!o.parigot || !o.native || !o.dir || !o.work || !o.out || o.runs < 1) {
    fprintf(stderr, "usage: pg-bench-db --parigot P --native N --dir D "
                    "--work W --runs R --out FILE [--quick]\n");
    return 2;
  }
  char dir[4096];
  if (realpath(o.dir, dir) == NULL) {
    fprintf(stderr, "pg-bench-db: %s: no such folder\n", o.dir);
    return 2;
  }
  o.dir = dir; /* the manifest it writes names files in it */
  double par[N_PHASES], nat[N_PHASES];
  pg_bench_warn_if_busy();
  if (best_of(&o, run_native, nat) != 0 || best_of(&o, run_parigot, par) != 0)
    return 1;
  return report(&o, par, nat) == 0 ? 0 : 1;
}
