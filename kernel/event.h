/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/event.h: the app's event queue. One FIFO of events, each for one
 * guest, in the ABI's layout (pg_app_post in appstate.h queues one).
 * Delivered events are kept as spares for reuse, so a steady flow of
 * calls stops allocating. All under the app's lock.
 */
#ifndef PG_EVENT_H
#define PG_EVENT_H

#include "appstate.h"

/* The oldest event whose guest can take it now, unlinked; NULL when none.
 * Events of a busy guest wait, so each guest sees its events in order;
 * a START waits for its guest's providers to have started; an event with
 * a due_ns waits for it (others may overtake it). With an explored
 * schedule, one of the events that could be taken, as explore.c picks. */
pg_event *pg_event_take(pg_app *app);

/* The earliest due_ns of the events queued with one (a delay), in *at;
 * false when none is. */
bool pg_event_next_due(const pg_app *app, uint64_t *at);

/* Gives back @p ev, which was taken: kept as a spare, or freed. */
void pg_event_free(pg_app *app, pg_event *ev);

/* Drops the events queued for @p g, which ended. */
void pg_event_drop_for(pg_app *app, pg_guest *g);

/* Frees every event, queued or spare: the app's end. */
void pg_event_free_all(pg_app *app);

#endif /* PG_EVENT_H */
