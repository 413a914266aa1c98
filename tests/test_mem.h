/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_mem.h: a pg_mem that counts, for tests that prove "nothing
 * leaks" and "an allocation failure at any point is handled".
 */
#ifndef PG_TEST_MEM_H
#define PG_TEST_MEM_H

#include <stdbool.h>

#include "mem.h"

/* Counts allocations and live blocks; fails the fail_at-th call if >= 0. */
typedef struct counter {
  long calls;   /* malloc and realloc calls so far */
  long live;    /* blocks allocated and not yet freed */
  long fail_at; /* call number that returns NULL, or -1 */
  long peak;    /* the most blocks live at once */
} counter;

/* A pg_mem over malloc that updates @p c; valid while @p c lives. */
pg_mem counting_mem(counter *c);

#endif /* PG_TEST_MEM_H */
