/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/model.c: the names of a model's types and kinds, and its
 * end (model.h).
 */
#include "model.h"

#include <string.h>

const char *pg_db_type_name(pg_db_type t) {
  static const char *const names[PG_DB_NTYPES] = {"int64", "double", "string",
                                                  "bytes", "bool"};
  return t < PG_DB_NTYPES ? names[t] : "?";
}

const char *pg_db_kind_name(pg_db_kind k) {
  static const char *const names[PG_DB_NKINDS] = {"one", "many", "exec",
                                                  "execrows", "execlastid"};
  return k < PG_DB_NKINDS ? names[k] : "?";
}

void pg_db_model_free(pg_db_model *m) {
  if (m->arena.mem != NULL)
    pg_arena_deinit(&m->arena);
  memset(m, 0, sizeof *m);
}
