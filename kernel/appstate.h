/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/appstate.h: the state of a running app, shared by the scheduler
 * (app.c) and the guests' host functions (abi.c). Internal to kernel/.
 *
 * One pg_app owns everything: the engine, each guest's module and
 * instance, the call window, the event queue and the log. A guest's host
 * functions reach it through their pg_guest, which is what wasm2c passes
 * to every import from module "parigot".
 */
#ifndef PG_APPSTATE_H
#define PG_APPSTATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "applock.h"
#include "calls.h"
#include "ctx.h"
#include "engine.h"
#include "fastclock.h"
#include "log.h"
#include "parigot/abi.h"
#include "parigot/transport.h"

/* The ABI's event kinds, header layout, name limit and status codes are
 * include/parigot/abi.h's (PARIGOT_EV_*, PARIGOT_CODE_*). */

/* The caller of a call that came through the transport (pg_call.caller). */
#define PG_CALLER_OUTSIDE UINT32_MAX

/* An event waiting for its guest: the bytes event_read copies, already in
 * the ABI's layout (docs/abi.md). */
typedef struct pg_event {
  struct pg_event *next;
  uint32_t guest; /* recipient */
  uint32_t kind;
  uint64_t call_id;
  uint32_t len;
  uint32_t cap;    /* bytes allocated after the header */
  bool is_placed;  /* written straight into the guest's event buffer */
  uint64_t due_ns; /* not taken before, on the app's clock; 0: at once */
  pg_ctx *ctx;     /* who it is for: a reference it owns; NULL: nobody */
  uint8_t bytes[]; /* len bytes, unless is_placed */
} pg_event;

typedef enum pg_guest_state {
  PG_GUEST_LOADED,     /* declared, not started */
  PG_GUEST_RUNNING,    /* started; takes events */
  PG_GUEST_EXITED,     /* a program that called proc_exit */
  PG_GUEST_DEAD,       /* trapped, interrupted, or a service that exited */
  PG_GUEST_RESTARTING, /* dead, to start again at restart_at */
  PG_GUEST_STOPPED,    /* stopped at the app's end */
} pg_guest_state;

typedef struct Z_parigot_instance_t pg_guest;

/* A guest that requires another: the graph's edges, read backwards. */
typedef struct pg_dependent {
  uint32_t guest; /* its index */
  uint32_t req;   /* which of its requirements the other one meets */
} pg_dependent;

struct Z_parigot_instance_t {
  struct pg_app *app;            /* borrowed */
  uint32_t index;                /* in app->guests */
  const pg_manifest_guest *spec; /* borrowed */
  uint32_t name_len;             /* strlen(spec->name) */
  pg_module *module;             /* owned unless shares_module */
  bool shares_module;            /* an earlier guest loaded the same file */
  pg_instance *inst;             /* owned; NULL once it ended (the pulse
                                    reads it under app->inst_mutex) */
  wasm_rt_memory_t *memory;      /* the instance's, or NULL */
  char **exports;                /* owned, nexports strings */
  uint32_t nexports;
  char **requires; /* owned, nrequires strings */
  uint32_t nrequires;
  uint32_t *providers;        /* owned: guest index per requirement */
  uint32_t *provider_exports; /* owned: its index in that guest's exports */
  pg_dependent *dependents;   /* owned, ndependents, in guest order */
  uint32_t ndependents;
  bool is_remote;           /* a service of another unit: calls to
                               it go through the transport to `peer` */
  struct pg_native *native; /* owned: a native service's state
                               (native.c), or NULL: a guest */
  bool is_external;         /* ...of a unit outside parigot: no
                               module; its spec is the kernel's */
  uint32_t peer;            /* its unit's index in the manifest */
  bool is_connecting;       /* remote, started: waits for its unit */
  bool is_declaring;        /* inside parigot_main */
  uint8_t *fds;             /* owned: its FileDescriptorSet, as the
                               describe import builds it */
  size_t nfds;
  const pg_event *event;     /* during parigot_event */
  uint32_t evbuf, evbuf_cap; /* where events go, set by event_buffer */
  uint32_t nqueued;          /* its events waiting in the queue */
  bool is_buffer_claimed;    /* a queued event is already in evbuf */
  uint64_t call_id;          /* the call being handled, for the log */
  pg_ctx *ctx;               /* the context of the event being handled
                                (a reference it owns until the event
                                ends): its calls carry it */
  pg_guest_state state;
  int exit_code;
  bool has_trapped;
  bool is_busy;           /* a worker is running its code */
  bool is_started;        /* its first start is over: it is up, or
                             dead for good */
  bool is_start_queued;   /* LOADED, its START queued: calls to it
                             wait behind that */
  bool is_up;             /* started, and not dead since */
  bool is_stop_sent;      /* the app's end: STOP is queued */
  bool has_stop_returned; /* its STOP handler is over */
  pg_lockholder *worker;  /* that worker's, while is_busy */
  /* The pulse's tick count when its running event started, plus one; 0
   * while it runs none. The pulse reads it without the lock. */
  atomic_uint_least64_t event_tick;
  uint64_t watched_event;      /* pulse thread only: the event_tick it */
  uint64_t watched_since_ns;   /* first saw, and when (host clock) */
  atomic_bool is_overdue;      /* the pulse stopped it for that */
  atomic_bool is_cut_off;      /* drain_timeout stopped it */
  char death[160];             /* why it died, for the summary */
  char kill_why[160];          /* killed as it ran: it dies, with this
                                  reason, once its event ends */
  bool is_kill_by_test;        /* ...by a test's doing */
  char last_error[400];        /* the last line it logged at ERROR (cut
                                  at a character), for a test's verdict */
  uint64_t began_ns, ended_ns; /* on the app's clock: its first START, its
                                  end; 0: not yet */
  uint32_t calls_failed;       /* calls that failed as it was dead */
  uint32_t ndeaths;
  uint32_t nkills;     /* of them, caused by a test (Kill, a fault) */
  uint32_t nrestarts;  /* restarts begun */
  uint64_t restart_at; /* RESTARTING: when, on the app's clock */
};

