/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/app.c: an app from its set-up to its end, and the pieces every
 * other part of the kernel shares: the app's clock and lock sections, and
 * the end of a call (its answer, or its failure).
 *
 * pg_app_run sets the app up (every guest of this unit, and the services
 * of the other units, which stand in for them), loads and declares its
 * guests (load.c), plans the start (the graph), opens the transport
 * (remote.c), runs the scheduler (sched.c) until the app's end (stop.c),
 * and sums up. Owns the app state (appstate.h) for the duration.
 */
#include "app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi.h"
#include "access.h"
#include "doors.h"
#include "appstate.h"
#include "event.h"
#include "explore.h"
#include "faults.h"
#include "lifecycle.h"
#include "load.h"
#include "native.h"
#include "remote.h"
#include "scheduler.h"
#include "world.h"
#include "parigot/error.h"

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

int pg_app_answer(pg_app *app, pg_call *call, const pg_event_spec *e) {
  if (call->caller != PG_CALLER_OUTSIDE) {
    pg_event_spec with_ctx = *e; /* its continuation is for the same user */
    with_ctx.ctx = call->ctx;
    return pg_app_post(app, call->caller, &with_ctx);
  }
  pg_transport_answer a = {call->id, e->status, e->app_error, e->payload,
                           e->payload_len};
  app->transport->ops->reply(app->transport, &a);
  return 0;
}

/* Who made @p call, for the log. */
static const char *caller_name(const pg_app *app, const pg_call *call) {
  return call->caller == PG_CALLER_OUTSIDE
             ? app->cfg->transport->name
             : app->guests[call->caller].spec->name;
}

/* " (front's call 12)" for a call another unit made, else "". */
const char *pg_app_origin_note(const pg_app *app, const pg_call *call,
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
  pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, caller_name(app, call),
                call->id, "call to %s failed: %s%s",
                app->guests[call->callee].spec->name, why,
                pg_app_origin_note(app, call, note, sizeof note));
  pg_guest *callee = &app->guests[call->callee];
  if (status == PARIGOT_CODE_UNAVAILABLE && callee->ndeaths > 0 &&
      !callee->is_up)
    callee->calls_failed++; /* for the summary */
  pg_event_spec e = {.kind = PARIGOT_EV_RESPONSE,
                     .status = status,
                     .call_id = call->id,
                     .payload = why,
                     .payload_len = (uint32_t)strlen(why)};
  if ((call->caller == PG_CALLER_OUTSIDE ||
       app->guests[call->caller].state == PG_GUEST_RUNNING) &&
      pg_app_answer(app, call, &e) != 0)
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, "kernel", call->id,
                  "out of memory: the caller is not told");
  pg_calls_finish(&app->calls, call);
}

