/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/wireint.h: what the wire's modules share, internal to wire/.
 *
 * wire.c owns the pg_wire, its loop thread and the jobs that other
 * threads hand it; conn.c the connections (socket, nghttp2 session,
 * writes, idle timer); server.c the requests a unit serves; client.c the
 * calls it makes to other units. Everything here is touched on the loop's
 * thread only, but for the job queue, which has its own mutex.
 *
 * Every name shared between wire/ files is pg_wire_* (pg_rpc_* in rpc.h,
 * pg_grpc_* in grpc.h, pg_pbjson_* in pbjson_int.h): the parigot
 * executable exports its symbols to the guests' code it loads.
 */
#ifndef PG_WIRE_INT_H
#define PG_WIRE_INT_H

#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "wire.h"

typedef struct pg_wire_conn pg_wire_conn;       /* conn.c: a connection */
typedef struct pg_wire_stream pg_wire_stream;   /* server.c: a request */
typedef struct pg_wire_h1 pg_wire_h1;           /* http1.c: HTTP/1.1 state */
typedef struct pg_wire_outcall pg_wire_outcall; /* client.c: a call out */
typedef struct pg_wire_remote pg_wire_remote;   /* client.c: another unit */

/* Work another thread hands the loop: copies of everything it needs. */
typedef enum pg_wire_job_kind {
  JOB_REPLY,
  JOB_CALL,
  JOB_CONNECT
} pg_wire_job_kind;

typedef struct pg_wire_job {
  struct pg_wire_job *next;
  pg_wire_job_kind kind;
  uint64_t id;                           /* the call's */
  uint32_t status;                       /* REPLY */
  int32_t app_error;                     /* REPLY */
  uint32_t peer;                         /* CALL, CONNECT */
  uint64_t timeout_ns;                   /* CALL */
  const char *service, *method, *caller; /* CALL: in data, NUL-ended */
  size_t len;                            /* of the message in data */
  uint8_t *msg; /* REPLY: the body; CALL: the request; in data */
  uint8_t data[];
} pg_wire_job;

/* A request being served, on an HTTP/2 stream or an HTTP/1.1
 * connection, until its response is sent. */
struct pg_wire_stream {
  pg_wire_conn *c;
  pg_wire_stream *prev, *next; /* the connection's open streams */
  int32_t id;                  /* the HTTP/2 stream's; 0 on HTTP/1.1 */
  char path[512];
  size_t path_len;
  bool is_post;
  int protocol;        /* pg_rpc_protocol */
  bool has_encoding;   /* compressed: not supported */
  uint64_t timeout_ns; /* 0: none given */
  char caller[128];    /* parigot-caller, or the peer's address */
  char origin[96];     /* parigot-call-id: "UNIT/ID" of the caller's */
  size_t header_bytes;
  uint8_t *body; /* owned */
  size_t len, cap;
  bool is_too_big;
  uint64_t call_id;     /* 0 until it is a call */
  uint64_t started_ms;  /* loop time of its first byte */
  bool is_whole;        /* the request is all there (answered or not) */
  uint64_t answered_ms; /* HTTP/2: loop time its answer was submitted */
  bool is_reset;        /* HTTP/2: reset by a timeout */
  int call_protocol;    /* pg_rpc_call, kept until the reply */
  const char *output_type;
  /* The response, once known: its body, sent from out_off on. */
  uint8_t *out; /* owned */
  size_t out_len, out_off;
  bool is_grpc_out; /* trailers follow the body */
};

typedef enum pg_wire_conn_kind {
  CONN_SNIFF,
  CONN_H2,
  CONN_H1
} pg_wire_conn_kind;

/* One TCP connection and its session, served or made. A served one is
 * HTTP/2 or HTTP/1.1, as its first bytes say. */
