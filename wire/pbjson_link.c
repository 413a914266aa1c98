/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_link.c: the last step of pg_pbjson_new: sorts the
 * descriptions read by pbjson_load.c into the tables lookups search,
 * resolves every field's and method's type name, indexes each message's
 * fields by number and by both names, marks map fields, and checks that
 * map entries and well-known types have the shape their JSON form needs.
 *
 * Writes only the pg_pbjson being built. Calls pbjson.c (arena, sort,
 * lookups). Any thread, one call at a time per set.
 */
#include "pbjson_int.h"

#include <string.h>

#include "parigot/error.h"

static int cmp_msg(const void *a, const void *b) {
  return strcmp((*(pg_pbjson_msg *const *)a)->full_name,
                (*(pg_pbjson_msg *const *)b)->full_name);
}

static int cmp_enum(const void *a, const void *b) {
  return strcmp((*(pg_pbjson_enum *const *)a)->full_name,
                (*(pg_pbjson_enum *const *)b)->full_name);
}

static int cmp_svc(const void *a, const void *b) {
  return strcmp((*(pg_pbjson_svc *const *)a)->full_name,
                (*(pg_pbjson_svc *const *)b)->full_name);
}

static int cmp_field_number(const void *a, const void *b) {
  const pg_pbjson_field *x = a, *y = b;
  return (x->number > y->number) - (x->number < y->number);
}

/* By name; for a name that is one field's json_name and another's proto
 * name, the json_name first (json_format looks json names up first). */
static int cmp_nameix(const void *a, const void *b) {
  const pg_pbjson_nameix *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c == 0)
    c = (int)y->is_json - (int)x->is_json;
  return c ? c : (x->field > y->field) - (x->field < y->field);
}

/* Sorts by name; the values array is in declaration order, so pointer
 * order breaks ties by declaration. */
static int cmp_enum_name(const void *a, const void *b) {
  return strcmp((*(const pg_pbjson_enumval *const *)a)->name,
                (*(const pg_pbjson_enumval *const *)b)->name);
}

static int cmp_enum_number(const void *a, const void *b) {
  const pg_pbjson_enumval *x = *(const pg_pbjson_enumval *const *)a;
  const pg_pbjson_enumval *y = *(const pg_pbjson_enumval *const *)b;
  if (x->number != y->number)
    return x->number < y->number ? -1 : 1;
  return (x > y) - (x < y);
}

static int ld_index_enum(pg_pbjson_ld *l, pg_pbjson_enum *e) {
  for (size_t i = 0; i < e->nvalues; i++)
    e->by_name[i] = e->by_number[i] = &e->values[i];
  pg_pbjson_sort(e->by_name, e->nvalues, sizeof(void *), cmp_enum_name);
  pg_pbjson_sort(e->by_number, e->nvalues, sizeof(void *), cmp_enum_number);
  size_t twice =
      pg_pbjson_repeated_name(e->by_name, e->nvalues, pg_pbjson_value_name_at);
  if (twice != 0)
    return pg_pbjson_ld_fail(l, "enum %s: value %s defined twice", e->full_name,
                             e->by_name[twice]->name);
  e->is_null = strcmp(e->full_name, "google.protobuf.NullValue") == 0;
  return 0;
}

/* Resolves a field's type name (".pkg.Type") to its description. */
static int ld_resolve(pg_pbjson_ld *l, const pg_pbjson_msg *m,
                      pg_pbjson_field *fd) {
  if (fd->type != TY_MESSAGE && fd->type != TY_GROUP && fd->type != TY_ENUM)
    return 0;
  const char *t = fd->type_name;
  if (t[0] != '.')
    return pg_pbjson_ld_fail(
        l, "field %s.%s: type name \"%s\" is not fully qualified", m->full_name,
        fd->name, t);
  size_t n = strlen(t + 1);
  if (fd->type == TY_ENUM)
    fd->en = pg_pbjson_find_enum(l->j, (const uint8_t *)t + 1, n);
  else
    fd->msg = pg_pbjson_find_msg(l->j, (const uint8_t *)t + 1, n);
  if (fd->en == NULL && fd->msg == NULL)
    return pg_pbjson_ld_fail(l, "field %s.%s: unknown type \"%s\"",
                             m->full_name, fd->name, t);
  return 0;
}

