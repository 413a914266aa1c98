/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/remote.c: a unit among the units of its app. The kernel knows no
 * socket: everything here goes through the transport the app was handed
 * (parigot/transport.h). Calls that come in become calls from outside
 * (PG_CALLER_OUTSIDE) to the local service that exports them; a guest's
 * call to a remote service, one that stands for a service of another unit,
 * goes out through the transport and its answer comes back as a RESPONSE.
 * A remote service starts when its unit serves, dies for its dependents
 * when the unit goes, and comes back with it. The transport's events come
 * from its own thread, each in a section of the app's lock.
 */
#include "remote.h"

#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "doors.h"
#include "health.h"
#include "lifecycle.h"
#include "parigot/error.h"

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
  char err[256];
  pg_transport *t = app->transport;
  if (t->ops->set_types(t, all, n, err, sizeof err) != 0)
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN, "kernel", 0,
                  "no JSON for unit %s: its message types do not load: %s",
                  app->cfg->unit->name, err);
  pg_mem_free(app->mem, all);
}

static bool has_local_service(const pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++)
    if (!app->guests[i].is_remote && !app->guests[i].spec->is_program)
      return true;
  return false;
}

/* The unit's port takes connections from now on; the line says where
 * (the port, when the manifest let the kernel pick one). */
void pg_app_serve(pg_app *app) {
  const pg_manifest_unit *u = app->cfg->unit;
  pg_transport *t = app->transport;
  if (u == NULL ||
      (u->listen_host == NULL &&
       (app->cfg->transport->needs_addresses || !has_local_service(app))))
    return; /* it only calls out */
  set_types(app);
  if (app->cfg->transport->needs_addresses)
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, "kernel", 0,
                  "unit %s serves on %s:%u", u->name, u->listen_host,
                  t->ops->port(t));
  else
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, "kernel", 0,
                  "unit %s serves", u->name);
  t->ops->serve(t);
}

/* A remote service starts when its unit serves: at once if the transport
 * already said so, else once it does (peer_state_in). */
void pg_app_start_remote(pg_app *app, pg_guest *g) {
  if (app->is_peer_up[g->peer]) {
    g->state = PG_GUEST_RUNNING;
    return;
  }
  g->is_connecting = true;
  app->nconnecting++;
  app->transport->ops->connect(app->transport, g->peer);
}

/* Remote services that no guest of this unit requires stand idle: never
 * connected to, and started at once, so that nothing waits on them (and
 * two units that each serve the other's dependents do not wait on each
 * other's start). */
void pg_app_settle_remotes(pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    bool is_needed = false;
    for (uint32_t d = 0; g->is_remote && d < g->ndependents; d++)
      is_needed |= !app->guests[g->dependents[d].guest].is_remote;
    if (!g->is_remote || is_needed)
      continue;
    g->state = PG_GUEST_RUNNING;
    g->is_start_queued = false;
    pg_guest_settle_start(app, g);
  }
}

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

