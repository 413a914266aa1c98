/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/doors.h: what a unit's transport needs to know of who may come in
 * (manifest.h's [auth], [[route]] and the app's secret), laid out as
 * include/parigot/transport.h's config takes it. Lock not needed: the app
 * is being opened, on one thread.
 */
#ifndef PG_KERNEL_DOORS_H
#define PG_KERNEL_DOORS_H

#include <stddef.h>

#include "appstate.h"

/* Fills @p tc's secret, routes and auth for this app's unit; the routes
 * are the app's own (pg_doors_free). 0, or PARIGOT_EINVAL with @p err
 * saying why: a unit of an app of several units of parigot with no
 * secret, or one too short, over a network; PARIGOT_ENOMEM. */
int pg_doors_fill(pg_app *app, pg_transport_config *tc, char *err,
                  size_t err_len);

/* Frees what pg_doors_fill made. */
void pg_doors_free(pg_app *app);

#endif /* PG_KERNEL_DOORS_H */
