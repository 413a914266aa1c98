/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/conn.c: one TCP connection and its session, whichever end made it:
 * reading into the session, writing what it has to send, the idle timer,
 * and closing. A connection a unit accepts speaks HTTP/2 when its first
 * bytes are HTTP/2's preface (clients of gRPC, and curl
 * --http2-prior-knowledge), HTTP/1.1 otherwise (http1.c).
 *
 * A session's output is gathered into one buffer per turn and written
 * with one uv_write, which owns that buffer until it completes. Closing
 * tells the side that owns the streams (server.c or client.c) first, so
 * that no call is left waiting on a connection that is gone.
 */
#include <string.h>

#include "wireint.h"

bool pg_wire_header_is(const uint8_t *name, size_t len, const char *want) {
  return len == strlen(want) && memcmp(name, want, len) == 0;
}

static void on_keepalive(uv_timer_t *t);

/* A served connection's clock: closed once idle for idle_timeout; a
 * request not whole within request_timeout of its first byte (a client
 * too slow, or stalling on purpose) is dropped: its HTTP/2 stream reset,
 * or its HTTP/1.1 connection answered 408 and closed. */
static void on_tick(uv_timer_t *t) {
  pg_wire_conn *c = t->data;
  pg_wire *w = c->w;
  uint64_t now = uv_now(&w->loop);
  if (c->nstreams == 0 &&
      now - c->active_ms >= w->cfg.idle_timeout_ns / 1000000u) {
    if (c->h2 != NULL) {
      nghttp2_submit_goaway(c->h2, NGHTTP2_FLAG_NONE,
                            nghttp2_session_get_last_proc_stream_id(c->h2),
                            NGHTTP2_NO_ERROR, NULL, 0);
      pg_wire_conn_flush(c);
    }
    pg_wire_conn_end(c);
    return;
  }
  uint64_t limit_ms = w->cfg.request_timeout_ns / 1000000u;
  for (pg_wire_stream *s = c->streams; s != NULL; s = s->next) {
    if (s->answered_ms != 0 && now - s->answered_ms >= limit_ms &&
        !s->is_reset) {
      /* Its answer is not taken in time (a client that stops reading,
       * its window at 0, would keep the stream and its buffer for ever):
       * the same limit as for sending a request. */
      pg_wire_say(w, 2,
                  "%s: an answer was not taken within the "
                  "request_timeout (%llu ms): dropped",
                  c->name, (unsigned long long)limit_ms);
      s->is_reset = true;
      nghttp2_submit_rst_stream(c->h2, NGHTTP2_FLAG_NONE, s->id,
                                NGHTTP2_CANCEL);
      continue;
    }
    if (s->is_whole || now - s->started_ms < limit_ms)
      continue;
    pg_wire_say(w, 2,
                "%s: a request was not whole after its request_timeout "
                "(%llu ms): dropped",
                c->name, (unsigned long long)limit_ms);
    if (c->kind != CONN_H2) {
      pg_wire_h1_timed_out(c);
      return;
    }
    s->is_whole = true; /* freed when nghttp2 closes the stream */
    nghttp2_submit_rst_stream(c->h2, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
  }
  pg_wire_conn_flush(c);
}

pg_wire_conn *pg_wire_conn_new(pg_wire *w, pg_wire_remote *to) {
  pg_wire_conn *c = pg_mem_calloc(w->mem, 1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->w = w;
  c->to = to;
  c->kind = to != NULL ? CONN_H2 : CONN_SNIFF;
  uv_tcp_init(&w->loop, &c->tcp);
  uv_timer_init(&w->loop, &c->idle);
  c->tcp.data = c->idle.data = c->connect.data = c;
  c->next = w->conns;
  if (w->conns != NULL)
    w->conns->prev = c;
  w->conns = c;
  return c;
}

typedef struct write_req {
  uv_write_t req;
  const pg_mem *mem;
  uint8_t data[];
} write_req;

static void written(uv_write_t *req, int status) {
  write_req *wr = (write_req *)req;
  (void)status; /* a failed write shows as a failed read, which closes */
  pg_mem_free(wr->mem, wr);
}

bool pg_wire_conn_write(pg_wire_conn *c, const void *a, size_t alen,
                        const void *b, size_t blen) {
  write_req *wr = pg_mem_malloc(c->w->mem, sizeof *wr + alen + blen);
  if (wr == NULL)
    return false;
  wr->mem = c->w->mem;
  memcpy(wr->data, a, alen);
  if (blen > 0)
    memcpy(wr->data + alen, b, blen);
  uv_buf_t buf = uv_buf_init((char *)wr->data, (unsigned)(alen + blen));
  if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &buf, 1, written) != 0) {
    pg_mem_free(c->w->mem, wr);
    return false;
  }
  return true;
}

