/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/db/query_table.c: the query table's TOML, read and written
 * (query_table.h). Reading trusts nothing in the file: every name,
 * number, type and slot is checked, and an error names its line.
 */
#include "query_table.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "parigot/error.h"
#include "toml.h"

typedef struct reader {
  const char *path;
  pg_db_model *m;
  char *err;
  size_t err_len;
} reader;

__attribute__((format(printf, 4, 5))) static int
fail(reader *r, int code, const pg_toml_value *at, const char *fmt, ...) {
  int line = pg_toml_value_pos(at).line;
  int n = line > 0 ? snprintf(r->err, r->err_len, "%s:%d: ", r->path, line)
                   : snprintf(r->err, r->err_len, "%s: ", r->path);
  va_list ap;
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < r->err_len)
    vsnprintf(r->err + n, r->err_len - (size_t)n, fmt, ap);
  va_end(ap);
  return code;
}

static bool is_ident(const char *s, bool may_dot) {
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return false;
  for (size_t i = 1; s[i] != '\0'; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
          (may_dot && s[i] == '.' && s[i - 1] != '.')))
      return false;
  return strlen(s) <= 255;
}

/* A string key of table @p t, copied into the model; NULL on failure. */
static const char *get_str(reader *r, const pg_toml_value *t, const char *key,
                           int *rc) {
  const pg_toml_value *v = pg_toml_table_get(t, key);
  const char *s;
  size_t len;
  if (v == NULL) {
    *rc = fail(r, PARIGOT_EINVAL, t, "missing %s", key);
    return NULL;
  }
  if (pg_toml_value_string(v, &s, &len) != 0 || strlen(s) != len) {
    *rc = fail(r, PARIGOT_EINVAL, v, "%s: expected a string", key);
    return NULL;
  }
  char *copy = pg_arena_strdup(&r->m->arena, s, len);
  if (copy == NULL)
    *rc = fail(r, PARIGOT_ENOMEM, NULL, "out of memory");
  return copy;
}

static int get_uint(reader *r, const pg_toml_value *t, const char *key,
                    uint32_t min, uint32_t max, uint32_t *out) {
  const pg_toml_value *v = pg_toml_table_get(t, key);
  int64_t n;
  if (v == NULL)
    return fail(r, PARIGOT_EINVAL, t, "missing %s", key);
  if (pg_toml_value_int(v, &n) != 0 || n < min || n > max)
    return fail(r, PARIGOT_EINVAL, v, "%s: expected an integer from %u to %u",
                key, min, max);
  *out = (uint32_t)n;
  return 0;
}

static int get_type(reader *r, const pg_toml_value *t, pg_db_type *out) {
  int rc = 0;
  const char *s = get_str(r, t, "type", &rc);
  for (int i = 0; s != NULL && i < PG_DB_NTYPES; i++)
    if (strcmp(s, pg_db_type_name((pg_db_type)i)) == 0) {
      *out = (pg_db_type)i;
      return 0;
    }
  return rc != 0 ? rc
                 : fail(r, PARIGOT_EINVAL, pg_toml_table_get(t, "type"),
                        "type: expected int64, double, string, bytes or bool");
}

