/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/engine.h: loads WebAssembly modules and runs their instances.
 *
 * A module is compiled once (wasm2c, then the system C compiler) into a
 * shared object kept in the module cache, and dlopen'ed; later loads of the
 * same bytes with the same toolchain compile nothing. An instance is one
 * guest: its own linear memory (guard-page bounds checks), WASI state and
 * memory limit. Running an instance turns every trap, proc_exit or
 * interrupt into a pg_run_result; nothing a guest does can take the host
 * down. The engine and modules may be used from several threads with
 * external locking; an instance runs on one thread at a time, and only
 * pg_instance_interrupt() may be called from another thread.
 */
#ifndef PG_ENGINE_H
#define PG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "mem.h"
#include "rt.h"
#include "wasi.h"

#define PG_ENGINE_DEFAULT_MAX_MEMORY (256ull << 20)

typedef struct pg_engine pg_engine;
typedef struct pg_module pg_module;
typedef struct pg_instance pg_instance;

typedef struct pg_engine_config {
  const char *cache_dir; /* NULL: $PARIGOT_CACHE, $XDG_CACHE_HOME, ~/.cache */
  /* Modules compiled ahead of time (parigot build): <dir>/<SHA-256 of the
   * wasm>.so, sealed as cache entries are. Found there, a module needs no
   * compiler; NULL: none. */
  const char *prebuilt_dir;
  /* The import modules guests may use besides WASI, which the engine
   * implements itself: the kernel passes its "parigot" (kernel/abi.c).
   * Borrowed, constant; must outlive the engine. A guest that imports from
   * any other module is refused. NULL and 0: WASI alone. */
  const pg_host_module *host_modules;
  size_t nhost_modules;
} pg_engine_config;

struct Z_parigot_instance_t;

typedef struct pg_instance_config {
  uint64_t max_memory_bytes; /* 0: PG_ENGINE_DEFAULT_MAX_MEMORY */
  pg_wasi_config wasi;
  /* what the guest's imports from the engine's host_modules receive (the
   * kernel's guest, for module "parigot"); borrowed, must outlive the
   * instance; NULL when there is none (they must then cope with NULL) */
  struct Z_parigot_instance_t *parigot;
} pg_instance_config;

typedef struct pg_run_result {
  int code;           /* PG_RT_OK, PG_RT_EXIT, a trap, PG_RT_INTERRUPTED */
  uint32_t exit_code; /* with PG_RT_EXIT: the guest's status */
} pg_run_result;

/**
 * @brief Creates an engine and opens its module cache.
 * @param[out] out  the engine, owned by the caller (pg_engine_free); left
 * unchanged on failure.
 * @return 0, or PARIGOT_ENOMEM, PARIGOT_EIO or PARIGOT_EINVAL (cache
 * directory unusable; @p err says why).
 */
int pg_engine_new(pg_engine **out, const pg_engine_config *cfg,
                  const pg_mem *mem, char *err, size_t err_len);

/** @brief Frees @p e; does nothing when NULL. Modules must be freed first. */
void pg_engine_free(pg_engine *e);

/** @brief The message of the last failure; owned by @p e, valid until the
 * next call on it. */
const char *pg_engine_errmsg(const pg_engine *e);

/**
 * @brief Loads the module at @p path, compiling it unless cached.
 *
 * A damaged cache entry is detected, rebuilt and replaced.
 * @param[out] out  the module, owned by the caller (pg_module_free).
 * @return 0, or PARIGOT_ENOENT/PARIGOT_EIO (unreadable file),
 * PARIGOT_ENOTWASM, PARIGOT_EBADMODULE, PARIGOT_EUNSUPPORTED,
 * PARIGOT_EIMPORT, PARIGOT_ENOCC, PARIGOT_ECOMPILE, PARIGOT_ELOAD,
 * PARIGOT_ENOMEM. pg_engine_errmsg() names the file and the reason.
 */
int pg_module_load(pg_engine *e, const char *path, pg_module **out);

/* How a module is loaded (pg_module_load_with). */
typedef struct pg_module_options {
  /* Rewrite the module with the fuel metering pass (meter.h) before it is
   * compiled: its instances then burn fuel as they run, and stop with
   * PG_RT_OUT_OF_FUEL once it is spent (pg_instance_set_fuel). The metered
   * module is cached under the key of its own bytes, so the metered and
   * plain builds of one file never share an entry. */
  bool is_metered;
} pg_module_options;

