/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/load.h: bringing guests in: loading their modules, making their
 * instances, running their declarations, and linking the app's graph
 * from what they declared (who provides each requirement, who depends on
 * whom), which also queues the START events in dependency order.
 */
#ifndef PG_LOAD_H
#define PG_LOAD_H

#include "appstate.h"
#include "graph.h"

/* Loads @p g's module (shared with an earlier guest of the same file),
 * checks its ABI and makes its instance. 0, or a negative parigot errno
 * with @p err naming the guest. */
int pg_guest_load(pg_app *app, pg_guest *g, char *err, size_t err_len);

/* A fresh instance of @p g's module in g->inst, as the manifest says. 0
 * or a negative parigot errno. */
int pg_guest_new_instance(pg_app *app, pg_guest *g);

/* Runs _initialize (wasi-libc's constructors), then parigot_main; false
 * when the guest ended in them. */
bool pg_guest_run_declaration(pg_app *app, pg_guest *g);

/* The declaration of a guest at the app's start: 0, or PARIGOT_EINVAL
 * with @p err saying it died before it started. */
int pg_guest_declare(pg_app *app, pg_guest *g, char *err, size_t err_len);

/* Checks the graph, links providers and dependents, and queues START
 * events in dependency order (app->start_order). 0, or a negative
 * parigot errno with @p err naming the guests involved. */
int pg_app_plan_start(pg_app *app, char *err, size_t err_len);

/* The graph's view of the guests (graph.h); the caller frees the array.
 * NULL when out of memory. */
pg_graph_node *pg_app_graph_nodes(pg_app *app);

/* Appends a copy of s[0..len) to @p list of @p n owned strings, unless it
 * is there already. 0, or PARIGOT_ENOMEM. (abi.c) */
int pg_names_add(const pg_mem *mem, char ***list, uint32_t *n, const char *s,
                 size_t len);

/* The seed of guest @p name's random stream (WASI random_get) in an app
 * seeded with @p seed: the same for a guest of that name in any app. */
uint64_t pg_guest_seed(uint64_t seed, const char *name);

/* Frees @p n owned strings and their array. */
void pg_names_free(const pg_mem *mem, char **list, uint32_t n);

#endif /* PG_LOAD_H */
