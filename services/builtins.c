/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/builtins.c: the list of built-in kinds (builtins.h). A new
 * built-in adds its kind here.
 */
#include "builtins.h"

#include "db_kind.h"
#include "queue.h"
#include "testkit.h"

static const pg_native_kind *const kinds[] = {
    &pg_db_native,
    &pg_queue_kind,
    &pg_testkit_kind,
};

const pg_native_kind *const *pg_builtins(size_t *n) {
  *n = sizeof kinds / sizeof *kinds;
  return kinds;
}
