/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/pulse.c: the timing pulse (see pulse.h).
 *
 * The thread sleeps on a condition variable with a deadline on
 * CLOCK_MONOTONIC, so stopping it never waits for a whole interval. Ticks
 * keep to a fixed schedule (start + k intervals), so the small lateness of
 * each wake-up does not add up over the ticks a budget counts; a tick that
 * fell behind by a whole interval or more restarts the schedule from now
 * rather than letting ticks pile up. The thread asks the kernel for 1 us
 * of timer slack instead of the default 50.
 */
#include "pulse.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <time.h>

#include "clock.h"
#include "parigot/error.h"

struct pg_pulse {
  const pg_mem *mem;
  uint64_t interval_ns;
  pg_pulse_fn *fn;
  void *arg; /* borrowed */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* signalled to stop */
  bool is_stopping;    /* guarded by lock */
};

static void *run(void *arg) {
  pg_pulse *p = arg;
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  uint64_t t = pg_clock_host_monotonic_ns();
  pthread_mutex_lock(&p->lock);
  while (!p->is_stopping) {
    uint64_t now = pg_clock_host_monotonic_ns();
    t += p->interval_ns;
    if (t + p->interval_ns <= now)
      t = now + p->interval_ns; /* far behind: start again from now */
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    int rc = 0;
    while (!p->is_stopping && rc != ETIMEDOUT) /* spurious wake-ups too */
      rc = pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    if (p->is_stopping)
      break;
    /* Without our lock: the function may take others, and pg_pulse_free
     * must be able to ask us to stop meanwhile. */
    pthread_mutex_unlock(&p->lock);
    p->fn(p->arg);
    pthread_mutex_lock(&p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

int pg_pulse_new(pg_pulse **out, uint64_t interval_ns, pg_pulse_fn *fn,
                 void *arg, const pg_mem *mem) {
  pg_pulse *p = pg_mem_calloc(mem, 1, sizeof *p);
  if (!p)
    return PARIGOT_ENOMEM;
  *p = (pg_pulse){.mem = mem, .interval_ns = interval_ns, .fn = fn, .arg = arg};
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, &ca);
  pthread_condattr_destroy(&ca);
  /* The pulse thread must never take a guest's interrupt signal. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  int rc = pthread_create(&p->thread, NULL, run, p);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    pg_mem_free(mem, p);
    return PARIGOT_EIO;
  }
  *out = p;
  return 0;
}

void pg_pulse_free(pg_pulse *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->is_stopping = true;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->lock);
  pg_mem_free(p->mem, p);
}
