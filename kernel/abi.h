/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/abi.h: the kernel's host modules, for the engine's import check.
 *
 * abi.c implements import module "parigot", version 1 of the guest/host ABI
 * (docs/abi.md). Whoever creates an engine that loads parigot guests passes
 * this table in pg_engine_config.host_modules: the app, and parigot build
 * and exec, which compile and run the same guests. Constant data; any
 * thread.
 */
#ifndef PG_ABI_H
#define PG_ABI_H

#include "host.h"

/** @brief The functions of import module "parigot" and their signatures. */
extern const pg_host_module pg_abi_module;

#endif /* PG_ABI_H */
