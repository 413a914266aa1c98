/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/abi.c: the host functions of import module "parigot", version 1
 * of the guest/host ABI (docs/abi.md).
 *
 * Everything a guest passes is untrusted: each pointer and length is
 * checked against the guest's memory as it is now (it may have grown),
 * every output pointer is checked before anything changes, and names and
 * sizes have limits. A failure is an error code for the guest, never a
 * crash of the host. Host code is marked (pg_rt_host_enter) because it
 * allocates and locks: an interrupt then waits until the import returns.
 * Functions that touch the app's shared state hold its lock; the others
 * touch only their own guest, which no other thread runs meanwhile.
 */
#include "abi.h"

#include <stdio.h>
#include <string.h>

#include "appstate.h"
#include "parigot/abi.h"
#include "parigot/error.h"
#include "utf8.h"
#include "pbwire.h"

typedef uint32_t u32;
typedef uint64_t u64;

#define IMPORT(name) Z_parigotZ_##name

/* Prototypes: wasm2c's generated header declares the same, per guest. */
u32 IMPORT(export_service)(pg_guest *, u32, u32);
u32 IMPORT(require_service)(pg_guest *, u32, u32);
u32 IMPORT(locate)(pg_guest *, u32, u32, u32);
u32 IMPORT(dispatch)(pg_guest *, u32, u32, u32, u32, u32, u64, u32);
u32 IMPORT(event_read)(pg_guest *, u32, u32, u32);
u32 IMPORT(respond)(pg_guest *, u64, u32, u32, u32, u32);
u32 IMPORT(log)(pg_guest *, u32, u32, u32);
u32 IMPORT(now)(pg_guest *, u32);
u32 IMPORT(event_buffer)(pg_guest *, u32, u32);
u32 IMPORT(describe)(pg_guest *, u32, u32);
u32 IMPORT(context_read)(pg_guest *, u32, u32, u32);
u32 IMPORT(context_set_user)(pg_guest *, u32, u32, u32, u32, u32, u32);

/* Runs an implementation as host code and returns its result as the
 * guest sees it (a negative errno, two's complement in an i32). A module
 * run by `parigot exec` has no app: its parigot imports get NULL and fail
 * with PARIGOT_ENOTSUP. */
#define HOSTCALL(g, expr)                                                      \
  do {                                                                         \
    if ((g) == NULL) /* run outside an app, e.g. by parigot exec */            \
      return (u32)PARIGOT_ENOTSUP;                                             \
    pg_rt_frame *f_ = pg_instance_frame((g)->inst);                            \
    pg_rt_host_enter(f_);                                                      \
    int r_ = (expr);                                                           \
    pg_rt_host_leave(f_);                                                      \
    return (u32)r_;                                                            \
  } while (0)

/* The guest bytes [addr, addr+len), or NULL when any of them is outside
 * its memory. */
static uint8_t *span(pg_guest *g, u32 addr, u64 len) {
  if (g->memory == NULL)
    return NULL;
  u64 size = g->memory->size;
  if ((u64)addr > size || len > size - addr)
    return NULL;
  return g->memory->data + addr;
}

/* A byte of a name as protobuf spells one: a letter, a digit, '_' or '.'.
 * A bit per byte value, as every call's method name is checked. */
static bool is_name_byte(uint8_t c) {
  static const uint64_t allowed[4] = {
      0x03ff400000000000u, /* '.', '0'-'9' */
      0x07fffffe87fffffeu, /* 'A'-'Z', '_', 'a'-'z' */
      0, 0};
  return (allowed[c >> 6] >> (c & 63)) & 1;
}

static int read_name(pg_guest *g, u32 ptr, u32 len, const char **out) {
  const uint8_t *s = span(g, ptr, len);
  if (s == NULL)
    return PARIGOT_EFAULT;
  if (len == 0 || len > PARIGOT_ABI_NAME_MAX)
    return PARIGOT_EINVAL;
  bool ok = true;
  for (u32 i = 0; i < len; i++)
    ok &= is_name_byte(s[i]);
  if (!ok)
    return PARIGOT_EINVAL;
  *out = (const char *)s;
  return 0;
}

/* True if list[0..n) holds s[0..len). */
static bool has_name(char *const *list, u32 n, const char *s, u32 len) {
  for (u32 i = 0; i < n; i++)
    if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
      return true;
  return false;
}

