/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/pulse.c: the timing pulse (see pulse.h).
 *
 * The thread sleeps on a condition variable with a deadline on
 * CLOCK_MONOTONIC, so stopping it never waits for a whole interval. Ticks
 * are spaced from the end of the previous one: a slow tick delays the next
 * rather than letting them pile up.
 */
#include "pulse.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "clock.h"
#include "parigot/error.h"

struct pg_pulse {
  const pg_mem *mem;
  uint64_t interval_ns;
  pg_pulse_fn *fn;
  void *arg;           /* borrowed */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* signalled to stop */
  bool is_stopping;    /* guarded by lock */
};

static void *run(void *arg) {
  pg_pulse *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->is_stopping) {
    uint64_t t = pg_clock_host_monotonic_ns() + p->interval_ns;
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    if (pthread_cond_timedwait(&p->wake, &p->lock, &ts) != ETIMEDOUT ||
        p->is_stopping)
      continue;
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
  *p = (pg_pulse){.mem = mem, .interval_ns = interval_ns, .fn = fn,
                  .arg = arg};
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