/* params or columns: fields numbered 1..n in order, names unique. */
static int get_fields(reader *r, const pg_toml_value *q, const char *key,
                      uint32_t max_slot, pg_db_field **out, uint32_t *n) {
  const pg_toml_value *arr = pg_toml_table_get(q, key);
  *n = 0;
  if (arr == NULL)
    return 0;
  size_t len = pg_toml_array_len(arr);
  if (pg_toml_value_kind(arr) != PG_TOML_ARRAY || len > PG_DB_MAX_FIELDS)
    return fail(r, PARIGOT_EINVAL, arr,
                "%s: expected an array of at most %u "
                "tables",
                key, PG_DB_MAX_FIELDS);
  if ((*out = pg_arena_calloc(&r->m->arena, len + 1, sizeof **out)) == NULL)
    return fail(r, PARIGOT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < len; i++) {
    const pg_toml_value *t = pg_toml_array_at(arr, i);
    pg_db_field *f = &(*out)[i];
    const pg_toml_value *opt = pg_toml_table_get(t, "optional");
    int rc = 0;
    if (pg_toml_value_kind(t) != PG_TOML_TABLE)
      return fail(r, PARIGOT_EINVAL, t, "%s: expected tables", key);
    if ((f->name = get_str(r, t, "name", &rc)) == NULL)
      return rc;
    if (!is_ident(f->name, false) || strcmp(f->name, "tx") == 0)
      return fail(r, PARIGOT_EINVAL, t, "%s: bad field name \"%s\"", key,
                  f->name);
    for (size_t j = 0; j < i; j++)
      if (strcmp((*out)[j].name, f->name) == 0)
        return fail(r, PARIGOT_EINVAL, t, "%s: %s appears twice", key, f->name);
    if ((rc = get_uint(r, t, "number", (uint32_t)i + 1, (uint32_t)i + 1,
                       &f->number)) != 0 ||
        (rc = get_uint(r, t, "slot", 0, max_slot, &f->sql_slot)) != 0 ||
        (rc = get_type(r, t, &f->type)) != 0)
      return rc;
    if (opt != NULL && pg_toml_value_bool(opt, &f->is_optional) != 0)
      return fail(r, PARIGOT_EINVAL, opt, "optional: expected a boolean");
  }
  *n = (uint32_t)len;
  return 0;
}

static int get_kind(reader *r, const pg_toml_value *q, pg_db_kind *out) {
  int rc = 0;
  const char *s = get_str(r, q, "kind", &rc);
  for (int i = 0; s != NULL && i < PG_DB_NKINDS; i++)
    if (strcmp(s, pg_db_kind_name((pg_db_kind)i)) == 0) {
      *out = (pg_db_kind)i;
      return 0;
    }
  return rc != 0 ? rc
                 : fail(r, PARIGOT_EINVAL, pg_toml_table_get(q, "kind"),
                        "kind: expected one, many, exec, execrows or "
                        "execlastid");
}

static int get_query(reader *r, const pg_toml_value *t, pg_db_query *q) {
  int rc = 0;
  if (pg_toml_value_kind(t) != PG_TOML_TABLE)
    return fail(r, PARIGOT_EINVAL, t, "query: expected [[query]] tables");
  if ((q->name = get_str(r, t, "name", &rc)) == NULL ||
      (q->sql = get_str(r, t, "sql", &rc)) == NULL ||
      (q->file = get_str(r, t, "file", &rc)) == NULL)
    return rc;
  if (!is_ident(q->name, false) || q->name[0] < 'A' || q->name[0] > 'Z')
    return fail(r, PARIGOT_EINVAL, t, "name: \"%s\" is not a CamelCase name",
                q->name);
  if ((rc = get_kind(r, t, &q->kind)) != 0 ||
      (rc = get_uint(r, t, "line", 1, UINT32_MAX >> 1, &q->line)) != 0 ||
      (rc = get_fields(r, t, "params", PG_DB_MAX_FIELDS, &q->params,
                       &q->nparams)) != 0 ||
      (rc = get_fields(r, t, "columns", PG_DB_MAX_FIELDS - 1, &q->columns,
                       &q->ncolumns)) != 0)
    return rc;
  for (uint32_t i = 0; i < q->nparams; i++)
    if (q->params[i].sql_slot == 0)
      return fail(r, PARIGOT_EINVAL, t, "params: slots start at 1");
  if (!pg_db_kind_has_rows(q->kind) && q->ncolumns > 0)
    return fail(r, PARIGOT_EINVAL, t, "a :%s query answers no columns",
                pg_db_kind_name(q->kind));
  return 0;
}

static int get_model(reader *r, const pg_toml_value *root) {
  int rc = 0;
  pg_db_model *m = r->m;
  if ((m->package = get_str(r, root, "package", &rc)) == NULL ||
      (m->service = get_str(r, root, "service", &rc)) == NULL ||
      (m->proto_file = get_str(r, root, "proto", &rc)) == NULL)
    return rc;
  if (!is_ident(m->package, true) || !is_ident(m->service, false))
    return fail(r, PARIGOT_EINVAL, root, "bad package or service name");
  const pg_toml_value *qs = pg_toml_table_get(root, "query");
  size_t n = pg_toml_array_len(qs);
  if (n > PG_DB_MAX_QUERIES)
    return fail(r, PARIGOT_EINVAL, qs, "more than %u queries",
                PG_DB_MAX_QUERIES);
  if ((m->queries = pg_arena_calloc(&m->arena, n + 1, sizeof *m->queries)) ==
      NULL)
    return fail(r, PARIGOT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < n; i++) {
    if ((rc = get_query(r, pg_toml_array_at(qs, i), &m->queries[i])) != 0)
      return rc;
    for (size_t j = 0; j < i; j++)
      if (strcmp(m->queries[j].name, m->queries[i].name) == 0)
        return fail(r, PARIGOT_EINVAL, pg_toml_array_at(qs, i),
                    "query %s appears twice", m->queries[i].name);
    m->nqueries++;
  }
  return 0;
}

