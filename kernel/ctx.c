/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/ctx.c: a call's context (see ctx.h): made, checked, shared by
 * reference, and written out for a guest or a transport. Owns each
 * context's one allocation (the struct and its strings); calls only the
 * allocator it is given. Reference counts change under the app's lock.
 */
#include "ctx.h"

#include <stdio.h>
#include <string.h>

#include "parigot/abi.h"
#include "parigot/error.h"
#include "parigot/roles.h"

_Static_assert(PG_CTX_USER_ID_MAX == PARIGOT_CTX_USER_ID_MAX &&
                   PG_CTX_USER_NAME_MAX == PARIGOT_CTX_USER_NAME_MAX &&
                   PG_CTX_ROLES_MAX == PARIGOT_CTX_ROLES_MAX,
               "the kernel's limits are the ABI's");

struct pg_ctx {
  uint32_t refs;
  uint32_t flags; /* PARIGOT_CTX_HAS_* */
  uint8_t trace_id[16], span_id[8];
  uint8_t trace_flags;
  uint16_t id_len, name_len, roles_len;
  char strings[]; /* id, name, roles, each NUL-terminated */
};

static bool is_id_byte(unsigned char c) {
  return c > 0x20 && c != 0x7f && c != ',';
}

static bool is_role_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Role names joined by ',', none empty. */
static bool is_role_list(const char *s, size_t len) {
  bool is_start = true;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == ',' && !is_start)
      is_start = true;
    else if (is_role_byte(s[i]))
      is_start = false;
    else
      return false;
  }
  return len == 0 || !is_start;
}

