/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/compile.h: turns a wasm module into a shared object.
 *
 * wasm2c translates the module to C; parigot writes a small glue file that
 * gives every compiled module the same entry points (pg_glue_*), whatever
 * its imports and exports; the system C compiler builds both into one .so.
 * The caller caches the result. One thread at a time per call; the tools run
 * as child processes.
 */
#ifndef PG_COMPILE_H
#define PG_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "sha256.h"
#include "wasm_info.h"

/* Flags for the guest's C; $PARIGOT_CFLAGS adds more (both are in the key).
 * -lm: wasm2c's code calls libm for float rounding and square roots. */
#define PG_COMPILE_FLAGS                                                       \
  "-O2 -fPIC -shared -w -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1"
#define PG_COMPILE_LIBS "-lm"
#define PG_COMPILE_MAX_EXTRA_FLAGS 32

/* Bumped whenever the glue's entry points change. */
#define PG_GLUE_ABI 1

typedef struct pg_toolchain {
  char cc[4096];                   /* resolved path of the C compiler */
  char wasm2c[4096];               /* resolved path of wasm2c */
  uint8_t identity[PG_SHA256_LEN]; /* hash of both tools' identities */
} pg_toolchain;

/**
 * @brief Finds the C compiler ($CC, else cc) and wasm2c on $PATH.
 * @return 0, or PARIGOT_ENOCC (no compiler; @p err names what was tried),
 * PARIGOT_ENOENT (no wasm2c).
 */
int pg_toolchain_find(pg_toolchain *tc, char *err, size_t err_len);

/**
 * @brief The cache key of @p bytes compiled by @p tc: 64 hex digits.
 */
void pg_compile_key(const pg_toolchain *tc, const uint8_t *bytes, size_t len,
                    char out[65]);

/**
 * @brief Checks that every import of @p info is a host function with the
 * same signature: one of WASI's or of the @p nmods modules at @p mods
 * (borrowed).
 * @return 0, or PARIGOT_EIMPORT with @p err naming the module and field.
 */
int pg_compile_check_imports(const pg_wasm_info *info,
                             const pg_host_module *mods, size_t nmods,
                             char *err, size_t err_len);

/**
 * @brief Translates and compiles the module into @p out_so.
 *
 * Works in the existing directory @p workdir, which the caller removes.
 * @p name is how messages refer to the module (its path).
 * @return 0, or PARIGOT_EBADMODULE / PARIGOT_EUNSUPPORTED (wasm2c refused
 * the module; @p err says why), PARIGOT_ECOMPILE (the C compiler failed),
 * PARIGOT_EIO.
 */
int pg_compile_module(const pg_toolchain *tc, const pg_wasm_info *info,
                      const uint8_t *bytes, size_t len, const char *name,
                      const char *workdir, const char *out_so, char *err,
                      size_t err_len);

/**
 * @brief Applies parigot's patches to @p text, the C wasm2c wrote for the
 * module @p name into @p file (both only named in messages).
 *
 * Borrows @p text for the call.
 * @param[out] out  the patched text, with parigot's prelude in front; heap,
 * owned by the caller (free()); set only on success.
 * @return 0, or PARIGOT_ECOMPILE (a patch every output of wasm2c 1.0.32
 * needs matches nothing: another wasm2c; @p err names the module, the
 * patch and @p file), PARIGOT_EUNSUPPORTED (an imported function in a
 * table, which this wasm2c's output cannot be fixed for), PARIGOT_ENOMEM.
 */
int pg_compile_patch_text(const char *text, const char *name, const char *file,
                          char **out, char *err, size_t err_len);

#endif /* PG_COMPILE_H */
