/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/client.c: the calls a unit makes to other units: one HTTP/2
 * connection per peer unit, every call a stream on it.
 *
 * A peer is "up" once its SETTINGS come, unless they say it does not
 * serve yet (PG_WIRE_SETTINGS_SERVING 0: a unit answers /healthz from its
 * start, but serves calls only when all its services have started); then
 * once a later SETTINGS says it does (1). Every call out
 * carries the caller and its context, signed with the app's secret
 * (sign.c), which is how the peer knows a unit of the app sent it. Calls made
 * while it is connecting wait for that; calls made while it is down fail at
 * once with UNAVAILABLE (no caller hangs on a unit that is gone), and a
 * connection that drops fails the calls on it the same way. A peer the app
 * asked to keep connected (pg_wire_connect) is retried with a doubling backoff.
 *
 * Owns the peers and their calls; loop thread only. Each call ends with
 * exactly one pg_wire_app.answered, unless the wire is being freed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc.h"
#include "parigot/error.h"
#include "wireint.h"

#define FIRST_BACKOFF_MS 50u
#define MAX_BACKOFF_MS 2000u

/* A call out: queued, then a stream, then answered. */
struct pg_wire_outcall {
  pg_wire_outcall *prev, *next; /* the peer's calls */
  pg_wire_job *req;             /* owned: the request */
  int32_t stream_id;            /* 0 while queued */
  uint8_t prefix[PG_GRPC_PREFIX];
  size_t sent; /* bytes of prefix + message sent */
  bool has_status;
  uint32_t status;
  int32_t app_error;
  int http_status;
  char message[512]; /* grpc-message, decoded */
  uint8_t *body;     /* owned: the response as it comes */
  size_t len, cap;
  bool is_too_big;
};

struct pg_wire_remote {
  pg_wire *w;
  uint32_t index;
  const pg_wire_peer *spec; /* borrowed from the config */
  pg_wire_conn *c;          /* NULL while not connected */
  bool is_up;               /* its SETTINGS came, and it serves */
  bool is_waiting;          /* its SETTINGS said it does not serve yet */
  bool wants_up;            /* keep it connected: retry when it drops */
  uv_timer_t retry;
  uint32_t backoff_ms;
  bool is_backing_off; /* calls fail at once meanwhile */
  char why[160];       /* why it is down */
  pg_wire_outcall *calls;
};

/* ---- answering ---------------------------------------------------------- */

static void unlink_call(pg_wire_remote *p, pg_wire_outcall *o) {
  if (o->prev != NULL)
    o->prev->next = o->next;
  else
    p->calls = o->next;
  if (o->next != NULL)
    o->next->prev = o->prev;
}

/* Ends @p o with its answer to the app, and frees it. */
static void answer(pg_wire_remote *p, pg_wire_outcall *o, uint32_t status,
                   int32_t app_error, const uint8_t *body, size_t len) {
  pg_wire *w = p->w;
  unlink_call(p, o);
  if (!w->is_stopping)
    w->app.answered(w->app.user, o->req->id, status, app_error, body, len);
  pg_mem_free(w->mem, o->req);
  pg_mem_free(w->mem, o->body);
  pg_mem_free(w->mem, o);
}

static void fail(pg_wire_remote *p, pg_wire_outcall *o, uint32_t status,
                 const char *why) {
  answer(p, o, status, 0, (const uint8_t *)why, strlen(why));
}

/* The answer from what the stream brought: a message, or the status and
 * message of the trailers; an HTTP error maps as gRPC says it does. */
static void finish(pg_wire_remote *p, pg_wire_outcall *o) {
  const uint8_t *msg;
  size_t msg_len;
  uint32_t status;
  const char *why;
  if (o->http_status != 200) {
    char text[128];
    snprintf(text, sizeof text, "unit %s answered HTTP %d", p->spec->unit,
             o->http_status);
    fail(p, o, o->http_status == 0 ? PG_GRPC_INTERNAL : PG_GRPC_UNAVAILABLE,
         text);
  } else if (!o->has_status) {
    fail(p, o, PG_GRPC_INTERNAL, "the answer has no grpc-status");
  } else if (o->status != 0) {
    answer(p, o, o->status, o->app_error, (const uint8_t *)o->message,
           strlen(o->message));
  } else if (o->is_too_big) {
    fail(p, o, PG_GRPC_RESOURCE_EXHAUSTED,
         "response larger than max_message_size");
  } else if (!pg_grpc_unframe(o->body, o->len, &msg, &msg_len, &status, &why)) {
    fail(p, o, status, why);
  } else {
    answer(p, o, 0, 0, msg, msg_len);
  }
}