int pg_names_add(const pg_mem *mem, char ***list, uint32_t *n, const char *s,
                 size_t len) {
  if (has_name(*list, *n, s, (u32)len))
    return 0; /* declaring twice is harmless */
  char *copy = pg_mem_malloc(mem, len + 1);
  char **bigger = pg_mem_calloc(mem, (size_t)*n + 1, sizeof *bigger);
  if (copy == NULL || bigger == NULL) {
    pg_mem_free(mem, copy);
    pg_mem_free(mem, bigger);
    return PARIGOT_ENOMEM;
  }
  memcpy(copy, s, len);
  copy[len] = 0;
  if (*n > 0)
    memcpy(bigger, *list, *n * sizeof *bigger);
  bigger[(*n)++] = copy;
  pg_mem_free(mem, *list);
  *list = bigger;
  return 0;
}

static int declare(pg_guest *g, bool is_export, u32 ptr, u32 len) {
  const char *name;
  int rc = read_name(g, ptr, len, &name);
  if (rc != 0)
    return rc;
  if (!g->is_declaring)
    return PARIGOT_EINVAL; /* declarations belong in parigot_main */
  return pg_names_add(g->app->mem, is_export ? &g->exports : &g->requires,
                      is_export ? &g->nexports : &g->nrequires, name, len);
}

u32 IMPORT(export_service)(pg_guest *g, u32 ptr, u32 len) {
  HOSTCALL(g, declare(g, true, ptr, len));
}

u32 IMPORT(require_service)(pg_guest *g, u32 ptr, u32 len) {
  HOSTCALL(g, declare(g, false, ptr, len));
}

static int locate(pg_guest *g, u32 ptr, u32 len, u32 out) {
  const char *name;
  uint8_t *dst = span(g, out, 4);
  int rc = read_name(g, ptr, len, &name);
  if (rc != 0)
    return rc;
  if (dst == NULL)
    return PARIGOT_EFAULT;
  for (u32 i = 0; i < g->nrequires; i++)
    if (strlen(g->requires[i]) == len &&
        memcmp(g->requires[i], name, len) == 0) {
      memcpy(dst, &i, 4);
      return 0;
    }
  return PARIGOT_EPERM; /* requirements are capabilities */
}

u32 IMPORT(locate)(pg_guest *g, u32 ptr, u32 len, u32 out) {
  HOSTCALL(g, locate(g, ptr, len, out));
}

static int dispatch(pg_guest *g, u32 handle, u32 method, u32 method_len,
                    u32 req, u32 req_len, u64 timeout_ns, u32 out) {
  const char *m;
  const uint8_t *body = span(g, req, req_len);
  uint8_t *dst = span(g, out, 8);
  int rc = read_name(g, method, method_len, &m);
  if (rc != 0)
    return rc;
  if (body == NULL || dst == NULL)
    return PARIGOT_EFAULT;
  u64 id;
  rc = pg_app_dispatch(g->app, g, handle, m, method_len, body, req_len,
                       timeout_ns, &id);
  if (rc == 0)
    memcpy(dst, &id, 8);
  return rc;
}

static int dispatch_locked(pg_guest *g, u32 handle, u32 method, u32 method_len,
                           u32 req, u32 req_len, u64 timeout_ns, u32 out) {
  pg_app_enter(g->app, g->worker);
  int rc =
      dispatch(g, handle, method, method_len, req, req_len, timeout_ns, out);
  pg_app_leave(g->app, g->worker);
  return rc;
}

u32 IMPORT(dispatch)(pg_guest *g, u32 handle, u32 method, u32 method_len,
                     u32 req, u32 req_len, u64 timeout_ns, u32 out) {
  HOSTCALL(g, dispatch_locked(g, handle, method, method_len, req, req_len,
                              timeout_ns, out));
}

static int event_read(pg_guest *g, u32 buf, u32 cap, u32 out_len) {
  uint8_t *len_dst = span(g, out_len, 4);
  uint8_t *dst = span(g, buf, cap);
  if (len_dst == NULL || dst == NULL)
    return PARIGOT_EFAULT;
  if (g->event == NULL)
    return PARIGOT_EINVAL; /* only inside parigot_event */
  u32 len = g->event->len;
  memcpy(len_dst, &len, 4);
  if (cap < len)
    return PARIGOT_ENOSPC;
  /* A placed event is in the guest's own buffer: copied within it. */
  const uint8_t *src =
      g->event->is_placed ? pg_abi_event_buffer(g, len) : g->event->bytes;
  if (src == NULL)
    return PARIGOT_EFAULT;
  memmove(dst, src, len);
  return 0;
}

