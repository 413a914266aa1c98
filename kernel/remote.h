/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/remote.h: a unit and the other units of its app, through the
 * transport it was handed (parigot/transport.h): calls that come in,
 * calls to remote services and their answers, peers going up and down.
 * (pg_app_call_out, which a guest's dispatch uses, is in appstate.h.)
 */
#ifndef PG_REMOTE_H
#define PG_REMOTE_H

#include "appstate.h"

/* Opens the unit's transport when it listens or calls other units; its
 * port is bound now. 0, or a negative parigot errno with @p err. */
int pg_app_open_transport(pg_app *app, char *err, size_t err_len);

/* The unit takes calls from now on: every local service is up. */
void pg_app_serve(pg_app *app);

/* Starts remote service @p g: at once if its unit serves, else once it
 * does. */
void pg_app_start_remote(pg_app *app, pg_guest *g);

/* Remote services no local guest requires start at once, unconnected. */
void pg_app_settle_remotes(pg_app *app);

/* " (front's call 12)" for a call another unit made, else "" (app.c). */
const char *pg_app_origin_note(const pg_app *app, const pg_call *call,
                               char *out, size_t cap);

#endif /* PG_REMOTE_H */
