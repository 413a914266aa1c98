/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/testrun.c: `parigot test`'s runs, each test program in a
 * fresh app of its own, in a child process, up to cfg->jobs at once.
 *
 * A run is one test under one seed. The parent forks a child per run and
 * starts no app and no thread itself, so every child begins from the same
 * state: the manifest loaded, nothing run. The child runs the app with
 * that one test (pg_app_run) and writes its verdict into a pipe as one
 * run_msg; the parent reaps it, and a child that died before writing it
 * whole fails its test with the signal or status it ended with. With one
 * run at a time and one run per test, a child's stdout and stderr are the
 * parent's; otherwise each goes to a memfd of its own, which the parent
 * copies out when the test's turn comes, tests in their given order, the
 * runs of a test in seed order, so the output does not depend on timing.
 *
 * Owns the runs, their pipes and captures, and the test's states. Calls
 * fork and the kernel's pg_app_run (in children only). Main thread; the
 * signal handlers reach the only globals, the signals seen.
 */
#include "testrun.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parigot/error.h"

#define NO_RUN UINT64_MAX /* fail_k of a test with no failing run */
/* Tests started past the first one still to report: their captures are
 * held until then, two descriptors each. */
#define WINDOW 64
#define MSG_MAGIC 0x70677472u /* "pgtr" */

/* What a child sends back: whole, or its run failed. */
typedef struct run_msg {
  uint32_t magic;
  int32_t rc;                   /* pg_app_run's */
  int32_t has_result;           /* the kernel gave the test a verdict */
  pg_app_program_result result; /* its name NULL: the parent knows it */
  char err[4096];               /* with rc != 0: why the app did not start */
} run_msg;

/* A run's captured stdout and stderr (memfds), or -1 each. */
typedef struct capture {
  int out, err;
} capture;

/* A child at work. */
typedef struct run {
  pid_t pid;     /* 0: the slot is free */
  size_t test;   /* index into cfg->tests */
  uint64_t k;    /* its seed is cfg->first_seed + k */
  int result_fd; /* the read end of its pipe */
  capture cap;
  bool is_killed; /* by the runner, which needs its verdict no more */
} run;

typedef struct test_state {
  uint64_t next_k;  /* the next run to start */
  uint64_t fail_k;  /* the lowest failing run yet, or NO_RUN */
  unsigned running; /* runs at work */
  uint64_t npassed; /* runs that passed */
  uint64_t passed_ns;
  pg_app_program_result fail, first; /* the runs fail_k and 0 */
  capture fail_cap, first_cap;
} test_state;

typedef struct runner {
  const pg_testrun_config *cfg;
  run *runs;         /* cfg->jobs slots */
  test_state *tests; /* cfg->ntests */
  unsigned nrunning;
  size_t first_unsaid; /* the next test to give a verdict for */
  bool is_capturing;   /* the children's output goes to memfds */
  bool is_stopping;    /* no more runs start */
  int stop_sig;        /* the signal that stopped the runner, or 0 */
  bool has_error;      /* a run's app could not start: err_test, err */
  size_t err_test;
  uint64_t err_k;
  char err[4096];
  sigset_t old_mask;
  struct sigaction old_int, old_term, old_chld;
} runner;

/* Signals the parent got (SIGINT, SIGTERM): a handler can only reach a
 * global. */
static volatile sig_atomic_t parent_signals, parent_last_signal;
/* The child's: its app stops on the first. */
static volatile sig_atomic_t child_stop;

static void on_parent_signal(int sig) {
  parent_last_signal = sig;
  parent_signals++;
}

static void on_child_signal(int sig) {
  if (child_stop == 0)
    child_stop = sig;
}

static void on_sigchld(int sig) {
  (void)sig; /* only wakes sigsuspend */
}

static void close_capture(capture *c) {
  if (c->out >= 0)
    close(c->out);
  if (c->err >= 0)
    close(c->err);
  c->out = c->err = -1;
}

static void signal_name(int sig, char *buf, size_t cap) {
  const char *abbrev = sigabbrev_np(sig);
  if (abbrev != NULL)
    snprintf(buf, cap, "SIG%s", abbrev);
  else
    snprintf(buf, cap, "signal %d", sig);
}