/* Fails every call of @p p: it cannot be reached. */
static void fail_all(pg_wire_remote *p) {
  char why[256];
  snprintf(why, sizeof why, "unit %s is unreachable: %s", p->spec->unit,
           p->why);
  while (p->calls != NULL)
    fail(p, p->calls, PG_GRPC_UNAVAILABLE, why);
}

/* ---- the session's callbacks -------------------------------------------- */

static ssize_t read_request(nghttp2_session *h2, int32_t id, uint8_t *buf,
                            size_t cap, uint32_t *flags,
                            nghttp2_data_source *source, void *user) {
  (void)h2, (void)id, (void)user;
  pg_wire_outcall *o = source->ptr;
  size_t total = PG_GRPC_PREFIX + o->req->len, n = 0;
  while (n < cap && o->sent < total) {
    size_t at = o->sent, chunk;
    if (at < PG_GRPC_PREFIX) {
      chunk = PG_GRPC_PREFIX - at;
      chunk = chunk < cap - n ? chunk : cap - n;
      memcpy(buf + n, o->prefix + at, chunk);
    } else {
      chunk = total - at;
      chunk = chunk < cap - n ? chunk : cap - n;
      memcpy(buf + n, o->req->msg + (at - PG_GRPC_PREFIX), chunk);
    }
    n += chunk;
    o->sent += chunk;
  }
  if (o->sent == total)
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

static int percent_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* grpc-message is percent-encoded; a bad escape stays as it was. */
static void decode_message(const uint8_t *v, size_t len, char *out,
                           size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < cap; i++) {
    int hi, lo;
    if (v[i] == '%' && i + 2 < len && (hi = percent_value(v[i + 1])) >= 0 &&
        (lo = percent_value(v[i + 2])) >= 0) {
      out[n++] = (char)(hi << 4 | lo);
      i += 2;
    } else {
      out[n++] = (char)v[i];
    }
  }
  out[n] = '\0';
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user) {
  (void)flags, (void)user;
  pg_wire_outcall *o =
      nghttp2_session_get_stream_user_data(h2, frame->hd.stream_id);
  if (o == NULL)
    return 0;
  char v[32];
  size_t n = valuelen < sizeof v - 1 ? valuelen : sizeof v - 1;
  memcpy(v, value, n);
  v[n] = '\0';
  if (pg_wire_header_is(name, namelen, ":status")) {
    o->http_status = atoi(v);
  } else if (pg_wire_header_is(name, namelen, "grpc-status")) {
    long s = strtol(v, NULL, 10);
    o->has_status = true;
    o->status = s >= 0 && s <= PG_GRPC_MAX ? (uint32_t)s : PG_GRPC_UNKNOWN;
  } else if (pg_wire_header_is(name, namelen, "grpc-message")) {
    decode_message(value, valuelen, o->message, sizeof o->message);
  } else if (pg_wire_header_is(name, namelen, "parigot-app-error")) {
    o->app_error = (int32_t)strtol(v, NULL, 10);
  }
  return 0;
}

static int on_data(nghttp2_session *h2, uint8_t flags, int32_t id,
                   const uint8_t *data, size_t len, void *user) {
  pg_wire_conn *c = user;
  (void)flags;
  pg_wire_outcall *o = nghttp2_session_get_stream_user_data(h2, id);
  if (o == NULL || o->is_too_big)
    return 0;
  if (o->len + len > c->w->cfg.max_message_size + PG_GRPC_PREFIX) {
    o->is_too_big = true;
    return 0;
  }
  if (o->len + len > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + len)
      cap *= 2;
    uint8_t *bigger = pg_mem_realloc(c->w->mem, o->body, cap);
    if (bigger == NULL)
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    o->body = bigger;
    o->cap = cap;
  }
  memcpy(o->body + o->len, data, len);
  o->len += len;
  return 0;
}

