/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/server.c: the requests a unit serves: gRPC unary calls on the
 * streams of the HTTP/2 connections it accepts.
 *
 * A request's stream collects its headers and body; at END_STREAM it
 * becomes a call through pg_wire_app. Replies come back as jobs (wire.c)
 * and are turned into HEADERS, DATA and trailers. Calls in flight are
 * found by id in a small open-addressing table; a stream that closes
 * first takes its entry with it, so a late reply finds nothing and is
 * dropped.
 *
 * Owns the streams of the connections it accepts; loop thread only.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "grpc.h"
#include "parigot/error.h"
#include "wireint.h"

/* One request and, later, its response. */
struct stream {
  conn *c;
  stream *prev, *next;   /* the connection's open streams */
  int32_t id;
  char path[512];        /* :path */
  size_t path_len;
  bool is_post;
  bool is_grpc;          /* content-type application/grpc[+proto] */
  bool has_encoding;     /* a grpc-encoding other than identity */
  uint64_t timeout_ns;   /* 0: none given */
  char caller[128];      /* parigot-caller, or the peer's address */
  size_t header_bytes;
  uint8_t *body;         /* owned */
  size_t len, cap;
  bool is_too_big;
  uint64_t call_id;      /* 0 until it is a call */
  /* The response, once known. */
  uint8_t *out;          /* owned: the framed message */
  size_t out_len, out_off;
  char message[512];     /* percent-encoded grpc-message */
};

/* ---- the id map --------------------------------------------------------- */

static size_t idmap_slot(const idmap *m, uint64_t id) {
  size_t i = (size_t)(id * 0x9e3779b97f4a7c15ull) & (m->cap - 1);
  while (m->keys[i] != 0 && m->keys[i] != id)
    i = (i + 1) & (m->cap - 1);
  return i;
}

