/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/calls.c: the call window and the deadline heap (see calls.h).
 *
 * Owns the ring and the heap, both from the app's pg_mem.
 */
#include "calls.h"

#include <string.h>

#include "ctx.h"
#include "parigot/error.h"

void pg_calls_init(pg_calls *c, const pg_mem *mem) {
  memset(c, 0, sizeof *c);
  c->mem = mem;
  c->base = c->next_id = 1;
  c->earliest = UINT64_MAX;
}

void pg_calls_free(pg_calls *c) {
  for (size_t i = 0; i < c->cap; i++) /* calls still live at the end */
    if (!c->ring[i].is_done)
      pg_ctx_unref(c->mem, c->ring[i].ctx);
  pg_mem_free(c->mem, c->ring);
  pg_mem_free(c->mem, c->fifo);
  pg_mem_free(c->mem, c->heap);
  memset(c, 0, sizeof *c);
}

/* The ring's slot for @p id. Capacities are powers of two, so a mask
 * finds it: a division on every lookup cost more than the rest. */
static pg_call *slot(const pg_calls *c, uint64_t id) {
  return &c->ring[id & (c->cap - 1)];
}

/* Doubles the ring; every live id moves to its slot in the bigger one. */
static int grow_ring(pg_calls *c) {
  size_t cap = c->cap ? 2 * c->cap : 64;
  pg_call *ring = pg_mem_calloc(c->mem, cap, sizeof *ring);
  if (ring == NULL)
    return PARIGOT_ENOMEM;
  for (uint64_t id = c->base; id < c->next_id; id++)
    ring[id & (cap - 1)] = *slot(c, id);
  pg_mem_free(c->mem, c->ring);
  c->ring = ring;
  c->cap = cap;
  return 0;
}

/* Earlier deadline first; the older call first on a tie, so the order is
 * total and runs repeat. */
static bool before(const pg_deadline *a, const pg_deadline *b) {
  return a->at_ns < b->at_ns || (a->at_ns == b->at_ns && a->id < b->id);
}

static void sift_up(pg_deadline *h, size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (before(&h[parent], &h[i]))
      return;
    pg_deadline t = h[parent];
    h[parent] = h[i];
    h[i] = t;
    i = parent;
  }
}

static void sift_down(pg_deadline *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && before(&h[l], &h[m]))
      m = l;
    if (r < n && before(&h[r], &h[m]))
      m = r;
    if (m == i)
      return;
    pg_deadline t = h[m];
    h[m] = h[i];
    h[i] = t;
    i = m;
  }
}

static pg_deadline *fifo_at(const pg_calls *c, size_t i) {
  return &c->fifo[(c->fifo_head + i) & (c->capfifo - 1)];
}

static int push_fifo(pg_calls *c, pg_deadline d) {
  if (c->nfifo == c->capfifo) {
    size_t cap = c->capfifo ? 2 * c->capfifo : 64;
    pg_deadline *f = pg_mem_calloc(c->mem, cap, sizeof *f);
    if (f == NULL)
      return PARIGOT_ENOMEM;
    for (size_t i = 0; i < c->nfifo; i++)
      f[i] = *fifo_at(c, i);
    pg_mem_free(c->mem, c->fifo);
    c->fifo = f;
    c->fifo_head = 0;
    c->capfifo = cap;
  }
  *fifo_at(c, c->nfifo++) = d;
  return 0;
}

static int push_deadline(pg_calls *c, uint64_t at_ns, uint64_t id) {
  pg_deadline d = {at_ns, id};
  if (c->nfifo == 0 || !before(&d, fifo_at(c, c->nfifo - 1)))
    return push_fifo(c, d);
  if (c->nheap == c->capheap) {
    size_t cap = c->capheap ? 2 * c->capheap : 64;
    pg_deadline *h = pg_mem_calloc(c->mem, cap, sizeof *h);
    if (h == NULL)
      return PARIGOT_ENOMEM;
    if (c->nheap > 0)
      memcpy(h, c->heap, c->nheap * sizeof *h);
    pg_mem_free(c->mem, c->heap);
    c->heap = h;
    c->capheap = cap;
  }
  c->heap[c->nheap] = d;
  sift_up(c->heap, c->nheap++);
  return 0;
}

