/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/host.c: looks up the host's import modules (see host.h).
 *
 * Owns nothing: the modules are constant tables, WASI's in wasi.c and the
 * others wherever the engine's creator keeps them. Any thread.
 */
#include "host.h"

#include <string.h>

#include "wasi.h"

const pg_host_module *pg_host_module_find(const pg_host_module *mods,
                                          size_t nmods, const char *name) {
  if (strcmp(pg_wasi_module.name, name) == 0)
    return &pg_wasi_module;
  for (size_t i = 0; i < nmods; i++)
    if (strcmp(mods[i].name, name) == 0)
      return &mods[i];
  return NULL;
}

const pg_host_func *pg_host_func_find(const pg_host_module *m,
                                      const char *name) {
  for (size_t i = 0; i < m->nfuncs; i++)
    if (strcmp(m->funcs[i].name, name) == 0)
      return &m->funcs[i];
  return NULL;
}
