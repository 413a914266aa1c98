/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/server.c: the requests a unit serves. Streams (one request each,
 * on HTTP/2 or HTTP/1.1) are made, dispatched and answered here; the
 * HTTP/2 side of it, on nghttp2's server session, is here too, while
 * http1.c reads and writes HTTP/1.1. What a request means and what its
 * response says is rpc.c's.
 *
 * A request's stream collects its headers and body; when it is whole it
 * becomes a call through pg_wire_app. Replies come back as jobs (wire.c).
 * Calls in flight are found by id in a small open-addressing table; a
 * stream that closes first takes its entry with it, so a late reply finds
 * nothing and is dropped.
 *
 * Owns the streams of the connections it accepts; loop thread only.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "grpc.h"
#include "parigot/error.h"
#include "pbjson.h"
#include "rpc.h"
#include "wireint.h"

/* ---- the id map --------------------------------------------------------- */

static size_t idmap_slot(const pg_wire_idmap *m, uint64_t id) {
  size_t i = (size_t)(id * 0x9e3779b97f4a7c15ull) & (m->cap - 1);
  while (m->keys[i] != 0 && m->keys[i] != id)
    i = (i + 1) & (m->cap - 1);
  return i;
}

static int idmap_put(pg_wire *w, uint64_t id, pg_wire_stream *s) {
  pg_wire_idmap *m = &w->served;
  if (2 * (m->n + 1) > m->cap) {
    pg_wire_idmap bigger = {.cap = m->cap ? 2 * m->cap : 64};
    bigger.keys = pg_mem_calloc(w->mem, bigger.cap, sizeof *bigger.keys);
    bigger.vals = pg_mem_calloc(w->mem, bigger.cap, sizeof *bigger.vals);
    if (bigger.keys == NULL || bigger.vals == NULL) {
      pg_mem_free(w->mem, bigger.keys);
      pg_mem_free(w->mem, bigger.vals);
      return PARIGOT_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i] != 0) {
        size_t j = idmap_slot(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        bigger.vals[j] = m->vals[i];
      }
    bigger.n = m->n;
    pg_mem_free(w->mem, m->keys);
    pg_mem_free(w->mem, m->vals);
    *m = bigger;
  }
  size_t i = idmap_slot(m, id);
  m->n += m->keys[i] == 0;
  m->keys[i] = id;
  m->vals[i] = s;
  return 0;
}

static pg_wire_stream *idmap_get(const pg_wire_idmap *m, uint64_t id) {
  if (m->cap == 0)
    return NULL;
  size_t i = idmap_slot(m, id);
  return m->keys[i] == id ? m->vals[i] : NULL;
}

/* Removes @p id, moving later entries of its run back into the gap. */
static void idmap_del(pg_wire_idmap *m, uint64_t id) {
  if (m->cap == 0)
    return;
  size_t i = idmap_slot(m, id);
  if (m->keys[i] != id)
    return;
  m->keys[i] = 0;
  m->n--;
  for (size_t j = (i + 1) & (m->cap - 1); m->keys[j] != 0;
       j = (j + 1) & (m->cap - 1)) {
    uint64_t k = m->keys[j];
    pg_wire_stream *v = m->vals[j];
    m->keys[j] = 0;
    size_t to = idmap_slot(m, k);
    m->keys[to] = k;
    m->vals[to] = v;
  }
}

/* ---- streams ------------------------------------------------------------ */

