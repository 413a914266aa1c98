/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/event.c: the app's event queue: posting an event for a guest
 * (written straight into the guest's event buffer when it is sure to be
 * its next one), taking the oldest one a guest can take now, dropping a
 * dead guest's. Spare events are reused. Lock held throughout.
 */
#include "event.h"

#include <string.h>

#include "explore.h"
#include "parigot/error.h"

static void put32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v) {
  memcpy(p, &v, 8);
}

#define MAX_SPARE_EVENTS 16

/* An event with room for @p len bytes: a spare one when one is big
 * enough, so a steady flow of calls stops allocating. */
static pg_event *event_alloc(pg_app *app, uint32_t len) {
  for (pg_event **p = &app->spare; *p != NULL; p = &(*p)->next)
    if ((*p)->cap >= len) {
      pg_event *ev = *p;
      *p = ev->next;
      app->nspare--;
      return ev;
    }
  pg_event *ev = pg_mem_malloc(app->mem, sizeof *ev + len);
  if (ev != NULL)
    ev->cap = len;
  return ev;
}

void pg_event_free(pg_app *app, pg_event *ev) {
  pg_ctx_unref(app->mem, ev->ctx);
  ev->ctx = NULL;
  if (app->nspare >= MAX_SPARE_EVENTS) {
    pg_mem_free(app->mem, ev);
    return;
  }
  ev->next = app->spare;
  app->spare = ev;
  app->nspare++;
}

/* Where an event for @p g can be written now, straight into its event
 * buffer, or NULL. Only when the event is sure to be its next one and the
 * buffer is free until then: the guest runs, is idle, has nothing queued,
 * and no other event holds the buffer. One copy of the payload, not two. */
static uint8_t *place(pg_app *app, uint32_t guest, uint32_t len) {
  if (app->guests == NULL)
    return NULL;
  pg_guest *g = &app->guests[guest];
  if (g->state != PG_GUEST_RUNNING || g->is_busy || g->nqueued > 0 ||
      g->is_buffer_claimed)
    return NULL;
  return pg_abi_event_buffer(g, len);
}

int pg_app_post(pg_app *app, uint32_t guest, const pg_event_spec *e) {
  uint32_t caller_len = e->caller_len;
  uint32_t len =
      PARIGOT_EV_HEADER_SIZE + e->method_len + caller_len + e->payload_len;
  uint64_t delay = e->delay_ns;
  if (app->explore_seen != NULL)
    delay += pg_explore_delay(app, e);
  uint8_t *placed = delay == 0 ? place(app, guest, len) : NULL;
  pg_event *ev = event_alloc(app, placed ? 0 : len);
  if (ev == NULL)
    return PARIGOT_ENOMEM;
  uint32_t cap = ev->cap;
  *ev = (pg_event){.guest = guest,
                   .kind = e->kind,
                   .call_id = e->call_id,
                   .len = len,
                   .cap = cap,
                   .is_placed = placed != NULL,
                   .ctx = pg_ctx_ref(e->ctx)};
  if (delay > 0) {
    uint64_t now = pg_app_now(app);
    ev->due_ns = delay > UINT64_MAX - now ? UINT64_MAX : now + delay;
    app->ndelayed++;
  }
  if (placed != NULL)
    app->guests[guest].is_buffer_claimed = true;
  if (app->guests != NULL)
    app->guests[guest].nqueued++;
  uint8_t *b = placed ? placed : ev->bytes;
  put32(b + PARIGOT_EV_OFF_KIND, e->kind);
  put32(b + PARIGOT_EV_OFF_STATUS, e->status);
  put64(b + PARIGOT_EV_OFF_CALL_ID, e->call_id);
  put64(b + PARIGOT_EV_OFF_DEADLINE_NS, e->deadline_ns);
  put32(b + PARIGOT_EV_OFF_APP_ERROR, (uint32_t)e->app_error);
  put32(b + PARIGOT_EV_OFF_SERVICE, e->service);
  put32(b + PARIGOT_EV_OFF_METHOD_LEN, e->method_len);
  put32(b + PARIGOT_EV_OFF_PAYLOAD_LEN, e->payload_len);
  put32(b + PARIGOT_EV_OFF_CALLER_LEN, caller_len);
  put32(b + PARIGOT_EV_OFF_RESERVED, 0);
  b += PARIGOT_EV_HEADER_SIZE;
  if (e->method_len > 0)
    memcpy(b, e->method, e->method_len);
  if (caller_len > 0)
    memcpy(b + e->method_len, e->caller, caller_len);
  if (e->payload_len > 0)
    memcpy(b + e->method_len + caller_len, e->payload, e->payload_len);
  if (app->tail != NULL)
    app->tail->next = ev;
  else
    app->head = ev;
  app->tail = ev;
  app->nqueued++;
  /* An event posted by a guest's code goes to the same worker when the
   * guest returns, with no thread to wake: calls that wait on each other
   * run like function calls. A backlog wakes another worker; the pulse
   * wakes one for the events it posts, and should the poster run long. */
  if (app->nworkers > 1 && app->nqueued >= 2)
    app->wants_wake = true;
  return 0;
}

