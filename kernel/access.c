/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/access.c: a service's login and roles against a call's context
 * (see access.h). No state.
 */
#include "access.h"

#include <stdio.h>
#include <string.h>

#include "parigot/abi.h"

uint32_t pg_access_check(const pg_manifest_guest *callee, const pg_ctx *ctx,
                         char *why, size_t why_cap) {
  if (!callee->needs_login)
    return PARIGOT_CODE_OK;
  if (!pg_ctx_has_user(ctx)) {
    snprintf(why, why_cap, "%s needs a logged-in user", callee->name);
    return PARIGOT_CODE_UNAUTHENTICATED;
  }
  if (callee->nroles == 0)
    return PARIGOT_CODE_OK;
  for (size_t i = 0; i < callee->nroles; i++)
    if (pg_ctx_has_role(ctx, callee->roles[i], strlen(callee->roles[i])))
      return PARIGOT_CODE_OK;
  int n = snprintf(why, why_cap, "user %s has none of the roles %s needs (",
                   pg_ctx_user_id(ctx), callee->name);
  for (size_t i = 0; i < callee->nroles && n >= 0 && (size_t)n < why_cap; i++)
    n += snprintf(why + n, why_cap - (size_t)n, "%s%s", i ? ", " : "",
                  callee->roles[i]);
  if (n >= 0 && (size_t)n < why_cap)
    snprintf(why + n, why_cap - (size_t)n, ")");
  return PARIGOT_CODE_PERMISSION_DENIED;
}
