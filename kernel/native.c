/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/native.c: services whose code is the host's (parigot/native.h).
 *
 * A native service is a pg_guest with no module and no instance: its kind,
 * found by name among the natives the app was given, declares its exports
 * and requirements at load time, and its events (the same queue, the same
 * order as a guest's) are handed to the kind's functions instead of to a
 * parigot_event export. Its answers and calls go through the same
 * pg_app_respond and pg_app_dispatch as a guest's host calls.
 *
 * Threads: a handler runs on the worker that took the event, the app's
 * lock released as a guest's code runs, and the guest marked busy; what it
 * calls back (pg_native_respond, _dispatch, _log) enters the lock with
 * that worker's holder. From any other thread (a slow call answered
 * later) they enter it as a thread of no worker. Deterministic mode has
 * one thread and no lock.
 */
#include "native.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "lifecycle.h"
#include "load.h"
#include "parigot/abi.h"
#include "parigot/error.h"

struct pg_native {
  pg_guest *g;                /* borrowed: it owns this */
  const pg_native_kind *kind; /* borrowed, constant */
  void *state;                /* the kind's, from start to stop */
  bool is_started;            /* start succeeded, stop not yet run */
  atomic_bool is_in_handler;  /* a worker runs one of its handlers */
  char fail_why[160];         /* pg_native_fail's, until the handler returns */
  bool has_failed;
  bool is_declaring;        /* inside kind.declare */
  uint64_t wake_at;         /* pg_native_wake_at's time; 0: none. Lock */
  pthread_t handler_thread; /* ...this one; set before is_in_handler */
};

static const pg_native_kind *find_kind(const pg_app_config *cfg,
                                       const char *name) {
  for (size_t i = 0; i < cfg->nnatives; i++)
    if (strcmp(cfg->natives[i]->name, name) == 0)
      return cfg->natives[i];
  return NULL;
}

static int copy_names(const pg_mem *mem, const char *const *from, uint32_t n,
                      char ***to, uint32_t *nto) {
  *to = pg_mem_calloc(mem, n + 1, sizeof **to);
  if (*to == NULL)
    return PARIGOT_ENOMEM;
  for (*nto = 0; *nto < n; (*nto)++)
    if (((*to)[*nto] = pg_mem_strdup(mem, from[*nto])) == NULL)
      return PARIGOT_ENOMEM;
  return 0;
}

/* "a, b": the kinds this host has, for the error. */
static void list_kinds(const pg_app_config *cfg, char *out, size_t cap) {
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < cfg->nnatives && n < cap; i++)
    n += (size_t)snprintf(out + n, cap - n, "%s%s", i > 0 ? ", " : "",
                          cfg->natives[i]->name);
  if (cfg->nnatives == 0)
    snprintf(out, cap, "none");
}

/* Every key of the service's config table is one its kind takes. */
static int check_settings(pg_app *app, const pg_guest *g,
                          const pg_native_kind *kind, char *err,
                          size_t err_len) {
  for (size_t i = 0; i < g->spec->nconfig; i++) {
    const pg_manifest_setting *st = &g->spec->config[i];
    bool is_known = false;
    for (uint32_t k = 0; k < kind->nsettings && !is_known; k++)
      is_known = strcmp(kind->settings[k], st->key) == 0;
    if (is_known)
      continue;
    size_t n = (size_t)snprintf(
        err, err_len,
        "%s:%d: service %s: config.%s: %s takes no such setting "
        "(it takes: ",
        app->cfg->manifest->path, st->line, g->spec->name, st->key, kind->name);
    for (uint32_t k = 0; k < kind->nsettings && n < err_len; k++)
      n += (size_t)snprintf(err + n, err_len - n, "%s%s", k ? ", " : "",
                            kind->settings[k]);
    if (n < err_len)
      snprintf(err + n, err_len - n, "%s)", kind->nsettings ? "" : "none");
    return PARIGOT_EINVAL;
  }
  return 0;
}

/* The kind's declare: exports and requirements from its settings. */
static int declare(pg_app *app, pg_native *n, char *err, size_t err_len) {
  char why[512] = "";
  if (n->kind->declare == NULL)
    return 0;
  n->is_declaring = true;
  int rc = n->kind->declare(n, why, sizeof why);
  n->is_declaring = false;
  if (rc == 0)
    return 0;
  snprintf(err, err_len, "%s: service %s: %s", app->cfg->manifest->path,
           n->g->spec->name, why[0] ? why : parigot_strerror(rc));
  return rc < 0 ? rc : PARIGOT_EINVAL;
}

