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

/* Work for a stream on libuv's threads (door.c, route.c), which starts
 * with its stream: pg_wire_stream_free clears it, so that the work's end
 * finds nobody to answer. */
typedef struct pg_wire_pending {
  pg_wire_stream *s; /* NULL once the stream is gone */
} pg_wire_pending;

/* A list of header lines in one owned buffer: "name\0value\0" n times.
 * Names are lower case; no name or value holds a NUL, CR or LF (the
 * readers refuse them). hdrs.c. */
typedef struct pg_wire_hdrs {
  char *buf; /* owned */
  size_t len, cap;
  uint32_t n;
} pg_wire_hdrs;

/* Who a request comes from and for whom, once dispatch has decided
 * (sign.c, door.c): NUL-terminated, "" when absent. */
typedef struct pg_wire_who {
  bool is_from_peer;    /* signed by a unit of the app */
  char caller[128];     /* the calling guest, or the client's address */
  char origin[96];      /* "UNIT/ID", or "" */
  char user_id[128];    /* "": no user */
  char user_name[160];  /* "" when none */
  char user_roles[544]; /* joined by "," */
  char traceparent[64]; /* W3C traceparent, or "" */
} pg_wire_who;

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
  /* CALL: the context, in data, NUL-ended */
  const char *user_id, *user_name, *user_roles, *traceparent;
  size_t len;   /* of the message in data */
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
  char method[16]; /* as sent: "GET", "POST", ... */
  bool is_post;
  bool is_head;        /* its answer has no body */
  int protocol;        /* pg_rpc_protocol */
  bool has_encoding;   /* compressed: not supported */
  uint64_t timeout_ns; /* 0: none given */
  size_t header_bytes;
  pg_wire_hdrs headers;     /* every other header ( :authority as host) */
  pg_wire_who who;          /* decided by dispatch */
  const void *route;        /* the pg_wire_route that takes it, or NULL */
  bool is_rpc;              /* a gRPC or Connect call */
  pg_wire_pending *pending; /* its work in flight, or NULL */
  uint8_t *body;            /* owned */
  size_t len, cap;
  bool is_too_big;
  uint64_t call_id;     /* 0 until it is a call */
  uint64_t started_ms;  /* loop time of its first byte */
  bool is_whole;        /* the request is all there (answered or not) */
  uint64_t answered_ms; /* HTTP/2: loop time its answer was submitted */
  bool is_reset;        /* HTTP/2: reset by a timeout */
  int call_protocol;    /* pg_rpc_call, kept until the reply */
  bool is_http_call;    /* a route's call: the reply is an http.v1 answer */
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
  char remote[80];           /* a served one's client: "IP:PORT" */
  bool has_warned;           /* a bad signature was logged */
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
  bool is_accepting, is_stopping; /* is_accepting: serves calls */
  pg_wire_conn *conns;            /* every open connection */
  pg_wire_idmap served;           /* server.c */
  pg_pbjson *types;               /* owned: message types for JSON, or NULL */
  pg_wire_remote **peers;         /* client.c */
  uint32_t npeers;
  void *door;     /* door.c: its state (owned) */
  void **statics; /* route.c: a pg_static per route (NULL: none), owned */
  void *seen;     /* sign.c: the signatures taken lately, owned */
};

/* The HTTP/2 SETTINGS entry by which a unit says whether it serves calls
 * yet: 0 in its first SETTINGS before it does, 1 then or once it does. A
 * peer's client takes it for "up" at 1 (or at the first SETTINGS of a
 * server that says nothing of it). An id RFC 7540 leaves free; peers that
 * do not know it ignore it. */
#define PG_WIRE_SETTINGS_SERVING 0xf0a1

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
/* The listener's callback: a new connection. */
void pg_wire_on_connection(uv_stream_t *listener, int status);
pg_wire_stream *pg_wire_stream_new(pg_wire_conn *c, int32_t id);
void pg_wire_stream_free(pg_wire_conn *c, pg_wire_stream *s);
bool pg_wire_stream_add_body(pg_wire_stream *s, const uint8_t *data,
                             size_t len);
bool pg_wire_stream_header(pg_wire_stream *s, const uint8_t *name,
                           size_t namelen, const uint8_t *value,
                           size_t valuelen);
void pg_wire_stream_dispatch(pg_wire_stream *s);
/* After the door: the request's identity is decided; it is answered or
 * becomes a call. */
void pg_wire_stream_admitted(pg_wire_stream *s);
/* Sends @p r (a pg_rpc_response, whose body and headers it takes) for
 * @p s, on whichever HTTP it came by. */
