/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/wire.c: the pg_wire itself: its listening socket, its thread and
 * libuv loop, and the jobs other threads hand that loop (replies to
 * serve, calls to make, peers to connect), queued under a mutex and
 * picked up when an async handle wakes the loop.
 *
 * Owns the loop, the listener and the job queue; connections belong to
 * conn.c, requests to server.c, calls out to client.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parigot/error.h"
#include "pbjson.h"
#include "wireint.h"

void pg_wire_say(pg_wire *w, int level, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (w->app.log != NULL)
    w->app.log(w->app.user, level, line);
}

/* ---- jobs --------------------------------------------------------------- */

static void push(pg_wire *w, pg_wire_job *j) {
  pthread_mutex_lock(&w->mutex);
  if (w->jobs_tail != NULL)
    w->jobs_tail->next = j;
  else
    w->jobs = j;
  w->jobs_tail = j;
  pthread_mutex_unlock(&w->mutex);
  uv_async_send(&w->async);
}

static void run_job(pg_wire *w, pg_wire_job *j) {
  switch (j->kind) {
  case JOB_REPLY:
    pg_wire_server_reply(w, j);
    pg_mem_free(w->mem, j);
    return;
  case JOB_CALL:
    pg_wire_client_call(w, j);
    return;
  case JOB_CONNECT:
    pg_wire_client_connect(w, j->peer);
    pg_mem_free(w->mem, j);
    return;
  }
}

/* Everything the loop must stop using before the thread ends. */
static void stop(pg_wire *w) {
  w->is_stopping = true;
  while (w->conns != NULL)
    pg_wire_conn_close(w->conns);
  pg_wire_client_free(w);
  pg_wire_door_stop(w);
  if (w->has_listener)
    uv_close((uv_handle_t *)&w->listener, NULL);
  uv_close((uv_handle_t *)&w->async, NULL);
}

static void on_async(uv_async_t *a) {
  pg_wire *w = a->data;
  pthread_mutex_lock(&w->mutex);
  pg_wire_job *j = w->jobs;
  w->jobs = w->jobs_tail = NULL;
  bool accept = w->wants_accept && !w->is_accepting;
  bool wants_stop = w->wants_stop && !w->is_stopping;
  pthread_mutex_unlock(&w->mutex);
  if (accept && !w->is_stopping) {
    w->is_accepting = true;
    pg_wire_server_serving(w);
  }
  while (j != NULL) {
    pg_wire_job *next = j->next;
    if (w->is_stopping || wants_stop)
      pg_mem_free(w->mem, j); /* nobody waits any more */
    else
      run_job(w, j);
    j = next;
  }
  if (wants_stop)
    stop(w);
}

static void *run_loop(void *arg) {
  pg_wire *w = arg;
  uv_run(&w->loop, UV_RUN_DEFAULT);
  return NULL;
}

/* ---- the listening socket ----------------------------------------------- */

/* socket, bind, listen: done here, not on the loop, so that the caller
 * hears at once that the address is taken. */
static int open_listener(const pg_wire_config *cfg, int *fd, char *err,
                         size_t err_len) {
  struct sockaddr_storage sa;
  memset(&sa, 0, sizeof sa);
  const char *host =
      strcmp(cfg->host, "localhost") == 0 ? "127.0.0.1" : cfg->host;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
  socklen_t len;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(cfg->port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(cfg->port);
    len = sizeof *v6;
  } else {
    snprintf(err, err_len, "unit %s: listen: %s is not an IP address",
             cfg->unit, cfg->host);
    return PARIGOT_EINVAL;
  }
  int s = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(s, (struct sockaddr *)&sa, len) != 0 || listen(s, 128) != 0) {
    snprintf(err, err_len, "unit %s: cannot listen on %s:%u: %s", cfg->unit,
             cfg->host, cfg->port, strerror(errno));
    if (s >= 0)
      close(s);
    return PARIGOT_EIO;
  }
  *fd = s;
  return 0;
}

