/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/gen_c.c: writes a .proto file's C code.
 *
 * The header is what a programmer reads: one struct per message with its
 * fields in declaration order, typed wrappers, field-number constants. The
 * source is what the runtime reads: field tables sorted by number. Layout
 * rules are in include/parigot/pb.h; this file must follow them exactly.
 * Output depends only on the request, so a rebuild writes the same bytes.
 */
#include "gen_c.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define T(x) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_##x
#define LABEL_REPEATED                                                         \
  GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED

typedef struct gen {
  const pg_model *model;
  const pd_file *file;
  const char *file_sym; /* the file's parigot_pb_file_desc */
  pg_strbuf h, c;
  char *err;
} gen;

/* One field as the generated code sees it. */
typedef struct field {
  const pd_field *fd;
  const pg_type *ref; /* its message or enum type, if any */
  const char *label;  /* PARIGOT_PB_... */
  char *member;       /* struct member (or union member) name */
  int oneof;          /* index of its real oneof, or -1 */
} field;

static int fail(gen *g, char *msg) {
  if (g->err == NULL)
    g->err = msg;
  else
    free(msg);
  return -1;
}

static char *member_name(const char *name) {
  return pg_is_reserved(name) ? pg_strdupf("%s_", name)
                              : pg_strdupf("%s", name);
}

static bool is_real_oneof(const pd_field *fd) {
  return fd->has_oneof_index &&
         !(fd->has_proto3_optional && fd->proto3_optional);
}

static bool is_explicit_optional(const pd_field *fd) {
  return fd->has_proto3_optional && fd->proto3_optional;
}

static const char *scalar_ctype(int type) {
  switch (type) {
  case T(DOUBLE):
    return "double";
  case T(FLOAT):
    return "float";
  case T(INT64):
  case T(SINT64):
  case T(SFIXED64):
    return "int64_t";
  case T(UINT64):
  case T(FIXED64):
    return "uint64_t";
  case T(UINT32):
  case T(FIXED32):
    return "uint32_t";
  case T(BOOL):
    return "bool";
  case T(STRING):
  case T(BYTES):
    return "parigot_pb_bytes";
  default:
    return "int32_t"; /* INT32, SINT32, SFIXED32, ENUM */
  }
}

/* The C type of one stored value (an element, for repeated fields). */
static char *value_ctype(const field *f) {
  if (f->fd->type == T(MESSAGE))
    return pg_strdupf("%s", f->ref->c_name);
  return pg_strdupf("%s", scalar_ctype(f->fd->type));
}

static int classify(gen *g, const pg_type *owner, const pd_field *fd,
                    field *out) {
  memset(out, 0, sizeof *out);
  out->fd = fd;
  out->oneof = is_real_oneof(fd) ? fd->oneof_index : -1;
  if (fd->type == T(GROUP))
    return fail(g, pg_strdupf("%s: %s.%s: groups are not supported",
                              g->file->name, owner->full_name, fd->name));
  if (fd->type == T(MESSAGE) || fd->type == T(ENUM)) {
    out->ref = pg_model_find(g->model, fd->type_name);
    if (out->ref == NULL)
      return fail(g, pg_strdupf("%s: %s.%s: unknown type %s", g->file->name,
                                owner->full_name, fd->name, fd->type_name));
    if (out->ref->file->syntax == NULL ||
        strcmp(out->ref->file->syntax, "proto3") != 0)
      return fail(g,
                  pg_strdupf("%s: %s.%s: type %s comes from %s, which is not "
                             "proto3; parigot generates proto3 only",
                             g->file->name, owner->full_name, fd->name,
                             out->ref->full_name, out->ref->file->name));
  }
  if (fd->label == LABEL_REPEATED) {
    bool map = fd->type == T(MESSAGE) && pg_is_map_entry(out->ref->msg);
    bool unpacked =
        fd->options && fd->options->has_packed && !fd->options->packed;
    out->label = map        ? "PARIGOT_PB_MAP"
                 : unpacked ? "PARIGOT_PB_UNPACKED"
                            : "PARIGOT_PB_REPEATED";
  } else if (out->oneof >= 0) {
    out->label = "PARIGOT_PB_ONEOF";
  } else if (fd->type == T(MESSAGE) || is_explicit_optional(fd)) {
    out->label = "PARIGOT_PB_OPTIONAL";
  } else {
    out->label = "PARIGOT_PB_IMPLICIT";
  }
  out->member = member_name(fd->name);
  return 0;
}

static void free_fields(field *fs, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(fs[i].member);
  free(fs);
}

static int classify_all(gen *g, const pg_type *t, field **out) {
  field *fs = calloc(t->msg->n_field + 1, sizeof *fs);
  if (fs == NULL)
    abort();
  for (size_t i = 0; i < t->msg->n_field; i++)
    if (classify(g, t, t->msg->field[i], &fs[i]) != 0) {
      free_fields(fs, i);
      return -1;
    }
  *out = fs;
  return 0;
}

/* ---- names that must not collide in one struct ------------------------- */

static int claim(gen *g, pg_names *ns, const pg_type *t, char *name) {
  if (pg_names_take(ns, name))
    return 0;
  fail(g, pg_strdupf("%s: message %s: generated member '%s' is used "
                     "twice; rename a field",
                     g->file->name, t->full_name, name));
  free(name);
  return -1;
}

/* ---- header ------------------------------------------------------------ */

static const char *oneof_name(const pg_type *t, int i) {
  return t->msg->oneof_decl[i]->name;
}

static void emit_member(gen *g, const field *f, const char *indent) {
  char *ct = value_ctype(f);
  const char *star = f->fd->type == T(MESSAGE) ? " *" : " ";
  if (f->fd->label == LABEL_REPEATED) {
    pg_strbuf_printf(&g->h, "%ssize_t %s_count;\n", indent, f->fd->name);
    pg_strbuf_printf(&g->h, "%s%s *%s;\n", indent, ct, f->member);
  } else {
    if (f->oneof < 0 && is_explicit_optional(f->fd) &&
        f->fd->type != T(MESSAGE))
      pg_strbuf_printf(&g->h, "%sbool has_%s;\n", indent, f->fd->name);
    pg_strbuf_printf(&g->h, "%s%s%s%s;\n", indent, ct, star, f->member);
  }
  free(ct);
}