void pg_wire_stream_send(pg_wire_stream *s, void *r);
/* Refuses @p s before it is a call: gRPC/Connect status @p status for a
 * call, HTTP status @p http with the text @p why otherwise. */
void pg_wire_stream_refuse(pg_wire_stream *s, uint32_t status, int http,
                           const char *why);
/* Keeps call @p id of @p s in flight, its reply found by id; false (the
 * call cancelled) when out of memory. */
bool pg_wire_stream_calls(pg_wire_stream *s, uint64_t id);
/* Tells every HTTP/2 connection served that the unit now serves. */
void pg_wire_server_serving(pg_wire *w);

/* hdrs.c */
/* Appends a line (copied); false when out of memory. */
bool pg_wire_hdrs_add(const pg_mem *mem, pg_wire_hdrs *h, const char *name,
                      size_t name_len, const char *value, size_t value_len);
/* The next line from *@p at (0 first): false at the end. */
bool pg_wire_hdrs_next(const pg_wire_hdrs *h, size_t *at, const char **name,
                       const char **value);
/* The first value of @p name (lower case), or NULL. */
const char *pg_wire_hdrs_get(const pg_wire_hdrs *h, const char *name);
void pg_wire_hdrs_free(const pg_mem *mem, pg_wire_hdrs *h);
/* Whether @p v (len bytes) may be a header value: no NUL, CR or LF. */
bool pg_wire_hdr_value_ok(const char *v, size_t len);
/* Whether @p v may be a header name: a token (RFC 9110), 1-64 chars. */
bool pg_wire_hdr_name_ok(const char *v, size_t len);

/* http1.c */
int pg_wire_h1_session(pg_wire_conn *c);
int pg_wire_h1_feed(pg_wire_conn *c, const uint8_t *data, size_t len);
void pg_wire_h1_timed_out(pg_wire_conn *c);
void pg_wire_h1_send(pg_wire_stream *s,
                     const void *resp); /* a pg_rpc_response */
void pg_wire_h1_free(pg_wire_conn *c);

/* door.c: Authorization: Basic, checked off the loop */
/* 0, or a negative parigot errno with @p err saying why (the users file) */
int pg_wire_door_init(pg_wire *w, char *err, size_t err_len);
void pg_wire_door_stop(pg_wire *w); /* on the loop, when it stops */
void pg_wire_door_free(pg_wire *w); /* after the loop */
/* Checks @p s's Authorization (present; the caller is no peer): fills
 * s->who's user and goes on with pg_wire_stream_admitted(), or answers
 * 401; later, after a pg_throttle delay, when the check failed. */
void pg_wire_door_check(pg_wire_stream *s);
/* The realm of WWW-Authenticate. */
const char *pg_wire_realm(const pg_wire *w);

/* sign.c: the identity of calls between units */
/* Decides s->who from its headers: a peer's, when they are signed with
 * the app's secret; otherwise the client's address and nobody. -1 when a
 * signature is there and wrong (the request is refused), else 0. */
int pg_wire_sign_check(pg_wire_stream *s);
/* The signature headers of call @p j to @p path with the request body
 * (@p prefix then @p msg) into @p out: parigot-timestamp and
 * parigot-signature, NUL-terminated; false with no secret. */
bool pg_wire_sign(const pg_wire *w, const pg_wire_job *j, const char *path,
                  const char *call_id, const uint8_t *prefix, size_t plen,
                  char timestamp[24], char signature[72]);

/* route.c: plain HTTP on the port */
/* Opens the routes' directories: 0, or an errno with @p err. */
int pg_wire_routes_init(pg_wire *w, char *err, size_t err_len);
void pg_wire_routes_free(pg_wire *w);
/* /healthz, /readyz answered, or false. */
bool pg_wire_health(pg_wire_stream *s);
/* The route that takes @p s's method and path, or NULL. */
const pg_wire_route *pg_wire_route_of(const pg_wire *w,
                                      const pg_wire_stream *s);
/* Serves @p s by its route (s->route): login, roles, the guest's call
 * or the file. */
void pg_wire_route_serve(pg_wire_stream *s);
/* The answer to a route's call from its reply @p j (a pg_rpc_response). */
void pg_wire_route_respond(pg_wire *w, const pg_wire_job *j, void *out);

/* client.c */
int pg_wire_client_session(pg_wire_conn *c);
void pg_wire_client_call(pg_wire *w, pg_wire_job *j); /* takes j */
void pg_wire_client_connect(pg_wire *w, uint32_t peer);
void pg_wire_client_closed(pg_wire_conn *c, const char *why);
void pg_wire_client_free(pg_wire *w);

#endif /* PG_WIRE_INT_H */