static void submit(pg_wire_remote *p, pg_wire_outcall *o, bool flush);

/* The peer's SETTINGS: it serves. Queued calls go out. */
static int on_frame(nghttp2_session *h2, const nghttp2_frame *frame,
                    void *user) {
  pg_wire_conn *c = user;
  (void)h2;
  pg_wire_remote *p = c->to;
  if (frame->hd.type != NGHTTP2_SETTINGS ||
      (frame->hd.flags & NGHTTP2_FLAG_ACK) || p->is_up)
    return 0;
  /* A unit says whether it serves yet (it answers /healthz before);
   * a server that says nothing of it (not a unit) serves. */
  for (size_t i = 0; i < frame->settings.niv; i++)
    if (frame->settings.iv[i].settings_id == PG_WIRE_SETTINGS_SERVING)
      p->is_waiting = frame->settings.iv[i].value == 0;
  if (p->is_waiting)
    return 0;
  p->is_up = true;
  p->backoff_ms = 0;
  for (pg_wire_outcall *o = p->calls, *next; o != NULL; o = next) {
    next = o->next; /* submit may end o */
    if (o->stream_id == 0)
      submit(p, o, false); /* on_read flushes once mem_recv is done */
  }
  if (p->wants_up)
    c->w->app.peer_state(c->w->app.user, p->index, true, "");
  return 0;
}

static int on_close(nghttp2_session *h2, int32_t id, uint32_t error,
                    void *user) {
  pg_wire_conn *c = user;
  pg_wire_outcall *o = nghttp2_session_get_stream_user_data(h2, id);
  if (o == NULL)
    return 0;
  nghttp2_session_set_stream_user_data(h2, id, NULL);
  if (error != NGHTTP2_NO_ERROR && !o->has_status) {
    char why[160];
    snprintf(why, sizeof why, "unit %s reset the call: %s", c->to->spec->unit,
             nghttp2_http2_strerror(error));
    fail(c->to, o,
         error == NGHTTP2_REFUSED_STREAM ? PG_GRPC_UNAVAILABLE
                                         : PG_GRPC_INTERNAL,
         why);
    return 0;
  }
  finish(c->to, o);
  return 0;
}

int pg_wire_client_session(pg_wire_conn *c) {
  nghttp2_session_callbacks *cb;
  if (nghttp2_session_callbacks_new(&cb) != 0)
    return PARIGOT_ENOMEM;
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
  int rc = nghttp2_session_client_new(&c->h2, cb, c);
  nghttp2_session_callbacks_del(cb);
  if (rc == 0)
    rc = nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, NULL, 0);
  return rc == 0 ? 0 : PARIGOT_ENOMEM;
}

/* ---- calls -------------------------------------------------------------- */