/* A map entry must be {key = 1; value = 2;} with a key of integral, bool or
 * string type (the rules protoc enforces, checked again here). */
static bool is_valid_map_entry(const pg_pbjson_msg *e) {
  if (e->nfields != 2 || e->fields[0].number != 1 || e->fields[1].number != 2)
    return false;
  const pg_pbjson_field *k = &e->fields[0], *v = &e->fields[1];
  if (k->label == LB_REPEATED || v->label == LB_REPEATED)
    return false;
  switch (k->type) {
  case TY_DOUBLE:
  case TY_FLOAT:
  case TY_BYTES:
  case TY_MESSAGE:
  case TY_GROUP:
  case TY_ENUM:
    return false;
  default:
    return v->type != TY_GROUP;
  }
}

/* The shape each well-known type must have: field numbers, types, labels
 * and, for messages and enums, the type's name. */
typedef struct wktfield {
  uint32_t number;
  uint8_t type, label;
  const char *type_name;
} wktfield;

typedef struct wktshape {
  const char *name;
  uint8_t wkt;
  uint8_t nfields;
  wktfield fields[6];
} wktshape;

#define SCALAR_WRAPPER(n, ty)                                                  \
  {                                                                            \
    "google.protobuf." n, WKT_WRAPPER, 1, {                                    \
      { 1, ty, LB_OPTIONAL, NULL }                                             \
    }                                                                          \
  }

static const wktshape wkt_shapes[] = {
    {"google.protobuf.Any",
     WKT_ANY,
     2,
     {{1, TY_STRING, LB_OPTIONAL, NULL}, {2, TY_BYTES, LB_OPTIONAL, NULL}}},
    {"google.protobuf.Timestamp",
     WKT_TIMESTAMP,
     2,
     {{1, TY_INT64, LB_OPTIONAL, NULL}, {2, TY_INT32, LB_OPTIONAL, NULL}}},
    {"google.protobuf.Duration",
     WKT_DURATION,
     2,
     {{1, TY_INT64, LB_OPTIONAL, NULL}, {2, TY_INT32, LB_OPTIONAL, NULL}}},
    {"google.protobuf.FieldMask",
     WKT_FIELDMASK,
     1,
     {{1, TY_STRING, LB_REPEATED, NULL}}},
    {"google.protobuf.Struct",
     WKT_STRUCT,
     1,
     {{1, TY_MESSAGE, LB_REPEATED, "google.protobuf.Struct.FieldsEntry"}}},
    {"google.protobuf.Value",
     WKT_VALUE,
     6,
     {{1, TY_ENUM, LB_OPTIONAL, "google.protobuf.NullValue"},
      {2, TY_DOUBLE, LB_OPTIONAL, NULL},
      {3, TY_STRING, LB_OPTIONAL, NULL},
      {4, TY_BOOL, LB_OPTIONAL, NULL},
      {5, TY_MESSAGE, LB_OPTIONAL, "google.protobuf.Struct"},
      {6, TY_MESSAGE, LB_OPTIONAL, "google.protobuf.ListValue"}}},
    {"google.protobuf.ListValue",
     WKT_LIST,
     1,
     {{1, TY_MESSAGE, LB_REPEATED, "google.protobuf.Value"}}},
    SCALAR_WRAPPER("DoubleValue", TY_DOUBLE),
    SCALAR_WRAPPER("FloatValue", TY_FLOAT),
    SCALAR_WRAPPER("Int64Value", TY_INT64),
    SCALAR_WRAPPER("UInt64Value", TY_UINT64),
    SCALAR_WRAPPER("Int32Value", TY_INT32),
    SCALAR_WRAPPER("UInt32Value", TY_UINT32),
    SCALAR_WRAPPER("BoolValue", TY_BOOL),
    SCALAR_WRAPPER("StringValue", TY_STRING),
    SCALAR_WRAPPER("BytesValue", TY_BYTES),
};

