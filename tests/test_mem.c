/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mem.c: the counting allocator of test_mem.h.
 */
#include "test_mem.h"

#include <stdlib.h>

static bool should_fail(counter *c) {
  return c->calls++ == c->fail_at;
}

static void *count_malloc(size_t size, void *user_data) {
  counter *c = user_data;
  void *p = should_fail(c) ? NULL : malloc(size);
  c->live += p != NULL;
  c->peak = c->live > c->peak ? c->live : c->peak;
  return p;
}

static void *count_realloc(void *ptr, size_t size, void *user_data) {
  counter *c = user_data;
  void *p = should_fail(c) ? NULL : realloc(ptr, size);
  c->live += p != NULL && ptr == NULL;
  c->peak = c->live > c->peak ? c->live : c->peak;
  return p;
}

static void count_free(void *ptr, void *user_data) {
  counter *c = user_data;
  c->live -= ptr != NULL;
  free(ptr);
}

pg_mem counting_mem(counter *c) {
  return (pg_mem){count_malloc, count_realloc, count_free, c};
}
