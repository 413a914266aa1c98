/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/app.c: an app's life: load, declare, check, start, deliver, stop.
 *
 * Events wait in a single FIFO. Each turn the scheduler hands the oldest
 * event whose guest is idle to that guest by running its parigot_event
 * export, with the app's lock released (host functions take it again). In
 * deterministic mode that loop runs on the calling thread alone and fires
 * the deadlines itself: the order of events depends only on what the
 * guests do, and the clock is virtual (1 us per event, jumping to the next
 * deadline when nothing is queued), so runs repeat exactly. In parallel
 * mode one worker per CPU runs the same loop, so different guests run at
 * once; a guest marked busy is never entered by a second worker. There the
 * timing pulse (pulse.h) fires deadlines and wakes a worker for an event
 * left waiting, so workers never read the clock between events.
 *
 * A guest that dies is released at once (its instance, its queued
 * events); one that may restart is brought back on the same loop when its
 * backoff is over. The app's end is a shutdown that sends STOP to each
 * guest once nothing running requires it (shutdown_step).
 *
 * Owns the app state (appstate.h) for the duration of pg_app_run().
 */
#include "app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "appstate.h"
#include "clock.h"
#include "graph.h"
#include "pbjson.h"
#include "pulse.h"
#include "parigot/error.h"

#define EVENT_TICK_NS 1000u /* virtual time one event takes */

static uint64_t real_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parallel: never below an earlier reading, as the fast clock and the OS
 * clock it falls back to may differ by its tolerance. */
uint64_t pg_app_now(pg_app *app) {
  if (!app->cfg->is_deterministic) {
    uint64_t t = pg_fastclock_now(&app->fastclock) - app->start_real_ns;
    app->now_ns = t > app->now_ns ? t : app->now_ns;
  }
  return app->now_ns;
}

/* A deterministic app has one thread from start to end: no lock to take.
 * (That is also what keeps a call's cost there near a function call's.) */
void pg_app_enter(pg_app *app, pg_lockholder *h) {
  if (!app->cfg->is_deterministic)
    pg_applock_enter(&app->lock, h);
}

/* A wake asked for in the section goes out once it is over; a solo worker
 * that wakes another stops being solo first (applock.h). */
void pg_app_leave(pg_app *app, pg_lockholder *h) {
  if (app->cfg->is_deterministic)
    return;
  bool wake = app->wants_wake;
  app->wants_wake = false;
  pg_applock_leave(&app->lock, h);
  if (wake) {
    pg_applock_drop_solo(&app->lock, h);
    pthread_cond_signal(&app->wake);
  }
}

/* ---- events ------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

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

static void event_free(pg_app *app, pg_event *ev) {
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
  uint32_t len = PG_EV_HEADER + e->method_len + caller_len + e->payload_len;
  uint8_t *placed = place(app, guest, len);
  pg_event *ev = event_alloc(app, placed ? 0 : len);
  if (ev == NULL)
    return PARIGOT_ENOMEM;
  uint32_t cap = ev->cap;
  *ev = (pg_event){NULL, guest, e->kind, e->call_id, len, cap, placed != NULL};
  if (placed != NULL)
    app->guests[guest].is_buffer_claimed = true;
  if (app->guests != NULL)
    app->guests[guest].nqueued++;
  uint8_t *b = placed ? placed : ev->bytes;
  put32(b + 0, e->kind);
  put32(b + 4, e->status);
  put64(b + 8, e->call_id);
  put64(b + 16, e->deadline_ns);
  put32(b + 24, (uint32_t)e->app_error);
  put32(b + 28, e->service);
  put32(b + 32, e->method_len);
  put32(b + 36, e->payload_len);
  put32(b + 40, caller_len);
  put32(b + 44, 0); /* reserved */
  b += PG_EV_HEADER;
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
  for (uint32_t r = 0; r < g->nrequires; r++)
    if (!app->guests[g->providers[r]].is_started)
      return false;
  return true;
}

/* Events queued for a guest that is still to start wait behind its START
 * (a restarted service's callers queue calls meanwhile). */
static bool must_wait(const pg_app *app, const pg_event *ev) {
  const pg_guest *g = &app->guests[ev->guest];
  if (g->is_busy)
    return true;
  if (ev->kind == PG_EV_START)
    return !providers_started(app, g);
  return g->state == PG_GUEST_LOADED;
}

static pg_event *take_event(pg_app *app) {
  pg_event *prev = NULL;
  for (pg_event *ev = app->head; ev != NULL; prev = ev, ev = ev->next) {
    if (app->guests != NULL && must_wait(app, ev))
      continue;
    if (prev != NULL)
      prev->next = ev->next;
    else
      app->head = ev->next;
    if (app->tail == ev)
      app->tail = prev;
    app->nqueued--;
    app->ntaken++;
    if (app->guests != NULL)
      app->guests[ev->guest].nqueued--;
    return ev;
  }
  return NULL;
}

int pg_app_answer(pg_app *app, pg_call *call, const pg_event_spec *e) {
  if (call->caller != PG_CALLER_OUTSIDE)
    return pg_app_post(app, call->caller, e);
  pg_wire_reply(app->wire, call->id, e->status, e->app_error, e->payload,
                e->payload_len);
  return 0;
}

/* Who made @p call, for the log. */
static const char *caller_name(const pg_app *app, const pg_call *call) {
  return call->caller == PG_CALLER_OUTSIDE
             ? "wire"
             : app->guests[call->caller].spec->name;
}

/* " (front's call 12)" for a call another unit made, else "". */
static const char *origin_note(const pg_app *app, const pg_call *call,
                               char *out, size_t cap) {
  out[0] = '\0';
  if (call->origin_unit != 0)
    snprintf(out, cap, " (%s's call %llu)",
             app->cfg->manifest->units[call->origin_unit - 1].name,
             (unsigned long long)call->origin_id);
  return out;
}

void pg_app_fail_call(pg_app *app, pg_call *call, uint32_t status,
                      const char *why) {
  char note[96];
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN,
                caller_name(app, call), call->id, "call to %s failed: %s%s",
                app->guests[call->callee].spec->name, why,
                origin_note(app, call, note, sizeof note));
  pg_guest *callee = &app->guests[call->callee];
  if (status == PG_STATUS_UNAVAILABLE && callee->ndeaths > 0 &&
      !callee->is_up)
    callee->calls_failed++; /* for the summary */
  pg_event_spec e = {.kind = PG_EV_RESPONSE, .status = status,
                     .call_id = call->id, .payload = why,
                     .payload_len = (uint32_t)strlen(why)};
  if ((call->caller == PG_CALLER_OUTSIDE ||
       app->guests[call->caller].state == PG_GUEST_RUNNING) &&
      pg_app_answer(app, call, &e) != 0)
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel",
                  call->id, "out of memory: the caller is not told");
  pg_calls_finish(&app->calls, call);
}

/* ---- running guest code ------------------------------------------------- */

static void format_duration(char *out, size_t cap, uint64_t ns);

/* A DIED or RESTARTED event to every running guest that requires a
 * service @p p exported: the service's name, and why it died
 * (docs/abi.md). */
static void tell_dependents(pg_app *app, const pg_guest *p, uint32_t kind) {
  const char *why = kind == PG_EV_DIED ? p->death : "";
  for (uint32_t i = 0; i < p->ndependents; i++) {
    pg_guest *g = &app->guests[p->dependents[i].guest];
    uint32_t r = p->dependents[i].req;
    if (g->state != PG_GUEST_RUNNING || g == p)
      continue;
    pg_event_spec e = {.kind = kind, .service = r, .method = g->requires[r],
                       .method_len = (uint32_t)strlen(g->requires[r]),
                       .payload = why, .payload_len = (uint32_t)strlen(why)};
    if (pg_app_post(app, g->index, &e) != 0)
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                    "out of memory: %s is not told of %s", g->spec->name,
                    p->spec->name);
  }
}

/* Drops the events still queued for @p g, which ended: its calls have
 * failed, and a restarted instance must not see what the dead one was
 * sent. */
static void drop_events(pg_app *app, pg_guest *g) {
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
    g->nqueued--;
    event_free(app, ev);
  }
}

/* Frees the instance of a guest that ended, and what was queued for it:
 * its memory goes back at once, not at the app's end. The pulse may be
 * about to interrupt it: the mutex keeps the instance alive until it
 * has. */
static void release(pg_app *app, pg_guest *g) {
  drop_events(app, g);
  g->evbuf = g->evbuf_cap = 0; /* the next instance registers its own */
  g->is_buffer_claimed = false;
  pthread_mutex_lock(&app->inst_mutex);
  pg_instance *inst = g->inst;
  atomic_store_explicit(&g->event_tick, 0, memory_order_relaxed);
  g->inst = NULL;
  g->memory = NULL;
  pthread_mutex_unlock(&app->inst_mutex);
  pg_instance_free(inst);
}

/* The message types of the unit's services, from what its guests
 * described: what Connect's JSON needs. Without them the services still
 * serve gRPC and Connect's binary protobuf. */
static void set_types(pg_app *app) {
  size_t total = 0, n = 0;
  for (uint32_t i = 0; i < app->nguests; i++)
    total += app->guests[i].is_remote ? 0 : app->guests[i].nfds;
  uint8_t *all = total > 0 ? pg_mem_malloc(app->mem, total) : NULL;
  if (all == NULL)
    return;
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_guest *g = &app->guests[i];
    if (!g->is_remote && g->nfds > 0) {
      memcpy(all + n, g->fds, g->nfds); /* sets concatenate to one set */
      n += g->nfds;
    }
  }
  pg_pbjson *types;
  char err[256];
  if (pg_pbjson_new(&types, all, n, app->mem, err, sizeof err) == 0)
    pg_wire_set_types(app->wire, types);
  else
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, "kernel", 0,
                  "no JSON for unit %s: its message types do not load: %s",
                  app->cfg->unit->name, err);
  pg_mem_free(app->mem, all);
}