int pg_native_load(pg_app *app, pg_guest *g, char *err, size_t err_len) {
  const pg_native_kind *kind = find_kind(app->cfg, g->spec->native);
  if (kind == NULL) {
    char kinds[512];
    list_kinds(app->cfg, kinds, sizeof kinds);
    snprintf(err, err_len,
             "%s: native = \"%s\": this host has no native service of that "
             "kind (it has: %s)",
             g->spec->name, g->spec->native, kinds);
    return PARIGOT_EINVAL;
  }
  pg_native *n = pg_mem_calloc(app->mem, 1, sizeof *n);
  if (n == NULL)
    return PARIGOT_ENOMEM;
  n->g = g;
  n->kind = kind;
  g->native = n;
  int rc = copy_names(app->mem, kind->exports, kind->nexports, &g->exports,
                      &g->nexports);
  if (rc == 0)
    rc = copy_names(app->mem, kind->requires, kind->nrequires, &g->requires,
                    &g->nrequires);
  if (rc == 0 && kind->descriptors_len > 0) {
    if ((g->fds = pg_mem_malloc(app->mem, kind->descriptors_len)) == NULL)
      rc = PARIGOT_ENOMEM;
    else
      memcpy(g->fds, kind->descriptors, kind->descriptors_len);
    g->nfds = g->fds != NULL ? kind->descriptors_len : 0;
  }
  if (rc != 0) {
    snprintf(err, err_len, "%s: out of memory", g->spec->name);
    return rc;
  }
  if ((rc = check_settings(app, g, kind, err, err_len)) != 0)
    return rc;
  return declare(app, n, err, err_len);
}

/* The CALL's fields, from its bytes in the ABI's layout. */
static pg_native_call call_of(const pg_event *ev) {
  parigot_event_header h;
  memcpy(&h, ev->bytes, sizeof h);
  const char *p = (const char *)ev->bytes + PARIGOT_EV_HEADER_SIZE;
  return (pg_native_call){.id = h.call_id,
                          .service = h.service,
                          .method = p,
                          .method_len = h.method_len,
                          .caller = p + h.method_len,
                          .caller_len = h.caller_len,
                          .req =
                              (const uint8_t *)p + h.method_len + h.caller_len,
                          .req_len = h.payload_len,
                          .deadline_ns = h.deadline_ns};
}

static pg_native_answer answer_of(const pg_event *ev) {
  parigot_event_header h;
  memcpy(&h, ev->bytes, sizeof h);
  const uint8_t *p = ev->bytes + PARIGOT_EV_HEADER_SIZE;
  return (pg_native_answer){.id = h.call_id,
                            .status = h.status,
                            .app_error = h.app_error,
                            .body = p + h.method_len + h.caller_len,
                            .len = h.payload_len};
}

static void enter_handler(pg_app *app, pg_native *n) {
  n->handler_thread = pthread_self();
  atomic_store_explicit(&n->is_in_handler, true, memory_order_release);
  pg_app_leave(app, n->g->worker);
}

static void leave_handler(pg_app *app, pg_native *n) {
  pg_app_enter(app, n->g->worker);
  atomic_store_explicit(&n->is_in_handler, false, memory_order_relaxed);
}

/* START: the kind's start, outside the lock; a failure is a death. */
static void start(pg_app *app, pg_guest *g) {
  pg_native *n = g->native;
  char why[sizeof g->death] = "";
  enter_handler(app, n);
  int rc = n->kind->start(n, &n->state, why, sizeof why);
  leave_handler(app, n);
  if (rc == 0) {
    n->is_started = true;
    return;
  }
  app->nwakes -= n->wake_at != 0; /* asked for by a start that failed */
  n->wake_at = 0;
  if (why[0] == '\0')
    snprintf(why, sizeof why, "its start failed: %s", parigot_strerror(rc));
  pg_guest_fail(app, g, why);
}

static void stop(pg_app *app, pg_native *n) {
  app->nwakes -= n->wake_at != 0; /* a stopped service wakes no more */
  n->wake_at = 0;
  if (!n->is_started)
    return;
  n->is_started = false;
  if (n->kind->stop == NULL)
    return;
  enter_handler(app, n);
  n->kind->stop(n, n->state);
  leave_handler(app, n);
}

