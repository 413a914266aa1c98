/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson.c: the basics the JSON transcoder's files share: the
 * arena every description lives in (util/arena.h's), growing output
 * buffers, the field path and message of a failed conversion, and the
 * lookups by name and number over a built pg_pbjson.
 *
 * Owns the pg_pbjson's memory (pg_pbjson_free) and answers
 * pg_pbjson_method. Calls libc, util/ and the pg_mem it is given. Lookups
 * read a built pg_pbjson, which is never written again: any thread.
 */
#include "pbjson.h"
#include "pbjson_int.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/error.h"
#include "utf8.h"

/* qsort, which may not be given NULL even for no elements. */
void pg_pbjson_sort(void *base, size_t n, size_t size,
                    int (*cmp)(const void *, const void *)) {
  if (n > 1)
    qsort(base, n, size, cmp);
}

void *pg_pbjson_arena_alloc(pg_pbjson *j, size_t n) {
  return pg_arena_calloc(&j->arena, 1, n);
}

/* An array of @p n elements in the arena; at least one, so that no
 * description's array is NULL. */
void *pg_pbjson_arena_array(pg_pbjson *j, size_t n, size_t size) {
  return pg_pbjson_arena_alloc(j, (n ? n : 1) * size);
}

/* Makes room for @p n more bytes (plus a NUL) in @p b. */
int pg_pbjson_buf_reserve(pg_pbjson_buf *b, size_t n) {
  if (n >= SIZE_MAX / 2 - b->len)
    return PARIGOT_ENOMEM;
  if (b->len + n + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + n + 1)
    cap *= 2;
  uint8_t *p = pg_mem_realloc(b->mem, b->data, cap);
  if (p == NULL)
    return PARIGOT_ENOMEM;
  b->data = p;
  b->cap = cap;
  return 0;
}

int pg_pbjson_buf_add(pg_pbjson_buf *b, const void *p, size_t n) {
  int rc = pg_pbjson_buf_reserve(b, n);
  if (rc == 0 && n > 0) {
    memcpy(b->data + b->len, p, n);
    b->len += n;
  }
  return rc;
}

void pg_pbjson_buf_free(pg_pbjson_buf *b) {
  if (b == NULL)
    return;
  if (b->data != NULL)
    pg_mem_free(b->mem, b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static size_t path_add(pg_pbjson_path *pt, const char *fmt, ...) {
  size_t saved = pt->len;
  char tmp[sizeof pt->buf];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k > 0) {
    size_t room = sizeof pt->buf - 1 - pt->len;
    size_t m = (size_t)k < room ? (size_t)k : room;
    memcpy(pt->buf + pt->len, tmp, m);
    pt->len += m;
    pt->buf[pt->len] = '\0';
  }
  return saved;
}

size_t pg_pbjson_path_name(pg_pbjson_path *pt, const char *name) {
  return path_add(pt, pt->len ? ".%.64s" : "%.64s", name);
}

size_t pg_pbjson_path_index(pg_pbjson_path *pt, size_t i) {
  return path_add(pt, "[%zu]", i);
}

void pg_pbjson_path_pop(pg_pbjson_path *pt, size_t saved) {
  pt->len = saved;
  pt->buf[saved] = '\0';
}

/* Writes "field \"PATH\": WHAT" (or WHAT alone at the top) into the
 * caller's buffer, and returns @p code. */
int pg_pbjson_rep_fail(pg_pbjson_report *r, int code, const char *fmt, ...) {
  if (r->err == NULL || r->err_len == 0)
    return code;
  char what[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (r->pt.len > 0)
    snprintf(r->err, r->err_len, "field \"%s%s\": %s", r->pt.buf,
             r->pt.len + 1 >= sizeof r->pt.buf ? "..." : "", what);
  else
    snprintf(r->err, r->err_len, "%s", what);
  return code;
}

/* Copies up to 40 bytes of @p s into @p dst for a message: control
 * characters become '?', and a cut never splits a UTF-8 sequence. */
void pg_pbjson_snip(char *dst, size_t dst_len, const uint8_t *s, size_t n) {
  size_t max = dst_len - 4, k = 0, i = 0;
  if (max > 40)
    max = 40;
  bool cut = n > max;
  n = pg_utf8_prefix(s, n, max);
  for (; i < n; i++)
    dst[k++] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
  if (cut) {
    memcpy(dst + k, "...", 3);
    k += 3;
  }
  dst[k] = '\0';
}

size_t pg_pbjson_path_key(pg_pbjson_path *pt, const uint8_t *key, size_t n) {
  char tmp[64];
  pg_pbjson_snip(tmp, sizeof tmp, key, n);
  return path_add(pt, "[%s]", tmp);
}

/* Compares bytes with a NUL-terminated string, as strcmp would. */
static int cmp_name(const uint8_t *p, size_t n, const char *s) {
  size_t sn = strlen(s);
  int c = memcmp(p, s, n < sn ? n : sn);
  if (c != 0)
    return c;
  return n < sn ? -1 : n > sn;
}

const char *pg_pbjson_msg_name_at(const void *table, size_t i) {
  return ((pg_pbjson_msg *const *)table)[i]->full_name;
}

const char *pg_pbjson_enum_name_at(const void *table, size_t i) {
  return ((pg_pbjson_enum *const *)table)[i]->full_name;
}

const char *pg_pbjson_svc_name_at(const void *table, size_t i) {
  return ((pg_pbjson_svc *const *)table)[i]->full_name;
}

const char *pg_pbjson_value_name_at(const void *table, size_t i) {
  return ((const pg_pbjson_enumval *const *)table)[i]->name;
}

static const char *nameix_name_at(const void *table, size_t i) {
  return ((const pg_pbjson_nameix *)table)[i].name;
}

/* Binary search of a table of @p count entries sorted by name: the index
 * of the entry called @p name, or -1. */
static long search_name(const void *table, size_t count,
                        pg_pbjson_name_at_fn *name_at, const uint8_t *name,
                        size_t n) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_name(name, n, name_at(table, mid));
    if (c == 0)
      return (long)mid;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -1;
}

const pg_pbjson_msg *pg_pbjson_find_msg(const pg_pbjson *j, const uint8_t *name,
                                        size_t n) {
  long i = search_name(j->msgs, j->nmsgs, pg_pbjson_msg_name_at, name, n);
  return i < 0 ? NULL : j->msgs[i];
}

const pg_pbjson_enum *pg_pbjson_find_enum(const pg_pbjson *j,
                                          const uint8_t *name, size_t n) {
  long i = search_name(j->enums, j->nenums, pg_pbjson_enum_name_at, name, n);
  return i < 0 ? NULL : j->enums[i];
}

/* Index into m->fields of the field numbered @p number, or -1. */
long pg_pbjson_field_by_number(const pg_pbjson_msg *m, uint32_t number) {
  size_t lo = 0, hi = m->nfields;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->fields[mid].number == number)
      return (long)mid;
    if (m->fields[mid].number > number)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -1;
}

/* Index of the field called @p name (json_name or proto name), or -1. */
long pg_pbjson_field_by_name(const pg_pbjson_msg *m, const uint8_t *name,
                             size_t n) {
  long i = search_name(m->names, m->nnames, nameix_name_at, name, n);
  return i < 0 ? -1 : (long)m->names[i].field;
}

const pg_pbjson_enumval *pg_pbjson_enum_by_name(const pg_pbjson_enum *e,
                                                const uint8_t *name, size_t n) {
  long i =
      search_name(e->by_name, e->nvalues, pg_pbjson_value_name_at, name, n);
  return i < 0 ? NULL : e->by_name[i];
}

/* The first entry of a sorted table whose name repeats the one before it,
 * or 0 if no name repeats. */
size_t pg_pbjson_repeated_name(const void *table, size_t count,
                               pg_pbjson_name_at_fn *name_at) {
  for (size_t i = 1; i < count; i++)
    if (strcmp(name_at(table, i), name_at(table, i - 1)) == 0)
      return i;
  return 0;
}

/* The first value declared with @p number (json_format prints the first of
 * aliases, as C++'s FindValueByNumber does), or NULL. */
const pg_pbjson_enumval *pg_pbjson_enum_by_number(const pg_pbjson_enum *e,
                                                  int32_t number) {
  size_t lo = 0, hi = e->nvalues;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (e->by_number[mid]->number < number)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < e->nvalues && e->by_number[lo]->number == number)
    return e->by_number[lo];
  return NULL;
}