static int ld_wkt(pg_pbjson_ld *l, pg_pbjson_msg *m) {
  for (size_t i = 0; i < sizeof wkt_shapes / sizeof wkt_shapes[0]; i++) {
    const wktshape *w = &wkt_shapes[i];
    if (strcmp(m->full_name, w->name) != 0)
      continue;
    bool ok = m->nfields == w->nfields;
    for (size_t k = 0; ok && k < w->nfields; k++) {
      const pg_pbjson_field *f = &m->fields[k];
      const wktfield *e = &w->fields[k];
      ok = f->number == e->number && f->type == e->type && f->label == e->label;
      if (ok && e->type_name != NULL)
        ok = strcmp(f->msg ? f->msg->full_name : f->en->full_name,
                    e->type_name) == 0;
      if (ok && w->wkt == WKT_VALUE)
        ok = f->oneof == 0;
    }
    if (ok && w->wkt == WKT_STRUCT)
      ok = m->fields[0].is_map &&
           m->fields[0].msg->fields[0].type == TY_STRING &&
           m->fields[0].msg->fields[1].type == TY_MESSAGE &&
           strcmp(m->fields[0].msg->fields[1].msg->full_name,
                  "google.protobuf.Value") == 0;
    if (!ok)
      return pg_pbjson_ld_fail(l, "well-known type %s has an unexpected shape",
                               m->full_name);
    m->wkt = w->wkt;
  }
  return 0;
}

static int ld_index_message(pg_pbjson_ld *l, pg_pbjson_msg *m) {
  int rc;
  for (size_t i = 0; i < m->nfields; i++)
    if ((rc = ld_resolve(l, m, &m->fields[i])) != 0)
      return rc;
  pg_pbjson_sort(m->fields, m->nfields, sizeof(pg_pbjson_field),
                 cmp_field_number);
  for (size_t i = 1; i < m->nfields; i++)
    if (m->fields[i].number == m->fields[i - 1].number)
      return pg_pbjson_ld_fail(l, "%s: field number %u used twice",
                               m->full_name, m->fields[i].number);
  m->names = pg_pbjson_arena_alloc(l->j, (2 * m->nfields + 1) *
                                             sizeof(pg_pbjson_nameix));
  if (m->names == NULL)
    return pg_pbjson_ld_nomem(l);
  for (size_t i = 0; i < m->nfields; i++) {
    const pg_pbjson_field *f = &m->fields[i];
    m->names[m->nnames++] = (pg_pbjson_nameix){f->json_name, (uint32_t)i, true};
    if (strcmp(f->name, f->json_name) != 0)
      m->names[m->nnames++] = (pg_pbjson_nameix){f->name, (uint32_t)i, false};
  }
  pg_pbjson_sort(m->names, m->nnames, sizeof(pg_pbjson_nameix), cmp_nameix);
  /* Two fields with one json_name would make JSON ambiguous (protoc
   * refuses such a .proto); a proto name shadowed by a json_name is
   * dropped. */
  size_t k = 0;
  for (size_t i = 0; i < m->nnames; i++) {
    if (k > 0 && strcmp(m->names[i].name, m->names[k - 1].name) == 0) {
      if (m->names[i].is_json)
        return pg_pbjson_ld_fail(l, "%s: two fields have the JSON name \"%s\"",
                                 m->full_name, m->names[i].name);
      continue;
    }
    m->names[k++] = m->names[i];
  }
  m->nnames = k;
  return 0;
}

