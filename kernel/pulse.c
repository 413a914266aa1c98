/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/pulse.c: the timing pulse (see pulse.h).
 *
 * Owns one thread and the watch array, both guarded by `lock`. Calls
 * pg_instance_interrupt() with the lock held, which is what makes
 * pg_pulse_unwatch() a guarantee: once it returns, the pulse will never touch
 * that instance again.
 */
#include "pulse.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "clock.h"
#include "parigot/error.h"

typedef struct watch {
  pg_instance *inst;    /* borrowed until unwatched */
  uint64_t deadline_ns; /* host monotonic */
  bool has_fired;
} watch;

struct pg_pulse {
  const pg_mem *mem;
  uint64_t interval_ns;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* signalled to stop */
  bool is_stopping;    /* guarded by lock */
  watch *watches;      /* guarded by lock; owned */
  size_t nwatches, cap;
};

static void tick(pg_pulse *p) {
  uint64_t now = pg_clock_host_monotonic_ns();
  for (size_t i = 0; i < p->nwatches; i++) {
    watch *w = &p->watches[i];
    if (now >= w->deadline_ns) {
      w->has_fired = true;
      pg_instance_interrupt(w->inst);
    }
  }
}

static void *run(void *arg) {
  pg_pulse *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->is_stopping) {
    uint64_t t = pg_clock_host_monotonic_ns() + p->interval_ns;
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    int rc = pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    if (rc == ETIMEDOUT)
      tick(p);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

int pg_pulse_new(pg_pulse **out, uint64_t interval_ns, const pg_mem *mem) {
  pg_pulse *p = pg_mem_calloc(mem, 1, sizeof *p);
  if (!p)
    return PARIGOT_ENOMEM;
  p->mem = mem;
  p->interval_ns = interval_ns;
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
  pg_mem_free(p->mem, p->watches);
  pg_mem_free(p->mem, p);
}

int pg_pulse_watch(pg_pulse *p, pg_instance *inst, uint64_t deadline_ns) {
  int rc = 0;
  pthread_mutex_lock(&p->lock);
  if (p->nwatches == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 8;
    watch *w = pg_mem_realloc(p->mem, p->watches, cap * sizeof *w);
    if (w) {
      p->watches = w;
      p->cap = cap;
    } else {
      rc = PARIGOT_ENOMEM;
    }
  }
  if (rc == 0)
    p->watches[p->nwatches++] = (watch){inst, deadline_ns, false};
  pthread_mutex_unlock(&p->lock);
  return rc;
}

bool pg_pulse_unwatch(pg_pulse *p, pg_instance *inst) {
  bool fired = false;
  pthread_mutex_lock(&p->lock);
  for (size_t i = 0; i < p->nwatches; i++) {
    if (p->watches[i].inst != inst)
      continue;
    fired = p->watches[i].has_fired;
    p->watches[i] = p->watches[--p->nwatches];
    break;
  }
  pthread_mutex_unlock(&p->lock);
  return fired;
}
