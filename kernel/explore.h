/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/explore.h: schedule exploration (`parigot test --explore N`,
 * `--seed S`). With pg_app_config.explores_schedule, the schedule of a
 * deterministic app is drawn from its seed instead of being oldest event
 * first: which ready event runs next, and how late each call and answer
 * is delivered (within its deadline). Each guest still sees the events
 * that are due in the order they were posted to it. The same seed gives
 * the same schedule, so a failure found this way replays byte for byte.
 * Everything under the app's lock, with the app's state (no globals).
 */
#ifndef PG_EXPLORE_H
#define PG_EXPLORE_H

#include "appstate.h"

/* Sets up exploration for @p app from its config: its random state, and
 * the scratch it needs. 0, or PARIGOT_ENOMEM. Does nothing without
 * explores_schedule. */
int pg_explore_init(pg_app *app);

/* Frees what pg_explore_init allocated. */
void pg_explore_free(pg_app *app);

/* How late to deliver the event @p e being posted, in ns, in an explored
 * app (pg_explore_init set it up): 0 for any event but a call or an
 * answer. */
uint64_t pg_explore_delay(pg_app *app, const pg_event_spec *e);

/* Of the @p n candidate events (each due, its guest idle, and the first
 * due one of its guest), the index of the one to run next. */
uint32_t pg_explore_pick(pg_app *app, uint32_t n);

#endif /* PG_EXPLORE_H */
