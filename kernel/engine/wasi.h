/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi.h: WASI preview 1 for guests (import module
 * "wasi_snapshot_preview1").
 *
 * Enough for wasi-libc C programs and for Rust and AssemblyScript: args,
 * environ, clocks, random, stdin/stdout/stderr, proc_exit, poll_oneoff for
 * sleeping, and files. Fds 0-2 are character devices whatever the host
 * fds behind them are, without the rights to seek or tell (which fail with
 * ESPIPE), so libc line-buffers stdout as on a terminal. Fds 3 and up are
 * the directories preopened for the guest and the files it opens beneath
 * them (wasi_fs.h, which owns that sandbox). Every pointer and length a
 * guest passes is checked against its linear memory before use.
 *
 * A pg_wasi belongs to one guest instance and is used by the thread running
 * that instance. It is the "instance" wasm2c passes to each WASI import.
 */
#ifndef PG_WASI_H
#define PG_WASI_H

#include <stdbool.h>
#include <stdint.h>

#include <wasm-rt.h>

#include "clock.h"
#include "host.h"
#include "mem.h"
#include "rng.h"
#include "rt.h"
#include "wasi_fs.h"

typedef struct pg_wasi_config {
  int argc;
  const char *const *argv; /* borrowed; copied by pg_wasi_init */
  int envc;
  const char *const *env; /* "KEY=VALUE" strings; copied */
  bool is_deterministic;  /* virtual clock and seeded random */
  bool has_real_clock;    /* with is_deterministic: the clock stays real,
                             for benchmarks that time a deterministic run */
  uint64_t seed;          /* random seed in deterministic mode */
  int stdio_fds[3];       /* host fds behind guest fds 0, 1, 2 */
  /* Directories the guest sees, as fds 3, 4, ... in this order; borrowed,
   * copied by pg_wasi_init. NULL and 0: no filesystem. */
  const pg_wasi_preopen *preopens;
  size_t npreopens;
  uint64_t write_quota_bytes; /* bytes the guest may write to files; 0: any */
  uint32_t max_fds; /* open files and directories; 0: PG_WASI_DEFAULT_MAX_FDS */
} pg_wasi_config;

typedef struct Z_wasi_snapshot_preview1_instance_t pg_wasi;

struct Z_wasi_snapshot_preview1_instance_t {
  const pg_mem *mem;
  pg_rt_frame *frame;             /* set by the engine while a run lasts */
  const wasm_rt_memory_t *memory; /* the guest's memory, or NULL */
  char *args;                     /* argc NUL-terminated strings, owned */
  uint32_t argc, args_bytes;
  char *env; /* envc NUL-terminated strings, owned */
  uint32_t envc, env_bytes;
  int stdio_fds[3];
  bool is_closed[3];
  pg_clock clock;
  pg_rng rng;
  pg_wasi_fs fs; /* fds 3 and up */
};

/**
 * @brief Prepares @p w from @p cfg; copies the strings.
 * @return 0, or PARIGOT_ENOMEM, PARIGOT_EINVAL (an env entry without '=' or
 * args and env larger than 4 GiB, or more preopens than max_fds),
 * PARIGOT_ENOENT (a preopen's host directory is missing), PARIGOT_EIO (it
 * cannot be opened, or copied in deterministic mode).
 */
int pg_wasi_init(pg_wasi *w, const pg_wasi_config *cfg, const pg_mem *mem);
void pg_wasi_deinit(pg_wasi *w);

/** @brief The import module description, for the engine's import check. */
extern const pg_host_module pg_wasi_module;

#endif /* PG_WASI_H */