u32 IMPORT(event_read)(pg_guest *g, u32 buf, u32 cap, u32 out_len) {
  HOSTCALL(g, event_read(g, buf, cap, out_len));
}

static int respond(pg_guest *g, u64 id, u32 status, u32 app_error, u32 resp,
                   u32 resp_len) {
  const uint8_t *body = span(g, resp, resp_len);
  if (body == NULL)
    return PARIGOT_EFAULT;
  return pg_app_respond(g->app, g, id, status, (int32_t)app_error, body,
                        resp_len);
}

static int respond_locked(pg_guest *g, u64 id, u32 status, u32 app_error,
                          u32 resp, u32 resp_len) {
  pg_app_enter(g->app, g->worker);
  int rc = respond(g, id, status, app_error, resp, resp_len);
  pg_app_leave(g->app, g->worker);
  return rc;
}

u32 IMPORT(respond)(pg_guest *g, u64 id, u32 status, u32 app_error, u32 resp,
                    u32 resp_len) {
  HOSTCALL(g, respond_locked(g, id, status, app_error, resp, resp_len));
}

/* A copy of @p text, without its trailing newlines, as @p g's last error
 * line. The guest's own field: only its code writes it. */
static void keep_last_error(pg_guest *g, const char *text, size_t len) {
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
    len--;
  size_t n =
      pg_utf8_prefix((const uint8_t *)text, len, sizeof g->last_error - 1);
  memcpy(g->last_error, text, n);
  g->last_error[n] = '\0';
}

static int guest_log(pg_guest *g, u32 level, u32 msg, u32 len) {
  const char *text = (const char *)span(g, msg, len);
  if (text == NULL)
    return PARIGOT_EFAULT;
  if (level > PG_LOG_ERROR || len > 65536)
    return PARIGOT_EINVAL;
  pg_app_enter(g->app, g->worker);
  pg_log_write(&g->app->log, pg_app_now(g->app), (pg_log_level)level,
               g->spec->name, g->call_id, text, len);
  pg_app_leave(g->app, g->worker);
  if (level == PG_LOG_ERROR)
    keep_last_error(g, text, len);
  return 0;
}

u32 IMPORT(log)(pg_guest *g, u32 level, u32 msg, u32 len) {
  HOSTCALL(g, guest_log(g, level, msg, len));
}

static int now(pg_guest *g, u32 out) {
  uint8_t *dst = span(g, out, 8);
  if (dst == NULL)
    return PARIGOT_EFAULT;
  pg_app_enter(g->app, g->worker);
  u64 t = pg_app_now(g->app);
  pg_app_leave(g->app, g->worker);
  memcpy(dst, &t, 8);
  return 0;
}

u32 IMPORT(now)(pg_guest *g, u32 out) {
  HOSTCALL(g, now(g, out));
}

/* Only remembered here: the buffer is checked against the memory each time
 * an event is written to it (pg_abi_deliver). */
static int event_buffer(pg_guest *g, u32 buf, u32 cap) {
  if (span(g, buf, cap) == NULL)
    return PARIGOT_EFAULT;
  g->evbuf = buf;
  g->evbuf_cap = cap;
  return 0;
}

u32 IMPORT(event_buffer)(pg_guest *g, u32 buf, u32 cap) {
  HOSTCALL(g, event_buffer(g, buf, cap));
}

/* A serialized FileDescriptorProto of the guest's, kept as one entry of
 * a FileDescriptorSet (field 1): the unit's port reads its message types
 * for Connect's JSON. Declarations only, and 16 MiB in all at most. */
static int describe(pg_guest *g, u32 ptr, u32 len) {
  enum { MAX_DESCRIPTORS = 16 << 20 };
  const uint8_t *d = span(g, ptr, len);
  if (d == NULL)
    return PARIGOT_EFAULT;
  if (!g->is_declaring)
    return PARIGOT_EINVAL;
  if (g->nfds + len + 6 > MAX_DESCRIPTORS)
    return PARIGOT_ETOOBIG;
  uint8_t *more = pg_mem_realloc(g->app->mem, g->fds, g->nfds + len + 6);
  if (more == NULL)
    return PARIGOT_ENOMEM;
  g->fds = more;
  more[g->nfds++] = 0x0a; /* field 1, length-delimited */
  g->nfds += (u32)pg_pbwire_put_varint(more + g->nfds, len);
  memcpy(more + g->nfds, d, len);
  g->nfds += len;
  return 0;
}