pg_wire_stream *pg_wire_stream_new(pg_wire_conn *c, int32_t id) {
  pg_wire_stream *s = pg_mem_calloc(c->w->mem, 1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->c = c;
  s->id = id;
  s->started_ms = uv_now(&c->w->loop);
  s->next = c->streams;
  if (c->streams != NULL)
    c->streams->prev = s;
  c->streams = s;
  c->nstreams++;
  return s;
}

/* Frees @p s; its call, if no reply came, is cancelled: nobody waits. */
void pg_wire_stream_free(pg_wire_conn *c, pg_wire_stream *s) {
  pg_wire *w = c->w;
  if (s->call_id != 0 && idmap_get(&w->served, s->call_id) == s) {
    idmap_del(&w->served, s->call_id);
    w->app.cancel(w->app.user, s->call_id);
  }
  if (s->pending != NULL)
    s->pending->s = NULL; /* its work ends with nobody to answer */
  pg_wire_hdrs_free(w->mem, &s->headers);
  if (s->prev != NULL)
    s->prev->next = s->next;
  else
    c->streams = s->next;
  if (s->next != NULL)
    s->next->prev = s->prev;
  pg_mem_free(w->mem, s->body);
  pg_mem_free(w->mem, s->out);
  pg_mem_free(w->mem, s);
  c->nstreams--;
  c->active_ms = uv_now(&w->loop); /* idle from now */
}

/* Keeps the request's body, up to max_message_size (and a gRPC prefix);
 * past that it keeps nothing and the call fails when the body ends.
 * False when out of memory. */
bool pg_wire_stream_add_body(pg_wire_stream *s, const uint8_t *data,
                             size_t len) {
  pg_wire *w = s->c->w;
  if (s->is_too_big)
    return true;
  if (s->len + len > w->cfg.max_message_size + PG_GRPC_PREFIX) {
    s->is_too_big = true;
    pg_mem_free(w->mem, s->body);
    s->body = NULL;
    s->len = s->cap = 0;
    return true;
  }
  if (s->len + len > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + len)
      cap *= 2;
    uint8_t *bigger = pg_mem_realloc(w->mem, s->body, cap);
    if (bigger == NULL)
      return false;
    s->body = bigger;
    s->cap = cap;
  }
  memcpy(s->body + s->len, data, len);
  s->len += len;
  return true;
}

static void h2_send(pg_wire_stream *s, pg_rpc_response *r);

/* WWW-Authenticate: Basic realm="...", its quotes and backslashes
 * escaped (RFC 9110's quoted-string). */
static void add_challenge(pg_wire *w, pg_rpc_response *r) {
  char value[400] = "Basic realm=\"";
  size_t n = strlen(value);
  for (const char *p = pg_wire_realm(w); *p != '\0' && n + 24 < sizeof value;
       p++) {
    if (*p == '"' || *p == '\\')
      value[n++] = '\\';
    value[n++] = *p;
  }
  n += (size_t)snprintf(value + n, sizeof value - n, "\", charset=\"UTF-8\"");
  pg_wire_hdrs_add(w->mem, &r->headers, "www-authenticate", 16, value, n);
}

void pg_wire_stream_send(pg_wire_stream *s, void *response) {
  pg_rpc_response *r = response;
  if (r->http_status == 401 &&
      pg_wire_hdrs_get(&r->headers, "www-authenticate") == NULL)
    add_challenge(s->c->w, r);
  if (s->c->kind == CONN_H1)
    pg_wire_h1_send(s, r);
  else
    h2_send(s, r);
}

static void stream_send(pg_wire_stream *s, pg_rpc_response *r) {
  pg_wire_stream_send(s, r);
}

/* A gRPC or Connect call: an RPC content type, POST, a path of two names,
 * and, for Connect's types (which plain HTTP clients send too) when a
 * route takes the path, a method the unit's types know. */
static bool is_rpc(pg_wire *w, const pg_wire_stream *s) {
  const char *service, *method;
  size_t service_len, method_len;
  if (s->protocol == RPC_NONE || !s->is_post ||
      !pg_rpc_split_path(s->path, s->path_len, &service, &service_len, &method,
                         &method_len))
    return false;
  const char *in, *out;
  return s->route == NULL || s->protocol == RPC_GRPC ||
         (w->types != NULL &&
          pg_pbjson_method(w->types, service, service_len, method, method_len,
                           &in, &out) == 0);
}

/* The answer to a request refused before it is a call: the protocol's
 * status for a call, the HTTP status otherwise. */
void pg_wire_stream_refuse(pg_wire_stream *s, uint32_t status, int http,
                           const char *why) {
  pg_wire *w = s->c->w;
  pg_rpc_response r;
  if (s->is_rpc)
    pg_rpc_failure(w, (pg_rpc_protocol)s->protocol, status, why, &r);
  else
    pg_rpc_text(w, &r, http, why);
  stream_send(s, &r);
}

void pg_wire_stream_dispatch(pg_wire_stream *s) {
  pg_wire *w = s->c->w;
  s->is_whole = true;
  if (pg_wire_health(s))
    return;
  s->route = pg_wire_route_of(w, s);
  s->is_rpc = is_rpc(w, s);
  if (!w->is_accepting) {
    pg_wire_stream_refuse(s, PG_GRPC_UNAVAILABLE, 503,
                          "the unit is not serving yet");
    return;
  }
  if (pg_wire_sign_check(s) != 0) {
    if (!s->c->has_warned)
      pg_wire_say(w, 2,
                  "%s: a call with a wrong parigot-signature was refused "
                  "(a unit with another secret, or a forgery)",
                  s->c->remote);
    s->c->has_warned = true;
    pg_wire_stream_refuse(s, PG_GRPC_UNAUTHENTICATED, 401,
                          "bad parigot-signature");
    return;
  }
  if (!s->who.is_from_peer &&
      pg_wire_hdrs_get(&s->headers, "authorization") != NULL) {
    pg_wire_door_check(s); /* goes on with pg_wire_stream_admitted */
    return;
  }
  pg_wire_stream_admitted(s);
}

