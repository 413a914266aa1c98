/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_proc.c: child processes for tests (see test_proc.h).
 *
 * Owns the captured output buffers until pg_proc_result_free. Calls fork,
 * exec and poll. Single-threaded.
 */
#include "test_proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

typedef struct sink {
  char *buf;
  size_t len, cap;
} sink;

static void sink_add(sink *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) {
    s->cap = (s->len + n + 1) * 2;
    s->buf = realloc(s->buf, s->cap);
    if (!s->buf)
      PG_FAIL("out of memory capturing output");
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  s->buf[s->len] = '\0';
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child(char *const argv[], char *const extra_env[], int in, int out,
                  int err) {
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  for (int i = 0; extra_env && extra_env[i]; i++)
    putenv(extra_env[i]);
  execv(argv[0], argv);
  fprintf(stderr, "cannot exec %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

/* Signals to send once the child's stderr holds a text. */
typedef struct signal_plan {
  pid_t pid;
  const char *when;
  int sig, times, sent;
  double last_s;
} signal_plan;

static void send_due_signals(signal_plan *p, const sink *e) {
  if (p == NULL || p->sent == p->times || strstr(e->buf, p->when) == NULL ||
      (p->sent > 0 && now_s() - p->last_s < 0.3))
    return;
  kill(p->pid, p->sig);
  p->sent++;
  p->last_s = now_s();
}

/* Feeds @p input and drains both outputs until the child closes them,
 * sending the signals of @p plan (or NULL) as they fall due. */
static void pump(int in, int out, int err, const char *input, sink *o, sink *e,
                 signal_plan *plan) {
  size_t in_left = input ? strlen(input) : 0;
  struct pollfd fds[3] = {{out, POLLIN, 0}, {err, POLLIN, 0}, {in, POLLOUT, 0}};
  int open_fds = 2;
  if (in_left == 0) {
    close(in);
    fds[2].fd = -1;
  }
  while (open_fds > 0) {
    send_due_signals(plan, e);
    bool waits = plan != NULL && plan->sent < plan->times;
    if (poll(fds, 3, waits ? 50 : -1) < 0 && errno != EINTR)
      PG_FAIL("poll: %s", strerror(errno));
    char buf[65536];
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !fds[i].revents)
        continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sink_add(i == 0 ? o : e, buf, (size_t)n);
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents) {
      ssize_t n = write(in, input, in_left);
      if (n > 0) {
        input += n;
        in_left -= (size_t)n;
      }
      if (n < 0 || in_left == 0) {
        close(in);
        fds[2].fd = -1;
      }
    }
  }
  if (fds[2].fd >= 0)
    close(in);
}

static void run(char *const argv[], const char *input, char *const extra_env[],
                signal_plan *plan, pg_proc_result *out) {
  int pin[2], pout[2], perr[2];
  if (pipe(pin) || pipe(pout) || pipe(perr))
    PG_FAIL("pipe: %s", strerror(errno));
  signal(SIGPIPE, SIG_IGN);
  double t0 = now_s();
  pid_t pid = fork();
  if (pid < 0)
    PG_FAIL("fork: %s", strerror(errno));
  if (pid == 0) {
    close(pin[1]), close(pout[0]), close(perr[0]);
    child(argv, extra_env, pin[0], pout[1], perr[1]);
  }
  close(pin[0]), close(pout[1]), close(perr[1]);
  sink o = {0}, e = {0};
  sink_add(&o, "", 0);
  sink_add(&e, "", 0);
  if (plan != NULL)
    plan->pid = pid;
  pump(pin[1], pout[0], perr[0], input, &o, &e, plan);
  int st;
  struct rusage ru;
  while (wait4(pid, &st, 0, &ru) < 0)
    if (errno != EINTR)
      PG_FAIL("wait4: %s", strerror(errno));
  out->max_rss_kb = ru.ru_maxrss;
  out->elapsed_s = now_s() - t0;
  out->out = o.buf;
  out->err = e.buf;
  out->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void pg_proc_run(char *const argv[], const char *input, char *const extra_env[],
                 pg_proc_result *out) {
  run(argv, input, extra_env, NULL, out);
}

void pg_proc_run_signalled(char *const argv[], const char *when, int sig,
                           int times, pg_proc_result *out) {
  signal_plan plan = {.when = when, .sig = sig, .times = times};
  run(argv, NULL, NULL, &plan, out);
}

struct pg_proc {
  pid_t pid;
  int out, err; /* read ends, -1 once closed */
  sink o, e;
  double t0;
};

pg_proc *pg_proc_start(char *const argv[]) {
  int pin[2], pout[2], perr[2];
  pg_proc *p = calloc(1, sizeof *p);
  if (p == NULL || pipe(pin) || pipe(pout) || pipe(perr))
    PG_FAIL("pipe: %s", strerror(errno));
  signal(SIGPIPE, SIG_IGN);
  p->t0 = now_s();
  p->pid = fork();
  if (p->pid < 0)
    PG_FAIL("fork: %s", strerror(errno));
  if (p->pid == 0) {
    /* A test that fails ends its process at once: its servers must not
     * outlive it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(pin[1]), close(pout[0]), close(perr[0]);
    child(argv, NULL, pin[0], pout[1], perr[1]);
  }
  close(pin[0]), close(pin[1]), close(pout[1]), close(perr[1]);
  p->out = pout[0];
  p->err = perr[0];
  sink_add(&p->o, "", 0);
  sink_add(&p->e, "", 0);
  return p;
}

/* Reads what the child wrote within @p wait_ms; false once both outputs
 * are closed. */
static bool proc_read(pg_proc *p, int wait_ms) {
  struct pollfd fds[2] = {{p->out, POLLIN, 0}, {p->err, POLLIN, 0}};
  if (p->out < 0 && p->err < 0)
    return false;
  if (poll(fds, 2, wait_ms) < 0 && errno != EINTR)
    PG_FAIL("poll: %s", strerror(errno));
  int *fd[2] = {&p->out, &p->err};
  for (int i = 0; i < 2; i++) {
    char buf[65536];
    if (*fd[i] < 0 || !fds[i].revents)
      continue;
    ssize_t n = read(*fd[i], buf, sizeof buf);
    if (n > 0) {
      sink_add(i == 0 ? &p->o : &p->e, buf, (size_t)n);
    } else {
      close(*fd[i]);
      *fd[i] = -1;
    }
  }
  return true;
}

const char *pg_proc_wait_for(pg_proc *p, const char *text, double timeout_s) {
  double until = now_s() + timeout_s;
  const char *hit;
  while ((hit = strstr(p->e.buf, text)) == NULL || strchr(hit, '\n') == NULL) {
    if (now_s() > until || !proc_read(p, 50))
      PG_FAIL("never saw \"%s\"; stderr so far:\n%s", text, p->e.buf);
  }
  return p->e.buf;
}

int pg_proc_pid(const pg_proc *p) {
  return (int)p->pid;
}

void pg_proc_stop(pg_proc *p, int sig, pg_proc_result *out) {
  if (sig != 0)
    kill(p->pid, sig);
  while (proc_read(p, -1))
    continue;
  int st;
  struct rusage ru;
  while (wait4(p->pid, &st, 0, &ru) < 0)
    if (errno != EINTR)
      PG_FAIL("wait4: %s", strerror(errno));
  out->max_rss_kb = ru.ru_maxrss;
  out->elapsed_s = now_s() - p->t0;
  out->out = p->o.buf;
  out->err = p->e.buf;
  out->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  free(p);
}

void pg_proc_result_free(pg_proc_result *r) {
  free(r->out);
  free(r->err);
  r->out = r->err = NULL;
}

static const char *env_or_fail(const char *name) {
  const char *v = getenv(name);
  if (!v)
    PG_FAIL("%s is not set; run the tests through ctest", name);
  return v;
}

const char *pg_test_parigot(void) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/parigot", env_or_fail("PG_BIN"));
  return path;
}

const char *pg_test_guest(const char *name) {
  static char path[8][4096];
  static int next;
  char *p = path[next++ % 8];
  snprintf(p, 4096, "%s/%s.wasm", env_or_fail("PG_GUESTS"), name);
  return p;
}

int pg_test_free_port(void) {
  static unsigned seed;
  if (seed == 0)
    seed = (unsigned)getpid() ^ (unsigned)time(NULL);
  for (int tries = 0; tries < 100; tries++) {
    int port = 20000 + (int)(rand_r(&seed) % 10000);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_TRUE(s >= 0);
    int ok = bind(s, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(s);
    if (ok)
      return port;
  }
  PG_FAIL("no free port between 20000 and 30000");
}

void pg_proc_parigot(pg_proc_result *r, ...) {
  char *argv[32] = {(char *)pg_test_parigot()};
  int n = 1;
  va_list ap;
  va_start(ap, r);
  for (const char *a; n < 31 && (a = va_arg(ap, const char *));)
    argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  pg_proc_run(argv, NULL, NULL, r);
}
