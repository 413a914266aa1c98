/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/model.c: the index of types behind name
 * resolution. See model.h.
 */
#include "model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

char *pg_c_ident(const char *dotted) {
  char *s = pg_strdupf("%s", dotted);
  for (char *p = s; *p; p++)
    if (*p == '.')
      *p = '_';
  return s;
}

/* C17 keywords, C++ keywords (generated headers are usable from C++), and
 * names the C library defines as macros. */
static const char *const reserved[] = {"alignas",      "alignof",
                                       "and",          "and_eq",
                                       "asm",          "assert",
                                       "auto",         "bitand",
                                       "bitor",        "bool",
                                       "break",        "case",
                                       "catch",        "char",
                                       "char16_t",     "char32_t",
                                       "char8_t",      "class",
                                       "compl",        "complex",
                                       "const",        "const_cast",
                                       "consteval",    "constexpr",
                                       "constinit",    "continue",
                                       "decltype",     "default",
                                       "delete",       "do",
                                       "double",       "dynamic_cast",
                                       "else",         "enum",
                                       "errno",        "explicit",
                                       "export",       "extern",
                                       "false",        "float",
                                       "for",          "friend",
                                       "goto",         "if",
                                       "imaginary",    "inline",
                                       "int",          "linux",
                                       "long",         "mutable",
                                       "namespace",    "new",
                                       "noexcept",     "noreturn",
                                       "not",          "not_eq",
                                       "nullptr",      "offsetof",
                                       "operator",     "or",
                                       "or_eq",        "private",
                                       "protected",    "public",
                                       "register",     "reinterpret_cast",
                                       "requires",     "restrict",
                                       "return",       "short",
                                       "signed",       "sizeof",
                                       "static",       "static_assert",
                                       "static_cast",  "stderr",
                                       "stdin",        "stdout",
                                       "struct",       "switch",
                                       "template",     "this",
                                       "thread_local", "throw",
                                       "true",         "try",
                                       "typedef",      "typeid",
                                       "typename",     "union",
                                       "unix",         "unsigned",
                                       "using",        "virtual",
                                       "void",         "volatile",
                                       "wchar_t",      "while",
                                       "xor",          "xor_eq",
                                       "EOF",          "NULL"};

bool pg_is_reserved(const char *name) {
  if (name[0] == '_')
    return true; /* _Bool, _Atomic, and names reserved to the implementation */
  for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    if (strcmp(reserved[i], name) == 0)
      return true;
  return false;
}

bool pg_is_map_entry(const pd_msg *msg) {
  return msg->options != NULL && msg->options->has_map_entry &&
         msg->options->map_entry;
}

static pg_type *push(pg_model *m) {
  if (m->n == m->cap) {
    m->cap = m->cap ? 2 * m->cap : 64;
    m->types = realloc(m->types, m->cap * sizeof *m->types);
    if (m->types == NULL)
      abort();
  }
  pg_type *t = &m->types[m->n++];
  memset(t, 0, sizeof *t);
  return t;
}

static char *join(const char *prefix, const char *name, char sep) {
  return *prefix ? pg_strdupf("%s%c%s", prefix, sep, name)
                 : pg_strdupf("%s", name);
}

static void add_enum(pg_model *m, const pd_file *f, const pd_enum *e,
                     const char *full_scope, const char *c_scope) {
  pg_type *t = push(m);
  t->full_name = join(full_scope, e->name, '.');
  t->c_name = join(c_scope, e->name, '_');
  t->scope = pg_strdupf("%s", c_scope);
  t->file = f;
  t->enm = e;
}

