/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/roles.c: a user's roles, "admin,staff", read alike by the host
 * (kernel/ctx.c) and by guests (guest.c); see include/parigot/roles.h.
 * No state; any thread.
 */
#include "parigot/roles.h"

#include <string.h>

bool parigot_roles_include(const char *roles, const char *role,
                           size_t role_len) {
  if (role_len == 0)
    return false;
  for (const char *p = roles; *p != '\0';) {
    const char *end = strchr(p, ',');
    size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
    if (n == role_len && memcmp(p, role, role_len) == 0)
      return true;
    p += n + (end != NULL);
  }
  return false;
}
