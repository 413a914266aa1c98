/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/emit_proto.c: the .proto text of a model
 * (emit_proto.h). Deterministic: the same model gives the same bytes.
 */
#include "emit_proto.h"

#include <string.h>

/* The SQL of query @p name as comment lines, indented by two. */
static void sql_comment(const pg_db_model *m, const char *name,
                        pg_strbuf *out) {
  for (uint32_t i = 0; i < m->nqueries; i++) {
    if (strcmp(m->queries[i].name, name) != 0)
      continue;
    for (const char *p = m->queries[i].sql; *p != '\0';) {
      size_t n = strcspn(p, "\n");
      pg_strbuf_printf(out, "  //   %.*s\n", (int)n, p);
      p += n + (p[n] == '\n');
    }
  }
}

static void emit_field(const pg_db_pfield *fl, const char *indent,
                       pg_strbuf *out) {
  pg_strbuf_printf(out, "%s%s%s %s = %u;", indent,
                   fl->is_repeated   ? "repeated "
                   : fl->is_optional ? "optional "
                                     : "",
                   fl->type, fl->name, fl->number);
  if (fl->about != NULL)
    pg_strbuf_printf(out, " // %s", fl->about);
  pg_strbuf_printf(out, "\n");
}

static void emit_msg(const pg_db_pmsg *msg, pg_strbuf *out) {
  pg_strbuf_printf(out, "\nmessage %s {\n", msg->name);
  if (msg->oneof != NULL)
    pg_strbuf_printf(out, "  oneof %s {\n", msg->oneof);
  for (uint32_t i = 0; i < msg->nfields; i++)
    emit_field(&msg->fields[i], msg->fields[i].is_in_oneof ? "    " : "  ",
               out);
  if (msg->oneof != NULL)
    pg_strbuf_printf(out, "  }\n");
  pg_strbuf_printf(out, "}\n");
}

void pg_sqlc_emit_proto(const pg_db_model *m, const pg_db_pfile *f,
                        pg_strbuf *out) {
  pg_strbuf_printf(out,
                   "// Written by parigot-sqlc; do not edit: change the "
                   "queries and run it again.\n"
                   "syntax = \"proto3\";\n\npackage %s;\n\n"
                   "// Served by the parigot.db built-in (docs/builtins.md).\n"
                   "service %s {\n",
                   f->package, f->service);
  for (uint32_t i = 0; i < f->nmethods; i++) {
    const pg_db_pmethod *md = &f->methods[i];
    pg_strbuf_printf(out, "%s  // %s\n", i > 0 ? "\n" : "", md->about);
    sql_comment(m, md->name, out);
    pg_strbuf_printf(out, "  rpc %s(%s) returns (%s);\n", md->name, md->input,
                     md->output);
  }
  pg_strbuf_printf(out, "}\n");
  for (uint32_t i = 0; i < f->nmsgs; i++)
    emit_msg(&f->msgs[i], out);
}
