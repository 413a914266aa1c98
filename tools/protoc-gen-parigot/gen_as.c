/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/gen_as.c: writes a .proto file's AssemblyScript
 * code, for the SDK in sdk/assemblyscript (imported as "parigot").
 *
 * One file, "dir/name.pg.ts": a class per message (extending the SDK's
 * Message) with straight-line size, write and merge code per field, an
 * enum per enum and per oneof (its case), and per service a client class
 * of static stubs, a server class to extend and a mock for test programs
 * (SMock, on the SDK's parigot/mock.ts, which the file then imports as
 * __pgm; asc compiles none of it into a guest that does not use it).
 * The bytes written must be the C codec's (gen_c.c, sdk/c/pb.c) for the
 * same value, so the rules are the same: field-number order, packed
 * repeated scalars, map entries sorted by key with key and value both
 * written, unknown fields last.
 *
 * Names: nested types are joined with '_' (Rich.Inner is Rich_Inner),
 * fields and methods are camelCase, and a name that is a TypeScript or
 * AssemblyScript word, or a member the SDK uses, gets a trailing '_'.
 * Other files are imported by relative path as namespaces, the SDK as
 * __pg, so no proto name can clash with them; the names a file defines
 * are checked against each other and a clash is an error naming both.
 * Output depends only on the request, so a rebuild writes the same bytes.
 */
#include "gen_as.h"

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
  pg_strbuf o;
  pg_names top; /* every name the file defines at its top level */
  char *err;
} gen;

/* One field as the generated class sees it. */
typedef struct field {
  const pd_field *fd;
  const pg_type *ref; /* its message or enum type, if any */
  char *member;       /* the class member */
  char *has;          /* explicit presence: its flag member, else NULL */
  int oneof;          /* index of its real oneof, or -1 */
  bool is_map;
  bool is_packed; /* repeated scalar written packed */
} field;

static int fail(gen *g, char *msg) {
  if (g->err == NULL)
    g->err = msg;
  else
    free(msg);
  return -1;
}

/* ---- names -------------------------------------------------------------- */

/* TypeScript's reserved and contextual words, AssemblyScript's types, and
 * the members generated classes and the SDK's base classes define. */
static const char *const reserved[] = {
    "_cached",    "_invoke",   "_merge",     "_size",       "_unknown",
    "_write",     "any",       "arguments",  "as",          "async",
    "await",      "bool",      "boolean",    "break",       "case",
    "catch",      "class",     "const",      "constructor", "continue",
    "debugger",   "declare",   "decode",     "default",     "delete",
    "desc",       "do",        "else",       "encode",      "encodedSize",
    "enum",       "eval",      "export",     "extends",     "f32",
    "f64",        "false",     "finally",    "for",         "from",
    "function",   "get",       "i16",        "i32",         "i64",
    "i8",         "if",        "implements", "import",      "in",
    "instanceof", "interface", "isize",      "keyof",       "length",
    "let",        "mergeFrom", "module",     "name",        "namespace",
    "never",      "new",       "null",       "number",      "object",
    "of",         "package",   "private",    "protected",   "prototype",
    "public",     "readonly",  "require",    "return",      "serve",
    "set",        "static",    "string",     "super",       "switch",
    "symbol",     "this",      "throw",      "toString",    "true",
    "try",        "type",      "typeof",     "u16",         "u32",
    "u64",        "u8",        "undefined",  "unique",      "unknown",
    "usize",      "v128",      "valueOf",    "var",         "void",
    "while",      "with",      "yield"};

static bool is_reserved(const char *name) {
  for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    if (strcmp(reserved[i], name) == 0)
      return true;
  return false;
}

static char *escape(char *name) {
  if (!is_reserved(name))
    return name;
  char *e = pg_strdupf("%s_", name);
  free(name);
  return e;
}

/* "f_double" -> "fDouble"; with @p upper_first, "FDouble". Heap. */
static char *camel(const char *name, bool upper_first) {
  char *s = pg_strdupf("%s", name);
  size_t n = 0;
  bool up = upper_first;
  for (const char *p = name; *p; p++) {
    if (*p == '_') {
      up = n > 0 || upper_first;
      continue;
    }
    s[n++] = up ? (char)toupper((unsigned char)*p) : *p;
    up = false;
  }
  s[n] = 0;
  if (n == 0) { /* a name of underscores only */
    free(s);
    s = pg_strdupf("f");
  }
  return s;
}

/* "FetchGreeting" -> "fetchGreeting", escaped. Heap. */
static char *lower_first(const char *name) {
  char *s = camel(name, false);
  s[0] = (char)tolower((unsigned char)s[0]);
  return escape(s);
}

