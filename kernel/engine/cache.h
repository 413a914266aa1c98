/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/cache.h: the on-disk cache of compiled guest modules.
 *
 * An entry is <dir>/<key>.so, where the key is the SHA-256 of everything
 * that decides the compiled code (wasm bytes, compiler identity, flags,
 * parigot version). Each entry ends with a trailer so that a truncated or
 * damaged file is detected before dlopen ever reads it:
 *
 *   offset from end  size  field
 *   -40              8     magic "PGSOSUM1"
 *   -32              32    SHA-256 of every byte before the trailer
 *
 * Entries are written to a temporary file and renamed into place, so two
 * processes compiling the same module at once never expose a partial file.
 * A pg_cache is used by one thread at a time; the directory may be shared by
 * any number of processes.
 */
#ifndef PG_CACHE_H
#define PG_CACHE_H

#include <stddef.h>

#include "mem.h"

#define PG_CACHE_TRAILER_BYTES 40

typedef struct pg_cache {
  char *dir;         /* owned; absolute or as given */
  const pg_mem *mem; /* borrowed */
} pg_cache;

/**
 * @brief Opens the cache directory, creating it (and parents) if needed.
 *
 * @p dir NULL means $PARIGOT_CACHE, else $XDG_CACHE_HOME/parigot, else
 * $HOME/.cache/parigot. On failure @p err says which directory and why.
 * @return 0, or PARIGOT_EINVAL (no directory can be chosen), PARIGOT_EIO,
 * PARIGOT_ENOMEM.
 */
int pg_cache_open(pg_cache *c, const char *dir, const pg_mem *mem, char *err,
                  size_t err_len);
void pg_cache_close(pg_cache *c);

/** @brief Writes "<dir>/<name>" into @p out; PARIGOT_ERANGE if too long. */
int pg_cache_path(const pg_cache *c, const char *name, char *out,
                  size_t out_len);

/**
 * @brief Checks the entry at @p path against its trailer.
 * @return 0 (intact), PARIGOT_ENOENT (absent), PARIGOT_ECACHE (damaged).
 */
int pg_cache_verify(const char *path);

/**
 * @brief Appends the trailer to @p tmp_path and renames it to @p path.
 * @return 0, or PARIGOT_EIO.
 */
int pg_cache_commit(const char *tmp_path, const char *path);

#endif /* PG_CACHE_H */