static int check_members(gen *g, const pg_type *t, const field *fs) {
  pg_names ns = {0};
  int rc = claim(g, &ns, t, pg_strdupf("_unknown"));
  for (size_t i = 0; rc == 0 && i < t->msg->n_field; i++) {
    const field *f = &fs[i];
    if (f->oneof >= 0) {
      bool first = true;
      for (size_t j = 0; j < i; j++)
        first &= fs[j].oneof != f->oneof;
      if (first) {
        char *u = member_name(oneof_name(t, f->oneof));
        rc = claim(g, &ns, t, u);
        if (rc == 0)
          rc = claim(g, &ns, t, pg_strdupf("%s_case", oneof_name(t, f->oneof)));
      }
      continue;
    }
    rc = claim(g, &ns, t, pg_strdupf("%s", f->member));
    if (rc == 0 && f->fd->label == LABEL_REPEATED)
      rc = claim(g, &ns, t, pg_strdupf("%s_count", f->fd->name));
    if (rc == 0 && is_explicit_optional(f->fd) && f->fd->type != T(MESSAGE))
      rc = claim(g, &ns, t, pg_strdupf("has_%s", f->fd->name));
  }
  pg_names_free(&ns);
  return rc;
}

static void emit_struct(gen *g, const pg_type *t, const field *fs) {
  const char *name = t->c_name;
  pg_strbuf_printf(&g->h, "/** @brief Message %s%s. */\nstruct %s {\n",
                   t->full_name, pg_is_map_entry(t->msg) ? " (map entry)" : "",
                   name);
  for (size_t i = 0; i < t->msg->n_field; i++) {
    const field *f = &fs[i];
    if (f->oneof < 0) {
      emit_member(g, f, "  ");
      continue;
    }
    bool first = true;
    for (size_t j = 0; j < i; j++)
      first &= fs[j].oneof != f->oneof;
    if (!first)
      continue;
    const char *o = oneof_name(t, f->oneof);
    pg_strbuf_printf(&g->h,
                     "  uint32_t %s_case; /* field number, 0: none */\n"
                     "  union {\n",
                     o);
    for (size_t j = i; j < t->msg->n_field; j++)
      if (fs[j].oneof == f->oneof)
        emit_member(g, &fs[j], "    ");
    char *u = member_name(o);
    pg_strbuf_printf(&g->h, "  } %s;\n", u);
    free(u);
  }
  pg_strbuf_printf(&g->h, "  parigot_pb_bytes _unknown; /* kept unknown "
                          "fields */\n};\n\n");
}

static void emit_field_numbers(gen *g, const pg_type *t) {
  if (t->msg->n_field == 0)
    return;
  pg_strbuf_printf(&g->h, "enum {\n");
  for (size_t i = 0; i < t->msg->n_field; i++)
    pg_strbuf_printf(&g->h, "  %s_%s_FIELD = %d,\n", t->c_name,
                     t->msg->field[i]->name, t->msg->field[i]->number);
  pg_strbuf_printf(&g->h, "};\n\n");
}

static void emit_wrappers(gen *g, const pg_type *t) {
  const char *n = t->c_name;
  pg_strbuf_printf(
      &g->h,
      "extern const parigot_pb_message_desc %s_desc;\n"
      "static inline void %s_init(%s *m) {\n"
      "  parigot_pb_init(&%s_desc, m);\n}\n"
      "static inline size_t %s_encoded_size(const %s *m) {\n"
      "  return parigot_pb_encoded_size(&%s_desc, m);\n}\n"
      "static inline int64_t %s_encode(const %s *m, uint8_t *buf, "
      "size_t cap) {\n"
      "  return parigot_pb_encode(&%s_desc, m, buf, cap);\n}\n"
      "static inline int %s_decode(%s *m, const uint8_t *buf, size_t len,\n"
      "    const parigot_pb_decode_options *opts) {\n"
      "  return parigot_pb_decode(&%s_desc, m, buf, len, opts);\n}\n"
      "static inline void %s_free(%s *m, const parigot_pb_allocator *a) {\n"
      "  parigot_pb_free(&%s_desc, m, a);\n}\n\n",
      n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n);
}

static void emit_enum(gen *g, const pg_type *t) {
  pg_strbuf_printf(&g->h,
                   "/** @brief Enum %s. Fields of this type are "
                   "int32_t: unknown numbers are kept. */\n"
                   "typedef enum %s {\n",
                   t->full_name, t->c_name);
  for (size_t i = 0; i < t->enm->n_value; i++) {
    const char *v = t->enm->value[i]->name;
    if (*t->scope)
      pg_strbuf_printf(&g->h, "  %s_%s = %d,\n", t->scope, v,
                       t->enm->value[i]->number);
    else
      pg_strbuf_printf(&g->h, "  %s = %d,\n", v, t->enm->value[i]->number);
  }
  pg_strbuf_printf(&g->h,
                   "} %s;\nextern const parigot_pb_enum_desc "
                   "%s_desc;\n\n",
                   t->c_name, t->c_name);
}

/* ---- source: tables ---------------------------------------------------- */

static int by_number(const void *a, const void *b) {
  int x = ((const field *)a)->fd->number, y = ((const field *)b)->fd->number;
  return (x > y) - (x < y);
}