/* The unit's port takes connections from now on; the line says where
 * (the port, when the manifest let the kernel pick one). */
static void serve(pg_app *app) {
  const pg_manifest_unit *u = app->cfg->unit;
  if (u == NULL || u->listen_host == NULL)
    return; /* it only calls out */
  set_types(app);
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, "kernel", 0,
                "unit %s serves on %s:%u", u->name, u->listen_host,
                pg_wire_port(app->wire));
  pg_wire_accept(app->wire);
}

/* A guest's first start is over once it is up, or dead for good. One that
 * died in its start hook and will restart is still starting: its
 * dependents wait for it, and so does startup_timeout. */
static void settle_start(pg_app *app, pg_guest *g) {
  if (g->is_started || g->state == PG_GUEST_LOADED ||
      g->state == PG_GUEST_RESTARTING)
    return;
  g->is_started = true;
  if (!g->spec->is_program &&
      atomic_fetch_sub_explicit(&app->nstarting, 1, memory_order_relaxed) ==
          1 &&
      app->wire != NULL)
    serve(app); /* every service is up */
}

/* The wait before @p g's next restart: restart_backoff, doubled for each
 * restart before it, at most MAX_RESTART_DELAY_NS (or the backoff itself
 * when that is longer). */
#define MAX_RESTART_DELAY_NS 30000000000ull
static uint64_t restart_delay(const pg_guest *g) {
  uint64_t d = g->spec->restart_backoff_ns;
  uint64_t cap = d > MAX_RESTART_DELAY_NS ? d : MAX_RESTART_DELAY_NS;
  for (uint32_t i = 0; i < g->nrestarts && d < cap; i++)
    d *= 2;
  return d < cap ? d : cap;
}

/* A service that died and may restart is scheduled to; once shutting
 * down, or out of restarts, it stays dead. */
static void plan_restart(pg_app *app, pg_guest *g) {
  const pg_manifest_guest *s = g->spec;
  if (s->restart != PG_RESTART_ON_FAILURE || app->is_shutting_down)
    return;
  if (g->nrestarts >= s->max_restarts) {
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, s->name, 0,
                  "not restarted: it used its %u restart%s", s->max_restarts,
                  s->max_restarts == 1 ? "" : "s");
    return;
  }
  char delay[32];
  uint64_t d = restart_delay(g);
  format_duration(delay, sizeof delay, d);
  g->state = PG_GUEST_RESTARTING;
  g->restart_at = pg_app_now(app) + d;
  app->nrestarting++;
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, s->name, 0,
                "restart %u of %u in %s", g->nrestarts + 1, s->max_restarts,
                delay);
}

/* "1s", "250ms", "20us": a duration as a manifest would write it. */
static void format_duration(char *out, size_t cap, uint64_t ns) {
  if (ns % 1000000000u == 0)
    snprintf(out, cap, "%llus", (unsigned long long)(ns / 1000000000u));
  else if (ns % 1000000u == 0)
    snprintf(out, cap, "%llums", (unsigned long long)(ns / 1000000u));
  else
    snprintf(out, cap, "%lluus", (unsigned long long)(ns / 1000u));
}

static void guest_ended(pg_app *app, pg_guest *g, const pg_run_result *r) {
  const char *name = g->spec->name;
  bool is_overdue =
      r->code == PG_RT_INTERRUPTED && atomic_load(&g->is_overdue);
  bool is_cut_off =
      r->code == PG_RT_INTERRUPTED && atomic_load(&g->is_cut_off);
  if (is_overdue && app->cfg->is_deterministic)
    app->now_ns += g->spec->max_handler_time_ns; /* the time it ran */
  if (is_cut_off && app->cfg->is_deterministic &&
      app->now_ns < app->drain_deadline_ns)
    app->now_ns = app->drain_deadline_ns;
  if (r->code == PG_RT_EXIT && g->spec->is_program) {
    g->state = PG_GUEST_EXITED;
    g->exit_code = (int)r->exit_code;
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, name, 0,
                  "exited with status %d", g->exit_code);
  } else {
    g->state = PG_GUEST_DEAD;
    g->has_trapped = r->code != PG_RT_EXIT;
    g->exit_code = g->has_trapped ? 134 : (int)r->exit_code;
    if (is_overdue) {
      char limit[32];
      format_duration(limit, sizeof limit, g->spec->max_handler_time_ns);
      snprintf(g->death, sizeof g->death,
               "ran past its max_handler_time (%s)", limit);
    } else if (is_cut_off) {
      char limit[32];
      format_duration(limit, sizeof limit,
                      app->cfg->manifest->drain_timeout_ns);
      snprintf(g->death, sizeof g->death,
               "still running when drain_timeout (%s) ran out", limit);
    } else {
      snprintf(g->death, sizeof g->death, "%s",
               g->has_trapped ? pg_rt_trap_name(r->code) : "a service exited");
    }
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, name, 0,
                  "died: %s", g->death);
    g->ndeaths++;
  }
  if (g->spec->is_program && g->exit_code != 0 && app->first_failure == 0)
    app->first_failure = g->exit_code;
  if (g->spec->is_program)
    app->programs_left--;
  if (g->state == PG_GUEST_DEAD && g->is_up)
    tell_dependents(app, g, PG_EV_DIED);
  g->is_up = false;
  /* Calls waiting on it fail now rather than at their deadline; calls it
   * made are over, so their answers, when they come, are dropped. */
  for (uint64_t id = app->calls.base; id < app->calls.next_id; id++) {
    pg_call *c = pg_calls_find(&app->calls, id);
    if (c == NULL || c->is_done)
      continue;
    if (c->callee == g->index) {
      pg_app_fail_call(app, c, PG_STATUS_UNAVAILABLE, "the service died");
    } else if (c->caller == g->index) {
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, name, c->id,
                    "call to %s cancelled: the caller is gone",
                    app->guests[c->callee].spec->name);
      pg_calls_finish(&app->calls, c);
    }
  }
  release(app, g);
  if (g->state == PG_GUEST_DEAD)
    plan_restart(app, g);
  settle_start(app, g);
}

/* Runs a () -> () export of a guest outside the section, which it enters
 * again on return. False when the guest ended in it. */
static bool run_entry(pg_app *app, pg_guest *g, const char *entry) {
  pg_run_result r;
  pg_app_leave(app, g->worker);
  if (pg_instance_run(g->inst, entry, &r) != 0) {
    r.code = PG_RT_INTERRUPTED;
    r.exit_code = 0;
  }
  pg_app_enter(app, g->worker);
  if (r.code == PG_RT_OK)
    return true;
  guest_ended(app, g, &r);
  return false;
}

/* A remote service starts when its unit serves: at once if the wire
 * already said so, else once it does (peer_state_in). */
static void start_remote(pg_app *app, pg_guest *g) {
  if (app->is_peer_up[g->peer]) {
    g->state = PG_GUEST_RUNNING;
    return;
  }
  g->is_connecting = true;
  app->nconnecting++;
  pg_wire_connect(app->wire, g->peer);
}

/* Remote services that no guest of this unit requires stand idle: never
 * connected to, and started at once, so that nothing waits on them (and
 * two units that each serve the other's dependents do not wait on each
 * other's start). */
static void settle_remotes(pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    bool is_needed = false;
    for (uint32_t d = 0; g->is_remote && d < g->ndependents; d++)
      is_needed |= !app->guests[g->dependents[d].guest].is_remote;
    if (!g->is_remote || is_needed)
      continue;
    g->state = PG_GUEST_RUNNING;
    g->is_start_queued = false;
    settle_start(app, g);
  }
}

/* Hands @p ev to its guest, which the caller marked busy. */
static void deliver(pg_app *app, pg_event *ev) {
  pg_guest *g = &app->guests[ev->guest];
  if (ev->kind == PG_EV_START) {
    g->is_start_queued = false;
    if (g->state != PG_GUEST_LOADED || app->is_shutting_down)
      return; /* the app ends before it started */
    if (g->is_remote) {
      start_remote(app, g);
      return;
    }
    g->state = PG_GUEST_RUNNING;
  } else if (g->state != PG_GUEST_RUNNING) {
    if (ev->kind == PG_EV_CALL) {
      pg_call *c = pg_calls_find(&app->calls, ev->call_id);
      if (c != NULL && !c->is_done)
        pg_app_fail_call(app, c, PG_STATUS_UNAVAILABLE,
                         g->state == PG_GUEST_STOPPED ? "the service stopped"
                                                      : "the service died");
    }
    return;
  }
  g->event = ev;
  g->call_id = ev->kind == PG_EV_CALL ? ev->call_id : 0;
  pg_abi_deliver(g, ev); /* else the guest calls event_read */
  /* For the pulse's watch on max_handler_time (check_budgets). */
  atomic_store_explicit(
      &g->event_tick,
      atomic_load_explicit(&app->ticks, memory_order_relaxed) + 1,
      memory_order_relaxed);
  run_entry(app, g, "parigot_event");
  atomic_store_explicit(&g->event_tick, 0, memory_order_relaxed);
  g->is_buffer_claimed = false; /* the buffer is free for the next event */
  g->event = NULL;
  g->call_id = 0;
}

/* ---- loading and declaring ---------------------------------------------- */

