/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/lifecycle.c: a guest's life once loaded. Its code runs outside
 * the app's lock (run_entry); an event is handed to it by deliver, in
 * deterministic mode with its max_handler_time as fuel (set_fuel). When
 * it ends, its callers' calls fail, the calls it made are cancelled, its
 * dependents are told (DIED), and its instance is freed at once; one that
 * may restart comes back after its backoff with a new instance that must
 * declare the same services, then goes through START again, and its
 * dependents are told (RESTARTED).
 */
#include "lifecycle.h"

#include <string.h>

#include "event.h"
#include "load.h"
#include "native.h"
#include "remote.h"
#include "parigot/error.h"

/* A DIED or RESTARTED event to every running guest that requires a
 * service @p p exported: the service's name, and why it died
 * (docs/abi.md). */
void pg_guest_tell_dependents(pg_app *app, const pg_guest *p, uint32_t kind) {
  const char *why = kind == PARIGOT_EV_DIED ? p->death : "";
  for (uint32_t i = 0; i < p->ndependents; i++) {
    pg_guest *g = &app->guests[p->dependents[i].guest];
    uint32_t r = p->dependents[i].req;
    if (g->state != PG_GUEST_RUNNING || g == p)
      continue;
    pg_event_spec e = {.kind = kind,
                       .service = r,
                       .method = g->requires[r],
                       .method_len = (uint32_t)strlen(g->requires[r]),
                       .payload = why,
                       .payload_len = (uint32_t)strlen(why)};
    if (pg_app_post(app, g->index, &e) != 0)
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                    "out of memory: %s is not told of %s", g->spec->name,
                    p->spec->name);
  }
}

/* Frees the instance of a guest that ended, and what was queued for it:
 * its memory goes back at once, not at the app's end. The pulse may be
 * about to interrupt it: the mutex keeps the instance alive until it
 * has. */
void pg_guest_release(pg_app *app, pg_guest *g) {
  pg_event_drop_for(app, g);
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

/* A guest's first start is over once it is up, or dead for good. One that
 * died in its start hook and will restart is still starting: its
 * dependents wait for it, and so does startup_timeout. */
void pg_guest_settle_start(pg_app *app, pg_guest *g) {
  if (g->is_started || g->state == PG_GUEST_LOADED ||
      g->state == PG_GUEST_RESTARTING)
    return;
  g->is_started = true;
  if (!g->spec->is_program &&
      atomic_fetch_sub_explicit(&app->nstarting, 1, memory_order_relaxed) ==
          1 &&
      app->transport != NULL)
    pg_app_serve(app); /* every service is up */
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
  pg_format_duration(delay, sizeof delay, d);
  g->state = PG_GUEST_RESTARTING;
  g->restart_at = pg_app_now(app) + d;
  app->nrestarting++;
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, s->name, 0,
                "restart %u of %u in %s", g->nrestarts + 1, s->max_restarts,
                delay);
}

/* "1s", "250ms", "20us": a duration as a manifest would write it. */
void pg_format_duration(char *out, size_t cap, uint64_t ns) {
  if (ns % 1000000000u == 0)
    snprintf(out, cap, "%llus", (unsigned long long)(ns / 1000000000u));
  else if (ns % 1000000u == 0)
    snprintf(out, cap, "%llums", (unsigned long long)(ns / 1000000u));
  else
    snprintf(out, cap, "%lluus", (unsigned long long)(ns / 1000u));
}

/* In deterministic mode a guest's module is metered (load.c) and its
 * max_handler_time is a budget of fuel, not of the host's time, so the
 * same handler is stopped at the same instruction on every machine:
 * PG_FUEL_PER_NS units (one per wasm instruction, meter.h) per nanosecond
 * of it. CPU-bound guests (bench/engine) burn 7 to 24 units per ns of
 * CPU time, 15 on average, so a budget lasts about as long as in parallel
 * mode, or a little less; the handlers of tests/app burn 600 to 33,000
 * units per event (median 3,700; a START that makes 1000 calls, 23
 * million), well under a thousandth of the default 1s. No
 * max_handler_time: no limit. */
#define PG_FUEL_PER_NS 10u