struct pg_wire_conn {
  pg_wire *w;
  uv_tcp_t tcp;
  uv_timer_t idle;
  uv_connect_t connect;
  pg_wire_conn_kind kind;
  uint8_t sniffed[24]; /* the first bytes, until they decide */
  size_t nsniffed;
  nghttp2_session *h2;
  pg_wire_h1 *h1;          /* owned: HTTP/1.1 state */
  pg_wire_remote *to;      /* a connection this unit made, or NULL */
  pg_wire_stream *streams; /* server: open request streams */
  uint32_t nstreams;
  uint64_t active_ms; /* loop time of the last bytes read */
  bool is_ending;     /* shutting down after its last writes */
  bool is_closing;
  char name[80];             /* the other end, for the log */
  pg_wire_conn *prev, *next; /* w->conns */
};

/* Calls in flight that a unit serves: id -> stream. Ids are never 0. */
typedef struct pg_wire_idmap {
  uint64_t *keys;
  pg_wire_stream **vals;
  size_t cap, n; /* cap a power of two, n < cap / 2 */
} pg_wire_idmap;

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
  pg_wire_job *jobs, *jobs_tail;
  bool wants_accept, wants_stop;
  bool is_accepting, is_stopping;
  pg_wire_conn *conns;    /* every open connection */
  pg_wire_idmap served;   /* server.c */
  pg_pbjson *types;       /* owned: message types for JSON, or NULL */
  pg_wire_remote **peers; /* client.c */
  uint32_t npeers;
};

/* One line in the app's log; @p level as pg_log_level. */
void pg_wire_say(pg_wire *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conn.c */
pg_wire_conn *pg_wire_conn_new(pg_wire *w, pg_wire_remote *to);
void pg_wire_conn_start(
    pg_wire_conn *c); /* reads, and sends what the session has */
void pg_wire_conn_flush(
    pg_wire_conn *c); /* sends what the session has to send */
void pg_wire_conn_read(pg_wire_conn *c); /* reads again, after a pause */
/* Queues the bytes of @p a then @p b (copied) for sending; false when
 * they cannot be. */
bool pg_wire_conn_write(pg_wire_conn *c, const void *a, size_t alen,
                        const void *b, size_t blen);
void pg_wire_conn_close(pg_wire_conn *c); /* ends the session and the socket */
void pg_wire_conn_end(
    pg_wire_conn *c); /* closes once what was written is sent */
bool pg_wire_header_is(const uint8_t *name, size_t len, const char *want);

/* server.c */
int pg_wire_server_session(pg_wire_conn *c);
void pg_wire_server_reply(pg_wire *w, const pg_wire_job *j);
void pg_wire_server_closed(pg_wire_conn *c);
void pg_wire_server_listen(pg_wire *w);
pg_wire_stream *pg_wire_stream_new(pg_wire_conn *c, int32_t id);
void pg_wire_stream_free(pg_wire_conn *c, pg_wire_stream *s);
bool pg_wire_stream_add_body(pg_wire_stream *s, const uint8_t *data,
                             size_t len);
bool pg_wire_stream_header(pg_wire_stream *s, const uint8_t *name,
                           size_t namelen, const uint8_t *value,
                           size_t valuelen);
void pg_wire_stream_dispatch(pg_wire_stream *s);

/* http1.c */
int pg_wire_h1_session(pg_wire_conn *c);
int pg_wire_h1_feed(pg_wire_conn *c, const uint8_t *data, size_t len);
void pg_wire_h1_timed_out(pg_wire_conn *c);
void pg_wire_h1_send(pg_wire_stream *s,
                     const void *resp); /* a pg_rpc_response */
void pg_wire_h1_free(pg_wire_conn *c);

/* client.c */
int pg_wire_client_session(pg_wire_conn *c);
void pg_wire_client_call(pg_wire *w, pg_wire_job *j); /* takes j */
void pg_wire_client_connect(pg_wire *w, uint32_t peer);
void pg_wire_client_closed(pg_wire_conn *c, const char *why);
void pg_wire_client_free(pg_wire *w);

#endif /* PG_WIRE_INT_H */
