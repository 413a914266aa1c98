/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/protofile.c: a model's messages and service (protofile.h),
 * and their encoding as descriptor.proto's FileDescriptorSet, written by
 * hand with the field numbers of descriptor.proto.
 */
#include "protofile.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "parigot/error.h"

/* descriptor.proto's numbers. */
enum {
  FDS_FILE = 1,
  FILE_NAME = 1,
  FILE_PACKAGE = 2,
  FILE_MESSAGE = 4,
  FILE_SERVICE = 6,
  FILE_SYNTAX = 12,
  MSG_NAME = 1,
  MSG_FIELD = 2,
  MSG_ONEOF = 8,
  ONEOF_NAME = 1,
  FIELD_NAME = 1,
  FIELD_NUMBER = 3,
  FIELD_LABEL = 4,
  FIELD_TYPE = 5,
  FIELD_TYPE_NAME = 6,
  FIELD_ONEOF_INDEX = 9,
  FIELD_JSON_NAME = 10,
  FIELD_PROTO3_OPTIONAL = 17,
  SVC_NAME = 1,
  SVC_METHOD = 2,
  METHOD_NAME = 1,
  METHOD_INPUT = 2,
  METHOD_OUTPUT = 3,
  LABEL_OPTIONAL = 1,
  LABEL_REPEATED = 3,
  TYPE_DOUBLE = 1,
  TYPE_INT64 = 3,
  TYPE_UINT64 = 4,
  TYPE_BOOL = 8,
  TYPE_STRING = 9,
  TYPE_MESSAGE = 11,
  TYPE_BYTES = 12,
  TYPE_UINT32 = 13,
};

void pg_db_snake_case(const char *camel, char *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; camel[i] != '\0' && n + 2 < cap; i++) {
    char c = camel[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0)
        out[n++] = '_';
      c = (char)(c - 'A' + 'a');
    }
    out[n++] = c;
  }
  if (cap > 0)
    out[n < cap ? n : cap - 1] = '\0';
}

/* protoc's json_name: '_' dropped, the letter after it upper-cased. */
static char *json_name(pg_arena *a, const char *name) {
  size_t len = strlen(name), n = 0;
  char *out = pg_arena_alloc(a, len + 1);
  bool up = false;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (name[i] == '_') {
      up = true;
      continue;
    }
    out[n++] = up && name[i] >= 'a' && name[i] <= 'z'
                   ? (char)(name[i] - 'a' + 'A')
                   : name[i];
    up = false;
  }
  out[n] = '\0';
  return out;
}

/* The builder: the file under construction and its arena's failures. */
typedef struct builder {
  pg_db_pfile *f;
  uint32_t msg_cap, method_cap;
  bool has_failed;
} builder;

static char *fmt(builder *b, const char *a, const char *c) {
  size_t len = strlen(a) + strlen(c) + 1;
  char *s = pg_arena_alloc(&b->f->arena, len);
  if (s == NULL)
    b->has_failed = true;
  else
    snprintf(s, len, "%s%s", a, c);
  return s;
}

static pg_db_pmsg *add_msg(builder *b, const char *name, uint32_t nfields) {
  if (b->has_failed || b->f->nmsgs == b->msg_cap) {
    b->has_failed = true;
    return NULL;
  }
  pg_db_pmsg *m = &b->f->msgs[b->f->nmsgs++];
  m->name = name;
  m->fields = pg_arena_calloc(&b->f->arena, nfields + 1, sizeof *m->fields);
  if (m->fields == NULL || name == NULL)
    b->has_failed = true;
  return b->has_failed ? NULL : m;
}

static pg_db_pfield *add_field(builder *b, pg_db_pmsg *m, const char *name,
                               uint32_t number, const char *type) {
  if (m == NULL)
    return NULL;
  pg_db_pfield *fl = &m->fields[m->nfields++];
  fl->name = name;
  fl->number = number;
  fl->type = type;
  fl->json_name = json_name(&b->f->arena, name);
  if (fl->json_name == NULL)
    b->has_failed = true;
  return fl;
}

static void add_method(builder *b, const char *name, const char *input,
                       const char *output, const char *about) {
  if (b->has_failed || b->f->nmethods == b->method_cap || input == NULL ||
      output == NULL) {
    b->has_failed = true;
    return;
  }
  b->f->methods[b->f->nmethods++] = (pg_db_pmethod){name, input, output, about};
}

