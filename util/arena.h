/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/arena.h: a bump allocator whose memory is given back all at once.
 *
 * For trees built once and freed whole (a TOML document, the JSON
 * transcoder's message descriptions): each allocation is carved from the
 * newest chunk, chunks come from a pg_mem, and pg_arena_deinit frees them
 * all, so a failed build cannot leak. An arena is used by one thread at a
 * time; what it handed out is read-only or owned by its user until then.
 */
#ifndef PG_ARENA_H
#define PG_ARENA_H

#include <stddef.h>

#include "mem.h"

typedef struct pg_arena_chunk pg_arena_chunk;

typedef struct pg_arena {
  const pg_mem *mem;      /* borrowed; must outlive the arena */
  pg_arena_chunk *chunks; /* newest first, owned */
  size_t next_bytes;      /* size of the next regular chunk */
  size_t max_bytes;       /* chunks double up to this size */
} pg_arena;

/**
 * @brief Prepares @p a, which allocates nothing yet: its first chunk will
 * hold @p first_bytes, and each next one twice the last up to @p max_bytes
 * (a bigger allocation gets a chunk of its own size).
 */
void pg_arena_init(pg_arena *a, const pg_mem *mem, size_t first_bytes,
                   size_t max_bytes);

/** @brief Frees every chunk of @p a; what it handed out is gone. */
void pg_arena_deinit(pg_arena *a);

/**
 * @brief @p len_bytes, aligned for any type, not zeroed; owned by @p a.
 * @return NULL when out of memory or @p len_bytes is absurd (> SIZE_MAX/2).
 */
void *pg_arena_alloc(pg_arena *a, size_t len_bytes);

/** @brief Zeroed room for @p n elements of @p size bytes; NULL when out of
 * memory or on overflow. Owned by @p a. */
void *pg_arena_calloc(pg_arena *a, size_t n, size_t size);

/** @brief A NUL-terminated copy of the @p len bytes at @p s, owned by
 * @p a; NULL when out of memory. */
char *pg_arena_strdup(pg_arena *a, const char *s, size_t len);

#endif /* PG_ARENA_H */
