/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/host.h: the table of functions the host offers to guests.
 *
 * Each import module the host implements lists its functions with their
 * wasm signatures: wasi_snapshot_preview1, which the engine implements
 * itself (wasi.c), and those its creator injects through pg_engine_config
 * (the kernel's is parigot, the guest/host ABI of docs/abi.md, kernel/abi.c).
 * The engine checks every import of a module against these lists before
 * compiling it, because the compiled guest calls the host function
 * directly: a wrong signature would be undefined behaviour, so it must be
 * refused up front. Constant data; any thread.
 */
#ifndef PG_HOST_H
#define PG_HOST_H

#include <stddef.h>

typedef struct pg_host_func {
  const char *name; /* field name in the import */
  const char *sig;  /* signature, in pg_wasm_info's notation */
} pg_host_func;

typedef struct pg_host_module {
  const char *name; /* import module name */
  const pg_host_func *funcs;
  size_t nfuncs;
} pg_host_module;

/**
 * @brief The host module called @p name: WASI, or one of the @p nmods
 * modules at @p mods (borrowed; may be NULL when @p nmods is 0); NULL when
 * there is none.
 */
const pg_host_module *pg_host_module_find(const pg_host_module *mods,
                                          size_t nmods, const char *name);

/** @brief The function @p name of @p m, or NULL. */
const pg_host_func *pg_host_func_find(const pg_host_module *m,
                                      const char *name);

#endif /* PG_HOST_H */