static void emit_field_entry(gen *g, const pg_type *t, const field *f) {
  const char *n = t->c_name;
  pg_strbuf_printf(&g->c, "  {.number = %d, .type = %d, .label = %s,\n",
                   f->fd->number, (int)f->fd->type, f->label);
  if (f->oneof >= 0) {
    char *u = member_name(oneof_name(t, f->oneof));
    pg_strbuf_printf(&g->c,
                     "   .oneof = %d, .offset = offsetof(%s, %s.%s),\n"
                     "   .aux = offsetof(%s, %s_case),\n",
                     f->oneof, n, u, f->member, n, oneof_name(t, f->oneof));
    free(u);
  } else {
    pg_strbuf_printf(&g->c, "   .offset = offsetof(%s, %s),\n", n, f->member);
    if (f->fd->label == LABEL_REPEATED)
      pg_strbuf_printf(&g->c, "   .aux = offsetof(%s, %s_count),\n", n,
                       f->fd->name);
    else if (is_explicit_optional(f->fd) && f->fd->type != T(MESSAGE))
      pg_strbuf_printf(&g->c, "   .aux = offsetof(%s, has_%s),\n", n,
                       f->fd->name);
  }
  if (f->fd->type == T(MESSAGE))
    pg_strbuf_printf(&g->c, "   .message = &%s_desc,\n", f->ref->c_name);
  if (f->fd->type == T(ENUM))
    pg_strbuf_printf(&g->c, "   .enumeration = &%s_desc,\n", f->ref->c_name);
  pg_strbuf_printf(&g->c, "   .name = \"%s\", .json_name = \"%s\"},\n",
                   f->fd->name,
                   f->fd->json_name ? f->fd->json_name : f->fd->name);
}

static void emit_message_tables(gen *g, const pg_type *t, field *fs) {
  const char *n = t->c_name;
  size_t nf = t->msg->n_field;
  qsort(fs, nf, sizeof *fs, by_number);
  int dense = 0;
  for (size_t i = 0; i < nf; i++)
    if (fs[i].fd->number < 512)
      dense = fs[i].fd->number + 1;
  if (nf > 0) {
    pg_strbuf_printf(&g->c, "static const parigot_pb_field %s_fields[] = {\n",
                     n);
    for (size_t i = 0; i < nf; i++)
      emit_field_entry(g, t, &fs[i]);
    pg_strbuf_printf(&g->c, "};\n");
  }
  if (dense > 0) {
    pg_strbuf_printf(&g->c, "static const uint16_t %s_dense[%d] = {", n, dense);
    for (size_t i = 0; i < nf && fs[i].fd->number < dense; i++)
      pg_strbuf_printf(&g->c, "[%d] = %zu, ", fs[i].fd->number, i + 1);
    pg_strbuf_printf(&g->c, "};\n");
  }
  size_t real_oneofs = 0;
  for (size_t i = 0; i < t->msg->n_oneof_decl; i++) {
    bool synthetic = true;
    for (size_t j = 0; j < nf; j++)
      if (fs[j].oneof == (int)i)
        synthetic = false;
    if (!synthetic)
      real_oneofs = i + 1; /* synthetic oneofs come after the real ones */
  }
  if (real_oneofs > 0) {
    pg_strbuf_printf(&g->c, "static const char *const %s_oneofs[] = {", n);
    for (size_t i = 0; i < real_oneofs; i++)
      pg_strbuf_printf(&g->c, "\"%s\", ", oneof_name(t, (int)i));
    pg_strbuf_printf(&g->c, "};\n");
  }
  pg_strbuf_printf(
      &g->c,
      "const parigot_pb_message_desc %s_desc = {\n"
      "  .full_name = \"%s\", .size = sizeof(%s),\n"
      "  .unknown_offset = offsetof(%s, _unknown),\n"
      "  .n_fields = %zu, .fields = %s%s,\n"
      "  .dense = %s%s, .dense_len = %d, .map_entry = %s,\n"
      "  .n_oneofs = %zu, .oneofs = %s%s,\n"
      "  .encoded_size = %s__size, .put = %s__put,\n};\n\n",
      n, t->full_name, n, n, nf, nf ? n : "NULL", nf ? "_fields" : "",
      dense ? n : "NULL", dense ? "_dense" : "", dense,
      pg_is_map_entry(t->msg) ? "true" : "false", real_oneofs,
      real_oneofs ? n : "NULL", real_oneofs ? "_oneofs" : "", n, n);
}

static void emit_enum_tables(gen *g, const pg_type *t) {
  const char *n = t->c_name;
  pg_strbuf_printf(&g->c,
                   "static const parigot_pb_enum_value %s_values[] = "
                   "{\n",
                   n);
  for (size_t i = 0; i < t->enm->n_value; i++)
    pg_strbuf_printf(&g->c, "  {\"%s\", %d},\n", t->enm->value[i]->name,
                     t->enm->value[i]->number);
  pg_strbuf_printf(&g->c,
                   "};\nconst parigot_pb_enum_desc %s_desc = {\"%s\", "
                   "%zu, %s_values};\n\n",
                   n, t->full_name, t->enm->n_value, n);
}

/* ---- source: encoders ---------------------------------------------------
 * Per message, a size function and a writer, straight-line code per field.
 * Writers run backwards (see pb_gen.h), so fields go last to first. */

static int wire_of(int type) {
  switch (type) {
  case T(DOUBLE):
  case T(FIXED64):
  case T(SFIXED64):
    return 1;
  case T(FLOAT):
  case T(FIXED32):
  case T(SFIXED32):
    return 5;
  case T(STRING):
  case T(BYTES):
  case T(MESSAGE):
    return 2;
  default:
    return 0;
  }
}

static unsigned long long tag_of(int number, int wt) {
  return ((unsigned long long)number << 3) | (unsigned long long)wt;
}