static int check_abi(const pg_guest *g, char *err, size_t err_len) {
  if (pg_module_has_entry(g->module, "parigot_abi_v1") &&
      pg_module_has_entry(g->module, "parigot_main") &&
      pg_module_has_entry(g->module, "parigot_event"))
    return 0;
  for (size_t i = 0; pg_module_entry_name(g->module, i) != NULL; i++) {
    const char *e = pg_module_entry_name(g->module, i);
    if (strncmp(e, "parigot_abi_v", 13) == 0 && strcmp(e, "parigot_abi_v1")) {
      snprintf(err, err_len, "%s: %s: built for parigot ABI %s; this "
                             "parigot speaks ABI 1",
               g->spec->name, g->spec->wasm, e + 13);
      return PARIGOT_EABI;
    }
  }
  snprintf(err, err_len, "%s: %s: not a parigot guest (it must export "
                         "parigot_abi_v1, parigot_main and parigot_event; "
                         "see docs/abi.md)",
           g->spec->name, g->spec->wasm);
  return PARIGOT_EABI;
}

/* Guests built from the same file share one module: it is read, hashed
 * and checked once, however many instances the app makes of it. */
static pg_module *loaded_module(pg_app *app, const pg_guest *g) {
  for (uint32_t i = 0; i < g->index; i++)
    if (strcmp(app->guests[i].spec->wasm, g->spec->wasm) == 0)
      return app->guests[i].module;
  return NULL;
}

/* A fresh instance of @p g's module in g->inst, as the manifest says. */
static int new_instance(pg_app *app, pg_guest *g) {
  const pg_manifest_guest *s = g->spec;
  /* argv[0] is the guest's name, then the manifest's args. */
  const char **argv = pg_mem_calloc(app->mem, s->nargs + 2, sizeof *argv);
  if (argv == NULL)
    return PARIGOT_ENOMEM;
  argv[0] = s->name;
  for (size_t i = 0; i < s->nargs; i++)
    argv[i + 1] = s->args[i];
  pg_instance_config ic = {
      .max_memory_bytes = s->max_memory,
      .wasi = {.argc = (int)s->nargs + 1, .argv = argv, .envc = (int)s->nenv,
               .env = (const char *const *)s->env,
               .is_deterministic = app->cfg->is_deterministic,
               .has_real_clock = app->cfg->has_real_clock,
               .seed = app->cfg->seed + g->index,
               .stdio_fds = {0, 1, 2}},
      .parigot = g,
  };
  pg_instance *inst;
  int rc = pg_instance_new(g->module, &ic, &inst); /* copies argv */
  pg_mem_free(app->mem, argv);
  if (rc != 0)
    return rc;
  pthread_mutex_lock(&app->inst_mutex);
  g->inst = inst;
  g->memory = pg_instance_memory(inst);
  pthread_mutex_unlock(&app->inst_mutex);
  return 0;
}

static int load_guest(pg_app *app, pg_guest *g, char *err, size_t err_len) {
  const pg_manifest_guest *s = g->spec;
  int rc = 0;
  if (g->is_external)
    return 0;
  if ((g->module = loaded_module(app, g)) != NULL)
    g->shares_module = true;
  else
    rc = pg_module_load(app->engine, s->wasm, &g->module);
  if (rc != 0) {
    snprintf(err, err_len, "%s: %s", s->name, pg_engine_errmsg(app->engine));
    return rc;
  }
  if ((rc = check_abi(g, err, err_len)) != 0)
    return rc;
  if ((rc = new_instance(app, g)) != 0) {
    snprintf(err, err_len, "%s: cannot create an instance: %s", s->name,
             parigot_strerror(rc));
    return rc;
  }
  return 0;
}

/* _initialize (wasi-libc's constructors), then parigot_main; false when
 * the guest ended in them. */
static bool run_declaration(pg_app *app, pg_guest *g) {
  bool ok = !pg_module_has_entry(g->module, "_initialize") ||
            run_entry(app, g, "_initialize");
  if (ok) {
    g->is_declaring = true;
    ok = run_entry(app, g, "parigot_main");
    g->is_declaring = false;
  }
  return ok;
}

static int declare(pg_app *app, pg_guest *g, char *err, size_t err_len) {
  if (g->is_external || run_declaration(app, g))
    return 0;
  snprintf(err, err_len, "%s: died before it started (%s)", g->spec->name,
           g->has_trapped ? "it trapped" : "it exited");
  return PARIGOT_EINVAL;
}

/* ---- the dependency graph ----------------------------------------------- */

/* Each guest's dependents, from the providers: who to tell of its death
 * or return, and who must stop before it. */
static int link_dependents(pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++)
    for (uint32_t r = 0; r < app->guests[i].nrequires; r++)
      app->guests[app->guests[i].providers[r]].ndependents++;
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *p = &app->guests[i];
    p->dependents =
        pg_mem_calloc(app->mem, p->ndependents + 1, sizeof *p->dependents);
    if (p->dependents == NULL)
      return PARIGOT_ENOMEM;
    p->ndependents = 0; /* counts them again as they are filled */
  }
  for (uint32_t i = 0; i < app->nguests; i++)
    for (uint32_t r = 0; r < app->guests[i].nrequires; r++) {
      pg_guest *p = &app->guests[app->guests[i].providers[r]];
      p->dependents[p->ndependents++] = (pg_dependent){i, r};
    }
  return 0;
}

/* Which guest exports each requirement, once the graph is known good. */
static int link_providers(pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    g->providers = pg_mem_calloc(app->mem, g->nrequires + 1,
                                 sizeof *g->providers);
    g->provider_exports = pg_mem_calloc(app->mem, g->nrequires + 1,
                                        sizeof *g->provider_exports);
    if (g->providers == NULL || g->provider_exports == NULL)
      return PARIGOT_ENOMEM;
    for (uint32_t r = 0; r < g->nrequires; r++)
      for (uint32_t j = 0; j < app->nguests; j++)
        for (uint32_t e = 0; e < app->guests[j].nexports; e++)
          if (strcmp(app->guests[j].exports[e], g->requires[r]) == 0) {
            g->providers[r] = j;
            g->provider_exports[r] = e;
          }
  }
  return link_dependents(app);
}

/* The graph's view of the guests; the caller frees the array. */
static pg_graph_node *graph_nodes(pg_app *app) {
  pg_graph_node *nodes =
      pg_mem_calloc(app->mem, app->nguests + 1, sizeof *nodes);
  for (uint32_t i = 0; nodes != NULL && i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    nodes[i] = (pg_graph_node){g->spec->name, (const char *const *)g->exports,
                               g->nexports,
                               (const char *const *)g->requires,
                               g->nrequires};
  }
  return nodes;
}

/* Checks the graph and queues START events in dependency order. */
static int plan_start(pg_app *app, char *err, size_t err_len) {
  uint32_t n = app->nguests;
  pg_graph_node *nodes = graph_nodes(app);
  size_t *order = pg_mem_calloc(app->mem, n + 1, sizeof *order);
  int rc = nodes && order ? 0 : PARIGOT_ENOMEM;
  if (rc == 0)
    rc = pg_graph_order(nodes, n, order, app->mem, err, err_len);
  if (rc == 0)
    rc = link_providers(app);
  if (rc == 0 &&
      !(app->start_order = pg_mem_calloc(app->mem, n + 1, sizeof(uint32_t))))
    rc = PARIGOT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    app->start_order[i] = (uint32_t)order[i];
    app->guests[order[i]].is_start_queued = true;
    rc = pg_app_post(app, (uint32_t)order[i],
                     &(pg_event_spec){.kind = PG_EV_START});
  }
  pg_mem_free(app->mem, nodes);
  pg_mem_free(app->mem, order);
  return rc;
}

/* ---- restarts ----------------------------------------------------------- */

static void free_names(const pg_mem *mem, char **list, uint32_t n);

static bool same_names(char **a, uint32_t na, char **b, uint32_t nb) {
  if (na != nb)
    return false;
  for (uint32_t i = 0; i < na; i++)
    if (strcmp(a[i], b[i]) != 0)
      return false;
  return true;
}

/* Runs a restarted guest's declarations, timed by its max_handler_time as
 * an event is. They must be the ones it made at first, which the app's
 * graph was checked against; else it dies for good. False when it died. */
static bool redeclare(pg_app *app, pg_guest *g) {
  char **exports = g->exports, **requires = g->requires;
  uint32_t nexports = g->nexports, nrequires = g->nrequires;
  g->exports = g->requires = NULL;
  g->nexports = g->nrequires = 0;
  atomic_store_explicit(
      &g->event_tick,
      atomic_load_explicit(&app->ticks, memory_order_relaxed) + 1,
      memory_order_relaxed);
  bool ok = run_declaration(app, g);
  atomic_store_explicit(&g->event_tick, 0, memory_order_relaxed);
  bool is_same = same_names(exports, nexports, g->exports, g->nexports) &&
                 same_names(requires, nrequires, g->requires, g->nrequires);
  free_names(app->mem, g->exports, g->nexports);
  free_names(app->mem, g->requires, g->nrequires);
  g->exports = exports;
  g->nexports = nexports;
  g->requires = requires;
  g->nrequires = nrequires;
  if (!ok || is_same)
    return ok;
  snprintf(g->death, sizeof g->death,
           "declared other services than at first after its restart");
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, g->spec->name, 0,
                "died: %s", g->death);
  g->state = PG_GUEST_DEAD;
  g->ndeaths++;
  release(app, g);
  settle_start(app, g);
  return false;
}

/* Brings back @p g, whose restart is due, on this worker: a new instance
 * of its module, declared again, then its START as at first. Calls to it
 * fail until its START is queued, and wait behind it from then on. */