static void add_message(pg_model *m, const pd_file *f, const pd_msg *msg,
                        const char *full_scope, const char *c_scope) {
  pg_type *t = push(m);
  t->full_name = join(full_scope, msg->name, '.');
  t->c_name = join(c_scope, msg->name, '_');
  t->file = f;
  t->msg = msg;
  /* push() may move the array: copy the names before recursing. */
  char *full = pg_strdupf("%s", t->full_name);
  char *c = pg_strdupf("%s", t->c_name);
  for (size_t i = 0; i < msg->n_nested_type; i++)
    add_message(m, f, msg->nested_type[i], full, c);
  for (size_t i = 0; i < msg->n_enum_type; i++)
    add_enum(m, f, msg->enum_type[i], full, c);
  free(full);
  free(c);
}

static int by_full_name(const void *a, const void *b) {
  return strcmp(((const pg_type *)a)->full_name,
                ((const pg_type *)b)->full_name);
}

int pg_model_build(pg_model *m, pd_file *const *files, size_t n_files,
                   char **err) {
  memset(m, 0, sizeof *m);
  for (size_t i = 0; i < n_files; i++) {
    const pd_file *f = files[i];
    const char *pkg = f->package ? f->package : "";
    char *c_pkg = pg_c_ident(pkg);
    for (size_t j = 0; j < f->n_message_type; j++)
      add_message(m, f, f->message_type[j], pkg, c_pkg);
    for (size_t j = 0; j < f->n_enum_type; j++)
      add_enum(m, f, f->enum_type[j], pkg, c_pkg);
    free(c_pkg);
  }
  qsort(m->types, m->n, sizeof *m->types, by_full_name);
  /* "a.b_c" and "a_b.c" both become a_b_c: refuse rather than collide. */
  for (size_t i = 0; i < m->n; i++)
    for (size_t j = i + 1; j < m->n; j++)
      if (strcmp(m->types[i].c_name, m->types[j].c_name) == 0) {
        *err = pg_strdupf("%s: type %s and type %s (%s) would both be named "
                          "%s in C; rename one",
                          m->types[j].file->name, m->types[j].full_name,
                          m->types[i].full_name, m->types[i].file->name,
                          m->types[i].c_name);
        return -1;
      }
  return 0;
}

void pg_model_free(pg_model *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->types[i].full_name);
    free(m->types[i].c_name);
    free(m->types[i].scope);
  }
  free(m->types);
  memset(m, 0, sizeof *m);
}

const pg_type *pg_model_find(const pg_model *m, const char *name) {
  if (name == NULL)
    return NULL;
  if (name[0] == '.')
    name++;
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(m->types[mid].full_name, name);
    if (c == 0)
      return &m->types[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const pd_file *pg_model_find_file(const pg_model *m, const char *name) {
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->types[i].file->name, name) == 0)
      return m->types[i].file;
  return NULL;
}

/* A file that defines no types (options only) is found in no type, so it
 * is left out too. */
bool pg_model_generates(const pg_model *m, const char *name) {
  const pd_file *d = pg_model_find_file(m, name);
  return d != NULL && d->syntax != NULL && strcmp(d->syntax, "proto3") == 0;
}

char *pg_path_stem(const char *path) {
  size_t n = strlen(path);
  if (n > 6 && strcmp(path + n - 6, ".proto") == 0)
    n -= 6;
  return pg_strdupf("%.*s", (int)n, path);
}

char *pg_path_ident(const char *path) {
  char *s = pg_strdupf("%s", path);
  for (char *p = s; *p; p++)
    if (!isalnum((unsigned char)*p))
      *p = '_';
  return s;
}

bool pg_names_take(pg_names *ns, char *name) {
  for (size_t i = 0; i < ns->n; i++)
    if (strcmp(ns->v[i], name) == 0)
      return false;
  ns->v = realloc(ns->v, (ns->n + 1) * sizeof *ns->v);
  if (ns->v == NULL)
    abort();
  ns->v[ns->n++] = name;
  return true;
}

void pg_names_free(pg_names *ns) {
  for (size_t i = 0; i < ns->n; i++)
    free(ns->v[i]);
  free(ns->v);
  *ns = (pg_names){0};
}