void pg_pbjson_free(pg_pbjson *j) {
  if (j == NULL)
    return;
  const pg_mem *mem = j->mem;
  pg_arena_deinit(&j->arena);
  pg_mem_free(mem, j->msgs);
  pg_mem_free(mem, j->enums);
  pg_mem_free(mem, j->svcs);
  pg_mem_free(mem, j);
}

int pg_pbjson_method(const pg_pbjson *j, const char *service,
                     size_t service_len, const char *method, size_t method_len,
                     const char **input_type, const char **output_type) {
  long i = search_name(j->svcs, j->nsvcs, pg_pbjson_svc_name_at,
                       (const uint8_t *)service, service_len);
  if (i < 0)
    return PARIGOT_ENOENT;
  const pg_pbjson_svc *s = j->svcs[i];
  for (size_t k = 0; k < s->nmethods; k++) {
    if (cmp_name((const uint8_t *)method, method_len, s->methods[k].name) ==
        0) {
      *input_type = s->methods[k].input;
      *output_type = s->methods[k].output;
      return 0;
    }
  }
  return PARIGOT_ENOENT;
}

/* A double narrowed to float as C++'s SafeDoubleToFloat does, without the
 * undefined behaviour of converting an out-of-range double. */
float pg_pbjson_narrow(double d) {
  const double edge = (double)FLT_MAX + 0x1p103; /* halfway to 2^128 */
  if (d > FLT_MAX)
    return d < edge ? FLT_MAX : (float)INFINITY;
  if (d < -FLT_MAX)
    return d > -edge ? -FLT_MAX : -(float)INFINITY;
  return (float)d;
}

/* Looks up @p type for a conversion and readies @p out. */
const pg_pbjson_msg *pg_pbjson_begin_conversion(const pg_pbjson *j,
                                                const char *type,
                                                pg_pbjson_buf *out, char *err,
                                                size_t err_len) {
  if (err != NULL && err_len > 0)
    err[0] = '\0';
  if (out->mem == NULL)
    out->mem = j->mem;
  out->len = 0;
  const pg_pbjson_msg *m =
      pg_pbjson_find_msg(j, (const uint8_t *)type, strlen(type));
  if (m == NULL && err != NULL && err_len > 0)
    snprintf(err, err_len, "unknown message type \"%.100s\"", type);
  return m;
}

bool pg_pbjson_is_digit(int c) {
  return c >= '0' && c <= '9';
}