static void restart(pg_app *app, pg_guest *g, pg_lockholder *h) {
  app->nrestarting--;
  g->nrestarts++;
  g->state = PG_GUEST_LOADED;
  atomic_store(&g->is_overdue, false);
  g->is_busy = true;
  g->worker = h;
  int rc = new_instance(app, g);
  if (rc == 0 && redeclare(app, g)) {
    g->is_start_queued = true;
    rc = pg_app_post(app, g->index, &(pg_event_spec){.kind = PG_EV_START});
  }
  if (rc != 0) {
    snprintf(g->death, sizeof g->death, "cannot restart: %s",
             parigot_strerror(rc));
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, g->spec->name,
                  0, "died: %s", g->death);
    g->state = PG_GUEST_DEAD;
    g->is_start_queued = false;
    g->ndeaths++;
    release(app, g);
    settle_start(app, g);
  }
  g->is_busy = false;
  g->worker = NULL;
}

/* The earliest restart to come, if any. */
static bool next_restart(const pg_app *app, uint64_t *at) {
  bool any = false;
  for (uint32_t i = 0; app->nrestarting > 0 && i < app->nguests; i++) {
    const pg_guest *g = &app->guests[i];
    if (g->state == PG_GUEST_RESTARTING && !g->is_busy &&
        (!any || g->restart_at < *at)) {
      *at = g->restart_at;
      any = true;
    }
  }
  return any;
}

/* Restarts the first guest, in manifest order, whose time has come; true
 * if there was one. */
static bool restart_due(pg_app *app, pg_lockholder *h) {
  uint64_t now = pg_app_now(app);
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    if (g->state == PG_GUEST_RESTARTING && !g->is_busy &&
        g->restart_at <= now) {
      restart(app, g, h);
      return true;
    }
  }
  return false;
}

/* ---- the app's end ------------------------------------------------------ */

/* Whether a call @p g made is still to be answered. */
static bool has_calls_out(pg_app *app, const pg_guest *g) {
  for (uint64_t id = app->calls.base; id < app->calls.next_id; id++) {
    const pg_call *c = pg_calls_find(&app->calls, id);
    if (c != NULL && !c->is_done && c->caller == g->index)
      return true;
  }
  return false;
}

/* A running guest that requires something @p p exports, or NULL. */
static const pg_guest *running_dependent(const pg_app *app,
                                         const pg_guest *p) {
  for (uint32_t i = 0; i < p->ndependents; i++) {
    const pg_guest *d = &app->guests[p->dependents[i].guest];
    if (d->state == PG_GUEST_RUNNING && d != p)
      return d;
  }
  return NULL;
}

/* The programs have ended, or a signal or startup_timeout ends the app:
 * every guest still running is stopped, dependents before what they
 * require, all within drain_timeout. Restarts to come are called off. */
static void begin_shutdown(pg_app *app) {
  uint64_t t = app->cfg->manifest->drain_timeout_ns;
  app->is_shutting_down = true;
  app->serves_until_stopped = false;
  app->drain_deadline_ns =
      app->now_ns > UINT64_MAX - t ? UINT64_MAX : app->now_ns + t;
  atomic_store(&app->drain_deadline_host_ns,
               pg_clock_host_monotonic_ns() + t);
  for (uint32_t i = 0; i < app->nguests; i++)
    if (app->guests[i].state == PG_GUEST_RESTARTING)
      app->guests[i].state = PG_GUEST_DEAD;
  app->nrestarting = 0;
}

/* A guest is stopped once its STOP handler returned and everything it
 * waited for came: the calls it made, and their answers. */
static bool is_stopped(pg_app *app, const pg_guest *g) {
  return g->has_stop_returned && !g->is_busy && g->nqueued == 0 &&
         !has_calls_out(app, g);
}

/* One step of the stop: STOP to each running guest nothing running
 * requires any more; stopped ones are let go. True once none runs. */
static bool shutdown_step(pg_app *app) {
  bool is_over = true;
  for (uint32_t k = app->nguests; k-- > 0;) { /* dependents first */
    pg_guest *g = &app->guests[app->start_order[k]];
    if (g->state != PG_GUEST_RUNNING)
      continue;
    if (g->is_remote) { /* its own unit stops it; here it is let go */
      if (running_dependent(app, g) == NULL)
        g->state = PG_GUEST_STOPPED;
      else
        is_over = false;
      continue;
    }
    if (is_stopped(app, g)) {
      g->state = PG_GUEST_STOPPED;
      g->is_up = false;
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, g->spec->name,
                    0, "stopped");
      release(app, g);
      continue;
    }
    is_over = false;
    if (g->is_stop_sent || running_dependent(app, g) != NULL)
      continue;
    g->is_stop_sent = true;
    if (pg_app_post(app, g->index, &(pg_event_spec){.kind = PG_EV_STOP}))
      g->has_stop_returned = true; /* out of memory: stopped untold */
  }
  return is_over;
}

static bool is_drain_late(pg_app *app) {
  return app->cfg->is_deterministic
             ? app->now_ns >= app->drain_deadline_ns
             : atomic_load_explicit(&app->is_drain_late, memory_order_relaxed);
}

/* Interrupts @p g's running code (the pulse repeats it each tick). */
static void cut_off(pg_app *app, pg_guest *g) {
  atomic_store(&g->is_cut_off, true);
  pthread_mutex_lock(&app->inst_mutex);
  if (g->inst != NULL)
    pg_instance_interrupt(g->inst);
  pthread_mutex_unlock(&app->inst_mutex);
}

/* drain_timeout ran out: the log names each guest still running and where
 * it was; one running code is interrupted there, and dies. */
static void drain_late(pg_app *app) {
  char line[1024], limit[32];
  size_t n = 0;
  format_duration(limit, sizeof limit, app->cfg->manifest->drain_timeout_ns);
  for (uint32_t k = app->nguests; k-- > 0 && n < sizeof line;) {
    pg_guest *g = &app->guests[app->start_order[k]];
    if (g->state != PG_GUEST_RUNNING)
      continue;
    const pg_guest *d = running_dependent(app, g);
    char what[128];
    if (g->is_busy) {
      snprintf(what, sizeof what, "running");
      cut_off(app, g);
    } else if (!g->is_stop_sent && d != NULL) {
      snprintf(what, sizeof what, "waits for %s", d->spec->name);
    } else if (!g->has_stop_returned) {
      snprintf(what, sizeof what, "its STOP is queued");
    } else {
      snprintf(what, sizeof what, "waits for its calls");
    }
    n += (size_t)snprintf(line + n, sizeof line - n, "%s%s (%s)",
                          n > 0 ? ", " : "", g->spec->name, what);
  }
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                "stopping took longer than its drain_timeout (%s); not "
                "stopped: %s", limit, line);
}

/* True once the stop is over: every guest stopped, or drain_timeout ran
 * out. */
static bool shutdown_over(pg_app *app) {
  if (shutdown_step(app))
    return true;
  if (!is_drain_late(app))
    return false;
  drain_late(app);
  return true;
}

/* ---- the loop ----------------------------------------------------------- */

/* Fails the calls whose deadline passed; true if there was any. */
static bool fire_deadlines(pg_app *app) {
  pg_call *c;
  bool any = false;
  while ((c = pg_calls_pop_expired(&app->calls, pg_app_now(app))) != NULL) {
    pg_app_fail_call(app, c, PG_STATUS_DEADLINE_EXCEEDED,
                     "deadline exceeded");
    any = true;
  }
  return any;
}

static bool any_busy(const pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++)
    if (app->guests[i].is_busy)
      return true;
  return false;
}

/* Waits (lock held) for something to do; false when nothing can ever
 * happen again. The deterministic loop jumps its clock to the next
 * deadline. A parallel worker sleeps until woken: by a worker that posted
 * or finished an event, or by the pulse when a deadline fires or an event
 * waits. */
/* The next time something is due: a call's deadline, a restart, the end
 * of drain_timeout. */
static bool next_time(pg_app *app, uint64_t *at) {
  uint64_t t;
  bool any = pg_calls_next_deadline(&app->calls, at);
  if (next_restart(app, &t) && (!any || t < *at)) {
    *at = t;
    any = true;
  }
  if (app->is_shutting_down && (!any || app->drain_deadline_ns < *at)) {
    *at = app->drain_deadline_ns;
    any = true;
  }
  return any;
}

static bool wait_for_work(pg_app *app) {
  uint64_t at;
  bool has_deadline = next_time(app, &at);
  if (!has_deadline && !any_busy(app) && !app->serves_until_stopped &&
      app->nconnecting == 0)
    return false;
  if (app->cfg->is_deterministic && has_deadline) { /* jump to it */
    app->now_ns = at > app->now_ns ? at : app->now_ns;
    return true;
  }
  if (app->cfg->is_deterministic) { /* services alone, idle: a signal */
    pg_applock_enter(&app->lock, NULL);
    while (!atomic_load(&app->is_stopping))
      pg_applock_wait(&app->lock, &app->wake);
    pg_applock_leave(&app->lock, NULL);
    return true;
  }
  app->nawake--;
  pg_applock_wait(&app->lock, &app->wake);
  app->nawake++;
  return true;
}

/* The parallel tick's work: the deadlines that passed fail their calls.
 * True when a worker should be woken: for those answers, or because
 * events wait and no worker took one for a whole tick (their poster ran
 * on rather than returning to its worker). Workers never read the clock
 * for either. */