/* A handler that called pg_native_fail: the service dies now. */
static void settle_failure(pg_app *app, pg_guest *g) {
  pg_native *n = g->native;
  if (!n->has_failed)
    return;
  n->has_failed = false;
  if (g->state != PG_GUEST_RUNNING)
    return;     /* its start failed as well: dead already */
  stop(app, n); /* its state goes with it, outside the lock as ever */
  pg_guest_fail(app, g, n->fail_why);
}

void pg_native_deliver(pg_app *app, pg_guest *g, const pg_event *ev) {
  pg_native *n = g->native;
  g->call_id = ev->kind == PARIGOT_EV_CALL ? ev->call_id : 0;
  g->ctx = pg_ctx_ref(ev->ctx);
  if (ev->kind == PARIGOT_EV_START) {
    start(app, g);
  } else if (ev->kind == PARIGOT_EV_CALL && n->is_started) {
    pg_native_call c = call_of(ev);
    enter_handler(app, n);
    n->kind->call(n, n->state, &c);
    leave_handler(app, n);
  } else if (ev->kind == PARIGOT_EV_RESPONSE && n->kind->answered != NULL) {
    pg_native_answer a = answer_of(ev);
    enter_handler(app, n);
    n->kind->answered(n, n->state, &a);
    leave_handler(app, n);
  } else if (ev->kind == PG_NATIVE_EV_WAKE && n->is_started) {
    uint64_t now = pg_app_now(app);
    enter_handler(app, n);
    n->kind->wake(n, n->state, now);
    leave_handler(app, n);
  } else if (ev->kind == PG_NATIVE_EV_ENDED && n->is_started) {
    pg_native_call c = call_of(ev);
    char name[PARIGOT_ABI_NAME_MAX + 1];
    snprintf(name, sizeof name, "%.*s", (int)c.caller_len, c.caller);
    enter_handler(app, n);
    n->kind->caller_ended(n, n->state, name);
    leave_handler(app, n);
  } else if (ev->kind == PARIGOT_EV_STOP) {
    stop(app, n);
  }
  g->call_id = 0;
  pg_ctx_unref(app->mem, g->ctx);
  g->ctx = NULL;
  settle_failure(app, g);
}

void pg_native_free(pg_app *app, pg_guest *g) {
  pg_native *n = g->native;
  if (n == NULL)
    return;
  if (n->is_started && n->kind->stop != NULL) /* never sent its STOP */
    n->kind->stop(n, n->state);
  pg_mem_free(app->mem, n);
  g->native = NULL;
}

/* The holder to enter the app's lock with: the worker's, from inside one
 * of this service's handlers on that worker; else none. */
static pg_lockholder *holder(const pg_native *n) {
  if (atomic_load_explicit(&n->is_in_handler, memory_order_acquire) &&
      pthread_equal(n->handler_thread, pthread_self()))
    return n->g->worker;
  return NULL;
}

int pg_native_respond(pg_native *n, uint64_t id, uint32_t status,
                      int32_t app_error, const void *body, size_t len) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  if (len > UINT32_MAX)
    return PARIGOT_ETOOBIG;
  pg_app_enter(app, h);
  int rc =
      pg_app_respond(app, n->g, id, status, app_error, body, (uint32_t)len);
  if (h == NULL)
    app->wants_wake = true; /* no worker posted it: wake one */
  pg_app_leave(app, h);
  return rc;
}

int pg_native_dispatch(pg_native *n, uint32_t req, const char *method,
                       const void *body, size_t len, uint64_t timeout_ns,
                       uint64_t *id) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  size_t mlen = strlen(method);
  if (len > UINT32_MAX || mlen > PARIGOT_ABI_NAME_MAX)
    return PARIGOT_ETOOBIG;
  pg_app_enter(app, h);
  int rc = pg_app_dispatch(app, n->g, req, method, (uint32_t)mlen, body,
                           (uint32_t)len, timeout_ns, id);
  if (h == NULL)
    app->wants_wake = true;
  pg_app_leave(app, h);
  return rc;
}