u32 IMPORT(describe)(pg_guest *g, u32 ptr, u32 len) {
  HOSTCALL(g, describe(g, ptr, len));
}

/* The context of the event being handled (ctx.h), as
 * PARIGOT_CTX_HEADER_SIZE bytes and the user's strings. */
static int context_read(pg_guest *g, u32 buf, u32 cap, u32 out_len) {
  uint8_t *len_dst = span(g, out_len, 4);
  uint8_t *dst = span(g, buf, cap);
  if (len_dst == NULL || dst == NULL)
    return PARIGOT_EFAULT;
  if (g->event == NULL)
    return PARIGOT_EINVAL; /* only inside parigot_event */
  u32 len = pg_ctx_record(g->ctx, dst, cap);
  memcpy(len_dst, &len, 4);
  return cap < len ? PARIGOT_ENOSPC : 0;
}

u32 IMPORT(context_read)(pg_guest *g, u32 buf, u32 cap, u32 out_len) {
  HOSTCALL(g, context_read(g, buf, cap, out_len));
}

/* Calls made from now on in this event are for another user (id_len 0:
 * nobody); only a guest the manifest lets authenticate may. */
static int context_set_user(pg_guest *g, u32 id, u32 id_len, u32 name,
                            u32 name_len, u32 roles, u32 roles_len) {
  const char *i = (const char *)span(g, id, id_len);
  const char *n = (const char *)span(g, name, name_len);
  const char *r = (const char *)span(g, roles, roles_len);
  pg_ctx *c;
  if (i == NULL || n == NULL || r == NULL)
    return PARIGOT_EFAULT;
  if (!g->spec->authenticates)
    return PARIGOT_EPERM;
  if (g->event == NULL)
    return PARIGOT_EINVAL;
  int rc = pg_ctx_with_user(g->app->mem, g->ctx, i, id_len, n, name_len, r,
                            roles_len, &c);
  if (rc != 0)
    return rc;
  pg_ctx_unref(g->app->mem, g->ctx);
  g->ctx = c;
  return 0;
}

/* The lock, for the reference counts. */
static int context_set_user_locked(pg_guest *g, u32 id, u32 id_len, u32 name,
                                   u32 name_len, u32 roles, u32 roles_len) {
  pg_app_enter(g->app, g->worker);
  int rc = context_set_user(g, id, id_len, name, name_len, roles, roles_len);
  pg_app_leave(g->app, g->worker);
  return rc;
}

u32 IMPORT(context_set_user)(pg_guest *g, u32 id, u32 id_len, u32 name,
                             u32 name_len, u32 roles, u32 roles_len) {
  HOSTCALL(g, context_set_user_locked(g, id, id_len, name, name_len, roles,
                                      roles_len));
}

uint8_t *pg_abi_event_buffer(pg_guest *g, uint32_t len) {
  return g->evbuf_cap < len ? NULL : span(g, g->evbuf, len);
}

bool pg_abi_deliver(pg_guest *g, const pg_event *ev) {
  if (ev->is_placed)
    return true;
  uint8_t *dst = pg_abi_event_buffer(g, ev->len);
  if (dst == NULL)
    return false;
  memcpy(dst, ev->bytes, ev->len);
  return true;
}

/* The table the engine checks imports against, from the ABI's own list
 * (include/parigot/abi.h). A function added to the list and not here does
 * not compile. */
#define ABI_FUNC(name, sig) {#name, sig},
static const pg_host_func abi_funcs[] = {PARIGOT_ABI_IMPORT_MAP(ABI_FUNC)};
#undef ABI_FUNC
#define ABI_HAS_FUNC(name, sig)                                                \
  _Static_assert(sizeof &IMPORT(name) != 0, "no host function " #name);
PARIGOT_ABI_IMPORT_MAP(ABI_HAS_FUNC)
#undef ABI_HAS_FUNC

const pg_host_module pg_abi_module = {PARIGOT_ABI_MODULE, abi_funcs,
                                      sizeof abi_funcs / sizeof abi_funcs[0]};