/* ---- the child ---------------------------------------------------------- */

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    p += n;
    len -= (size_t)n;
  }
}

/* Closes what the parent holds for other runs and tests. */
static void close_others(runner *r, const run *me) {
  for (unsigned i = 0; i < r->cfg->jobs; i++)
    if (&r->runs[i] != me && r->runs[i].pid != 0) {
      close(r->runs[i].result_fd);
      close_capture(&r->runs[i].cap);
    }
  for (size_t t = 0; t < r->cfg->ntests; t++) {
    close_capture(&r->tests[t].fail_cap);
    close_capture(&r->tests[t].first_cap);
  }
}

/* Runs the app with @p me's test under its seed, and sends the verdict
 * into @p fd. Never returns. */
static _Noreturn void child(runner *r, run *me, int fd) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_child_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGCHLD, &r->old_chld, NULL);
  sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
  close_others(r, me);
  if (me->cap.out >= 0 && (dup2(me->cap.out, STDOUT_FILENO) < 0 ||
                           dup2(me->cap.err, STDERR_FILENO) < 0))
    _exit(1);
  close_capture(&me->cap);
  const pg_testrun_config *cfg = r->cfg;
  pg_app_config c = *cfg->app;
  const char *one[1] = {cfg->tests[me->test]};
  pg_app_program_result *results =
      calloc(c.manifest->nguests + 1, sizeof *results);
  size_t n = 0;
  int status = 0;
  run_msg msg;
  memset(&msg, 0, sizeof msg);
  msg.magic = MSG_MAGIC;
  c.run_tests = true;
  c.tests = one;
  c.ntests = 1;
  c.seed = cfg->first_seed + me->k;
  c.explores_schedule = cfg->explores_schedule;
  c.results = results;
  c.nresults = &n;
  c.stop_signal = &child_stop;
  msg.rc = results != NULL ? pg_app_run(&c, pg_mem_default(), &status, msg.err,
                                        sizeof msg.err)
                           : PARIGOT_ENOMEM;
  if (msg.rc == PARIGOT_ENOMEM && msg.err[0] == '\0')
    snprintf(msg.err, sizeof msg.err, "out of memory");
  for (size_t i = 0; msg.rc == 0 && i < n; i++)
    if (results[i].name != NULL && strcmp(results[i].name, one[0]) == 0) {
      msg.result = results[i];
      msg.result.name = NULL;
      msg.has_result = 1;
    }
  fflush(stdout);
  fflush(stderr);
  write_all(fd, &msg, sizeof msg);
  _exit(0);
}

/* ---- starting runs ------------------------------------------------------ */

static int new_capture(capture *c) {
  c->out = memfd_create("parigot-test-stdout", MFD_CLOEXEC);
  c->err = memfd_create("parigot-test-stderr", MFD_CLOEXEC);
  if (c->out >= 0 && c->err >= 0)
    return 0;
  close_capture(c);
  return -1;
}

/* The first run whose app could not start, in the tests' order, is the
 * one reported. */
static void set_error(runner *r, size_t t, uint64_t k, const char *why) {
  if (r->has_error && (t > r->err_test || (t == r->err_test && k > r->err_k)))
    return;
  r->has_error = true;
  r->is_stopping = true;
  r->err_test = t;
  r->err_k = k;
  snprintf(r->err, sizeof r->err, "%s", why);
}

/* Forks the run (@p t, @p k) into @p slot; a fork or pipe that fails is
 * the run's error. */
static void launch(runner *r, run *slot, size_t t, uint64_t k) {
  int fds[2];
  char why[256];
  *slot = (run){.test = t, .k = k, .result_fd = -1, .cap = {-1, -1}};
  if (pipe2(fds, O_CLOEXEC) != 0) {
    snprintf(why, sizeof why, "test %s: cannot make a pipe: %s",
             r->cfg->tests[t], strerror(errno));
    set_error(r, t, k, why);
    return;
  }
  if (r->is_capturing && new_capture(&slot->cap) != 0) {
    snprintf(why, sizeof why, "test %s: cannot keep its output: %s",
             r->cfg->tests[t], strerror(errno));
    close(fds[0]), close(fds[1]);
    set_error(r, t, k, why);
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(r, slot, fds[1]);
  }
  close(fds[1]);
  if (pid < 0) {
    snprintf(why, sizeof why, "test %s: cannot start its process: %s",
             r->cfg->tests[t], strerror(errno));
    close(fds[0]);
    close_capture(&slot->cap);
    set_error(r, t, k, why);
    return;
  }
  slot->pid = pid;
  slot->result_fd = fds[0];
  r->tests[t].next_k = k + 1;
  r->tests[t].running++;
  r->nrunning++;
}