void pg_native_log(pg_native *n, int level, const char *msg) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  if (level < PG_LOG_DEBUG || level > PG_LOG_ERROR)
    level = PG_LOG_ERROR;
  pg_app_enter(app, h);
  uint64_t call = h != NULL || app->cfg->is_deterministic ? n->g->call_id : 0;
  pg_log_write(&app->log, pg_app_now(app), (pg_log_level)level,
               n->g->spec->name, call, msg, strlen(msg));
  pg_app_leave(app, h);
}

uint64_t pg_native_now(pg_native *n) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  pg_app_enter(app, h);
  uint64_t now = pg_app_now(app);
  pg_app_leave(app, h);
  return now;
}

size_t pg_native_max_message_size(const pg_native *n) {
  return (size_t)n->g->app->cfg->manifest->max_message_size;
}

const char *pg_native_name(const pg_native *n) {
  return n->g->spec->name;
}

int pg_native_fail(pg_native *n, const char *why) {
  if (!atomic_load_explicit(&n->is_in_handler, memory_order_acquire) ||
      !pthread_equal(n->handler_thread, pthread_self()))
    return PARIGOT_EINVAL;
  snprintf(n->fail_why, sizeof n->fail_why, "%s", why);
  n->has_failed = true;
  return 0;
}

bool pg_native_is_deterministic(const pg_native *n) {
  return n->g->app->cfg->is_deterministic;
}

const char *pg_native_setting(const pg_native *n, const char *key) {
  const pg_manifest_guest *s = n->g->spec;
  for (size_t i = 0; i < s->nconfig; i++)
    if (strcmp(s->config[i].key, key) == 0)
      return s->config[i].value;
  return NULL;
}

int pg_native_path(const pg_native *n, const char *path, char *out,
                   size_t cap) {
  const char *mpath = n->g->app->cfg->manifest->path;
  const char *slash = strrchr(mpath, '/');
  char cwd[PATH_MAX];
  int len;
  if (path[0] == '/')
    len = snprintf(out, cap, "%s", path);
  else if (slash != NULL && mpath[0] == '/')
    len = snprintf(out, cap, "%.*s/%s", (int)(slash - mpath), mpath, path);
  else if (getcwd(cwd, sizeof cwd) == NULL)
    return PARIGOT_ETOOBIG;
  else if (slash != NULL)
    len = snprintf(out, cap, "%s/%.*s/%s", cwd, (int)(slash - mpath), mpath,
                   path);
  else
    len = snprintf(out, cap, "%s/%s", cwd, path);
  return len >= 0 && (size_t)len < cap ? 0 : PARIGOT_ETOOBIG;
}

int pg_native_export(pg_native *n, const char *service, const void *descriptors,
                     size_t len) {
  pg_guest *g = n->g;
  if (!n->is_declaring)
    return PARIGOT_EINVAL;
  int rc = pg_names_add(g->app->mem, &g->exports, &g->nexports, service,
                        strlen(service));
  if (rc != 0 || len == 0)
    return rc;
  /* FileDescriptorSets concatenate: `repeated file = 1`. */
  uint8_t *fds = pg_mem_malloc(g->app->mem, g->nfds + len);
  if (fds == NULL)
    return PARIGOT_ENOMEM;
  if (g->nfds > 0)
    memcpy(fds, g->fds, g->nfds);
  memcpy(fds + g->nfds, descriptors, len);
  pg_mem_free(g->app->mem, g->fds);
  g->fds = fds;
  g->nfds += len;
  return 0;
}

int pg_native_require(pg_native *n, const char *service) {
  pg_guest *g = n->g;
  if (!n->is_declaring)
    return PARIGOT_EINVAL;
  return pg_names_add(g->app->mem, &g->requires, &g->nrequires, service,
                      strlen(service));
}

int pg_native_wake_at(pg_native *n, uint64_t at_ns) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  if (n->kind->wake == NULL)
    return PARIGOT_EINVAL;
  pg_app_enter(app, h);
  app->nwakes += (at_ns != 0) - (n->wake_at != 0);
  n->wake_at = at_ns;
  if (h == NULL)
    app->wants_wake = true; /* a sleeping worker recomputes its wait */
  pg_app_leave(app, h);
  return 0;
}

bool pg_native_next_wake(const pg_app *app, uint64_t *at) {
  bool any = false;
  if (app->nwakes == 0)
    return false;
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_native *n = app->guests[i].native;
    if (n != NULL && n->wake_at != 0 && (!any || n->wake_at < *at)) {
      *at = n->wake_at;
      any = true;
    }
  }
  return any;
}

