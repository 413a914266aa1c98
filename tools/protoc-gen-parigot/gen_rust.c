/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/gen_rust.c: writes a .proto file's Rust code,
 * for the sdk/rust crate (`parigot`).
 *
 * "dir/name.proto" becomes "dir/name.pg.rs": the body of the module named
 * after the file's package (`greeting.v1` is `greeting::v1`). A nested
 * type lives in a module named after its message (`Rich.Inner` is
 * `rich::Inner`), beside the message's oneof enums (`rich::Choice`).
 * Each service gets its trait, its `export_x()`, its client and its mock
 * (`XMock`, for test programs, on sdk/rust/src/mock.rs: expectations set
 * with a builder, the calls it had, `verify()`).
 * Other packages are reached with `super::` paths, so every package of a
 * guest is included under one common module (pg_rust_guest() in
 * cmake/ParigotRust.cmake writes that tree). Names from the SDK and std are
 * written in full (`::parigot::...`, `::std::vec::Vec`), so a message
 * called `Option` or `parigot` cannot shadow them.
 *
 * The encoder and decoder per message call the kinds of sdk/rust/src/pb.rs,
 * which follow the C codec rule for rule, so both give the same bytes.
 * Output depends only on the request, so a rebuild writes the same bytes.
 */
#include "gen_rust.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define T(x) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_##x
#define LABEL_REPEATED                                                         \
  GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED

typedef struct gen {
  const pg_model *model;
  const pd_file *file;
  pg_strbuf o;
  char *err;
  char **pool; /* strings freed when the file is done */
  size_t npool;
} gen;

/* One field as the generated code sees it. */
typedef struct rfield {
  const pd_field *fd;
  const pg_type *ref; /* its message or enum type, if any */
  int oneof;          /* index of its real oneof, or -1 */
  bool is_map, is_packed, is_boxed, is_optional, is_repeated;
  const char *name;          /* the Rust field (or variant) name */
  const char *kind;          /* its pb kind: "::parigot::pb::Int32" */
  const char *vtype;         /* the Rust type of one value */
  const char *ftype;         /* the Rust type of the struct member */
  const char *kkind, *vkind; /* a map's key and value kinds */
} rfield;

static int fail(gen *g, char *msg) {
  if (g->err == NULL)
    g->err = msg;
  else
    free(msg);
  return -1;
}

/* Keeps @p s until the file is done; returns it. */
static const char *keep(gen *g, char *s) {
  g->pool = realloc(g->pool, (g->npool + 1) * sizeof *g->pool);
  if (g->pool == NULL)
    abort();
  g->pool[g->npool++] = s;
  return s;
}

/* ---- names -------------------------------------------------------------- */

static const char *const keywords[] = {
    "abstract", "as",       "async", "await", "become", "box",    "break",
    "const",    "continue", "do",    "dyn",   "else",   "enum",   "extern",
    "false",    "final",    "fn",    "for",   "if",     "impl",   "in",
    "let",      "loop",     "macro", "match", "mod",    "move",   "mut",
    "override", "priv",     "pub",   "ref",   "return", "static", "struct",
    "trait",    "true",     "try",   "type",  "typeof", "unsafe", "unsized",
    "use",      "virtual",  "where", "while", "yield"};

/* An identifier Rust accepts for @p name: a raw identifier for a keyword,
 * a trailing underscore for the four that cannot be raw. */
static char *rs_ident(const char *name) {
  if (strcmp(name, "self") == 0 || strcmp(name, "super") == 0 ||
      strcmp(name, "crate") == 0 || strcmp(name, "Self") == 0)
    return pg_strdupf("%s_", name);
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strcmp(keywords[i], name) == 0)
      return pg_strdupf("r#%s", name);
  return pg_strdupf("%s", name);
}

/* "FetchGreeting" -> "fetch_greeting", "HTTPServer" -> "http_server". */
static char *snake_raw(const char *s) {
  pg_strbuf b;
  pg_strbuf_init(&b);
  size_t n = strlen(s);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isupper(c)) {
      bool after_lower = i > 0 && (islower((unsigned char)s[i - 1]) ||
                                   isdigit((unsigned char)s[i - 1]));
      bool ends_acronym = i > 0 && isupper((unsigned char)s[i - 1]) &&
                          i + 1 < n && islower((unsigned char)s[i + 1]);
      if ((after_lower || ends_acronym) && b.len > 0 &&
          b.data[b.len - 1] != '_')
        pg_strbuf_printf(&b, "_");
      pg_strbuf_printf(&b, "%c", tolower(c));
    } else {
      pg_strbuf_printf(&b, "%c", c);
    }
  }
  return pg_strbuf_take(&b);
}

static const char *snake(gen *g, const char *s) {
  char *raw = snake_raw(s);
  char *id = rs_ident(raw);
  free(raw);
  return keep(g, id);
}

/* "my_msg" -> "MyMsg"; "Rich" stays. */
static const char *camel(gen *g, const char *s) {
  pg_strbuf b;
  pg_strbuf_init(&b);
  bool up = true;
  for (const char *p = s; *p; p++) {
    if (*p == '_') {
      up = true;
      continue;
    }
    pg_strbuf_printf(&b, "%c", up ? toupper((unsigned char)*p) : *p);
    up = false;
  }
  char *raw = pg_strbuf_take(&b);
  char *id = rs_ident(*raw ? raw : "X");
  free(raw);
  return keep(g, id);
}

/* Upper-case identifier of a path: "a/b-c.proto" -> "A_B_C_PROTO_FILE". */
static const char *file_static(gen *g, const char *path) {
  char *s = pg_strdupf("%s_FILE", path);
  for (char *p = s; *p; p++)
    *p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
  return keep(g, s);
}

/* ---- paths -------------------------------------------------------------- */

static size_t pkg_depth(const char *pkg) {
  if (pkg == NULL || *pkg == 0)
    return 0;
  size_t n = 1;
  for (const char *p = pkg; *p; p++)
    n += *p == '.';
  return n;
}

/* The module path of package @p pkg, each part followed by "::". */
static void append_pkg(gen *g, pg_strbuf *b, const char *pkg) {
  if (pkg == NULL || *pkg == 0)
    return;
  const char *p = pkg;
  while (*p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    char *part = pg_strdupf("%.*s", (int)n, p);
    pg_strbuf_printf(b, "%s::", snake(g, part));
    free(part);
    p += n + (dot != NULL);
  }
}

/* The path of type @p t from code @p mdepth message modules below this
 * file's package module. */
