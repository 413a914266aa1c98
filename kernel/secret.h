/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/secret.h: the app's secret, which its units sign their calls to
 * each other with, read where the manifest says: the file of [app]
 * secret_file, or the environment variable of secret_env
 * (PARIGOT_APP_SECRET when the manifest names neither). The kernel reads
 * it when its host gave none in pg_app_config; parigot up makes one.
 */
#ifndef PG_KERNEL_SECRET_H
#define PG_KERNEL_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

/* Reads the secret of @p m into *out (malloc'ed, *len bytes; NULL and 0
 * when there is none). 0, or -1 with @p err naming the file or variable
 * and what is wrong with it (unreadable, readable by others, too short,
 * too long). */
int pg_secret_read(const pg_manifest *m, uint8_t **out, size_t *len, char *err,
                   size_t err_len);

/* For the units of one run (parigot up): when @p m names no secret file
 * and its variable is unset, sets the variable to a new random secret,
 * which the units it starts inherit. 0, or -1 with @p err. */
int pg_secret_make_for_units(const pg_manifest *m, char *err, size_t err_len);

/* The environment variable that holds @p m's secret, unless it names a
 * file. */
const char *pg_secret_env_name(const pg_manifest *m);

/* Wipes and frees what pg_secret_read gave. */
void pg_secret_free(uint8_t *s, size_t len);

#endif /* PG_KERNEL_SECRET_H */
