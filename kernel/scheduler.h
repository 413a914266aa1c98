/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/scheduler.h: the scheduler: the loop that hands events to guests,
 * fires deadlines, restarts and stops, on one thread (deterministic) or a
 * worker per CPU (parallel), with the timing pulse beside it.
 */
#ifndef PG_SCHEDULER_H
#define PG_SCHEDULER_H

#include "appstate.h"

/* Runs the app's loop until it is done, the lock not held. 0, or a
 * negative parigot errno with @p err when the pulse cannot start. */
int pg_app_loop(pg_app *app, char *err, size_t err_len);

#endif /* PG_SCHEDULER_H */