static uint16_t bound_port(int fd) {
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
    return 0;
  return ntohs(sa.ss_family == AF_INET
                   ? ((struct sockaddr_in *)&sa)->sin_port
                   : ((struct sockaddr_in6 *)&sa)->sin6_port);
}

/* ---- the API ------------------------------------------------------------ */

static void defaults(pg_wire_config *c) {
  if (c->max_streams == 0)
    c->max_streams = PG_WIRE_MAX_STREAMS;
  if (c->max_header_bytes == 0)
    c->max_header_bytes = PG_WIRE_MAX_HEADER_BYTES;
  if (c->idle_timeout_ns == 0)
    c->idle_timeout_ns = PG_WIRE_IDLE_TIMEOUT_NS;
  if (c->request_timeout_ns == 0)
    c->request_timeout_ns = PG_WIRE_REQUEST_TIMEOUT_NS;
}

int pg_wire_new(pg_wire **out, const pg_wire_config *cfg,
                const pg_wire_app *app, const pg_mem *mem, char *err,
                size_t err_len) {
  int fd = -1, rc;
  if (cfg->host != NULL && (rc = open_listener(cfg, &fd, err, err_len)))
    return rc;
  pg_wire *w = pg_mem_calloc(mem, 1, sizeof *w);
  pg_wire_remote **peers = pg_mem_calloc(mem, cfg->npeers + 1, sizeof *peers);
  if (w == NULL || peers == NULL) {
    pg_mem_free(mem, w);
    pg_mem_free(mem, peers);
    if (fd >= 0)
      close(fd);
    return PARIGOT_ENOMEM;
  }
  w->cfg = *cfg;
  defaults(&w->cfg);
  w->app = *app;
  w->mem = mem;
  w->peers = peers;
  w->npeers = cfg->npeers;
  pthread_mutex_init(&w->mutex, NULL);
  uv_loop_init(&w->loop);
  uv_async_init(&w->loop, &w->async, on_async);
  w->async.data = w;
  int failed = pg_wire_door_init(w, err, err_len);
  if (failed == 0)
    failed = pg_wire_routes_init(w, err, err_len);
  rc = 0;
  if (failed == 0 && fd >= 0) {
    w->port = bound_port(fd);
    uv_tcp_init(&w->loop, &w->listener);
    w->listener.data = w;
    w->has_listener = true;
    rc = uv_tcp_open(&w->listener, fd);
    fd = -1;
    if (rc == 0) /* /healthz from now on; calls once accepted */
      rc = uv_listen((uv_stream_t *)&w->listener, 128, pg_wire_on_connection);
  }
  if (failed == 0 && rc == 0)
    rc = -pthread_create(&w->thread, NULL, run_loop, w);
  if (failed == 0 && rc != 0) {
    snprintf(err, err_len, "unit %s: cannot start the wire: %s", cfg->unit,
             uv_strerror(rc));
    failed = PARIGOT_EIO;
  }
  if (failed != 0) {
    if (fd >= 0)
      close(fd);
    stop(w);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_loop_close(&w->loop);
    pthread_mutex_destroy(&w->mutex);
    pg_wire_door_free(w);
    pg_wire_routes_free(w);
    pg_mem_free(mem, w->peers);
    pg_mem_free(mem, w);
    return failed;
  }
  *out = w;
  return 0;
}

uint16_t pg_wire_port(const pg_wire *w) {
  return w->port;
}

void pg_wire_set_types(pg_wire *w, pg_pbjson *types) {
  pg_pbjson_free(w->types);
  w->types = types;
}

void pg_wire_accept(pg_wire *w) {
  pthread_mutex_lock(&w->mutex);
  w->wants_accept = true;
  pthread_mutex_unlock(&w->mutex);
  uv_async_send(&w->async);
}