void pg_wire_stream_admitted(pg_wire_stream *s) {
  pg_wire *w = s->c->w;
  if (s->route != NULL && !s->is_rpc) {
    pg_wire_route_serve(s);
    return;
  }
  pg_rpc_request req = {.path = s->path,
                        .path_len = s->path_len,
                        .is_post = s->is_post,
                        .is_http2 = s->c->kind == CONN_H2,
                        .protocol = (pg_rpc_protocol)s->protocol,
                        .has_encoding = s->has_encoding,
                        .timeout_ns = s->timeout_ns,
                        .who = &s->who,
                        .body = s->body,
                        .len = s->len,
                        .is_too_big = s->is_too_big};
  pg_rpc_call call;
  pg_rpc_response early;
  uint64_t id = pg_rpc_start(w, &req, &call, &early);
  if (id != 0 && idmap_put(w, id, s) != 0) {
    w->app.cancel(w->app.user, id);
    id = 0;
    pg_rpc_plain(&early, 503);
  }
  if (id == 0) {
    stream_send(s, &early);
    return;
  }
  s->call_id = id;
  s->call_protocol = call.protocol;
  s->output_type = call.output_type;
}

/* Keeps call @p id of @p s in flight: its reply comes by id. False when
 * it cannot be kept (the call is cancelled). */
bool pg_wire_stream_calls(pg_wire_stream *s, uint64_t id) {
  pg_wire *w = s->c->w;
  if (idmap_put(w, id, s) != 0) {
    w->app.cancel(w->app.user, id);
    return false;
  }
  s->call_id = id;
  return true;
}

void pg_wire_server_reply(pg_wire *w, const pg_wire_job *j) {
  pg_wire_stream *s = idmap_get(&w->served, j->id);
  if (s == NULL)
    return; /* the client gave up first */
  idmap_del(&w->served, j->id);
  pg_rpc_call call = {.protocol = (pg_rpc_protocol)s->call_protocol,
                      .output_type = s->output_type};
  pg_rpc_response r;
  if (s->is_http_call)
    pg_wire_route_respond(w, j, &r);
  else
    pg_rpc_respond(w, &call, j, &r);
  pg_wire_conn *c = s->c;
  stream_send(s, &r);
  pg_wire_conn_flush(c);
}

/* ---- HTTP/2 ------------------------------------------------------------- */

