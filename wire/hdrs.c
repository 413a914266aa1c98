/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/hdrs.c: a list of header lines (wireint.h's pg_wire_hdrs): a
 * request's headers as they came, and the extra headers of a response.
 * One growing buffer of "name\0value\0" pairs, so that a lookup is a walk
 * and freeing is one call; its size is bounded by whoever fills it (the
 * request's max_header_bytes, a response's own limit). And the checks a
 * header name or value from outside passes before it is kept or sent.
 *
 * Owns nothing beyond the buffer; any thread, one at a time per list.
 */
#include <string.h>

#include "wireint.h"

bool pg_wire_hdrs_add(const pg_mem *mem, pg_wire_hdrs *h, const char *name,
                      size_t name_len, const char *value, size_t value_len) {
  size_t need = h->len + name_len + value_len + 2;
  if (need > h->cap) {
    size_t cap = h->cap ? h->cap : 256;
    while (cap < need)
      cap *= 2;
    char *bigger = pg_mem_realloc(mem, h->buf, cap);
    if (bigger == NULL)
      return false;
    h->buf = bigger;
    h->cap = cap;
  }
  char *p = h->buf + h->len;
  for (size_t i = 0; i < name_len; i++) /* names are lower case */
    p[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] + 32) : name[i];
  p[name_len] = '\0';
  memcpy(p + name_len + 1, value, value_len);
  p[name_len + 1 + value_len] = '\0';
  h->len = need;
  h->n++;
  return true;
}

bool pg_wire_hdrs_next(const pg_wire_hdrs *h, size_t *at, const char **name,
                       const char **value) {
  if (*at >= h->len)
    return false;
  *name = h->buf + *at;
  *value = *name + strlen(*name) + 1;
  *at = (size_t)(*value - h->buf) + strlen(*value) + 1;
  return true;
}

const char *pg_wire_hdrs_get(const pg_wire_hdrs *h, const char *name) {
  size_t at = 0;
  const char *n, *v;
  while (pg_wire_hdrs_next(h, &at, &n, &v))
    if (strcmp(n, name) == 0)
      return v;
  return NULL;
}

void pg_wire_hdrs_free(const pg_mem *mem, pg_wire_hdrs *h) {
  pg_mem_free(mem, h->buf);
  *h = (pg_wire_hdrs){0};
}

bool pg_wire_hdr_value_ok(const char *v, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (v[i] == '\0' || v[i] == '\r' || v[i] == '\n')
      return false;
  return true;
}

bool pg_wire_hdr_name_ok(const char *v, size_t len) {
  static const char extra[] = "!#$%&'*+-.^_`|~";
  if (len == 0 || len > 64)
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = v[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || (c != '\0' && strchr(extra, c));
    if (!ok)
      return false;
  }
  return true;
}
