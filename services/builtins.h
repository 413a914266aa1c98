/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/builtins.h: the built-in services a host offers every app:
 * their native kinds (include/parigot/native.h), for pg_app_config.natives.
 */
#ifndef PG_BUILTINS_H
#define PG_BUILTINS_H

#include <stddef.h>

#include "parigot/native.h"

/* The kinds, constant; *n is set to how many. */
const pg_native_kind *const *pg_builtins(size_t *n);

#endif /* PG_BUILTINS_H */
