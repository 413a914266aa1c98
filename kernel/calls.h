/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/calls.h: the calls in flight and their deadlines.
 *
 * Ids come from a 64-bit counter, so they never repeat in an app's life.
 * Live calls sit in a ring indexed by id: calls end roughly in the order
 * they start, so the ring stays as small as the window of ids still in
 * flight. Deadlines that come in order (every call with the app's default
 * timeout, as the clock only moves forward) queue in a FIFO; the others sit
 * in a min-heap. An entry whose call has ended is dropped when it reaches
 * the front. Single-threaded (the scheduler's).
 */
#ifndef PG_CALLS_H
#define PG_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct pg_call {
  uint64_t id;          /* 0: this slot is free */
  uint32_t caller;      /* guest index */
  uint32_t callee;      /* guest index */
  uint64_t deadline_ns; /* on the app's clock */
  bool is_done;         /* answered, expired or failed */
  bool is_answered;     /* ended by the callee's respond */
  uint32_t origin_unit; /* came from another unit: 1 + the calling unit's
                           index in the manifest; 0 otherwise */
  uint64_t origin_id;   /* ...and its id there, for the log */
  struct pg_ctx *ctx;   /* who it is for (ctx.h): a reference the call
                           owns until it ends; NULL: nobody */
} pg_call;

typedef struct pg_deadline {
  uint64_t at_ns;
  uint64_t id;
} pg_deadline;

typedef struct pg_calls {
  const pg_mem *mem;
  pg_call *ring; /* owned; cap (a power of two) slots; id lives at
                    id % cap */
  size_t cap;
  uint64_t base;     /* oldest id that may still be live */
  uint64_t next_id;  /* the id the next call gets */
  pg_deadline *fifo; /* owned ring (capfifo a power of two): deadlines in
                        order */
  size_t fifo_head, nfifo, capfifo;
  pg_deadline *heap; /* owned: the rest */
  size_t nheap, capheap;
  uint64_t earliest; /* no live call's deadline is before it: the
                        schedulers ask every event, and it is rarely due */
} pg_calls;

void pg_calls_init(pg_calls *c, const pg_mem *mem);
void pg_calls_free(pg_calls *c);

/* Starts a call; 0 or PARIGOT_ENOMEM. The pointer is valid until the next
 * pg_calls_start. */
int pg_calls_start(pg_calls *c, uint32_t caller, uint32_t callee,
                   uint64_t deadline_ns, pg_call **out);

/* The call with @p id if it is still in the window (it may be done), or
 * NULL: never started, or ended long enough ago to be retired. */
pg_call *pg_calls_find(pg_calls *c, uint64_t id);

/* A call that ended and left the window, while its slot still holds it
 * (until a later call reuses the slot); NULL otherwise. */
const pg_call *pg_calls_recall(const pg_calls *c, uint64_t id);

/* Whether @p id was handed out by pg_calls_start at some time. */
bool pg_calls_was_issued(const pg_calls *c, uint64_t id);

/* Ends a call: marks it done, drops its context and retires finished
 * calls from the window. */
void pg_calls_finish(pg_calls *c, pg_call *call);

/* The earliest deadline of a call not yet done; false when none. */
bool pg_calls_next_deadline(pg_calls *c, uint64_t *at_ns);

/* False when no live call's deadline is at or before @p now_ns; true when
 * one may be. One compare, for loops that ask on every event. */
static inline bool pg_calls_may_expire(const pg_calls *c, uint64_t now_ns) {
  return now_ns >= c->earliest;
}

/* A live call whose deadline is at or before @p now_ns (removed from the
 * heap, still live), or NULL when none is due. */
pg_call *pg_calls_pop_expired(pg_calls *c, uint64_t now_ns);

#endif /* PG_CALLS_H */