static void add_fields(builder *b, pg_db_pmsg *m, const pg_db_field *v,
                       uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    pg_db_pfield *fl =
        add_field(b, m, v[i].name, v[i].number, pg_db_type_name(v[i].type));
    if (fl != NULL)
      fl->is_optional = v[i].is_optional;
  }
}

static void add_tx_field(builder *b, pg_db_pmsg *m) {
  pg_db_pfield *fl = add_field(b, m, "tx", PG_DB_TX_FIELD, "uint64");
  if (fl != NULL)
    fl->about = "a transaction from Begin; 0: none";
}

/* QRequest, QResponse and QRow of one query. */
static void add_query(builder *b, const pg_db_query *q) {
  char about[512];
  const char *req = fmt(b, q->name, "Request");
  const char *resp = fmt(b, q->name, "Response");
  pg_db_pmsg *m = add_msg(b, req, q->nparams + 1);
  add_fields(b, m, q->params, q->nparams);
  add_tx_field(b, m);
  if (q->kind == PG_DB_MANY) {
    const char *row = fmt(b, q->name, "Row");
    add_fields(b, add_msg(b, row, q->ncolumns), q->columns, q->ncolumns);
    pg_db_pfield *fl = add_field(b, add_msg(b, resp, 1), "rows", 1, row);
    if (fl != NULL)
      fl->is_message = fl->is_repeated = true;
  } else if (q->kind == PG_DB_ONE) {
    add_fields(b, add_msg(b, resp, q->ncolumns), q->columns, q->ncolumns);
  } else {
    pg_db_pmsg *r = add_msg(b, resp, 1);
    if (q->kind == PG_DB_EXECROWS)
      add_field(b, r, "rows_affected", 1, "int64");
    else if (q->kind == PG_DB_EXECLASTID)
      add_field(b, r, "last_insert_id", 1, "int64");
  }
  snprintf(about, sizeof about, "%s:%u (:%s)", q->file, q->line,
           pg_db_kind_name(q->kind));
  add_method(b, q->name, req, resp,
             pg_arena_strdup(&b->f->arena, about, strlen(about)));
}

static void add_transactions(builder *b) {
  pg_db_pfield *fl =
      add_field(b, add_msg(b, "BeginRequest", 1), "timeout_ms", 1, "uint32");
  if (fl != NULL)
    fl->about = "rolled back if not ended by then; 0: the service's default";
  add_field(b, add_msg(b, "BeginResponse", 1), "tx", 1, "uint64");
  add_field(b, add_msg(b, "CommitRequest", 1), "tx", 1, "uint64");
  add_msg(b, "CommitResponse", 0);
  add_field(b, add_msg(b, "RollbackRequest", 1), "tx", 1, "uint64");
  add_msg(b, "RollbackResponse", 0);
  add_method(b, "Begin", "BeginRequest", "BeginResponse",
             "starts a transaction (BEGIN IMMEDIATE)");
  add_method(b, "Commit", "CommitRequest", "CommitResponse",
             "commits a transaction");
  add_method(b, "Rollback", "RollbackRequest", "RollbackResponse",
             "rolls a transaction back");
}

/* Batch: the queries that execute, run in order in one transaction. */
static void add_batch(builder *b, const pg_db_model *m) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < m->nqueries; i++)
    n += !pg_db_kind_has_rows(m->queries[i].kind);
  if (n == 0)
    return;
  pg_db_pmsg *step = add_msg(b, "BatchStep", n);
  if (step != NULL)
    step->oneof = "step";
  for (uint32_t i = 0, k = 0; i < m->nqueries; i++) {
    const pg_db_query *q = &m->queries[i];
    char snake[256];
    if (pg_db_kind_has_rows(q->kind))
      continue;
    pg_db_snake_case(q->name, snake, sizeof snake);
    const char *name = pg_arena_strdup(&b->f->arena, snake, strlen(snake));
    pg_db_pfield *fl =
        add_field(b, step, name, ++k, fmt(b, q->name, "Request"));
    if (fl != NULL && fl->name != NULL && fl->type != NULL)
      fl->is_message = fl->is_in_oneof = true;
    else
      b->has_failed = true;
  }
  pg_db_pmsg *req = add_msg(b, "BatchRequest", 2);
  pg_db_pfield *fl = add_field(b, req, "steps", 1, "BatchStep");
  if (fl != NULL)
    fl->is_message = fl->is_repeated = true;
  add_tx_field(b, req);
  pg_db_pmsg *res = add_msg(b, "BatchResult", 2);
  add_field(b, res, "rows_affected", 1, "int64");
  add_field(b, res, "last_insert_id", 2, "int64");
  fl =
      add_field(b, add_msg(b, "BatchResponse", 1), "results", 1, "BatchResult");
  if (fl != NULL)
    fl->is_message = fl->is_repeated = true;
  add_method(b, "Batch", "BatchRequest", "BatchResponse",
             "runs executing queries in order, all or none");
}