static const char *type_path(gen *g, const pg_type *t, int mdepth) {
  pg_strbuf b;
  pg_strbuf_init(&b);
  const char *own = g->file->package ? g->file->package : "";
  const char *pkg = t->file->package ? t->file->package : "";
  for (int i = 0; i < mdepth; i++)
    pg_strbuf_printf(&b, "super::");
  if (strcmp(own, pkg) != 0) {
    for (size_t i = 0; i < pkg_depth(own); i++)
      pg_strbuf_printf(&b, "super::");
    append_pkg(g, &b, pkg);
  }
  /* "Outer.Inner.Leaf" below the package: outer::inner::Leaf */
  const char *rel = t->full_name + (*pkg ? strlen(pkg) + 1 : 0);
  for (;;) {
    const char *dot = strchr(rel, '.');
    if (dot == NULL)
      break;
    char *part = pg_strdupf("%.*s", (int)(dot - rel), rel);
    pg_strbuf_printf(&b, "%s::", snake(g, part));
    free(part);
    rel = dot + 1;
  }
  pg_strbuf_printf(&b, "%s", camel(g, rel));
  return keep(g, pg_strbuf_take(&b));
}

/* The path of the file static of @p f from the package module. */
static const char *file_path(gen *g, const pd_file *f) {
  pg_strbuf b;
  pg_strbuf_init(&b);
  const char *own = g->file->package ? g->file->package : "";
  const char *pkg = f->package ? f->package : "";
  if (strcmp(own, pkg) != 0) {
    for (size_t i = 0; i < pkg_depth(own); i++)
      pg_strbuf_printf(&b, "super::");
    append_pkg(g, &b, pkg);
  }
  pg_strbuf_printf(&b, "%s", file_static(g, f->name));
  return keep(g, pg_strbuf_take(&b));
}

/* ---- fields ------------------------------------------------------------- */

static bool is_real_oneof(const pd_field *fd) {
  return fd->has_oneof_index &&
         !(fd->has_proto3_optional && fd->proto3_optional);
}

static bool is_explicit_optional(const pd_field *fd) {
  return fd->has_proto3_optional && fd->proto3_optional;
}

/* Whether message @p from reaches message @p target through singular
 * message fields: then a field of type @p from inside @p target must be
 * boxed, or the struct would contain itself. */
static bool reaches(const pg_model *m, const pg_type *from,
                    const pg_type *target, const pg_type **seen,
                    size_t *nseen) {
  if (from == target)
    return true;
  for (size_t i = 0; i < *nseen; i++)
    if (seen[i] == from)
      return false;
  seen[(*nseen)++] = from;
  for (size_t i = 0; i < from->msg->n_field; i++) {
    const pd_field *fd = from->msg->field[i];
    if (fd->type != T(MESSAGE) || fd->label == LABEL_REPEATED)
      continue;
    const pg_type *t = pg_model_find(m, fd->type_name);
    if (t != NULL && t->msg != NULL && reaches(m, t, target, seen, nseen))
      return true;
  }
  return false;
}

static bool needs_box(gen *g, const pg_type *owner, const pg_type *ref) {
  const pg_type **seen = calloc(g->model->n + 1, sizeof *seen);
  if (seen == NULL)
    abort();
  size_t nseen = 0;
  bool r = reaches(g->model, ref, owner, seen, &nseen);
  free(seen);
  return r;
}

typedef struct scalar {
  int type;
  const char *kind;
  const char *rtype;
} scalar;

static const scalar scalars[] = {{T(DOUBLE), "Double", "f64"},
                                 {T(FLOAT), "Float", "f32"},
                                 {T(INT64), "Int64", "i64"},
                                 {T(UINT64), "Uint64", "u64"},
                                 {T(INT32), "Int32", "i32"},
                                 {T(FIXED64), "Fixed64", "u64"},
                                 {T(FIXED32), "Fixed32", "u32"},
                                 {T(BOOL), "Bool", "bool"},
                                 {T(STRING), "Str", "::std::string::String"},
                                 {T(BYTES), "Bytes", "::std::vec::Vec<u8>"},
                                 {T(UINT32), "Uint32", "u32"},
                                 {T(SFIXED32), "Sfixed32", "i32"},
                                 {T(SFIXED64), "Sfixed64", "i64"},
                                 {T(SINT32), "Sint32", "i32"},
                                 {T(SINT64), "Sint64", "i64"}};

/* Kind and value type of a field's type, seen from @p mdepth. */
static int kind_of(gen *g, const pg_type *owner, const pd_field *fd, int mdepth,
                   const char **kind, const char **vtype) {
  if (fd->type == T(MESSAGE) || fd->type == T(ENUM)) {
    const pg_type *t = pg_model_find(g->model, fd->type_name);
    if (t == NULL)
      return fail(g, pg_strdupf("%s: %s.%s: unknown type %s", g->file->name,
                                owner->full_name, fd->name, fd->type_name));
    if (t->file->syntax == NULL || strcmp(t->file->syntax, "proto3") != 0)
      return fail(g, pg_strdupf("%s: %s.%s: type %s comes from %s, which is "
                                "not proto3; parigot generates proto3 only",
                                g->file->name, owner->full_name, fd->name,
                                t->full_name, t->file->name));
    *vtype = type_path(g, t, mdepth);
    *kind = keep(g, pg_strdupf("::parigot::pb::%s<%s>",
                               fd->type == T(ENUM) ? "Enum" : "Msg", *vtype));
    return 0;
  }
  for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
    if (scalars[i].type == (int)fd->type) {
      *kind = keep(g, pg_strdupf("::parigot::pb::%s", scalars[i].kind));
      *vtype = scalars[i].rtype;
      return 0;
    }
  return fail(g, pg_strdupf("%s: %s.%s: groups are not supported",
                            g->file->name, owner->full_name, fd->name));
}

static const pd_field *entry_field(const pd_msg *entry, int number) {
  for (size_t i = 0; i < entry->n_field; i++)
    if (entry->field[i]->number == number)
      return entry->field[i];
  return NULL;
}

