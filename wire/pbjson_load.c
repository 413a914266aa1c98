/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_load.c: reads a serialized FileDescriptorSet into the
 * descriptions of a new pg_pbjson (pg_pbjson_new), by hand: each
 * descriptor is read field by field, so that bad bytes, names that are not
 * identifiers and nesting past 100 are refused with a message naming the
 * file and what is wrong. pbjson_link.c then resolves and indexes them.
 *
 * Owns the loader's state (pg_pbjson_ld) for one call. Calls pbjson_pb.c to
 * read fields and pbjson.c's arena. Any thread, one call at a time per set.
 */
#include "pbjson_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parigot/error.h"
#include "utf8.h"

int pg_pbjson_ld_fail(pg_pbjson_ld *l, const char *fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (l->err != NULL && l->err_len > 0) {
    if (l->file != NULL)
      snprintf(l->err, l->err_len, "descriptor set: %s: %s", l->file, what);
    else
      snprintf(l->err, l->err_len, "descriptor set: %s", what);
  }
  return PARIGOT_EINVAL;
}

int pg_pbjson_ld_nomem(pg_pbjson_ld *l) {
  if (l->err != NULL && l->err_len > 0)
    snprintf(l->err, l->err_len, "descriptor set: out of memory");
  return PARIGOT_ENOMEM;
}

static int vec_push(pg_pbjson_ld *l, pg_pbjson_ptrvec *v, void *p) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 32;
    void **nv = pg_mem_realloc(l->j->mem, v->v, cap * sizeof *nv);
    if (nv == NULL)
      return pg_pbjson_ld_nomem(l);
    v->v = nv;
    v->cap = cap;
  }
  v->v[v->n++] = p;
  return 0;
}

/* Reads the next field of a descriptor message, failing on bad bytes. */
static int ld_field(pg_pbjson_ld *l, pg_pbjson_rd *r, pg_pbjson_wfield *f) {
  const char *why = pg_pbwire_read_field(r, f);
  if (why != NULL)
    return pg_pbjson_ld_fail(l, "malformed descriptor: %s", why);
  return 0;
}

/* Steps @p r to its next field whose number's bit is set in @p nums: 1
 * with that field in *f, 0 at the end, or a failure. */
static int ld_next(pg_pbjson_ld *l, pg_pbjson_rd *r, uint32_t nums,
                   pg_pbjson_wfield *f) {
  while (r->p < r->end) {
    int rc = ld_field(l, r, f);
    if (rc != 0)
      return rc;
    if (f->num < 32 && ((nums >> f->num) & 1) != 0)
      return 1;
  }
  return 0;
}

/* A descriptor string copied into the arena: valid UTF-8, no NUL. */
static int ld_string(pg_pbjson_ld *l, const pg_pbjson_wfield *f,
                     const char **out) {
  if (f->wt != WT_LEN)
    return pg_pbjson_ld_fail(
        l, "malformed descriptor: a string with wire type %d", f->wt);
  if (memchr(f->p, 0, f->len) != NULL || !pg_utf8_valid(f->p, f->len))
    return pg_pbjson_ld_fail(l, "a name that is not UTF-8 text");
  char *s = pg_pbjson_arena_alloc(l->j, f->len + 1);
  if (s == NULL)
    return pg_pbjson_ld_nomem(l);
  memcpy(s, f->p, f->len);
  *out = s;
  return 0;
}

static int ld_varint(pg_pbjson_ld *l, const pg_pbjson_wfield *f,
                     uint64_t *out) {
  if (f->wt != WT_VARINT)
    return pg_pbjson_ld_fail(
        l, "malformed descriptor: wire type %d for a number", f->wt);
  *out = f->v;
  return 0;
}

/* An identifier: letters, digits and '_', not empty. With @p dotted, a
 * dot-separated sequence of them (a package). */
static bool is_ident(const char *s, bool dotted) {
  bool empty = true;
  for (; *s; s++) {
    char c = *s;
    if (c == '.' && dotted && !empty) {
      empty = true;
      continue;
    }
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return false;
    empty = false;
  }
  return !empty;
}

