/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/scheduler.h: the scheduler: the loop that hands events to guests,
 * fires deadlines, restarts and stops, on one thread (deterministic) or a
 * worker per CPU (parallel), with the timing pulse beside it.
 */
#ifndef PG_SCHEDULER_H
#define PG_SCHEDULER_H

#include "appstate.h"
#include "pulse.h"

typedef enum pg_app_step_result {
  PG_STEP_RAN,  /* it did something: an event, a restart, a stop's step */
  PG_STEP_IDLE, /* nothing to do now (pg_app_next_time says until when) */
  PG_STEP_DONE, /* the app is over */
} pg_app_step_result;

/* Runs the app's loop until it is done, the lock not held. 0, or a
 * negative parigot errno with @p err when the pulse cannot start. */
int pg_app_loop(pg_app *app, char *err, size_t err_len);

/* One turn of the loop, lock held: fires the deadlines due, moves the
 * app's end along, restarts a guest whose time came, or hands one event
 * to its guest. @p h: the worker's holder, NULL in deterministic mode. */
pg_app_step_result pg_app_step(pg_app *app, pg_lockholder *h);

/* The next time something is due (a call's deadline, a restart, the end
 * of drain_timeout) in *at; false if nothing is. */
bool pg_app_next_time(pg_app *app, uint64_t *at);

/* Nothing can happen any more while programs still run: the log says so,
 * the app fails and begins to end. */
void pg_app_stuck(pg_app *app);

/* The app's timing pulse, when it needs one (parallel mode; budgets or a
 * stop signal in deterministic mode), in *out, else NULL; the caller frees
 * it with pg_pulse_free before the app ends. 0, or a negative parigot
 * errno with @p err. */
int pg_app_pulse_new(pg_app *app, pg_pulse **out, char *err, size_t err_len);

#endif /* PG_SCHEDULER_H */