/* Sets @p g's fuel for its next event (deterministic mode only). */
static void set_fuel(const pg_app *app, pg_guest *g) {
  uint64_t ns = g->spec->max_handler_time_ns;
  if (!app->cfg->is_deterministic || g->inst == NULL)
    return;
  pg_instance_set_fuel(g->inst, ns == 0 || ns > INT64_MAX / PG_FUEL_PER_NS
                                    ? INT64_MAX
                                    : (int64_t)(ns * PG_FUEL_PER_NS));
}

static void after_end(pg_app *app, pg_guest *g);

static void guest_ended(pg_app *app, pg_guest *g, const pg_run_result *r) {
  const char *name = g->spec->name;
  /* Past its max_handler_time: stopped by the pulse (parallel mode), or
   * out of fuel (deterministic mode), which ends it the same way. */
  bool is_overdue =
      (r->code == PG_RT_INTERRUPTED && atomic_load(&g->is_overdue)) ||
      r->code == PG_RT_OUT_OF_FUEL;
  bool is_cut_off = r->code == PG_RT_INTERRUPTED && atomic_load(&g->is_cut_off);
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
      pg_format_duration(limit, sizeof limit, g->spec->max_handler_time_ns);
      snprintf(g->death, sizeof g->death, "ran past its max_handler_time (%s)",
               limit);
    } else if (is_cut_off && atomic_load(&app->is_timed_out)) {
      char limit[32];
      pg_format_duration(limit, sizeof limit, app->cfg->tests_timeout_ns);
      snprintf(g->death, sizeof g->death,
               "still running when the test's timeout (%s) ran out", limit);
    } else if (is_cut_off) {
      char limit[32];
      pg_format_duration(limit, sizeof limit,
                         app->cfg->manifest->drain_timeout_ns);
      snprintf(g->death, sizeof g->death,
               "still running when drain_timeout (%s) ran out", limit);
    } else {
      snprintf(g->death, sizeof g->death, "%s",
               g->has_trapped ? pg_rt_trap_name(r->code) : "a service exited");
    }
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, name, 0, "died: %s",
                  g->death);
    g->ndeaths++;
  }
  after_end(app, g);
}

/* What follows the end of @p g, whatever ended it: its callers' calls
 * fail, its own are cancelled, its dependents are told, it is released,
 * and may restart. */
static void after_end(pg_app *app, pg_guest *g) {
  const char *name = g->spec->name;
  g->ended_ns = pg_app_now(app);
  if (g->spec->is_program && g->exit_code != 0 && app->first_failure == 0)
    app->first_failure = g->exit_code;
  if (g->spec->is_program)
    app->programs_left--;
  if (g->state == PG_GUEST_DEAD && g->is_up)
    pg_guest_tell_dependents(app, g, PARIGOT_EV_DIED);
  g->is_up = false;
  pg_native_tell_ended(app, g); /* what it held in a built-in is let go */
  /* Calls waiting on it fail now rather than at their deadline; calls it
   * made are over, so their answers, when they come, are dropped. */
  for (uint64_t id = app->calls.base; id < app->calls.next_id; id++) {
    pg_call *c = pg_calls_find(&app->calls, id);
    if (c == NULL || c->is_done)
      continue;
    if (c->callee == g->index) {
      pg_app_fail_call(app, c, PARIGOT_CODE_UNAVAILABLE, "the service died");
    } else if (c->caller == g->index) {
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, name, c->id,
                    "call to %s cancelled: the caller is gone",
                    app->guests[c->callee].spec->name);
      pg_calls_finish(&app->calls, c);
    }
  }
  pg_guest_release(app, g);
  if (g->state == PG_GUEST_DEAD)
    plan_restart(app, g);
  pg_guest_settle_start(app, g);
}

/* Runs a () -> () export of a guest outside the section, which it enters
 * again on return. False when the guest ended in it. */