static int ld_join(pg_pbjson_ld *l, const char *scope, const char *name,
                   const char **out) {
  size_t a = strlen(scope), b = strlen(name);
  char *s = pg_pbjson_arena_alloc(l->j, a + b + 2);
  if (s == NULL)
    return pg_pbjson_ld_nomem(l);
  if (a > 0) {
    memcpy(s, scope, a);
    s[a++] = '.';
  }
  memcpy(s + a, name, b);
  *out = s;
  return 0;
}

/* protobuf's ToJsonName: drop each '_' and upper-case the letter after. */
static int ld_json_name(pg_pbjson_ld *l, const char *name, const char **out) {
  size_t n = strlen(name), k = 0;
  char *s = pg_pbjson_arena_alloc(l->j, n + 1);
  if (s == NULL)
    return pg_pbjson_ld_nomem(l);
  bool up = false;
  for (size_t i = 0; i < n; i++) {
    if (name[i] == '_') {
      up = true;
    } else {
      char c = name[i];
      s[k++] = up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
      up = false;
    }
  }
  *out = s;
  return 0;
}

/* Reads the bool numbered @p num from the options message in @p f, each
 * time it is given (the last wins); sets *is_set, if not NULL, when it is
 * there. Options of another wire type are none. */
static int ld_option(pg_pbjson_ld *l, const pg_pbjson_wfield *f, uint32_t num,
                     bool *is_set, bool *out) {
  int rc;
  for (pg_pbjson_rd o = {f->p, f->p + f->len};
       f->wt == WT_LEN && o.p < o.end;) {
    pg_pbjson_wfield g;
    uint64_t v = 0;
    if ((rc = ld_field(l, &o, &g)) != 0)
      return rc;
    if (g.num != num)
      continue;
    if ((rc = ld_varint(l, &g, &v)) != 0)
      return rc;
    if (is_set != NULL)
      *is_set = true;
    *out = v != 0;
  }
  return 0;
}

/* What the first pass over a descriptor found, by field number. */
typedef struct ldscan {
  size_t count[16];    /* how often each field is given */
  const char *str[16]; /* the strings asked for; the last one given */
} ldscan;

/* The first pass over the descriptor at p[0..len): reads every field, so
 * that later passes meet no bad bytes, and counts them by number. Fields
 * whose bit is set in @p strings are taken as strings. For a message,
 * @p map_entry receives MessageOptions.map_entry (both numbered 7); else
 * it is NULL. */
static int ld_scan(pg_pbjson_ld *l, const uint8_t *p, size_t len,
                   uint32_t strings, bool *map_entry, ldscan *out) {
  pg_pbjson_wfield f;
  int rc;
  memset(out, 0, sizeof *out);
  for (pg_pbjson_rd r = {p, p + len}; r.p < r.end;) {
    if ((rc = ld_field(l, &r, &f)) != 0)
      return rc;
    if (f.num >= 16)
      continue;
    out->count[f.num]++;
    if (((strings >> f.num) & 1) != 0 &&
        (rc = ld_string(l, &f, &out->str[f.num])) != 0)
      return rc;
    if (f.num == 7 && map_entry != NULL &&
        (rc = ld_option(l, &f, 7, NULL, map_entry)) != 0)
      return rc;
  }
  return 0;
}

/* ld_scan for a message, enum or service (named by field 1) in @p scope,
 * whose full name goes into *full_name. A missing or invalid name fails
 * with @p bad_name, a format that may take the scope. */
static int ld_named(pg_pbjson_ld *l, const char *scope, const uint8_t *p,
                    size_t len, const char *bad_name, bool *map_entry,
                    ldscan *sc, const char **full_name) {
  int rc = ld_scan(l, p, len, 1u << 1, map_entry, sc);
  if (rc != 0)
    return rc;
  const char *name = sc->str[1];
  if (name == NULL || !is_ident(name, false))
    return pg_pbjson_ld_fail(l, bad_name, scope);
  return ld_join(l, scope, name, full_name);
}

