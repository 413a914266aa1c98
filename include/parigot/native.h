/* SPDX-License-Identifier: Apache-2.0 */
/*
 * include/parigot/native.h: services the host implements in C, beside the
 * guests (the built-ins: database, files, queue, auth).
 *
 * A native service is a node of the app's graph like a guest: the
 * manifest declares it (`[[service]]` with `native = "KIND"` instead of
 * `wasm`), its kind says what it exports and requires, it starts after
 * what it requires and stops before it, guests reach it through the same
 * locate and dispatch (their requirements are their capabilities), and a
 * unit serves it to other units and outside clients like any service.
 * Its events come from the scheduler: START (kind.start), a CALL
 * (kind.call), the answer to a call it made (kind.answered), STOP
 * (kind.stop). In deterministic mode they all run on the scheduler's
 * thread, in the order the inputs fix.
 *
 * A call is answered with pg_native_respond(), from its handler or later:
 * in parallel mode from any thread (a worker of its own, say), which is
 * how a slow handler leaves the scheduler free. A service calls what it
 * requires with pg_native_dispatch(); the answer comes as kind.answered.
 *
 * Every function here takes the app's lock itself, except from inside a
 * handler, where the kernel already holds it.
 */
#ifndef PARIGOT_NATIVE_H
#define PARIGOT_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The kernel's handle on one native service: what every handler gets. */
typedef struct pg_native pg_native;

/** A call to a native service. */
typedef struct pg_native_call {
  uint64_t id;          /**< the call's id: pg_native_respond() takes it */
  uint32_t service;     /**< index in pg_native_kind.exports */
  const char *method;   /**< the method's name, method_len bytes */
  size_t method_len;    /**< bytes of method */
  const uint8_t *req;   /**< the request message; valid in the handler */
  size_t req_len;       /**< bytes of req */
  const char *caller;   /**< the calling guest or unit; caller_len bytes */
  size_t caller_len;    /**< bytes of caller */
  uint64_t deadline_ns; /**< on the app's clock (pg_native_now) */
} pg_native_call;

/** The answer to a call a native service made. */
typedef struct pg_native_answer {
  uint64_t id;         /**< what pg_native_dispatch() returned */
  uint32_t status;     /**< 0, or a gRPC status */
  int32_t app_error;   /**< the callee's own error enum, or 0 */
  const uint8_t *body; /**< the response, or the status's message */
  size_t len;          /**< bytes of body */
} pg_native_answer;

/** A kind of native service: constant, given to the app by its host. */
typedef struct pg_native_kind {
  const char *name;            /**< what `native = "..."` names */
  const char *const *exports;  /**< the services' full names */
  uint32_t nexports;           /**< entries in exports */
  const char *const *requires; /**< what it calls, or NULL */
  uint32_t nrequires;          /**< entries in requires */
  const uint8_t *descriptors;  /**< its FileDescriptorSet, or NULL */
  size_t descriptors_len;      /**< bytes of descriptors */
  /** START: sets *state up. 0, or non-zero with @p why: it dies. */
  int (*start)(pg_native *n, void **state, char *why, size_t why_cap);
  /** A call: answered with pg_native_respond(), now or later. */
  void (*call)(pg_native *n, void *state, const pg_native_call *c);
  /** The answer to a call it made; NULL if it makes none. */
  void (*answered)(pg_native *n, void *state, const pg_native_answer *a);
  /** STOP: frees @p state. Calls still unanswered fail UNAVAILABLE. */
  void (*stop)(pg_native *n, void *state);
  /** The keys its manifest `config` table may hold; others are refused at
   * load with their line. NULL with nsettings 0: it takes none. */
  const char *const *settings;
  uint32_t nsettings; /**< entries in settings */
  /** At load, before the app's graph is built: adds exports, requirements
   * and descriptors that depend on its settings (pg_native_export,
   * pg_native_require), beside the constant ones above. NULL: none. 0, or
   * non-zero with @p why: the app does not start. */
  int (*declare)(pg_native *n, char *why, size_t why_cap);
  /** The time asked for with pg_native_wake_at() came; NULL if it asks
   * for none. */
  void (*wake)(pg_native *n, void *state, uint64_t now_ns);
  /** Guest @p name of this app ended (exited, died, or is about to
   * restart): what it held is to be let go (a transaction, a lease). NULL
   * if the kind holds nothing for its callers. */
  void (*caller_ended)(pg_native *n, void *state, const char *name);
} pg_native_kind;

/** Answers call @p id: status 0 with the response @p body, or a gRPC
 * status with its message in @p body. Copies @p body. 0; or a negative
 * parigot errno: PARIGOT_ECANCELED when the call already ended (deadline,
 * caller gone), PARIGOT_ENOENT when it is not this service's to answer,
 * PARIGOT_ETOOBIG when over max_message_size (the call then fails). */
int pg_native_respond(pg_native *n, uint64_t id, uint32_t status,
                      int32_t app_error, const void *body, size_t len);

/** Calls @p method of requirement @p req (an index in kind.requires) with
 * the request @p body, deadline @p timeout_ns from now (0: the app's
 * default); the answer comes as kind.answered. Copies everything. 0 with
 * *id set, or a negative parigot errno. */