bool pg_guest_run_entry(pg_app *app, pg_guest *g, const char *entry) {
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

/* Hands @p ev to its guest, which the caller marked busy. */
void pg_guest_deliver(pg_app *app, pg_event *ev) {
  pg_guest *g = &app->guests[ev->guest];
  if (ev->kind == PARIGOT_EV_START) {
    g->is_start_queued = false;
    if (g->state != PG_GUEST_LOADED || app->is_shutting_down)
      return; /* the app ends before it started */
    if (g->is_remote) {
      pg_app_start_remote(app, g);
      return;
    }
    g->state = PG_GUEST_RUNNING;
    if (g->began_ns == 0)
      g->began_ns = pg_app_now(app);
  } else if (g->state != PG_GUEST_RUNNING &&
             !(g->state == PG_GUEST_LOADED && ev->kind == PARIGOT_EV_CALL &&
               pg_guest_serves_early(g))) {
    if (ev->kind == PARIGOT_EV_CALL) {
      pg_call *c = pg_calls_find(&app->calls, ev->call_id);
      if (c != NULL && !c->is_done)
        pg_app_fail_call(app, c, PARIGOT_CODE_UNAVAILABLE,
                         g->state == PG_GUEST_STOPPED ? "the service stopped"
                                                      : "the service died");
    }
    return;
  }
  if (g->native != NULL) { /* host code: no instance, no budget */
    pg_native_deliver(app, g, ev);
    return;
  }
  g->event = ev;
  g->call_id = ev->kind == PARIGOT_EV_CALL ? ev->call_id : 0;
  g->ctx = pg_ctx_ref(ev->ctx);
  pg_abi_deliver(g, ev); /* else the guest calls event_read */
  set_fuel(app, g);
  /* For the pulse's watch on max_handler_time (check_budgets). */
  atomic_store_explicit(
      &g->event_tick,
      atomic_load_explicit(&app->ticks, memory_order_relaxed) + 1,
      memory_order_relaxed);
  pg_guest_run_entry(app, g, "parigot_event");
  atomic_store_explicit(&g->event_tick, 0, memory_order_relaxed);
  g->is_buffer_claimed = false; /* the buffer is free for the next event */
  g->event = NULL;
  g->call_id = 0;
  pg_ctx_unref(app->mem, g->ctx);
  g->ctx = NULL;
}

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
  set_fuel(app, g);
  atomic_store_explicit(
      &g->event_tick,
      atomic_load_explicit(&app->ticks, memory_order_relaxed) + 1,
      memory_order_relaxed);
  bool ok = pg_guest_run_declaration(app, g);
  atomic_store_explicit(&g->event_tick, 0, memory_order_relaxed);
  bool is_same = same_names(exports, nexports, g->exports, g->nexports) &&
                 same_names(requires, nrequires, g->requires, g->nrequires);
  pg_names_free(app->mem, g->exports, g->nexports);
  pg_names_free(app->mem, g->requires, g->nrequires);
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
  pg_guest_release(app, g);
  pg_guest_settle_start(app, g);
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
  int rc = g->native != NULL ? 0 : pg_guest_new_instance(app, g);
  if (rc == 0 && (g->native != NULL || redeclare(app, g))) {
    g->is_start_queued = true;
    rc = pg_app_post(app, g->index, &(pg_event_spec){.kind = PARIGOT_EV_START});
  }
  if (rc != 0) {
    snprintf(g->death, sizeof g->death, "cannot restart: %s",
             parigot_strerror(rc));
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, g->spec->name, 0,
                  "died: %s", g->death);
    g->state = PG_GUEST_DEAD;
    g->is_start_queued = false;
    g->ndeaths++;
    pg_guest_release(app, g);
    pg_guest_settle_start(app, g);
  }
  g->is_busy = false;
  g->worker = NULL;
}

/* The earliest restart to come, if any. */
bool pg_app_next_restart(const pg_app *app, uint64_t *at) {
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
bool pg_app_restart_due(pg_app *app, pg_lockholder *h) {
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

/* After a START: the guest is up, unless it died in its start hook. A
 * restarted service's dependents are told it is back. */
void pg_guest_started(pg_app *app, pg_guest *g) {
  pg_guest_settle_start(app, g);
  if (g->state != PG_GUEST_RUNNING)
    return;
  g->is_up = true;
  if (g->nrestarts == 0)
    return;
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, g->spec->name, 0,
                "back after restart %u of %u", g->nrestarts,
                g->spec->max_restarts);
  pg_guest_tell_dependents(app, g, PARIGOT_EV_RESTARTED);
}

void pg_guest_fail(pg_app *app, pg_guest *g, const char *why) {
  g->state = PG_GUEST_DEAD;
  g->exit_code = 1;
  snprintf(g->death, sizeof g->death, "%s", why);
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, g->spec->name, 0,
                "died: %s", g->death);
  g->ndeaths++;
  after_end(app, g);
}
