/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/emit_proto.h: a model's file (services/db/
 * protofile.h) as .proto text, each method above its query's SQL.
 */
#ifndef PG_SQLC_EMIT_PROTO_H
#define PG_SQLC_EMIT_PROTO_H

#include "model.h"
#include "protofile.h"
#include "strbuf.h"

/* Appends the .proto of @p f (laid out from @p m) to @p out. */
void pg_sqlc_emit_proto(const pg_db_model *m, const pg_db_pfile *f,
                        pg_strbuf *out);

#endif /* PG_SQLC_EMIT_PROTO_H */