static bool tick(pg_app *app) {
  pg_fastclock_tick(&app->fastclock, app->cfg->manifest->pulse_ns);
  bool has_fired = fire_deadlines(app);
  bool is_stalled = app->ntaken == app->ntaken_at_tick;
  app->ntaken_at_tick = app->ntaken;
  uint64_t at;
  return (app->nqueued > 0 && (has_fired || is_stalled)) ||
         (next_restart(app, &at) && at <= pg_app_now(app));
}

/* Stops every guest whose event has run past its max_handler_time, even
 * in a loop that never calls the host: without the lock, in both modes
 * (guests, their budgets and instances do not change while the loop runs).
 * An event is timed from the first tick that sees it, which comes after it
 * started: never stopped early, and at most about two intervals late, on
 * the clock rather than by counting ticks that may come late. The
 * interrupt is repeated every tick until the run ends (engine.h). An
 * event that ends just as it is read may take its guest's next one with
 * it: that guest had run past its time all the same. */
/* Deterministic mode: the loop cannot see drain_timeout run out while a
 * guest's code runs, as its clock is virtual and stands still meanwhile;
 * one event that alone runs longer is ended on the host's clock, as
 * max_handler_time is. */
static bool is_drain_overrun(pg_app *app, uint64_t ran_ns) {
  return app->cfg->is_deterministic &&
         atomic_load_explicit(&app->drain_deadline_host_ns,
                              memory_order_relaxed) != 0 &&
         ran_ns >= app->cfg->manifest->drain_timeout_ns;
}

static void check_budgets(pg_app *app) {
  atomic_fetch_add_explicit(&app->ticks, 1, memory_order_relaxed);
  uint64_t now = pg_clock_host_monotonic_ns();
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    uint64_t event =
        atomic_load_explicit(&g->event_tick, memory_order_relaxed);
    if (event == 0)
      continue;
    if (event != g->watched_event) { /* a new event: timed from now */
      g->watched_event = event;
      g->watched_since_ns = now;
      continue;
    }
    uint64_t ran = now - g->watched_since_ns;
    if (g->spec->max_handler_time_ns != 0 &&
        ran >= g->spec->max_handler_time_ns)
      atomic_store(&g->is_overdue, true);
    else if (is_drain_overrun(app, ran))
      atomic_store(&g->is_cut_off, true);
    else if (!atomic_load(&g->is_cut_off)) /* else drain_late cut it */
      continue;
    /* The instance is gone once the guest ended (release). */
    pthread_mutex_lock(&app->inst_mutex);
    if (g->inst != NULL &&
        atomic_load_explicit(&g->event_tick, memory_order_relaxed) == event)
      pg_instance_interrupt(g->inst);
    pthread_mutex_unlock(&app->inst_mutex);
  }
}

/* Wakes every worker, for a flag the pulse set: taking the lock first, so
 * that none is between its look at the flag and its wait. */
static void wake_all(pg_app *app) {
  pg_app_enter(app, NULL);
  pg_app_leave(app, NULL);
  pthread_cond_broadcast(&app->wake);
}

/* Every tick, the budgets; in parallel mode also the deadlines, and the
 * wake-ups. A solo worker does the tick's work itself at its next turn, so
 * the pulse does not end solo mode every tick. A tick still waiting for it
 * at the next one means the worker runs a long event: then the pulse takes
 * the lock, which ends solo mode, and may wake another worker. */
static void pulse_tick(void *arg) {
  pg_app *app = arg;
  check_budgets(app);
  if (!app->cfg->is_deterministic &&
      atomic_load_explicit(&app->nstarting, memory_order_relaxed) > 0 &&
      pg_clock_host_monotonic_ns() - app->start_real_ns >=
          app->cfg->manifest->startup_timeout_ns &&
      !atomic_exchange(&app->is_startup_late, true))
    wake_all(app);
  uint64_t drain = atomic_load(&app->drain_deadline_host_ns);
  if (!app->cfg->is_deterministic && drain != 0 &&
      pg_clock_host_monotonic_ns() >= drain &&
      !atomic_exchange(&app->is_drain_late, true))
    wake_all(app);
  /* Set with the mutex held, so that a worker cannot miss the broadcast
   * between looking at the flag and waiting (this also ends solo mode). */
  const volatile sig_atomic_t *sig = app->cfg->stop_signal;
  if (sig != NULL && *sig != 0 && !atomic_load(&app->is_stopping)) {
    pg_applock_enter(&app->lock, NULL);
    atomic_store(&app->is_stopping, true);
    pg_applock_leave(&app->lock, NULL);
    pthread_cond_broadcast(&app->wake);
  }
  if (app->cfg->is_deterministic)
    return; /* its loop fires deadlines on its own clock */
  if (pg_applock_solo(&app->lock) != NULL &&
      !atomic_exchange(&app->is_tick_due, true))
    return;
  pg_app_enter(app, NULL);
  atomic_store(&app->is_tick_due, false);
  app->wants_wake |= tick(app);
  pg_app_leave(app, NULL);
}

/* "b (waits for a, c)", "a (starting)": why a service has not started. */
static void describe_unstarted(const pg_app *app, const pg_guest *g,
                               char *out, size_t cap) {
  size_t n = (size_t)snprintf(out, cap, "%s (", g->spec->name);
  const char *sep = "waits for ";
  for (uint32_t r = 0; r < g->nrequires && n < cap; r++) {
    const pg_guest *p = &app->guests[g->providers[r]];
    if (p->is_started)
      continue;
    n += (size_t)snprintf(out + n, cap - n, "%s%s", sep, p->spec->name);
    if (p->state == PG_GUEST_RESTARTING && n < cap)
      n += (size_t)snprintf(out + n, cap - n, ", which restarts");
    sep = ", ";
  }
  const pg_wire_peer *u = g->is_remote ? &app->peers[g->peer] : NULL;
  if (n < cap && *sep == 'w' && u != NULL)
    snprintf(out + n, cap - n, "waits for unit %s at %s:%u)", u->unit,
             u->host, u->port);
  else if (n < cap)
    snprintf(out + n, cap - n, "%s)",
             *sep != 'w'                         ? ""
             : g->state == PG_GUEST_RESTARTING ? "restarting"
                                                 : "starting");
}

/* startup_timeout passed with services not started: the run fails, and
 * the log names each of them and what it still waits for. */
static void startup_late(pg_app *app) {
  char line[1024], limit[32];
  size_t n = 0;
  format_duration(limit, sizeof limit, app->cfg->manifest->startup_timeout_ns);
  for (uint32_t i = 0; i < app->nguests && n < sizeof line; i++) {
    const pg_guest *g = &app->guests[i];
    if (g->spec->is_program || g->is_started)
      continue;
    char one[256];
    describe_unstarted(app, g, one, sizeof one);
    n += (size_t)snprintf(line + n, sizeof line - n, "%s%s",
                          n > 0 ? ", " : "", one);
  }
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                "start-up took longer than its startup_timeout (%s); not "
                "started: %s", limit, line);
  if (app->first_failure == 0)
    app->first_failure = PG_APP_EXIT_STARTUP;
  begin_shutdown(app);
}

/* A stop signal: the app stops as when its programs have ended; programs
 * still running are stopped too, and make it fail with 128 + the signal,
 * as a shell reports them. */
static void stop(pg_app *app) {
  int sig = *app->cfg->stop_signal;
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, "kernel", 0,
                  "stopping: %s", sig == SIGINT    ? "SIGINT"
                                  : sig == SIGTERM ? "SIGTERM"
                                                   : "a signal");
  if (app->programs_left > 0 && app->first_failure == 0)
    app->first_failure = 128 + sig;
  begin_shutdown(app);
}

/* Whether the app must begin to end: a stop signal, startup_timeout, or
 * the last program gone. True when it just began. */
static bool is_ending(pg_app *app) {
  if (atomic_load_explicit(&app->is_stopping, memory_order_relaxed))
    stop(app);
  else if (atomic_load_explicit(&app->nstarting, memory_order_relaxed) > 0 &&
           (app->cfg->is_deterministic
                ? app->now_ns >= app->cfg->manifest->startup_timeout_ns
                : atomic_load_explicit(&app->is_startup_late,
                                       memory_order_relaxed)))
    startup_late(app);
  else if (app->programs_left == 0 && !app->serves_until_stopped)
    begin_shutdown(app);
  return app->is_shutting_down;
}

/* After a START: the guest is up, unless it died in its start hook. A
 * restarted service's dependents are told it is back. */
static void started(pg_app *app, pg_guest *g) {
  settle_start(app, g);
  if (g->state != PG_GUEST_RUNNING)
    return;
  g->is_up = true;
  if (g->nrestarts == 0)
    return;
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, g->spec->name, 0,
                "back after restart %u of %u", g->nrestarts,
                g->spec->max_restarts);
  tell_dependents(app, g, PG_EV_RESTARTED);
}

/* The scheduler loop of one thread, in a section of the lock; @p h is the
 * thread's holder (NULL in deterministic mode). */