#define NV(name, value, value_len)                                             \
  {                                                                            \
    (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, (value_len),      \
        NGHTTP2_NV_FLAG_NONE                                                   \
  }

static ssize_t read_body(nghttp2_session *h2, int32_t id, uint8_t *buf,
                         size_t cap, uint32_t *flags,
                         nghttp2_data_source *source, void *user) {
  (void)user;
  pg_wire_stream *s = source->ptr;
  size_t n = s->out_len - s->out_off;
  if (n > cap)
    n = cap;
  if (n > 0) /* out is NULL for an empty body */
    memcpy(buf, s->out + s->out_off, n);
  s->out_off += n;
  if (s->out_off < s->out_len)
    return (ssize_t)n;
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  if (!s->is_grpc_out)
    return (ssize_t)n;
  *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
  nghttp2_nv trailers[] = {NV("grpc-status", "0", 1)};
  if (nghttp2_submit_trailer(h2, id, trailers, 1) != 0)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  return (ssize_t)n;
}

static void h2_send(pg_wire_stream *s, pg_rpc_response *r) {
  pg_wire *w = s->c->w;
  char status[8], code[16], err[16], length[24];
  size_t status_len =
      (size_t)snprintf(status, sizeof status, "%d", r->http_status);
  size_t code_len = (size_t)snprintf(code, sizeof code, "%u", r->grpc_status);
  size_t err_len = (size_t)snprintf(err, sizeof err, "%d", r->app_error);
  size_t length_len = (size_t)snprintf(
      length, sizeof length, "%llu",
      (unsigned long long)(r->is_length_set ? r->content_length : r->len));
  nghttp2_nv *nva = pg_mem_calloc(w->mem, 6 + r->headers.n, sizeof *nva);
  if (nva == NULL) {
    pg_rpc_response_free(w, r);
    nghttp2_submit_rst_stream(s->c->h2, NGHTTP2_FLAG_NONE, s->id,
                              NGHTTP2_INTERNAL_ERROR);
    return;
  }
  size_t n = 0;
  nva[n++] = (nghttp2_nv)NV(":status", status, status_len);
  if (r->content_type != NULL)
    nva[n++] = (nghttp2_nv)NV("content-type", r->content_type,
                              strlen(r->content_type));
  if (r->is_trailers_only) {
    nva[n++] = (nghttp2_nv)NV("grpc-status", code, code_len);
    nva[n++] = (nghttp2_nv)NV("grpc-message", r->grpc_message,
                              strlen(r->grpc_message));
  } else if (!r->is_grpc && r->http_status != 304 && r->http_status != 204) {
    nva[n++] = (nghttp2_nv)NV("content-length", length, length_len);
  }
  if (r->app_error != 0)
    nva[n++] = (nghttp2_nv)NV("parigot-app-error", err, err_len);
  size_t at = 0;
  const char *name, *value;
  while (pg_wire_hdrs_next(&r->headers, &at, &name, &value))
    nva[n++] = (nghttp2_nv){(uint8_t *)name, (uint8_t *)value, strlen(name),
                            strlen(value), NGHTTP2_NV_FLAG_NONE};
  s->answered_ms = uv_now(&w->loop);
  bool has_body = !r->is_trailers_only && !s->is_head;
  s->out = r->body;
  s->out_len = s->is_head ? 0 : r->len;
  s->is_grpc_out = r->is_grpc;
  r->body = NULL;
  nghttp2_data_provider body = {.source.ptr = s, .read_callback = read_body};
  /* nghttp2 copies the names and values */
  nghttp2_submit_response(s->c->h2, s->id, nva, n, has_body ? &body : NULL);
  pg_mem_free(w->mem, nva);
  pg_rpc_response_free(w, r);
}

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame,
                            void *user) {
  pg_wire_conn *c = user;
  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  pg_wire_stream *s = pg_wire_stream_new(c, frame->hd.stream_id);
  if (s == NULL)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
  nghttp2_session_set_stream_user_data(h2, s->id, s);
  return 0;
}

/* connect-timeout-ms: up to 10 digits of milliseconds. */
static bool parse_ms(const char *v, size_t len, uint64_t *ns) {
  uint64_t ms = 0;
  if (len == 0 || len > 10)
    return false;
  for (size_t i = 0; i < len; i++) {
    if (v[i] < '0' || v[i] > '9')
      return false;
    ms = ms * 10 + (uint64_t)(v[i] - '0');
  }
  *ns = ms * 1000000u;
  return true;
}

/* A request header, by either HTTP; false to refuse the request. Those
 * the wire reads are read here; every other (and the identity ones,
 * which sign.c judges at dispatch) is kept in s->headers. */
