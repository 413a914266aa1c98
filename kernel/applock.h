/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/applock.h: the lock around a parallel app's shared state, which
 * the one awake worker takes without an atomic instruction.
 *
 * A chain of calls (A calls B, B answers, A calls again) runs on one
 * worker while the others sleep, and takes the lock four times a round
 * trip: a mutex cost it a sixth of its time. So the lock has a solo mode.
 * A worker that holds the mutex while every other worker sleeps may make
 * itself the solo holder; from then on it enters and leaves sections with
 * a plain store to its own flag (in_section) and a plain load of the solo
 * pointer. Any other thread that takes the mutex ends solo mode first: it
 * clears the pointer, forces a memory barrier on every thread of the
 * process (membarrier(2)), and waits for the solo holder to be out of its
 * section. The barrier is what lets the holder's side do without one: a
 * holder that entered before it is seen in its section, one that enters
 * after it sees the cleared pointer and takes the mutex. Where membarrier
 * is missing the lock is a plain mutex.
 *
 * Sections do not nest. A holder must not block inside a section it
 * entered solo (it leaves first): the thread ending solo mode waits for it.
 */
#ifndef PG_APPLOCK_H
#define PG_APPLOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* One per worker thread; a thread that is not a worker passes NULL. */
typedef struct pg_lockholder {
  atomic_int in_section; /* inside a section entered solo */
  bool holds_mutex;      /* the current section took the mutex */
} pg_lockholder;

typedef struct pg_applock {
  pthread_mutex_t mutex;
  _Atomic(pg_lockholder *) solo; /* NULL unless a holder is solo */
  bool can_solo;                 /* membarrier is there */
} pg_applock;

/* @p may_solo: parallel mode (a deterministic app takes no lock at all). */
void pg_applock_init(pg_applock *l, bool may_solo);
void pg_applock_destroy(pg_applock *l);

/* Enters and leaves a section; @p h is the calling worker's, or NULL. */
void pg_applock_enter(pg_applock *l, pg_lockholder *h);
void pg_applock_leave(pg_applock *l, pg_lockholder *h);

/* Makes @p h, in a section it took with the mutex while no other worker is
 * awake, the solo holder from its next section on. */
void pg_applock_make_solo(pg_applock *l, pg_lockholder *h);

/* Ends @p h's solo mode, outside a section; a no-op if it is not solo. */
void pg_applock_drop_solo(pg_applock *l, pg_lockholder *h);

/* Whether @p h entered the current section solo (and so holds no mutex). */
static inline bool pg_applock_is_solo(const pg_lockholder *h) {
  return h != NULL && !h->holds_mutex;
}

/* The solo holder, or NULL: a hint, read without the lock. */
static inline pg_lockholder *pg_applock_solo(pg_applock *l) {
  return atomic_load_explicit(&l->solo, memory_order_relaxed);
}

/* pthread_cond_wait for a thread in a section that holds the mutex; on
 * return it holds it again, and solo mode (if another worker started it
 * meanwhile) is over. */
void pg_applock_wait(pg_applock *l, pthread_cond_t *cond);

#endif /* PG_APPLOCK_H */