static void work(pg_app *app, pg_lockholder *h) {
  while (!app->is_done) {
    if (app->cfg->is_deterministic) {
      if (pg_calls_may_expire(&app->calls, app->now_ns))
        fire_deadlines(app);
    } else if (atomic_load_explicit(&app->is_tick_due, memory_order_relaxed) &&
               atomic_exchange(&app->is_tick_due, false)) {
      tick(app); /* this worker takes what it posts */
    }
    if (!app->is_shutting_down && is_ending(app))
      continue;
    if (app->is_shutting_down && shutdown_over(app)) {
      app->is_done = true;
      break;
    }
    if (app->nrestarting > 0 && restart_due(app, h))
      continue;
    pg_event *ev = take_event(app);
    if (ev == NULL && pg_applock_is_solo(h)) {
      /* Waiting takes the mutex: look again holding it. */
      pg_app_leave(app, h);
      pg_applock_drop_solo(&app->lock, h);
      pg_app_enter(app, h);
      continue;
    }
    if (ev == NULL) {
      if (!wait_for_work(app)) {
        pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                      "stuck: programs are still running but nothing is "
                      "left to happen");
        if (app->first_failure == 0)
          app->first_failure = 1;
        begin_shutdown(app);
      }
      continue;
    }
    /* Alone awake: the sections of this event and the next need no
     * atomic instruction until another thread takes the lock. */
    if (h != NULL && !pg_applock_is_solo(h) && app->nawake == 1)
      pg_applock_make_solo(&app->lock, h);
    pg_guest *g = &app->guests[ev->guest];
    g->is_busy = true;
    g->worker = h;
    if (app->cfg->is_deterministic)
      app->now_ns += EVENT_TICK_NS;
    deliver(app, ev);
    if (ev->kind == PG_EV_START)
      started(app, g);
    else if (ev->kind == PG_EV_STOP && g->state == PG_GUEST_RUNNING)
      g->has_stop_returned = true;
    g->is_busy = false;
    g->worker = NULL;
    event_free(app, ev);
    /* This worker takes the next event itself; a second one queued (for
     * instance one of this guest's that waited) may go to an idle one. */
    if (app->nworkers > 1 && app->nqueued >= 2)
      app->wants_wake = true;
  }
}

/* The workers' way out of the loop: the pulse must stop after the last
 * one leaves the loop (a guest may run long to the end) and before any
 * thread exits (it signals the threads it interrupts). */
typedef struct loop_exit {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  uint32_t nout; /* workers out of the loop */
  bool may_exit; /* the pulse has stopped */
} loop_exit;

/* A thread of the loop. Deterministic mode has one, with no holder. */
typedef struct worker_ctx {
  pg_app *app;
  pg_lockholder holder;
  loop_exit *exit;
} worker_ctx;

static void run_worker(worker_ctx *w) {
  pg_app *app = w->app;
  pg_lockholder *h = app->cfg->is_deterministic ? NULL : &w->holder;
  pg_app_enter(app, h);
  work(app, h);
  pg_app_leave(app, h);
  if (h != NULL) { /* the others see is_done */
    pg_applock_drop_solo(&app->lock, h);
    pthread_cond_broadcast(&app->wake);
  }
  pthread_mutex_lock(&w->exit->mutex);
  w->exit->nout++;
  pthread_cond_broadcast(&w->exit->cond);
  pthread_mutex_unlock(&w->exit->mutex);
}

static void *worker(void *arg) {
  worker_ctx *w = arg;
  run_worker(w);
  pthread_mutex_lock(&w->exit->mutex);
  while (!w->exit->may_exit)
    pthread_cond_wait(&w->exit->cond, &w->exit->mutex);
  pthread_mutex_unlock(&w->exit->mutex);
  return NULL;
}

static bool has_budgets(const pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++)
    if (app->guests[i].spec->max_handler_time_ns != 0)
      return true;
  return false;
}

/* Deterministic: this thread alone. Parallel: a worker per CPU, at most
 * one per guest, as a guest runs on one thread at a time anyway. Beside
 * them the pulse, which a deterministic app needs only for budgets. */
static int run_app(pg_app *app, char *err, size_t err_len) {
  pg_pulse *pulse = NULL;
  if (!app->cfg->is_deterministic || has_budgets(app) ||
      app->cfg->stop_signal != NULL) {
    int rc = pg_pulse_new(&pulse, app->cfg->manifest->pulse_ns, pulse_tick,
                          app, app->mem);
    if (rc != 0) {
      snprintf(err, err_len, "cannot start the timing pulse: %s",
               parigot_strerror(rc));
      return rc;
    }
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  uint32_t n = app->cfg->is_deterministic ? 1
               : cpus < 1                 ? 1
                                          : (uint32_t)cpus;
  if (n > app->nguests)
    n = app->nguests;
  if (n > 256)
    n = 256;
  app->nworkers = n;
  app->nawake = n;
  loop_exit exit = {.nout = 0, .may_exit = false};
  pthread_mutex_init(&exit.mutex, NULL);
  pthread_cond_init(&exit.cond, NULL);
  pthread_t threads[256];
  worker_ctx ctx[256];
  for (uint32_t i = 0; i < n; i++)
    ctx[i] = (worker_ctx){.app = app, .exit = &exit};
  uint32_t started = 0;
  for (uint32_t i = 1; i < n; i++) {
    if (pthread_create(&threads[started], NULL, worker, &ctx[i]) == 0) {
      started++;
      continue;
    }
    pg_app_enter(app, NULL); /* one fewer: the loop runs with the rest */
    app->nworkers--;
    app->nawake--;
    pg_app_leave(app, NULL);
  }
  run_worker(&ctx[0]);
  pthread_mutex_lock(&exit.mutex);
  while (exit.nout < started + 1)
    pthread_cond_wait(&exit.cond, &exit.mutex);
  pthread_mutex_unlock(&exit.mutex);
  pg_pulse_free(pulse); /* no tick after this */
  pthread_mutex_lock(&exit.mutex);
  exit.may_exit = true;
  pthread_cond_broadcast(&exit.cond);
  pthread_mutex_unlock(&exit.mutex);
  for (uint32_t i = 0; i < started; i++)
    pthread_join(threads[i], NULL);
  pthread_cond_destroy(&exit.cond);
  pthread_mutex_destroy(&exit.mutex);
  return 0;
}

/* ---- calls from the wire ------------------------------------------------ */

/* The running guest of this unit that exports @p service, with the
 * export's index in *export, or NULL. */
static pg_guest *exporter(pg_app *app, const char *service, size_t len,
                          uint32_t *export) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    for (uint32_t e = 0; e < g->nexports && !g->is_remote; e++)
      if (strlen(g->exports[e]) == len &&
          memcmp(g->exports[e], service, len) == 0) {
        *export = e;
        return g;
      }
  }
  return NULL;
}

/* A call from another unit of the app keeps that unit and its id there
 * (parigot-call-id, "UNIT/ID"), so that the log can name both ends of
 * it. Anything else is left out: the header is the client's to send. */
static void set_origin(pg_app *app, pg_call *call, const char *origin) {
  const pg_manifest *m = app->cfg->manifest;
  const char *slash = strrchr(origin, '/');
  char *end;
  if (slash == NULL || slash[1] < '0' || slash[1] > '9')
    return;
  unsigned long long id = strtoull(slash + 1, &end, 10);
  for (size_t u = 0; *end == '\0' && u < m->nunits; u++)
    if (strlen(m->units[u].name) == (size_t)(slash - origin) &&
        memcmp(m->units[u].name, origin, (size_t)(slash - origin)) == 0) {
      call->origin_unit = (uint32_t)u + 1;
      call->origin_id = id;
    }
}

/* pg_wire_app.call: a request from the network becomes a call, as a
 * guest's dispatch makes one, with the wire as its caller. */
static uint32_t call_in(void *user, const char *service, size_t service_len,
                        const char *method, size_t method_len,
                        const uint8_t *req, size_t req_len,
                        uint64_t timeout_ns, const char *caller,
                        const char *origin, uint64_t *id, char *why,
                        size_t why_cap) {
  pg_app *app = user;
  uint32_t status = PG_STATUS_OK, export;
  pg_call *call;
  pg_app_enter(app, NULL);
  pg_guest *g = exporter(app, service, service_len, &export);
  uint64_t now = pg_app_now(app);
  uint64_t t = timeout_ns ? timeout_ns : app->cfg->manifest->deadline_ns;
  if (g == NULL) {
    status = PG_STATUS_UNIMPLEMENTED;
    snprintf(why, why_cap, "unit %s serves no service %.*s",
             app->cfg->unit->name, (int)service_len, service);
  } else if (app->is_shutting_down || !pg_guest_takes_calls(g)) {
    status = PG_STATUS_UNAVAILABLE;
    snprintf(why, why_cap, "%s is not running", g->spec->name);
  } else if (pg_calls_start(&app->calls, PG_CALLER_OUTSIDE, g->index,
                            t > UINT64_MAX - now ? UINT64_MAX : now + t,
                            &call) != 0) {
    status = PG_STATUS_RESOURCE_EXHAUSTED;
    snprintf(why, why_cap, "out of memory");
  } else if (pg_app_post(app, g->index,
                         &(pg_event_spec){
                             .kind = PG_EV_CALL, .call_id = call->id,
                             .deadline_ns = call->deadline_ns,
                             .service = export, .method = method,
                             .method_len = (uint32_t)method_len,
                             .caller = caller,
                             .caller_len = (uint32_t)strlen(caller),
                             .payload = req,
                             .payload_len = (uint32_t)req_len}) != 0) {
    pg_calls_finish(&app->calls, call);
    status = PG_STATUS_RESOURCE_EXHAUSTED;
    snprintf(why, why_cap, "out of memory");
  } else {
    *id = call->id;
    set_origin(app, call, origin);
    app->wants_wake = true; /* no worker posted it: wake one */
  }
  pg_app_leave(app, NULL);
  return status;
}

/* pg_wire_app.cancel: the client is gone; its answer is not wanted. */
static void cancel_in(void *user, uint64_t id) {
  pg_app *app = user;
  pg_app_enter(app, NULL);
  pg_call *call = pg_calls_find(&app->calls, id);
  if (call != NULL && !call->is_done && call->caller == PG_CALLER_OUTSIDE) {
    char note[96];
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, "wire", id,
                  "call to %s cancelled: the client is gone%s",
                  app->guests[call->callee].spec->name,
                  origin_note(app, call, note, sizeof note));
    pg_calls_finish(&app->calls, call);
  }
  pg_app_leave(app, NULL);
}