int pg_native_dispatch(pg_native *n, uint32_t req, const char *method,
                       const void *body, size_t len, uint64_t timeout_ns,
                       uint64_t *id);

/** The value of setting @p key of the service's `config` table, as text
 * (an integer in decimal, a boolean as "true" or "false"), or NULL when
 * the manifest does not set it. Valid until the app is freed. */
const char *pg_native_setting(const pg_native *n, const char *key);

/** @p path made absolute against the manifest's directory (as the manifest
 * resolves its own paths), into @p out of @p cap bytes. 0, or
 * PARIGOT_ETOOBIG when it does not fit. */
int pg_native_path(const pg_native *n, const char *path, char *out, size_t cap);

/** Only in kind.declare: the service also exports @p service (a full
 * name), described by @p descriptors (a FileDescriptorSet, copied; NULL
 * with 0 when another export's descriptors cover it). 0, or
 * PARIGOT_EINVAL outside declare, PARIGOT_ENOMEM. */
int pg_native_export(pg_native *n, const char *service, const void *descriptors,
                     size_t len);

/** Only in kind.declare: the service also requires @p service. 0, or
 * PARIGOT_EINVAL outside declare, PARIGOT_ENOMEM. */
int pg_native_require(pg_native *n, const char *service);

/** Asks for kind.wake once the app's clock (pg_native_now) reaches
 * @p at_ns; one time per service, a new one replacing the old; 0 cancels.
 * In deterministic mode the virtual clock jumps to it when nothing else is
 * due. 0, or PARIGOT_EINVAL when the kind has no wake. */
int pg_native_wake_at(pg_native *n, uint64_t at_ns);

/** Ends the service as a trap ends a guest, @p why saying why: calls
 * waiting on it fail UNAVAILABLE, its dependents are told, and it restarts
 * if the manifest says so (kind.start again). Only from inside one of its
 * handlers; it takes effect when that returns. 0, or PARIGOT_EINVAL
 * elsewhere. */
int pg_native_fail(pg_native *n, const char *why);

/** Whether the app runs deterministically: then everything a service does
 * must follow from its events alone (no thread of its own, no clock but
 * pg_native_now). */
bool pg_native_is_deterministic(const pg_native *n);

/** One line in the app's log, under the service's name; @p level 0
 * DEBUG to 3 ERROR. */
void pg_native_log(pg_native *n, int level, const char *msg);

/** The app's clock, ns (virtual in deterministic mode). */
uint64_t pg_native_now(pg_native *n);

/** The largest message a call or an answer may be: the manifest's
 * app.max_message_size. */
size_t pg_native_max_message_size(const pg_native *n);

/** The service's name in the manifest. */
const char *pg_native_name(const pg_native *n);

/** What an injected fault does to the calls it hits. */
enum {
  PG_NATIVE_FAULT_FAIL = 1,  /**< answered at once with code and message */
  PG_NATIVE_FAULT_DELAY = 2, /**< delivered delay_ns late */
  PG_NATIVE_FAULT_KILL = 3   /**< the callee is killed as the call arrives */
};

/** A fault for the calls to a service of the app (the test built-in's). */
typedef struct pg_native_fault {
  const char *service; /**< a protobuf service's full name */
  const char *method;  /**< one of its methods, or NULL or "" for all */
  uint32_t nth;        /**< the first call hit: 1 is the next one */
  uint32_t count;      /**< how many from it; 0 means 1 */
  int action;          /**< PG_NATIVE_FAULT_* */
  uint32_t code;       /**< FAIL: a gRPC code other than OK */
  const char *message; /**< FAIL: the status message (NULL: a default) */
  uint64_t delay_ns;   /**< DELAY: how late */
} pg_native_fault;

/** Injects @p f (copied) into the app: the calls guests and native
 * services of this unit make from now on are counted against it. 0; or
 * PARIGOT_EINVAL with @p why (a bad fault, or a service nobody exports),
 * PARIGOT_ENOSPC (too many), PARIGOT_ENOMEM. */
int pg_native_inject_fault(pg_native *n, const pg_native_fault *f, char *why,
                           size_t why_cap);

/** Kills service @p guest of the app now, as a trap would, with the death
 * @p reason: calls waiting on it fail UNAVAILABLE, its dependents are
 * told, its restart policy applies (one that runs on another thread dies
 * when its event ends). 0; or PARIGOT_ENOENT (no such guest here),
 * PARIGOT_EINVAL (a program, or this service itself) with @p why. */
int pg_native_kill(pg_native *n, const char *guest, const char *reason,
                   char *why, size_t why_cap);

/** What happens from now on to the traffic from unit @p from to unit
 * @p to (their names in the manifest): a PG_TRANSPORT_LINK_* of
 * parigot/transport.h, and for DELAY how late. Only between the units of
 * an app run in one process (the loopback of `parigot test`). 0; or
 * PARIGOT_ENOTSUP (units of other processes), PARIGOT_ENOENT (no such
 * unit), PARIGOT_EINVAL, each with @p why. */
int pg_native_set_link(pg_native *n, const char *from, const char *to,
                       int state, uint64_t delay_ns, char *why, size_t why_cap);

#endif /* PARIGOT_NATIVE_H */