#define NV(name, value, value_len)                                             \
  {                                                                            \
    (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, (value_len),      \
        NGHTTP2_NV_FLAG_NONE                                                   \
  }

/* grpc-timeout: at most 8 digits, so the unit grows with the value. */
static size_t format_timeout(uint64_t ns, char *out, size_t cap) {
  static const struct {
    uint64_t ns;
    char unit;
  } units[] = {
      {1, 'n'},          {1000, 'u'},           {1000000, 'm'},
      {1000000000, 'S'}, {60000000000ull, 'M'}, {3600000000000ull, 'H'}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    uint64_t v = (ns + units[i].ns - 1) / units[i].ns; /* never shorter */
    if (v < 100000000u || i == 5)
      return (size_t)snprintf(
          out, cap, "%llu%c",
          (unsigned long long)(v < 100000000u ? v : 99999999), units[i].unit);
  }
  return 0;
}

/* Sends @p o on the peer's connection; @p flush false inside nghttp2's
 * callbacks, where writing (and perhaps closing) must wait. */
static void submit(pg_wire_remote *p, pg_wire_outcall *o, bool flush) {
  const pg_wire_job *j = o->req;
  char path[600], timeout[16], authority[80], origin[96];
  size_t path_len =
      (size_t)snprintf(path, sizeof path, "/%s/%s", j->service, j->method);
  size_t auth_len = (size_t)snprintf(authority, sizeof authority, "%s:%u",
                                     p->spec->host, p->spec->port);
  size_t timeout_len =
      j->timeout_ns ? format_timeout(j->timeout_ns, timeout, sizeof timeout)
                    : 0;
  size_t origin_len =
      (size_t)snprintf(origin, sizeof origin, "%s/%llu", p->w->cfg.unit,
                       (unsigned long long)j->id);
  if (path_len >= sizeof path) {
    fail(p, o, PG_GRPC_INTERNAL, "method path too long");
    return;
  }
  pg_grpc_frame(o->prefix, j->len);
  char timestamp[24], signature[72];
  bool is_signed = pg_wire_sign(p->w, j, path, origin, o->prefix,
                                PG_GRPC_PREFIX, timestamp, signature);
  nghttp2_nv nva[16] = {
      NV(":method", "POST", 4),
      NV(":scheme", "http", 4),
      NV(":path", path, path_len),
      NV(":authority", authority, auth_len),
      NV("content-type", "application/grpc", 16),
      NV("te", "trailers", 8),
      NV("parigot-caller", j->caller, strlen(j->caller)),
      NV("parigot-call-id", origin, origin_len),
  };
  size_t n = 8;
  if (timeout_len > 0)
    nva[n++] = (nghttp2_nv)NV("grpc-timeout", timeout, timeout_len);
  /* The context; the receiver reads a missing one as "". */
  const struct {
    const char *name;
    const char *value;
  } ctx[] = {{"parigot-user", j->user_id},
             {"parigot-user-name", j->user_name},
             {"parigot-roles", j->user_roles},
             {"traceparent", j->traceparent}};
  for (size_t i = 0; i < 4; i++) {
    if (ctx[i].value[0] == '\0')
      continue;
    if (!pg_wire_hdr_value_ok(ctx[i].value, strlen(ctx[i].value))) {
      fail(p, o, PG_GRPC_INVALID_ARGUMENT, "a context value has a line break");
      return;
    }
    nva[n++] = (nghttp2_nv){(uint8_t *)ctx[i].name, (uint8_t *)ctx[i].value,
                            strlen(ctx[i].name), strlen(ctx[i].value),
                            NGHTTP2_NV_FLAG_NONE};
  }
  if (is_signed) {
    nva[n++] =
        (nghttp2_nv)NV("parigot-timestamp", timestamp, strlen(timestamp));
    nva[n++] =
        (nghttp2_nv)NV("parigot-signature", signature, strlen(signature));
  }
  nghttp2_data_provider body = {.source.ptr = o, .read_callback = read_request};
  int32_t id = nghttp2_submit_request(p->c->h2, NULL, nva, n, &body, o);
  if (id < 0) {
    fail(p, o, PG_GRPC_UNAVAILABLE, nghttp2_strerror(id));
    return;
  }
  o->stream_id = id;
  if (flush)
    pg_wire_conn_flush(p->c);
}

/* ---- connecting --------------------------------------------------------- */

static void connect_peer(pg_wire_remote *p);

static void on_retry(uv_timer_t *t) {
  pg_wire_remote *p = t->data;
  p->is_backing_off = false;
  if (p->wants_up && p->c == NULL)
    connect_peer(p);
}

/* The peer is down: its calls fail, and a peer to keep up is tried again
 * after the backoff, which doubles each time. */
static void went_down(pg_wire_remote *p, const char *why) {
  bool was_up = p->is_up;
  snprintf(p->why, sizeof p->why, "%s", why);
  p->is_up = false;
  p->is_waiting = false;
  p->c = NULL;
  p->backoff_ms = p->backoff_ms == 0                   ? FIRST_BACKOFF_MS
                  : p->backoff_ms * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS
                                                       : p->backoff_ms * 2;
  p->is_backing_off = true;
  if (!p->w->is_stopping)
    uv_timer_start(&p->retry, on_retry, p->backoff_ms, 0);
  /* The app hears that the peer is down before its calls fail: by the
   * time a caller sees its failure, the app knows a retry is coming, and
   * does not take a caller that waits for it for one that waits for
   * nothing. */
  if (was_up && p->wants_up && !p->w->is_stopping)
    p->w->app.peer_state(p->w->app.user, p->index, false, p->why);
  fail_all(p);
}

static void on_connected(uv_connect_t *req, int status) {
  pg_wire_conn *c = req->data;
  pg_wire_remote *p = c->to;
  if (c->is_closing)
    return;
  if (status < 0) {
    char why[160];
    snprintf(why, sizeof why, "cannot connect to %s:%u: %s", p->spec->host,
             p->spec->port, uv_strerror(status));
    p->c = NULL;
    c->to = NULL; /* nothing of the peer's on it any more */
    pg_wire_conn_close(c);
    went_down(p, why);
    return;
  }
  if (pg_wire_client_session(c) != 0) {
    pg_wire_conn_close(c);
    return;
  }
  pg_wire_conn_start(c);
}

static void connect_peer(pg_wire_remote *p) {
  struct sockaddr_storage sa;
  memset(&sa, 0, sizeof sa);
  const char *host =
      strcmp(p->spec->host, "localhost") == 0 ? "127.0.0.1" : p->spec->host;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(p->spec->port);
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(p->spec->port);
  } else {
    went_down(p, "its listen address is not an IP address");
    return;
  }
  pg_wire_conn *c = pg_wire_conn_new(p->w, p);
  if (c == NULL) {
    went_down(p, "out of memory");
    return;
  }
  snprintf(c->name, sizeof c->name, "unit %s at %s:%u", p->spec->unit,
           p->spec->host, p->spec->port);
  p->c = c;
  int rc = uv_tcp_connect(&c->connect, &c->tcp, (struct sockaddr *)&sa,
                          on_connected);
  if (rc != 0) {
    p->c = NULL;
    c->to = NULL;
    pg_wire_conn_close(c);
    went_down(p, uv_strerror(rc));
  }
}

