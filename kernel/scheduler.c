/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/scheduler.c: the scheduler loop.
 *
 * Events wait in a single FIFO (event.c). Each turn the scheduler hands
 * the oldest event whose guest is idle to that guest by running its
 * parigot_event export, with the app's lock released (host functions take
 * it again). In deterministic mode that loop runs on the calling thread
 * alone and fires the deadlines itself: the order of events depends only
 * on what the guests do, and the clock is virtual (1 us per event, jumping
 * to the next deadline when nothing is queued), so runs repeat exactly. In
 * parallel mode one worker per CPU runs the same loop, so different guests
 * run at once; a guest marked busy is never entered by a second worker.
 * There the timing pulse (pulse.h) fires deadlines and wakes a worker for
 * an event left waiting, so workers never read the clock between events;
 * in both modes the pulse stops a guest that runs past its
 * max_handler_time.
 */
#include "scheduler.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "event.h"
#include "lifecycle.h"
#include "native.h"
#include "pulse.h"
#include "stop.h"
#include "parigot/error.h"

#define EVENT_TICK_NS 1000u /* virtual time one event takes */

/* Fails the calls whose deadline passed; true if there was any. */
static bool fire_deadlines(pg_app *app) {
  pg_call *c;
  bool any = false;
  while ((c = pg_calls_pop_expired(&app->calls, pg_app_now(app))) != NULL) {
    pg_app_fail_call(app, c, PARIGOT_CODE_DEADLINE_EXCEEDED,
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

/* The next time something is due: a call's deadline, a restart, a native
 * service's wake-up, the end of drain_timeout. */
bool pg_app_next_time(pg_app *app, uint64_t *at) {
  uint64_t t;
  bool any = pg_calls_next_deadline(&app->calls, at);
  if (pg_app_next_restart(app, &t) && (!any || t < *at)) {
    *at = t;
    any = true;
  }
  if (pg_native_next_wake(app, &t) && (!any || t < *at)) {
    *at = t;
    any = true;
  }
  if (pg_event_next_due(app, &t) && (!any || t < *at)) {
    *at = t;
    any = true;
  }
  if (app->is_shutting_down && (!any || app->drain_deadline_ns < *at)) {
    *at = app->drain_deadline_ns;
    any = true;
  }
  return any;
}

/* Waits (lock held) for something to do; false when nothing can ever
 * happen again. The deterministic loop jumps its clock to the next
 * deadline. A parallel worker sleeps until woken: by a worker that posted
 * or finished an event, or by the pulse when a deadline fires or an event
 * waits. */
static bool wait_for_work(pg_app *app) {
  uint64_t at;
  bool has_deadline = pg_app_next_time(app, &at);
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
  has_fired |= pg_native_fire_wakes(app);
  bool is_stalled = app->ntaken == app->ntaken_at_tick;
  app->ntaken_at_tick = app->ntaken;
  uint64_t at;
  return (app->nqueued > 0 && (has_fired || is_stalled)) ||
         (pg_app_next_restart(app, &at) && at <= pg_app_now(app));
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
    uint64_t event = atomic_load_explicit(&g->event_tick, memory_order_relaxed);
    if (event == 0)
      continue;
    if (event != g->watched_event) { /* a new event: timed from now */
      g->watched_event = event;
      g->watched_since_ns = now;
      continue;
    }
    uint64_t ran = now - g->watched_since_ns;
    /* Deterministic mode meters max_handler_time in fuel (lifecycle.c). */
    if (g->spec->max_handler_time_ns != 0 && !app->cfg->is_deterministic &&
        ran >= g->spec->max_handler_time_ns)
      atomic_store(&g->is_overdue, true);
    else if (is_drain_overrun(app, ran) || atomic_load(&app->is_timed_out))
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
  if (app->cfg->tests_timeout_ns != 0 &&
      pg_clock_host_monotonic_ns() - app->start_real_ns >=
          app->cfg->tests_timeout_ns &&
      !atomic_exchange(&app->is_timed_out, true)) {
    pg_applock_enter(&app->lock, NULL); /* as for a signal, below */
    atomic_store(&app->is_stopping, true);
    pg_applock_leave(&app->lock, NULL);
    pthread_cond_broadcast(&app->wake);
  }
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

pg_app_step_result pg_app_step(pg_app *app, pg_lockholder *h) {
  if (app->cfg->is_deterministic) {
    if (pg_calls_may_expire(&app->calls, app->now_ns))
      fire_deadlines(app);
    pg_native_fire_wakes(app);
  } else if (atomic_load_explicit(&app->is_tick_due, memory_order_relaxed) &&
             atomic_exchange(&app->is_tick_due, false)) {
    tick(app); /* this worker takes what it posts */
  }
  if (!app->is_shutting_down && pg_app_is_ending(app))
    return PG_STEP_RAN;
  if (app->is_shutting_down && pg_app_shutdown_over(app)) {
    app->is_done = true;
    return PG_STEP_DONE;
  }
  if (app->nrestarting > 0 && pg_app_restart_due(app, h))
    return PG_STEP_RAN;
  pg_event *ev = pg_event_take(app);
  if (ev == NULL && pg_applock_is_solo(h)) {
    /* Waiting takes the mutex: look again holding it. */
    pg_app_leave(app, h);
    pg_applock_drop_solo(&app->lock, h);
    pg_app_enter(app, h);
    return PG_STEP_RAN;
  }
  if (ev == NULL)
    return PG_STEP_IDLE;
  /* Alone awake: the sections of this event and the next need no
   * atomic instruction until another thread takes the lock. */
  if (h != NULL && !pg_applock_is_solo(h) && app->nawake == 1)
    pg_applock_make_solo(&app->lock, h);
  pg_guest *g = &app->guests[ev->guest];
  g->is_busy = true;
  g->worker = h;
  if (app->cfg->is_deterministic)
    app->now_ns += EVENT_TICK_NS;
  pg_guest_deliver(app, ev);
  if (ev->kind == PARIGOT_EV_START)
    pg_guest_started(app, g);
  else if (ev->kind == PARIGOT_EV_STOP && g->state == PG_GUEST_RUNNING)
    g->has_stop_returned = true;
  g->is_busy = false;
  g->worker = NULL;
  if (g->kill_why[0] != '\0') { /* a test killed it as it ran */
    char why[sizeof g->kill_why];
    memcpy(why, g->kill_why, sizeof why);
    g->kill_why[0] = '\0';
    pg_guest_kill(app, g, why, g->is_kill_by_test);
  }
  pg_event_free(app, ev);
  /* This worker takes the next event itself; a second one queued (for
   * instance one of this guest's that waited) may go to an idle one. */
  if (app->nworkers > 1 && app->nqueued >= 2)
    app->wants_wake = true;
  return PG_STEP_RAN;
}

void pg_app_stuck(pg_app *app) {
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", 0,
                "stuck: programs are still running but nothing is "
                "left to happen");
  app->is_stuck = true;
  if (app->first_failure == 0)
    app->first_failure = 1;
  pg_app_begin_shutdown(app);
}

/* The scheduler loop of one thread, in a section of the lock; @p h is the
 * thread's holder (NULL in deterministic mode). */
static void work(pg_app *app, pg_lockholder *h) {
  while (!app->is_done)
    if (pg_app_step(app, h) == PG_STEP_IDLE && !wait_for_work(app))
      pg_app_stuck(app);
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
int pg_app_pulse_new(pg_app *app, pg_pulse **out, char *err, size_t err_len) {
  *out = NULL;
  if (app->cfg->is_deterministic && !has_budgets(app) &&
      app->cfg->stop_signal == NULL && app->cfg->tests_timeout_ns == 0)
    return 0;
  int rc = pg_pulse_new(out, app->cfg->manifest->pulse_ns, pulse_tick, app,
                        app->mem);
  if (rc != 0)
    snprintf(err, err_len, "cannot start the timing pulse: %s",
             parigot_strerror(rc));
  return rc;
}

int pg_app_loop(pg_app *app, char *err, size_t err_len) {
  pg_pulse *pulse;
  int rc = pg_app_pulse_new(app, &pulse, err, err_len);
  if (rc != 0)
    return rc;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  uint32_t n = app->cfg->is_deterministic ? 1 : cpus < 1 ? 1 : (uint32_t)cpus;
  if (n > app->nguests && app->nguests > 0) /* no guest: one to end it */
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
