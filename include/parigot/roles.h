/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file roles.h
 * @brief A user's roles as a call's context carries them: role names
 * joined by ',' ("admin,staff"). The kernel and the C SDK both read them
 * with this. No state; any thread.
 */
#ifndef PARIGOT_ROLES_H
#define PARIGOT_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Whether the list @p roles names @p role.
 * @param[in] roles     role names joined by ',', NUL-terminated.
 * @param[in] role      a role name, @p role_len bytes (not NUL-terminated).
 * @param[in] role_len  bytes of @p role; 0 is never in a list.
 * @return true when one of the names is exactly @p role.
 */
bool parigot_roles_include(const char *roles, const char *role,
                           size_t role_len);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_ROLES_H */
