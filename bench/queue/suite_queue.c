/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/queue/suite_queue.c: the queue suite, pg-bench-queue. Runs the
 * guest (client.c) against the parigot.queue built-in under `parigot run`
 * and prints send+receive+ack round trips per second two ways, best of
 * --runs each: on a database file (WAL; every Send and Ack waits for its
 * commit on disk, fsync), timed by the guest; and deterministic
 * (a private database in memory), timed from outside as the difference
 * between a run of N round trips and one of none, divided by N. Figures
 * only: no peer does the same work to set a goal by. Writes the records
 * to --out.
 *
 * Usage: pg-bench-queue --parigot P --dir D --work W --runs R --out FILE
 *        [--quick]
 * D holds bench-queue-client.wasm.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define TIMEOUT_S 600

typedef struct options {
  const char *parigot, *dir, *work, *out;
  int runs;
  bool is_quick;
} options;

typedef struct figures {
  double seconds; /* the guest's own, or the whole run's */
  double p50_us, p99_us;
} figures;

/* Runs the client for @p calls round trips in a fresh folder. */
static int run(const options *o, bool is_deterministic, long calls,
               figures *f) {
  char dir[4096], toml[4200];
  snprintf(dir, sizeof dir, "%s/%s", o->work,
           is_deterministic ? "det" : "file");
  pg_bench_remove_tree(dir);
  mkdir(o->work, 0755);
  mkdir(dir, 0755);
  snprintf(toml, sizeof toml, "%s/bench.toml", dir);
  FILE *t = fopen(toml, "w");
  if (t == NULL)
    return -1;
  fprintf(t,
          "[app]\nname = \"bench-queue\"\ndeadline = \"60s\"\n\n"
          "[[service]]\nname = \"queue\"\nnative = \"parigot.queue\"\n"
          "config = { database = \"queue.db\" }\n\n"
          "[[program]]\nname = \"client\"\n"
          "wasm = \"%s/bench-queue-client.wasm\"\n"
          "env = { QUEUE_CALLS = \"%ld\" }\n",
          o->dir, calls);
  fclose(t);
  char *argv[] = {(char *)o->parigot, "run", toml, NULL, NULL};
  if (is_deterministic)
    argv[2] = "--deterministic", argv[3] = toml;
  pg_bench_run r;
  int rc = pg_bench_spawn(argv, TIMEOUT_S, &r);
  const char *line = rc == 0 ? strstr(r.out, "queue round_trips ") : NULL;
  long n = -1;
  if (line != NULL)
    sscanf(line, "queue round_trips %ld seconds %lf", &n, &f->seconds);
  const char *pct = rc == 0 ? strstr(r.out, "queue p50_ns ") : NULL;
  double p50 = NAN, p99 = NAN;
  if (pct != NULL)
    sscanf(pct, "queue p50_ns %lf p99_ns %lf", &p50, &p99);
  f->p50_us = p50 / 1e3;
  f->p99_us = p99 / 1e3;
  if (is_deterministic)
    f->seconds = r.wall_s;
  if (rc == 0 && (r.exit_code != 0 || n != calls)) {
    pg_bench_run_report("queue: the guest failed", argv, &r);
    rc = -1;
  }
  pg_bench_run_deinit(&r);
  return rc;
}

/* Best of o->runs: the least time, and its percentiles. */
static int best_of(const options *o, bool is_deterministic, long calls,
                   figures *best) {
  best->seconds = INFINITY;
  for (int i = 0; i < o->runs; i++) {
    figures f;
    if (run(o, is_deterministic, calls, &f) != 0)
      return -1;
    if (f.seconds < best->seconds)
      *best = f;
  }
  return 0;
}

static void record(FILE *out, const char *name, double value,
                   const char *unit) {
  pg_bench_record rec = {name, value, unit, NULL, 0, NULL};
  pg_bench_record_write(out, &rec);
}

int main(int argc, char **argv) {
  options o = {.runs = 3};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--quick") == 0)
      o.is_quick = true;
    else if (v != NULL && strcmp(a, "--parigot") == 0)
      o.parigot = argv[++i];
    else if (v != NULL && strcmp(a, "--dir") == 0)
      o.dir = argv[++i];
    else if (v != NULL && strcmp(a, "--work") == 0)
      o.work = argv[++i];
    else if (v != NULL && strcmp(a, "--out") == 0)
      o.out = argv[++i];
    else if (v != NULL && strcmp(a, "--runs") == 0)
      o.runs = atoi(argv[++i]);
    else
      o.parigot = NULL;
  }
  if (o.parigot == NULL || o.dir == NULL || o.work == NULL || o.out == NULL ||
      o.runs < 1) {
    fprintf(stderr, "usage: pg-bench-queue --parigot P --dir D --work W "
                    "--runs R --out FILE [--quick]\n");
    return 2;
  }
  long file_calls = o.is_quick ? 20 : 2000;
  long det_calls = o.is_quick ? 20 : 20000;
  figures file, det, base;
  if (best_of(&o, false, file_calls, &file) != 0 ||
      best_of(&o, true, det_calls, &det) != 0 ||
      best_of(&o, true, 0, &base) != 0)
    return 1;
  double file_rate = (double)file_calls / file.seconds;
  double det_rate = (double)det_calls / fmax(det.seconds - base.seconds, 1e-9);
  FILE *out = fopen(o.out, "a");
  if (out == NULL)
    return 1;
  printf("queue: send+receive+ack round trips through a guest and the "
         "parigot.queue built-in (100-byte body; best of %d)\n",
         o.runs);
  printf("  on a file, parigot run (WAL, Send and Ack synced): %9.0f round "
         "trips/s  p50 %.1f us  p99 %.1f us\n",
         file_rate, file.p50_us, file.p99_us);
  printf("  in memory, parigot run --deterministic:             %9.0f round "
         "trips/s\n",
         det_rate);
  printf("  (no goal: no peer does the same work; on a file each Send and "
         "Ack waits for its commit on disk)\n");
  record(out, "queue.round_trips.file", file_rate, "round trips/s");
  record(out, "queue.round_trip.file.p50", file.p50_us, "us");
  record(out, "queue.round_trips.memory", det_rate, "round trips/s");
  return fclose(out) == 0 ? 0 : 1;
}