int pg_app_dispatch(pg_app *app, pg_guest *g, uint32_t handle,
                    const char *method, uint32_t method_len, const void *req,
                    uint32_t req_len, uint64_t timeout_ns, uint64_t *id) {
  if (g->is_declaring || handle >= g->nrequires)
    return PARIGOT_EINVAL;
  if (req_len > app->cfg->manifest->max_message_size)
    return PARIGOT_ETOOBIG;
  pg_guest *callee = &app->guests[g->providers[handle]];
  uint64_t now = pg_app_now(app);
  uint64_t t = timeout_ns ? timeout_ns : app->cfg->manifest->deadline_ns;
  uint64_t deadline = t > UINT64_MAX - now ? UINT64_MAX : now + t;
  pg_call *call;
  int rc =
      pg_calls_start(&app->calls, g->index, callee->index, deadline, &call);
  if (rc != 0)
    return rc;
  *id = call->id;
  call->ctx = pg_ctx_ref(g->ctx);
  char why[PG_ACCESS_WHY_SIZE];
  uint32_t code = pg_access_check(callee->spec, call->ctx, why, sizeof why);
  if (code != PARIGOT_CODE_OK) {
    pg_app_fail_call(app, call, code, why);
    return 0;
  }
  const pg_fault *f =
      app->nfaults > 0
          ? pg_faults_hit(app, callee->exports[g->provider_exports[handle]],
                          method, method_len)
          : NULL;
  if (f != NULL && f->action == PG_NATIVE_FAULT_FAIL) {
    pg_app_fail_call(app, call, f->code, f->message);
    return 0;
  }
  if (f != NULL && f->action == PG_NATIVE_FAULT_KILL && callee != g &&
      !callee->is_remote)
    pg_guest_kill(app, callee, "killed by a fault the test injected", true);
  if (!pg_guest_takes_calls(callee)) {
    pg_app_fail_call(app, call, PARIGOT_CODE_UNAVAILABLE,
                     "callee is not running");
  } else if (callee->is_remote) {
    pg_app_call_out(app, callee, call, g->provider_exports[handle], method,
                    method_len, req, req_len, g->spec->name);
  } else if ((rc = pg_app_post(
                  app, callee->index,
                  &(pg_event_spec){.kind = PARIGOT_EV_CALL,
                                   .call_id = call->id,
                                   .deadline_ns = deadline,
                                   .service = g->provider_exports[handle],
                                   .method = method,
                                   .method_len = method_len,
                                   .caller = g->spec->name,
                                   .caller_len = g->name_len,
                                   .payload = req,
                                   .payload_len = req_len,
                                   .delay_ns = f != NULL ? f->delay_ns : 0,
                                   .ctx = call->ctx})) != 0) {
    pg_calls_finish(&app->calls, call);
    return rc;
  }
  return 0;
}

int pg_app_respond(pg_app *app, pg_guest *g, uint64_t id, uint32_t status,
                   int32_t app_error, const void *body, uint32_t len) {
  if (status > PARIGOT_CODE_MAX)
    return PARIGOT_EINVAL;
  pg_call *call = pg_calls_find(&app->calls, id);
  const pg_call *ended = call ? call : pg_calls_recall(&app->calls, id);
  if (ended == NULL && !pg_calls_was_issued(&app->calls, id))
    return PARIGOT_ENOENT;
  if (ended != NULL && (ended->callee != g->index || ended->is_answered))
    return PARIGOT_ENOENT; /* not this guest's to answer, or answered */
  /* The deterministic clock may pass a deadline within this event, between
   * the loop's checks. (In parallel mode the pulse ends the call: an answer
   * that beats it by less than a tick is taken, and no clock is read.) */
  if (call != NULL && !call->is_done && app->cfg->is_deterministic &&
      pg_app_now(app) >= call->deadline_ns)
    pg_app_fail_call(app, call, PARIGOT_CODE_DEADLINE_EXCEEDED,
                     "deadline exceeded");
  if (call == NULL || call->is_done) { /* the kernel ended it, or forgotten */
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, g->spec->name, id,
                  "response after the call ended (deadline passed or caller "
                  "gone): dropped");
    return PARIGOT_ECANCELED;
  }
  if (len > app->cfg->manifest->max_message_size) {
    /* Ended here, as the caller cannot take it: else it would wait for an
     * answer that never comes until its deadline. */
    char why[128];
    snprintf(why, sizeof why,
             "response of %u bytes is over max_message_size (%llu)",
             (unsigned)len,
             (unsigned long long)app->cfg->manifest->max_message_size);
    pg_app_fail_call(app, call, PARIGOT_CODE_RESOURCE_EXHAUSTED, why);
    return PARIGOT_ETOOBIG;
  }
  int rc = pg_app_answer(app, call,
                         &(pg_event_spec){.kind = PARIGOT_EV_RESPONSE,
                                          .status = status,
                                          .call_id = id,
                                          .app_error = app_error,
                                          .payload = body,
                                          .payload_len = len});
  if (rc != 0)
    return rc;
  call->is_answered = true;
  pg_calls_finish(&app->calls, call);
  return 0;
}

static bool is_local(const pg_app_config *cfg, const pg_manifest_guest *s) {
  return cfg->unit == NULL || &cfg->manifest->units[s->unit] == cfg->unit;
}