static int check_names(const pg_db_pfile *f, char *err, size_t err_len) {
  for (uint32_t i = 0; i < f->nmsgs; i++)
    for (uint32_t j = 0; j < i; j++)
      if (strcmp(f->msgs[i].name, f->msgs[j].name) == 0) {
        snprintf(err, err_len,
                 "two messages would be named %s: rename the query (Begin, "
                 "Commit, Rollback and Batch are the service's own)",
                 f->msgs[i].name);
        return PARIGOT_EINVAL;
      }
  for (uint32_t i = 0; i < f->nmethods; i++)
    for (uint32_t j = 0; j < i; j++)
      if (strcmp(f->methods[i].name, f->methods[j].name) == 0) {
        snprintf(err, err_len,
                 "two methods named %s: Begin, Commit, Rollback and Batch "
                 "are the service's own",
                 f->methods[i].name);
        return PARIGOT_EINVAL;
      }
  return 0;
}

int pg_db_pfile_build(const pg_db_model *m, const pg_mem *mem, pg_db_pfile *out,
                      char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  pg_arena_init(&out->arena, mem, 4096, 1u << 20);
  builder b = {
      .f = out, .msg_cap = 3 * m->nqueries + 12, .method_cap = m->nqueries + 4};
  out->name = m->proto_file;
  out->package = m->package;
  out->service = m->service;
  out->msgs = pg_arena_calloc(&out->arena, b.msg_cap, sizeof *out->msgs);
  out->methods =
      pg_arena_calloc(&out->arena, b.method_cap, sizeof *out->methods);
  b.has_failed = out->msgs == NULL || out->methods == NULL;
  for (uint32_t i = 0; i < m->nqueries && !b.has_failed; i++)
    add_query(&b, &m->queries[i]);
  if (!b.has_failed)
    add_transactions(&b);
  if (!b.has_failed)
    add_batch(&b, m);
  if (b.has_failed) {
    snprintf(err, err_len, "out of memory");
    pg_db_pfile_free(out);
    return PARIGOT_ENOMEM;
  }
  int rc = check_names(out, err, err_len);
  if (rc != 0)
    pg_db_pfile_free(out);
  return rc;
}

void pg_db_pfile_free(pg_db_pfile *f) {
  if (f->msgs != NULL || f->methods != NULL)
    pg_arena_deinit(&f->arena);
  memset(f, 0, sizeof *f);
}

static uint32_t scalar_type(const char *t) {
  static const struct {
    const char *name;
    uint32_t type;
  } types[] = {{"int64", TYPE_INT64},   {"double", TYPE_DOUBLE},
               {"string", TYPE_STRING}, {"bytes", TYPE_BYTES},
               {"bool", TYPE_BOOL},     {"uint64", TYPE_UINT64},
               {"uint32", TYPE_UINT32}};
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (strcmp(types[i].name, t) == 0)
      return types[i].type;
  return TYPE_BYTES; /* never: every type above is one of these */
}

/* A length-delimited field whose body @p body wrote into @p tmp. */
static void nest(pg_db_buf *out, uint32_t field, pg_db_buf *tmp) {
  if (tmp->error != 0)
    out->error = tmp->error;
  pg_db_buf_bytes(out, field, tmp->data, tmp->len);
  pg_db_buf_clear(tmp);
}

static void encode_type_name(const pg_db_pfile *f, uint32_t field,
                             const char *name, pg_db_buf *out) {
  pg_db_buf_tag(out, field, 2);
  pg_db_buf_varint(out, 2 + strlen(f->package) + strlen(name));
  pg_db_buf_add(out, ".", 1);
  pg_db_buf_add(out, f->package, strlen(f->package));
  pg_db_buf_add(out, ".", 1);
  pg_db_buf_add(out, name, strlen(name));
}

