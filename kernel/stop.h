/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/stop.h: the app's end. It begins when the last program ends, on
 * a stop signal, when startup_timeout passes, or when the app is stuck;
 * then STOP goes to each running guest once nothing running requires it,
 * all within drain_timeout. Lock held.
 */
#ifndef PG_STOP_H
#define PG_STOP_H

#include "appstate.h"

/* Whether the app must begin to end now, and begins it if so; true once
 * it is ending. */
bool pg_app_is_ending(pg_app *app);

/* Begins the stop: restarts are called off, drain_timeout starts. */
void pg_app_begin_shutdown(pg_app *app);

/* Stops the app as a signal would, the log saying @p why: a unit whose
 * app's other units have ended. */
void pg_app_stop_now(pg_app *app, const char *why);

/* One step of the stop; true once it is over: every guest stopped, or
 * drain_timeout ran out (the log then names who was left, and why). */
bool pg_app_shutdown_over(pg_app *app);

#endif /* PG_STOP_H */