/* This unit's guests, and the services of the others, which stand in
 * for them (is_remote): declared here, so that the app's whole graph is
 * checked, then called through the transport. */
static bool is_picked_test(const pg_app_config *cfg,
                           const pg_manifest_guest *s) {
  if (cfg->tests == NULL)
    return true;
  for (size_t i = 0; i < cfg->ntests; i++)
    if (strcmp(cfg->tests[i], s->name) == 0)
      return true;
  return false;
}

/* Whether a test that runs mocks service @p s: then the test's own
 * exports answer in its place, and @p s is not run. */
static bool is_mocked(const pg_app_config *cfg, const pg_manifest_guest *s) {
  const pg_manifest *m = cfg->manifest;
  if (!cfg->run_tests)
    return false;
  for (size_t i = 0; i < m->nguests; i++) {
    const pg_manifest_guest *t = &m->guests[i];
    if (!t->is_test || !is_picked_test(cfg, t))
      continue;
    for (size_t k = 0; k < t->nmocks; k++)
      if (strcmp(t->mocks[k], s->name) == 0)
        return true;
  }
  return false;
}

static bool selected(const pg_app_config *cfg, const pg_manifest_guest *s) {
  if (!is_local(cfg, s))
    return !s->is_program;
  if (!s->is_program)
    return !is_mocked(cfg, s);
  return s->is_test == cfg->run_tests &&
         (!s->is_test || is_picked_test(cfg, s));
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

/* Whether the app names a service "parigot-test" or one of the test kind:
 * then it has its own. */
static bool has_testkit(const pg_manifest *m) {
  for (size_t i = 0; i < m->nguests; i++)
    if (strcmp(m->guests[i].name, PG_APP_TESTKIT_NAME) == 0 ||
        (m->guests[i].native != NULL &&
         strcmp(m->guests[i].native, PG_APP_TESTKIT_KIND) == 0))
      return true;
  return false;
}

/* parigot test's own service, beside the tests of this unit: the kind
 * PG_APP_TESTKIT_KIND of the host (Sleep, faults), unless the host lacks
 * it or the manifest has one. */
static void add_testkit(pg_app *app) {
  const pg_app_config *cfg = app->cfg;
  const pg_manifest_guest *test = NULL;
  for (uint32_t i = 0; i < app->nguests && test == NULL; i++)
    if (app->guests[i].spec->is_test && !app->guests[i].is_remote)
      test = app->guests[i].spec;
  bool has_kind = false;
  for (size_t k = 0; k < cfg->nnatives; k++)
    has_kind |= strcmp(cfg->natives[k]->name, PG_APP_TESTKIT_KIND) == 0;
  if (!cfg->run_tests || test == NULL || !has_kind ||
      has_testkit(cfg->manifest))
    return;
  app->testkit = (pg_manifest_guest){.name = (char *)PG_APP_TESTKIT_NAME,
                                     .native = (char *)PG_APP_TESTKIT_KIND,
                                     .max_memory = test->max_memory,
                                     .unit = test->unit};
  pg_guest *g = &app->guests[app->nguests];
  g->app = app;
  g->index = app->nguests++;
  g->spec = &app->testkit;
  g->name_len = (uint32_t)strlen(g->spec->name);
  g->peer = g->spec->unit;
  atomic_fetch_add(&app->nstarting, 1);
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
  if (cfg->log_unit_width > 0 && cfg->unit != NULL)
    pg_log_set_unit(&app->log, cfg->unit->name, cfg->log_unit_width);
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
  app->guests =
      pg_mem_calloc(mem, m->nguests + nexternal + 2, sizeof *app->guests);
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
                              app->programs_left == 0 && app->nguests > 0;
  add_testkit(app);
  return add_external(app);
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
    pg_names_free(app->mem, g->exports, g->nexports);
    pg_names_free(app->mem, g->requires, g->nrequires);
    pg_mem_free(app->mem, g->providers);
    pg_mem_free(app->mem, g->dependents);
    pg_mem_free(app->mem, g->fds);
    pg_mem_free(app->mem, g->provider_exports);
    pg_native_free(app, g);
  }
  pg_event_free_all(app);
  pg_explore_free(app);
  pg_faults_free(app);
  if (app->transport != NULL) /* it served nothing: nobody holds the lock */
    app->transport->ops->free(app->transport);
  pg_mem_free(app->mem, app->peers);
  pg_doors_free(app);
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
    has_service_died |= !g->spec->is_program && g->ndeaths > g->nkills;
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

/* A service @p g requires that died while the app ran, other than by a
 * test's own doing (Kill, an injected fault), or NULL. */
static const pg_guest *dead_provider(const pg_app *app, const pg_guest *g) {
  for (uint32_t r = 0; g->providers != NULL && r < g->nrequires; r++) {
    const pg_guest *p = &app->guests[g->providers[r]];
    if (p->ndeaths > p->nkills) /* a death the test caused is expected */
      return p;
  }
  return NULL;
}

/* Why program @p g did not pass, or "" when it did: it exited with 0 and
 * every service it requires lived. */
static void verdict(const pg_app *app, const pg_guest *g, char *why,
                    size_t cap) {
  const pg_guest *p = dead_provider(app, g);
  why[0] = '\0';
  if (g->state == PG_GUEST_EXITED && g->exit_code != 0)
    snprintf(why, cap, "exited with status %d", g->exit_code);
  else if (g->state == PG_GUEST_DEAD)
    snprintf(why, cap, "died: %s", g->death);
  else if (g->state == PG_GUEST_LOADED)
    snprintf(why, cap, "never started: %s",
             app->was_startup_late
                 ? "a service it requires missed its startup_timeout"
                 : "the app ended first");
  else if (g->state != PG_GUEST_EXITED)
    snprintf(why, cap, "did not exit: %s",
             app->is_stuck ? "nothing was left to happen (stuck)"
             : atomic_load(&app->is_timed_out) ? "it ran past its timeout"
                                               : "the app was stopped first");
  else if (p != NULL)
    snprintf(why, cap, "service %s, which it requires, died: %s", p->spec->name,
             p->death);
  size_t n = strlen(why);
  if (n > 0 && g->last_error[0] != '\0' && n + 2 < cap)
    snprintf(why + n, cap - n, ": %s", g->last_error);
}

static void report(pg_app *app, const pg_app_config *cfg) {
  if (cfg->results == NULL || cfg->nresults == NULL)
    return;
  size_t n = 0;
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_guest *g = &app->guests[i];
    if (!g->spec->is_program)
      continue;
    pg_app_program_result *r = &cfg->results[n++];
    *r = (pg_app_program_result){g->spec->name,
                                 g->exit_code,
                                 g->has_trapped,
                                 g->state != PG_GUEST_LOADED,
                                 "",
                                 0};
    verdict(app, g, r->why, sizeof r->why);
    uint64_t end = g->ended_ns != 0 ? g->ended_ns : pg_app_now(app);
    r->ran_ns = g->began_ns != 0 && end > g->began_ns ? end - g->began_ns : 0;
  }
  *cfg->nresults = n;
}