static int ld_enum(pg_pbjson_ld *l, const char *scope, const uint8_t *p,
                   size_t len, bool is_proto3) {
  pg_pbjson_enum *e = pg_pbjson_arena_alloc(l->j, sizeof *e);
  if (e == NULL)
    return pg_pbjson_ld_nomem(l);
  ldscan sc;
  pg_pbjson_wfield f;
  int rc = ld_named(l, scope, p, len, "an enum without a valid name in \"%s\"",
                    NULL, &sc, &e->full_name);
  if (rc != 0)
    return rc;
  size_t nvalues = sc.count[2];
  e->values = pg_pbjson_arena_array(l->j, nvalues, sizeof(pg_pbjson_enumval));
  e->by_name = pg_pbjson_arena_array(l->j, nvalues, sizeof(void *));
  e->by_number = pg_pbjson_arena_array(l->j, nvalues, sizeof(void *));
  if (e->values == NULL || e->by_name == NULL || e->by_number == NULL)
    return pg_pbjson_ld_nomem(l);
  for (pg_pbjson_rd r = {p, p + len}; (rc = ld_next(l, &r, 1u << 2, &f)) > 0;) {
    if (f.wt != WT_LEN)
      return pg_pbjson_ld_fail(l, "malformed enum value in %s", e->full_name);
    pg_pbjson_enumval *v = &e->values[e->nvalues++];
    v->name = NULL;
    for (pg_pbjson_rd vr = {f.p, f.p + f.len}; vr.p < vr.end;) {
      pg_pbjson_wfield g;
      uint64_t n = 0;
      if ((rc = ld_field(l, &vr, &g)) != 0)
        return rc;
      if (g.num == 1 && (rc = ld_string(l, &g, &v->name)) != 0)
        return rc;
      if (g.num == 2) {
        if ((rc = ld_varint(l, &g, &n)) != 0)
          return rc;
        v->number = (int32_t)(uint32_t)n;
      }
    }
    if (v->name == NULL || !is_ident(v->name, false))
      return pg_pbjson_ld_fail(l, "a value of %s without a valid name",
                               e->full_name);
  }
  if (rc != 0)
    return rc;
  e->is_closed = !is_proto3;
  return vec_push(l, &l->enums, e);
}

