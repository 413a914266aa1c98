/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/ctx.h: a call's context: who the call is for (the user logged in,
 * with their roles) and the trace it belongs to. The kernel hands it down:
 * a call carries the context of the event its caller was handling, so a
 * call made three calls deep, or from a continuation, is still for the
 * user who made the first. Guests read it (context_read, docs/abi.md) and
 * cannot change it, but for a guest the manifest lets authenticate
 * (context_set_user).
 *
 * A context is immutable once made and shared by reference count: a call,
 * the events it causes and a guest handling them each hold a reference.
 * NULL is the empty context (no user, no trace), the common case, which
 * costs nothing. Counts change under the app's lock only.
 */
#ifndef PG_KERNEL_CTX_H
#define PG_KERNEL_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "parigot/transport.h"

typedef struct pg_ctx pg_ctx;

/* Longest user id, display name and role list a context takes. */
#define PG_CTX_USER_ID_MAX 64
#define PG_CTX_USER_NAME_MAX 128
#define PG_CTX_ROLES_MAX 512
/* A W3C traceparent, "00-<32 hex>-<16 hex>-<2 hex>", and its NUL. */
#define PG_CTX_TRACEPARENT_SIZE 56

/* A new context with one reference, or NULL for the empty one. @p user_id
 * "" is no user (name and roles are then ignored); @p traceparent NULL,
 * "" or malformed is no trace. Copies every string. 0, or:
 *   PARIGOT_EINVAL  a string is too long, or an id, name or role list
 *                   holds a byte it may not (control characters; ',' or
 *                   spaces in an id; roles not letters, digits, ".-_"
 *                   joined by ',');
 *   PARIGOT_ENOMEM. */
int pg_ctx_new(const pg_mem *mem, const char *user_id, size_t id_len,
               const char *user_name, size_t name_len, const char *roles,
               size_t roles_len, const char *traceparent, pg_ctx **out);

/* The same, from what a transport carried. */
int pg_ctx_from_transport(const pg_mem *mem, const pg_transport_ctx *t,
                          pg_ctx **out);

/* @p c with the user replaced (the trace kept): a new context. */
int pg_ctx_with_user(const pg_mem *mem, const pg_ctx *c, const char *user_id,
                     size_t id_len, const char *user_name, size_t name_len,
                     const char *roles, size_t roles_len, pg_ctx **out);

/* Another reference to @p c; NULL gives NULL. */
pg_ctx *pg_ctx_ref(pg_ctx *c);

/* Drops a reference; the last one frees @p c. NULL is a no-op. */
void pg_ctx_unref(const pg_mem *mem, pg_ctx *c);

bool pg_ctx_has_user(const pg_ctx *c);
const char *pg_ctx_user_id(const pg_ctx *c);   /* "" when none */
const char *pg_ctx_user_name(const pg_ctx *c); /* "" when none */
const char *pg_ctx_roles(const pg_ctx *c);     /* "a,b"; "" when none */

/* Whether the user has role @p role (@p len bytes). */
bool pg_ctx_has_role(const pg_ctx *c, const char *role, size_t len);

/* @p c as a transport sends it; its strings are @p c's (and @p tp's, which
 * receives the traceparent), valid while both are. */
void pg_ctx_to_transport(const pg_ctx *c, char tp[PG_CTX_TRACEPARENT_SIZE],
                         pg_transport_ctx *out);

/* The bytes context_read gives a guest (include/parigot/abi.h,
 * PARIGOT_CTX_*): returns their length, and writes them into @p out when
 * they fit in @p cap bytes. */
uint32_t pg_ctx_record(const pg_ctx *c, uint8_t *out, uint32_t cap);

#endif /* PG_KERNEL_CTX_H */
