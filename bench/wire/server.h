/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/wire/server.h: a server process for the wire suite: started in
 * the background with its output in a log file, waited for until its log
 * says which port it serves on, and stopped at the end.
 *
 * The runner is single-threaded; so is this. A pg_bench_server owns its
 * child until pg_bench_server_stop() reaps it.
 */
#ifndef PG_BENCH_WIRE_SERVER_H
#define PG_BENCH_WIRE_SERVER_H

#include <limits.h>
#include <sys/types.h>

typedef struct pg_bench_server {
  pid_t pid;               /* the child; 0 once reaped (or never started) */
  int port;                /* what the log said, once started */
  char log_path[PATH_MAX]; /* stdout and stderr, both; kept afterwards */
} pg_bench_server;

/*
 * Starts argv[0] (searched in PATH only if it has no slash) with argv,
 * stdin from /dev/null and stdout and stderr written to log_path
 * (truncated first), and waits until the log holds @p ready followed by
 * a port number, for at most timeout_s. Returns 0 with s->port set, or -1
 * with the reason and the log's end printed to stdout, the child stopped:
 * it could not start, it exited, or it did not get ready in time.
 */
int pg_bench_server_start(pg_bench_server *s, char *const argv[],
                          const char *log_path, const char *ready,
                          double timeout_s);

/*
 * Sends SIGTERM, waits up to 5 s, then sends SIGKILL, and reaps the
 * child. Returns its exit status (128 + the signal if one killed it),
 * or 0 if nothing runs.
 */
int pg_bench_server_stop(pg_bench_server *s);

/* The log so far as a NUL-terminated string to free(), or NULL. */
char *pg_bench_server_log(const pg_bench_server *s);

#endif /* PG_BENCH_WIRE_SERVER_H */
