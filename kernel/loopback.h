/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/loopback.h: a transport in memory, for every unit of an app in
 * one process (parigot/transport.h).
 *
 * One pg_loopback joins the units: each unit's app opens its endpoint
 * through pg_loopback_kind(). What a unit sends (a call, an answer, a
 * cancel, a peer going up or down) waits in one FIFO until its owner
 * calls pg_loopback_deliver(), which hands each message to its unit's
 * events. Nothing moves on its own: whoever drives the units decides when
 * messages arrive, so a run is deterministic (world.c delivers between
 * the units' turns), and a test can hold, drop or reorder unit traffic
 * at that one place.
 *
 * Single-threaded: the endpoints, the events and pg_loopback_deliver()
 * all run on the thread that drives the units.
 */
#ifndef PG_LOOPBACK_H
#define PG_LOOPBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "parigot/transport.h"

typedef struct pg_loopback pg_loopback;

/* Messages that may wait at once; a call beyond it fails with
 * PARIGOT_ENOMEM (the caller sees RESOURCE_EXHAUSTED). */
#define PG_LOOPBACK_MAX_QUEUED 65536u

/* A loopback for @p nunits units, named by pg_transport_config.peers of
 * each endpoint (the same list for all). 0 or PARIGOT_ENOMEM. */
int pg_loopback_new(pg_loopback **out, uint32_t nunits, const pg_mem *mem);

/* The kind whose open makes a unit's endpoint on @p lb. Valid as long as
 * @p lb is. */
const pg_transport_kind *pg_loopback_kind(pg_loopback *lb);

/* Hands every message queued so far and due at @p now_ns (the units'
 * clock) to its unit, in the order they were sent (explored: in an order
 * drawn from the seed, each link keeping its own); those sent meanwhile,
 * and those a delayed link holds, wait for a later call. True if there
 * was any. */
bool pg_loopback_deliver(pg_loopback *lb, uint64_t now_ns);

/* The earliest time a message a delayed link holds is due, in *at; false
 * when none is held. */
bool pg_loopback_next_due(const pg_loopback *lb, uint64_t *at);

/* From now on, messages are delivered in an order drawn from @p seed
 * (schedule exploration, pg_app_config.explores_schedule). */
void pg_loopback_explore(pg_loopback *lb, uint64_t seed);

/* Unit @p unit has ended: calls waiting on it fail UNAVAILABLE, the units
 * connected to it see it go down, and what is sent to it from now on is
 * dropped (a call is answered UNAVAILABLE). */
void pg_loopback_close_unit(pg_loopback *lb, uint32_t unit);

/* Frees @p lb, after every endpoint. NULL is a no-op. */
void pg_loopback_free(pg_loopback *lb);

#endif /* PG_LOOPBACK_H */