static pg_wire_remote *peer_of(pg_wire *w, uint32_t index) {
  if (index >= w->npeers)
    return NULL;
  if (w->peers[index] == NULL) {
    pg_wire_remote *p = pg_mem_calloc(w->mem, 1, sizeof *p);
    if (p == NULL)
      return NULL;
    p->w = w;
    p->index = index;
    p->spec = &w->cfg.peers[index];
    uv_timer_init(&w->loop, &p->retry);
    p->retry.data = p;
    w->peers[index] = p;
  }
  return w->peers[index];
}

void pg_wire_client_connect(pg_wire *w, uint32_t index) {
  pg_wire_remote *p = peer_of(w, index);
  if (p == NULL || p->wants_up)
    return;
  p->wants_up = true;
  if (p->c == NULL && !p->is_backing_off)
    connect_peer(p);
}

void pg_wire_client_call(pg_wire *w, pg_wire_job *j) {
  pg_wire_remote *p = peer_of(w, j->peer);
  pg_wire_outcall *o = p ? pg_mem_calloc(w->mem, 1, sizeof *o) : NULL;
  if (o == NULL) {
    w->app.answered(w->app.user, j->id, PG_GRPC_RESOURCE_EXHAUSTED, 0,
                    (const uint8_t *)"out of memory", 13);
    pg_mem_free(w->mem, j);
    return;
  }
  o->req = j;
  o->next = p->calls;
  if (p->calls != NULL)
    p->calls->prev = o;
  p->calls = o;
  if (p->is_up)
    submit(p, o, true);
  else if (p->is_backing_off)
    fail_all(p); /* only this one is not on a connection */
  else if (p->c == NULL)
    connect_peer(p);
}

void pg_wire_client_closed(pg_wire_conn *c, const char *why) {
  pg_wire_remote *p = c->to;
  if (p == NULL || p->c != c)
    return;
  went_down(p, p->w->is_stopping ? "the unit is stopping" : why);
}

static void peer_freed(uv_handle_t *h) {
  pg_wire_remote *p = h->data;
  pg_mem_free(p->w->mem, p);
}

void pg_wire_client_free(pg_wire *w) {
  for (uint32_t i = 0; i < w->npeers; i++) {
    pg_wire_remote *p = w->peers[i];
    if (p == NULL)
      continue;
    if (p->c != NULL)
      pg_wire_conn_close(p->c);
    fail_all(p); /* dropped: the wire is stopping */
    uv_timer_stop(&p->retry);
    uv_close((uv_handle_t *)&p->retry, peer_freed);
    w->peers[i] = NULL;
  }
}
