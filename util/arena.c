/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/arena.c: the bump allocator (see arena.h).
 *
 * Owns its chunks; calls only its pg_mem. One thread at a time per arena.
 */
#include "arena.h"

#include <stdint.h>
#include <string.h>

/* One block of the arena. data[] is max_align_t so any value fits. */
struct pg_arena_chunk {
  pg_arena_chunk *next;
  size_t used, size; /* bytes of data[] handed out / available */
  max_align_t data[];
};

void pg_arena_init(pg_arena *a, const pg_mem *mem, size_t first_bytes,
                   size_t max_bytes) {
  *a = (pg_arena){.mem = mem,
                  .next_bytes = first_bytes > 0 ? first_bytes : 1,
                  .max_bytes = max_bytes};
}

void pg_arena_deinit(pg_arena *a) {
  for (pg_arena_chunk *c = a->chunks, *next; c != NULL; c = next) {
    next = c->next;
    pg_mem_free(a->mem, c);
  }
  a->chunks = NULL;
}

static pg_arena_chunk *chunk_new(pg_arena *a, size_t n) {
  size_t size = n > a->next_bytes ? n : a->next_bytes;
  pg_arena_chunk *c = pg_mem_malloc(a->mem, sizeof *c + size);
  if (c == NULL)
    return NULL;
  c->used = 0;
  c->size = size;
  c->next = a->chunks;
  a->chunks = c;
  if (size == a->next_bytes && a->next_bytes < a->max_bytes)
    a->next_bytes =
        a->next_bytes * 2 < a->max_bytes ? a->next_bytes * 2 : a->max_bytes;
  return c;
}

void *pg_arena_alloc(pg_arena *a, size_t len_bytes) {
  const size_t align = sizeof(max_align_t);
  if (len_bytes > SIZE_MAX / 2)
    return NULL;
  size_t n = (len_bytes + align - 1) / align * align;
  pg_arena_chunk *c = a->chunks;
  if (c == NULL || c->size - c->used < n) {
    c = chunk_new(a, n);
    if (c == NULL)
      return NULL;
  }
  void *p = (unsigned char *)c->data + c->used;
  c->used += n;
  return p;
}

void *pg_arena_calloc(pg_arena *a, size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / 2 / size)
    return NULL;
  void *p = pg_arena_alloc(a, n * size);
  if (p != NULL)
    memset(p, 0, n * size);
  return p;
}

char *pg_arena_strdup(pg_arena *a, const char *s, size_t len) {
  char *copy = len < SIZE_MAX / 2 ? pg_arena_alloc(a, len + 1) : NULL;
  if (copy == NULL)
    return NULL;
  if (len > 0)
    memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}