/* A job with @p extra bytes of data. */
static pg_wire_job *job_new(pg_wire *w, pg_wire_job_kind kind, uint64_t id,
                            size_t extra) {
  pg_wire_job *j = pg_mem_malloc(w->mem, sizeof *j + extra);
  if (j != NULL)
    *j = (pg_wire_job){.kind = kind, .id = id};
  return j;
}

void pg_wire_reply(pg_wire *w, uint64_t id, uint32_t status, int32_t app_error,
                   const void *body, size_t len) {
  pg_wire_job *j = job_new(w, JOB_REPLY, id, len);
  if (j == NULL)
    return; /* the client's deadline ends its wait */
  j->status = status;
  j->app_error = app_error;
  j->msg = j->data;
  j->len = len;
  if (len > 0)
    memcpy(j->data, body, len);
  push(w, j);
}

void pg_wire_connect(pg_wire *w, uint32_t peer) {
  pg_wire_job *j = job_new(w, JOB_CONNECT, 0, 0);
  if (j == NULL)
    return;
  j->peer = peer;
  push(w, j);
}

/* Copies @p s with its NUL to *@p p, and moves *@p p past it. */
static const char *put(char **p, const char *s) {
  size_t n = strlen(s) + 1;
  const char *at = memcpy(*p, s, n);
  *p += n;
  return at;
}

int pg_wire_call(pg_wire *w, uint32_t peer, uint64_t id, const char *service,
                 const char *method, size_t method_len, const void *req,
                 size_t len, uint64_t timeout_ns, const char *caller,
                 const pg_wire_ctx *ctx) {
  static const pg_wire_ctx nobody = {"", "", "", ""};
  if (ctx == NULL)
    ctx = &nobody;
  size_t slen = strlen(service), clen = strlen(caller);
  size_t xlen = strlen(ctx->user_id) + strlen(ctx->user_name) +
                strlen(ctx->user_roles) + strlen(ctx->traceparent) + 4;
  pg_wire_job *j =
      job_new(w, JOB_CALL, id, slen + method_len + clen + 3 + xlen + len);
  if (j == NULL) /* not answered from here: the caller holds its lock */
    return PARIGOT_ENOMEM;
  char *p = (char *)j->data;
  j->user_id = put(&p, ctx->user_id);
  j->user_name = put(&p, ctx->user_name);
  j->user_roles = put(&p, ctx->user_roles);
  j->traceparent = put(&p, ctx->traceparent);
  j->peer = peer;
  j->timeout_ns = timeout_ns;
  j->service = memcpy(p, service, slen + 1);
  p += slen + 1;
  j->method = memcpy(p, method, method_len);
  p[method_len] = '\0';
  p += method_len + 1;
  j->caller = memcpy(p, caller, clen + 1);
  p += clen + 1;
  j->msg = (uint8_t *)p;
  j->len = len;
  if (len > 0)
    memcpy(p, req, len);
  push(w, j);
  return 0;
}

void pg_wire_free(pg_wire *w) {
  if (w == NULL)
    return;
  pthread_mutex_lock(&w->mutex);
  w->wants_stop = true;
  pthread_mutex_unlock(&w->mutex);
  uv_async_send(&w->async);
  pthread_join(w->thread, NULL);
  uv_loop_close(&w->loop);
  for (pg_wire_job *j = w->jobs; j != NULL;) {
    pg_wire_job *next = j->next;
    pg_mem_free(w->mem, j);
    j = next;
  }
  pg_mem_free(w->mem, w->served.keys);
  pg_mem_free(w->mem, w->served.vals);
  pg_mem_free(w->mem, w->peers);
  pg_pbjson_free(w->types);
  pg_wire_door_free(w);
  pg_wire_routes_free(w);
  pg_mem_free(w->mem, w->seen);
  pthread_mutex_destroy(&w->mutex);
  pg_mem_free(w->mem, w);
}
