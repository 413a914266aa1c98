/* SPDX-License-Identifier: Apache-2.0 */
/*
 * include/parigot/transport.h: what the kernel needs from a transport, the
 * thing that carries a unit's calls to and from the other units of its
 * app. The kernel knows no socket: wire/ implements this over gRPC and
 * Connect (pg_wire_transport_kind), and kernel/loopback.c implements it in
 * memory, for every unit of an app in one process, deterministically.
 *
 * A transport is opened per unit (pg_transport_kind.open) with the unit's
 * address and its peers, and the kernel's events. It tells the kernel
 * through those events when a call comes in, when a caller gives up, when
 * the answer to a call out comes, and when a peer unit goes up or down.
 * The kernel drives it with the ops: serve once every local service is
 * up, reply to calls in, connect to peers and call them.
 *
 * Threads: a transport may raise events from any thread, and each event
 * takes the app's lock itself; the ops may be called with the app's lock
 * held, so a transport never raises an event from inside an op. Requests
 * and answers are borrowed for the duration of the call that passes them:
 * whoever keeps one copies it.
 */
#ifndef PARIGOT_TRANSPORT_H
#define PARIGOT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pg_mem pg_mem; /**< the allocator (util/mem.h) */
/** A unit's transport, opened by pg_transport_kind.open. */
typedef struct pg_transport pg_transport;

/** Who a call is made for, as it travels between units: the user logged
 * in (none when user_id is "") and the trace it belongs to. Every string
 * is NUL-terminated, "" when absent; role names are joined by ','. */
typedef struct pg_transport_ctx {
  const char *user_id;     /**< the user's login, unique; "": no user */
  const char *user_name;   /**< the name to show; "" when none */
  const char *user_roles;  /**< its roles, "admin,staff"; "" when none */
  const char *traceparent; /**< W3C traceparent, or "" */
} pg_transport_ctx;

/** A call that came in for a service of this unit. */
typedef struct pg_transport_call_in {
  const char *service; /**< the service's full name; service_len bytes */
  size_t service_len;  /**< bytes of service */
  const char *method;  /**< the method's name; method_len bytes */
  size_t method_len;   /**< bytes of method */
  const uint8_t *req;  /**< the request message */
  size_t req_len;      /**< bytes of req */
  uint64_t timeout_ns; /**< the caller's deadline from now; 0: none sent */
  /** the call came from a unit of this app and proved it (signed with
   * the app's secret): caller, origin and ctx are that unit's, and it may
   * call any service. False for any other client: caller is its address,
   * origin "", ctx.user the user its Authorization named and whose
   * password the transport checked (or none), and only public services
   * take its calls. */
  bool is_from_peer;
  const char *caller;   /**< the calling guest's name, or the address */
  const char *origin;   /**< "UNIT/ID" when a unit of the app called, or "" */
  pg_transport_ctx ctx; /**< who the call is for */
  /** a [[route]] of the manifest made it (service and method are the
   * route's, the request a parigot.http.v1.Request the transport built):
   * the route opened that method to the outside, public or not */
  bool is_route;
} pg_transport_call_in;

/** A call this unit makes to a service of a peer unit. */
typedef struct pg_transport_call_out {
  uint32_t peer;        /**< index in pg_transport_config.peers */
  uint64_t id;          /**< the kernel's id: pg_transport_answer.id */
  const char *service;  /**< the service's full name, NUL-terminated */
  const char *method;   /**< method_len bytes */
  size_t method_len;    /**< bytes of method */
  const void *req;      /**< the request message */
  size_t req_len;       /**< bytes of req */
  uint64_t timeout_ns;  /**< 0: none */
  const char *caller;   /**< the calling guest's name, NUL-terminated */
  pg_transport_ctx ctx; /**< who the call is for: sent, signed */
} pg_transport_call_out;

/** An answer: the kernel's reply to a call in, or a peer's answer to a
 * call out. Status 0 with the response message in body, or a gRPC status
 * with its message in body. */
typedef struct pg_transport_answer {
  uint64_t id;       /**< the call's id: the kernel's, or the transport's */
  uint32_t status;   /**< 0, or a gRPC status */
  int32_t app_error; /**< the service's own error enum, or 0 */
  const void *body;  /**< the response, or the status's message */
  size_t len;        /**< bytes of body */
} pg_transport_answer;

/** What a transport tells the kernel; every event takes the app's lock. */
typedef struct pg_transport_events {
  /** A call came in. 0 with *id set: the answer comes through ops.reply.
   * Otherwise a gRPC status to fail it with at once, with @p why. */
  uint32_t (*call)(void *user, const pg_transport_call_in *c, uint64_t *id,
                   char *why, size_t why_cap);
  /** The caller of call @p id gave up: no reply is wanted. */
  void (*cancel)(void *user, uint64_t id);
  /** The answer to a call out, exactly once per call out that ops.call
   * accepted: the peer's, or UNAVAILABLE when it cannot be reached. */
  void (*answered)(void *user, const pg_transport_answer *a);
  /** Peer @p peer serves (after ops.connect), or stopped serving. */
  void (*peer_state)(void *user, uint32_t peer, bool is_up, const char *why);
  /** One line for the app's log; @p level as pg_log_level. */
  void (*log)(void *user, int level, const char *msg);
  void *user; /**< passed to every event */
} pg_transport_events;

/** Another unit of the app. */
typedef struct pg_transport_peer {
  const char *unit; /**< its name */
  const char *host; /**< the address it listens on, or NULL: none */
  uint16_t port;    /**< its port */
} pg_transport_peer;