static int ld_field_desc(pg_pbjson_ld *l, pg_pbjson_msg *m, pg_pbjson_field *fd,
                         const uint8_t *p, size_t len, bool is_proto3) {
  pg_pbjson_wfield f;
  uint64_t v = 0;
  int rc;
  bool proto3_optional = false, packed_set = false, packed = false;
  /* FieldDescriptorProto's fields 3, 4, 5, 9 and 17 are numbers. */
  const uint32_t numbers = 1u << 3 | 1u << 4 | 1u << 5 | 1u << 9 | 1u << 17;
  fd->oneof = -1;
  for (pg_pbjson_rd r = {p, p + len}; r.p < r.end;) {
    if ((rc = ld_field(l, &r, &f)) != 0)
      return rc;
    if (f.num < 32 && ((numbers >> f.num) & 1) != 0 &&
        (rc = ld_varint(l, &f, &v)) != 0)
      return rc;
    switch (f.num) {
    case 1:
      rc = ld_string(l, &f, &fd->name);
      break;
    case 3:
      fd->number = v >= 1 && v <= 536870911 ? (uint32_t)v : 0;
      break;
    case 4:
      fd->label = v >= 1 && v <= 3 ? (uint8_t)v : 0;
      break;
    case 5:
      fd->type = v >= 1 && v <= 18 ? (uint8_t)v : 0;
      break;
    case 6:
      rc = ld_string(l, &f, &fd->type_name);
      break;
    case 8: /* FieldOptions: packed is field 2 */
      if (f.wt != WT_LEN)
        return pg_pbjson_ld_fail(l, "malformed field options in %s",
                                 m->full_name);
      rc = ld_option(l, &f, 2, &packed_set, &packed);
      break;
    case 9:
      if (v >= m->noneofs)
        return pg_pbjson_ld_fail(l, "a oneof index out of range in %s",
                                 m->full_name);
      fd->oneof = (int32_t)v;
      break;
    case 10:
      rc = ld_string(l, &f, &fd->json_name);
      break;
    case 17:
      proto3_optional = v != 0;
      break;
    default:
      break;
    }
    if (rc != 0)
      return rc;
  }
  if (fd->name == NULL || !is_ident(fd->name, false))
    return pg_pbjson_ld_fail(l, "a field without a valid name in %s",
                             m->full_name);
  if (fd->number == 0 || fd->label == 0 || fd->type == 0)
    return pg_pbjson_ld_fail(
        l, "field %s.%s: missing or invalid number, label or type",
        m->full_name, fd->name);
  if ((fd->type == TY_MESSAGE || fd->type == TY_GROUP || fd->type == TY_ENUM) &&
      fd->type_name == NULL)
    return pg_pbjson_ld_fail(l, "field %s.%s: no type name", m->full_name,
                             fd->name);
  if (fd->json_name == NULL &&
      (rc = ld_json_name(l, fd->name, &fd->json_name)) != 0)
    return rc;
  bool repeated = fd->label == LB_REPEATED;
  if (repeated && pg_pbjson_is_packable(fd->type))
    fd->is_packed = is_proto3 ? !packed_set || packed : packed_set && packed;
  fd->has_presence =
      !repeated && (fd->type == TY_MESSAGE || fd->type == TY_GROUP ||
                    fd->oneof >= 0 || !is_proto3 || proto3_optional);
  return 0;
}

static int ld_message(pg_pbjson_ld *l, const char *scope, const uint8_t *p,
                      size_t len, bool is_proto3, int depth) {
  if (depth > MAX_DEPTH)
    return pg_pbjson_ld_fail(l, "messages nested more than %d deep", MAX_DEPTH);
  pg_pbjson_msg *m = pg_pbjson_arena_alloc(l->j, sizeof *m);
  if (m == NULL)
    return pg_pbjson_ld_nomem(l);
  ldscan sc;
  pg_pbjson_wfield f;
  int rc =
      ld_named(l, scope, p, len, "a message without a valid name in \"%s\"",
               &m->is_map_entry, &sc, &m->full_name);
  if (rc != 0)
    return rc;
  size_t nfields = sc.count[2], noneofs = sc.count[8];
  m->fields = pg_pbjson_arena_array(l->j, nfields, sizeof(pg_pbjson_field));
  m->oneofs = pg_pbjson_arena_array(l->j, noneofs, sizeof(char *));
  if (m->fields == NULL || m->oneofs == NULL)
    return pg_pbjson_ld_nomem(l);
  /* Oneof names first: fields refer to them by index. */
  for (pg_pbjson_rd r = {p, p + len}; (rc = ld_next(l, &r, 1u << 8, &f)) > 0;) {
    ldscan os = {0};
    if (f.wt == WT_LEN && (rc = ld_scan(l, f.p, f.len, 1u << 1, NULL, &os)))
      return rc;
    if (os.str[1] == NULL)
      return pg_pbjson_ld_fail(l, "a oneof without a name in %s", m->full_name);
    m->oneofs[m->noneofs++] = os.str[1];
  }
  if (rc != 0)
    return rc;
  /* Fields, nested messages and nested enums. */
  const uint32_t nested = 1u << 2 | 1u << 3 | 1u << 4;
  for (pg_pbjson_rd r = {p, p + len}; (rc = ld_next(l, &r, nested, &f)) > 0;) {
    if (f.wt != WT_LEN)
      return pg_pbjson_ld_fail(l, "malformed descriptor of %s", m->full_name);
    if (f.num == 2)
      rc = ld_field_desc(l, m, &m->fields[m->nfields++], f.p, f.len, is_proto3);
    else if (f.num == 3)
      rc = ld_message(l, m->full_name, f.p, f.len, is_proto3, depth + 1);
    else
      rc = ld_enum(l, m->full_name, f.p, f.len, is_proto3);
    if (rc != 0)
      return rc;
  }
  return rc != 0 ? rc : vec_push(l, &l->msgs, m);
}