void pg_wire_conn_flush(pg_wire_conn *c) {
  if (c->is_closing || c->kind != CONN_H2 || c->h2 == NULL)
    return;
  size_t total = 0, cap = 0;
  write_req *wr = NULL;
  const uint8_t *data;
  ssize_t n;
  while ((n = nghttp2_session_mem_send(c->h2, &data)) > 0) {
    if (total + (size_t)n > cap) {
      size_t want = (total + (size_t)n) * 2;
      write_req *bigger = pg_mem_realloc(c->w->mem, wr, sizeof *wr + want);
      if (bigger == NULL) {
        pg_mem_free(c->w->mem, wr);
        pg_wire_conn_close(c);
        return;
      }
      wr = bigger;
      cap = want;
    }
    memcpy(wr->data + total, data, (size_t)n);
    total += (size_t)n;
  }
  if (n < 0) {
    pg_mem_free(c->w->mem, wr);
    pg_wire_conn_close(c);
    return;
  }
  if (total > 0) {
    wr->mem = c->w->mem;
    uv_buf_t buf = uv_buf_init((char *)wr->data, (unsigned)total);
    if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &buf, 1, written) != 0) {
      pg_mem_free(c->w->mem, wr);
      pg_wire_conn_close(c);
      return;
    }
  }
  if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2))
    pg_wire_conn_end(c); /* after what was just written */
}

static void alloc_read(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  pg_wire_conn *c = h->data;
  (void)hint;
  enum { READ_BUF = 64 << 10 };
  char *p = pg_mem_malloc(c->w->mem, READ_BUF);
  *buf = uv_buf_init(p, p ? READ_BUF : 0);
}

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Hands @p data to the connection's session; false if it must close. */
static bool feed(pg_wire_conn *c, const uint8_t *data, size_t n) {
  if (c->kind == CONN_H1)
    return pg_wire_h1_feed(c, data, n) == 0;
  ssize_t used = nghttp2_session_mem_recv(c->h2, data, n);
  if (used < 0)
    pg_wire_say(c->w, 2, "%s: closed: %s", c->name,
                nghttp2_strerror((int)used));
  pg_wire_conn_flush(c); /* the answer, or the GOAWAY that says why */
  return used >= 0;
}

/* The first bytes decide the HTTP: all of HTTP/2's preface, or not. */
static bool sniff(pg_wire_conn *c, const uint8_t *data, size_t n) {
  size_t want = sizeof preface - 1, take = 0;
  while (take < n && c->nsniffed < want &&
         data[take] == (uint8_t)preface[c->nsniffed])
    c->sniffed[c->nsniffed++] = data[take++];
  bool is_h2 = c->nsniffed == want;
  if (!is_h2 && take == n)
    return true; /* so far so HTTP/2: wait for more */
  c->kind = is_h2 ? CONN_H2 : CONN_H1;
  if ((is_h2 ? pg_wire_server_session(c) : pg_wire_h1_session(c)) != 0)
    return false;
  return feed(c, c->sniffed, c->nsniffed) && feed(c, data + take, n - take);
}

