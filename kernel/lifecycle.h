/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/lifecycle.h: a guest's life once loaded: running its code,
 * handing it events, its start being over, its death (what it costs its
 * callers, who is told), and its restart after a backoff. Lock held in
 * everything here; a guest's own code runs outside it.
 */
#ifndef PG_LIFECYCLE_H
#define PG_LIFECYCLE_H

#include "appstate.h"

/* Runs a () -> () export of @p g outside the section, which it enters
 * again on return. False when the guest ended in it (then it is dead or
 * exited, and released). */
bool pg_guest_run_entry(pg_app *app, pg_guest *g, const char *entry);

/* @p g, a service that runs no code of its own (a native one), died:
 * @p why says why, as a trap's name would. Its calls fail, its
 * dependents are told, it may restart. */
void pg_guest_fail(pg_app *app, pg_guest *g, const char *why);

/* Hands @p ev to its guest, which the caller marked busy. */
void pg_guest_deliver(pg_app *app, pg_event *ev);

/* After a START: the guest is up, unless it died in its start hook. A
 * restarted service's dependents are told it is back. */
void pg_guest_started(pg_app *app, pg_guest *g);

/* Notes that @p g's first start is over when it is (up, or dead for
 * good); the last service's serves the unit. */
void pg_guest_settle_start(pg_app *app, pg_guest *g);

/* Frees the instance of @p g, which ended, and its queued events. */
void pg_guest_release(pg_app *app, pg_guest *g);

/* A DIED or RESTARTED event (@p kind) to every running guest that
 * requires a service @p p exports. */
void pg_guest_tell_dependents(pg_app *app, const pg_guest *p, uint32_t kind);

/* The earliest restart to come, in *at; false if none. */
bool pg_app_next_restart(const pg_app *app, uint64_t *at);

/* Restarts the first guest whose time has come, on the worker @p h; true
 * if there was one. */
bool pg_app_restart_due(pg_app *app, pg_lockholder *h);

/* "1s", "250ms", "20us": a duration as a manifest would write it. */
void pg_format_duration(char *out, size_t cap, uint64_t ns);

#endif /* PG_LIFECYCLE_H */