static int ld_service(pg_pbjson_ld *l, const char *scope, const uint8_t *p,
                      size_t len) {
  pg_pbjson_svc *s = pg_pbjson_arena_alloc(l->j, sizeof *s);
  if (s == NULL)
    return pg_pbjson_ld_nomem(l);
  ldscan sc;
  pg_pbjson_wfield f;
  /* The message names no scope: the format leaves it out. */
  int rc = ld_named(l, scope, p, len, "a service without a valid name", NULL,
                    &sc, &s->full_name);
  if (rc != 0)
    return rc;
  size_t n = sc.count[2];
  s->methods = pg_pbjson_arena_array(l->j, n, sizeof(pg_pbjson_methoddesc));
  if (s->methods == NULL)
    return pg_pbjson_ld_nomem(l);
  for (pg_pbjson_rd r = {p, p + len}; (rc = ld_next(l, &r, 1u << 2, &f)) > 0;) {
    /* MethodDescriptorProto: name = 1, input_type = 2, output_type = 3. */
    pg_pbjson_methoddesc *md = &s->methods[s->nmethods++];
    ldscan ms = {0};
    if (f.wt == WT_LEN &&
        (rc = ld_scan(l, f.p, f.len, 1u << 1 | 1u << 2 | 1u << 3, NULL, &ms)))
      return rc;
    md->name = ms.str[1];
    md->input = ms.str[2];
    md->output = ms.str[3];
    if (md->name == NULL || md->input == NULL || md->output == NULL)
      return pg_pbjson_ld_fail(l, "a method of %s lacks a name or a type",
                               s->full_name);
  }
  return rc != 0 ? rc : vec_push(l, &l->svcs, s);
}

static int ld_file(pg_pbjson_ld *l, const uint8_t *p, size_t len) {
  /* FileDescriptorProto: package = 2, syntax = 12. */
  ldscan sc;
  pg_pbjson_wfield f;
  int rc = ld_scan(l, p, len, 1u << 2 | 1u << 12, NULL, &sc);
  if (rc != 0)
    return rc;
  const char *package = sc.str[2] ? sc.str[2] : "", *syntax = sc.str[12];
  if (package[0] != '\0' && !is_ident(package, true))
    return pg_pbjson_ld_fail(l, "invalid package name");
  bool is_proto3 = false;
  if (syntax != NULL && strcmp(syntax, "proto3") == 0)
    is_proto3 = true;
  else if (syntax != NULL && syntax[0] != '\0' && strcmp(syntax, "proto2") != 0)
    return pg_pbjson_ld_fail(l, "unsupported syntax \"%s\"", syntax);
  /* Messages, enums and services. */
  const uint32_t types = 1u << 4 | 1u << 5 | 1u << 6;
  for (pg_pbjson_rd r = {p, p + len}; (rc = ld_next(l, &r, types, &f)) > 0;) {
    if (f.wt != WT_LEN)
      return pg_pbjson_ld_fail(l, "malformed file descriptor");
    if (f.num == 4)
      rc = ld_message(l, package, f.p, f.len, is_proto3, 1);
    else if (f.num == 5)
      rc = ld_enum(l, package, f.p, f.len, is_proto3);
    else
      rc = ld_service(l, package, f.p, f.len);
    if (rc != 0)
      return rc;
  }
  return rc;
}

/* A file of the set before loading: where it is and what it is called. */
typedef struct filespan {
  const uint8_t *p;
  size_t len;
  const uint8_t *name; /* bytes of FileDescriptorProto.name */
  size_t name_len;
  size_t index; /* position in the set */
  bool is_copy; /* a later file of the same name: skipped */
} filespan;

