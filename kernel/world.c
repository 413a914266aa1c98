/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/world.c: every unit of an app in one process, each its own app
 * (its own guests, calls, log lines), their calls crossing the loopback
 * transport (loopback.h) exactly where a network would carry them.
 *
 * One thread drives them all, deterministically: each round delivers the
 * messages the units sent, then gives every unit one step of its loop, in
 * the order the units start in (a unit after the units it calls). The
 * units share one virtual clock: a unit's clock never falls behind it,
 * and when every unit is idle and no message moves, it jumps to the next
 * time anything is due in any of them. A unit with programs ends when its
 * programs have; once every such unit has, the others are stopped one at
 * a time, dependents first, as `parigot up` stops them; when nothing can
 * happen any more while programs still run, each such unit is stuck. A
 * stop signal stops the units the same way, one at a time.
 * The exit status is up's: the first non-zero status of a unit with
 * programs, else that of any unit, else 0.
 */
#include "world.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "appstate.h"
#include "loopback.h"
#include "scheduler.h"
#include "stop.h"
#include "parigot/error.h"

typedef struct world_unit {
  pg_app_config cfg;
  pg_app *app;     /* owned until closed */
  pg_pulse *pulse; /* owned, or NULL */
  uint32_t index;  /* in the manifest */
  bool has_programs;
  bool is_done;
} world_unit;

typedef struct world {
  world_unit *units; /* in start order */
  uint32_t nunits;
  pg_loopback *lb;
  uint64_t now_ns; /* the shared virtual clock */
  const pg_app_config *cfg;
  int signal; /* the stop signal, once it came (never reset) */
} world;

/* One step of unit @p u on the shared clock; true if it did something. */
static bool step(world *w, world_unit *u) {
  pg_app *app = u->app;
  if (app->now_ns < w->now_ns)
    app->now_ns = w->now_ns;
  pg_app_step_result r = pg_app_step(app, NULL);
  if (app->now_ns > w->now_ns)
    w->now_ns = app->now_ns;
  if (r == PG_STEP_DONE) {
    u->is_done = true;
    pg_loopback_close_unit(w->lb, u->index);
  }
  return r != PG_STEP_IDLE;
}

/* The earliest time anything is due in any unit, in *at. */
static bool next_time(world *w, uint64_t *at) {
  bool any = pg_loopback_next_due(w->lb, at);
  for (uint32_t k = 0; k < w->nunits; k++) {
    uint64_t t;
    if (!w->units[k].is_done && pg_app_next_time(w->units[k].app, &t) &&
        (!any || t < *at)) {
      *at = t;
      any = true;
    }
  }
  return any;
}

/* Stops the next unit still running, dependents first, once the one
 * stopped before it is done: as parigot up stops its units. Programs a
 * signal stops fail the app with 128 + the signal, as a shell reports. */
static void stop_next(world *w, const char *why) {
  for (uint32_t k = w->nunits; k-- > 0;) {
    world_unit *u = &w->units[k];
    if (u->is_done)
      continue;
    if (u->app->is_shutting_down)
      return; /* wait for it */
    if (w->signal != 0 && u->app->programs_left > 0 &&
        u->app->first_failure == 0)
      u->app->first_failure = 128 + w->signal;
    pg_app_stop_now(u->app, why);
    return;
  }
}

/* Nothing moves and nothing is due: units whose programs still run are
 * stuck; else the next unit is stopped; an app of services alone waits
 * for a signal. False once every unit is done. */