static int classify(gen *g, const pg_type *owner, const pd_field *fd,
                    int mdepth, rfield *out) {
  memset(out, 0, sizeof *out);
  out->fd = fd;
  out->oneof = is_real_oneof(fd) ? fd->oneof_index : -1;
  out->is_repeated = fd->label == LABEL_REPEATED;
  out->is_optional = is_explicit_optional(fd);
  if (fd->type == T(GROUP))
    return fail(g, pg_strdupf("%s: %s.%s: groups are not supported",
                              g->file->name, owner->full_name, fd->name));
  if (fd->type == T(MESSAGE) || fd->type == T(ENUM))
    out->ref = pg_model_find(g->model, fd->type_name);
  out->name = snake(g, fd->name);
  if (strcmp(out->name, "_unknown") == 0)
    return fail(g, pg_strdupf("%s: %s.%s: the name _unknown is kept for "
                              "unknown fields; rename the field",
                              g->file->name, owner->full_name, fd->name));
  if (out->is_repeated && out->ref && out->ref->msg &&
      pg_is_map_entry(out->ref->msg)) {
    const pd_field *k = entry_field(out->ref->msg, 1);
    const pd_field *v = entry_field(out->ref->msg, 2);
    const char *ktype, *vtype;
    if (k == NULL || v == NULL)
      return fail(g, pg_strdupf("%s: %s.%s: malformed map entry", g->file->name,
                                owner->full_name, fd->name));
    if (kind_of(g, out->ref, k, mdepth, &out->kkind, &ktype) != 0 ||
        kind_of(g, out->ref, v, mdepth, &out->vkind, &vtype) != 0)
      return -1;
    out->is_map = true;
    out->ftype = keep(
        g, pg_strdupf("::std::collections::BTreeMap<%s, %s>", ktype, vtype));
    return 0;
  }
  if (kind_of(g, owner, fd, mdepth, &out->kind, &out->vtype) != 0)
    return -1;
  if (out->is_repeated) {
    bool unpacked =
        fd->options && fd->options->has_packed && !fd->options->packed;
    out->is_packed = !unpacked && fd->type != T(STRING) &&
                     fd->type != T(BYTES) && fd->type != T(MESSAGE);
    out->ftype = keep(g, pg_strdupf("::std::vec::Vec<%s>", out->vtype));
    return 0;
  }
  const char *v = out->vtype;
  if (fd->type == T(MESSAGE) && needs_box(g, owner, out->ref)) {
    out->is_boxed = true;
    v = keep(g, pg_strdupf("::std::boxed::Box<%s>", out->vtype));
  }
  if (out->oneof >= 0)
    out->ftype = v;
  else if (fd->type == T(MESSAGE) || out->is_optional)
    out->ftype = keep(g, pg_strdupf("::std::option::Option<%s>", v));
  else
    out->ftype = v;
  return 0;
}

/* ---- names that must not collide ---------------------------------------- */

static int claim(gen *g, pg_names *ns, const char *where, const char *name) {
  char *copy = pg_strdupf("%s", name);
  if (pg_names_take(ns, copy))
    return 0;
  free(copy);
  return fail(g, pg_strdupf("%s: %s: generated Rust name '%s' is used "
                            "twice; rename one",
                            g->file->name, where, name));
}

/* ---- tags --------------------------------------------------------------- */

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

/* The tag's bytes as a Rust array, "[0x0a]"; its length in *len. */
static const char *tag_bytes(gen *g, int number, int wt, int *len) {
  unsigned long long v = ((unsigned long long)number << 3) | (unsigned)wt;
  pg_strbuf b;
  pg_strbuf_init(&b);
  pg_strbuf_printf(&b, "[");
  *len = 0;
  do {
    unsigned byte = (unsigned)(v & 0x7f);
    v >>= 7;
    pg_strbuf_printf(&b, "%s0x%02x", *len ? ", " : "", byte | (v ? 0x80 : 0));
    (*len)++;
  } while (v);
  pg_strbuf_printf(&b, "]");
  return keep(g, pg_strbuf_take(&b));
}

static const char *field_tag(gen *g, const rfield *f, int *len) {
  int wt = f->is_map || f->is_packed ? 2 : wire_of((int)f->fd->type);
  return tag_bytes(g, f->fd->number, wt, len);
}

/* ---- messages ----------------------------------------------------------- */

static void ind(gen *g, int depth) {
  for (int i = 0; i < depth; i++)
    pg_strbuf_printf(&g->o, "    ");
}