/**
 * @brief pg_module_load(), with @p opts (NULL: the defaults, a plain
 * module).
 * @return what pg_module_load() returns; a module the metering pass
 * cannot read is refused with PARIGOT_EBADMODULE or PARIGOT_EUNSUPPORTED,
 * pg_engine_errmsg() naming the file, the instruction or fault and its byte
 * offset.
 */
int pg_module_load_with(pg_engine *e, const char *path,
                        const pg_module_options *opts, pg_module **out);

/** @brief Whether @p m counts fuel (loaded with is_metered). */
bool pg_module_is_metered(const pg_module *m);

/** @brief Whether the last load found a valid cache entry. */
bool pg_module_was_cached(const pg_module *m);

/* The compiled object @p m was loaded from (a cache entry), for parigot
 * build to take with it. Owned by @p m. */
const char *pg_module_object(const pg_module *m);

/** @brief Whether the last load found and replaced a damaged entry. */
bool pg_module_was_repaired(const pg_module *m);

/** @brief Whether the module exports a () -> () function called @p name. */
bool pg_module_has_entry(const pg_module *m, const char *name);

/** @brief The name of the module's @p i-th () -> () export, or NULL past
 * the last one; owned by the module. */
const char *pg_module_entry_name(const pg_module *m, size_t i);

/** @brief Frees @p m; its instances must be freed first. NULL is a no-op. */
void pg_module_free(pg_module *m);

/**
 * @brief Creates an instance of @p m; runs no guest code yet.
 * @return 0, or PARIGOT_ENOMEM, PARIGOT_EINVAL (bad environment entry).
 */
int pg_instance_new(pg_module *m, const pg_instance_config *cfg,
                    pg_instance **out);

/**
 * @brief Runs the exported function @p entry, instantiating the module
 * first if this is the instance's first run.
 *
 * Blocks until the guest returns, exits, traps or is interrupted; @p out
 * says which. A metered instance that runs out of fuel ends with
 * PG_RT_OUT_OF_FUEL, told apart from the guest's own `unreachable` by its
 * counter having gone below zero. An instance that trapped, exited or was
 * interrupted is dead.
 * @return 0 (see @p out), or PARIGOT_EINVAL (no such () -> () export, or a
 * dead instance).
 */
int pg_instance_run(pg_instance *inst, const char *entry, pg_run_result *out);

/**
 * @brief Stops the instance's guest code as soon as possible, even in a
 * loop that never calls the host. Any thread. The instance must stay alive,
 * and its running thread must not exit, until this returns.
 */
void pg_instance_interrupt(pg_instance *inst);

/**
 * @brief Sets the fuel the next run of @p inst may burn (meter.h: about
 * one unit per instruction). It is written into the guest when the run
 * starts, so it may be set before the first run. An instance starts with
 * INT64_MAX, no limit in practice. Does nothing for a plain module. The
 * thread that runs the instance, between runs.
 */
void pg_instance_set_fuel(pg_instance *inst, int64_t fuel);

/**
 * @brief The fuel @p inst has left after its last run (below zero after a
 * run that ended PG_RT_OUT_OF_FUEL). After a run that was interrupted, it
 * may be more than was left: the compiled code keeps the counter in a
 * register in a loop.
 * @return 0, or PARIGOT_EINVAL when its module is not metered.
 */
int pg_instance_fuel(const pg_instance *inst, int64_t *out);

/** @brief The instance's linear memory (its size changes as it grows), or
 * NULL for a module without one. Valid for the instance's life. */
wasm_rt_memory_t *pg_instance_memory(pg_instance *inst);

/** @brief The frame of the run in progress, for host imports that must mark
 * host code (pg_rt_host_enter); NULL outside pg_instance_run. Only the
 * running thread may use it. */
pg_rt_frame *pg_instance_frame(pg_instance *inst);

/** @brief Frees @p inst and everything its guest held. NULL is a no-op. */
void pg_instance_free(pg_instance *inst);

#endif /* PG_ENGINE_H */