static int read_file(const char *path, const pg_mem *mem, char **buf,
                     size_t *len, char *err, size_t err_len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_EIO;
  }
  *buf = pg_mem_malloc(mem, PG_DB_MAX_TABLE_BYTES + 1);
  *len = *buf != NULL ? fread(*buf, 1, PG_DB_MAX_TABLE_BYTES + 1, f) : 0;
  int rc = *buf == NULL ? PARIGOT_ENOMEM : ferror(f) ? PARIGOT_EIO : 0;
  fclose(f);
  if (rc == 0 && *len > PG_DB_MAX_TABLE_BYTES)
    rc = PARIGOT_EINVAL;
  if (rc != 0) {
    snprintf(err, err_len, "%s: %s", path,
             rc == PARIGOT_EINVAL ? "larger than 16 MiB"
                                  : parigot_strerror(rc));
    pg_mem_free(mem, *buf);
  }
  return rc;
}

int pg_db_query_table_load(const char *path, const pg_mem *mem,
                           pg_db_model *out, char *err, size_t err_len) {
  char *buf;
  size_t len;
  pg_toml_doc *doc;
  pg_toml_error terr;
  memset(out, 0, sizeof *out);
  int rc = read_file(path, mem, &buf, &len, err, err_len);
  if (rc != 0)
    return rc;
  rc = pg_toml_parse(buf, len, mem, &doc, &terr);
  pg_mem_free(mem, buf);
  if (rc != 0) {
    snprintf(err, err_len, "%s:%d: %s", path, terr.line, terr.msg);
    return rc;
  }
  pg_arena_init(&out->arena, mem, 8192, 1u << 20);
  reader r = {path, out, err, err_len};
  rc = get_model(&r, pg_toml_doc_root(doc));
  pg_toml_free(doc);
  if (rc != 0)
    pg_db_model_free(out);
  return rc;
}

/* ---- writing ------------------------------------------------------------ */

static void put_fields(FILE *out, const char *key, const pg_db_field *f,
                       uint32_t n) {
  if (n == 0)
    return;
  fprintf(out, "%s = [\n", key);
  for (uint32_t i = 0; i < n; i++) {
    fputs("  { name = ", out);
    pg_toml_write_string(out, f[i].name);
    fprintf(out, ", number = %u, type = \"%s\", slot = %u%s },\n", f[i].number,
            pg_db_type_name(f[i].type), f[i].sql_slot,
            f[i].is_optional ? ", optional = true" : "");
  }
  fputs("]\n", out);
}

int pg_db_query_table_write(const pg_db_model *m, FILE *out) {
  fputs("# Written by parigot-sqlc; do not edit.\npackage = ", out);
  pg_toml_write_string(out, m->package);
  fputs("\nservice = ", out);
  pg_toml_write_string(out, m->service);
  fputs("\nproto = ", out);
  pg_toml_write_string(out, m->proto_file);
  fputc('\n', out);
  for (uint32_t i = 0; i < m->nqueries; i++) {
    const pg_db_query *q = &m->queries[i];
    fputs("\n[[query]]\nname = ", out);
    pg_toml_write_string(out, q->name);
    fprintf(out, "\nkind = \"%s\"\nfile = ", pg_db_kind_name(q->kind));
    pg_toml_write_string(out, q->file);
    fprintf(out, "\nline = %u\nsql = ", q->line);
    pg_toml_write_string(out, q->sql);
    fputc('\n', out);
    put_fields(out, "params", q->params, q->nparams);
    put_fields(out, "columns", q->columns, q->ncolumns);
  }
  return fflush(out) == 0 && !ferror(out) ? 0 : PARIGOT_EIO;
}