/* Text at depth @p depth: a printf format, usually one whole line. */
static void line(gen *g, int depth, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line(gen *g, int depth, const char *fmt, ...) {
  ind(g, depth);
  va_list ap;
  va_start(ap, fmt);
  pg_strbuf_vprintf(&g->o, fmt, ap);
  va_end(ap);
}

static const char *oneof_field(gen *g, const pg_type *t, int i) {
  return snake(g, t->msg->oneof_decl[i]->name);
}

static const char *oneof_enum(gen *g, const pg_type *t, int i, int mdepth) {
  (void)mdepth;
  return keep(g, pg_strdupf("%s::%s", snake(g, t->msg->name),
                            camel(g, t->msg->oneof_decl[i]->name)));
}

static bool first_of_oneof(const rfield *fs, size_t i) {
  for (size_t j = 0; j < i; j++)
    if (fs[j].oneof == fs[i].oneof)
      return false;
  return true;
}

static void emit_struct(gen *g, const pg_type *t, const rfield *fs, size_t nf,
                        int d) {
  const char *name = camel(g, t->msg->name);
  line(g, d, "/// Message `%s`.\n", t->full_name);
  line(g, d, "#[derive(Clone, Debug, Default, PartialEq)]\n");
  line(g, d, "pub struct %s {\n", name);
  for (size_t i = 0; i < nf; i++) {
    const rfield *f = &fs[i];
    if (f->oneof >= 0) {
      if (!first_of_oneof(fs, i))
        continue;
      line(g, d + 1, "/// Oneof `%s`: the member set, if any.\n",
           t->msg->oneof_decl[f->oneof]->name);
      line(g, d + 1, "pub %s: ::std::option::Option<%s>,\n",
           oneof_field(g, t, f->oneof), oneof_enum(g, t, f->oneof, d));
      continue;
    }
    line(g, d + 1, "/// Field %d, `%s`.\n", f->fd->number, f->fd->name);
    line(g, d + 1, "pub %s: %s,\n", f->name, f->ftype);
  }
  line(g, d + 1,
       "/// Unknown fields, kept when a decode asks "
       "for them; written last.\n");
  line(g, d + 1, "pub _unknown: ::std::vec::Vec<u8>,\n");
  line(g, d, "}\n\n");
}

static void emit_field_numbers(gen *g, const pg_type *t, const rfield *fs,
                               size_t nf, int d) {
  if (nf == 0)
    return;
  line(g, d, "#[allow(non_upper_case_globals)]\n");
  line(g, d, "impl %s {\n", camel(g, t->msg->name));
  for (size_t i = 0; i < nf; i++) {
    char *upper = pg_strdupf("%s_FIELD", fs[i].fd->name);
    for (char *p = upper; *p; p++)
      *p = (char)toupper((unsigned char)*p);
    line(g, d + 1, "/// The number of field `%s`.\n", fs[i].fd->name);
    line(g, d + 1, "pub const %s: u32 = %d;\n", upper, fs[i].fd->number);
    free(upper);
  }
  line(g, d, "}\n\n");
}

static int by_number(const void *a, const void *b) {
  int x = ((const rfield *)a)->fd->number;
  int y = ((const rfield *)b)->fd->number;
  return (x > y) - (x < y);
}

/* The variant of a oneof member: "rich::Choice::ChoiceInt32". */
static const char *variant(gen *g, const pg_type *t, const rfield *f, int d) {
  return keep(g, pg_strdupf("%s::%s", oneof_enum(g, t, f->oneof, d),
                            camel(g, f->fd->name)));
}

/* Opens the block that writes an implicit-presence field when it is not
 * its default, with `v` bound to the value (the caller indented). */
static void emit_if_not_default(gen *g, const rfield *f, int d) {
  pg_strbuf_printf(&g->o,
                   "if !<%s as ::parigot::pb::Kind>::is_default("
                   "&self.%s) {\n",
                   f->kind, f->name);
  line(g, d + 1, "let v = &self.%s;\n", f->name);
}

static void emit_len(gen *g, const pg_type *t, const rfield *f, int d) {
  int tl;
  field_tag(g, f, &tl);
  ind(g, d);
  if (f->is_map)
    pg_strbuf_printf(&g->o,
                     "n += ::parigot::pb::map_len::<%s, %s>(%d, "
                     "&self.%s, depth);\n",
                     f->kkind, f->vkind, tl, f->name);
  else if (f->is_packed)
    pg_strbuf_printf(&g->o,
                     "n += ::parigot::pb::packed_len::<%s>(%d, "
                     "&self.%s);\n",
                     f->kind, tl, f->name);
  else if (f->is_repeated)
    pg_strbuf_printf(&g->o,
                     "n += ::parigot::pb::unpacked_len::<%s>(%d, "
                     "&self.%s, depth);\n",
                     f->kind, tl, f->name);
  else if (f->oneof >= 0)
    pg_strbuf_printf(&g->o,
                     "if let ::std::option::Option::Some(%s(v)) = "
                     "&self.%s {\n",
                     variant(g, t, f, d), oneof_field(g, t, f->oneof));
  else if (f->fd->type == T(MESSAGE) || f->is_optional)
    pg_strbuf_printf(&g->o,
                     "if let ::std::option::Option::Some(v) = "
                     "&self.%s {\n",
                     f->name);
  else
    emit_if_not_default(g, f, d);
  if (f->is_map || f->is_repeated)
    return;
  line(g, d + 1,
       "n += ::parigot::pb::field_len::<%s>(%d, v, "
       "depth);\n",
       f->kind, tl);
  line(g, d, "}\n");
}

static void emit_put(gen *g, const pg_type *t, const rfield *f, int d) {
  int tl;
  const char *tag = field_tag(g, f, &tl);
  ind(g, d);
  if (f->is_map) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::put_map::<%s, %s>(w, &%s, "
                     "&self.%s, depth)?;\n",
                     f->kkind, f->vkind, tag, f->name);
    return;
  }
  if (f->is_packed) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::put_packed::<%s>(w, &%s, "
                     "&self.%s)?;\n",
                     f->kind, tag, f->name);
    return;
  }
  if (f->is_repeated) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::put_unpacked::<%s>(w, &%s, "
                     "&self.%s, depth)?;\n",
                     f->kind, tag, f->name);
    return;
  }
  if (f->oneof >= 0)
    pg_strbuf_printf(&g->o,
                     "if let ::std::option::Option::Some(%s(v)) = "
                     "&self.%s {\n",
                     variant(g, t, f, d), oneof_field(g, t, f->oneof));
  else if (f->fd->type == T(MESSAGE) || f->is_optional)
    pg_strbuf_printf(&g->o,
                     "if let ::std::option::Option::Some(v) = "
                     "&self.%s {\n",
                     f->name);
  else
    emit_if_not_default(g, f, d);
  line(g, d + 1,
       "::parigot::pb::put_field::<%s>(w, &%s, v, "
       "depth)?;\n",
       f->kind, tag);
  line(g, d, "}\n");
}

static void emit_merge(gen *g, const pg_type *t, const rfield *f, int d) {
  line(g, d, "%d => ", f->fd->number);
  if (f->is_map) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::merge_map::<%s, %s>(r, wt, "
                     "&mut self.%s)?,\n",
                     f->kkind, f->vkind, f->name);
  } else if (f->is_repeated) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::merge_repeated::<%s>(r, wt, "
                     "&mut self.%s)?,\n",
                     f->kind, f->name);
  } else if (f->oneof >= 0) {
    const char *var = variant(g, t, f, d);
    const char *of = oneof_field(g, t, f->oneof);
    const char *vt =
        f->is_boxed ? keep(g, pg_strdupf("::std::boxed::Box<%s>", f->vtype))
                    : f->vtype;
    pg_strbuf_printf(&g->o, "{\n");
    line(g, d + 1,
         "::parigot::pb::check(wt, <%s as "
         "::parigot::pb::Kind>::WT)?;\n",
         f->kind);
    line(g, d + 1,
         "if let ::std::option::Option::Some(%s(v)) = "
         "&mut self.%s {\n",
         var, of);
    line(g, d + 2, "<%s as ::parigot::pb::Kind>::merge(r, v)?;\n", f->kind);
    line(g, d + 1, "} else {\n");
    line(g, d + 2,
         "let mut v: %s = ::std::default::Default::"
         "default();\n",
         vt);
    line(g, d + 2,
         "<%s as ::parigot::pb::Kind>::merge(r, &mut "
         "v)?;\n",
         f->kind);
    line(g, d + 2,
         "self.%s = ::std::option::Option::Some(%s(v));"
         "\n",
         of, var);
    line(g, d + 1, "}\n");
    line(g, d, "}\n");
  } else if (f->is_boxed) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::merge_boxed(r, wt, &mut "
                     "self.%s)?,\n",
                     f->name);
  } else if (f->fd->type == T(MESSAGE) || f->is_optional) {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::merge_option::<%s>(r, wt, "
                     "&mut self.%s)?,\n",
                     f->kind, f->name);
  } else {
    pg_strbuf_printf(&g->o,
                     "::parigot::pb::merge_one::<%s>(r, wt, "
                     "&mut self.%s)?,\n",
                     f->kind, f->name);
  }
}