/* A health check, answered at once: a call that ends as it starts. */
static uint32_t health_in(pg_app *app, const pg_transport_call_in *c,
                          uint64_t *id, char *why, size_t why_cap) {
  uint8_t out[2];
  size_t len = 0;
  pg_call *call;
  uint32_t status = pg_health_answer(app, c->method, c->method_len, c->req,
                                     c->req_len, out, &len, why, why_cap);
  if (status != PARIGOT_CODE_OK)
    return status;
  if (pg_calls_start(&app->calls, PG_CALLER_OUTSIDE, 0, UINT64_MAX, &call) !=
      0) {
    snprintf(why, why_cap, "out of memory");
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  *id = call->id;
  pg_transport_answer a = {.id = call->id, .body = out, .len = len};
  app->transport->ops->reply(app->transport, &a);
  pg_calls_finish(&app->calls, call);
  return PARIGOT_CODE_OK;
}

/* Who may make a call in: a unit of the app that proved it is one (it
 * signed the call) calls any service, anyone else only public ones; and
 * the callee's login and roles hold for every caller. */
static uint32_t may_call_in(const pg_app *app, const pg_transport_call_in *c,
                            const pg_guest *g, const pg_ctx *ctx, char *why,
                            size_t why_cap) {
  if (!c->is_from_peer && !c->is_route && !g->spec->is_public) {
    snprintf(why, why_cap,
             "%.*s of unit %s is not public: only the units of app %s may "
             "call it",
             (int)c->service_len, c->service, app->cfg->unit->name,
             app->cfg->manifest->name);
    return PARIGOT_CODE_PERMISSION_DENIED;
  }
  return pg_access_check(g->spec, ctx, why, why_cap);
}

/* Starts the call and queues its CALL event; the call takes @p ctx. */
static uint32_t start_in(pg_app *app, const pg_transport_call_in *c,
                         pg_guest *g, uint32_t export, pg_ctx *ctx,
                         uint64_t *id, char *why, size_t why_cap) {
  uint64_t now = pg_app_now(app);
  uint64_t t = c->timeout_ns ? c->timeout_ns : app->cfg->manifest->deadline_ns;
  pg_call *call;
  if (pg_calls_start(&app->calls, PG_CALLER_OUTSIDE, g->index,
                     t > UINT64_MAX - now ? UINT64_MAX : now + t, &call) != 0) {
    pg_ctx_unref(app->mem, ctx);
    snprintf(why, why_cap, "out of memory");
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  call->ctx = ctx;
  if (pg_app_post(app, g->index,
                  &(pg_event_spec){.kind = PARIGOT_EV_CALL,
                                   .call_id = call->id,
                                   .deadline_ns = call->deadline_ns,
                                   .service = export,
                                   .method = c->method,
                                   .method_len = (uint32_t)c->method_len,
                                   .caller = c->caller,
                                   .caller_len = (uint32_t)strlen(c->caller),
                                   .payload = c->req,
                                   .payload_len = (uint32_t)c->req_len,
                                   .ctx = ctx}) != 0) {
    pg_calls_finish(&app->calls, call);
    snprintf(why, why_cap, "out of memory");
    return PARIGOT_CODE_RESOURCE_EXHAUSTED;
  }
  *id = call->id;
  if (c->is_from_peer)
    set_origin(app, call, c->origin);
  app->wants_wake = true; /* no worker posted it: wake one */
  return PARIGOT_CODE_OK;
}

/* pg_transport_events.call: a request from another unit or an outside
 * client becomes a call, as a guest's dispatch makes one, with the
 * transport as its caller and the context the transport carried. */
static uint32_t call_in(void *user, const pg_transport_call_in *c, uint64_t *id,
                        char *why, size_t why_cap) {
  pg_app *app = user;
  uint32_t status, export;
  pg_ctx *ctx = NULL;
  pg_app_enter(app, NULL);
  pg_guest *g = exporter(app, c->service, c->service_len, &export);
  if (g == NULL && pg_health_is_service(c->service, c->service_len)) {
    status = health_in(app, c, id, why, why_cap);
  } else if (g == NULL) {
    status = PARIGOT_CODE_UNIMPLEMENTED;
    snprintf(why, why_cap, "unit %s serves no service %.*s",
             app->cfg->unit->name, (int)c->service_len, c->service);
  } else if (app->is_shutting_down || !pg_guest_takes_calls(g)) {
    status = PARIGOT_CODE_UNAVAILABLE;
    snprintf(why, why_cap, "%s is not running", g->spec->name);
  } else if (pg_ctx_from_transport(app->mem, &c->ctx, &ctx) != 0) {
    status = PARIGOT_CODE_INVALID_ARGUMENT;
    snprintf(why, why_cap, "malformed user or trace context");
  } else if ((status = may_call_in(app, c, g, ctx, why, why_cap)) !=
             PARIGOT_CODE_OK) {
    pg_ctx_unref(app->mem, ctx);
  } else {
    status = start_in(app, c, g, export, ctx, id, why, why_cap);
  }
  pg_app_leave(app, NULL);
  return status;
}

/* pg_transport_events.cancel: the client is gone; its answer is not wanted. */
static void cancel_in(void *user, uint64_t id) {
  pg_app *app = user;
  pg_app_enter(app, NULL);
  pg_call *call = pg_calls_find(&app->calls, id);
  if (call != NULL && !call->is_done && call->caller == PG_CALLER_OUTSIDE) {
    char note[96];
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_WARN,
                  app->cfg->transport->name, id,
                  "call to %s cancelled: the client is gone%s",
                  app->guests[call->callee].spec->name,
                  pg_app_origin_note(app, call, note, sizeof note));
    pg_calls_finish(&app->calls, call);
  }
  pg_app_leave(app, NULL);
}

static void log_in(void *user, int level, const char *msg) {
  pg_app *app = user;
  pg_app_enter(app, NULL);
  pg_log_printf(&app->log, pg_app_now(app), (pg_log_level)level,
                app->cfg->transport->name, 0, "%s", msg);
  pg_app_leave(app, NULL);
}

void pg_app_call_out(pg_app *app, pg_guest *callee, pg_call *call,
                     uint32_t export, const char *method, uint32_t method_len,
                     const void *req, uint32_t req_len, const char *caller) {
  uint64_t now = pg_app_now(app);
  pg_transport_call_out c = {
      .peer = callee->peer,
      .id = call->id,
      .service = callee->exports[export],
      .method = method,
      .method_len = method_len,
      .req = req,
      .req_len = req_len,
      .timeout_ns = call->deadline_ns > now ? call->deadline_ns - now : 1,
      .caller = caller};
  char tp[PG_CTX_TRACEPARENT_SIZE];
  pg_ctx_to_transport(call->ctx, tp, &c.ctx);
  if (app->transport->ops->call(app->transport, &c) != 0)
    pg_app_fail_call(app, call, PARIGOT_CODE_RESOURCE_EXHAUSTED,
                     "out of memory");
}

/* pg_transport_events.answered: the other unit's answer, as a RESPONSE
 * to the guest that called; dropped when the call ended first. */
static void answered_in(void *user, const pg_transport_answer *a) {
  pg_app *app = user;
  uint64_t id = a->id;
  uint32_t status = a->status;
  pg_app_enter(app, NULL);
  pg_call *call = pg_calls_find(&app->calls, id);
  pg_event_spec e = {.kind = PARIGOT_EV_RESPONSE,
                     .status = status,
                     .call_id = id,
                     .app_error = a->app_error,
                     .payload = a->body,
                     .payload_len = (uint32_t)a->len};
  if (status == PARIGOT_CODE_DEADLINE_EXCEEDED) { /* the caller's deadline, */
    e.payload = "deadline exceeded";              /* in the kernel's words, */
    e.payload_len = 17;                           /* wherever it fired */
  }
  if (call != NULL && !call->is_done) {
    if (status == PARIGOT_CODE_UNAVAILABLE) /* its unit went: for the summary */
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
static void peer_went(pg_app *app, pg_guest *g, bool is_up, const char *why) {
  const pg_transport_peer *u = &app->peers[g->peer];
  if (is_up && g->is_connecting && g->state == PG_GUEST_LOADED) {
    g->is_connecting = false;
    app->nconnecting--;
    g->state = PG_GUEST_RUNNING;
    pg_guest_started(app, g);
  } else if (is_up && g->state == PG_GUEST_DEAD && g->is_started) {
    app->nconnecting--;
    g->state = PG_GUEST_RUNNING;
    g->is_up = true;
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_INFO, g->spec->name, 0,
                  "back: unit %s serves again", u->unit);
    pg_guest_tell_dependents(app, g, PARIGOT_EV_RESTARTED);
  } else if (!is_up && g->state == PG_GUEST_RUNNING) {
    if (app->is_shutting_down) { /* no loss: the app is ending */
      g->state = PG_GUEST_STOPPED;
      return;
    }
    snprintf(g->death, sizeof g->death, "unit %s is unreachable: %s", u->unit,
             why);
    pg_log_printf(&app->log, pg_app_now(app), PG_LOG_ERROR, g->spec->name, 0,
                  "died: %s", g->death);
    g->state = PG_GUEST_DEAD;
    g->is_up = false;
    g->ndeaths++;
    app->nconnecting++; /* the transport tries it again */
    pg_guest_tell_dependents(app, g, PARIGOT_EV_DIED);
  }
}

/* pg_transport_events.peer_state: every service of that unit follows it. */
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
      const pg_transport_peer *u = &app->peers[p->peer];
      if (g->is_remote)
        continue;
      if (u->host == NULL || u->port == 0) {
        snprintf(err, err_len,
                 "%s requires %s, which %s serves in unit %s; "
                 "that unit needs a listen address %s",
                 g->spec->name, g->requires[p->dependents[d].req],
                 p -> spec -> name, u -> unit,
                 u -> host == NULL ? "(it has none)"
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

/* The unit's transport, when it listens or calls other units. Its port
 * is bound now, so that a taken port fails the run before anything
 * starts; it serves once every service has started. */
int pg_app_open_transport(pg_app *app, char *err, size_t err_len) {
  const pg_manifest_unit *u = app->cfg->unit;
  const pg_manifest *m = app->cfg->manifest;
  const pg_transport_kind *kind = app->cfg->transport;
  const char *host = u != NULL ? u->listen_host : NULL;
  const char *name = u != NULL ? u->name : m->name;
  /* Over the loopback a unit of services serves with no address. */
  bool is_reached = u != NULL && kind != NULL && !kind->needs_addresses &&
                    has_local_service(app);
  if (host == NULL && !has_remote(app) && !is_reached)
    return 0;
  if (kind == NULL) {
    snprintf(err, err_len,
             "%s talks to other units, and this run has no "
             "transport to reach them",
             name);
    return PARIGOT_EINVAL;
  }
  if (app->cfg->is_deterministic && !kind->is_deterministic) {
    snprintf(err, err_len,
             "%s talks over the network, which cannot run "
             "deterministically",
             name);
    return PARIGOT_EINVAL;
  }
  app->peers = pg_mem_calloc(app->mem, m->nunits, sizeof *app->peers);
  app->is_peer_up = pg_mem_calloc(app->mem, m->nunits, sizeof *app->is_peer_up);
  if (app->peers == NULL || app->is_peer_up == NULL)
    return PARIGOT_ENOMEM;
  for (size_t i = 0; i < m->nunits; i++)
    app->peers[i] = (pg_transport_peer){
        m->units[i].name, m->units[i].listen_host, m->units[i].listen_port};
  int rc = kind->needs_addresses ? check_peers(app, err, err_len) : 0;
  if (rc != 0)
    return rc;
  pg_transport_config tc = {.unit = name,
                            .host = host,
                            .port = u != NULL ? u->listen_port : 0,
                            .peers = app->peers,
                            .npeers = (uint32_t)m->nunits,
                            .max_message_size = m->max_message_size,
                            .request_timeout_ns = m->request_timeout_ns};
  pg_transport_events ev = {call_in,       cancel_in, answered_in,
                            peer_state_in, log_in,    app};
  if ((rc = pg_doors_fill(app, &tc, err, err_len)) != 0)
    return rc;
  return kind->open(kind, &tc, &ev, app->mem, &app->transport, err, err_len);
}
