/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/host.c: looks up the host's import modules (see host.h).
 *
 * Owns nothing: the modules are constant tables in their own files
 * (wasi.c, abi.c). Any
 * thread.
 */
#include "host.h"

#include <string.h>

#include "wasi.h"

extern const pg_host_module pg_abi_module; /* kernel/abi.c */

static const pg_host_module *const modules[] = {&pg_wasi_module,
                                                &pg_abi_module};

const pg_host_module *pg_host_module_find(const char *name) {
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
    if (strcmp(modules[i]->name, name) == 0)
      return modules[i];
  return NULL;
}

const pg_host_func *pg_host_func_find(const pg_host_module *m,
                                      const char *name) {
  for (size_t i = 0; i < m->nfuncs; i++)
    if (strcmp(m->funcs[i].name, name) == 0)
      return &m->funcs[i];
  return NULL;
}
