/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/access.h: who may call a service: the manifest's login and roles
 * of the service called, against the call's context (ctx.h). The kernel
 * asks for every call, made by a guest of this unit or come through the
 * transport, before the callee sees it. Pure: any thread.
 */
#ifndef PG_KERNEL_ACCESS_H
#define PG_KERNEL_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "ctx.h"

/* PARIGOT_CODE_OK when a call for @p ctx may reach @p callee; else
 * PARIGOT_CODE_UNAUTHENTICATED (it needs a user and the call has none) or
 * PARIGOT_CODE_PERMISSION_DENIED (the user has none of its roles), with
 * @p why naming the service and what was missing. */
/* Room for pg_access_check's why. */
#define PG_ACCESS_WHY_SIZE 256

uint32_t pg_access_check(const pg_manifest_guest *callee, const pg_ctx *ctx,
                         char *why, size_t why_cap);

#endif /* PG_KERNEL_ACCESS_H */