static bool settle(world *w) {
  bool any_left = false, any_stuck = false;
  for (uint32_t k = 0; k < w->nunits; k++) {
    world_unit *u = &w->units[k];
    any_left |= !u->is_done;
    if (!u->is_done && u->app->programs_left > 0 && !u->app->is_shutting_down) {
      pg_app_stuck(u->app);
      any_stuck = true;
    }
  }
  if (!any_left || any_stuck || w->signal != 0)
    return any_left; /* a signal stops them (pass_signal) */
  /* Services alone wait for a signal, as one app of them does. */
  bool waits = w->cfg->stop_signal != NULL && !w->cfg->run_tests;
  for (uint32_t k = 0; k < w->nunits; k++)
    waits &= !w->units[k].has_programs;
  if (!waits) {
    stop_next(w, "the units with programs have ended");
  } else {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return true;
}

/* A stop signal stops the units one at a time, as the end does. */
static void pass_signal(world *w) {
  const volatile sig_atomic_t *sig = w->cfg->stop_signal;
  if (w->signal == 0 && sig != NULL && *sig != 0)
    w->signal = *sig;
  if (w->signal != 0)
    stop_next(w, w->signal == SIGINT    ? "SIGINT"
                 : w->signal == SIGTERM ? "SIGTERM"
                                        : "a signal");
}

static void run(world *w) {
  for (;;) {
    pass_signal(w);
    bool moved = pg_loopback_deliver(w->lb, w->now_ns);
    bool any_left = false;
    for (uint32_t k = 0; k < w->nunits; k++) {
      if (w->units[k].is_done)
        continue;
      any_left = true;
      moved |= step(w, &w->units[k]);
    }
    if (!any_left)
      return;
    uint64_t at;
    if (moved)
      continue;
    if (next_time(w, &at)) {
      w->now_ns = at > w->now_ns ? at : w->now_ns;
      continue;
    }
    if (!settle(w))
      return;
  }
}

/* Opens every unit in start order; false with @p err on the first that
 * fails. */
static int open_units(world *w, const pg_mem *mem, const uint32_t *order,
                      pg_app_program_result *results, char *err,
                      size_t err_len) {
  const pg_manifest *m = w->cfg->manifest;
  int width = 0;
  for (size_t i = 0; i < m->nunits; i++)
    if ((int)strlen(m->units[i].name) > width)
      width = (int)strlen(m->units[i].name);
  for (uint32_t k = 0; k < w->nunits; k++) {
    world_unit *u = &w->units[k];
    const pg_manifest_unit *spec = &m->units[order[k]];
    if (spec->serves != NULL) {
      snprintf(err, err_len,
               "unit %s is outside parigot: it cannot run in "
               "this process (run the app's units with parigot up)",
               spec->name);
      return PARIGOT_EINVAL;
    }
    u->index = order[k];
    u->cfg = *w->cfg;
    u->cfg.unit = spec;
    u->cfg.transport = pg_loopback_kind(w->lb);
    u->cfg.log_unit_width = width;
    u->cfg.results = results;
    u->cfg.stop_signal = NULL; /* the world passes it on, in order */
    int rc = pg_app_open(&u->cfg, mem, &u->app, err, err_len);
    if (rc == 0)
      rc = pg_app_pulse_new(u->app, &u->pulse, err, err_len);
    if (rc != 0)
      return rc;
    u->has_programs = u->app->programs_left > 0;
    /* A unit of services serves until it is stopped, as under up. */
    u->app->serves_until_stopped = !u->has_programs;
    for (uint32_t i = 0; i < u->app->nguests; i++)
      results +=
          u->app->guests[i].spec->is_program && !u->app->guests[i].is_remote;
  }
  return 0;
}

/* Closes every unit opened, in reverse start order; up's exit status. */
static int close_units(world *w) {
  int status = 0, any = 0;
  size_t total = 0;
  for (uint32_t k = w->nunits; k-- > 0;) {
    world_unit *u = &w->units[k];
    if (u->app == NULL)
      continue;
    pg_pulse_free(u->pulse);
    size_t n = 0;
    u->cfg.nresults = &n;
    int s = pg_app_close(u->app);
    total += n;
    if (u->has_programs && s != 0 && status == 0)
      status = s;
    if (s != 0 && any == 0)
      any = s;
  }
  if (w->cfg->nresults != NULL)
    *w->cfg->nresults = total;
  return status != 0 ? status : any;
}

int pg_world_run(const pg_app_config *cfg, const pg_mem *mem, int *exit_code,
                 char *err, size_t err_len) {
  const pg_manifest *m = cfg->manifest;
  uint32_t n = (uint32_t)m->nunits;
  world w = {.nunits = n, .cfg = cfg};
  uint32_t *order = pg_mem_calloc(mem, n + 1, sizeof *order);
  w.units = pg_mem_calloc(mem, n + 1, sizeof *w.units);
  int rc = order && w.units ? 0 : PARIGOT_ENOMEM;
  if (rc == 0)
    rc = pg_loopback_new(&w.lb, n, mem);
  if (rc == 0 && cfg->explores_schedule)
    pg_loopback_explore(w.lb, cfg->seed);
  if (rc == 0)
    rc = pg_app_unit_order(cfg, mem, order, err, err_len);
  if (rc == 0)
    rc = open_units(&w, mem, order, cfg->results, err, err_len);
  if (rc == 0)
    run(&w);
  if (w.units != NULL) {
    int status = close_units(&w);
    if (rc == 0)
      *exit_code = status;
  }
  if (rc == PARIGOT_ENOMEM)
    snprintf(err, err_len, "out of memory");
  pg_loopback_free(w.lb);
  pg_mem_free(mem, w.units);
  pg_mem_free(mem, order);
  return rc;
}