/* The oldest event whose guest is idle, unlinked; NULL when none. Events
 * of a busy guest wait, so each guest still sees its events in order. */
/* Whether every guest @p g requires has finished starting, so that its
 * own start may begin: START events are queued in dependency order, but a
 * parallel worker must not take one while a provider's start still runs. */
static bool providers_started(const pg_app *app, const pg_guest *g) {
  for (uint32_t r = 0; r < g->nrequires; r++) {
    const pg_guest *p = &app->guests[g->providers[r]];
    if (!p->is_started && !pg_guest_serves_early(p))
      return false;
  }
  return true;
}

/* Events queued for a guest that is still to start wait behind its START
 * (a restarted service's callers queue calls meanwhile), except the calls
 * to a test program's mocks. */
static bool must_wait(const pg_app *app, const pg_event *ev) {
  const pg_guest *g = &app->guests[ev->guest];
  if (g->is_busy)
    return true;
  if (ev->kind == PARIGOT_EV_START)
    return !providers_started(app, g);
  return g->state == PG_GUEST_LOADED &&
         !(ev->kind == PARIGOT_EV_CALL && pg_guest_serves_early(g));
}

/* Unlinks @p ev, which follows @p prev (NULL: the head). */
static pg_event *unlink_event(pg_app *app, pg_event *prev, pg_event *ev) {
  if (prev != NULL)
    prev->next = ev->next;
  else
    app->head = ev->next;
  if (app->tail == ev)
    app->tail = prev;
  app->nqueued--;
  app->ntaken++;
  app->ndelayed -= ev->due_ns != 0;
  if (app->guests != NULL)
    app->guests[ev->guest].nqueued--;
  return ev;
}

/* Whether @p ev may be taken now: it is due, and its guest can take it. */
static bool is_ready(pg_app *app, const pg_event *ev, uint64_t now) {
  return (ev->due_ns == 0 || ev->due_ns <= now) &&
         (app->guests == NULL || !must_wait(app, ev));
}

/* Explored schedule: one of the ready events that are the first ready
 * one of their guest, as explore.c picks. */
static pg_event *take_explored(pg_app *app, uint64_t now) {
  uint32_t n = 0;
  for (pg_event *ev = app->head; ev != NULL; ev = ev->next)
    if (is_ready(app, ev, now) && !app->explore_seen[ev->guest]) {
      app->explore_seen[ev->guest] = true;
      n++;
    }
  uint32_t pick = n > 0 ? pg_explore_pick(app, n) : 0, k = 0;
  pg_event *prev = NULL, *found = NULL, *found_prev = NULL;
  for (pg_event *ev = app->head; ev != NULL; prev = ev, ev = ev->next) {
    if (!is_ready(app, ev, now) || !app->explore_seen[ev->guest])
      continue;
    app->explore_seen[ev->guest] = false; /* cleared as it goes */
    if (k++ == pick) {
      found = ev;
      found_prev = prev;
    }
  }
  return found != NULL ? unlink_event(app, found_prev, found) : NULL;
}

pg_event *pg_event_take(pg_app *app) {
  uint64_t now = app->ndelayed > 0 ? pg_app_now(app) : 0;
  if (app->explore_seen != NULL)
    return take_explored(app, now);
  pg_event *prev = NULL;
  for (pg_event *ev = app->head; ev != NULL; prev = ev, ev = ev->next)
    if (is_ready(app, ev, now))
      return unlink_event(app, prev, ev);
  return NULL;
}

bool pg_event_next_due(const pg_app *app, uint64_t *at) {
  bool any = false;
  for (const pg_event *ev = app->head; app->ndelayed > 0 && ev != NULL;
       ev = ev->next)
    if (ev->due_ns != 0 && (!any || ev->due_ns < *at)) {
      *at = ev->due_ns;
      any = true;
    }
  return any;
}

/* Drops the events still queued for @p g, which ended: its calls have
 * failed, and a restarted instance must not see what the dead one was
 * sent. */
void pg_event_drop_for(pg_app *app, pg_guest *g) {
  pg_event **p = &app->head;
  app->tail = NULL;
  while (*p != NULL) {
    pg_event *ev = *p;
    if (ev->guest != g->index) {
      app->tail = ev;
      p = &ev->next;
      continue;
    }
    *p = ev->next;
    app->nqueued--;
    app->ndelayed -= ev->due_ns != 0;
    g->nqueued--;
    pg_event_free(app, ev);
  }
}

void pg_event_free_all(pg_app *app) {
  pg_event *ev;
  while ((ev = app->head) != NULL) { /* whatever was left, taken or not */
    app->head = ev->next;
    pg_ctx_unref(app->mem, ev->ctx);
    pg_mem_free(app->mem, ev);
  }
  while ((ev = app->spare) != NULL) {
    app->spare = ev->next;
    pg_mem_free(app->mem, ev);
  }
  app->tail = NULL;
  app->nqueued = app->nspare = app->ndelayed = 0;
}
