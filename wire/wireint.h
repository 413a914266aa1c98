/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/wireint.h: what the wire's modules share, internal to wire/.
 *
 * wire.c owns the pg_wire, its loop thread and the jobs that other
 * threads hand it; conn.c the connections (socket, nghttp2 session,
 * writes, idle timer); server.c the requests a unit serves; client.c the
 * calls it makes to other units. Everything here is touched on the loop's
 * thread only, but for the job queue, which has its own mutex.
 */
#ifndef PG_WIRE_INT_H
#define PG_WIRE_INT_H

#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "wire.h"

typedef struct conn conn;
typedef struct stream stream;   /* server.c: a request being served */
typedef struct outcall outcall; /* client.c: a call to another unit */
typedef struct peer peer;       /* client.c: another unit */

/* Work another thread hands the loop: copies of everything it needs. */
typedef enum job_kind { JOB_REPLY, JOB_CALL, JOB_CONNECT } job_kind;

typedef struct job {
  struct job *next;
  job_kind kind;
  uint64_t id;        /* the call's */
  uint32_t status;    /* REPLY */
  int32_t app_error;  /* REPLY */
  uint32_t peer;      /* CALL, CONNECT */
  uint64_t timeout_ns;/* CALL */
  const char *service, *method, *caller; /* CALL: in data, NUL-ended */
  size_t len;         /* of the message in data */
  uint8_t *msg;       /* REPLY: the body; CALL: the request; in data */
  uint8_t data[];
} job;

/* One TCP connection and its HTTP/2 session, served or made. */
struct conn {
  pg_wire *w;
  uv_tcp_t tcp;
  uv_timer_t idle;
  uv_connect_t connect;
  nghttp2_session *h2;
  peer *to;          /* a connection this unit made, or NULL */
  stream *streams;   /* server: open request streams */
  uint32_t nstreams;
  bool is_closing;
  char name[80];     /* the other end, for the log */
  conn *prev, *next; /* w->conns */
};

/* Calls in flight that a unit serves: id -> stream. Ids are never 0. */
typedef struct idmap {
  uint64_t *keys;
  stream **vals;
  size_t cap, n; /* cap a power of two, n < cap / 2 */
} idmap;

struct pg_wire {
  pg_wire_config cfg;
  pg_wire_app app;
  const pg_mem *mem;
  uv_loop_t loop;
  uv_tcp_t listener;
  bool has_listener;
  uv_async_t async;
  pthread_t thread;
  uint16_t port;
  pthread_mutex_t mutex; /* guards jobs, wants_accept, wants_stop */
  job *jobs, *jobs_tail;
  bool wants_accept, wants_stop;
  bool is_accepting, is_stopping;
  conn *conns;     /* every open connection */
  idmap served;    /* server.c */
  peer **peers;    /* client.c */
  uint32_t npeers;
};

/* One line in the app's log; @p level as pg_log_level. */
void wire_say(pg_wire *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conn.c */
conn *conn_new(pg_wire *w, peer *to);
void conn_start(conn *c);   /* reads, and sends what the session has */
void conn_flush(conn *c);   /* sends what the session has to send */
void conn_close(conn *c);   /* ends the session and the socket */
bool header_is(const uint8_t *name, size_t len, const char *want);

/* server.c */
int server_session(conn *c);
void server_reply(pg_wire *w, const job *j);
void server_closed(conn *c);
void server_listen(pg_wire *w);

/* client.c */
int client_session(conn *c);
void client_call(pg_wire *w, job *j); /* takes j */
void client_connect(pg_wire *w, uint32_t peer);
void client_closed(conn *c, const char *why);
void client_free(pg_wire *w);

#endif /* PG_WIRE_INT_H */