static void log_in(void *user, int level, const char *msg) {
  pg_app *app = user;
  pg_app_enter(app, NULL);
  pg_log_printf(&app->log, pg_app_now(app), (pg_log_level)level, "wire", 0,
                "%s", msg);
  pg_app_leave(app, NULL);
}

/* ---- calls to other units --------------------------------------------- */

void pg_app_call_out(pg_app *app, pg_guest *callee, pg_call *call,
                     uint32_t export, const char *method, uint32_t method_len,
                     const void *req, uint32_t req_len, const char *caller) {
  uint64_t now = pg_app_now(app);
  if (pg_wire_call(app->wire, callee->peer, call->id, callee->exports[export],
                   method, method_len, req, req_len,
                   call->deadline_ns > now ? call->deadline_ns - now : 1,
                   caller) != 0)
    pg_app_fail_call(app, call, PG_STATUS_RESOURCE_EXHAUSTED,
                     "out of memory");
}

/* pg_wire_app.answered: the other unit's answer, as a RESPONSE to the
 * guest that called; dropped when the call ended first. */
static void answered_in(void *user, uint64_t id, uint32_t status,
                        int32_t app_error, const uint8_t *body, size_t len) {
  pg_app *app = user;
  pg_app_enter(app, NULL);
  pg_call *call = pg_calls_find(&app->calls, id);
  pg_event_spec e = {.kind = PG_EV_RESPONSE, .status = status,
                     .call_id = id, .app_error = app_error, .payload = body,
                     .payload_len = (uint32_t)len};
  if (status == PG_STATUS_DEADLINE_EXCEEDED) { /* the caller's deadline, */
    e.payload = "deadline exceeded";         /* in the kernel's words, */
    e.payload_len = 17;                      /* wherever it fired */
  }
  if (call != NULL && !call->is_done) {
    if (status == PG_STATUS_UNAVAILABLE) /* its unit went: for the summary */
      app->guests[call->callee].calls_failed++;
    if (pg_app_answer(app, call, &e) != 0)
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", id,
                    "out of memory: the caller is not told");
    call->is_answered = true;
    pg_calls_finish(&app->calls, call);
    app->wants_wake = true; /* no worker posted it: wake one */
  }
  pg_app_leave(app, NULL);
}

/* A remote service comes up with its unit, goes down with it (as a death:
 * its dependents are told), and comes back with it. */
static void peer_went(pg_app *app, pg_guest *g, bool is_up,
                      const char *why) {
  const pg_wire_peer *u = &app->peers[g->peer];
  if (is_up && g->is_connecting && g->state == PG_GUEST_LOADED) {
    g->is_connecting = false;
    app->nconnecting--;
    g->state = PG_GUEST_RUNNING;
    started(app, g);
  } else if (is_up && g->state == PG_GUEST_DEAD && g->is_started) {
    app->nconnecting--;
    g->state = PG_GUEST_RUNNING;
    g->is_up = true;
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, g->spec->name, 0,
                  "back: unit %s serves again", u->unit);
    tell_dependents(app, g, PG_EV_RESTARTED);
  } else if (!is_up && g->state == PG_GUEST_RUNNING) {
    if (app->is_shutting_down) { /* no loss: the app is ending */
      g->state = PG_GUEST_STOPPED;
      return;
    }
    snprintf(g->death, sizeof g->death, "unit %s is unreachable: %s",
             u->unit, why);
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, g->spec->name,
                  0, "died: %s", g->death);
    g->state = PG_GUEST_DEAD;
    g->is_up = false;
    g->ndeaths++;
    app->nconnecting++; /* the wire tries it again */
    tell_dependents(app, g, PG_EV_DIED);
  }
}

/* pg_wire_app.peer_state: every service of that unit follows it. */
static void peer_state_in(void *user, uint32_t peer, bool is_up,
                          const char *why) {
  pg_app *app = user;
  pg_app_enter(app, NULL);
  app->is_peer_up[peer] = is_up;
  for (uint32_t i = 0; i < app->nguests; i++)
    if (app->guests[i].is_remote && app->guests[i].peer == peer)
      peer_went(app, &app->guests[i], is_up, why);
  app->wants_wake = true;
  pg_app_leave(app, NULL);
}

/* Every unit a guest here calls must be reachable: it has a listen
 * address with a port of its own. */
static int check_peers(pg_app *app, char *err, size_t err_len) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_guest *p = &app->guests[i];
    for (uint32_t d = 0; p->is_remote && d < p->ndependents; d++) {
      const pg_guest *g = &app->guests[p->dependents[d].guest];
      const pg_wire_peer *u = &app->peers[p->peer];
      if (g->is_remote)
        continue;
      if (u->host == NULL || u->port == 0) {
        snprintf(err, err_len, "%s requires %s, which %s serves in unit %s; "
                 "that unit needs a listen address %s", g->spec->name,
                 g->requires[p->dependents[d].req], p->spec->name, u->unit,
                 u->host == NULL ? "(it has none)"
                                 : "with a port other than 0");
        return PARIGOT_EINVAL;
      }
    }
  }
  return 0;
}

static bool has_remote(const pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++)
    if (app->guests[i].is_remote)
      return true;
  return false;
}

/* The unit's wire, when it listens or calls other units. Its port is
 * bound now, so that a taken port fails the run before anything starts;
 * it serves once every service has started. */
static int open_wire(pg_app *app, char *err, size_t err_len) {
  const pg_manifest_unit *u = app->cfg->unit;
  const pg_manifest *m = app->cfg->manifest;
  const char *host = u != NULL ? u->listen_host : NULL;
  const char *name = u != NULL ? u->name : m->name;
  if (host == NULL && !has_remote(app))
    return 0;
  if (app->cfg->is_deterministic) {
    snprintf(err, err_len, "%s talks over the network, which cannot run "
             "deterministically", name);
    return PARIGOT_EINVAL;
  }
  app->peers = pg_mem_calloc(app->mem, m->nunits, sizeof *app->peers);
  app->is_peer_up = pg_mem_calloc(app->mem, m->nunits,
                                  sizeof *app->is_peer_up);
  if (app->peers == NULL || app->is_peer_up == NULL)
    return PARIGOT_ENOMEM;
  for (size_t i = 0; i < m->nunits; i++)
    app->peers[i] = (pg_wire_peer){m->units[i].name, m->units[i].listen_host,
                                   m->units[i].listen_port};
  int rc = check_peers(app, err, err_len);
  if (rc != 0)
    return rc;
  pg_wire_config wc = {.unit = name, .host = host,
                       .port = u != NULL ? u->listen_port : 0,
                       .peers = app->peers,
                       .npeers = (uint32_t)m->nunits,
                       .max_message_size = m->max_message_size,
                       .request_timeout_ns = m->request_timeout_ns};
  pg_wire_app wa = {call_in,     cancel_in,     log_in,
                    answered_in, peer_state_in, app};
  return pg_wire_new(&app->wire, &wc, &wa, app->mem, err, err_len);
}

/* ---- set-up and tear-down ----------------------------------------------- */

static bool is_local(const pg_app_config *cfg, const pg_manifest_guest *s) {
  return cfg->unit == NULL || &cfg->manifest->units[s->unit] == cfg->unit;
}

/* This unit's guests, and the services of the others, which stand in
 * for them (is_remote): declared here, so that the app's whole graph is
 * checked, then called over the wire. */
static bool selected(const pg_app_config *cfg, const pg_manifest_guest *s) {
  if (!is_local(cfg, s))
    return !s->is_program;
  return !s->is_program || s->is_test == cfg->run_tests;
}

/* The services of units outside parigot stand as remote guests that only
 * export them: nothing to load or declare. */
static int add_external(pg_app *app) {
  const pg_manifest *m = app->cfg->manifest;
  size_t k = 0;
  for (size_t u = 0; u < m->nunits; u++)
    for (size_t s = 0; s < m->units[u].nserves; s++) {
      pg_manifest_guest *spec = &app->external[k++];
      *spec = (pg_manifest_guest){.name = m->units[u].serves[s],
                                  .unit = (uint32_t)u};
      pg_guest *g = &app->guests[app->nguests];
      g->app = app;
      g->index = app->nguests++;
      g->spec = spec;
      g->name_len = (uint32_t)strlen(spec->name);
      g->is_remote = g->is_external = true;
      g->peer = (uint32_t)u;
      g->exports = pg_mem_calloc(app->mem, 2, sizeof *g->exports);
      if (g->exports == NULL ||
          (g->exports[0] = pg_mem_strdup(app->mem, spec->name)) == NULL)
        return PARIGOT_ENOMEM;
      g->nexports = 1;
      atomic_fetch_add(&app->nstarting, 1);
    }
  return 0;
}