bool pg_wire_stream_header(pg_wire_stream *s, const uint8_t *name,
                           size_t namelen, const uint8_t *value,
                           size_t valuelen) {
  pg_wire *w = s->c->w;
  s->header_bytes += namelen + valuelen + 32; /* RFC 7540's accounting */
  if (s->header_bytes > w->cfg.max_header_bytes)
    return false;
  const char *v = (const char *)value;
  uint64_t ns;
  if (!pg_wire_hdr_value_ok(v, valuelen))
    return false;
  if (pg_wire_header_is(name, namelen, ":method")) {
    if (valuelen == 0 || valuelen >= sizeof s->method)
      return false;
    memcpy(s->method, v, valuelen);
    s->method[valuelen] = '\0';
    s->is_post = strcmp(s->method, "POST") == 0;
    s->is_head = strcmp(s->method, "HEAD") == 0;
    return true;
  }
  if (pg_wire_header_is(name, namelen, ":path")) {
    if (valuelen >= sizeof s->path)
      return false;
    memcpy(s->path, v, valuelen);
    s->path[valuelen] = '\0';
    s->path_len = valuelen;
    return true;
  }
  if (pg_wire_header_is(name, namelen, ":authority"))
    return pg_wire_hdrs_add(w->mem, &s->headers, "host", 4, v, valuelen);
  if (namelen > 0 && name[0] == ':')
    return true; /* :scheme, :protocol */
  if (pg_wire_header_is(name, namelen, "content-type")) {
    s->protocol = pg_rpc_protocol_of(v, valuelen);
  } else if (pg_wire_header_is(name, namelen, "grpc-encoding") ||
             pg_wire_header_is(name, namelen, "content-encoding")) {
    s->has_encoding = !(valuelen == 8 && memcmp(v, "identity", 8) == 0);
  } else if (pg_wire_header_is(name, namelen, "grpc-timeout")) {
    if (pg_grpc_parse_timeout(v, valuelen, &ns))
      s->timeout_ns = ns > 0 ? ns : 1;
  } else if (pg_wire_header_is(name, namelen, "connect-timeout-ms")) {
    if (parse_ms(v, valuelen, &ns))
      s->timeout_ns = ns > 0 ? ns : 1;
  }
  return pg_wire_hdrs_add(w->mem, &s->headers, (const char *)name, namelen, v,
                          valuelen);
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user) {
  (void)flags, (void)user;
  pg_wire_stream *s =
      nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
  if (s == NULL || frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0; /* trailers of a request: nothing we read */
  return pg_wire_stream_header(s, name, namelen, value, valuelen)
             ? 0
             : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static int on_data(nghttp2_session *h2, uint8_t flags, int32_t id,
                   const uint8_t *data, size_t len, void *user) {
  (void)flags, (void)user;
  pg_wire_stream *s = nghttp2_session_get_stream_user_data(h2, id);
  if (s == NULL || pg_wire_stream_add_body(s, data, len))
    return 0;
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

static int on_frame(nghttp2_session *h2, const nghttp2_frame *frame,
                    void *user) {
  (void)user;
  if ((frame->hd.type != NGHTTP2_DATA && frame->hd.type != NGHTTP2_HEADERS) ||
      !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  pg_wire_stream *s =
      nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
  if (s != NULL && s->call_id == 0)
    pg_wire_stream_dispatch(s);
  return 0;
}

static int on_close(nghttp2_session *h2, int32_t id, uint32_t error,
                    void *user) {
  pg_wire_conn *c = user;
  (void)error;
  pg_wire_stream *s = nghttp2_session_get_stream_user_data(h2, id);
  if (s == NULL)
    return 0;
  nghttp2_session_set_stream_user_data(h2, id, NULL);
  pg_wire_stream_free(c, s);
  return 0;
}

void pg_wire_server_closed(pg_wire_conn *c) {
  while (c->streams != NULL)
    pg_wire_stream_free(c, c->streams);
  pg_wire_h1_free(c);
}

int pg_wire_server_session(pg_wire_conn *c) {
  nghttp2_session_callbacks *cb;
  if (nghttp2_session_callbacks_new(&cb) != 0)
    return PARIGOT_ENOMEM;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c->w->cfg.max_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, c->w->cfg.max_header_bytes},
      {PG_WIRE_SETTINGS_SERVING, c->w->is_accepting ? 1 : 0},
  };
  int rc = nghttp2_session_server_new(&c->h2, cb, c);
  nghttp2_session_callbacks_del(cb);
  if (rc == 0)
    rc = nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, settings, 3);
  return rc == 0 ? 0 : PARIGOT_ENOMEM;
}

/* ---- accepting ---------------------------------------------------------- */

void pg_wire_server_serving(pg_wire *w) {
  nghttp2_settings_entry serving = {PG_WIRE_SETTINGS_SERVING, 1};
  for (pg_wire_conn *c = w->conns, *next; c != NULL; c = next) {
    next = c->next; /* a flush may close c */
    if (c->to == NULL && c->kind == CONN_H2 && c->h2 != NULL &&
        nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, &serving, 1) == 0)
      pg_wire_conn_flush(c);
  }
}

void pg_wire_on_connection(uv_stream_t *listener, int status) {
  pg_wire *w = listener->data;
  if (status < 0)
    return;
  pg_wire_conn *c = pg_wire_conn_new(w, NULL);
  if (c == NULL)
    return;
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
    pg_wire_conn_close(c);
    return;
  }
  struct sockaddr_storage sa;
  int salen = sizeof sa;
  char host[64] = "?";
  unsigned port = 0;
  if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &salen) == 0) {
    uv_ip_name((struct sockaddr *)&sa, host, sizeof host);
    port =
        ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                       : ((struct sockaddr_in *)&sa)->sin_port);
  }
  snprintf(c->name, sizeof c->name, "%s", host);
  snprintf(c->remote, sizeof c->remote,
           sa.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
  pg_wire_conn_start(c); /* its first bytes say which HTTP it speaks */
}