/** A path of a unit's port that answers plain HTTP (the manifest's
 * [[route]]): requests whose path starts with @p path go to a guest's
 * method, or are files of a directory. */
typedef struct pg_transport_route {
  const char *path;    /**< starts with '/'; "/shop" takes "/shop" and
                            "/shop/..." (not "/shopping"); the longest
                            route that takes a path serves it */
  const char *methods; /**< "GET,HEAD,POST", upper case; "": any */
  const char *service; /**< the full name of the service whose method
                            takes a parigot.http.v1.Request and answers a
                            parigot.http.v1.Response; NULL: a dir route */
  const char *method;  /**< that method's name; NULL with service */
  const char *dir;     /**< absolute directory of static files; NULL with
                            service */
  const char *index;   /**< the file a directory's path serves: "index.html" */
  bool needs_login;    /**< only a logged-in user gets it (401 otherwise) */
  const char *roles;   /**< the user needs one of them (403 otherwise),
                            joined by ','; "": any user */
} pg_transport_route;

/** Who may log in at a unit's port (the manifest's [auth]). */
typedef struct pg_transport_auth {
  const char *users;  /**< htpasswd file, absolute; NULL: nobody logs in */
  const char *groups; /**< group file ("role: user user"), or NULL */
  const char *realm;  /**< the realm WWW-Authenticate names */
} pg_transport_auth;

/** One unit's transport; every string and array is borrowed until free. */
typedef struct pg_transport_config {
  const char *unit;               /**< this unit's name */
  const char *host;               /**< where it listens; NULL: nowhere */
  uint16_t port;                  /**< 0: any free port */
  const pg_transport_peer *peers; /**< every unit of the app, by index */
  uint32_t npeers;                /**< entries in peers */
  uint64_t max_message_size;      /**< bytes of one request or response */
  uint64_t request_timeout_ns;    /**< 0: the transport's default */
  /** the app's secret, shared by its units: calls out are signed with
   * it, and only calls in signed with it are is_from_peer; NULL: none
   * (no call in is from a peer). secret_len >= 16 otherwise. */
  const uint8_t *secret;
  size_t secret_len;                /**< bytes of secret */
  const pg_transport_route *routes; /**< the unit's HTTP routes */
  uint32_t nroutes;                 /**< entries in routes */
  pg_transport_auth auth;           /**< who may log in */
} pg_transport_config;

/** What a transport does for the kernel: its functions, constant. */
typedef struct pg_transport_ops {
  /** The unit's message types, as a serialized FileDescriptorSet (sets
   * concatenate): what a transport that speaks JSON needs. Copies. 0, or
   * a negative parigot errno with @p err saying why. */
  int (*set_types)(pg_transport *t, const uint8_t *fds, size_t len, char *err,
                   size_t err_len);
  /** The port it listens on (the one chosen when cfg.port was 0). */
  uint16_t (*port)(const pg_transport *t);
  /** Calls in are taken from now on: every local service is up. */
  void (*serve)(pg_transport *t);
  /** The answer to call in @p a->id; copies it. A reply to a call whose
   * caller gave up is dropped. */
  void (*reply)(pg_transport *t, const pg_transport_answer *a);
  /** Keeps @p peer connected from now on; events.peer_state says when it
   * is up. */
  void (*connect)(pg_transport *t, uint32_t peer);
  /** Sends a call out; copies it. 0, or PARIGOT_ENOMEM when it is not
   * sent and no answer will come. */
  int (*call)(pg_transport *t, const pg_transport_call_out *c);
  /** Closes everything and frees @p t; no event comes after it returns.
   * Called without the app's lock. */
  void (*free)(pg_transport *t);
  /** For tests: what happens from now on to the traffic from unit @p from
   * to unit @p to (indices of the peers): a PG_TRANSPORT_LINK_*, and for
   * DELAY how late. NULL when the transport cannot (a real network). 0,
   * or PARIGOT_EINVAL. */
  int (*set_link)(pg_transport *t, uint32_t from, uint32_t to, int state,
                  uint64_t delay_ns);
} pg_transport_ops;

/** What a link between two units does (pg_transport_ops.set_link). */
enum {
  PG_TRANSPORT_LINK_OK = 0,    /**< carries everything, at once */
  PG_TRANSPORT_LINK_CUT = 1,   /**< a call or answer fails UNAVAILABLE */
  PG_TRANSPORT_LINK_DROP = 2,  /**< calls and answers are lost: calls time
                                    out at their deadline */
  PG_TRANSPORT_LINK_DELAY = 3, /**< carries everything, delay_ns late */
};

/** Every transport starts with this; its ops are constant. */
struct pg_transport {
  const pg_transport_ops *ops; /**< constant, the transport's own */
};

/** A way to carry calls, which the CLI picks and hands to the app. */
typedef struct pg_transport_kind {
  const char *name;      /**< for messages: "wire", "loopback" */
  bool is_deterministic; /**< may serve a deterministic app */
  bool needs_addresses;  /**< peers are reached at their listen address, so
                            a unit called must have one with a port */
  /** Opens the unit's transport: binds its address at once, so that a
   * taken port is the caller's error; takes no call before ops.serve.
   * @p ev is copied. 0, or a negative parigot errno with @p err naming
   * the address and the reason. */
  int (*open)(const struct pg_transport_kind *kind,
              const pg_transport_config *cfg, const pg_transport_events *ev,
              const pg_mem *mem, pg_transport **out, char *err, size_t err_len);
  void *user; /**< the kind's own, for open */
} pg_transport_kind;

#endif /* PARIGOT_TRANSPORT_H */