static int cmp_filespan(const void *a, const void *b) {
  const filespan *x = a, *y = b;
  size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
  int c = n ? memcmp(x->name, y->name, n) : 0;
  if (c == 0)
    c = (x->name_len > y->name_len) - (x->name_len < y->name_len);
  if (c == 0)
    c = (x->index > y->index) - (x->index < y->index);
  return c;
}

static int cmp_filespan_index(const void *a, const void *b) {
  const filespan *x = a, *y = b;
  return (x->index > y->index) - (x->index < y->index);
}

static int ld_files(pg_pbjson_ld *l, const uint8_t *fds, size_t len) {
  ldscan sc;
  pg_pbjson_wfield f;
  int rc = ld_scan(l, fds, len, 0, NULL, &sc);
  if (rc != 0)
    return rc;
  size_t n = sc.count[1];
  filespan *files = pg_mem_calloc(l->j->mem, n ? n : 1, sizeof *files);
  if (files == NULL)
    return pg_pbjson_ld_nomem(l);
  size_t k = 0;
  for (pg_pbjson_rd r = {fds, fds + len};
       (rc = ld_next(l, &r, 1u << 1, &f)) != 0;) {
    if (rc < 0)
      goto done;
    if (f.wt != WT_LEN) {
      rc = pg_pbjson_ld_fail(l, "malformed descriptor set");
      goto done;
    }
    filespan *fs = &files[k];
    fs->p = f.p;
    fs->len = f.len;
    fs->index = k++;
    for (pg_pbjson_rd fr = {f.p, f.p + f.len}; fr.p < fr.end;) {
      pg_pbjson_wfield g;
      if ((rc = ld_field(l, &fr, &g)) != 0)
        goto done;
      if (g.num == 1 && g.wt == WT_LEN) {
        fs->name = g.p;
        fs->name_len = g.len;
      }
    }
  }
  pg_pbjson_sort(files, n, sizeof *files, cmp_filespan);
  for (size_t i = 1; i < n; i++)
    files[i].is_copy =
        files[i].name_len == files[i - 1].name_len &&
        (files[i].name_len == 0 ||
         memcmp(files[i].name, files[i - 1].name, files[i].name_len) == 0);
  pg_pbjson_sort(files, n, sizeof *files, cmp_filespan_index);
  for (size_t i = 0; i < n; i++) {
    if (files[i].is_copy)
      continue;
    char name[128];
    pg_pbjson_snip(name, sizeof name,
                   files[i].name ? files[i].name : (uint8_t *)"",
                   files[i].name_len);
    l->file = name;
    rc = ld_file(l, files[i].p, files[i].len);
    l->file = NULL;
    if (rc != 0)
      goto done;
  }
  rc = 0;
done:
  pg_mem_free(l->j->mem, files);
  return rc;
}

int pg_pbjson_new(pg_pbjson **out, const uint8_t *fds, size_t len,
                  const pg_mem *mem, char *err, size_t err_len) {
  if (mem == NULL)
    mem = pg_mem_default();
  if (err != NULL && err_len > 0)
    err[0] = '\0';
  pg_pbjson_ld l = {.err = err, .err_len = err_len};
  l.j = pg_mem_calloc(mem, 1, sizeof *l.j);
  if (l.j == NULL)
    return pg_pbjson_ld_nomem(&l);
  l.j->mem = mem;
  pg_arena_init(&l.j->arena, mem, 16384, 16384);
  int rc = fds == NULL && len > 0 ? pg_pbjson_ld_fail(&l, "no bytes") : 0;
  if (rc == 0)
    rc = ld_files(&l, fds, len);
  if (rc == 0)
    rc = pg_pbjson_ld_finish(&l);
  pg_mem_free(mem, l.msgs.v);
  pg_mem_free(mem, l.enums.v);
  pg_mem_free(mem, l.svcs.v);
  if (rc != 0) {
    pg_pbjson_free(l.j);
    return rc;
  }
  *out = l.j;
  return 0;
}
