/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/mem.c: the default pg_mem and the helpers that call through one.
 *
 * Owns nothing. Any thread.
 */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_malloc(size_t n, void *ud) {
  (void)ud;
  return malloc(n);
}

static void *libc_realloc(void *p, size_t n, void *ud) {
  (void)ud;
  return realloc(p, n);
}

static void libc_free(void *p, void *ud) {
  (void)ud;
  free(p);
}

static const pg_mem default_mem = {libc_malloc, libc_realloc, libc_free, NULL};

const pg_mem *pg_mem_default(void) {
  return &default_mem;
}

void *pg_mem_malloc(const pg_mem *mem, size_t len_bytes) {
  return mem->malloc(len_bytes ? len_bytes : 1, mem->user_data);
}

void *pg_mem_calloc(const pg_mem *mem, size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  void *p = pg_mem_malloc(mem, n * size);
  if (p)
    memset(p, 0, n * size);
  return p;
}

void *pg_mem_realloc(const pg_mem *mem, void *p, size_t len_bytes) {
  return mem->realloc(p, len_bytes ? len_bytes : 1, mem->user_data);
}

void pg_mem_free(const pg_mem *mem, void *p) {
  if (p)
    mem->free(p, mem->user_data);
}

char *pg_mem_strdup(const pg_mem *mem, const char *s) {
  size_t n = strlen(s) + 1;
  char *p = pg_mem_malloc(mem, n);
  if (p)
    memcpy(p, s, n);
  return p;
}
