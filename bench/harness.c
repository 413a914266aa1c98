/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/harness.c: spawns and times benchmark programs, computes statistics
 * and writes JSON result records.
 *
 * Owns nothing between calls; each pg_bench_run owns its captured output.
 * Calls posix_spawn, poll and waitpid. Single-threaded: the runner measures
 * one program at a time so runs do not compete for the machine's cores.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct sink {
  int fd;     /* read end of the child's pipe, -1 at EOF */
  char *buf;  /* owned, NUL-terminated */
  size_t len; /* bytes in buf */
  size_t cap; /* bytes allocated */
} sink;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads what is available on s->fd; closes it at EOF. */
static int sink_read(sink *s) {
  if (s->cap - s->len < 4096) {
    size_t cap = s->cap < 8192 ? 8192 : s->cap * 2;
    char *buf = realloc(s->buf, cap);
    if (buf == NULL)
      return -ENOMEM;
    s->buf = buf;
    s->cap = cap;
  }
  ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
  if (n < 0)
    return errno == EINTR || errno == EAGAIN ? 0 : -errno;
  if (n == 0) {
    close(s->fd);
    s->fd = -1;
  }
  s->len += (size_t)n;
  s->buf[s->len] = '\0';
  return 0;
}

/* Makes sure s->buf exists even when the program wrote nothing. */
static int sink_terminate(sink *s) {
  if (s->buf == NULL && (s->buf = calloc(1, 1)) == NULL)
    return -ENOMEM;
  return 0;
}

