/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/applock.c: the app's lock with its solo mode (see applock.h).
 *
 * The holder's fast path is two plain stores and a plain load; the
 * ordering it would need against a thread ending solo mode comes from the
 * membarrier that thread issues (the asymmetric form of Dekker's
 * algorithm). Only the thread taking the mutex ever pays for it.
 */
#include "applock.h"

#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

static int membarrier(int cmd) {
  return (int)syscall(SYS_membarrier, cmd, 0, 0);
}

void pg_applock_init(pg_applock *l, bool may_solo) {
  pthread_mutex_init(&l->mutex, NULL);
  atomic_init(&l->solo, NULL);
  /* Registration is per process and idempotent. */
  l->can_solo =
      may_solo && membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

void pg_applock_destroy(pg_applock *l) {
  pthread_mutex_destroy(&l->mutex);
}

/* With the mutex held: no solo holder may be in a section after this.
 * Acquire: a holder that dropped solo mode itself (a release) wrote its
 * sections before, and they must be seen here. */
static void end_solo(pg_applock *l, pg_lockholder *self) {
  pg_lockholder *s = atomic_load_explicit(&l->solo, memory_order_acquire);
  if (s == NULL)
    return;
  atomic_store_explicit(&l->solo, NULL, memory_order_relaxed);
  if (s == self)
    return;
  membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
  while (atomic_load_explicit(&s->in_section, memory_order_acquire))
    sched_yield();
}

void pg_applock_enter(pg_applock *l, pg_lockholder *h) {
  if (h != NULL && l->can_solo) {
    atomic_store_explicit(&h->in_section, 1, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst); /* see applock.h */
    if (atomic_load_explicit(&l->solo, memory_order_relaxed) == h) {
      h->holds_mutex = false;
      return;
    }
    atomic_store_explicit(&h->in_section, 0, memory_order_relaxed);
  }
  pthread_mutex_lock(&l->mutex);
  end_solo(l, h);
  if (h != NULL)
    h->holds_mutex = true;
}

void pg_applock_leave(pg_applock *l, pg_lockholder *h) {
  if (pg_applock_is_solo(h)) {
    /* Release: what the section wrote is seen by whoever ends solo mode. */
    atomic_store_explicit(&h->in_section, 0, memory_order_release);
    return;
  }
  if (h != NULL)
    h->holds_mutex = false;
  pthread_mutex_unlock(&l->mutex);
}

void pg_applock_make_solo(pg_applock *l, pg_lockholder *h) {
  if (l->can_solo)
    atomic_store_explicit(&l->solo, h, memory_order_relaxed);
}

void pg_applock_drop_solo(pg_applock *l, pg_lockholder *h) {
  pg_lockholder *expected = h;
  atomic_compare_exchange_strong_explicit(
      &l->solo, &expected, NULL, memory_order_release, memory_order_relaxed);
}

void pg_applock_wait(pg_applock *l, pthread_cond_t *cond) {
  pthread_cond_wait(cond, &l->mutex);
  end_solo(l, NULL);
}
