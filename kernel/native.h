/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/native.h: native services inside the kernel: a pg_guest whose
 * code is the host's (include/parigot/native.h), not a wasm instance. The
 * kernel treats it as any guest (graph, calls, start and stop order); only
 * loading and delivering differ, and they are here.
 */
#ifndef PG_NATIVE_H
#define PG_NATIVE_H

#include "appstate.h"
#include "parigot/native.h"

/* Finds @p g's kind among the app's natives and declares what it exports
 * and requires. 0, or a negative parigot errno with @p err naming the
 * service and the kind. */
int pg_native_load(pg_app *app, pg_guest *g, char *err, size_t err_len);

/* Hands @p ev to native service @p g, which the caller marked busy: START
 * (a failed one kills it), CALL, RESPONSE, STOP. Lock held. */
void pg_native_deliver(pg_app *app, pg_guest *g, const pg_event *ev);

/* The kernel's own event kind for a native service's wake-up (kind.wake),
 * beside the ABI's PARIGOT_EV_*; never seen by a guest. */
#define PG_NATIVE_EV_WAKE 0x7f000001u

/* ... and for a guest's end (kind.caller_ended), its name as the caller. */
#define PG_NATIVE_EV_ENDED 0x7f000002u

/* Tells every native service that cares (kind.caller_ended) that @p g
 * ended. Lock held. */
void pg_native_tell_ended(pg_app *app, const pg_guest *g);

/* The earliest wake-up any native service asked for. Lock held. */
bool pg_native_next_wake(const pg_app *app, uint64_t *at);

/* Queues a wake event for each native service whose time came; true if
 * any. Lock held. */
bool pg_native_fire_wakes(pg_app *app);

/* Kills @p g (a guest or a native service) now with @p reason, as a trap
 * would; one that runs on another worker dies when its event ends
 * (g->kill_why). @p by_test: a test's doing, which fails no test. Lock
 * held. */
void pg_guest_kill(pg_app *app, pg_guest *g, const char *reason, bool by_test);

/* Frees @p g's native state (stopping it first if it still runs). */
void pg_native_free(pg_app *app, pg_guest *g);

#endif /* PG_NATIVE_H */