/* Marks @p m's map fields, whose entries must have the shape of one. */
static int ld_mark_maps(pg_pbjson_ld *l, pg_pbjson_msg *m) {
  for (size_t k = 0; k < m->nfields; k++) {
    pg_pbjson_field *f = &m->fields[k];
    if (f->type != TY_MESSAGE || f->label != LB_REPEATED ||
        !f->msg->is_map_entry)
      continue;
    if (!is_valid_map_entry(f->msg))
      return pg_pbjson_ld_fail(l,
                               "%s: map entry %s is not {key = 1; value = 2;}",
                               m->full_name, f->msg->full_name);
    f->is_map = true;
  }
  return 0;
}

int pg_pbjson_ld_finish(pg_pbjson_ld *l) {
  pg_pbjson *j = l->j;
  int rc;
  j->msgs = (pg_pbjson_msg **)l->msgs.v;
  j->nmsgs = l->msgs.n;
  j->enums = (pg_pbjson_enum **)l->enums.v;
  j->nenums = l->enums.n;
  j->svcs = (pg_pbjson_svc **)l->svcs.v;
  j->nsvcs = l->svcs.n;
  l->msgs.v = l->enums.v = l->svcs.v = NULL;
  const struct {
    void *v;
    size_t n;
    int (*cmp)(const void *, const void *);
    pg_pbjson_name_at_fn *name_at;
    const char *kind; /* for the message */
  } tables[] = {
      {j->msgs, j->nmsgs, cmp_msg, pg_pbjson_msg_name_at, "type"},
      {j->enums, j->nenums, cmp_enum, pg_pbjson_enum_name_at, "enum"},
      {j->svcs, j->nsvcs, cmp_svc, pg_pbjson_svc_name_at, "service"},
  };
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
    pg_pbjson_sort(tables[t].v, tables[t].n, sizeof(void *), tables[t].cmp);
    size_t twice =
        pg_pbjson_repeated_name(tables[t].v, tables[t].n, tables[t].name_at);
    if (twice != 0)
      return pg_pbjson_ld_fail(l, "%s %s defined twice", tables[t].kind,
                               tables[t].name_at(tables[t].v, twice));
  }
  for (size_t i = 0; i < j->nenums; i++) {
    const char *name = j->enums[i]->full_name;
    if (pg_pbjson_find_msg(j, (const uint8_t *)name, strlen(name)) != NULL)
      return pg_pbjson_ld_fail(l, "%s is both a message and an enum", name);
    if ((rc = ld_index_enum(l, j->enums[i])) != 0)
      return rc;
  }
  /* Each step sees every message before the next begins: a map entry is
   * checked once its fields are sorted, and Struct's shape once its map is
   * marked. */
  static int (*const steps[])(pg_pbjson_ld *, pg_pbjson_msg *) = {
      ld_index_message, ld_mark_maps, ld_wkt};
  for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
    for (size_t i = 0; i < j->nmsgs; i++)
      if ((rc = steps[s](l, j->msgs[i])) != 0)
        return rc;
  for (size_t i = 0; i < j->nsvcs; i++) {
    pg_pbjson_svc *s = j->svcs[i];
    for (size_t k = 0; k < s->nmethods; k++) {
      pg_pbjson_methoddesc *md = &s->methods[k];
      const char **types[2] = {&md->input, &md->output};
      for (int t = 0; t < 2; t++) {
        const char *name = *types[t];
        const pg_pbjson_msg *m =
            name[0] == '.' ? pg_pbjson_find_msg(j, (const uint8_t *)name + 1,
                                                strlen(name + 1))
                           : NULL;
        if (m == NULL)
          return pg_pbjson_ld_fail(l, "method %s.%s: unknown type \"%s\"",
                                   s->full_name, md->name, name);
        *types[t] = m->full_name;
      }
    }
  }
  return 0;
}