bool pg_native_fire_wakes(pg_app *app) {
  bool any = false;
  if (app->nwakes == 0)
    return false;
  uint64_t now = pg_app_now(app);
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_native *n = app->guests[i].native;
    if (n == NULL || n->wake_at == 0 || n->wake_at > now)
      continue;
    n->wake_at = 0;
    app->nwakes--;
    pg_event_spec e = {.kind = PG_NATIVE_EV_WAKE};
    any |= pg_app_post(app, i, &e) == 0;
  }
  return any;
}

void pg_native_tell_ended(pg_app *app, const pg_guest *g) {
  const char *name = g->spec->name;
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_native *n = app->guests[i].native;
    if (n == NULL || n->kind->caller_ended == NULL || &app->guests[i] == g ||
        !n->is_started)
      continue;
    pg_event_spec e = {.kind = PG_NATIVE_EV_ENDED,
                       .caller = name,
                       .caller_len = (uint32_t)strlen(name)};
    pg_app_post(app, i, &e); /* out of memory: its timeouts still hold */
  }
}

int pg_native_inject_fault(pg_native *n, const pg_native_fault *f, char *why,
                           size_t why_cap) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  pg_app_enter(app, h);
  int rc = pg_faults_add(app, f, why, why_cap);
  pg_app_leave(app, h);
  return rc;
}

/* Ends @p g now: a native one stops first, so its state goes with it. */
void pg_guest_kill(pg_app *app, pg_guest *g, const char *reason, bool by_test) {
  if (g->is_busy) { /* on another worker: when its event ends */
    snprintf(g->kill_why, sizeof g->kill_why, "%s", reason);
    g->is_kill_by_test = by_test;
    return;
  }
  if (g->state != PG_GUEST_RUNNING && g->state != PG_GUEST_LOADED)
    return;
  if (g->native != NULL)
    stop(app, g->native);
  g->nkills += by_test;
  pg_guest_fail(app, g, reason);
}

int pg_native_kill(pg_native *n, const char *guest, const char *reason,
                   char *why, size_t why_cap) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  int rc = PARIGOT_ENOENT;
  pg_app_enter(app, h);
  snprintf(why, why_cap, "%s is not a guest of this unit", guest);
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    if (strcmp(g->spec->name, guest) != 0 || g->is_remote)
      continue;
    rc = PARIGOT_EINVAL;
    if (g->spec->is_program)
      snprintf(why, why_cap, "%s is a program: only a service is killed",
               guest);
    else if (g == n->g)
      snprintf(why, why_cap, "%s cannot kill itself", guest);
    else
      rc = 0;
    if (rc == 0)
      pg_guest_kill(app, g, reason, true);
    break;
  }
  pg_app_leave(app, h);
  return rc;
}

/* The index of unit @p name in the manifest, or -1. */
static long unit_index(const pg_app *app, const char *name) {
  const pg_manifest *m = app->cfg->manifest;
  for (size_t u = 0; u < m->nunits; u++)
    if (strcmp(m->units[u].name, name) == 0)
      return (long)u;
  return -1;
}

int pg_native_set_link(pg_native *n, const char *from, const char *to,
                       int state, uint64_t delay_ns, char *why,
                       size_t why_cap) {
  pg_app *app = n->g->app;
  pg_lockholder *h = holder(n);
  pg_app_enter(app, h);
  long f = unit_index(app, from), t = unit_index(app, to);
  int rc = 0;
  if (app->transport == NULL || app->transport->ops->set_link == NULL) {
    rc = PARIGOT_ENOTSUP;
    snprintf(why, why_cap,
             "links are set only between the units of an app run in one "
             "process (parigot test of a manifest with [[unit]]s)");
  } else if (f < 0 || t < 0) {
    rc = PARIGOT_ENOENT;
    snprintf(why, why_cap, "the app has no unit %s", f < 0 ? from : to);
  } else if ((rc = app->transport->ops->set_link(app->transport, (uint32_t)f,
                                                 (uint32_t)t, state,
                                                 delay_ns)) != 0) {
    snprintf(why, why_cap,
             "from %s to %s: a link joins two units, its state is OK, CUT, "
             "DROP or DELAY, and a delay needs delay_ns",
             from, to);
  }
  pg_app_leave(app, h);
  return rc;
}
