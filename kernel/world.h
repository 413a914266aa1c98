/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/world.h: every unit of an app in one process, deterministically,
 * their calls crossing the loopback transport (world.c). pg_app_run()
 * comes here for a deterministic run of several units with none picked.
 */
#ifndef PG_WORLD_H
#define PG_WORLD_H

#include "app.h"

/* Runs every unit of @p cfg->manifest, each as its own app; pg_app_run()'s
 * contract, with parigot up's exit status. */
int pg_world_run(const pg_app_config *cfg, const pg_mem *mem, int *exit_code,
                 char *err, size_t err_len);

#endif /* PG_WORLD_H */
