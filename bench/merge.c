/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/merge.c: gathers the suites' JSON-lines fragments into one
 * results.json, stamped with the time, the commit and the host, and appends
 * the same document as one line to history.jsonl beside it.
 *
 * Owns nothing past the call. Calls git (through the harness) to name the
 * commit; without git or commits the commit is null. Single-threaded.
 */
#include "runner.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA_VERSION 1

/* Writes the commit as a JSON string, or null when git cannot say. */
static void write_commit(FILE *f, const char *source_dir) {
  char *argv[] = {"git",      "-C",      (char *)source_dir, "describe",
                  "--always", "--dirty", "--abbrev=12",      NULL};
  pg_bench_run run;
  if (source_dir == NULL || pg_bench_spawn(argv, 10, &run) != 0) {
    fputs("null", f);
    return;
  }
  run.out[strcspn(run.out, "\n")] = '\0';
  if (run.exit_code == 0 && run.out[0] != '\0')
    pg_bench_json_string(f, run.out);
  else
    fputs("null", f);
  pg_bench_run_deinit(&run);
}

static void write_header(FILE *f, const char *source_dir, const char *nl) {
  char stamp[32];
  struct utsname uts;
  time_t now = time(NULL);
  strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  if (uname(&uts) != 0)
    memset(&uts, 0, sizeof(uts));
  fprintf(f, "{%s\"schema\": %d,%s\"time\": \"%s\",%s\"commit\": ", nl,
          SCHEMA_VERSION, nl, stamp, nl);
  write_commit(f, source_dir);
  fprintf(f, ",%s\"host\": {\"machine\": ", nl);
  pg_bench_json_string(f, uts.machine);
  fputs(", \"kernel\": ", f);
  pg_bench_json_string(f, uts.release);
  fprintf(f, ", \"cpus\": %ld},%s\"records\": [", sysconf(_SC_NPROCESSORS_ONLN),
          nl);
}

/*
 * Copies each record line of one fragment into f, after a comma unless it
 * is the first record. A line that is not a JSON object fails the merge.
 */
static int copy_fragment(FILE *f, const char *path, const char *nl,
                         int *n_records) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int lineno = 0, rc = 0;
  FILE *in = fopen(path, "r");
  if (in == NULL) {
    fprintf(stderr, "bench: merge: %s: %s (did its suite run?)\n", path,
            strerror(errno));
    return -1;
  }
  while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len == 0)
      continue;
    if (line[0] != '{' || line[len - 1] != '}') {
      fprintf(stderr, "bench: merge: %s:%d: not a JSON object\n", path, lineno);
      rc = -1;
      break;
    }
    fprintf(f, "%s%s%s", *n_records > 0 ? "," : "", nl[0] ? "\n    " : "",
            line);
    (*n_records)++;
  }
  free(line);
  fclose(in);
  return rc;
}

/* Writes the whole document; nl is "\n  " (pretty) or "" (one line). */
static int write_document(FILE *f, const pg_bench_config *cfg, const char *nl,
                          int *n_records) {
  *n_records = 0;
  write_header(f, cfg->source_dir, nl);
  for (int i = 0; i < cfg->n_stems; i++)
    if (copy_fragment(f, cfg->stems[i], nl, n_records) != 0)
      return -1;
  fprintf(f, "%s]%s}\n", nl[0] ? "\n  " : "", nl[0] ? "\n" : "");
  return ferror(f) ? -1 : 0;
}

static int append_history(const pg_bench_config *cfg) {
  char path[PATH_MAX], dir[PATH_MAX];
  int n;
  snprintf(dir, sizeof(dir), "%s", cfg->out_path);
  snprintf(path, sizeof(path), "%s/history.jsonl", dirname(dir));
  FILE *f = fopen(path, "a");
  if (f == NULL) {
    perror(path);
    return -1;
  }
  int rc = write_document(f, cfg, "", &n);
  return fclose(f) != 0 || rc != 0 ? -1 : 0;
}

int pg_bench_merge_main(const pg_bench_config *cfg) {
  int n_records;
  FILE *f = fopen(cfg->out_path, "w");
  if (f == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  int rc = write_document(f, cfg, "\n  ", &n_records);
  if (fclose(f) != 0 || rc != 0) {
    remove(cfg->out_path); /* a partial document would pass for a result */
    fprintf(stderr, "bench: merge: %s not written\n", cfg->out_path);
    return 1;
  }
  if (append_history(cfg) != 0)
    return 1;
  printf("\nbench: wrote %d records to %s\n", n_records, cfg->out_path);
  return 0;
}
