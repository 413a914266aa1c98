/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/stop.c: the app's end. When the programs are done, a stop signal
 * comes, or startup_timeout passes (the log then names each service not
 * started and what it waits for), every running guest is sent STOP once
 * nothing running requires it, dependents first, and is stopped when its
 * STOP handler returned and its calls were answered. drain_timeout bounds
 * the whole stop: when it runs out the log names who was left, and a
 * guest still running code is interrupted.
 */
#include "stop.h"

#include <string.h>

#include "clock.h"
#include "lifecycle.h"
#include "parigot/error.h"

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
static const pg_guest *running_dependent(const pg_app *app, const pg_guest *p) {
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
void pg_app_begin_shutdown(pg_app *app) {
  uint64_t t = app->cfg->manifest->drain_timeout_ns;
  app->is_shutting_down = true;
  app->serves_until_stopped = false;
  app->drain_deadline_ns =
      app->now_ns > UINT64_MAX - t ? UINT64_MAX : app->now_ns + t;
  atomic_store(&app->drain_deadline_host_ns, pg_clock_host_monotonic_ns() + t);
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
      pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, g->spec->name, 0,
                    "stopped");
      pg_guest_release(app, g);
      continue;
    }
    is_over = false;
    if (g->is_stop_sent || running_dependent(app, g) != NULL)
      continue;
    g->is_stop_sent = true;
    if (pg_app_post(app, g->index, &(pg_event_spec){.kind = PARIGOT_EV_STOP}))
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
  pg_format_duration(limit, sizeof limit, app->cfg->manifest->drain_timeout_ns);
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
                "stopped: %s",
                limit, line);
}

/* True once the stop is over: every guest stopped, or drain_timeout ran
 * out. */
bool pg_app_shutdown_over(pg_app *app) {
  if (shutdown_step(app))
    return true;
  if (!is_drain_late(app))
    return false;
  drain_late(app);
  return true;
}

/* "b (waits for a, c)", "a (starting)": why a service has not started. */
static void describe_unstarted(const pg_app *app, const pg_guest *g, char *out,
                               size_t cap) {
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
  const pg_transport_peer *u = g->is_remote ? &app->peers[g->peer] : NULL;
  if (n < cap && *sep == 'w' && u != NULL && u->host != NULL)
    snprintf(out + n, cap - n, "waits for unit %s at %s:%u)", u->unit, u->host,
             u->port);
  else if (n < cap && *sep == 'w' && u != NULL)
    snprintf(out + n, cap - n, "waits for unit %s)", u->unit);
  else if (n < cap)
    snprintf(out + n, cap - n, "%s)",
             *sep != 'w'                       ? ""
             : g->state == PG_GUEST_RESTARTING ? "restarting"
                                               : "starting");
}

/* startup_timeout passed with services not started: the run fails, and
 * the log names each of them and what it still waits for. */
static void startup_late(pg_app *app) {
  char line[1024], limit[32];
  size_t n = 0;
  pg_format_duration(limit, sizeof limit,
                     app->cfg->manifest->startup_timeout_ns);
  for (uint32_t i = 0; i < app->nguests && n < sizeof line; i++) {
    const pg_guest *g = &app->guests[i];
    if (g->spec->is_program || g->is_started)
      continue;
    char one[256];
    describe_unstarted(app, g, one, sizeof one);
    n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", n > 0 ? ", " : "",
                          one);
  }
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                "start-up took longer than its startup_timeout (%s); not "
                "started: %s",
                limit, line);
  app->was_startup_late = true;
  if (app->first_failure == 0)
    app->first_failure = PG_APP_EXIT_STARTUP;
  pg_app_begin_shutdown(app);
}

/* A stop signal: the app stops as when its programs have ended; programs
 * still running are stopped too, and make it fail with 128 + the signal,
 * as a shell reports them. */
static void stop(pg_app *app) {
  if (atomic_load(&app->is_timed_out)) { /* the tests' time is up */
    char limit[32];
    pg_format_duration(limit, sizeof limit, app->cfg->tests_timeout_ns);
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                  "stopping: the test ran past its timeout (%s)", limit);
    if (app->first_failure == 0)
      app->first_failure = 1;
    pg_app_begin_shutdown(app);
    return;
  }
  int sig = *app->cfg->stop_signal;
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, "kernel", 0,
                "stopping: %s",
                sig == SIGINT    ? "SIGINT"
                : sig == SIGTERM ? "SIGTERM"
                                 : "a signal");
  if (app->programs_left > 0 && app->first_failure == 0)
    app->first_failure = 128 + sig;
  pg_app_begin_shutdown(app);
}

void pg_app_stop_now(pg_app *app, const char *why) {
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, "kernel", 0,
                "stopping: %s", why);
  pg_app_begin_shutdown(app);
}

/* Whether the app must begin to end: a stop signal, startup_timeout, or
 * the last program gone. True when it just began. */
bool pg_app_is_ending(pg_app *app) {
  if (atomic_load_explicit(&app->is_stopping, memory_order_relaxed))
    stop(app);
  else if (atomic_load_explicit(&app->nstarting, memory_order_relaxed) > 0 &&
           (app->cfg->is_deterministic
                ? app->now_ns >= app->cfg->manifest->startup_timeout_ns
                : atomic_load_explicit(&app->is_startup_late,
                                       memory_order_relaxed)))
    startup_late(app);
  else if (app->programs_left == 0 && !app->serves_until_stopped)
    pg_app_begin_shutdown(app);
  return app->is_shutting_down;
}
