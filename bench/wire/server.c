/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/wire/server.c: background server processes for the wire suite;
 * see server.h. Calls posix_spawn, waitpid and kill; polls the log file
 * every 10 ms while it waits. Single-threaded.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define POLL_NS 10000000L /* 10 ms between looks at the log */
#define STOP_S 5.0        /* SIGTERM, then SIGKILL after this */
#define LOG_TAIL 2000     /* bytes of a failed server's log shown */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void nap(void) {
  struct timespec ts = {0, POLL_NS};
  nanosleep(&ts, NULL);
}

char *pg_bench_server_log(const pg_bench_server *s) {
  FILE *f = fopen(s->log_path, "r");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  while (buf != NULL) {
    len += fread(buf + len, 1, cap - len - 1, f);
    if (len < cap - 1)
      break;
    char *more = realloc(buf, cap * 2);
    if (more == NULL) {
      free(buf);
      buf = NULL;
    } else {
      buf = more;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf != NULL)
    buf[len] = '\0';
  return buf;
}

/* The port after @p ready in the log, or 0 if it is not there yet. */
static int logged_port(const pg_bench_server *s, const char *ready) {
  char *log = pg_bench_server_log(s);
  if (log == NULL)
    return 0;
  const char *at = strstr(log, ready);
  int port = at != NULL ? atoi(at + strlen(ready)) : 0;
  free(log);
  return port;
}

static int spawn(pg_bench_server *s, char *const argv[]) {
  int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  posix_spawn_file_actions_t fa;
  int rc = posix_spawn_file_actions_init(&fa);
  if (rc == 0) {
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
      rc = posix_spawn_file_actions_adddup2(&fa, fd, 1);
    if (rc == 0)
      rc = posix_spawn_file_actions_adddup2(&fa, fd, 2);
    if (rc == 0)
      rc = posix_spawnp(&s->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
  }
  close(fd);
  return -rc;
}

/* Prints the end of the log of a server that failed, to stdout. */
static void show_log(const pg_bench_server *s) {
  char *log = pg_bench_server_log(s);
  if (log == NULL)
    return;
  size_t len = strlen(log);
  const char *tail = len > LOG_TAIL ? log + len - LOG_TAIL : log;
  printf("  its log (%s)%s:\n%s%s", s->log_path, tail != log ? ", the end" : "",
         tail, len > 0 && log[len - 1] != '\n' ? "\n" : "");
  free(log);
}

int pg_bench_server_start(pg_bench_server *s, char *const argv[],
                          const char *log_path, const char *ready,
                          double timeout_s) {
  *s = (pg_bench_server){0};
  snprintf(s->log_path, sizeof(s->log_path), "%s", log_path);
  int rc = spawn(s, argv);
  if (rc != 0) {
    printf("  cannot start %s: %s\n", argv[0], strerror(-rc));
    s->pid = 0;
    return -1;
  }
  double deadline = now_s() + timeout_s;
  for (;;) {
    if ((s->port = logged_port(s, ready)) > 0)
      return 0;
    int status;
    if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
      s->pid = 0;
      printf("  %s exited (status %d) before it served\n", argv[0],
             WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      show_log(s);
      return -1;
    }
    if (now_s() > deadline) {
      printf("  %s did not serve within %.0f s\n", argv[0], timeout_s);
      pg_bench_server_stop(s);
      show_log(s);
      return -1;
    }
    nap();
  }
}

int pg_bench_server_stop(pg_bench_server *s) {
  if (s->pid <= 0)
    return 0;
  int status = 0;
  kill(s->pid, SIGTERM);
  double deadline = now_s() + STOP_S;
  pid_t got;
  while ((got = waitpid(s->pid, &status, WNOHANG)) == 0 && now_s() < deadline)
    nap();
  if (got == 0) {
    kill(s->pid, SIGKILL);
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  s->pid = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
