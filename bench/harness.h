/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/harness.h: what every benchmark suite shares: running a program with
 * a stopwatch, simple statistics, and writing result records.
 *
 * A record is one JSON object on one line of a suite's fragment file
 * (build/bench/<suite>.jsonl); `pg-bench merge` gathers the fragments into
 * build/bench/results.json. See bench/README.md for the format. The runner
 * is single-threaded; nothing here is safe to share between threads.
 */
#ifndef PG_BENCH_HARNESS_H
#define PG_BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PG_BENCH_MAX_ARGS 32 /* argv slots, including the NULL */

/* The result of one run of a program. */
typedef struct pg_bench_run {
  double wall_s;     /* from spawn to reaped, CLOCK_MONOTONIC */
  int exit_code;     /* exit status, or 128 + signal number if killed */
  bool is_timed_out; /* killed by the harness after the timeout */
  char *out;         /* captured stdout, NUL-terminated; owned */
  size_t out_len;    /* bytes in out, not counting the NUL */
  char *err;         /* captured stderr, NUL-terminated; owned */
  size_t err_len;    /* bytes in err, not counting the NUL */
} pg_bench_run;

/* A figure measured beside a record's own value, in the same unit. */
typedef struct pg_bench_peer {
  const char *name; /* "native", "v8", ... */
  double value;     /* NAN when not measured; written as null */
} pg_bench_peer;

/* One figure: a named value with its unit and the peers it is judged by. */
typedef struct pg_bench_record {
  const char *name;           /* dotted, suite first: "engine.sort" */
  double value;               /* NAN when not measured; written as null */
  const char *unit;           /* "s", "ms", "x native", ... */
  const pg_bench_peer *peers; /* borrowed */
  size_t n_peers;
  const char *goal; /* optional, human-readable; NULL to omit */
} pg_bench_record;

/*
 * Runs argv[0] (searched in PATH only if it has no slash) with argv, stdin from
 * /dev/null and stdout and stderr captured, and times it. Kills it after
 * timeout_s. Returns 0 with *out filled (free it with pg_bench_run_deinit),
 * or -errno if the program could not be started.
 */
int pg_bench_spawn(char *const argv[], double timeout_s, pg_bench_run *out);

/* Frees what pg_bench_run owns; does nothing for a zeroed run. */
void pg_bench_run_deinit(pg_bench_run *run);

/* Prints argv and the run's status and both outputs to stderr. */
void pg_bench_run_report(const char *what, char *const argv[],
                         const pg_bench_run *run);

/* Statistics over n > 0 values; pg_bench_median sorts v in place. */
double pg_bench_min(const double *v, size_t n);
double pg_bench_median(double *v, size_t n);
double pg_bench_geomean(const double *v, size_t n);

/* Appends one record as a JSON line to f. Returns 0 or -EIO. */
int pg_bench_record_write(FILE *f, const pg_bench_record *rec);

/* Writes s as a JSON string literal, quotes included. */
void pg_bench_json_string(FILE *f, const char *s);

/*
 * Samples /proc/stat for window_s and returns how many CPUs' worth of time
 * went to work other than idling (this process sleeps meanwhile), or NAN
 * where /proc/stat cannot be read.
 */
double pg_bench_busy_cpus(double window_s);

/* Prints a warning to stdout if other work keeps the machine busy. */
void pg_bench_warn_if_busy(void);

/* A snapshot to tell afterwards how much CPU other work took meanwhile. */
typedef struct pg_bench_load {
  double busy_s; /* non-idle time of all CPUs, from /proc/stat */
  double own_s;  /* CPU time of this process and its reaped children */
  double wall_s; /* CLOCK_MONOTONIC */
  bool is_valid; /* false where /proc/stat cannot be read */
} pg_bench_load;

void pg_bench_load_start(pg_bench_load *load);

/*
 * Prints a note to stdout if processes other than the runner and its
 * children used more than a few percent of a CPU since load_start, as a
 * concurrent build or test run does; such figures are not to be trusted.
 */
void pg_bench_load_report(const pg_bench_load *load);

/* True if path names an executable file. */
bool pg_bench_is_executable(const char *path);

/* Removes path and, if it is a directory, everything below it. */
int pg_bench_remove_tree(const char *path);

#endif /* PG_BENCH_HARNESS_H */