static int varint_len(unsigned long long v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/* The uint64_t a varint-typed value @p v is written as. Heap. */
static char *varint_expr(int type, const char *v) {
  switch (type) {
  case T(INT32):
  case T(ENUM):
    return pg_strdupf("(uint64_t)(int64_t)%s", v);
  case T(SINT32):
    return pg_strdupf("parigot_pb_zigzag32(%s)", v);
  case T(SINT64):
    return pg_strdupf("parigot_pb_zigzag64(%s)", v);
  default:
    return pg_strdupf("(uint64_t)%s", v);
  }
}

/* How to call the size or writer of another message: directly within the
 * file, through its descriptor across files. Heap. */
static char *sub_call(gen *g, const pg_type *ref, const char *what) {
  if (ref->file == g->file)
    return pg_strdupf("%s__%s", ref->c_name, what);
  return pg_strdupf("%s_desc.%s", ref->c_name,
                    strcmp(what, "size") == 0 ? "encoded_size" : what);
}

/* Adds to @p acc the size of value @p v (no tag). For messages @p v is a
 * pointer; @p nullable when it may be NULL (an absent map value encodes as
 * an empty message). */
static void emit_value_size(gen *g, const char *ind, int type,
                            const pg_type *ref, const char *v, const char *acc,
                            bool nullable) {
  switch (wire_of(type)) {
  case 1:
    pg_strbuf_printf(&g->c, "%s%s += 8;\n", ind, acc);
    return;
  case 5:
    pg_strbuf_printf(&g->c, "%s%s += 4;\n", ind, acc);
    return;
  case 0: {
    char *e = varint_expr(type, v);
    pg_strbuf_printf(&g->c, "%s%s += parigot_pb_varint_size(%s);\n", ind, acc,
                     e);
    free(e);
    return;
  }
  default:
    break;
  }
  if (type != T(MESSAGE)) {
    pg_strbuf_printf(&g->c,
                     "%s%s += parigot_pb_varint_size(%s.len) + %s.len;"
                     "\n",
                     ind, acc, v, v);
    return;
  }
  char *call = sub_call(g, ref, "size");
  if (nullable)
    pg_strbuf_printf(&g->c,
                     "%s{\n%s  size_t s_ = %s ? %s(%s, depth + 1) : 0;\n", ind,
                     ind, v, call, v);
  else
    pg_strbuf_printf(&g->c, "%s{\n%s  size_t s_ = %s(%s, depth + 1);\n", ind,
                     ind, call, v);
  pg_strbuf_printf(&g->c, "%s  %s += parigot_pb_varint_size(s_) + s_;\n%s}\n",
                   ind, acc, ind);
  free(call);
}

/* Writes value @p v (no tag); for messages @p v is a pointer, NULL only
 * when @p nullable. */
static void emit_value_put(gen *g, const char *ind, int type,
                           const pg_type *ref, const char *v, bool nullable) {
  switch (wire_of(type)) {
  case 1:
  case 5:
    pg_strbuf_printf(&g->c,
                     "%sPARIGOT_PB_TRY(parigot_pb_put_raw(w, &%s, %d));"
                     "\n",
                     ind, v, wire_of(type) == 1 ? 8 : 4);
    return;
  case 0: {
    char *e = varint_expr(type, v);
    pg_strbuf_printf(&g->c, "%sPARIGOT_PB_TRY(parigot_pb_put_varint(w, %s));\n",
                     ind, e);
    free(e);
    return;
  }
  default:
    break;
  }
  if (type != T(MESSAGE)) {
    pg_strbuf_printf(&g->c,
                     "%sPARIGOT_PB_TRY(parigot_pb_put_raw(w, %s.data, %s.len));"
                     "\n%sPARIGOT_PB_TRY(parigot_pb_put_varint(w, %s.len));\n",
                     ind, v, v, ind, v);
    return;
  }
  char *call = sub_call(g, ref, "put");
  pg_strbuf_printf(&g->c, "%s{\n%s  uint8_t *mark_ = w->p;\n", ind, ind);
  if (nullable)
    pg_strbuf_printf(&g->c, "%s  if (%s)\n  ", ind, v);
  pg_strbuf_printf(&g->c,
                   "%s  PARIGOT_PB_TRY(%s(w, %s, depth + 1));\n"
                   "%s  PARIGOT_PB_TRY(parigot_pb_put_varint(w, "
                   "(uint64_t)(mark_ - w->p)));\n%s}\n",
                   ind, call, v, ind, ind);
  free(call);
}

static void emit_put_tag(gen *g, const char *ind, int number, int type) {
  pg_strbuf_printf(&g->c,
                   "%sPARIGOT_PB_TRY(parigot_pb_put_varint(w, %lluu));"
                   "\n",
                   ind, tag_of(number, wire_of(type)));
}

/* The value of a singular field, as an lvalue (a pointer for messages). */
static char *member_expr(const pg_type *t, const field *f) {
  if (f->oneof < 0)
    return pg_strdupf("m->%s", f->member);
  char *u = member_name(oneof_name(t, f->oneof));
  char *e = pg_strdupf("m->%s.%s", u, f->member);
  free(u);
  return e;
}

/* The condition under which a singular field is written. */
static char *present_expr(const pg_type *t, const field *f, const char *v) {
  const pd_field *fd = f->fd;
  if (f->oneof >= 0)
    return pg_strdupf("m->%s_case == %d", oneof_name(t, f->oneof), fd->number);
  if (fd->type == T(MESSAGE))
    return pg_strdupf("%s != NULL", v);
  if (is_explicit_optional(fd))
    return pg_strdupf("m->has_%s", fd->name);
  switch (wire_of(fd->type)) {
  case 1:
    return pg_strdupf("parigot_pb_bits64(&%s) != 0", v);
  case 5:
    return pg_strdupf("parigot_pb_bits32(&%s) != 0", v);
  case 2:
    return pg_strdupf("%s.len != 0", v);
  default:
    return pg_strdupf("%s", v);
  }
}

static const pd_field *entry_field(const pg_type *entry, int number) {
  for (size_t i = 0; i < entry->msg->n_field; i++)
    if (entry->msg->field[i]->number == number)
      return entry->msg->field[i];
  return NULL;
}

static void emit_map_size(gen *g, const field *f) {
  const pd_field *k = entry_field(f->ref, 1), *v = entry_field(f->ref, 2);
  const pg_type *vref = v->type == T(MESSAGE) || v->type == T(ENUM)
                            ? pg_model_find(g->model, v->type_name)
                            : NULL;
  pg_strbuf_printf(&g->c,
                   "  for (size_t i_ = 0; i_ < m->%s_count; i_++) {\n"
                   "    const %s *e_ = &m->%s[i_];\n    size_t es_ = 2;\n"
                   "    (void)e_; /* unused when key and value are fixed */\n",
                   f->fd->name, f->ref->c_name, f->member);
  emit_value_size(g, "    ", k->type, NULL, "e_->key", "es_", false);
  emit_value_size(g, "    ", v->type, vref, "e_->value", "es_", true);
  pg_strbuf_printf(&g->c,
                   "    n += %d + parigot_pb_varint_size(es_) + es_;\n"
                   "  }\n",
                   varint_len(tag_of(f->fd->number, 2)));
}

static void emit_map_put(gen *g, const field *f) {
  const pd_field *k = entry_field(f->ref, 1), *v = entry_field(f->ref, 2);
  const pg_type *vref = v->type == T(MESSAGE) || v->type == T(ENUM)
                            ? pg_model_find(g->model, v->type_name)
                            : NULL;
  pg_strbuf_printf(&g->c,
                   "  for (size_t i_ = m->%s_count; i_-- > 0;) {\n"
                   "    const %s *e_ = &m->%s[i_];\n"
                   "    uint8_t *emark_ = w->p;\n",
                   f->fd->name, f->ref->c_name, f->member);
  emit_value_put(g, "    ", v->type, vref, "e_->value", true);
  emit_put_tag(g, "    ", 2, v->type);
  emit_value_put(g, "    ", k->type, NULL, "e_->key", false);
  emit_put_tag(g, "    ", 1, k->type);
  pg_strbuf_printf(&g->c, "    PARIGOT_PB_TRY(parigot_pb_put_varint(w, "
                          "(uint64_t)(emark_ - w->p)));\n");
  emit_put_tag(g, "    ", f->fd->number, T(MESSAGE));
  pg_strbuf_printf(&g->c, "  }\n");
}

static bool packed(const field *f) {
  return strcmp(f->label, "PARIGOT_PB_REPEATED") == 0 &&
         wire_of(f->fd->type) != 2;
}

static void emit_array_size(gen *g, const field *f) {
  const pd_field *fd = f->fd;
  int tag = varint_len(tag_of(fd->number, packed(f) ? 2 : wire_of(fd->type)));
  if (packed(f)) {
    pg_strbuf_printf(&g->c,
                     "  if (m->%s_count > 0) {\n"
                     "    size_t s_ = parigot_pb_packed_size(%d, m->%s, "
                     "m->%s_count);\n"
                     "    n += %d + parigot_pb_varint_size(s_) + s_;\n  }\n",
                     fd->name, (int)fd->type, f->member, fd->name, tag);
  } else if (wire_of(fd->type) != 2) {
    pg_strbuf_printf(&g->c,
                     "  n += m->%s_count * %d + parigot_pb_packed_size(%d, "
                     "m->%s, m->%s_count);\n",
                     fd->name, tag, (int)fd->type, f->member, fd->name);
  } else {
    char *v = pg_strdupf(fd->type == T(MESSAGE) ? "(&m->%s[i_])" : "m->%s[i_]",
                         f->member);
    pg_strbuf_printf(&g->c,
                     "  n += m->%s_count * %d;\n"
                     "  for (size_t i_ = 0; i_ < m->%s_count; i_++)"
                     " {\n",
                     fd->name, tag, fd->name);
    emit_value_size(g, "    ", fd->type, f->ref, v, "n", false);
    pg_strbuf_printf(&g->c, "  }\n");
    free(v);
  }
}

static void emit_array_put(gen *g, const field *f) {
  const pd_field *fd = f->fd;
  if (packed(f)) {
    pg_strbuf_printf(&g->c,
                     "  if (m->%s_count > 0) {\n"
                     "    uint8_t *mark_ = w->p;\n"
                     "    PARIGOT_PB_TRY(parigot_pb_put_packed(w, %d, m->%s, "
                     "m->%s_count));\n"
                     "    PARIGOT_PB_TRY(parigot_pb_put_varint(w, "
                     "(uint64_t)(mark_ - w->p)));\n",
                     fd->name, (int)fd->type, f->member, fd->name);
    emit_put_tag(g, "    ", fd->number, T(BYTES));
    pg_strbuf_printf(&g->c, "  }\n");
    return;
  }
  char *v = pg_strdupf(fd->type == T(MESSAGE) ? "(&m->%s[i_])" : "m->%s[i_]",
                       f->member);
  pg_strbuf_printf(&g->c, "  for (size_t i_ = m->%s_count; i_-- > 0;) {\n",
                   fd->name);
  emit_value_put(g, "    ", fd->type, f->ref, v, false);
  emit_put_tag(g, "    ", fd->number, fd->type);
  pg_strbuf_printf(&g->c, "  }\n");
  free(v);
}

static void emit_encoders(gen *g, const pg_type *t, const field *fs) {
  const char *n = t->c_name;
  size_t nf = t->msg->n_field;
  pg_strbuf_printf(&g->c,
                   "static size_t %s__size(const void *msg, uint32_t depth) "
                   "{\n  const %s *m = msg;\n  size_t n = m->_unknown.len;\n"
                   "  if (depth > PARIGOT_PB_DEFAULT_MAX_DEPTH)\n"
                   "    return 0; /* the writer fails here with "
                   "PARIGOT_EDEPTH */\n",
                   n, n);
  for (size_t i = 0; i < nf; i++) {
    const field *f = &fs[i];
    if (strcmp(f->label, "PARIGOT_PB_MAP") == 0) {
      emit_map_size(g, f);
    } else if (f->fd->label == LABEL_REPEATED) {
      emit_array_size(g, f);
    } else {
      char *v = member_expr(t, f), *c = present_expr(t, f, v);
      pg_strbuf_printf(&g->c, "  if (%s) {\n    n += %d;\n", c,
                       varint_len(tag_of(f->fd->number, wire_of(f->fd->type))));
      emit_value_size(g, "    ", f->fd->type, f->ref, v, "n", false);
      pg_strbuf_printf(&g->c, "  }\n");
      free(v);
      free(c);
    }
  }
  pg_strbuf_printf(&g->c, "  return n;\n}\n\n");
  pg_strbuf_printf(&g->c,
                   "static int %s__put(parigot_pb_writer *w, const void *msg,"
                   "\n    uint32_t depth) {\n  const %s *m = msg;\n"
                   "  if (depth > PARIGOT_PB_DEFAULT_MAX_DEPTH)\n"
                   "    return PARIGOT_EDEPTH;\n"
                   "  PARIGOT_PB_TRY(parigot_pb_put_raw(w, m->_unknown.data, "
                   "m->_unknown.len));\n",
                   n, n);
  for (size_t i = nf; i-- > 0;) {
    const field *f = &fs[i];
    if (strcmp(f->label, "PARIGOT_PB_MAP") == 0) {
      emit_map_put(g, f);
    } else if (f->fd->label == LABEL_REPEATED) {
      emit_array_put(g, f);
    } else {
      char *v = member_expr(t, f), *c = present_expr(t, f, v);
      pg_strbuf_printf(&g->c, "  if (%s) {\n", c);
      emit_value_put(g, "    ", f->fd->type, f->ref, v, false);
      emit_put_tag(g, "    ", f->fd->number, f->fd->type);
      pg_strbuf_printf(&g->c, "  }\n");
      free(v);
      free(c);
    }
  }
  pg_strbuf_printf(&g->c, "  return 0;\n}\n\n");
}

/* ---- services ---------------------------------------------------------- */

/* Client stubs and the server skeleton of a service: static inline in the
 * header, so native code that only uses the messages links without the
 * guest SDK's event loop. */
static void emit_client(gen *g, const char *n, const pd_method *m,
                        const pg_type *in, const pg_type *out) {
  pg_strbuf_printf(
      &g->h,
      "static inline void %s_%s__adapt(parigot_typed_fn fn, void *ctx,\n"
      "    const void *value) {\n"
      "  ((void (*)(void *, const %s *))fn)(ctx, (const %s *)value);\n}\n"
      "/** @brief Calls %s: @p ok gets the response, @p fail the reason. */\n"
      "static inline parigot_future *%s_%s(const %s *req,\n"
      "    void (*ok)(void *ctx, const %s *resp), parigot_future_fail fail,"
      "\n    void *ctx) {\n"
      "  return parigot_dispatch(&%s_desc, %s_%s_METHOD, req,\n"
      "      (parigot_typed_fn)ok, %s_%s__adapt, fail, ctx);\n}\n"
      "/** @brief Answers a call of %s. */\n"
      "static inline int %s_%s_respond(parigot_call *call, const %s *resp) "
      "{\n  return parigot_respond(call, &%s_desc, resp);\n}\n"
      "static inline void %s_%s__invoke(parigot_call *c, const void *req,\n"
      "    const void *handlers) {\n"
      "  const %s_handlers *h = (const %s_handlers *)handlers;\n"
      "  if (h->%s == NULL) {\n"
      "    parigot_call_fail(c, PARIGOT_CODE_UNIMPLEMENTED, 0, \"%s is not "
      "implemented\");\n    return;\n  }\n"
      "  h->%s(c, (const %s *)req, h->ctx);\n}\n",
      n, m->name, out->c_name, out->c_name, m->name, n, m->name, in->c_name,
      out->c_name, n, n, m->name, n, m->name, m->name, n, m->name, out->c_name,
      out->c_name, n, m->name, n, n, m->name, m->name, m->name, in->c_name);
}

static void emit_skeleton(gen *g, const char *n, const pd_service *s,
                          const pg_type *const *ins) {
  pg_strbuf_printf(&g->h,
                   "/** @brief The handlers of a service; keep the "
                   "struct alive after exporting it. */\n"
                   "typedef struct %s_handlers {\n",
                   n);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->h,
                     "  void (*%s)(parigot_call *call, const %s *req, "
                     "void *ctx);\n",
                     s->method[i]->name, ins[i]->c_name);
  pg_strbuf_printf(&g->h,
                   "  void *ctx; /**< passed to every handler */\n"
                   "} %s_handlers;\n\n",
                   n);
}

