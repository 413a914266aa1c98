/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/arena.c: a bump allocator for per-call message memory.
 *
 * Blocks double from 4 KiB to 1 MiB (a request larger than that gets a block
 * of its own), so a call that decodes a small message costs one block and a
 * call that decodes a large one costs a few. Reset keeps the biggest block:
 * a service answering the same kind of request again and again stops
 * touching the backing allocator after its first call.
 */
#include "parigot/pb.h"

#include <stdalign.h>
#include <string.h>

#define ARENA_ALIGN alignof(max_align_t)
#define FIRST_BLOCK 4096u
#define MAX_GROWTH (1u << 20)

struct parigot_arena_block {
  struct parigot_arena_block *next;
  size_t size; /* usable bytes after the header */
};

static size_t header_size(void) {
  return (sizeof(struct parigot_arena_block) + ARENA_ALIGN - 1) &
         ~(size_t)(ARENA_ALIGN - 1);
}

static uint8_t *block_data(struct parigot_arena_block *b) {
  return (uint8_t *)b + header_size();
}

static void *arena_alloc_cb(void *ctx, size_t size) {
  return parigot_arena_alloc(ctx, size);
}

void parigot_arena_init(parigot_arena *arena,
                        const parigot_pb_allocator *backing) {
  memset(arena, 0, sizeof *arena);
  arena->backing = backing ? backing : &parigot_pb_malloc_allocator;
  arena->block_size = FIRST_BLOCK;
  arena->allocator.alloc = arena_alloc_cb;
  arena->allocator.free = NULL;
  arena->allocator.ctx = arena;
}

const parigot_pb_allocator *parigot_arena_allocator(parigot_arena *arena) {
  return &arena->allocator;
}

void *parigot_arena_alloc(parigot_arena *arena, size_t size) {
  if (size > SIZE_MAX - ARENA_ALIGN - header_size())
    return NULL;
  /* Zero bytes still get a distinct pointer, as malloc's callers expect. */
  size = size == 0 ? ARENA_ALIGN
                   : (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (size > (size_t)(arena->end - arena->next)) {
    size_t want = size > arena->block_size ? size : arena->block_size;
    struct parigot_arena_block *b =
        arena->backing->alloc(arena->backing->ctx, header_size() + want);
    if (b == NULL)
      return NULL;
    b->size = want;
    b->next = arena->blocks;
    arena->blocks = b;
    arena->next = block_data(b);
    arena->end = arena->next + want;
    if (arena->block_size < MAX_GROWTH)
      arena->block_size *= 2;
  }
  void *p = arena->next;
  arena->next += size;
  return p;
}

void parigot_arena_reset(parigot_arena *arena) {
  struct parigot_arena_block *keep = NULL, *b = arena->blocks;
  while (b != NULL) {
    struct parigot_arena_block *next = b->next;
    if (keep == NULL || b->size > keep->size) {
      if (keep != NULL && arena->backing->free != NULL)
        arena->backing->free(arena->backing->ctx, keep);
      keep = b;
    } else if (arena->backing->free != NULL) {
      arena->backing->free(arena->backing->ctx, b);
    }
    b = next;
  }
  arena->blocks = keep;
  if (keep != NULL) {
    keep->next = NULL;
    arena->next = block_data(keep);
    arena->end = arena->next + keep->size;
  } else {
    arena->next = arena->end = NULL;
  }
}

void parigot_arena_free(parigot_arena *arena) {
  const parigot_pb_allocator *backing = arena->backing;
  struct parigot_arena_block *b = arena->blocks;
  while (b != NULL) {
    struct parigot_arena_block *next = b->next;
    if (backing->free != NULL)
      backing->free(backing->ctx, b);
    b = next;
  }
  parigot_arena_init(arena, backing);
}
