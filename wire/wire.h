/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/wire.h: a unit's network port: gRPC (and Connect) over HTTP/2 on
 * one TCP port, and its calls to other units, with one HTTP/2 connection
 * per peer unit; all on a thread of its own that runs a libuv loop.
 *
 * The wire knows nothing of guests. A request becomes a call through the
 * pg_wire_app callbacks it is given; the app answers later, from any
 * thread, with pg_wire_reply(), which the loop turns into the response.
 * The other way, pg_wire_call() sends a call to a peer unit and the
 * answer comes back through pg_wire_app.answered, exactly once: the
 * peer's, or UNAVAILABLE when the peer cannot be reached.
 * Every byte from a socket is untrusted: sizes, headers and frames are
 * checked against the limits of pg_wire_config, and a malformed request
 * gets the protocol's error, never a crash.
 *
 * Lifetime: pg_wire_new() binds and listens at once (so a taken port is
 * an error of the caller's run) and answers /healthz at once; until
 * pg_wire_accept() (the app is ready) /readyz answers 503 and every other
 * request 503 or UNAVAILABLE, and peers do not take the unit for up.
 * pg_wire_free() closes everything and joins the thread.
 */
#ifndef PG_WIRE_H
#define PG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct pg_wire pg_wire;
typedef struct pg_pbjson pg_pbjson; /* pbjson.h */

/* Who a call is made for (transport.h's pg_transport_ctx): strings,
 * NUL-terminated, "" when absent. */
typedef struct pg_wire_ctx {
  const char *user_id;     /* the user's login; "": no user */
  const char *user_name;   /* the name to show */
  const char *user_roles;  /* joined by ',' */
  const char *traceparent; /* W3C traceparent */
} pg_wire_ctx;

/* A call that came in, as the wire hands it to the app; borrowed for the
 * duration of pg_wire_app.call. */
typedef struct pg_wire_call_in {
  const char *service; /* the service's full name, service_len bytes */
  size_t service_len;
  const char *method; /* the path's last part, method_len bytes */
  size_t method_len;
  const uint8_t *req; /* the request message */
  size_t req_len;
  uint64_t timeout_ns; /* the caller's deadline from now; 0: none */
  /* signed by a unit of the app (pg_wire_config.secret): caller, origin
   * and ctx are that unit's word. Otherwise caller is the client's
   * address, origin "", and ctx.user the one whose password the wire
   * checked (Authorization: Basic), or none. */
  bool is_from_peer;
  const char *caller; /* the calling guest's name, or the address */
  const char *origin; /* "UNIT/ID" of the calling unit's call, or "" */
  pg_wire_ctx ctx;
  /* a [[route]]'s call (its service and method are the route's, its
   * request a parigot.http.v1.Request the wire made): the manifest opened
   * that method to the outside, public or not */
  bool is_route;
} pg_wire_call_in;

/* What the wire asks of the app. Each is called on the wire's thread. */
typedef struct pg_wire_app {
  /* Starts call @p c. 0 with *id set: the answer comes by
   * pg_wire_reply(). Otherwise a gRPC status to fail the request with at
   * once, and @p why its message. */
  uint32_t (*call)(void *user, const pg_wire_call_in *c, uint64_t *id,
                   char *why, size_t why_cap);
  /* The client gave up on call @p id (its stream was reset or closed):
   * no reply is wanted. */
  void (*cancel)(void *user, uint64_t id);
  /* One line for the app's log; @p level as pg_log_level. */
  void (*log)(void *user, int level, const char *msg);
  /* The answer to pg_wire_call() @p id: status 0 and the response @p body,
   * or a gRPC status and its message in @p body. */
  void (*answered)(void *user, uint64_t id, uint32_t status, int32_t app_error,
                   const uint8_t *body, size_t len);
  /* Peer @p peer (an index in pg_wire_config.peers) can now be reached:
   * its unit serves; or it cannot any more, and @p why says so. */
  void (*peer_state)(void *user, uint32_t peer, bool is_up, const char *why);
  void *user;
} pg_wire_app;

/* Another unit this one calls. */
typedef struct pg_wire_peer {
  const char *unit; /* its name */
  const char *host; /* as pg_wire_config.host */
  uint16_t port;
} pg_wire_peer;

/* A path of the port that answers plain HTTP: a guest's method taking a
 * parigot.http.v1.Request, or the files of a directory (transport.h's
 * pg_transport_route, whose rules it follows). */
typedef struct pg_wire_route {
  const char *path;    /* "/shop": takes "/shop" and "/shop/...", and the
                          longest route that takes a path serves it */
  const char *methods; /* "GET,POST", upper case; "" or NULL: any */
  const char *service; /* the method's service; NULL: a dir route */
  const char *method;
  const char *dir;   /* absolute directory; NULL with service */
  const char *index; /* served for a directory's path: "index.html" */
  bool needs_login;  /* 401 without a user */
  const char *roles; /* the user needs one ("a,b"); "" or NULL: any */
} pg_wire_route;

typedef struct pg_wire_config {
  const char *unit;          /* this unit's name, for the log */
  const char *host;          /* IPv4 or IPv6 literal, or "localhost";
                                NULL: it listens nowhere */
  uint16_t port;             /* 0: any free port (pg_wire_port) */
  const pg_wire_peer *peers; /* the units it calls, borrowed */
  uint32_t npeers;
  uint64_t max_message_size;   /* bytes of one request or response */
  uint32_t max_streams;        /* concurrent streams per connection */
  uint32_t max_header_bytes;   /* of one request's headers */
  uint64_t idle_timeout_ns;    /* a connection with no stream is closed */
  uint64_t request_timeout_ns; /* a request not whole by then is dropped */
  /* The app's secret (>= 16 bytes): calls out are signed with it, and
   * only calls in signed with it are from a peer. NULL: none is. */
  const uint8_t *secret;
  size_t secret_len;
  const pg_wire_route *routes; /* borrowed */
  uint32_t nroutes;
  const char *users;  /* htpasswd file checked at the door; NULL: none */
  const char *groups; /* its group file, or NULL */
  const char *realm;  /* WWW-Authenticate's; NULL: the unit's name */
} pg_wire_config;

/* Defaults for the limits pg_wire_config leaves at 0. */
#define PG_WIRE_MAX_STREAMS 100u
#define PG_WIRE_MAX_HEADER_BYTES (16u << 10)
#define PG_WIRE_IDLE_TIMEOUT_NS 60000000000ull    /* 60 s */
#define PG_WIRE_REQUEST_TIMEOUT_NS 30000000000ull /* 30 s */

/* Binds and listens on cfg's address, if any, and starts the wire's
 * thread; it takes no connection before pg_wire_accept(). 0, or a negative
 * parigot errno with @p err naming the address and the reason. @p app is
 * copied; @p cfg's strings and peers are borrowed until pg_wire_free(). */
int pg_wire_new(pg_wire **out, const pg_wire_config *cfg,
                const pg_wire_app *app, const pg_mem *mem, char *err,
                size_t err_len);

/* The message types the unit's services use (from their descriptors):
 * what Connect's application/json needs. Takes @p types; before
 * pg_wire_accept(). */
void pg_wire_set_types(pg_wire *w, pg_pbjson *types);

/* The port it listens on (the one chosen when cfg->port was 0). */
uint16_t pg_wire_port(const pg_wire *w);

/* Starts serving calls (and /readyz says so). Any thread. */
void pg_wire_accept(pg_wire *w);

/* The answer to call @p id: @p status 0 and the response message @p body,
 * or a gRPC status and its message in @p body. Copies @p body. Any
 * thread; a reply for a call the client gave up on is dropped. */
void pg_wire_reply(pg_wire *w, uint64_t id, uint32_t status, int32_t app_error,
                   const void *body, size_t len);

/* Connects to @p peer and keeps it connected from now on, retrying with
 * a backoff; pg_wire_app.peer_state tells when it is up. Any thread. */
void pg_wire_connect(pg_wire *w, uint32_t peer);

/* Calls @p method of @p service at @p peer with the request @p req, as
 * call @p id from @p caller for @p ctx (NULL: nobody), its deadline
 * @p timeout_ns from now (0: none sent); signed with the app's secret
 * when there is one. Copies everything. Any thread. 0; or PARIGOT_ENOMEM,
 * when the call is not sent and no answer will come: the caller ends
 * it. */
int pg_wire_call(pg_wire *w, uint32_t peer, uint64_t id, const char *service,
                 const char *method, size_t method_len, const void *req,
                 size_t len, uint64_t timeout_ns, const char *caller,
                 const pg_wire_ctx *ctx);

/* Closes every connection, stops the thread and frees @p w. NULL is a
 * no-op. Replies still to come are dropped, and so are the answers of
 * calls still out. */
void pg_wire_free(pg_wire *w);

#endif /* PG_WIRE_H */