static void emit_registration(gen *g, const char *n, const pd_service *s) {
  pg_strbuf_printf(&g->h,
                   "/** @brief Declares that this guest calls the "
                   "service (in parigot_guest_declare). */\n"
                   "static inline void %s_require(void) {\n"
                   "  parigot_require(&%s_desc);\n}\n",
                   n, n);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->h,
                     "static inline void %s_%s__invoke(parigot_call *,"
                     " const void *, const void *);\n",
                     n, s->method[i]->name);
  pg_strbuf_printf(&g->h,
                   "/** @brief Declares that this guest implements "
                   "the service with @p h. */\n"
                   "static inline void %s_export(const %s_handlers *h)"
                   " {\n  static const parigot_invoke_fn invokers[] = "
                   "{\n",
                   n, n);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->h, "      %s_%s__invoke,\n", n, s->method[i]->name);
  pg_strbuf_printf(&g->h,
                   "      NULL};\n  parigot_describe(&%s);\n"
                   "  parigot_export(&%s_desc, invokers, h);\n}\n",
                   g->file_sym, n);
}

static int emit_service(gen *g, const pd_service *s) {
  const char *pkg = g->file->package ? g->file->package : "";
  char *c_pkg = pg_c_ident(pkg);
  char *n =
      *c_pkg ? pg_strdupf("%s_%s", c_pkg, s->name) : pg_strdupf("%s", s->name);
  char *full =
      *pkg ? pg_strdupf("%s.%s", pkg, s->name) : pg_strdupf("%s", s->name);
  int rc = 0;
  pg_strbuf_printf(&g->h,
                   "extern const parigot_pb_file_desc %s;\n"
                   "/** @brief Service %s: its method list. */\n"
                   "extern const parigot_pb_service_desc %s_desc;\n",
                   g->file_sym, full, n);
  if (s->n_method > 0) {
    pg_strbuf_printf(&g->h, "enum {\n");
    pg_strbuf_printf(&g->c,
                     "static const parigot_pb_method_desc "
                     "%s_methods[] = {\n",
                     n);
  }
  for (size_t i = 0; i < s->n_method && rc == 0; i++) {
    const pd_method *m = s->method[i];
    const pg_type *in = pg_model_find(g->model, m->input_type);
    const pg_type *out = pg_model_find(g->model, m->output_type);
    if (in == NULL || out == NULL) {
      rc = fail(g, pg_strdupf("%s: %s.%s: unknown message type", g->file->name,
                              full, m->name));
      break;
    }
    pg_strbuf_printf(&g->h, "  %s_%s_METHOD = %zu,\n", n, m->name, i);
    pg_strbuf_printf(&g->c,
                     "  {\"%s\", \"/%s/%s\", &%s_desc, &%s_desc, %s, %s},\n",
                     m->name, full, m->name, in->c_name, out->c_name,
                     m->client_streaming ? "true" : "false",
                     m->server_streaming ? "true" : "false");
  }
  if (s->n_method > 0) {
    pg_strbuf_printf(&g->h, "};\n");
    pg_strbuf_printf(&g->c, "};\n");
  }
  pg_strbuf_printf(&g->h, "\n");
  if (rc == 0) {
    const pg_type **ins = calloc(s->n_method + 1, sizeof *ins);
    if (ins == NULL)
      abort();
    for (size_t i = 0; i < s->n_method; i++)
      ins[i] = pg_model_find(g->model, s->method[i]->input_type);
    emit_skeleton(g, n, s, ins);
    emit_registration(g, n, s);
    const pg_type **outs = calloc(s->n_method + 1, sizeof *outs);
    if (outs == NULL)
      abort();
    for (size_t i = 0; i < s->n_method; i++) {
      outs[i] = pg_model_find(g->model, s->method[i]->output_type);
      emit_client(g, n, s->method[i], ins[i], outs[i]);
    }
    pg_gen_c_mock(&g->h, n, g->file_sym, s, ins, outs);
    pg_strbuf_printf(&g->h, "\n");
    free(ins);
    free(outs);
  }
  pg_strbuf_printf(&g->c,
                   "const parigot_pb_service_desc %s_desc = {\"%s\", %zu, "
                   "%s%s};\n\n",
                   n, full, s->n_method, s->n_method ? n : "NULL",
                   s->n_method ? "_methods" : "");
  free(c_pkg);
  free(n);
  free(full);
  return rc;
}