static void emit_impl(gen *g, const pg_type *t, rfield *fs, size_t nf, int d) {
  qsort(fs, nf, sizeof *fs, by_number);
  const char *name = camel(g, t->msg->name);
  line(g, d, "#[allow(unused_variables)]\n");
  line(g, d, "impl ::parigot::pb::Message for %s {\n", name);
  line(g, d + 1,
       "fn encoded_len_at(&self, depth: u32) -> usize "
       "{\n");
  line(g, d + 2, "if depth > ::parigot::pb::DEFAULT_MAX_DEPTH {\n");
  line(g, d + 3, "return 0; // write() fails here\n");
  line(g, d + 2, "}\n");
  line(g, d + 2, "let %sn = self._unknown.len();\n", nf ? "mut " : "");
  for (size_t i = 0; i < nf; i++)
    emit_len(g, t, &fs[i], d + 2);
  line(g, d + 2, "n\n");
  line(g, d + 1, "}\n\n");
  line(g, d + 1,
       "fn write(&self, w: &mut ::parigot::pb::Writer<'_>,"
       " depth: u32)\n");
  line(g, d + 3,
       "-> ::std::result::Result<(), "
       "::parigot::pb::EncodeError> {\n");
  line(g, d + 2, "::parigot::pb::check_depth(depth)?;\n");
  line(g, d + 2, "w.raw(&self._unknown)?;\n");
  for (size_t i = nf; i-- > 0;)
    emit_put(g, t, &fs[i], d + 2);
  line(g, d + 2, "::std::result::Result::Ok(())\n");
  line(g, d + 1, "}\n\n");
  line(g, d + 1, "fn merge_field(&mut self, number: u32, wt: u32,\n");
  line(g, d + 3, "r: &mut ::parigot::pb::Reader<'_>)\n");
  line(g, d + 3,
       "-> ::std::result::Result<bool, "
       "::parigot::pb::DecodeError> {\n");
  if (nf > 0) {
    line(g, d + 2, "match number {\n");
    for (size_t i = 0; i < nf; i++)
      emit_merge(g, t, &fs[i], d + 3);
    line(g, d + 3,
         "_ => return ::std::result::Result::Ok(false),"
         "\n");
    line(g, d + 2, "}\n");
  }
  line(g, d + 2, "::std::result::Result::Ok(%s)\n", nf ? "true" : "false");
  line(g, d + 1, "}\n\n");
  line(g, d + 1,
       "fn unknown_fields_mut(&mut self) -> &mut "
       "::std::vec::Vec<u8> {\n");
  line(g, d + 2, "&mut self._unknown\n");
  line(g, d + 1, "}\n");
  line(g, d, "}\n\n");
}

static void emit_enum(gen *g, const pg_type *t, const pd_enum *e, int d) {
  const char *name = camel(g, e->name);
  line(g, d, "/// Enum `%s`: open, so any number is kept.\n", t->full_name);
  line(g, d,
       "#[derive(Clone, Copy, Debug, Default, PartialEq, "
       "Eq, PartialOrd, Ord, Hash)]\n");
  line(g, d, "pub struct %s(pub i32);\n\n", name);
  line(g, d, "#[allow(non_upper_case_globals)]\n");
  line(g, d, "impl %s {\n", name);
  for (size_t i = 0; i < e->n_value; i++) {
    char *id = rs_ident(e->value[i]->name);
    line(g, d + 1, "/// `%s`.\n", e->value[i]->name);
    line(g, d + 1, "pub const %s: %s = %s(%d);\n", id, name, name,
         e->value[i]->number);
    free(id);
  }
  line(g, d + 1, "/// The value's name, if its number has one.\n");
  line(g, d + 1,
       "pub fn name(self) -> ::std::option::Option<"
       "&'static str> {\n");
  line(g, d + 2, "match self.0 {\n");
  for (size_t i = 0; i < e->n_value; i++) {
    bool dup = false; /* an alias: the first name of a number wins */
    for (size_t j = 0; j < i; j++)
      dup |= e->value[j]->number == e->value[i]->number;
    if (dup)
      continue;
    line(g, d + 3, "%d => ::std::option::Option::Some(\"%s\"),\n",
         e->value[i]->number, e->value[i]->name);
  }
  line(g, d + 3, "_ => ::std::option::Option::None,\n");
  line(g, d + 2, "}\n");
  line(g, d + 1, "}\n");
  line(g, d, "}\n\n");
  ind(g, d);
  pg_strbuf_printf(&g->o, "impl ::std::convert::From<%s> for i32 {\n", name);
  line(g, d + 1, "fn from(v: %s) -> i32 {\n", name);
  line(g, d + 2, "v.0\n");
  line(g, d + 1, "}\n");
  line(g, d, "}\n\n");
  ind(g, d);
  pg_strbuf_printf(&g->o, "impl ::std::convert::From<i32> for %s {\n", name);
  line(g, d + 1, "fn from(v: i32) -> %s {\n", name);
  line(g, d + 2, "%s(v)\n", name);
  line(g, d + 1, "}\n");
  line(g, d, "}\n\n");
  line(g, d, "impl ::parigot::pb::EnumValue for %s {\n", name);
  line(g, d + 1, "fn from_i32(v: i32) -> %s {\n", name);
  line(g, d + 2, "%s(v)\n", name);
  line(g, d + 1, "}\n");
  line(g, d + 1, "fn to_i32(self) -> i32 {\n");
  line(g, d + 2, "self.0\n");
  line(g, d + 1, "}\n");
  line(g, d, "}\n\n");
}

static const pg_type *find_nested(gen *g, const pg_type *outer,
                                  const char *name) {
  char *full = pg_strdupf("%s.%s", outer->full_name, name);
  const pg_type *t = pg_model_find(g->model, full);
  free(full);
  return t;
}

static bool has_module(const pd_msg *msg) {
  size_t n = msg->n_enum_type;
  for (size_t i = 0; i < msg->n_nested_type; i++)
    n += !pg_is_map_entry(msg->nested_type[i]);
  for (size_t i = 0; i < msg->n_field; i++)
    n += is_real_oneof(msg->field[i]);
  return n > 0;
}

static int emit_message(gen *g, const pg_type *t, int d);

/* The oneof enums of @p t, inside its module (one level below it). */
static void emit_oneofs(gen *g, const pg_type *t, const rfield *fs, size_t nf,
                        int d) {
  for (size_t i = 0; i < nf; i++) {
    if (fs[i].oneof < 0 || !first_of_oneof(fs, i))
      continue;
    int o = fs[i].oneof;
    line(g, d, "/// Oneof `%s.%s`.\n", t->full_name,
         t->msg->oneof_decl[o]->name);
    line(g, d, "#[derive(Clone, Debug, PartialEq)]\n");
    line(g, d, "pub enum %s {\n", camel(g, t->msg->oneof_decl[o]->name));
    for (size_t j = i; j < nf; j++) {
      if (fs[j].oneof != o)
        continue;
      rfield f;
      /* Classified again from inside the module: one more super::. */
      if (classify(g, t, fs[j].fd, d, &f) != 0)
        return;
      line(g, d + 1, "/// Field %d, `%s`.\n", f.fd->number, f.fd->name);
      line(g, d + 1, "%s(%s),\n", camel(g, f.fd->name), f.ftype);
    }
    line(g, d, "}\n\n");
  }
}