static int idmap_put(pg_wire *w, uint64_t id, stream *s) {
  idmap *m = &w->served;
  if (2 * (m->n + 1) > m->cap) {
    idmap bigger = {.cap = m->cap ? 2 * m->cap : 64};
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

static stream *idmap_get(const idmap *m, uint64_t id) {
  if (m->cap == 0)
    return NULL;
  size_t i = idmap_slot(m, id);
  return m->keys[i] == id ? m->vals[i] : NULL;
}

/* Removes @p id, moving later entries of its run back into the gap. */
static void idmap_del(idmap *m, uint64_t id) {
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
    stream *v = m->vals[j];
    m->keys[j] = 0;
    size_t to = idmap_slot(m, k);
    m->keys[to] = k;
    m->vals[to] = v;
  }
}

/* ---- responses ---------------------------------------------------------- */

static ssize_t read_body(nghttp2_session *h2, int32_t id, uint8_t *buf,
                         size_t cap, uint32_t *flags,
                         nghttp2_data_source *source, void *user) {
  (void)user;
  stream *s = source->ptr;
  size_t n = s->out_len - s->out_off;
  if (n > cap)
    n = cap;
  memcpy(buf, s->out + s->out_off, n);
  s->out_off += n;
  if (s->out_off < s->out_len)
    return (ssize_t)n;
  *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
  nghttp2_nv trailers[] = {
      {(uint8_t *)"grpc-status", (uint8_t *)"0", 11, 1, NGHTTP2_NV_FLAG_NONE}};
  if (nghttp2_submit_trailer(h2, id, trailers, 1) != 0)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  return (ssize_t)n;
}

#define NV(name, value, value_len)                                             \
  {(uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, (value_len),      \
   NGHTTP2_NV_FLAG_NONE}

/* A failure as a trailers-only response: one HEADERS frame that ends the
 * stream, with the status and message gRPC clients read. */
static void send_failure(stream *s, uint32_t status, const char *why,
                         int32_t app_error) {
  char code[16], err[16];
  size_t code_len = (size_t)snprintf(code, sizeof code, "%u", status);
  size_t err_len = (size_t)snprintf(err, sizeof err, "%d", app_error);
  size_t msg_len = pg_grpc_encode_message(why, strlen(why), s->message,
                                          sizeof s->message);
  nghttp2_nv nva[] = {
      NV(":status", "200", 3),
      NV("content-type", "application/grpc", 16),
      NV("grpc-status", code, code_len),
      NV("grpc-message", s->message, msg_len),
      NV("parigot-app-error", err, err_len),
  };
  size_t n = app_error != 0 ? 5 : 4;
  nghttp2_submit_response(s->c->h2, s->id, nva, n, NULL);
}

static void send_reply(stream *s, const job *r) {
  if (r->status != 0) {
    char why[400];
    size_t n = r->len < sizeof why - 1 ? r->len : sizeof why - 1;
    memcpy(why, r->msg, n);
    why[n] = '\0';
    send_failure(s, r->status, why, r->app_error);
    return;
  }
  s->out = pg_mem_malloc(s->c->w->mem, PG_GRPC_PREFIX + r->len);
  if (s->out == NULL) {
    send_failure(s, PG_GRPC_RESOURCE_EXHAUSTED, "out of memory", 0);
    return;
  }
  pg_grpc_frame(s->out, r->len);
  memcpy(s->out + PG_GRPC_PREFIX, r->msg, r->len);
  s->out_len = PG_GRPC_PREFIX + r->len;
  nghttp2_nv nva[] = {NV(":status", "200", 3),
                      NV("content-type", "application/grpc", 16)};
  nghttp2_data_provider body = {.source.ptr = s, .read_callback = read_body};
  nghttp2_submit_response(s->c->h2, s->id, nva, 2, &body);
}

/* ---- requests ----------------------------------------------------------- */

/* The request is whole: it becomes a call, or fails at once. */
static void dispatch(stream *s) {
  pg_wire *w = s->c->w;
  const uint8_t *msg;
  size_t msg_len;
  uint32_t status;
  const char *why;
  if (!s->is_post || !s->is_grpc) {
    /* Not gRPC: HTTP's own answer (Connect is served elsewhere). */
    nghttp2_nv nva[] = {NV(":status", s->is_post ? "415" : "405", 3)};
    nghttp2_submit_response(s->c->h2, s->id, nva, 1, NULL);
    return;
  }
  if (s->has_encoding) {
    send_failure(s, PG_GRPC_UNIMPLEMENTED,
                 "compressed messages are not supported", 0);
    return;
  }
  if (s->is_too_big) {
    char text[128];
    snprintf(text, sizeof text, "request larger than max_message_size (%llu "
             "bytes)", (unsigned long long)w->cfg.max_message_size);
    send_failure(s, PG_GRPC_RESOURCE_EXHAUSTED, text, 0);
    return;
  }
  if (!pg_grpc_unframe(s->body, s->len, &msg, &msg_len, &status, &why)) {
    send_failure(s, status, why, 0);
    return;
  }
  /* "/package.Service/Method" */
  const char *slash = s->path_len > 1 ? memchr(s->path + 1, '/',
                                               s->path_len - 1)
                                      : NULL;
  if (s->path[0] != '/' || slash == NULL || slash == s->path + 1 ||
      slash == s->path + s->path_len - 1) {
    send_failure(s, PG_GRPC_UNIMPLEMENTED, "malformed method path", 0);
    return;
  }
  char text[256] = "";
  uint64_t id = 0;
  status = w->app.call(w->app.user, s->path + 1,
                       (size_t)(slash - s->path - 1), slash + 1,
                       s->path_len - (size_t)(slash - s->path) - 1, msg,
                       msg_len, s->timeout_ns, s->caller, &id, text,
                       sizeof text);
  if (status != 0) {
    send_failure(s, status, text, 0);
    return;
  }
  if (idmap_put(w, id, s) != 0) {
    w->app.cancel(w->app.user, id);
    send_failure(s, PG_GRPC_RESOURCE_EXHAUSTED, "out of memory", 0);
    return;
  }
  s->call_id = id;
}

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame,
                            void *user) {
  conn *c = user;
  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  stream *s = pg_mem_calloc(c->w->mem, 1, sizeof *s);
  if (s == NULL)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
  s->c = c;
  s->id = frame->hd.stream_id;
  s->next = c->streams;
  if (c->streams != NULL)
    c->streams->prev = s;
  c->streams = s;
  snprintf(s->caller, sizeof s->caller, "%s", c->name);
  nghttp2_session_set_stream_user_data(h2, s->id, s);
  if (c->nstreams++ == 0)
    uv_timer_stop(&c->idle);
  return 0;
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user) {
  conn *c = user;
  (void)flags;
  stream *s = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
  if (s == NULL || frame->hd.type != NGHTTP2_HEADERS)
    return 0; /* trailers of a request: nothing we read */
  s->header_bytes += namelen + valuelen + 32; /* RFC 7540's accounting */
  if (s->header_bytes > c->w->cfg.max_header_bytes)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const char *v = (const char *)value;
  if (header_is(name, namelen, ":method")) {
    s->is_post = valuelen == 4 && memcmp(v, "POST", 4) == 0;
  } else if (header_is(name, namelen, ":path")) {
    if (valuelen >= sizeof s->path)
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    memcpy(s->path, v, valuelen);
    s->path[valuelen] = '\0';
    s->path_len = valuelen;
  } else if (header_is(name, namelen, "content-type")) {
    s->is_grpc = (valuelen == 16 || (valuelen > 16 && (v[16] == '+' ||
                                                       v[16] == ';'))) &&
                 memcmp(v, "application/grpc", 16) == 0;
  } else if (header_is(name, namelen, "grpc-encoding")) {
    s->has_encoding = !(valuelen == 8 && memcmp(v, "identity", 8) == 0);
  } else if (header_is(name, namelen, "grpc-timeout")) {
    uint64_t ns;
    if (pg_grpc_parse_timeout(v, valuelen, &ns))
      s->timeout_ns = ns > 0 ? ns : 1;
  } else if (header_is(name, namelen, "parigot-caller")) {
    size_t n = valuelen < sizeof s->caller - 1 ? valuelen
                                               : sizeof s->caller - 1;
    memcpy(s->caller, v, n);
    s->caller[n] = '\0';
  }
  return 0;
}

static int on_data(nghttp2_session *h2, uint8_t flags, int32_t id,
                   const uint8_t *data, size_t len, void *user) {
  conn *c = user;
  (void)flags;
  stream *s = nghttp2_session_get_stream_user_data(h2, id);
  if (s == NULL || s->is_too_big)
    return 0;
  if (s->len + len > c->w->cfg.max_message_size + PG_GRPC_PREFIX) {
    s->is_too_big = true; /* read on, keep nothing, answer at the end */
    return 0;
  }
  if (s->len + len > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + len)
      cap *= 2;
    uint8_t *bigger = pg_mem_realloc(c->w->mem, s->body, cap);
    if (bigger == NULL)
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    s->body = bigger;
    s->cap = cap;
  }
  memcpy(s->body + s->len, data, len);
  s->len += len;
  return 0;
}