static void encode_field(const pg_db_pfile *f, const pg_db_pfield *fl,
                         int32_t oneof, pg_db_buf *out) {
  pg_db_buf_string(out, FIELD_NAME, fl->name);
  pg_db_buf_uint(out, FIELD_NUMBER, fl->number);
  pg_db_buf_uint(out, FIELD_LABEL,
                 fl->is_repeated ? LABEL_REPEATED : LABEL_OPTIONAL);
  pg_db_buf_uint(out, FIELD_TYPE,
                 fl->is_message ? TYPE_MESSAGE : scalar_type(fl->type));
  if (fl->is_message)
    encode_type_name(f, FIELD_TYPE_NAME, fl->type, out);
  if (oneof >= 0)
    pg_db_buf_uint(out, FIELD_ONEOF_INDEX, (uint64_t)oneof);
  pg_db_buf_string(out, FIELD_JSON_NAME, fl->json_name);
  if (fl->is_optional)
    pg_db_buf_uint(out, FIELD_PROTO3_OPTIONAL, 1);
}

/* A message: its fields, then its oneofs: the real one first, then one
 * synthetic "_name" per proto3 optional field, as protoc orders them. */
static void encode_msg(const pg_db_pfile *f, const pg_db_pmsg *m,
                       pg_db_buf *out, pg_db_buf *tmp) {
  int32_t next = m->oneof != NULL ? 1 : 0;
  pg_db_buf_string(out, MSG_NAME, m->name);
  for (uint32_t i = 0; i < m->nfields; i++) {
    const pg_db_pfield *fl = &m->fields[i];
    int32_t oneof = fl->is_in_oneof ? 0 : fl->is_optional ? next++ : -1;
    encode_field(f, fl, oneof, tmp);
    nest(out, MSG_FIELD, tmp);
  }
  if (m->oneof != NULL) {
    pg_db_buf_string(tmp, ONEOF_NAME, m->oneof);
    nest(out, MSG_ONEOF, tmp);
  }
  for (uint32_t i = 0; i < m->nfields; i++) {
    if (!m->fields[i].is_optional)
      continue;
    pg_db_buf_tag(tmp, ONEOF_NAME, 2);
    pg_db_buf_varint(tmp, 1 + strlen(m->fields[i].name));
    pg_db_buf_add(tmp, "_", 1);
    pg_db_buf_add(tmp, m->fields[i].name, strlen(m->fields[i].name));
    nest(out, MSG_ONEOF, tmp);
  }
}

static void encode_service(const pg_db_pfile *f, pg_db_buf *out,
                           pg_db_buf *tmp) {
  pg_db_buf_string(out, SVC_NAME, f->service);
  for (uint32_t i = 0; i < f->nmethods; i++) {
    pg_db_buf_string(tmp, METHOD_NAME, f->methods[i].name);
    encode_type_name(f, METHOD_INPUT, f->methods[i].input, tmp);
    encode_type_name(f, METHOD_OUTPUT, f->methods[i].output, tmp);
    nest(out, SVC_METHOD, tmp);
  }
}

int pg_db_pfile_encode(const pg_db_pfile *f, const pg_mem *mem, uint8_t **out,
                       size_t *len) {
  pg_db_buf file, part, tmp, set;
  pg_db_buf_init(&file, mem, SIZE_MAX / 4);
  pg_db_buf_init(&part, mem, SIZE_MAX / 4);
  pg_db_buf_init(&tmp, mem, SIZE_MAX / 4);
  pg_db_buf_init(&set, mem, SIZE_MAX / 4);
  pg_db_buf_string(&file, FILE_NAME, f->name);
  pg_db_buf_string(&file, FILE_PACKAGE, f->package);
  for (uint32_t i = 0; i < f->nmsgs; i++) {
    encode_msg(f, &f->msgs[i], &part, &tmp);
    nest(&file, FILE_MESSAGE, &part);
  }
  encode_service(f, &part, &tmp);
  nest(&file, FILE_SERVICE, &part);
  pg_db_buf_string(&file, FILE_SYNTAX, "proto3");
  nest(&set, FDS_FILE, &file);
  int rc = set.error;
  pg_db_buf_free(&file);
  pg_db_buf_free(&part);
  pg_db_buf_free(&tmp);
  if (rc != 0) {
    pg_db_buf_free(&set);
    return PARIGOT_ENOMEM;
  }
  *out = set.data;
  *len = set.len;
  return 0;
}