/* Leaves the lock held: the caller owns the app from here on. */
static int app_init(pg_app *app, const pg_app_config *cfg, const pg_mem *mem,
                    char *err, size_t err_len) {
  memset(app, 0, sizeof *app);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines' clock */
  pthread_cond_init(&app->wake, &ca);
  pthread_condattr_destroy(&ca);
  pthread_mutex_init(&app->inst_mutex, NULL);
  app->cfg = cfg;
  pg_applock_init(&app->lock, !cfg->is_deterministic);
  pg_app_enter(app, NULL);
  app->mem = mem;
  app->start_real_ns = real_ns();
  pg_fastclock_init(&app->fastclock);
  pg_log_init(&app->log, cfg->log, PG_LOG_INFO);
  pg_calls_init(&app->calls, mem);
  pg_engine_config ec = {.cache_dir = cfg->cache_dir,
                         .prebuilt_dir = cfg->prebuilt_dir,
                         .host_modules = &pg_abi_module,
                         .nhost_modules = 1};
  int rc = pg_engine_new(&app->engine, &ec, mem, err, err_len);
  if (rc != 0)
    return rc;
  const pg_manifest *m = cfg->manifest;
  size_t nexternal = 0;
  for (size_t u = 0; u < m->nunits; u++)
    nexternal += m->units[u].nserves;
  app->guests = pg_mem_calloc(mem, m->nguests + nexternal + 1,
                              sizeof *app->guests);
  app->external = pg_mem_calloc(mem, nexternal + 1, sizeof *app->external);
  if (app->guests == NULL || app->external == NULL)
    return PARIGOT_ENOMEM;
  for (size_t i = 0; i < m->nguests; i++) {
    if (!selected(cfg, &m->guests[i]))
      continue;
    pg_guest *g = &app->guests[app->nguests];
    g->app = app;
    g->index = app->nguests++;
    g->spec = &m->guests[i];
    g->name_len = (uint32_t)strlen(g->spec->name);
    g->is_remote = !is_local(cfg, g->spec);
    g->peer = g->spec->unit;
    app->programs_left += g->spec->is_program;
    if (!g->spec->is_program)
      atomic_fetch_add(&app->nstarting, 1);
  }
  app->serves_until_stopped = cfg->stop_signal != NULL && !cfg->run_tests &&
                              app->programs_left == 0;
  return add_external(app);
}

static void free_names(const pg_mem *mem, char **list, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    pg_mem_free(mem, list[i]);
  pg_mem_free(mem, list);
}

/* Stops the guests in reverse start order, so a service goes only after
 * everything that required it; then frees the modules they shared. */
static void app_free(pg_app *app) {
  for (uint32_t i = app->nguests; i-- > 0;) {
    uint32_t k = app->start_order ? app->start_order[i] : i;
    pg_instance_free(app->guests[k].inst);
    app->guests[k].inst = NULL;
  }
  for (uint32_t i = app->nguests; i-- > 0;) {
    pg_guest *g = &app->guests[i];
    if (!g->shares_module)
      pg_module_free(g->module);
    free_names(app->mem, g->exports, g->nexports);
    free_names(app->mem, g->requires, g->nrequires);
    pg_mem_free(app->mem, g->providers);
    pg_mem_free(app->mem, g->dependents);
    pg_mem_free(app->mem, g->fds);
    pg_mem_free(app->mem, g->provider_exports);
  }
  pg_event *ev;
  while ((ev = app->head) != NULL) { /* whatever was left, taken or not */
    app->head = ev->next;
    pg_mem_free(app->mem, ev);
  }
  while ((ev = app->spare) != NULL) {
    app->spare = ev->next;
    pg_mem_free(app->mem, ev);
  }
  pg_wire_free(app->wire); /* it served nothing: nobody holds the lock */
  pg_mem_free(app->mem, app->peers);
  pg_mem_free(app->mem, app->is_peer_up);
  pg_mem_free(app->mem, app->guests);
  pg_mem_free(app->mem, app->external);
  pg_mem_free(app->mem, app->start_order);
  pg_calls_free(&app->calls);
  pg_engine_free(app->engine);
  pg_app_leave(app, NULL);
  pg_applock_destroy(&app->lock);
  pthread_cond_destroy(&app->wake);
  pthread_mutex_destroy(&app->inst_mutex);
}

/* When something went wrong, a last word per guest that died: why, and
 * what it cost its callers. A service's death with no program failing is
 * an exit code of its own. */
static void summarize(pg_app *app) {
  bool has_service_died = false;
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    if (g->ndeaths == 0)
      continue;
    has_service_died |= !g->spec->is_program;
    char times[64] = "";
    if (g->ndeaths > 1 || g->nrestarts > 0)
      snprintf(times, sizeof times, " %u time%s, restarted %u time%s",
               g->ndeaths, g->ndeaths == 1 ? "" : "s", g->nrestarts,
               g->nrestarts == 1 ? "" : "s");
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                  "summary: %s died%s (%s%s); %u call%s failed because of it",
                  g->spec->name, times, g->ndeaths > 1 ? "last: " : "",
                  g->death, g->calls_failed, g->calls_failed == 1 ? "" : "s");
  }
  if (has_service_died && app->first_failure == 0)
    app->first_failure = PG_APP_EXIT_SERVICE_DIED;
}

static void report(const pg_app *app, const pg_app_config *cfg) {
  if (cfg->results == NULL || cfg->nresults == NULL)
    return;
  size_t n = 0;
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_guest *g = &app->guests[i];
    if (!g->spec->is_program)
      continue;
    cfg->results[n++] = (pg_app_program_result){
        g->spec->name, g->exit_code, g->has_trapped,
        g->state != PG_GUEST_LOADED};
  }
  *cfg->nresults = n;
}

/* Sets the app up and lets every guest declare itself: all of an app but
 * its start. The app must be freed (app_free) whatever this returns. */
static int app_prepare(pg_app *app, const pg_app_config *cfg,
                       const pg_mem *mem, char *err, size_t err_len) {
  int rc = app_init(app, cfg, mem, err, err_len);
  for (uint32_t i = 0; rc == 0 && i < app->nguests; i++)
    rc = load_guest(app, &app->guests[i], err, err_len);
  for (uint32_t i = 0; rc == 0 && i < app->nguests; i++)
    rc = declare(app, &app->guests[i], err, err_len);
  for (uint32_t i = 0; rc == 0 && i < app->nguests; i++)
    if (app->guests[i].is_remote)
      release(app, &app->guests[i]); /* its unit runs it */
  return rc;
}

int pg_app_run(const pg_app_config *cfg, const pg_mem *mem, int *exit_code,
               char *err, size_t err_len) {
  pg_app app;
  int rc = app_prepare(&app, cfg, mem, err, err_len);
  if (rc == 0)
    rc = plan_start(&app, err, err_len);
  if (rc == 0)
    rc = open_wire(&app, err, err_len);
  if (rc == 0)
    settle_remotes(&app);
  if (rc == 0 && app.wire != NULL && atomic_load(&app.nstarting) == 0)
    serve(&app); /* no service to wait for */
  if (rc == 0) {
    /* The clock starts with the guests, not with their compilation. */
    app.start_real_ns = real_ns();
    if (!cfg->is_deterministic)
      app.now_ns = 0;
    pg_app_leave(&app, NULL);
    rc = run_app(&app, err, err_len);
    pg_wire_free(app.wire); /* its thread may wait for the lock */
    app.wire = NULL;
    pg_app_enter(&app, NULL);
    summarize(&app);
    *exit_code = app.first_failure;
    report(&app, cfg);
  }
  app_free(&app);
  return rc;
}

/* Depth first from each unit, in manifest order: a unit goes after the
 * units it calls. @p calls is nunits x nunits. */
static void visit_unit(const bool *calls, uint32_t n, uint32_t u,
                       uint8_t *mark, uint32_t *order, uint32_t *len) {
  if (mark[u] != 0)
    return; /* done, or on the path: a cycle of units */
  mark[u] = 1;
  for (uint32_t v = 0; v < n; v++)
    if (calls[u * n + v])
      visit_unit(calls, n, v, mark, order, len);
  mark[u] = 2;
  order[(*len)++] = u;
}

int pg_app_unit_order(const pg_app_config *cfg, const pg_mem *mem,
                      uint32_t *order, char *err, size_t err_len) {
  pg_app app;
  pg_app_config all = *cfg;
  all.unit = NULL;
  uint32_t n = (uint32_t)cfg->manifest->nunits, len = 0;
  int rc = app_prepare(&app, &all, mem, err, err_len);
  if (rc == 0)
    rc = plan_start(&app, err, err_len); /* the graph's checks */
  bool *calls = pg_mem_calloc(mem, (size_t)n * n + 1, sizeof *calls);
  uint8_t *mark = pg_mem_calloc(mem, n + 1, sizeof *mark);
  if (rc == 0 && (calls == NULL || mark == NULL))
    rc = PARIGOT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < app.nguests; i++) {
    const pg_guest *g = &app.guests[i];
    for (uint32_t r = 0; r < g->nrequires; r++)
      calls[g->spec->unit * n + app.guests[g->providers[r]].spec->unit] =
          true;
  }
  for (uint32_t u = 0; rc == 0 && u < n; u++)
    visit_unit(calls, n, u, mark, order, &len);
  pg_mem_free(mem, calls);
  pg_mem_free(mem, mark);
  app_free(&app);
  return rc;
}

int pg_app_write_graph(const pg_app_config *cfg, const pg_mem *mem, FILE *out,
                       char *err, size_t err_len) {
  pg_app app;
  int rc = app_prepare(&app, cfg, mem, err, err_len);
  pg_graph_node *nodes = rc == 0 ? graph_nodes(&app) : NULL;
  bool *is_program = pg_mem_calloc(mem, app.nguests + 1, sizeof *is_program);
  if (rc == 0 && (nodes == NULL || is_program == NULL))
    rc = PARIGOT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < app.nguests; i++)
    is_program[i] = app.guests[i].spec->is_program;
  if (rc == 0 && (rc = pg_graph_write_dot(nodes, app.nguests, is_program,
                                          cfg->manifest->name, out, mem)) != 0)
    snprintf(err, err_len, "cannot write the graph: %s",
             parigot_strerror(rc));
  pg_mem_free(mem, nodes);
  pg_mem_free(mem, is_program);
  app_free(&app);
  return rc;
}
