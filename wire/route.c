/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/route.c: plain HTTP on a unit's port: /healthz and /readyz, and the
 * manifest's routes (pg_wire_route), each a guest's method or a directory.
 *
 * Which request is what (server.c's dispatch): /healthz and /readyz on GET
 * or HEAD first; then a gRPC or Connect call (an RPC content type, POST,
 * "/pkg.Service/Method", unless it is Connect's, a route takes that path
 * and the unit's types know no such method); then the route that takes
 * the path: the longest whose path is the request's or a prefix of it
 * ending at a '/' ("/shop" takes "/shop" and "/shop/x", not "/shopping"),
 * among those that allow the method if any does (HEAD wherever GET is);
 * else what the port answered before routes (405, 415).
 *
 * A route that needs a login answers 401 to a request with no user, and
 * 403 to a user with none of its roles, before anything else. A guest's
 * route becomes a call of its method with a parigot.http.v1.Request
 * (encoded here: method, path, query, the headers but authorization and
 * parigot-*, body, route, remote), the user in its context, and the
 * request's deadline (the request_timeout unless the client sent one);
 * the parigot.http.v1.Response it answers is checked (status 100-599,
 * header names tokens, values with no CR, LF or NUL, none of the headers
 * the port writes itself, at most PG_ROUTE_MAX_HEADERS) and written. A
 * failed call is 504 (deadline), 503 (unavailable), 401, 403, 404, or 502.
 * A directory's files are read by wire/static.c on libuv's threads.
 *
 * Owns the routes' pg_static; loop thread, but for the file reads.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "grpc.h"
#include "parigot/error.h"
#include "pbwire.h"
#include "rpc.h"
#include "static.h"
#include "wireint.h"

#define PG_ROUTE_MAX_HEADERS 64

/* ---- health ------------------------------------------------------------- */

static size_t path_only(const pg_wire_stream *s) {
  const char *q = memchr(s->path, '?', s->path_len);
  return q != NULL ? (size_t)(q - s->path) : s->path_len;
}

static bool path_is(const pg_wire_stream *s, const char *want) {
  size_t n = path_only(s);
  return n == strlen(want) && memcmp(s->path, want, n) == 0;
}

bool pg_wire_health(pg_wire_stream *s) {
  pg_wire *w = s->c->w;
  bool is_ready = path_is(s, "/readyz");
  if ((!is_ready && !path_is(s, "/healthz")) ||
      (strcmp(s->method, "GET") != 0 && !s->is_head))
    return false;
  bool ok = !is_ready || w->is_accepting;
  pg_rpc_response r;
  pg_rpc_text(w, &r, ok ? 200 : 503, ok ? "ok" : "not serving yet");
  pg_wire_hdrs_add(w->mem, &r.headers, "cache-control", 13, "no-store", 8);
  pg_wire_stream_send(s, &r);
  return true;
}

/* ---- which route -------------------------------------------------------- */

/* Whether @p list ("GET,POST"; "" or NULL: any) has @p method; HEAD is
 * wherever GET is. */
static bool allows(const char *list, const char *method) {
  if (list == NULL || list[0] == '\0')
    return true;
  size_t n = strlen(method);
  for (const char *p = list; *p != '\0';) {
    size_t k = strcspn(p, ",");
    if ((k == n && memcmp(p, method, n) == 0) ||
        (strcmp(method, "HEAD") == 0 && k == 3 && memcmp(p, "GET", 3) == 0))
      return true;
    p += k + (p[k] == ',');
  }
  return false;
}

/* How much of the request's path @p r takes: its length, or 0. */
static size_t takes(const pg_wire_route *r, const char *path, size_t len) {
  size_t n = strlen(r->path);
  if (n == 0 || n > len || memcmp(r->path, path, n) != 0)
    return 0;
  if (n == len || path[n] == '/' || r->path[n - 1] == '/')
    return n;
  return 0;
}

const pg_wire_route *pg_wire_route_of(const pg_wire *w,
                                      const pg_wire_stream *s) {
  const pg_wire_route *best = NULL, *any = NULL;
  size_t best_n = 0, any_n = 0, len = path_only(s);
  for (uint32_t i = 0; i < w->cfg.nroutes; i++) {
    const pg_wire_route *r = &w->cfg.routes[i];
    size_t n = takes(r, s->path, len);
    if (n > any_n) {
      any = r;
      any_n = n;
    }
    if (n > best_n && allows(r->methods, s->method)) {
      best = r;
      best_n = n;
    }
  }
  return best != NULL ? best : any; /* any: 405 */
}

/* ---- answers ------------------------------------------------------------ */

static void answer(pg_wire_stream *s, int status, const char *text) {
  pg_rpc_response r;
  pg_rpc_text(s->c->w, &r, status, text);
  pg_wire_stream_send(s, &r);
}

/* Whether the comma-joined @p have and @p want share a name. */
static bool shares_role(const char *have, const char *want) {
  for (const char *p = want; *p != '\0';) {
    size_t k = strcspn(p, ",");
    for (const char *q = have; *q != '\0';) {
      size_t m = strcspn(q, ",");
      if (m == k && k > 0 && memcmp(p, q, k) == 0)
        return true;
      q += m + (q[m] == ',');
    }
    p += k + (p[k] == ',');
  }
  return false;
}

/* The HTTP status of a route's call that failed with gRPC @p status. */
static int http_of(uint32_t status) {
  switch (status) {
  case PG_GRPC_DEADLINE_EXCEEDED:
    return 504;
  case PG_GRPC_UNAVAILABLE:
    return 503;
  case PG_GRPC_UNAUTHENTICATED:
    return 401;
  case PG_GRPC_PERMISSION_DENIED:
    return 403;
  case PG_GRPC_NOT_FOUND:
    return 404;
  case PG_GRPC_INVALID_ARGUMENT:
    return 400;
  case PG_GRPC_RESOURCE_EXHAUSTED:
    return 429;
  default:
    return 502;
  }
}

static void failed_call(pg_wire *w, uint32_t status, const char *why,
                        size_t why_len, pg_rpc_response *out) {
  char text[300];
  snprintf(text, sizeof text, "%.*s", (int)(why_len < 256 ? why_len : 256),
           why);
  pg_rpc_text(w, out, http_of(status), text);
}

/* ---- parigot.http.v1.Request -------------------------------------------- */

typedef struct pbw {
  const pg_mem *mem;
  uint8_t *p;
  size_t len, cap;
  bool is_bad; /* out of memory */
} pbw;

static void put(pbw *b, const void *data, size_t n) {
  if (b->is_bad || n == 0)
    return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 512;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *bigger = pg_mem_realloc(b->mem, b->p, cap);
    if (bigger == NULL) {
      b->is_bad = true;
      return;
    }
    b->p = bigger;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void put_varint(pbw *b, uint64_t v) {
  uint8_t x[10];
  put(b, x, pg_pbwire_put_varint(x, v));
}

/* A length-delimited field @p num; empty ones are left out (proto3). */
static void put_bytes(pbw *b, uint32_t num, const void *data, size_t n) {
  if (n == 0)
    return;
  put_varint(b, (uint64_t)num << 3 | PG_PBWIRE_LEN);
  put_varint(b, n);
  put(b, data, n);
}

static void put_str(pbw *b, uint32_t num, const char *s) {
  put_bytes(b, num, s, strlen(s));
}

static size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/* Whether header @p name stays at the door: the password, and what only
 * units may say of themselves. */
static bool is_kept_back(const char *name) {
  return strcmp(name, "authorization") == 0 ||
         strncmp(name, "parigot-", 8) == 0;
}

static void put_header(pbw *b, const char *name, const char *value) {
  size_t n = strlen(name), v = strlen(value);
  size_t len =
      (n ? 1 + varint_len(n) + n : 0) + (v ? 1 + varint_len(v) + v : 0);
  put_varint(b, 4u << 3 | PG_PBWIRE_LEN);
  put_varint(b, len);
  put_str(b, 1, name);
  put_str(b, 2, value);
}

static bool encode_request(pg_wire_stream *s, pbw *b) {
  const pg_wire_route *r = s->route;
  size_t plen = path_only(s);
  put_str(b, 1, s->method);
  put_bytes(b, 2, s->path, plen);
  if (plen < s->path_len)
    put_bytes(b, 3, s->path + plen + 1, s->path_len - plen - 1);
  size_t at = 0;
  const char *name, *value;
  while (pg_wire_hdrs_next(&s->headers, &at, &name, &value))
    if (!is_kept_back(name))
      put_header(b, name, value);
  put_bytes(b, 5, s->body, s->len);
  put_str(b, 6, r->path);
  put_str(b, 7, s->c->remote);
  return !b->is_bad;
}

static void call_guest(pg_wire_stream *s) {
  pg_wire *w = s->c->w;
  const pg_wire_route *r = s->route;
  pbw b = {.mem = w->mem};
  if (!encode_request(s, &b)) {
    pg_mem_free(w->mem, b.p);
    answer(s, 503, "out of memory");
    return;
  }
  const pg_wire_who *who = &s->who;
  pg_wire_call_in in = {
      .service = r->service,
      .service_len = strlen(r->service),
      .method = r->method,
      .method_len = strlen(r->method),
      .req = b.p,
      .req_len = b.len,
      .timeout_ns = s->timeout_ns ? s->timeout_ns : w->cfg.request_timeout_ns,
      .is_from_peer = who->is_from_peer,
      .caller = who->caller,
      .origin = who->origin,
      .ctx = {who->user_id, who->user_name, who->user_roles, who->traceparent},
      .is_route = true};
  uint64_t id = 0;
  char why[256] = "";
  uint32_t status = w->app.call(w->app.user, &in, &id, why, sizeof why);
  pg_mem_free(w->mem, b.p);
  if (status != 0) {
    pg_rpc_response out;
    failed_call(w, status, why, strlen(why), &out);
    pg_wire_stream_send(s, &out);
    return;
  }
  s->is_http_call = true;
  if (!pg_wire_stream_calls(s, id))
    answer(s, 503, "out of memory");
}

/* ---- parigot.http.v1.Response ------------------------------------------- */

/* Headers the port writes itself, or that would change how the
 * connection is read. */
static bool is_ports_own(const char *name, size_t n) {
  static const char *const own[] = {
      "content-length",   "transfer-encoding", "connection", "keep-alive",
      "upgrade",          "proxy-connection",  "te",         "trailer",
      "parigot-app-error"};
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
    if (strlen(own[i]) == n && strncasecmp(own[i], name, n) == 0)
      return true;
  return false;
}

/* One Header of the guest's answer into @p out; false when it is not a
 * header the port may send. */
static bool take_header(pg_wire *w, const pg_pbwire_field *f,
                        pg_rpc_response *out, bool *has_type) {
  pg_pbwire_field h[3];
  if (!pg_pbwire_read_shape(f->p, f->len, "LL", h))
    return false;
  const char *name = (const char *)h[1].p, *value = (const char *)h[2].p;
  if (!pg_wire_hdr_name_ok(name, h[1].len) ||
      !pg_wire_hdr_value_ok(value, h[2].len) || is_ports_own(name, h[1].len))
    return false;
  if (out->headers.n >= PG_ROUTE_MAX_HEADERS ||
      out->headers.len + h[1].len + h[2].len > w->cfg.max_header_bytes)
    return false;
  *has_type |= h[1].len == 12 && strncasecmp(name, "content-type", 12) == 0;
  return pg_wire_hdrs_add(w->mem, &out->headers, name, h[1].len,
                          value ? value : "", h[2].len);
}

/* The guest's answer @p msg into @p out; NULL or what is wrong. */
static const char *decode_response(pg_wire *w, const uint8_t *msg, size_t len,
                                   pg_rpc_response *out) {
  pg_pbwire_reader rd = pg_pbwire_reader_of(msg, len);
  pg_pbwire_field f;
  uint64_t status = 200;
  const uint8_t *body = NULL;
  size_t body_len = 0;
  bool has_type = false;
  *out = (pg_rpc_response){.http_status = 200};
  while (rd.p < rd.end) {
    const char *bad = pg_pbwire_read_field(&rd, &f);
    if (bad != NULL)
      return bad;
    if (f.num == 1 && f.wt == PG_PBWIRE_VARINT)
      status = f.v == 0 ? 200 : f.v;
    else if (f.num == 2 && f.wt == PG_PBWIRE_LEN &&
             !take_header(w, &f, out, &has_type))
      return "a header the port cannot send";
    else if (f.num == 3 && f.wt == PG_PBWIRE_LEN) {
      body = f.p;
      body_len = f.len;
    }
  }
  if (status < 100 || status > 599)
    return "a status outside 100-599";
  out->http_status = (int)status;
  out->content_type = has_type ? NULL : "application/octet-stream";
  if (body_len > 0) {
    out->body = pg_mem_malloc(w->mem, body_len);
    if (out->body == NULL)
      return "out of memory";
    memcpy(out->body, body, body_len);
    out->len = body_len;
  }
  return NULL;
}

void pg_wire_route_respond(pg_wire *w, const pg_wire_job *j, void *response) {
  pg_rpc_response *out = response;
  if (j->status != 0) {
    failed_call(w, j->status, (const char *)j->msg, j->len, out);
    return;
  }
  const char *bad = decode_response(w, j->msg, j->len, out);
  if (bad == NULL)
    return;
  pg_wire_say(w, 2, "a route's answer was refused: %s", bad);
  pg_rpc_response_free(w, out);
  pg_rpc_text(w, out, 502, "the service's answer was malformed");
}

/* ---- a directory -------------------------------------------------------- */

typedef struct static_job {
  pg_wire_pending pending; /* first */
  const pg_mem *mem;
  uv_work_t work;
  const pg_static *st;
  uint64_t max_bytes;
  pg_static_request rq;
  pg_static_response out;
  char data[]; /* the request's strings */
} static_job;

static void static_work(uv_work_t *work) {
  static_job *j = work->data;
  pg_static_serve(j->st, &j->rq, j->max_bytes, &j->out);
}

static void static_done(uv_work_t *work, int status) {
  static_job *j = work->data;
  pg_wire_stream *s = j->pending.s;
  (void)status;
  if (s != NULL) {
    pg_wire *w = s->c->w;
    pg_wire_conn *c = s->c;
    s->pending = NULL;
    pg_rpc_response r = {.http_status = j->out.status};
    if (j->out.why[0] != '\0' && j->out.status >= 500)
      pg_wire_say(w, 2, "route %s: %s", ((const pg_wire_route *)s->route)->path,
                  j->out.why);
    for (size_t i = 0; i < j->out.nheaders; i++)
      pg_wire_hdrs_add(w->mem, &r.headers, j->out.headers[i].name,
                       strlen(j->out.headers[i].name), j->out.headers[i].value,
                       strlen(j->out.headers[i].value));
    r.body = j->out.body; /* the same allocator: taken */
    r.len = j->out.len;
    r.is_length_set = true;
    r.content_length = j->out.content_length;
    j->out.body = NULL;
    pg_wire_stream_send(s, &r);
    pg_wire_conn_flush(c);
  }
  pg_static_response_free(&j->out);
  pg_mem_free(j->mem, j);
}

/* Copies @p v (NULL stays NULL) into @p *at. */
static const char *keep(char **at, const char *v, size_t n) {
  if (v == NULL)
    return NULL;
  char *p = memcpy(*at, v, n);
  p[n] = '\0';
  *at += n + 1;
  return p;
}

static void serve_dir(pg_wire_stream *s, const pg_static *st) {
  pg_wire *w = s->c->w;
  const pg_wire_route *r = s->route;
  size_t plen = path_only(s), rlen = strlen(r->path);
  if (rlen > 0 && r->path[rlen - 1] == '/')
    rlen--; /* "/files/" keeps the '/' in the file's path */
  const char *h[4] = {pg_wire_hdrs_get(&s->headers, "if-none-match"),
                      pg_wire_hdrs_get(&s->headers, "if-modified-since"),
                      pg_wire_hdrs_get(&s->headers, "range"),
                      pg_wire_hdrs_get(&s->headers, "if-range")};
  size_t need = s->path_len * 2 + 8 + strlen(s->method);
  for (int i = 0; i < 4; i++)
    need += h[i] != NULL ? strlen(h[i]) + 1 : 0;
  static_job *j = pg_mem_calloc(w->mem, 1, sizeof *j + need);
  if (j == NULL) {
    answer(s, 503, "out of memory");
    return;
  }
  char *at = j->data;
  j->mem = w->mem;
  j->pending.s = s;
  j->st = st;
  j->max_bytes = w->cfg.max_message_size;
  j->work.data = j;
  j->rq.method = keep(&at, s->method, strlen(s->method));
  j->rq.base = keep(&at, s->path, rlen);
  j->rq.path = keep(&at, s->path + rlen, plen - rlen);
  j->rq.query = plen < s->path_len
                    ? keep(&at, s->path + plen + 1, s->path_len - plen - 1)
                    : NULL;
  j->rq.index = r->index;
  const char **dst[4] = {&j->rq.if_none_match, &j->rq.if_modified_since,
                         &j->rq.range, &j->rq.if_range};
  for (int i = 0; i < 4; i++)
    *dst[i] = keep(&at, h[i], h[i] != NULL ? strlen(h[i]) : 0);
  if (uv_queue_work(&w->loop, &j->work, static_work, static_done) != 0) {
    pg_mem_free(w->mem, j);
    answer(s, 503, "cannot read the file now");
    return;
  }
  s->pending = &j->pending;
}

/* ---- serving ------------------------------------------------------------ */

void pg_wire_route_serve(pg_wire_stream *s) {
  pg_wire *w = s->c->w;
  const pg_wire_route *r = s->route;
  if (!allows(r->methods, s->method)) {
    pg_rpc_response out;
    pg_rpc_text(w, &out, 405, "method not allowed");
    if (r->methods != NULL)
      pg_wire_hdrs_add(w->mem, &out.headers, "allow", 5, r->methods,
                       strlen(r->methods));
    pg_wire_stream_send(s, &out);
    return;
  }
  if (s->is_too_big || s->len > w->cfg.max_message_size) {
    answer(s, 413, "request body larger than max_message_size");
    return;
  }
  const pg_wire_who *who = &s->who;
  bool has_roles = r->roles != NULL && r->roles[0] != '\0';
  if ((r->needs_login || has_roles) && who->user_id[0] == '\0') {
    answer(s, 401, "log in to see this");
    return;
  }
  if (has_roles && !shares_role(who->user_roles, r->roles)) {
    answer(s, 403, "not allowed");
    return;
  }
  if (r->service != NULL) {
    call_guest(s);
    return;
  }
  const pg_static *st = w->statics[r - w->cfg.routes];
  if (st == NULL)
    answer(s, 404, "not found");
  else
    serve_dir(s, st);
}

int pg_wire_routes_init(pg_wire *w, char *err, size_t err_len) {
  if (w->cfg.nroutes == 0)
    return 0;
  w->statics = pg_mem_calloc(w->mem, w->cfg.nroutes, sizeof *w->statics);
  if (w->statics == NULL)
    return PARIGOT_ENOMEM;
  for (uint32_t i = 0; i < w->cfg.nroutes; i++) {
    const pg_wire_route *r = &w->cfg.routes[i];
    if (r->service != NULL || r->dir == NULL)
      continue;
    pg_static *st;
    int rc = pg_static_open(r->dir, w->mem, &st, err, err_len);
    if (rc != 0)
      return rc;
    w->statics[i] = st;
  }
  return 0;
}

void pg_wire_routes_free(pg_wire *w) {
  if (w->statics == NULL)
    return;
  for (uint32_t i = 0; i < w->cfg.nroutes; i++)
    pg_static_free(w->statics[i]);
  pg_mem_free(w->mem, w->statics);
  w->statics = NULL;
}