static int check_names(gen *g, const pg_type *t, const rfield *fs, size_t nf) {
  pg_names fields = {0}, mod = {0};
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < nf; i++) {
    if (fs[i].oneof >= 0) {
      if (first_of_oneof(fs, i))
        rc = claim(g, &fields, t->full_name, oneof_field(g, t, fs[i].oneof));
      if (rc == 0 && first_of_oneof(fs, i))
        rc = claim(g, &mod, t->full_name,
                   camel(g, t->msg->oneof_decl[fs[i].oneof]->name));
      pg_names variants = {0};
      for (size_t j = i; rc == 0 && first_of_oneof(fs, i) && j < nf; j++)
        if (fs[j].oneof == fs[i].oneof)
          rc = claim(g, &variants, t->full_name, camel(g, fs[j].fd->name));
      pg_names_free(&variants);
      continue;
    }
    rc = claim(g, &fields, t->full_name, fs[i].name);
  }
  for (size_t i = 0; rc == 0 && i < t->msg->n_nested_type; i++)
    if (!pg_is_map_entry(t->msg->nested_type[i]))
      rc = claim(g, &mod, t->full_name, camel(g, t->msg->nested_type[i]->name));
  for (size_t i = 0; rc == 0 && i < t->msg->n_enum_type; i++)
    rc = claim(g, &mod, t->full_name, camel(g, t->msg->enum_type[i]->name));
  pg_names_free(&fields);
  pg_names_free(&mod);
  return rc;
}

static int emit_message(gen *g, const pg_type *t, int d) {
  size_t nf = t->msg->n_field;
  rfield *fs = calloc(nf + 1, sizeof *fs);
  if (fs == NULL)
    abort();
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < nf; i++)
    rc = classify(g, t, t->msg->field[i], d, &fs[i]);
  if (rc == 0)
    rc = check_names(g, t, fs, nf);
  if (rc == 0) {
    emit_struct(g, t, fs, nf, d);
    emit_field_numbers(g, t, fs, nf, d);
    emit_impl(g, t, fs, nf, d);
  }
  if (rc == 0 && has_module(t->msg)) {
    line(g, d,
         "/// The types nested in `%s`, and its oneofs."
         "\n",
         t->full_name);
    line(g, d, "pub mod %s {\n", snake(g, t->msg->name));
    emit_oneofs(g, t, fs, nf, d + 1);
    for (size_t i = 0; rc == 0 && i < t->msg->n_nested_type; i++) {
      const pd_msg *n = t->msg->nested_type[i];
      if (pg_is_map_entry(n))
        continue;
      const pg_type *nt = find_nested(g, t, n->name);
      rc = nt ? emit_message(g, nt, d + 1) : -1;
    }
    for (size_t i = 0; rc == 0 && i < t->msg->n_enum_type; i++) {
      const pg_type *nt = find_nested(g, t, t->msg->enum_type[i]->name);
      if (nt != NULL)
        emit_enum(g, nt, nt->enm, d + 1);
    }
    line(g, d, "}\n\n");
  }
  free(fs);
  return g->err ? -1 : rc;
}

/* ---- mocks -------------------------------------------------------------- */

/* The names a mock's inherent methods take besides expect_m and m_calls. */
static const char *const mock_fixed[] = {
    "export", "get", "calls", "unexpected_calls", "verify", "report"};

/* Refuses a mock whose method names would collide ("expect_x", "x_calls"
 * and the fixed ones). */
static int claim_mock_names(gen *g, const pd_service *s, const char *full) {
  const char *mock = keep(g, pg_strdupf("mock of service %s", full));
  pg_names ns = {0};
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof mock_fixed / sizeof *mock_fixed; i++)
    rc = claim(g, &ns, mock, mock_fixed[i]);
  for (size_t i = 0; rc == 0 && i < s->n_method; i++) {
    char *raw = snake_raw(s->method[i]->name);
    char *expect = pg_strdupf("expect_%s", raw);
    char *calls = pg_strdupf("%s_calls", raw);
    rc = claim(g, &ns, mock, expect);
    if (rc == 0)
      rc = claim(g, &ns, mock, calls);
    free(raw);
    free(expect);
    free(calls);
  }
  pg_names_free(&ns);
  return rc;
}

/* The struct, its inherent methods (export, get, expect_m, m_calls, calls,
 * unexpected_calls, verify, report) and its implementation of the
 * service's trait, on sdk/rust/src/mock.rs. */
static void emit_mock_methods(gen *g, const pd_service *s, const char *mock,
                              const pg_type **ins, const pg_type **outs) {
  for (size_t i = 0; i < s->n_method; i++) {
    const char *name = s->method[i]->name;
    char *raw = snake_raw(name);
    pg_strbuf_printf(&g->o,
                     "\n    /// Expects a call of `%s`: exactly one, with any "
                     "request, answered with\n    /// the default response, "
                     "until the builder says otherwise.\n"
                     "    #[inline]\n    #[track_caller]\n"
                     "    pub fn expect_%s(&self) -> "
                     "::parigot::mock::Expectation<%s, %s> {\n"
                     "        self.m%zu.expect()\n    }\n\n"
                     "    /// The requests of the `%s` calls so far, in "
                     "order (expected or not).\n"
                     "    #[inline]\n"
                     "    pub fn %s_calls(&self) -> ::std::vec::Vec<%s> {\n"
                     "        self.m%zu.requests()\n    }\n",
                     name, raw, type_path(g, ins[i], 0),
                     type_path(g, outs[i], 0), i, name, raw,
                     type_path(g, ins[i], 0), i);
    free(raw);
  }
  pg_strbuf_printf(
      &g->o,
      "\n    /// Every call the mock had, of every method, in order.\n"
      "    #[inline]\n    pub fn calls(&self) -> "
      "::std::vec::Vec<::parigot::mock::Record> "
      "{\n        self.base.calls()\n    }\n\n"
      "    /// The calls no expectation took (each failed UNIMPLEMENTED).\n"
      "    #[inline]\n    pub fn unexpected_calls(&self) -> "
      "::std::vec::Vec<::parigot::mock::Record> {\n"
      "        self.base.unexpected_calls()\n    }\n\n"
      "    /// Panics, naming every unmet expectation and unexpected call, "
      "unless\n    /// all went as expected (the SDK's panic hook logs it at "
      "ERROR).\n"
      "    #[inline]\n    #[track_caller]\n    pub fn verify(&self) {\n"
      "        self.base.verify()\n    }\n\n"
      "    /// What `verify` would panic with, or None.\n"
      "    #[inline]\n    pub fn report(&self) -> ::std::option::Option<"
      "::std::string::String> {\n        self.base.report()\n    }\n"
      "}\n\n"
      "impl %s for %s {\n",
      camel(g, s->name), mock);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(
        &g->o,
        "    #[inline]\n    fn %s(&mut self, call: ::parigot::Call<%s>, "
        "req: %s) {\n"
        "        self.m%zu.handle(call, req)\n    }\n",
        snake(g, s->method[i]->name), type_path(g, outs[i], 0),
        type_path(g, ins[i], 0), i);
  pg_strbuf_printf(&g->o, "}\n\n");
}