static run *free_slot(runner *r) {
  for (unsigned i = 0; i < r->cfg->jobs; i++)
    if (r->runs[i].pid == 0)
      return &r->runs[i];
  return NULL;
}

/* Starts the next runs, in order: every seed of a test before the next
 * test, and none of a test that has failed. */
static void launch_all(runner *r) {
  size_t end = r->first_unsaid + WINDOW;
  if (end > r->cfg->ntests)
    end = r->cfg->ntests;
  for (size_t t = r->first_unsaid; t < end && !r->is_stopping; t++) {
    test_state *s = &r->tests[t];
    run *slot;
    while (!r->is_stopping && s->fail_k == NO_RUN &&
           s->next_k < r->cfg->nseeds && (slot = free_slot(r)) != NULL)
      launch(r, slot, t, s->next_k);
    if (free_slot(r) == NULL)
      return;
  }
}

/* ---- collecting verdicts ------------------------------------------------ */

/* Kills the runs of test @p t past run @p k: they cannot change its
 * verdict any more. */
static void kill_later_runs(runner *r, size_t t, uint64_t k) {
  for (unsigned i = 0; i < r->cfg->jobs; i++) {
    run *x = &r->runs[i];
    if (x->pid != 0 && x->test == t && x->k > k && !x->is_killed) {
      kill(x->pid, SIGKILL);
      x->is_killed = true;
    }
  }
}