/* Whether @p g's exports take calls before its START: those of a test
 * program are mocks of the services it tests through, which must answer
 * while those services start. */
static inline bool pg_guest_serves_early(const pg_guest *g) {
  return g->spec->is_test && g->nexports > 0;
}

/* Whether a call to @p g is queued for it rather than failed at once. */
static inline bool pg_guest_takes_calls(const pg_guest *g) {
  return g->state == PG_GUEST_RUNNING ||
         (g->state == PG_GUEST_LOADED && g->is_start_queued);
}

/* Everything below is guarded by `lock`, except what a guest's own code
 * touches while it is busy (its event, its declarations). A deterministic
 * app has a single thread and takes no lock at all. */
typedef struct pg_app {
  pg_applock lock;
  pthread_cond_t wake;         /* an event was posted or finished */
  bool wants_wake;             /* signal `wake` when the section ends */
  uint32_t nawake;             /* workers not waiting on `wake` */
  atomic_uint_least64_t ticks; /* the pulse's ticks so far */
  atomic_bool is_tick_due;     /* the pulse left its tick to the solo
                                  worker (applock.h) */
  bool is_done;                /* every program has ended */
  bool is_stuck;               /* it ended as nothing was left to happen */
  bool was_startup_late;       /* it ended as startup_timeout passed */
  atomic_bool is_timed_out;    /* the tests ran past tests_timeout_ns */
  uint32_t nworkers;           /* threads running the loop */
  uint32_t programs_left;      /* programs not yet exited or dead */
  bool serves_until_stopped;   /* no program at all: only a signal ends
                                  it */
  atomic_bool is_stopping;     /* a stop signal came (set by the pulse,
                                  in a section) */
  atomic_uint nstarting;       /* services whose start is not over */
  atomic_bool is_startup_late; /* parallel: the pulse saw
                                  startup_timeout pass */
  bool is_shutting_down;       /* the services are being stopped */
  uint64_t drain_deadline_ns;  /* deterministic: the stop's end */
  atomic_uint_least64_t drain_deadline_host_ns; /* parallel: the same on
                                     the host's clock; 0 until then */
  atomic_bool is_drain_late;   /* parallel: the pulse saw it pass */
  uint32_t nrestarting;        /* guests in PG_GUEST_RESTARTING */
  uint32_t nwakes;             /* native services with a wake-up asked */
  uint32_t nconnecting;        /* remote services waiting for their
                                  unit to serve (at first, or again):
                                  the transport will wake the loop */
  pthread_mutex_t inst_mutex;  /* guests' `inst`, for the pulse */
  const pg_app_config *cfg;    /* borrowed */
  const pg_mem *mem;           /* borrowed */
  pg_engine *engine;           /* owned */
  pg_guest *guests;            /* owned, nguests */
  pg_manifest_guest *external; /* owned: specs of the services of
                                  units outside parigot */
  pg_manifest_guest testkit;   /* the spec of parigot test's own
                                  service "parigot-test", when added */
  uint32_t nguests;
  uint32_t *start_order; /* owned: guest indices, once planned */
  pg_calls calls;
  pg_event *head, *tail;   /* FIFO, owned */
  uint32_t nqueued;        /* events in it */
  uint64_t ntaken;         /* events taken from it, ever */
  uint64_t ntaken_at_tick; /* ntaken at the pulse's last tick */
  uint32_t ndelayed;       /* queued events with a due_ns */
  uint64_t explore_rng;    /* explores_schedule: the schedule's
                              random state (explore.c) */
  bool *explore_seen;      /* owned, nguests: explore.c's scratch */
  struct pg_fault *faults; /* owned: the faults a test injected */
  uint32_t nfaults;
  pg_event *spare; /* delivered events kept for reuse */
  uint32_t nspare;
  pg_log log;
  uint64_t now_ns;            /* the app's clock (deterministic), or
                                 its last reading (parallel) */
  pg_fastclock fastclock;     /* parallel mode's clock */
  uint64_t start_real_ns;     /* CLOCK_MONOTONIC at start, real mode */
  int first_failure;          /* first non-zero program status */
  pg_transport *transport;    /* owned: the unit's way to the other
                                 units and to outside callers, or NULL */
  pg_transport_peer *peers;   /* owned: every unit, by index */
  pg_transport_route *routes; /* owned (doors.c): this unit's routes */
  uint32_t nroutes;
  uint8_t *secret; /* the app's secret (doors.c), or NULL */
  size_t secret_len;
  bool owns_secret; /* read by the kernel, not the host's */
  bool *is_peer_up; /* owned: each unit's state, as the
                       transport last told it */
} pg_app;