/* Sets the app up and lets every guest declare itself: all of an app but
 * its start. The app must be freed (app_free) whatever this returns. */
static int app_prepare(pg_app *app, const pg_app_config *cfg, const pg_mem *mem,
                       char *err, size_t err_len) {
  int rc = app_init(app, cfg, mem, err, err_len);
  for (uint32_t i = 0; rc == 0 && i < app->nguests; i++)
    rc = pg_guest_load(app, &app->guests[i], err, err_len);
  for (uint32_t i = 0; rc == 0 && i < app->nguests; i++)
    rc = pg_guest_declare(app, &app->guests[i], err, err_len);
  for (uint32_t i = 0; rc == 0 && i < app->nguests; i++)
    if (app->guests[i].is_remote)
      pg_guest_release(app, &app->guests[i]); /* its unit runs it */
  if (rc == 0 && cfg->is_deterministic)
    rc = pg_explore_init(app);
  return rc;
}

int pg_app_open(const pg_app_config *cfg, const pg_mem *mem, pg_app **out,
                char *err, size_t err_len) {
  pg_app *app = pg_mem_malloc(mem, sizeof *app);
  if (app == NULL) {
    snprintf(err, err_len, "out of memory");
    return PARIGOT_ENOMEM;
  }
  int rc = app_prepare(app, cfg, mem, err, err_len);
  if (rc == 0)
    rc = pg_app_plan_start(app, err, err_len);
  if (rc == 0)
    rc = pg_app_open_transport(app, err, err_len);
  if (rc != 0) {
    app_free(app);
    pg_mem_free(mem, app);
    return rc;
  }
  pg_app_settle_remotes(app);
  if (app->transport != NULL && atomic_load(&app->nstarting) == 0)
    pg_app_serve(app); /* no service to wait for */
  /* The clock starts with the guests, not with their compilation. */
  app->start_real_ns = real_ns();
  if (!cfg->is_deterministic)
    app->now_ns = 0;
  pg_app_leave(app, NULL);
  *out = app;
  return 0;
}