/* Reads the child's message: true when it came whole. */
static bool read_msg(int fd, run_msg *msg) {
  size_t got = 0;
  while (got < sizeof *msg) {
    ssize_t n = read(fd, (char *)msg + got, sizeof *msg - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  return got == sizeof *msg && msg->magic == MSG_MAGIC;
}

/* The run's verdict when its child gave none: how the child ended. */
static void lost_verdict(int status, pg_app_program_result *res) {
  char sig[32];
  memset(res, 0, sizeof *res);
  if (WIFSIGNALED(status)) {
    signal_name(WTERMSIG(status), sig, sizeof sig);
    snprintf(res->why, sizeof res->why,
             "the process running it was killed by %s", sig);
  } else {
    snprintf(res->why, sizeof res->why,
             "the process running it exited with status %d before its "
             "verdict",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
}

/* Counts the run's verdict in its test's; takes @p cap. */
static void account(runner *r, size_t t, uint64_t k,
                    const pg_app_program_result *res, capture cap) {
  test_state *s = &r->tests[t];
  if (k > s->fail_k) {
    close_capture(&cap);
    return;
  }
  if (res->why[0] != '\0') {
    close_capture(&s->fail_cap);
    close_capture(&s->first_cap); /* the failure's output is the one said */
    s->fail = *res;
    s->fail_cap = cap;
    s->fail_k = k;
    kill_later_runs(r, t, k);
    return;
  }
  s->npassed++;
  s->passed_ns += res->ran_ns;
  if (k == 0 && s->fail_k == NO_RUN) {
    s->first = *res;
    s->first_cap = cap;
  } else {
    close_capture(&cap);
  }
}

/* A child ended with @p status: its slot is freed. */
static void collect(runner *r, run *x, int status) {
  run_msg msg;
  pg_app_program_result res;
  memset(&res, 0, sizeof res);
  size_t t = x->test;
  bool is_whole = read_msg(x->result_fd, &msg);
  close(x->result_fd);
  r->tests[t].running--;
  r->nrunning--;
  x->pid = 0;
  if (x->is_killed) {
    close_capture(&x->cap);
    return;
  }
  if (is_whole && msg.rc != 0) {
    msg.err[sizeof msg.err - 1] = '\0';
    close_capture(&x->cap);
    set_error(r, t, x->k, msg.err);
    return;
  }
  if (!is_whole)
    lost_verdict(status, &res);
  else if (msg.has_result)
    res = msg.result;
  else
    snprintf(res.why, sizeof res.why, "the kernel gave no verdict for it");
  res.why[sizeof res.why - 1] = '\0';
  account(r, t, x->k, &res, x->cap);
}

/* Reaps the children that ended; true if any did. */
static bool reap(runner *r) {
  bool any = false;
  for (unsigned i = 0; i < r->cfg->jobs; i++) {
    run *x = &r->runs[i];
    int status;
    if (x->pid == 0)
      continue;
    pid_t pid = waitpid(x->pid, &status, WNOHANG);
    if (pid == x->pid) {
      collect(r, x, status);
      any = true;
    }
  }
  return any;
}

/* ---- verdicts in order -------------------------------------------------- */

static void copy_out(int from, int to) {
  char buf[65536];
  if (from < 0 || lseek(from, 0, SEEK_SET) != 0)
    return;
  for (;;) {
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    write_all(to, buf, (size_t)n);
  }
}

static bool is_decided(const runner *r, const test_state *s) {
  return s->running == 0 &&
         (s->fail_k != NO_RUN || s->next_k == r->cfg->nseeds || r->is_stopping);
}

/* Test @p t's verdict, once it is decided; writes its output. */
static void say_verdict(runner *r, size_t t) {
  test_state *s = &r->tests[t];
  pg_testrun_verdict v = {.test = t, .nruns = s->npassed};
  capture *cap = &s->first_cap;
  char sig[32];
  if (s->fail_k != NO_RUN) {
    v.result = s->fail;
    v.seed = r->cfg->first_seed + s->fail_k;
    v.ran_ns = s->fail.ran_ns;
    cap = &s->fail_cap;
  } else if (s->npassed == r->cfg->nseeds) {
    v.has_passed = true;
    v.result = s->first;
    v.seed = r->cfg->first_seed;
    v.ran_ns = s->passed_ns;
  } else {
    signal_name(r->stop_sig, sig, sizeof sig);
    if (s->npassed == 0)
      snprintf(v.result.why, sizeof v.result.why,
               "not run: parigot test was stopped by %s", sig);
    else
      snprintf(v.result.why, sizeof v.result.why,
               "stopped by %s after %llu of %llu schedules passed", sig,
               (unsigned long long)s->npassed,
               (unsigned long long)r->cfg->nseeds);
  }
  v.result.name = r->cfg->tests[t];
  fflush(stdout);
  fflush(stderr);
  copy_out(cap->out, STDOUT_FILENO);
  copy_out(cap->err, STDERR_FILENO);
  close_capture(&s->fail_cap);
  close_capture(&s->first_cap);
  r->cfg->on_verdict(r->cfg->ctx, &v);
  fflush(stdout);
}

/* Gives the verdicts now decided, in the tests' order; none from the test
 * whose app could not start on. */
static void say_verdicts(runner *r) {
  while (r->first_unsaid < r->cfg->ntests) {
    size_t t = r->first_unsaid;
    if ((r->has_error && t >= r->err_test) || !is_decided(r, &r->tests[t]))
      return;
    say_verdict(r, t);
    r->first_unsaid++;
  }
}

/* ---- signals ------------------------------------------------------------ */

static void kill_all(runner *r, int sig) {
  for (unsigned i = 0; i < r->cfg->jobs; i++)
    if (r->runs[i].pid != 0)
      kill(r->runs[i].pid, sig);
}

/* A first SIGINT or SIGTERM stops the runs at work (each child's app
 * stops) and starts no more; a second ends everything at once. */
static void handle_signals(runner *r) {
  if (parent_signals == 0)
    return;
  int sig = parent_last_signal;
  if (parent_signals > 1) {
    kill_all(r, SIGKILL);
    for (unsigned i = 0; i < r->cfg->jobs; i++)
      if (r->runs[i].pid != 0)
        waitpid(r->runs[i].pid, NULL, 0);
    _exit(128 + sig);
  }
  if (r->stop_sig == 0) {
    r->stop_sig = sig;
    r->is_stopping = true;
    kill_all(r, sig);
  }
}

static void catch_signals(runner *r) {
  struct sigaction sa;
  sigset_t block;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &r->old_mask);
  parent_signals = 0;
  sa.sa_handler = on_parent_signal;
  sigaction(SIGINT, &sa, &r->old_int);
  sigaction(SIGTERM, &sa, &r->old_term);
  sa.sa_handler = on_sigchld;
  sigaction(SIGCHLD, &sa, &r->old_chld);
}

static void restore_signals(runner *r) {
  sigaction(SIGINT, &r->old_int, NULL);
  sigaction(SIGTERM, &r->old_term, NULL);
  sigaction(SIGCHLD, &r->old_chld, NULL);
  sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
}

/* ---- the cache ---------------------------------------------------------- */

/* Children that start at once would each compile a module missing from
 * the cache (safely: each in its own directory, renamed into place, but
 * the work done several times over); so one child loads every guest the
 * tests need first, and the runs find them compiled. What it finds wrong
 * is not said: the runs find it again and report it. */
static void warm_cache(const pg_testrun_config *cfg) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    char err[512];
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    FILE *out = fopen("/dev/null", "w");
    if (null < 0 || out == NULL || dup2(null, STDOUT_FILENO) < 0 ||
        dup2(null, STDERR_FILENO) < 0)
      _exit(1);
    pg_app_config c = *cfg->app;
    c.tests = cfg->tests;
    c.ntests = cfg->ntests;
    c.log = out;
    pg_app_write_graph(&c, pg_mem_default(), out, err, sizeof err);
    _exit(0);
  }
  while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    continue;
}

/* ---- the loop ----------------------------------------------------------- */

/* Three descriptors per run at work and two per test waiting its turn:
 * more than the usual soft limit of 1024 with many jobs. */
static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static int runner_init(runner *r, const pg_testrun_config *cfg) {
  memset(r, 0, sizeof *r);
  r->cfg = cfg;
  r->is_capturing = cfg->jobs > 1 || cfg->nseeds > 1;
  r->runs = calloc(cfg->jobs, sizeof *r->runs);
  r->tests = calloc(cfg->ntests + 1, sizeof *r->tests);
  if (r->runs == NULL || r->tests == NULL)
    return PARIGOT_ENOMEM;
  for (size_t t = 0; t < cfg->ntests; t++)
    r->tests[t] = (test_state){
        .fail_k = NO_RUN, .fail_cap = {-1, -1}, .first_cap = {-1, -1}};
  return 0;
}

static void runner_free(runner *r) {
  for (size_t t = 0; r->tests != NULL && t < r->cfg->ntests; t++) {
    close_capture(&r->tests[t].fail_cap);
    close_capture(&r->tests[t].first_cap);
  }
  free(r->runs);
  free(r->tests);
}

int pg_testrun_run(const pg_testrun_config *cfg, char *err, size_t err_len) {
  runner r;
  int rc = runner_init(&r, cfg);
  if (rc != 0) {
    runner_free(&r);
    snprintf(err, err_len, "out of memory");
    return rc;
  }
  if (r.is_capturing)
    raise_fd_limit();
  if (cfg->jobs > 1 && cfg->ntests * cfg->nseeds > 1)
    warm_cache(cfg);
  catch_signals(&r);
  sigset_t wait_mask = r.old_mask;
  sigdelset(&wait_mask, SIGCHLD);
  sigdelset(&wait_mask, SIGINT);
  sigdelset(&wait_mask, SIGTERM);
  for (;;) {
    handle_signals(&r);
    if (!r.is_stopping)
      launch_all(&r);
    bool has_reaped = reap(&r);
    say_verdicts(&r);
    if (r.nrunning == 0 &&
        (r.first_unsaid == cfg->ntests || r.has_error || r.is_stopping))
      break;
    if (!has_reaped && r.nrunning > 0)
      sigsuspend(&wait_mask);
  }
  say_verdicts(&r);
  restore_signals(&r);
  if (r.has_error) {
    snprintf(err, err_len, "%s", r.err);
    rc = PARIGOT_EINVAL;
  }
  runner_free(&r);
  return rc;
}