/* The mock of service @p s (named `full`, described by @p desc and
 * exported by @p export), for test programs. */
static int emit_mock(gen *g, const pd_service *s, const char *full,
                     const char *desc, const char *export, const pg_type **ins,
                     const pg_type **outs, pg_names *top) {
  const char *mock = keep(g, pg_strdupf("%sMock", camel(g, s->name)));
  if (claim(g, top, full, mock) || claim_mock_names(g, s, full))
    return -1;
  pg_strbuf_printf(&g->o,
                   "/// A mock of `%s` for test programs (`parigot::mock`):"
                   "\n/// `%s::export()` in the declare function, then "
                   "expectations\n/// (`expect_m()`), the calls it had "
                   "and `verify()`.\n"
                   "#[derive(Clone)]\npub struct %s {\n"
                   "    base: ::parigot::mock::Mock,\n",
                   full, mock, mock);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->o, "    m%zu: ::parigot::mock::Method<%s, %s>,\n", i,
                     type_path(g, ins[i], 0), type_path(g, outs[i], 0));
  pg_strbuf_printf(&g->o,
                   "}\n\nimpl %s {\n"
                   "    /// Exports `%s`, answered by a new mock with no "
                   "expectations,\n    /// and returns it (in the declare "
                   "function of a test program whose\n    /// manifest "
                   "entry mocks the service). Also requires "
                   "`parigot.test.v1.Test`,\n    /// whose Sleep delays "
                   "answers.\n"
                   "    #[inline]\n    pub fn export() -> %s {\n"
                   "        let base = ::parigot::mock::Mock::new(&%s);\n"
                   "        let mock = %s {\n",
                   mock, full, mock, desc, mock);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->o, "            m%zu: base.method(%zu),\n", i, i);
  pg_strbuf_printf(&g->o,
                   "            base,\n        };\n"
                   "        mock.base.register(mock.clone());\n"
                   "        %s(mock.clone());\n        mock\n    }\n\n"
                   "    /// The mock `export()` made (panics before it).\n"
                   "    #[inline]\n    pub fn get() -> %s {\n"
                   "        ::parigot::mock::Mock::registered(&%s)\n    }\n",
                   export, mock, desc);
  emit_mock_methods(g, s, mock, ins, outs);
  return 0;
}

/* ---- services ----------------------------------------------------------- */

static const char *upper_snake(gen *g, const char *s) {
  char *raw = snake_raw(s);
  for (char *p = raw; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  return keep(g, raw);
}

static int emit_service(gen *g, const pd_service *s, const char *file_sym,
                        pg_names *top) {
  const char *pkg = g->file->package ? g->file->package : "";
  const char *full = keep(g, *pkg ? pg_strdupf("%s.%s", pkg, s->name)
                                  : pg_strdupf("%s", s->name));
  const char *trait = camel(g, s->name);
  const char *client = keep(g, pg_strdupf("%sClient", trait));
  const char *desc = keep(g, pg_strdupf("%s_SERVICE", upper_snake(g, s->name)));
  char *raw = snake_raw(s->name);
  const char *export = keep(g, pg_strdupf("export_%s", raw));
  free(raw);
  if (claim(g, top, full, trait) || claim(g, top, full, client) ||
      claim(g, top, full, desc) || claim(g, top, full, export))
    return -1;
  const pg_type **ins = calloc(s->n_method + 1, sizeof *ins);
  const pg_type **outs = calloc(s->n_method + 1, sizeof *outs);
  if (ins == NULL || outs == NULL)
    abort();
  pg_names methods = {0};
  int rc = claim(g, &methods, full, "require");
  for (size_t i = 0; rc == 0 && i < s->n_method; i++) {
    const pd_method *m = s->method[i];
    ins[i] = pg_model_find(g->model, m->input_type);
    outs[i] = pg_model_find(g->model, m->output_type);
    if (ins[i] == NULL || outs[i] == NULL || !ins[i]->msg || !outs[i]->msg)
      rc = fail(g, pg_strdupf("%s: %s.%s: unknown message type", g->file->name,
                              full, m->name));
    else if (m->client_streaming || m->server_streaming)
      rc = fail(g, pg_strdupf("%s: %s.%s: streaming methods are not "
                              "supported",
                              g->file->name, full, m->name));
    else
      rc = claim(g, &methods, full, snake(g, m->name));
  }
  pg_names_free(&methods);
  if (rc != 0) {
    free(ins);
    free(outs);
    return -1;
  }
  pg_strbuf_printf(&g->o,
                   "/// Service `%s`: its methods, in order.\n"
                   "pub static %s: ::parigot::ServiceDesc = "
                   "::parigot::ServiceDesc {\n"
                   "    full_name: \"%s\",\n    file: &%s,\n"
                   "    methods: &[\n",
                   full, desc, full, file_sym);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->o,
                     "        ::parigot::MethodDesc { name: \"%s\", "
                     "path: \"/%s/%s\" },\n",
                     s->method[i]->name, full, s->method[i]->name);
  pg_strbuf_printf(&g->o, "    ],\n};\n\n");

  pg_strbuf_printf(&g->o,
                   "/// The server side of `%s`: implement the methods the "
                   "service serves;\n/// the others answer UNIMPLEMENTED. "
                   "Each handler answers its `call` at once\n/// or later "
                   "(the call may be moved into a closure).\n"
                   "pub trait %s: 'static {\n",
                   full, trait);
  for (size_t i = 0; i < s->n_method; i++) {
    const pd_method *m = s->method[i];
    pg_strbuf_printf(&g->o,
                     "    /// `%s`: answer `call` with a `%s`.\n"
                     "    fn %s(&mut self, call: ::parigot::Call<%s>, "
                     "req: %s) {\n"
                     "        let _ = req;\n"
                     "        ::parigot::rt::unimplemented(call, \"%s\");\n"
                     "    }\n",
                     m->name, outs[i]->full_name, snake(g, m->name),
                     type_path(g, outs[i], 0), type_path(g, ins[i], 0),
                     m->name);
  }
  pg_strbuf_printf(&g->o, "}\n\n");

  pg_strbuf_printf(&g->o,
                   "/// Declares that this guest implements `%s` with "
                   "`service` (in the\n/// declare function).\n"
                   "#[allow(unused_mut, unused_variables)]\n"
                   "pub fn %s<S: %s>(mut service: S) {\n"
                   "    ::parigot::rt::describe(&%s);\n"
                   "    ::parigot::rt::export(&%s, ::std::boxed::Box::new(\n"
                   "        move |method: u32, call: ::parigot::rt::RawCall, "
                   "req: &[u8]| match method {\n",
                   full, export, trait, file_sym, desc);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->o,
                     "            %zu => ::parigot::rt::invoke(call, req, "
                     "|c, r| service.%s(c, r)),\n",
                     i, snake(g, s->method[i]->name));
  pg_strbuf_printf(&g->o, "            _ => {}\n        }));\n}\n\n");

  pg_strbuf_printf(&g->o,
                   "/// The client of `%s`: `%s::require()` in the declare "
                   "function,\n/// then `%s.method(&req).then(...)`.\n"
                   "#[derive(Clone, Copy, Debug, Default)]\n"
                   "pub struct %s;\n\nimpl %s {\n"
                   "    /// Declares that this guest calls the service (in "
                   "the declare function).\n"
                   "    pub fn require() {\n"
                   "        ::parigot::rt::require(&%s);\n    }\n",
                   full, client, client, client, client, desc);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->o,
                     "\n    /// Calls `%s`: the reply is the response or "
                     "why the call failed.\n"
                     "    pub fn %s(&self, req: &%s) -> "
                     "::parigot::Reply<%s> {\n"
                     "        ::parigot::rt::dispatch(&%s, %zu, req)\n"
                     "    }\n",
                     s->method[i]->name, snake(g, s->method[i]->name),
                     type_path(g, ins[i], 0), type_path(g, outs[i], 0), desc,
                     i);
  pg_strbuf_printf(&g->o, "}\n\n");
  rc = emit_mock(g, s, full, desc, export, ins, outs, top);
  free(ins);
  free(outs);
  return rc;
}