int pg_app_close(pg_app *app) {
  if (app->transport != NULL) /* its thread may wait for the lock */
    app->transport->ops->free(app->transport);
  app->transport = NULL;
  pg_app_enter(app, NULL);
  summarize(app);
  int exit_code = app->first_failure;
  report(app, app->cfg);
  const pg_mem *mem = app->mem;
  app_free(app);
  pg_mem_free(mem, app);
  return exit_code;
}

int pg_app_run(const pg_app_config *cfg, const pg_mem *mem, int *exit_code,
               char *err, size_t err_len) {
  if (cfg->is_deterministic && cfg->unit == NULL && cfg->manifest->nunits > 1)
    return pg_world_run(cfg, mem, exit_code, err, err_len);
  pg_app *app;
  int rc = pg_app_open(cfg, mem, &app, err, err_len);
  if (rc != 0)
    return rc;
  rc = pg_app_loop(app, err, err_len);
  int status = pg_app_close(app);
  if (rc == 0)
    *exit_code = status;
  return rc;
}

/* Depth first from each unit, in manifest order: a unit goes after the
 * units it calls. @p calls is nunits x nunits. */
static void visit_unit(const bool *calls, uint32_t n, uint32_t u, uint8_t *mark,
                       uint32_t *order, uint32_t *len) {
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
    rc = pg_app_plan_start(&app, err, err_len); /* the graph's checks */
  bool *calls = pg_mem_calloc(mem, (size_t)n * n + 1, sizeof *calls);
  uint8_t *mark = pg_mem_calloc(mem, n + 1, sizeof *mark);
  if (rc == 0 && (calls == NULL || mark == NULL))
    rc = PARIGOT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < app.nguests; i++) {
    const pg_guest *g = &app.guests[i];
    for (uint32_t r = 0; r < g->nrequires; r++)
      calls[g->spec->unit * n + app.guests[g->providers[r]].spec->unit] = true;
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
  pg_graph_node *nodes = rc == 0 ? pg_app_graph_nodes(&app) : NULL;
  bool *is_program = pg_mem_calloc(mem, app.nguests + 1, sizeof *is_program);
  if (rc == 0 && (nodes == NULL || is_program == NULL))
    rc = PARIGOT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < app.nguests; i++)
    is_program[i] = app.guests[i].spec->is_program;
  if (rc == 0 && (rc = pg_graph_write_dot(nodes, app.nguests, is_program,
                                          cfg->manifest->name, out, mem)) != 0)
    snprintf(err, err_len, "cannot write the graph: %s", parigot_strerror(rc));
  pg_mem_free(mem, nodes);
  pg_mem_free(mem, is_program);
  app_free(&app);
  return rc;
}