/* Sets the app of @p cfg up to the point where its loop can run: its
 * guests loaded and declared, the graph checked, START events queued, the
 * transport open; the lock not held. 0 with *out set, or a negative
 * parigot errno with @p err (nothing is left to free). */
int pg_app_open(const pg_app_config *cfg, const pg_mem *mem, pg_app **out,
                char *err, size_t err_len);

/* Once its loop is over: closes the transport, writes the summary and
 * the programs' results, frees @p app. Returns the app's exit status. */
int pg_app_close(pg_app *app);

/* The app's clock: virtual (advanced by the scheduler) in deterministic
 * mode, real time since start otherwise. Lock held in deterministic mode. */
uint64_t pg_app_now(pg_app *app);

/* Enter and leave a section under the app's lock; host functions are in
 * one while they touch the app's state. @p h: the calling worker's
 * holder (a busy guest's `worker`), or NULL for any other thread. */
void pg_app_enter(pg_app *app, pg_lockholder *h);
void pg_app_leave(pg_app *app, pg_lockholder *h);

/* What an event says: the ABI's header fields and its byte strings. */
typedef struct pg_event_spec {
  uint32_t kind;
  uint32_t status;
  uint64_t call_id;
  uint64_t deadline_ns;
  int32_t app_error;
  uint32_t service;
  const void *method;
  uint32_t method_len;
  const char *caller; /* guest name, for CALL */
  uint32_t caller_len;
  const void *payload;
  uint32_t payload_len;
  uint64_t delay_ns; /* delivered this late (an injected fault); 0: now */
  pg_ctx *ctx;       /* who it is for; the event takes a reference */
} pg_event_spec;

/* Queues an event for @p guest and wakes the workers. Lock held. 0 or
 * PARIGOT_ENOMEM. */
int pg_app_post(pg_app *app, uint32_t guest, const pg_event_spec *e);

/* Copies @p ev into the buffer @p g registered with event_buffer, if it
 * fits there and lies inside the guest's memory; false otherwise, when the
 * guest fetches it with event_read. (abi.c) */
bool pg_abi_deliver(pg_guest *g, const pg_event *ev);

/* The guest's registered event buffer if @p len bytes fit in it and lie in
 * its memory, else NULL. (abi.c) */
uint8_t *pg_abi_event_buffer(pg_guest *g, uint32_t len);

/* Sends @p call, just started by a guest's dispatch, to the unit of
 * @p callee, a remote service: method @p method, export @p export, the
 * request @p req. The answer comes back as a RESPONSE. Lock held. */
void pg_app_call_out(pg_app *app, pg_guest *callee, pg_call *call,
                     uint32_t export, const char *method, uint32_t method_len,
                     const void *req, uint32_t req_len, const char *caller);

/* Ends @p call with its answer @p e (a RESPONSE): an event for a guest
 * that called, the transport's reply for a caller outside. Lock held. 0 or
 * PARIGOT_ENOMEM. */
int pg_app_answer(pg_app *app, pg_call *call, const pg_event_spec *e);

/* Starts a call from @p g to its requirement @p handle (an index in its
 * requires): method @p method, request @p req; the answer comes as a
 * RESPONSE event for @p g. The ABI's dispatch, for guests and native
 * services alike. Lock held. 0 with *id set, or a negative parigot errno
 * (PARIGOT_EINVAL, PARIGOT_ETOOBIG, PARIGOT_ENOMEM). */
int pg_app_dispatch(pg_app *app, pg_guest *g, uint32_t handle,
                    const char *method, uint32_t method_len, const void *req,
                    uint32_t req_len, uint64_t timeout_ns, uint64_t *id);

/* @p g answers call @p id: the ABI's respond, for guests and native
 * services alike (docs/abi.md lists its errors). Lock held. */
int pg_app_respond(pg_app *app, pg_guest *g, uint64_t id, uint32_t status,
                   int32_t app_error, const void *body, uint32_t len);

/* Ends @p call with a RESPONSE to its caller carrying @p status and a
 * message; for the kernel's own failures (deadline, dead callee). Lock
 * held. */
void pg_app_fail_call(pg_app *app, pg_call *call, uint32_t status,
                      const char *why);

#endif /* PG_APPSTATE_H */