static void on_read(uv_stream_t *tcp, ssize_t n, const uv_buf_t *buf) {
  pg_wire_conn *c = tcp->data;
  c->active_ms = uv_now(&c->w->loop);
  if (n > 0 && !c->is_closing) {
    const uint8_t *data = (const uint8_t *)buf->base;
    bool ok = c->kind == CONN_SNIFF ? sniff(c, data, (size_t)n)
                                    : feed(c, data, (size_t)n);
    if (!ok)
      pg_wire_conn_close(c);
  } else if (n < 0) {
    pg_wire_conn_close(c);
  }
  pg_mem_free(c->w->mem, buf->base);
}

void pg_wire_conn_read(pg_wire_conn *c) {
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_read, on_read) != 0)
    pg_wire_conn_close(c);
}

void pg_wire_conn_start(pg_wire_conn *c) {
  uv_tcp_nodelay(&c->tcp, 1);
  /* A tick a quarter of the shorter timeout, 10 ms to 1 s, so that each
   * is kept to within a quarter. */
  const pg_wire_config *cfg = &c->w->cfg;
  uint64_t ms = (cfg->idle_timeout_ns < cfg->request_timeout_ns
                     ? cfg->idle_timeout_ns
                     : cfg->request_timeout_ns) /
                4000000u;
  ms = ms < 10 ? 10 : ms > 1000 ? 1000 : ms;
  c->active_ms = uv_now(&c->w->loop);
  uint64_t keepalive = cfg->idle_timeout_ns / 3000000u;
  if (c->to == NULL)
    uv_timer_start(&c->idle, on_tick, ms, ms);
  else
    uv_timer_start(&c->idle, on_keepalive, keepalive ? keepalive : 1,
                   keepalive ? keepalive : 1);
  uv_read_start((uv_stream_t *)&c->tcp, alloc_read, on_read);
  pg_wire_conn_flush(c); /* a client's preface and SETTINGS */
}

static void freed(uv_handle_t *h) {
  pg_wire_conn *c = h->data;
  if (h == (uv_handle_t *)&c->tcp)
    uv_close((uv_handle_t *)&c->idle, freed);
  else
    pg_mem_free(c->w->mem, c);
}

static void ended(uv_shutdown_t *req, int status) {
  pg_wire_conn *c = req->data;
  (void)status;
  pg_mem_free(c->w->mem, req);
  pg_wire_conn_close(c);
}

void pg_wire_conn_end(pg_wire_conn *c) {
  if (c->is_closing || c->is_ending)
    return;
  c->is_ending = true;
  uv_read_stop((uv_stream_t *)&c->tcp);
  uv_shutdown_t *req = pg_mem_malloc(c->w->mem, sizeof *req);
  if (req == NULL || uv_shutdown(req, (uv_stream_t *)&c->tcp, ended) != 0) {
    pg_mem_free(c->w->mem, req);
    pg_wire_conn_close(c);
    return;
  }
  req->data = c;
}

/* A connection this unit made keeps itself alive: a PING a third of the
 * idle timeout, so that the peer's idle timer does not end it between
 * calls (which its callers would take for the peer going down). */
static void on_keepalive(uv_timer_t *t) {
  pg_wire_conn *c = t->data;
  if (c->is_closing || c->h2 == NULL)
    return;
  nghttp2_submit_ping(c->h2, NGHTTP2_FLAG_NONE, NULL);
  pg_wire_conn_flush(c);
}

void pg_wire_conn_close(pg_wire_conn *c) {
  if (c->is_closing)
    return;
  c->is_closing = true;
  if (c->to != NULL)
    pg_wire_client_closed(c, "the connection was closed");
  else
    pg_wire_server_closed(c);
  if (c->h2 != NULL)
    nghttp2_session_del(c->h2);
  c->h2 = NULL;
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    c->w->conns = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
  uv_timer_stop(&c->idle);
  uv_close((uv_handle_t *)&c->tcp, freed);
}
