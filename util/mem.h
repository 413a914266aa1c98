/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/mem.h: pg_mem, the allocator every host allocation goes through.
 *
 * One pg_mem per kernel (and later per guest) so that tests can fail the i-th
 * allocation and each guest's host memory can be counted; config/, wire/ and
 * the engine take one too. The default wraps libc. A pg_mem is immutable
 * once built, so any thread may use it.
 */
#ifndef PG_MEM_H
#define PG_MEM_H

#include <stddef.h>

typedef struct pg_mem {
  void *(*malloc)(size_t len_bytes, void *user_data);
  void *(*realloc)(void *p, size_t len_bytes, void *user_data);
  void (*free)(void *p, void *user_data);
  void *user_data; /* passed to each hook; owned by whoever built the pg_mem */
} pg_mem;

/** @brief The libc allocator. Never NULL; static storage. */
const pg_mem *pg_mem_default(void);

void *pg_mem_malloc(const pg_mem *mem, size_t len_bytes);
/** @brief Zeroed allocation of @p n * @p size bytes; NULL on overflow. */
void *pg_mem_calloc(const pg_mem *mem, size_t n, size_t size);
void *pg_mem_realloc(const pg_mem *mem, void *p, size_t len_bytes);
/** @brief Frees @p p; does nothing when @p p is NULL. */
void pg_mem_free(const pg_mem *mem, void *p);
/** @brief Copies a NUL-terminated string; the caller owns the copy. */
char *pg_mem_strdup(const pg_mem *mem, const char *s);

#endif /* PG_MEM_H */