/* The earliest deadline of the two queues, or NULL when both are empty. */
static pg_deadline *first_deadline(pg_calls *c) {
  pg_deadline *f = c->nfifo > 0 ? fifo_at(c, 0) : NULL;
  pg_deadline *h = c->nheap > 0 ? &c->heap[0] : NULL;
  if (f == NULL || (h != NULL && before(h, f)))
    return h;
  return f;
}

static void pop_deadline(pg_calls *c, const pg_deadline *first) {
  if (c->nfifo > 0 && first == fifo_at(c, 0)) {
    c->fifo_head = (c->fifo_head + 1) & (c->capfifo - 1);
    c->nfifo--;
    return;
  }
  c->heap[0] = c->heap[--c->nheap];
  sift_down(c->heap, c->nheap, 0);
}

int pg_calls_start(pg_calls *c, uint32_t caller, uint32_t callee,
                   uint64_t deadline_ns, pg_call **out) {
  if (c->next_id - c->base >= c->cap && grow_ring(c) != 0)
    return PARIGOT_ENOMEM;
  if (push_deadline(c, deadline_ns, c->next_id) != 0)
    return PARIGOT_ENOMEM;
  pg_call *call = slot(c, c->next_id);
  *call = (pg_call){.id = c->next_id++,
                    .caller = caller,
                    .callee = callee,
                    .deadline_ns = deadline_ns};
  if (deadline_ns < c->earliest)
    c->earliest = deadline_ns;
  *out = call;
  return 0;
}

pg_call *pg_calls_find(pg_calls *c, uint64_t id) {
  if (id < c->base || id >= c->next_id)
    return NULL;
  return slot(c, id);
}

const pg_call *pg_calls_recall(const pg_calls *c, uint64_t id) {
  if (id == 0 || id >= c->base || c->cap == 0)
    return NULL;
  const pg_call *call = slot(c, id);
  return call->id == id ? call : NULL;
}

bool pg_calls_was_issued(const pg_calls *c, uint64_t id) {
  return id >= 1 && id < c->next_id;
}

static bool is_live(pg_calls *c, const pg_deadline *d) {
  pg_call *call = pg_calls_find(c, d->id);
  return call != NULL && !call->is_done;
}

/* Drops the entries of calls that ended from the front of the FIFO. */
static void trim_fifo(pg_calls *c) {
  while (c->nfifo > 0 && !is_live(c, fifo_at(c, 0)))
    pop_deadline(c, fifo_at(c, 0));
}

void pg_calls_finish(pg_calls *c, pg_call *call) {
  call->is_done = true;
  pg_ctx_unref(c->mem, call->ctx);
  call->ctx = NULL;
  /* Retired slots keep their call until reused, for pg_calls_recall. */
  while (c->base < c->next_id && slot(c, c->base)->is_done)
    c->base++;
  /* Calls mostly end in order, before their deadline: their entries leave
   * the FIFO here, so it stays as short as the window of live calls even
   * while no deadline is near enough for pg_calls_pop_expired to look. */
  trim_fifo(c);
}

/* Drops the entries of calls that ended before their deadline from the
 * front of both queues; returns the first live one, or NULL. */
static pg_deadline *drop_ended(pg_calls *c) {
  trim_fifo(c);
  while (c->nheap > 0 && !is_live(c, &c->heap[0]))
    pop_deadline(c, &c->heap[0]);
  pg_deadline *first = first_deadline(c);
  c->earliest = first ? first->at_ns : UINT64_MAX;
  return first;
}

bool pg_calls_next_deadline(pg_calls *c, uint64_t *at_ns) {
  pg_deadline *first = drop_ended(c);
  if (first == NULL)
    return false;
  *at_ns = first->at_ns;
  return true;
}

pg_call *pg_calls_pop_expired(pg_calls *c, uint64_t now_ns) {
  if (!pg_calls_may_expire(c, now_ns))
    return NULL;
  pg_deadline *first = drop_ended(c);
  if (first == NULL || first->at_ns > now_ns)
    return NULL;
  pg_call *call = pg_calls_find(c, first->id);
  pop_deadline(c, first);
  return call;
}