/* ---- the file ----------------------------------------------------------- */

/* Imports generated by parigot too (as in gen_c.c): proto3 files that
 * define types. */

static void emit_prologue(gen *g) {
  const pd_file *f = g->file;
  const char *pkg = f->package && *f->package ? f->package : "";
  pg_strbuf b;
  pg_strbuf_init(&b);
  append_pkg(g, &b, pkg);
  if (b.len >= 2)
    b.data[b.len - 2] = 0; /* drop the last "::" */
  pg_strbuf_printf(
      &g->o,
      "// Generated by protoc-gen-parigot from %s. Do not edit.\n"
      "//\n"
      "// Include this file as the body of the module of its package, `%s`"
      "\n"
      "// (`greeting.v1` is module `greeting::v1`), with every package the "
      "guest\n"
      "// uses under one common module: other packages are reached through"
      "\n"
      "// `super::` paths. A type nested in a message is in the module named"
      "\n"
      "// after it (`Rich.Inner` is `rich::Inner`), with its oneof enums.\n"
      "// pg_rust_guest() (cmake/ParigotRust.cmake) writes the tree of "
      "modules\n"
      "// into the file named by $PARIGOT_PROTOS: `include!(env!("
      "\"PARIGOT_PROTOS\"));`\n\n",
      f->name, *pkg ? b.data : "(the common module)");
  pg_strbuf_free(&b);
}

static void emit_file_desc(gen *g, const char *sym, const uint8_t *d,
                           size_t len) {
  const pd_file *f = g->file;
  pg_strbuf_printf(&g->o,
                   "/// The file `%s`: its serialized FileDescriptorProto "
                   "and imports.\n"
                   "pub static %s: ::parigot::FileDesc = "
                   "::parigot::FileDesc {\n"
                   "    name: \"%s\",\n    package: \"%s\",\n"
                   "    dependencies: &[",
                   f->name, sym, f->name, f->package ? f->package : "");
  for (size_t i = 0; i < f->n_dependency; i++) {
    const pd_file *dep = pg_model_generates(g->model, f->dependency[i])
                             ? pg_model_find_file(g->model, f->dependency[i])
                             : NULL;
    if (dep != NULL)
      pg_strbuf_printf(&g->o, "&%s, ", file_path(g, dep));
  }
  pg_strbuf_printf(&g->o, "],\n    descriptor: &[");
  for (size_t i = 0; i < len; i++)
    pg_strbuf_printf(&g->o, "%s0x%02x,", i % 12 == 0 ? "\n        " : " ",
                     d[i]);
  pg_strbuf_printf(&g->o, "\n    ],\n};\n\n");
}

int pg_gen_rust(const pg_model *m, const pd_file *f, const uint8_t *descriptor,
                size_t descriptor_len, pg_gen_output out[2], char **err) {
  gen g = {.model = m, .file = f};
  pg_strbuf_init(&g.o);
  emit_prologue(&g);
  const char *sym = file_static(&g, f->name);
  /* Top-level names of the package module: this file's types, those of
   * the package's other files, and what the services add. */
  pg_names top = {0};
  const char *pkg = f->package ? f->package : "";
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < m->n; i++) {
    const pg_type *t = &m->types[i];
    const char *tp = t->file->package ? t->file->package : "";
    const char *rel = t->full_name + (*tp ? strlen(tp) + 1 : 0);
    if (strcmp(tp, pkg) == 0 && strchr(rel, '.') == NULL)
      rc = claim(&g, &top, t->full_name, camel(&g, rel));
  }
  for (size_t i = 0; rc == 0 && i < f->n_message_type; i++) {
    char *full = *pkg ? pg_strdupf("%s.%s", pkg, f->message_type[i]->name)
                      : pg_strdupf("%s", f->message_type[i]->name);
    const pg_type *t = pg_model_find(m, full);
    free(full);
    rc = t ? emit_message(&g, t, 0) : -1;
  }
  for (size_t i = 0; rc == 0 && i < f->n_enum_type; i++) {
    char *full = *pkg ? pg_strdupf("%s.%s", pkg, f->enum_type[i]->name)
                      : pg_strdupf("%s", f->enum_type[i]->name);
    const pg_type *t = pg_model_find(m, full);
    free(full);
    if (t != NULL)
      emit_enum(&g, t, t->enm, 0);
  }
  for (size_t i = 0; rc == 0 && i < f->n_service; i++)
    rc = emit_service(&g, f->service[i], sym, &top);
  if (rc == 0 && g.err == NULL)
    emit_file_desc(&g, sym, descriptor, descriptor_len);
  pg_names_free(&top);
  int result;
  if (rc == 0 && g.err == NULL) {
    char *base = pg_path_stem(f->name);
    out[0].name = pg_strdupf("%s.pg.rs", base);
    out[0].content = pg_strbuf_take(&g.o);
    free(base);
    result = 1;
  } else {
    *err = g.err ? g.err : pg_strdupf("%s: cannot generate Rust code", f->name);
    result = -1;
  }
  pg_strbuf_free(&g.o);
  for (size_t i = 0; i < g.npool; i++)
    free(g.pool[i]);
  free(g.pool);
  return result;
}