static bool is_printable(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      return false;
  return true;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static bool read_hex(const char *s, uint8_t *out, size_t n) {
  bool is_zero = true;
  for (size_t i = 0; i < n; i++) {
    int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = (uint8_t)(hi << 4 | lo);
    is_zero &= out[i] == 0;
  }
  return !is_zero; /* all zeros is invalid in W3C trace context */
}

/* W3C trace context, version 00 (or a later one, read as 00). */
static bool read_traceparent(const char *tp, pg_ctx *c) {
  uint8_t version;
  if (tp == NULL || strlen(tp) < 55 || tp[2] != '-' || tp[35] != '-' ||
      tp[52] != '-' || (strlen(tp) > 55 && tp[55] != '-'))
    return false;
  if (hex_value(tp[0]) < 0 || hex_value(tp[1]) < 0 ||
      (version = (uint8_t)(hex_value(tp[0]) << 4 | hex_value(tp[1]))) == 0xff)
    return false;
  if (version == 0 && strlen(tp) != 55)
    return false;
  if (!read_hex(tp + 3, c->trace_id, 16) || !read_hex(tp + 36, c->span_id, 8))
    return false;
  int hi = hex_value(tp[53]), lo = hex_value(tp[54]);
  if (hi < 0 || lo < 0)
    return false;
  c->trace_flags = (uint8_t)(hi << 4 | lo);
  return true;
}

static int make(const pg_mem *mem, const char *id, size_t id_len,
                const char *name, size_t name_len, const char *roles,
                size_t roles_len, const pg_ctx *trace, const char *tp,
                pg_ctx **out) {
  *out = NULL;
  if (id_len == 0)
    name_len = roles_len = 0;
  if (id_len > PG_CTX_USER_ID_MAX || name_len > PG_CTX_USER_NAME_MAX ||
      roles_len > PG_CTX_ROLES_MAX || !is_role_list(roles, roles_len) ||
      !is_printable(name, name_len))
    return PARIGOT_EINVAL;
  for (size_t i = 0; i < id_len; i++)
    if (!is_id_byte((unsigned char)id[i]))
      return PARIGOT_EINVAL;
  pg_ctx probe = {0};
  bool has_trace = trace != NULL ? (trace->flags & PARIGOT_CTX_HAS_TRACE) != 0
                                 : read_traceparent(tp, &probe);
  if (id_len == 0 && !has_trace)
    return 0; /* the empty context */
  size_t size = sizeof(pg_ctx) + id_len + name_len + roles_len + 3;
  pg_ctx *c = pg_mem_malloc(mem, size);
  if (c == NULL)
    return PARIGOT_ENOMEM;
  *c = trace != NULL ? *trace : probe;
  c->refs = 1;
  c->flags = (id_len > 0 ? PARIGOT_CTX_HAS_USER : 0) |
             (has_trace ? PARIGOT_CTX_HAS_TRACE : 0);
  c->id_len = (uint16_t)id_len;
  c->name_len = (uint16_t)name_len;
  c->roles_len = (uint16_t)roles_len;
  char *p = c->strings;
  memcpy(p, id, id_len);
  p[id_len] = '\0';
  p += id_len + 1;
  memcpy(p, name, name_len);
  p[name_len] = '\0';
  p += name_len + 1;
  memcpy(p, roles, roles_len);
  p[roles_len] = '\0';
  *out = c;
  return 0;
}

int pg_ctx_new(const pg_mem *mem, const char *user_id, size_t id_len,
               const char *user_name, size_t name_len, const char *roles,
               size_t roles_len, const char *traceparent, pg_ctx **out) {
  return make(mem, user_id, id_len, user_name, name_len, roles, roles_len, NULL,
              traceparent, out);
}

int pg_ctx_from_transport(const pg_mem *mem, const pg_transport_ctx *t,
                          pg_ctx **out) {
  const char *id = t->user_id ? t->user_id : "";
  const char *name = t->user_name ? t->user_name : "";
  const char *roles = t->user_roles ? t->user_roles : "";
  return make(mem, id, strlen(id), name, strlen(name), roles, strlen(roles),
              NULL, t->traceparent, out);
}

int pg_ctx_with_user(const pg_mem *mem, const pg_ctx *c, const char *user_id,
                     size_t id_len, const char *user_name, size_t name_len,
                     const char *roles, size_t roles_len, pg_ctx **out) {
  static const pg_ctx none = {0};
  return make(mem, user_id, id_len, user_name, name_len, roles, roles_len,
              c != NULL ? c : &none, NULL, out);
}

pg_ctx *pg_ctx_ref(pg_ctx *c) {
  if (c != NULL)
    c->refs++;
  return c;
}

void pg_ctx_unref(const pg_mem *mem, pg_ctx *c) {
  if (c != NULL && --c->refs == 0)
    pg_mem_free(mem, c);
}

bool pg_ctx_has_user(const pg_ctx *c) {
  return c != NULL && (c->flags & PARIGOT_CTX_HAS_USER) != 0;
}

const char *pg_ctx_user_id(const pg_ctx *c) {
  return c != NULL ? c->strings : "";
}

const char *pg_ctx_user_name(const pg_ctx *c) {
  return c != NULL ? c->strings + c->id_len + 1 : "";
}

const char *pg_ctx_roles(const pg_ctx *c) {
  return c != NULL ? c->strings + c->id_len + c->name_len + 2 : "";
}

bool pg_ctx_has_role(const pg_ctx *c, const char *role, size_t len) {
  return parigot_roles_include(pg_ctx_roles(c), role, len);
}

void pg_ctx_to_transport(const pg_ctx *c, char tp[PG_CTX_TRACEPARENT_SIZE],
                         pg_transport_ctx *out) {
  tp[0] = '\0';
  if (c != NULL && (c->flags & PARIGOT_CTX_HAS_TRACE) != 0) {
    int n = snprintf(tp, PG_CTX_TRACEPARENT_SIZE, "00-");
    for (size_t i = 0; i < 16; i++)
      n += snprintf(tp + n, PG_CTX_TRACEPARENT_SIZE - (size_t)n, "%02x",
                    c->trace_id[i]);
    n += snprintf(tp + n, PG_CTX_TRACEPARENT_SIZE - (size_t)n, "-");
    for (size_t i = 0; i < 8; i++)
      n += snprintf(tp + n, PG_CTX_TRACEPARENT_SIZE - (size_t)n, "%02x",
                    c->span_id[i]);
    snprintf(tp + n, PG_CTX_TRACEPARENT_SIZE - (size_t)n, "-%02x",
             c->trace_flags);
  }
  *out = (pg_transport_ctx){.user_id = pg_ctx_user_id(c),
                            .user_name = pg_ctx_user_name(c),
                            .user_roles = pg_ctx_roles(c),
                            .traceparent = tp};
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t pg_ctx_record(const pg_ctx *c, uint8_t *out, uint32_t cap) {
  uint32_t strings = c != NULL ? c->id_len + c->name_len + c->roles_len : 0;
  uint32_t len = PARIGOT_CTX_HEADER_SIZE + strings;
  if (cap < len)
    return len;
  memset(out, 0, PARIGOT_CTX_HEADER_SIZE);
  if (c == NULL)
    return len;
  put32(out + PARIGOT_CTX_OFF_FLAGS, c->flags);
  put32(out + PARIGOT_CTX_OFF_USER_ID_LEN, c->id_len);
  put32(out + PARIGOT_CTX_OFF_USER_NAME_LEN, c->name_len);
  put32(out + PARIGOT_CTX_OFF_ROLES_LEN, c->roles_len);
  if ((c->flags & PARIGOT_CTX_HAS_TRACE) != 0) {
    memcpy(out + PARIGOT_CTX_OFF_TRACE_ID, c->trace_id, 16);
    memcpy(out + PARIGOT_CTX_OFF_SPAN_ID, c->span_id, 8);
    put32(out + PARIGOT_CTX_OFF_TRACE_FLAGS, c->trace_flags);
  }
  uint8_t *p = out + PARIGOT_CTX_HEADER_SIZE;
  memcpy(p, pg_ctx_user_id(c), c->id_len);
  memcpy(p + c->id_len, pg_ctx_user_name(c), c->name_len);
  memcpy(p + c->id_len + c->name_len, pg_ctx_roles(c), c->roles_len);
  return len;
}