static char *upper(const char *name) {
  char *s = pg_strdupf("%s", name);
  for (char *p = s; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  return s;
}

/* Takes @p name (heap) into @p ns; a name already there is an error naming
 * both uses (@p where). */
static int claim(gen *g, pg_names *ns, char *name, const char *where) {
  if (pg_names_take(ns, name))
    return 0;
  fail(g, pg_strdupf("%s: %s: generated AssemblyScript name '%s' is "
                     "used twice; rename one",
                     g->file->name, where, name));
  free(name);
  return -1;
}

/* The name of a type inside its file: the full name past the package,
 * dots as '_'. Heap. */
static char *local_name(const pg_type *t) {
  const char *pkg = t->file->package ? t->file->package : "";
  const char *rest = t->full_name + (*pkg ? strlen(pkg) + 1 : 0);
  char *s = pg_strdupf("%s", rest);
  for (char *p = s; *p; p++)
    if (*p == '.')
      *p = '_';
  return s;
}

/* How this file names type @p t: bare, or through its file's import. */
static char *type_ref(gen *g, const pg_type *t) {
  char *l = local_name(t);
  if (t->file == g->file)
    return l;
  char *p = pg_path_ident(t->file->name);
  char *s = pg_strdupf("__dep_%s.%s", p, l);
  free(p);
  free(l);
  return s;
}

/* ---- fields ------------------------------------------------------------- */

static bool is_real_oneof(const pd_field *fd) {
  return fd->has_oneof_index &&
         !(fd->has_proto3_optional && fd->proto3_optional);
}

static bool is_explicit_optional(const pd_field *fd) {
  return fd->has_proto3_optional && fd->proto3_optional;
}

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

static unsigned long tag_of(int number, int wt) {
  return ((unsigned long)number << 3) | (unsigned long)wt;
}

static int varint_len(unsigned long v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static const char *scalar_type(int type) {
  switch (type) {
  case T(DOUBLE):
    return "f64";
  case T(FLOAT):
    return "f32";
  case T(INT64):
  case T(SINT64):
  case T(SFIXED64):
    return "i64";
  case T(UINT64):
  case T(FIXED64):
    return "u64";
  case T(UINT32):
  case T(FIXED32):
    return "u32";
  case T(BOOL):
    return "bool";
  case T(STRING):
    return "string";
  case T(BYTES):
    return "Uint8Array";
  default:
    return "i32"; /* INT32, SINT32, SFIXED32, ENUM (open) */
  }
}

static const char *default_of(int type) {
  switch (type) {
  case T(BOOL):
    return "false";
  case T(STRING):
    return "\"\"";
  case T(BYTES):
    return "__pg.EMPTY_BYTES";
  default:
    return "0";
  }
}

/* The type of one stored value (an element, for repeated fields). Heap. */
static char *value_type(gen *g, int type, const pg_type *ref) {
  if (type == T(MESSAGE))
    return type_ref(g, ref);
  return pg_strdupf("%s", scalar_type(type));
}

static const pd_field *entry_field(const pg_type *entry, int number) {
  for (size_t i = 0; i < entry->msg->n_field; i++)
    if (entry->msg->field[i]->number == number)
      return entry->msg->field[i];
  return NULL;
}

/* The message or enum a field names, checked as gen_c.c checks it. */
static int resolve(gen *g, const pg_type *owner, const pd_field *fd,
                   const pg_type **out) {
  *out = NULL;
  if (fd->type == T(GROUP))
    return fail(g, pg_strdupf("%s: %s.%s: groups are not supported",
                              g->file->name, owner->full_name, fd->name));
  if (fd->type != T(MESSAGE) && fd->type != T(ENUM))
    return 0;
  const pg_type *ref = pg_model_find(g->model, fd->type_name);
  if (ref == NULL)
    return fail(g, pg_strdupf("%s: %s.%s: unknown type %s", g->file->name,
                              owner->full_name, fd->name, fd->type_name));
  if (ref->file->syntax == NULL || strcmp(ref->file->syntax, "proto3") != 0)
    return fail(g, pg_strdupf("%s: %s.%s: type %s comes from %s, which is "
                              "not proto3; parigot generates proto3 only",
                              g->file->name, owner->full_name, fd->name,
                              ref->full_name, ref->file->name));
  *out = ref;
  return 0;
}

static void free_fields(field *fs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(fs[i].member);
    free(fs[i].has);
  }
  free(fs);
}

static int by_number(const void *a, const void *b) {
  int x = ((const field *)a)->fd->number, y = ((const field *)b)->fd->number;
  return (x > y) - (x < y);
}

/* The fields of @p t, sorted by number, with their member names claimed
 * in @p ns. */
static int classify(gen *g, const pg_type *t, pg_names *ns, field **out) {
  size_t nf = t->msg->n_field;
  field *fs = calloc(nf + 1, sizeof *fs);
  if (fs == NULL)
    abort();
  int rc = 0;
  char *where = pg_strdupf("message %s", t->full_name);
  for (size_t i = 0; i < nf && rc == 0; i++) {
    const pd_field *fd = t->msg->field[i];
    field *f = &fs[i];
    f->fd = fd;
    f->oneof = is_real_oneof(fd) ? fd->oneof_index : -1;
    rc = resolve(g, t, fd, &f->ref);
    if (rc != 0)
      break;
    f->is_map = fd->label == LABEL_REPEATED && fd->type == T(MESSAGE) &&
                pg_is_map_entry(f->ref->msg);
    f->is_packed =
        fd->label == LABEL_REPEATED && wire_of(fd->type) != 2 &&
        !(fd->options && fd->options->has_packed && !fd->options->packed);
    char *c = camel(fd->name, false);
    if (f->oneof < 0 && fd->label != LABEL_REPEATED &&
        is_explicit_optional(fd) && fd->type != T(MESSAGE)) {
      char *u = camel(fd->name, true);
      f->has = escape(pg_strdupf("has%s", u));
      free(u);
      rc = claim(g, ns, pg_strdupf("%s", f->has), where);
    }
    f->member = escape(c);
    if (rc == 0)
      rc = claim(g, ns, pg_strdupf("%s", f->member), where);
  }
  for (size_t i = 0; i < t->msg->n_oneof_decl && rc == 0; i++) {
    bool real = false;
    for (size_t j = 0; j < nf; j++)
      real |= fs[j].oneof == (int)i;
    if (!real)
      continue;
    char *c = camel(t->msg->oneof_decl[i]->name, false);
    rc = claim(g, ns, escape(pg_strdupf("%sCase", c)), where);
    free(c);
    /* The members of its case enum: NOT_SET and one per field. */
    pg_names cases = {0};
    char *e =
        pg_strdupf("oneof %s.%s", t->full_name, t->msg->oneof_decl[i]->name);
    if (rc == 0)
      rc = claim(g, &cases, pg_strdupf("NOT_SET"), e);
    for (size_t j = 0; j < nf && rc == 0; j++)
      if (fs[j].oneof == (int)i)
        rc = claim(g, &cases, escape(upper(fs[j].fd->name)), e);
    pg_names_free(&cases);
    free(e);
  }
  free(where);
  if (rc != 0) {
    free_fields(fs, nf);
    return -1;
  }
  qsort(fs, nf, sizeof *fs, by_number);
  *out = fs;
  return 0;
}

/* The member holding oneof @p i's case. Heap. */
static char *case_member(const pg_type *t, int i) {
  char *c = camel(t->msg->oneof_decl[i]->name, false);
  char *s = escape(pg_strdupf("%sCase", c));
  free(c);
  return s;
}

/* The enum of oneof @p i's cases. Heap. */
static char *case_enum(const pg_type *t, int i) {
  char *l = local_name(t);
  char *c = camel(t->msg->oneof_decl[i]->name, true);
  char *s = pg_strdupf("%s_%sCase", l, c);
  free(l);
  free(c);
  return s;
}

/* ---- size and write expressions ------------------------------------------ */

/* The encoded size of value @p v, without its tag. Heap. */
static char *size_expr(int type, const char *v, bool cached) {
  switch (type) {
  case T(INT32):
  case T(ENUM):
    return pg_strdupf("__pg.int32Size(%s)", v);
  case T(INT64):
    return pg_strdupf("__pg.varintSize64(<u64>%s)", v);
  case T(UINT64):
    return pg_strdupf("__pg.varintSize64(%s)", v);
  case T(UINT32):
    return pg_strdupf("__pg.varintSize32(%s)", v);
  case T(SINT32):
    return pg_strdupf("__pg.varintSize32(__pg.zigzag32(%s))", v);
  case T(SINT64):
    return pg_strdupf("__pg.varintSize64(__pg.zigzag64(%s))", v);
  case T(BOOL):
    return pg_strdupf("1");
  case T(STRING):
    return pg_strdupf("__pg.lenSize(__pg.strSize(%s))", v);
  case T(BYTES):
    return pg_strdupf("__pg.lenSize(%s.length)", v);
  case T(MESSAGE):
    return cached ? pg_strdupf("__pg.lenSize(%s._cached)", v)
                  : pg_strdupf("__pg.lenSize(%s._size(depth + 1))", v);
  default:
    return pg_strdupf("%d", wire_of(type) == 1 ? 8 : 4);
  }
}

/* The statement that writes value @p v, without its tag. Heap. */
static char *write_stmt(int type, const char *v) {
  switch (type) {
  case T(INT32):
  case T(ENUM):
    return pg_strdupf("w.int32(%s);", v);
  case T(INT64):
    return pg_strdupf("w.varint64(<u64>%s);", v);
  case T(UINT64):
    return pg_strdupf("w.varint64(%s);", v);
  case T(UINT32):
    return pg_strdupf("w.varint32(%s);", v);
  case T(SINT32):
    return pg_strdupf("w.varint32(__pg.zigzag32(%s));", v);
  case T(SINT64):
    return pg_strdupf("w.varint64(__pg.zigzag64(%s));", v);
  case T(BOOL):
    return pg_strdupf("w.bool(%s);", v);
  case T(FIXED32):
    return pg_strdupf("w.fixed32(%s);", v);
  case T(SFIXED32):
    return pg_strdupf("w.fixed32(<u32>%s);", v);
  case T(FLOAT):
    return pg_strdupf("w.float(%s);", v);
  case T(FIXED64):
    return pg_strdupf("w.fixed64(%s);", v);
  case T(SFIXED64):
    return pg_strdupf("w.fixed64(<u64>%s);", v);
  case T(DOUBLE):
    return pg_strdupf("w.double(%s);", v);
  case T(STRING):
    return pg_strdupf("w.string(%s);", v);
  case T(BYTES):
    return pg_strdupf("w.bytes(%s);", v);
  default: /* MESSAGE: _size() ran just before */
    return pg_strdupf("w.varint32(<u32>%s._cached); %s._write(w);", v, v);
  }
}

/* The Reader call that reads a scalar, string or bytes value. */
static const char *read_call(int type) {
  switch (type) {
  case T(INT32):
  case T(ENUM):
    return "int32";
  case T(INT64):
    return "int64";
  case T(UINT64):
    return "uint64";
  case T(UINT32):
    return "uint32";
  case T(SINT32):
    return "sint32";
  case T(SINT64):
    return "sint64";
  case T(BOOL):
    return "bool";
  case T(FIXED32):
    return "fixed32";
  case T(SFIXED32):
    return "sfixed32";
  case T(FLOAT):
    return "float";
  case T(FIXED64):
    return "fixed64";
  case T(SFIXED64):
    return "sfixed64";
  case T(DOUBLE):
    return "double";
  case T(STRING):
    return "string";
  default:
    return "bytes";
  }
}

/* When an implicit-presence value is written: not default, and for
 * floats any bit set (so -0.0 is written, as in C). Heap. */
static char *nondefault(int type, const char *v) {
  switch (type) {
  case T(FLOAT):
    return pg_strdupf("reinterpret<u32>(%s) != 0", v);
  case T(DOUBLE):
    return pg_strdupf("reinterpret<u64>(%s) != 0", v);
  case T(BOOL):
    return pg_strdupf("%s", v);
  case T(STRING):
  case T(BYTES):
    return pg_strdupf("%s.length != 0", v);
  default:
    return pg_strdupf("%s != 0", v);
  }
}

/* ---- one message -------------------------------------------------------- */

static void emit_members(gen *g, const pg_type *t, const field *fs) {
  size_t nf = t->msg->n_field;
  for (size_t i = 0; i < nf; i++) {
    const field *f = &fs[i];
    const pd_field *fd = f->fd;
    char *vt = value_type(g, fd->type, f->ref);
    if (f->is_map) {
      const pd_field *k = entry_field(f->ref, 1), *v = entry_field(f->ref, 2);
      const pg_type *vref = pg_model_find(g->model, v->type_name);
      char *vv = value_type(g, v->type, vref);
      pg_strbuf_printf(&g->o, "  %s: Map<%s, %s> = new Map<%s, %s>();\n",
                       f->member, scalar_type(k->type), vv,
                       scalar_type(k->type), vv);
      free(vv);
    } else if (fd->label == LABEL_REPEATED) {
      pg_strbuf_printf(&g->o, "  %s: Array<%s> = new Array<%s>();\n", f->member,
                       vt, vt);
    } else if (fd->type == T(MESSAGE)) {
      pg_strbuf_printf(&g->o, "  %s: %s | null = null;\n", f->member, vt);
    } else {
      if (f->has)
        pg_strbuf_printf(&g->o, "  %s: bool = false;\n", f->has);
      pg_strbuf_printf(&g->o, "  %s: %s = %s;\n", f->member, vt,
                       default_of(fd->type));
    }
    free(vt);
  }
  for (size_t i = 0; i < t->msg->n_oneof_decl; i++) {
    bool real = false;
    for (size_t j = 0; j < nf; j++)
      real |= fs[j].oneof == (int)i;
    if (!real)
      continue;
    char *c = case_member(t, (int)i), *e = case_enum(t, (int)i);
    pg_strbuf_printf(&g->o,
                     "  /** Which member of oneof %s is set (an %s)."
                     " */\n  %s: i32 = 0;\n",
                     t->msg->oneof_decl[i]->name, e, c);
    free(c);
    free(e);
  }
}

/* Size code for a singular field (oneof members included). */
static void emit_singular_size(gen *g, const pg_type *t, const field *f) {
  const pd_field *fd = f->fd;
  int tl = varint_len(tag_of(fd->number, wire_of(fd->type)));
  char *v = pg_strdupf("this.%s", f->member);
  char *c = f->oneof >= 0 ? case_member(t, f->oneof) : NULL;
  if (fd->type == T(MESSAGE)) {
    if (c)
      pg_strbuf_printf(&g->o, "    if (this.%s == %d) {\n", c, fd->number);
    else
      pg_strbuf_printf(&g->o, "    {\n");
    pg_strbuf_printf(&g->o, "      const v = %s;\n", v);
    if (c) /* a case set with no value writes an empty message */
      pg_strbuf_printf(&g->o,
                       "      n += %d + (v != null ? "
                       "__pg.lenSize(v._size(depth + 1)) : 1);\n",
                       tl);
    else
      pg_strbuf_printf(&g->o,
                       "      if (v != null) n += %d + "
                       "__pg.lenSize(v._size(depth + 1));\n",
                       tl);
    pg_strbuf_printf(&g->o, "    }\n");
  } else {
    char *cond = c        ? pg_strdupf("this.%s == %d", c, fd->number)
                 : f->has ? pg_strdupf("this.%s", f->has)
                          : nondefault(fd->type, v);
    char *s = size_expr(fd->type, v, false);
    pg_strbuf_printf(&g->o, "    if (%s) n += %d + %s;\n", cond, tl, s);
    free(cond);
    free(s);
  }
  free(v);
  free(c);
}

static void emit_singular_write(gen *g, const pg_type *t, const field *f) {
  const pd_field *fd = f->fd;
  unsigned long tag = tag_of(fd->number, wire_of(fd->type));
  char *v = pg_strdupf("this.%s", f->member);
  char *c = f->oneof >= 0 ? case_member(t, f->oneof) : NULL;
  if (fd->type == T(MESSAGE)) {
    if (c)
      pg_strbuf_printf(&g->o,
                       "    if (this.%s == %d) {\n      const v = %s;"
                       "\n      w.varint32(%lu);\n      if (v != null)"
                       " {\n        w.varint32(<u32>v._cached);\n"
                       "        v._write(w);\n      } else {\n"
                       "        w.varint32(0);\n      }\n    }\n",
                       c, fd->number, v, tag);
    else
      pg_strbuf_printf(&g->o,
                       "    {\n      const v = %s;\n"
                       "      if (v != null) {\n"
                       "        w.varint32(%lu);\n"
                       "        w.varint32(<u32>v._cached);\n"
                       "        v._write(w);\n      }\n    }\n",
                       v, tag);
  } else {
    char *cond = c        ? pg_strdupf("this.%s == %d", c, fd->number)
                 : f->has ? pg_strdupf("this.%s", f->has)
                          : nondefault(fd->type, v);
    char *s = write_stmt(fd->type, v);
    pg_strbuf_printf(&g->o,
                     "    if (%s) {\n      w.varint32(%lu);\n"
                     "      %s\n    }\n",
                     cond, tag, s);
    free(cond);
    free(s);
  }
  free(v);
  free(c);
}

static void emit_repeated_size(gen *g, const field *f) {
  const pd_field *fd = f->fd;
  char *s = size_expr(fd->type, "unchecked(a[i])", false);
  if (f->is_packed) {
    int tl = varint_len(tag_of(fd->number, 2));
    pg_strbuf_printf(&g->o,
                     "    {\n      const a = this.%s;\n"
                     "      if (a.length > 0) {\n",
                     f->member);
    if (wire_of(fd->type) == 0 && fd->type != T(BOOL))
      pg_strbuf_printf(&g->o,
                       "        let s = 0;\n"
                       "        for (let i = 0; i < a.length; i++) "
                       "s += %s;\n",
                       s);
    else
      pg_strbuf_printf(&g->o, "        const s = a.length * %s;\n", s);
    pg_strbuf_printf(&g->o,
                     "        n += %d + __pg.lenSize(s);\n      }\n"
                     "    }\n",
                     tl);
  } else {
    int tl = varint_len(tag_of(fd->number, wire_of(fd->type)));
    pg_strbuf_printf(&g->o,
                     "    {\n      const a = this.%s;\n"
                     "      n += a.length * %d;\n"
                     "      for (let i = 0; i < a.length; i++) "
                     "n += %s;\n    }\n",
                     f->member, tl, s);
  }
  free(s);
}

static void emit_repeated_write(gen *g, const field *f) {
  const pd_field *fd = f->fd;
  char *w = write_stmt(fd->type, "unchecked(a[i])");
  if (f->is_packed) {
    char *s = size_expr(fd->type, "unchecked(a[i])", false);
    pg_strbuf_printf(&g->o,
                     "    {\n      const a = this.%s;\n"
                     "      if (a.length > 0) {\n"
                     "        w.varint32(%lu);\n",
                     f->member, tag_of(fd->number, 2));
    if (wire_of(fd->type) == 0 && fd->type != T(BOOL))
      pg_strbuf_printf(&g->o,
                       "        let s = 0;\n"
                       "        for (let i = 0; i < a.length; i++) "
                       "s += %s;\n",
                       s);
    else
      pg_strbuf_printf(&g->o, "        const s = a.length * %s;\n", s);
    pg_strbuf_printf(&g->o,
                     "        w.varint32(<u32>s);\n"
                     "        for (let i = 0; i < a.length; i++) "
                     "%s\n      }\n    }\n",
                     w);
    free(s);
  } else {
    char *e = pg_strdupf("%s", w);
    if (fd->type == T(MESSAGE)) { /* a local: the element is read twice */
      free(e);
      e = pg_strdupf("const v = unchecked(a[i]); "
                     "w.varint32(<u32>v._cached); v._write(w);");
    }
    pg_strbuf_printf(&g->o,
                     "    {\n      const a = this.%s;\n"
                     "      for (let i = 0; i < a.length; i++) {\n"
                     "        w.varint32(%lu);\n        %s\n"
                     "      }\n    }\n",
                     f->member, tag_of(fd->number, wire_of(fd->type)), e);
    free(e);
  }
  free(w);
}

static void map_types(gen *g, const field *f, const pd_field **k,
                      const pd_field **v, const pg_type **vref) {
  *k = entry_field(f->ref, 1);
  *v = entry_field(f->ref, 2);
  *vref = (*v)->type == T(MESSAGE) || (*v)->type == T(ENUM)
              ? pg_model_find(g->model, (*v)->type_name)
              : NULL;
}

static void emit_map_size(gen *g, const field *f) {
  const pd_field *k, *v;
  const pg_type *vref;
  map_types(g, f, &k, &v, &vref);
  char *ks = size_expr(k->type, "k", false);
  char *vs = size_expr(v->type, "m.get(k)", false);
  pg_strbuf_printf(&g->o,
                   "    {\n      const m = this.%s;\n"
                   "      if (m.size > 0) {\n"
                   "        const ks = m.keys();\n"
                   "        for (let i = 0; i < ks.length; i++) {\n"
                   "          const k = unchecked(ks[i]);\n"
                   "          const s = 2 + %s + %s;\n"
                   "          n += %d + __pg.lenSize(s);\n"
                   "        }\n      }\n    }\n",
                   f->member, ks, vs, varint_len(tag_of(f->fd->number, 2)));
  free(ks);
  free(vs);
}

static void emit_map_write(gen *g, const field *f) {
  const pd_field *k, *v;
  const pg_type *vref;
  map_types(g, f, &k, &v, &vref);
  char *kt = value_type(g, k->type, NULL), *vt = value_type(g, v->type, vref);
  char *ks = size_expr(k->type, "k", false);
  char *vs = size_expr(v->type, "v", true);
  char *kw = write_stmt(k->type, "k"), *vw = write_stmt(v->type, "v");
  pg_strbuf_printf(&g->o,
                   "    {\n      const m = this.%s;\n"
                   "      if (m.size > 0) {\n"
                   "        const ks = __pg.sortedKeys<%s, %s>(m);\n"
                   "        for (let i = 0; i < ks.length; i++) {\n"
                   "          const k = unchecked(ks[i]);\n"
                   "          const v = m.get(k);\n"
                   "          w.varint32(%lu);\n"
                   "          w.varint32(<u32>(2 + %s + %s));\n"
                   "          w.varint32(%lu);\n          %s\n"
                   "          w.varint32(%lu);\n          %s\n"
                   "        }\n      }\n    }\n",
                   f->member, kt, vt, tag_of(f->fd->number, 2), ks, vs,
                   tag_of(1, wire_of(k->type)), kw, tag_of(2, wire_of(v->type)),
                   vw);
  free(kt);
  free(vt);
  free(ks);
  free(vs);
  free(kw);
  free(vw);
}

static void emit_size(gen *g, const pg_type *t, const field *fs) {
  pg_strbuf_printf(&g->o, "  _size(depth: i32): i32 {\n"
                          "    if (__pg.depthExceeded(depth)) return 0;\n"
                          "    let n = 0;\n");
  for (size_t i = 0; i < t->msg->n_field; i++) {
    const field *f = &fs[i];
    if (f->is_map)
      emit_map_size(g, f);
    else if (f->fd->label == LABEL_REPEATED)
      emit_repeated_size(g, f);
    else
      emit_singular_size(g, t, f);
  }
  pg_strbuf_printf(&g->o, "    const u = this._unknown;\n"
                          "    if (u != null) n += u.length;\n"
                          "    this._cached = n;\n    return n;\n  }\n\n");
}

static void emit_write(gen *g, const pg_type *t, const field *fs) {
  pg_strbuf_printf(&g->o, "  _write(w: __pg.Writer): void {\n");
  for (size_t i = 0; i < t->msg->n_field; i++) {
    const field *f = &fs[i];
    if (f->is_map)
      emit_map_write(g, f);
    else if (f->fd->label == LABEL_REPEATED)
      emit_repeated_write(g, f);
    else
      emit_singular_write(g, t, f);
  }
  pg_strbuf_printf(&g->o, "    const u = this._unknown;\n"
                          "    if (u != null) w.raw(u.dataStart, "
                          "<usize>u.length);\n  }\n\n");
}

/* Statements that read one value of @p type into @p dst (an lvalue) with
 * limit @p end; for messages, merging into it (created if null). */
static void emit_read_value(gen *g, const char *ind, int type,
                            const pg_type *ref, const char *dst,
                            const char *end) {
  if (type != T(MESSAGE)) {
    pg_strbuf_printf(&g->o, "%s%s = r.%s(%s);\n", ind, dst, read_call(type),
                     end);
    return;
  }
  char *tr = type_ref(g, ref);
  pg_strbuf_printf(&g->o,
                   "%slet m = %s;\n%sif (m == null) {\n"
                   "%s  m = new %s();\n%s  %s = m;\n%s}\n"
                   "%sr.message(m, %s);\n",
                   ind, dst, ind, ind, tr, ind, dst, ind, ind, end);
  free(tr);
}

/* Resets every member of oneof @p o: switching members starts afresh, as
 * the C codec's union does. */
static void emit_oneof_switch(gen *g, const pg_type *t, const field *fs,
                              const field *f) {
  char *c = case_member(t, f->oneof);
  pg_strbuf_printf(&g->o, "          if (this.%s != %d) {\n", c, f->fd->number);
  for (size_t i = 0; i < t->msg->n_field; i++)
    if (fs[i].oneof == f->oneof)
      pg_strbuf_printf(
          &g->o, "            this.%s = %s;\n", fs[i].member,
          fs[i].fd->type == T(MESSAGE) ? "null" : default_of(fs[i].fd->type));
  pg_strbuf_printf(&g->o, "            this.%s = %d;\n          }\n", c,
                   f->fd->number);
  free(c);
}

static void emit_map_merge(gen *g, const field *f) {
  const pd_field *k, *v;
  const pg_type *vref;
  map_types(g, f, &k, &v, &vref);
  char *vt = value_type(g, v->type, vref);
  pg_strbuf_printf(&g->o,
                   "        if (wt != 2) {\n          r.wire();\n"
                   "          break;\n        }\n"
                   "        const n = r.len(end);\n"
                   "        if (r.err != 0 || !r.enter()) break;\n"
                   "        const stop = r.pos + n;\n"
                   "        let k: %s = %s;\n",
                   scalar_type(k->type), default_of(k->type));
  if (v->type == T(MESSAGE))
    pg_strbuf_printf(&g->o, "        let v: %s | null = null;\n", vt);
  else
    pg_strbuf_printf(&g->o, "        let v: %s = %s;\n", vt,
                     default_of(v->type));
  pg_strbuf_printf(&g->o,
                   "        while (r.pos < stop && r.err == 0) {\n"
                   "          const es = r.pos;\n"
                   "          const et = r.tag(stop);\n"
                   "          if (et == 0) break;\n"
                   "          if (et >>> 3 == 1) {\n"
                   "            if ((et & 7) == %d) k = r.%s(stop);\n"
                   "            else r.wire();\n"
                   "          } else if (et >>> 3 == 2) {\n"
                   "            if ((et & 7) == %d) {\n",
                   wire_of(k->type), read_call(k->type), wire_of(v->type));
  emit_read_value(g, "              ", v->type, vref, "v", "stop");
  pg_strbuf_printf(&g->o, "            } else {\n              r.wire();\n"
                          "            }\n          } else {\n"
                          "            r.unknown(null, et, es, stop);\n"
                          "          }\n        }\n        r.leave();\n");
  if (v->type == T(MESSAGE))
    pg_strbuf_printf(&g->o,
                     "        if (r.err == 0) this.%s.set(k, v == null"
                     " ? new %s() : changetype<%s>(v));\n",
                     f->member, vt, vt);
  else
    pg_strbuf_printf(&g->o, "        if (r.err == 0) this.%s.set(k, v);\n",
                     f->member);
  free(vt);
}

static void emit_field_merge(gen *g, const pg_type *t, const field *fs,
                             const field *f) {
  const pd_field *fd = f->fd;
  int wt = wire_of(fd->type);
  pg_strbuf_printf(&g->o, "      case %d: {\n", fd->number);
  if (f->is_map) {
    emit_map_merge(g, f);
  } else if (fd->label == LABEL_REPEATED && wt != 2) {
    const char *rc = read_call(fd->type);
    pg_strbuf_printf(&g->o,
                     "        const a = this.%s;\n"
                     "        if (wt == 2) {\n"
                     "          const stop = r.packed(end, %d);\n"
                     "          while (r.pos < stop && r.err == 0) "
                     "a.push(r.%s(stop));\n"
                     "        } else if (wt == %d) {\n"
                     "          a.push(r.%s(end));\n"
                     "        } else {\n          r.wire();\n        }\n",
                     f->member,
                     wt == 1   ? 8
                     : wt == 5 ? 4
                               : 0,
                     rc, wt, rc);
  } else if (fd->label == LABEL_REPEATED) {
    pg_strbuf_printf(&g->o, "        if (wt != 2) {\n          r.wire();\n"
                            "          break;\n        }\n");
    if (fd->type == T(MESSAGE)) {
      char *tr = type_ref(g, f->ref);
      pg_strbuf_printf(&g->o,
                       "        const m = new %s();\n"
                       "        this.%s.push(m);\n"
                       "        r.message(m, end);\n",
                       tr, f->member);
      free(tr);
    } else {
      pg_strbuf_printf(&g->o, "        this.%s.push(r.%s(end));\n", f->member,
                       read_call(fd->type));
    }
  } else {
    pg_strbuf_printf(&g->o,
                     "        if (wt != %d) {\n          r.wire();\n"
                     "          break;\n        }\n",
                     wt);
    if (f->oneof >= 0)
      emit_oneof_switch(g, t, fs, f);
    if (f->has)
      pg_strbuf_printf(&g->o, "        this.%s = true;\n", f->has);
    char *dst = pg_strdupf("this.%s", f->member);
    emit_read_value(g, "        ", fd->type, f->ref, dst, "end");
    free(dst);
  }
  pg_strbuf_printf(&g->o, "        break;\n      }\n");
}

static void emit_merge(gen *g, const pg_type *t, const field *fs) {
  pg_strbuf_printf(&g->o, "  _merge(r: __pg.Reader, end: usize): void {\n"
                          "    while (r.pos < end && r.err == 0) {\n"
                          "      const start = r.pos;\n"
                          "      const t = r.tag(end);\n"
                          "      if (t == 0) break;\n");
  if (t->msg->n_field > 0)
    pg_strbuf_printf(&g->o, "      const wt = t & 7;\n"
                            "      switch (t >>> 3) {\n");
  for (size_t i = 0; i < t->msg->n_field; i++)
    emit_field_merge(g, t, fs, &fs[i]);
  if (t->msg->n_field > 0)
    pg_strbuf_printf(&g->o, "      default:\n"
                            "        r.unknown(this, t, start, end);\n"
                            "      }\n");
  else
    pg_strbuf_printf(&g->o, "      r.unknown(this, t, start, end);\n");
  pg_strbuf_printf(&g->o, "    }\n  }\n");
}

static void emit_oneof_enums(gen *g, const pg_type *t, const field *fs) {
  for (size_t i = 0; i < t->msg->n_oneof_decl; i++) {
    bool real = false;
    for (size_t j = 0; j < t->msg->n_field; j++)
      real |= fs[j].oneof == (int)i;
    if (!real)
      continue;
    char *e = case_enum(t, (int)i);
    pg_strbuf_printf(&g->o,
                     "/** The cases of oneof %s.%s: the field number "
                     "of the member set. */\nexport enum %s {\n"
                     "  NOT_SET = 0,\n",
                     t->full_name, t->msg->oneof_decl[i]->name, e);
    for (size_t j = 0; j < t->msg->n_field; j++)
      if (fs[j].oneof == (int)i) {
        char *u = escape(upper(fs[j].fd->name));
        pg_strbuf_printf(&g->o, "  %s = %d,\n", u, fs[j].fd->number);
        free(u);
      }
    pg_strbuf_printf(&g->o, "}\n\n");
    free(e);
  }
}

static int emit_message(gen *g, const pg_type *t) {
  pg_names ns = {0};
  field *fs;
  if (classify(g, t, &ns, &fs) != 0) {
    pg_names_free(&ns);
    return -1;
  }
  char *l = local_name(t);
  emit_oneof_enums(g, t, fs);
  pg_strbuf_printf(&g->o,
                   "/** Message %s%s. */\nexport class %s extends "
                   "__pg.Message {\n",
                   t->full_name, pg_is_map_entry(t->msg) ? " (map entry)" : "",
                   l);
  emit_members(g, t, fs);
  pg_strbuf_printf(&g->o,
                   "\n  /** A new %s from @p bytes, or null when they"
                   " do not decode or are more than @p maxSize bytes. */\n"
                   "  static decode(bytes: Uint8Array, keepUnknown: bool ="
                   " false,\n                maxSize: usize = __pg.MAX_SIZE):"
                   " %s | null {\n    return __pg.decode<%s>(bytes,"
                   " keepUnknown, maxSize);\n  }\n\n",
                   l, l, l);
  emit_size(g, t, fs);
  emit_write(g, t, fs);
  emit_merge(g, t, fs);
  pg_strbuf_printf(&g->o, "}\n\n");
  free(l);
  free_fields(fs, t->msg->n_field);
  pg_names_free(&ns);
  return 0;
}

static void emit_enum(gen *g, const pg_type *t) {
  char *l = local_name(t);
  pg_strbuf_printf(&g->o,
                   "/** Enum %s. Fields of this type are i32: "
                   "unknown numbers are kept. */\nexport enum %s {\n",
                   t->full_name, l);
  for (size_t i = 0; i < t->enm->n_value; i++) {
    char *v = escape(pg_strdupf("%s", t->enm->value[i]->name));
    pg_strbuf_printf(&g->o, "  %s = %d,\n", v, t->enm->value[i]->number);
    free(v);
  }
  pg_strbuf_printf(&g->o, "}\n\n");
  free(l);
}

/* ---- mocks --------------------------------------------------------------- */

/* The members of the SDK's Mock (parigot/mock.ts) that a generated mock
 * inherits: a method's member gets a trailing '_' instead. */
static const char *const mock_members[] = {
    "calls",           "desc",     "expectations", "file",
    "problem",         "problems", "serve",        "serveWith",
    "unexpectedCount", "verify",   "verifyOrExit"};

static char *mock_member(const char *stub) {
  for (size_t i = 0; i < sizeof mock_members / sizeof mock_members[0]; i++)
    if (strcmp(mock_members[i], stub) == 0)
      return pg_strdupf("%s_", stub);
  return pg_strdupf("%s", stub);
}

/* Service S's mock, for tests: `SMock` (on the SDK's parigot/mock.ts),
 * with a MockMethod member per method and expectMethod() to add an
 * expectation, and `__SMockServer`, the skeleton it exports, which hands
 * each call to its MockMethod. Its names are claimed in claim_top. */
static int emit_mock(gen *g, const pd_service *s, const char *full,
                     const pg_type **ins, const pg_type **outs, char **stubs) {
  size_t n = s->n_method;
  char **members = calloc(n + 1, sizeof *members);
  char **expects = calloc(n + 1, sizeof *expects);
  if (members == NULL || expects == NULL)
    abort();
  pg_names ns = {0};
  char *where = pg_strdupf("mock of service %s", full);
  int rc = 0;
  for (size_t i = 0; i < sizeof mock_members / sizeof mock_members[0]; i++)
    pg_names_take(&ns, pg_strdupf("%s", mock_members[i]));
  for (size_t i = 0; i < n && rc == 0; i++) {
    char *u = camel(s->method[i]->name, true);
    members[i] = mock_member(stubs[i]);
    expects[i] = pg_strdupf("expect%s", u);
    free(u);
    rc = claim(g, &ns, pg_strdupf("%s", members[i]), where);
    if (rc == 0)
      rc = claim(g, &ns, pg_strdupf("%s", expects[i]), where);
  }
  if (rc == 0) {
    pg_strbuf_printf(&g->o,
                     "/** A mock of service %s for test programs "
                     "(docs/testing.md, Mocks):\n * make one at the top "
                     "level, serve() it in the declare function, set\n * "
                     "expectations with expectMethod() (or method.expect())"
                     " and verify()\n * at the end. */\nexport class %sMock"
                     " extends __pgm.Mock {\n",
                     full, s->name);
    for (size_t i = 0; i < n; i++) {
      char *in = type_ref(g, ins[i]), *out = type_ref(g, outs[i]);
      pg_strbuf_printf(&g->o,
                       "  /** %s: its expectations and the requests it "
                       "got. */\n  readonly %s: __pgm.MockMethod<%s, %s> =\n"
                       "      new __pgm.MockMethod<%s, %s>(\"%s\", "
                       "\".%s\");\n",
                       s->method[i]->name, members[i], in, out, in, out,
                       s->method[i]->name, ins[i]->full_name);
      free(in);
      free(out);
    }
    pg_strbuf_printf(&g->o, "\n  constructor() {\n    super(__%s, __file);\n",
                     s->name);
    for (size_t i = 0; i < n; i++)
      pg_strbuf_printf(&g->o, "    this.%s.attach(this);\n", members[i]);
    pg_strbuf_printf(&g->o,
                     "  }\n\n  /** Exports this mock as %s (and requires "
                     "parigot.test.v1.Test,\n   * for delays): in the "
                     "guest's declare function. */\n  serve(): void {\n"
                     "    this.serveWith(new __%sMockServer(this));\n  }\n",
                     full, s->name);
    for (size_t i = 0; i < n; i++) {
      char *in = type_ref(g, ins[i]), *out = type_ref(g, outs[i]);
      pg_strbuf_printf(&g->o,
                       "\n  /** A new expectation of a call of %s. */\n"
                       "  %s(): __pgm.Expectation<%s, %s> {\n"
                       "    return this.%s.expect();\n  }\n",
                       s->method[i]->name, expects[i], in, out, members[i]);
      free(in);
      free(out);
    }
    pg_strbuf_printf(&g->o,
                     "}\n\n/** What %sMock exports: each call goes to its "
                     "MockMethod. */\nclass __%sMockServer extends %sServer "
                     "{\n  constructor(public readonly mock: %sMock) {\n"
                     "    super();\n  }\n",
                     s->name, s->name, s->name, s->name);
    for (size_t i = 0; i < n; i++) {
      char *in = type_ref(g, ins[i]), *out = type_ref(g, outs[i]);
      pg_strbuf_printf(&g->o,
                       "\n  %s(call: __pg.Call<%s>, req: %s): void {\n"
                       "    this.mock.%s.handle(call, req);\n  }\n",
                       stubs[i], out, in, members[i]);
      free(in);
      free(out);
    }
    pg_strbuf_printf(&g->o, "}\n\n");
  }
  for (size_t i = 0; i < n; i++) {
    free(members[i]);
    free(expects[i]);
  }
  free(members);
  free(expects);
  free(where);
  pg_names_free(&ns);
  return rc;
}

/* ---- services ------------------------------------------------------------ */

static int emit_service(gen *g, const pd_service *s) {
  const char *pkg = g->file->package ? g->file->package : "";
  char *full =
      *pkg ? pg_strdupf("%s.%s", pkg, s->name) : pg_strdupf("%s", s->name);
  const pg_type **ins = calloc(s->n_method + 1, sizeof *ins);
  const pg_type **outs = calloc(s->n_method + 1, sizeof *outs);
  char **stubs = calloc(s->n_method + 1, sizeof *stubs);
  if (ins == NULL || outs == NULL || stubs == NULL)
    abort();
  int rc = 0;
  pg_names client = {0}, server = {0};
  char *where = pg_strdupf("service %s", full);
  for (size_t i = 0; i < s->n_method && rc == 0; i++) {
    const pd_method *m = s->method[i];
    ins[i] = pg_model_find(g->model, m->input_type);
    outs[i] = pg_model_find(g->model, m->output_type);
    if (ins[i] == NULL || outs[i] == NULL || ins[i]->msg == NULL ||
        outs[i]->msg == NULL) {
      rc = fail(g, pg_strdupf("%s: %s.%s: unknown message type", g->file->name,
                              full, m->name));
      break;
    }
    if (m->client_streaming || m->server_streaming) {
      rc = fail(g, pg_strdupf("%s: %s.%s: streaming methods are not "
                              "supported",
                              g->file->name, full, m->name));
      break;
    }
    stubs[i] = lower_first(m->name);
    rc = claim(g, &client, pg_strdupf("%s", stubs[i]), where);
    if (rc == 0)
      rc = claim(g, &server, pg_strdupf("%s", stubs[i]), where);
  }
  pg_names_free(&client);
  pg_names_free(&server);
  free(where);
  if (rc != 0)
    goto done;
  pg_strbuf_printf(&g->o, "const __%s = new __pg.ServiceDesc(\"%s\", [",
                   s->name, full);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(&g->o, "%s\"%s\"", i ? ", " : "", s->method[i]->name);
  pg_strbuf_printf(&g->o, "]);\n\n");

  /* The server skeleton. */
  pg_strbuf_printf(&g->o,
                   "/** Service %s: extend it, override the methods you "
                   "implement (each answers\n * its call with call.respond()"
                   " or call.fail(), now or later) and pass an\n * instance "
                   "to %s.serve(). A method left alone answers UNIMPLEMENTED."
                   " */\nexport class %sServer extends __pg.Service {\n"
                   "  constructor() {\n    super(__%s);\n  }\n\n",
                   full, s->name, s->name, s->name);
  for (size_t i = 0; i < s->n_method; i++) {
    char *in = type_ref(g, ins[i]), *out = type_ref(g, outs[i]);
    pg_strbuf_printf(&g->o,
                     "  %s(call: __pg.Call<%s>, req: %s): void {\n"
                     "    call.fail(__pg.Code.UNIMPLEMENTED, 0, \"%s is not "
                     "implemented\");\n  }\n\n",
                     stubs[i], out, in, s->method[i]->name);
    free(in);
    free(out);
  }
  pg_strbuf_printf(&g->o, "  _invoke(method: i32, id: u64, deadline: u64, "
                          "caller: string, p: usize,\n          len: usize): "
                          "void {\n");
  for (size_t i = 0; i < s->n_method; i++) {
    char *in = type_ref(g, ins[i]), *out = type_ref(g, outs[i]);
    pg_strbuf_printf(&g->o,
                     "    if (method == %zu) {\n"
                     "      const call = new __pg.Call<%s>(id, deadline, "
                     "caller);\n      const req = new %s();\n"
                     "      if (__pg.decodeRequest(req, call, p, len)) "
                     "this.%s(call, req);\n    }\n",
                     i, out, in, stubs[i]);
    free(in);
    free(out);
  }
  pg_strbuf_printf(&g->o, "  }\n}\n\n");

  /* The client. */
  pg_strbuf_printf(&g->o,
                   "/** Service %s: require() or serve() it in the guest's "
                   "declare function;\n * each method starts a call: `ok` "
                   "gets the response, or `fail` the Status,\n * later, both"
                   " with `ctx`. A call that cannot start fails at once and"
                   " returns\n * false. */\nexport class %s {\n"
                   "  static readonly desc: __pg.ServiceDesc = __%s;\n\n"
                   "  static require(): void {\n"
                   "    __pg.requireService(__%s);\n  }\n\n"
                   "  static serve(impl: %sServer): void {\n"
                   "    __pg.exportService(impl, __file);\n  }\n",
                   full, s->name, s->name, s->name, s->name);
  for (size_t i = 0; i < s->n_method; i++) {
    char *in = type_ref(g, ins[i]), *out = type_ref(g, outs[i]);
    pg_strbuf_printf(&g->o,
                     "\n  static %s<C>(req: %s, ctx: C,\n"
                     "      ok: (resp: %s, ctx: C) => void,\n"
                     "      fail: (status: __pg.Status, ctx: C) => void): "
                     "bool {\n"
                     "    return __pg.dispatch<%s, %s, C>(__%s, %zu, req, "
                     "ctx, ok, fail);\n  }\n",
                     stubs[i], in, out, in, out, s->name, i);
    free(in);
    free(out);
  }
  pg_strbuf_printf(&g->o, "}\n\n");
  rc = emit_mock(g, s, full, ins, outs, stubs);
done:
  for (size_t i = 0; i < s->n_method; i++)
    free(stubs[i]);
  free(stubs);
  free(ins);
  free(outs);
  free(full);
  return rc;
}

/* ---- the file ------------------------------------------------------------ */

/* The import path of file @p to's output from file @p from's:
 * "../common/v1/common.pg". Heap. */
static char *relative(const char *from, const char *to) {
  size_t same = 0; /* length of the directories both paths start with */
  for (size_t i = 0; from[i] && from[i] == to[i]; i++)
    if (from[i] == '/')
      same = i + 1;
  pg_strbuf b;
  pg_strbuf_init(&b);
  for (const char *p = from + same; *p; p++)
    if (*p == '/')
      pg_strbuf_printf(&b, "../");
  if (b.len == 0)
    pg_strbuf_printf(&b, "./");
  char *s = pg_path_stem(to + same);
  pg_strbuf_printf(&b, "%s.pg", s);
  free(s);
  return pg_strbuf_take(&b);
}

static int emit_prologue(gen *g) {
  const pd_file *f = g->file;
  int rc = 0;
  pg_strbuf_printf(&g->o,
                   "// Generated by protoc-gen-parigot from %s. Do "
                   "not edit.\nimport * as __pg from \"parigot\";\n",
                   f->name);
  rc = claim(g, &g->top, pg_strdupf("__pg"), f->name);
  if (f->n_service > 0) { /* the services' mocks run on it */
    pg_strbuf_printf(&g->o, "import * as __pgm from \"parigot/mock\";\n");
    if (rc == 0)
      rc = claim(g, &g->top, pg_strdupf("__pgm"), f->name);
  }
  for (size_t i = 0; i < f->n_dependency && rc == 0; i++) {
    if (!pg_model_generates(g->model, f->dependency[i]))
      continue;
    char *p = pg_path_ident(f->dependency[i]);
    char *r = relative(f->name, f->dependency[i]);
    pg_strbuf_printf(&g->o, "import * as __dep_%s from \"%s\";\n", p, r);
    rc = claim(g, &g->top, pg_strdupf("__dep_%s", p), f->dependency[i]);
    free(p);
    free(r);
  }
  pg_strbuf_printf(&g->o, "\n");
  return rc;
}

static void emit_file_desc(gen *g, const uint8_t *d, size_t len) {
  const pd_file *f = g->file;
  pg_strbuf_printf(&g->o, "// The serialized FileDescriptorProto, for the "
                          "describe ABI call.\nconst __descriptor = "
                          "memory.data<u8>([");
  for (size_t i = 0; i < len; i++)
    pg_strbuf_printf(&g->o, "%s0x%02x,", i % 12 == 0 ? "\n  " : " ", d[i]);
  pg_strbuf_printf(&g->o,
                   "\n]);\n\n/** The file %s, as the kernel is told "
                   "of it. */\nexport const __file = new "
                   "__pg.FileDesc(\"%s\", __descriptor, %zu, [",
                   f->name, f->name, len);
  bool first = true;
  for (size_t i = 0; i < f->n_dependency; i++) {
    if (!pg_model_generates(g->model, f->dependency[i]))
      continue;
    char *p = pg_path_ident(f->dependency[i]);
    pg_strbuf_printf(&g->o, "%s__dep_%s.__file", first ? "" : ", ", p);
    first = false;
    free(p);
  }
  pg_strbuf_printf(&g->o, "]);\n");
}

/* The globals generated code uses by name: a type may not hide them. */
static const char *const globals[] = {
    "Array", "ArrayBuffer", "Error", "Map", "Object", "String", "Uint8Array"};

static int check_globals(gen *g) {
  const pg_model *m = g->model;
  for (size_t i = 0; i < m->n; i++) {
    if (m->types[i].file != g->file)
      continue;
    char *l = local_name(&m->types[i]);
    for (size_t j = 0; j < sizeof globals / sizeof globals[0]; j++)
      if (strcmp(l, globals[j]) == 0) {
        free(l);
        return fail(g, pg_strdupf("%s: type %s would hide AssemblyScript's "
                                  "%s, which generated code uses; rename "
                                  "it",
                                  g->file->name, m->types[i].full_name,
                                  globals[j]));
      }
    free(l);
  }
  return 0;
}

/* Claims every top-level name the file defines, before any is written. */
static int claim_top(gen *g) {
  const pg_model *m = g->model;
  if (check_globals(g) != 0)
    return -1;
  int rc = claim(g, &g->top, pg_strdupf("__descriptor"), g->file->name);
  if (rc == 0)
    rc = claim(g, &g->top, pg_strdupf("__file"), g->file->name);
  for (size_t i = 0; i < m->n && rc == 0; i++) {
    const pg_type *t = &m->types[i];
    if (t->file != g->file)
      continue;
    rc = claim(g, &g->top, local_name(t), t->full_name);
    for (size_t j = 0; t->msg && j < t->msg->n_oneof_decl && rc == 0; j++) {
      bool real = false;
      for (size_t k = 0; k < t->msg->n_field; k++)
        real |= is_real_oneof(t->msg->field[k]) &&
                t->msg->field[k]->oneof_index == (int)j;
      if (real)
        rc = claim(g, &g->top, case_enum(t, (int)j), t->full_name);
    }
  }
  for (size_t i = 0; i < g->file->n_service && rc == 0; i++) {
    const char *s = g->file->service[i]->name;
    rc = claim(g, &g->top, pg_strdupf("%s", s), s);
    if (rc == 0)
      rc = claim(g, &g->top, pg_strdupf("%sServer", s), s);
    if (rc == 0)
      rc = claim(g, &g->top, pg_strdupf("__%s", s), s);
    if (rc == 0)
      rc = claim(g, &g->top, pg_strdupf("%sMock", s), s);
    if (rc == 0)
      rc = claim(g, &g->top, pg_strdupf("__%sMockServer", s), s);
  }
  return rc;
}

int pg_gen_as(const pg_model *m, const pd_file *f, const uint8_t *descriptor,
              size_t descriptor_len, pg_gen_output out[2], char **err) {
  gen g = {.model = m, .file = f};
  pg_strbuf_init(&g.o);
  int rc = emit_prologue(&g);
  if (rc == 0)
    rc = claim_top(&g);
  for (size_t i = 0; i < m->n && rc == 0; i++) {
    const pg_type *t = &m->types[i];
    if (t->file != f)
      continue;
    if (t->enm)
      emit_enum(&g, t);
    else if (!pg_is_map_entry(t->msg)) /* maps are Map<K, V> */
      rc = emit_message(&g, t);
  }
  for (size_t i = 0; i < f->n_service && rc == 0; i++)
    rc = emit_service(&g, f->service[i]);
  if (rc == 0) {
    emit_file_desc(&g, descriptor, descriptor_len);
    char *base = pg_path_stem(f->name);
    out[0].name = pg_strdupf("%s.pg.ts", base);
    out[0].content = pg_strbuf_take(&g.o);
    free(base);
  } else {
    *err = g.err;
  }
  pg_strbuf_free(&g.o);
  pg_names_free(&g.top);
  return rc == 0 ? 1 : -1;
}