/* Drains both pipes until EOF or the deadline; returns -ETIMEDOUT then. */
static int drain(sink *sinks, double deadline_s) {
  while (sinks[0].fd >= 0 || sinks[1].fd >= 0) {
    struct pollfd pfd[2];
    for (int i = 0; i < 2; i++)
      pfd[i] = (struct pollfd){.fd = sinks[i].fd, .events = POLLIN};
    double left_s = deadline_s - now_s();
    if (left_s <= 0)
      return -ETIMEDOUT;
    int n = poll(pfd, 2, (int)(left_s * 1000) + 1);
    if (n < 0 && errno != EINTR)
      return -errno;
    for (int i = 0; i < 2 && n > 0; i++) {
      if (pfd[i].revents == 0)
        continue;
      int rc = sink_read(&sinks[i]);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

static int start_child(char *const argv[], int out_fd, int err_fd, pid_t *pid) {
  posix_spawn_file_actions_t fa;
  int rc = posix_spawn_file_actions_init(&fa);
  if (rc != 0)
    return -rc;
  rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  if (rc == 0)
    rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  if (rc == 0)
    rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  return -rc;
}

int pg_bench_spawn(char *const argv[], double timeout_s, pg_bench_run *out) {
  int out_pipe[2], err_pipe[2], status = 0, rc;
  pid_t pid;

  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    return -errno;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    rc = -errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    return rc;
  }
  sink sinks[2] = {{.fd = out_pipe[0]}, {.fd = err_pipe[0]}};
  double start_s = now_s();
  rc = start_child(argv, out_pipe[1], err_pipe[1], &pid);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc == 0) {
    rc = drain(sinks, start_s + timeout_s);
    if (rc != 0)
      kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  double end_s = now_s();
  for (int i = 0; i < 2; i++)
    if (sinks[i].fd >= 0)
      close(sinks[i].fd);
  if ((rc != 0 && rc != -ETIMEDOUT) || sink_terminate(sinks) != 0 ||
      sink_terminate(sinks + 1) != 0) {
    free(sinks[0].buf);
    free(sinks[1].buf);
    return rc != 0 ? rc : -ENOMEM;
  }
  *out = (pg_bench_run){
      .wall_s = end_s - start_s,
      .exit_code =
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
      .is_timed_out = rc == -ETIMEDOUT,
      .out = sinks[0].buf,
      .out_len = sinks[0].len,
      .err = sinks[1].buf,
      .err_len = sinks[1].len,
  };
  return 0;
}

void pg_bench_run_deinit(pg_bench_run *run) {
  free(run->out);
  free(run->err);
  *run = (pg_bench_run){0};
}

void pg_bench_run_report(const char *what, char *const argv[],
                         const pg_bench_run *run) {
  fprintf(stderr, "bench: %s\n  command:", what);
  for (int i = 0; argv[i] != NULL; i++)
    fprintf(stderr, " %s", argv[i]);
  if (run->is_timed_out)
    fprintf(stderr, "\n  killed after %.1f s (timeout)", run->wall_s);
  fprintf(stderr, "\n  exit code: %d\n  stdout: %s%s  stderr: %s%s",
          run->exit_code, run->out,
          run->out_len > 0 && run->out[run->out_len - 1] == '\n' ? "" : "\n",
          run->err,
          run->err_len > 0 && run->err[run->err_len - 1] == '\n' ? "" : "\n");
}

double pg_bench_min(const double *v, size_t n) {
  double m = v[0];
  for (size_t i = 1; i < n; i++)
    m = v[i] < m ? v[i] : m;
  return m;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double pg_bench_median(double *v, size_t n) {
  qsort(v, n, sizeof(*v), compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double pg_bench_geomean(const double *v, size_t n) {
  double log_sum = 0;
  for (size_t i = 0; i < n; i++)
    log_sum += log(v[i]);
  return exp(log_sum / (double)n);
}

void pg_bench_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

/* Numbers keep 6 significant digits: more than any timing deserves. */
static void json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.6g", v);
  else
    fputs("null", f);
}

int pg_bench_record_write(FILE *f, const pg_bench_record *rec) {
  fputs("{\"name\":", f);
  pg_bench_json_string(f, rec->name);
  fputs(",\"value\":", f);
  json_number(f, rec->value);
  fputs(",\"unit\":", f);
  pg_bench_json_string(f, rec->unit);
  fputs(",\"peers\":{", f);
  for (size_t i = 0; i < rec->n_peers; i++) {
    if (i > 0)
      fputc(',', f);
    pg_bench_json_string(f, rec->peers[i].name);
    fputc(':', f);
    json_number(f, rec->peers[i].value);
  }
  fputc('}', f);
  if (rec->goal != NULL) {
    fputs(",\"goal\":", f);
    pg_bench_json_string(f, rec->goal);
  }
  fputs("}\n", f);
  return ferror(f) ? -EIO : 0;
}

/* Reads the aggregate "cpu" line: total and idle (idle + iowait) ticks. */
static int read_cpu_ticks(unsigned long long *total, unsigned long long *idle) {
  unsigned long long v[8] = {0};
  FILE *f = fopen("/proc/stat", "r");
  if (f == NULL)
    return -1;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                 &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n < 5)
    return -1;
  *total = 0;
  for (int i = 0; i < 8; i++)
    *total += v[i];
  *idle = v[3] + v[4];
  return 0;
}

double pg_bench_busy_cpus(double window_s) {
  unsigned long long t0, i0, t1, i1;
  struct timespec ts = {(time_t)window_s,
                        (long)((window_s - (double)(time_t)window_s) * 1e9)};
  if (read_cpu_ticks(&t0, &i0) != 0)
    return NAN;
  nanosleep(&ts, NULL);
  if (read_cpu_ticks(&t1, &i1) != 0 || t1 <= t0)
    return NAN;
  double busy = 1.0 - (double)(i1 - i0) / (double)(t1 - t0);
  return busy * (double)sysconf(_SC_NPROCESSORS_ONLN);
}

void pg_bench_warn_if_busy(void) {
  double busy = pg_bench_busy_cpus(0.5);
  if (busy > 0.25)
    printf("warning: %.1f of %ld CPUs busy with other work; the figures "
           "below will be noisy\n",
           busy, sysconf(_SC_NPROCESSORS_ONLN));
}

static double own_cpu_s(void) {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec +
                  children.ru_utime.tv_sec + children.ru_stime.tv_sec) +
         (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
                  children.ru_utime.tv_usec + children.ru_stime.tv_usec) *
             1e-6;
}

void pg_bench_load_start(pg_bench_load *load) {
  unsigned long long total, idle;
  load->is_valid = read_cpu_ticks(&total, &idle) == 0;
  load->busy_s = (double)(total - idle) / (double)sysconf(_SC_CLK_TCK);
  load->own_s = own_cpu_s();
  load->wall_s = now_s();
}

void pg_bench_load_report(const pg_bench_load *load) {
  pg_bench_load end;
  pg_bench_load_start(&end);
  double wall_s = end.wall_s - load->wall_s;
  if (!load->is_valid || !end.is_valid || wall_s <= 0)
    return;
  double others = (end.busy_s - load->busy_s) - (end.own_s - load->own_s);
  if (others / wall_s > 0.05)
    printf("note: other work used %.2f CPUs on average during this suite; "
           "these figures are noisy, run again on a quiet machine\n",
           others / wall_s);
}

bool pg_bench_is_executable(const char *path) {
  return path != NULL && access(path, X_OK) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw) {
  (void)st;
  (void)type;
  (void)ftw;
  return remove(path) == 0 ? 0 : -errno;
}

int pg_bench_remove_tree(const char *path) {
  return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
