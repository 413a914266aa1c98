/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_main.c: runs one registered test by name, or lists them.
 *
 * Owns the registry that PG_TEST fills before main(). `test_x NAME` runs the
 * test NAME and exits 0 when it returns; `test_x` alone runs every test in
 * order. Single-threaded.
 */
#include "test.h"

#define MAX_TESTS 512

static struct {
  const char *name;
  pg_test_fn fn;
} tests[MAX_TESTS];
static int ntests;

void pg_test_register(const char *name, pg_test_fn fn) {
  if (ntests == MAX_TESTS) {
    fprintf(stderr, "too many tests in one binary\n");
    exit(2);
  }
  tests[ntests].name = name;
  tests[ntests].fn = fn;
  ntests++;
}

/* The secret the units of an app sign their calls to each other with,
 * for the tests that start units one by one, as a deployment would; a
 * test of what happens without one unsets it. */
#define PG_TEST_APP_SECRET "the secret of parigot's tests"

int main(int argc, char **argv) {
  setenv("PARIGOT_APP_SECRET", PG_TEST_APP_SECRET, 0);
  if (argc > 1) {
    for (int i = 0; i < ntests; i++) {
      if (strcmp(tests[i].name, argv[1]) == 0) {
        tests[i].fn();
        return 0;
      }
    }
    fprintf(stderr, "no test named %s\n", argv[1]);
    return 2;
  }
  for (int i = 0; i < ntests; i++) {
    printf("%s\n", tests[i].name);
    tests[i].fn();
  }
  printf("%d passed, 0 failed\n", ntests);
  return 0;
}