static int on_frame(nghttp2_session *h2, const nghttp2_frame *frame,
                    void *user) {
  (void)user;
  if ((frame->hd.type != NGHTTP2_DATA && frame->hd.type != NGHTTP2_HEADERS) ||
      !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  stream *s = nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
  if (s != NULL && s->call_id == 0)
    dispatch(s);
  return 0;
}

/* Frees @p s; its call, if no reply came, is cancelled: nobody waits. */
static void stream_free(conn *c, stream *s) {
  pg_wire *w = c->w;
  if (s->call_id != 0 && idmap_get(&w->served, s->call_id) == s) {
    idmap_del(&w->served, s->call_id);
    w->app.cancel(w->app.user, s->call_id);
  }
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
}

static int on_close(nghttp2_session *h2, int32_t id, uint32_t error,
                    void *user) {
  conn *c = user;
  (void)error;
  stream *s = nghttp2_session_get_stream_user_data(h2, id);
  if (s == NULL)
    return 0;
  nghttp2_session_set_stream_user_data(h2, id, NULL);
  stream_free(c, s);
  if (c->nstreams == 0 && !c->is_closing)
    uv_timer_again(&c->idle);
  return 0;
}


void server_closed(conn *c) {
  while (c->streams != NULL)
    stream_free(c, c->streams);
}

int server_session(conn *c) {
  nghttp2_session_callbacks *cb;
  if (nghttp2_session_callbacks_new(&cb) != 0)
    return PARIGOT_ENOMEM;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb,
                                                          on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c->w->cfg.max_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, c->w->cfg.max_header_bytes},
  };
  int rc = nghttp2_session_server_new(&c->h2, cb, c);
  nghttp2_session_callbacks_del(cb);
  if (rc == 0)
    rc = nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, settings, 2);
  return rc == 0 ? 0 : PARIGOT_ENOMEM;
}

void server_reply(pg_wire *w, const job *j) {
  stream *s = idmap_get(&w->served, j->id);
  if (s == NULL)
    return; /* the client gave up first */
  idmap_del(&w->served, j->id);
  send_reply(s, j);
  conn_flush(s->c);
}

static void on_connection(uv_stream_t *listener, int status) {
  pg_wire *w = listener->data;
  if (status < 0)
    return;
  conn *c = conn_new(w, NULL);
  if (c == NULL)
    return;
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 ||
      server_session(c) != 0) {
    conn_close(c);
    return;
  }
  struct sockaddr_storage sa;
  int salen = sizeof sa;
  char host[64] = "?";
  if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &salen) == 0)
    uv_ip_name((struct sockaddr *)&sa, host, sizeof host);
  snprintf(c->name, sizeof c->name, "%s", host);
  conn_start(c);
}

void server_listen(pg_wire *w) {
  int rc = uv_listen((uv_stream_t *)&w->listener, 128, on_connection);
  if (rc != 0)
    wire_say(w, 3, "cannot listen: %s", uv_strerror(rc));
}
