/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_proc.h: runs a program the way a user would and captures what
 * it did: stdout, stderr, exit status and wall time.
 *
 * Tests of the CLI and of cross-process behaviour (cache races) use it.
 * Single-threaded.
 */
#ifndef PG_TEST_PROC_H
#define PG_TEST_PROC_H

#include <stddef.h>

typedef struct pg_proc_result {
  char *out;        /* stdout, NUL-terminated; owned (pg_proc_result_free) */
  char *err;        /* stderr, NUL-terminated; owned */
  int status;       /* exit status, or 128+signal */
  double elapsed_s; /* wall time */
  long max_rss_kb;  /* the child's peak resident memory (getrusage) */
} pg_proc_result;

/**
 * Runs argv (NULL-terminated) with @p input on stdin (NULL: empty) and
 * @p extra_env ("K=V" entries added to the environment, NULL-terminated or
 * NULL). Fails the test if the program cannot be started.
 */
void pg_proc_run(char *const argv[], const char *input, char *const extra_env[],
                 pg_proc_result *out);

/* As pg_proc_run with no input, but once the child's stderr holds @p when
 * it sends the child signal @p sig, @p times times, 300 ms apart. */
void pg_proc_run_signalled(char *const argv[], const char *when, int sig,
                           int times, pg_proc_result *out);
void pg_proc_result_free(pg_proc_result *r);

/* A program left running while the test talks to it (a server). */
typedef struct pg_proc pg_proc;

/* Starts argv (NULL-terminated) with an empty stdin; its output is kept. */
pg_proc *pg_proc_start(char *const argv[]);

/* Waits until the child's stderr holds @p text and the rest of its line,
 * and returns what it wrote there so far (owned by @p p, valid until the
 * next call). Fails the test after @p timeout_s seconds or if the child
 * ends first. */
const char *pg_proc_wait_for(pg_proc *p, const char *text, double timeout_s);

/* The child's process id, for a test that looks at its own children. */
int pg_proc_pid(const pg_proc *p);

/* Runs the parigot under test with the arguments that follow, up to the
 * first NULL (at most 30), into @p r, as pg_proc_run() does. */
void pg_proc_parigot(pg_proc_result *r, ...);

/* Sends @p sig (0: none) and waits for the child to end; @p out gets its
 * whole output and status, and @p p is freed. */
void pg_proc_stop(pg_proc *p, int sig, pg_proc_result *out);

/** @brief $PG_BIN/parigot, $PG_GUESTS/<name>.wasm: paths set by CTest. */
const char *pg_test_parigot(void);
const char *pg_test_guest(const char *name);

/** @brief A loopback TCP port nothing listens on just now (20000-29999,
 * picked at random per process: tests running at once rarely meet). */
int pg_test_free_port(void);

#endif /* PG_TEST_PROC_H */