/* ---- the file ---------------------------------------------------------- */

static void emit_prologue(gen *g, const char *guard) {
  const pd_file *f = g->file;
  pg_strbuf_printf(&g->h,
                   "/* Generated by protoc-gen-parigot from %s. Do not edit. "
                   "*/\n#ifndef %s\n#define %s\n\n"
                   "#include <stdbool.h>\n#include <stddef.h>\n"
                   "#include <stdint.h>\n\n#include \"parigot/pb.h\"\n",
                   f->name, guard, guard);
  for (size_t i = 0; i < f->n_dependency; i++) {
    if (!pg_model_generates(g->model, f->dependency[i]))
      continue;
    char *s = pg_path_stem(f->dependency[i]);
    pg_strbuf_printf(&g->h, "#include \"%s.pg.h\"\n", s);
    free(s);
  }
  if (f->n_service > 0)
    pg_strbuf_printf(&g->h, "#include \"parigot/guest.h\"\n"
                            "#include \"parigot/mock.h\"\n");
  pg_strbuf_printf(&g->h, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
  for (size_t i = 0; i < g->model->n; i++) {
    const pg_type *t = &g->model->types[i];
    if (t->file == f && t->msg)
      pg_strbuf_printf(&g->h, "typedef struct %s %s;\n", t->c_name, t->c_name);
  }
  pg_strbuf_printf(&g->h, "\n");
}

static void emit_descriptor_bytes(gen *g, const uint8_t *d, size_t len) {
  pg_strbuf_printf(&g->c, "static const uint8_t descriptor[%zu] = {", len);
  for (size_t i = 0; i < len; i++)
    pg_strbuf_printf(&g->c, "%s0x%02x,", i % 12 == 0 ? "\n  " : " ", d[i]);
  pg_strbuf_printf(&g->c, "\n};\n\n");
}

static void emit_list(gen *g, const char *ctype, const char *name,
                      const char *const *items, size_t n) {
  if (n == 0)
    return;
  pg_strbuf_printf(&g->c, "static const %s *const %s[] = {\n", ctype, name);
  for (size_t i = 0; i < n; i++)
    pg_strbuf_printf(&g->c, "  &%s,\n", items[i]);
  pg_strbuf_printf(&g->c, "};\n");
}

static void emit_file_desc(gen *g, const char *sym, const uint8_t *d,
                           size_t len) {
  const pd_file *f = g->file;
  const pg_model *m = g->model;
  char **deps = calloc(f->n_dependency + 1, sizeof *deps);
  char **msgs = calloc(m->n + 1, sizeof *msgs);
  char **enums = calloc(m->n + 1, sizeof *enums);
  char **svcs = calloc(f->n_service + 1, sizeof *svcs);
  size_t nd = 0, nm = 0, ne = 0;
  if (!deps || !msgs || !enums || !svcs)
    abort();
  for (size_t i = 0; i < f->n_dependency; i++)
    if (pg_model_generates(m, f->dependency[i]))
      deps[nd++] = pg_path_ident(f->dependency[i]);
  for (size_t i = 0; i < nd; i++) {
    char *s = pg_strdupf("%s_file", deps[i]);
    free(deps[i]);
    deps[i] = s;
  }
  for (size_t i = 0; i < m->n; i++) {
    if (m->types[i].file != f)
      continue;
    if (m->types[i].msg)
      msgs[nm++] = pg_strdupf("%s_desc", m->types[i].c_name);
    else
      enums[ne++] = pg_strdupf("%s_desc", m->types[i].c_name);
  }
  char *c_pkg = pg_c_ident(f->package ? f->package : "");
  for (size_t i = 0; i < f->n_service; i++)
    svcs[i] = *c_pkg ? pg_strdupf("%s_%s_desc", c_pkg, f->service[i]->name)
                     : pg_strdupf("%s_desc", f->service[i]->name);
  free(c_pkg);
  emit_descriptor_bytes(g, d, len);
  emit_list(g, "parigot_pb_file_desc", "dependencies",
            (const char *const *)deps, nd);
  emit_list(g, "parigot_pb_message_desc", "messages", (const char *const *)msgs,
            nm);
  emit_list(g, "parigot_pb_enum_desc", "enums", (const char *const *)enums, ne);
  emit_list(g, "parigot_pb_service_desc", "services", (const char *const *)svcs,
            f->n_service);
  pg_strbuf_printf(
      &g->c,
      "const parigot_pb_file_desc %s = {\n"
      "  .name = \"%s\", .package = \"%s\",\n"
      "  .descriptor = descriptor, .descriptor_len = sizeof descriptor,\n"
      "  .n_dependencies = %zu, .dependencies = %s,\n"
      "  .n_messages = %zu, .messages = %s,\n"
      "  .n_enums = %zu, .enums = %s,\n"
      "  .n_services = %zu, .services = %s,\n};\n",
      sym, f->name, f->package ? f->package : "", nd,
      nd ? "dependencies" : "NULL", nm, nm ? "messages" : "NULL", ne,
      ne ? "enums" : "NULL", f->n_service, f->n_service ? "services" : "NULL");
  for (size_t i = 0; i < nd; i++)
    free(deps[i]);
  for (size_t i = 0; i < nm; i++)
    free(msgs[i]);
  for (size_t i = 0; i < ne; i++)
    free(enums[i]);
  for (size_t i = 0; i < f->n_service; i++)
    free(svcs[i]);
  free(deps);
  free(msgs);
  free(enums);
  free(svcs);
}

static int emit_types(gen *g) {
  const pg_model *m = g->model;
  for (size_t i = 0; i < m->n; i++) {
    const pg_type *t = &m->types[i];
    if (t->file != g->file)
      continue;
    if (t->enm) {
      emit_enum(g, t);
      emit_enum_tables(g, t);
      continue;
    }
    field *fs;
    if (classify_all(g, t, &fs) != 0)
      return -1;
    if (check_members(g, t, fs) != 0) {
      free_fields(fs, t->msg->n_field);
      return -1;
    }
    emit_struct(g, t, fs);
    emit_field_numbers(g, t);
    emit_wrappers(g, t);
    emit_message_tables(g, t, fs);
    emit_encoders(g, t, fs);
    free_fields(fs, t->msg->n_field);
  }
  return 0;
}

int pg_gen_c(const pg_model *m, const pd_file *f, const uint8_t *descriptor,
             size_t descriptor_len, pg_gen_output out[2], char **err) {
  gen g = {.model = m, .file = f};
  pg_strbuf_init(&g.h);
  pg_strbuf_init(&g.c);
  char *base = pg_path_stem(f->name);
  char *sym = pg_path_ident(f->name);
  char *file_sym = pg_strdupf("%s_file", sym);
  g.file_sym = file_sym;
  char *guard = pg_strdupf("%s_PG_H", sym);
  for (char *p = guard; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  emit_prologue(&g, guard);
  pg_strbuf_printf(&g.c,
                   "/* Generated by protoc-gen-parigot from %s. Do not edit. "
                   "*/\n#include \"%s.pg.h\"\n\n#include "
                   "\"parigot/pb_gen.h\"\n\n",
                   f->name, base);
  for (size_t i = 0; i < m->n; i++)
    if (m->types[i].file == f && m->types[i].msg)
      pg_strbuf_printf(&g.c,
                       "static size_t %s__size(const void *msg, uint32_t "
                       "depth);\nstatic int %s__put(parigot_pb_writer *w, "
                       "const void *msg, uint32_t depth);\n",
                       m->types[i].c_name, m->types[i].c_name);
  pg_strbuf_printf(&g.c, "\n");
  int rc = emit_types(&g);
  for (size_t i = 0; rc == 0 && i < f->n_service; i++)
    rc = emit_service(&g, f->service[i]);
  if (rc == 0) {
    pg_strbuf_printf(&g.h,
                     "/** @brief The file %s: types, services and its "
                     "serialized FileDescriptorProto. */\n"
                     "extern const parigot_pb_file_desc %s;\n\n"
                     "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s */\n",
                     f->name, file_sym, guard);
    emit_file_desc(&g, file_sym, descriptor, descriptor_len);
    out[0].name = pg_strdupf("%s.pg.h", base);
    out[0].content = pg_strbuf_take(&g.h);
    out[1].name = pg_strdupf("%s.pg.c", base);
    out[1].content = pg_strbuf_take(&g.c);
  } else {
    *err = g.err;
  }
  pg_strbuf_free(&g.h);
  pg_strbuf_free(&g.c);
  free(base);
  free(sym);
  free(file_sym);
  free(guard);
  return rc == 0 ? 2 : -1;
}
