/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/wire_transport.c: pg_wire behind the kernel's transport interface.
 *
 * A thin adapter: the kernel's ops become pg_wire_* calls, and pg_wire's
 * callbacks (on the wire's thread) become the kernel's events, with the
 * parameters gathered into the interface's structs. It also builds the
 * JSON transcoder (pbjson) from the unit's descriptors, which only the
 * wire needs. Owns its pg_wire and a copy of the peers' addresses.
 */
#include "wire_transport.h"

#include <stdio.h>
#include <string.h>

#include "parigot/error.h"
#include "pbjson.h"
#include "wire.h"

typedef struct wire_transport {
  pg_transport base;     /* first: the kernel holds a pg_transport * */
  pg_wire *wire;         /* owned */
  pg_wire_peer *peers;   /* owned, npeers */
  pg_wire_route *routes; /* owned, nroutes */
  pg_transport_events ev;
  const pg_mem *mem;
} wire_transport;

static wire_transport *of(pg_transport *t) {
  return (wire_transport *)t;
}

static uint32_t call_cb(void *user, const pg_wire_call_in *in, uint64_t *id,
                        char *why, size_t why_cap) {
  wire_transport *w = user;
  pg_transport_call_in c = {.service = in->service,
                            .service_len = in->service_len,
                            .method = in->method,
                            .method_len = in->method_len,
                            .req = in->req,
                            .req_len = in->req_len,
                            .timeout_ns = in->timeout_ns,
                            .is_from_peer = in->is_from_peer,
                            .caller = in->caller,
                            .origin = in->origin,
                            .ctx = {in->ctx.user_id, in->ctx.user_name,
                                    in->ctx.user_roles, in->ctx.traceparent},
                            .is_route = in->is_route};
  return w->ev.call(w->ev.user, &c, id, why, why_cap);
}

static void cancel_cb(void *user, uint64_t id) {
  wire_transport *w = user;
  w->ev.cancel(w->ev.user, id);
}

static void log_cb(void *user, int level, const char *msg) {
  wire_transport *w = user;
  w->ev.log(w->ev.user, level, msg);
}

static void answered_cb(void *user, uint64_t id, uint32_t status,
                        int32_t app_error, const uint8_t *body, size_t len) {
  wire_transport *w = user;
  pg_transport_answer a = {id, status, app_error, body, len};
  w->ev.answered(w->ev.user, &a);
}

static void peer_state_cb(void *user, uint32_t peer, bool is_up,
                          const char *why) {
  wire_transport *w = user;
  w->ev.peer_state(w->ev.user, peer, is_up, why);
}

static int set_types(pg_transport *t, const uint8_t *fds, size_t len, char *err,
                     size_t err_len) {
  pg_pbjson *types;
  int rc = pg_pbjson_new(&types, fds, len, of(t)->mem, err, err_len);
  if (rc == 0)
    pg_wire_set_types(of(t)->wire, types);
  return rc;
}

static uint16_t port(const pg_transport *t) {
  return pg_wire_port(((const wire_transport *)t)->wire);
}

static void serve(pg_transport *t) {
  pg_wire_accept(of(t)->wire);
}

static void reply(pg_transport *t, const pg_transport_answer *a) {
  pg_wire_reply(of(t)->wire, a->id, a->status, a->app_error, a->body, a->len);
}

static void connect_peer(pg_transport *t, uint32_t peer) {
  pg_wire_connect(of(t)->wire, peer);
}

/* A context string, "" for NULL. */
static const char *str(const char *s) {
  return s != NULL ? s : "";
}

static int call(pg_transport *t, const pg_transport_call_out *c) {
  pg_wire_ctx ctx = {str(c->ctx.user_id), str(c->ctx.user_name),
                     str(c->ctx.user_roles), str(c->ctx.traceparent)};
  return pg_wire_call(of(t)->wire, c->peer, c->id, c->service, c->method,
                      c->method_len, c->req, c->req_len, c->timeout_ns,
                      c->caller, &ctx);
}

static void free_transport(pg_transport *t) {
  if (t == NULL)
    return;
  wire_transport *w = of(t);
  pg_wire_free(w->wire);
  pg_mem_free(w->mem, w->peers);
  pg_mem_free(w->mem, w->routes);
  pg_mem_free(w->mem, w);
}

static const pg_transport_ops wire_ops = {
    set_types,    port, serve,          reply,
    connect_peer, call, free_transport, NULL /* no set_link: a real network */};

static int open_wire(const pg_transport_kind *kind,
                     const pg_transport_config *cfg,
                     const pg_transport_events *ev, const pg_mem *mem,
                     pg_transport **out, char *err, size_t err_len) {
  (void)kind;
  wire_transport *w = pg_mem_calloc(mem, 1, sizeof *w);
  if (w == NULL ||
      (w->peers = pg_mem_calloc(mem, cfg->npeers + 1, sizeof *w->peers)) ==
          NULL ||
      (w->routes = pg_mem_calloc(mem, cfg->nroutes + 1, sizeof *w->routes)) ==
          NULL) {
    if (w != NULL)
      pg_mem_free(mem, w->peers);
    pg_mem_free(mem, w);
    snprintf(err, err_len, "out of memory");
    return PARIGOT_ENOMEM;
  }
  w->base.ops = &wire_ops;
  w->ev = *ev;
  w->mem = mem;
  for (uint32_t i = 0; i < cfg->npeers; i++)
    w->peers[i] = (pg_wire_peer){cfg->peers[i].unit, cfg->peers[i].host,
                                 cfg->peers[i].port};
  for (uint32_t i = 0; i < cfg->nroutes; i++) {
    const pg_transport_route *r = &cfg->routes[i];
    w->routes[i] =
        (pg_wire_route){r->path, r->methods, r->service,     r->method,
                        r->dir,  r->index,   r->needs_login, r->roles};
  }
  pg_wire_config wc = {.unit = cfg->unit,
                       .host = cfg->host,
                       .port = cfg->port,
                       .peers = w->peers,
                       .npeers = cfg->npeers,
                       .max_message_size = cfg->max_message_size,
                       .request_timeout_ns = cfg->request_timeout_ns,
                       .secret = cfg->secret,
                       .secret_len = cfg->secret_len,
                       .routes = w->routes,
                       .nroutes = cfg->nroutes,
                       .users = cfg->auth.users,
                       .groups = cfg->auth.groups,
                       .realm = cfg->auth.realm};
  pg_wire_app wa = {call_cb, cancel_cb, log_cb, answered_cb, peer_state_cb, w};
  int rc = pg_wire_new(&w->wire, &wc, &wa, mem, err, err_len);
  if (rc != 0) {
    pg_mem_free(mem, w->peers);
    pg_mem_free(mem, w->routes);
    pg_mem_free(mem, w);
    return rc;
  }
  *out = &w->base;
  return 0;
}

const pg_transport_kind pg_wire_transport_kind = {.name = "wire",
                                                  .is_deterministic = false,
                                                  .needs_addresses = true,
                                                  .open = open_wire};
