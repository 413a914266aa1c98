/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/guests/args_env.c: prints its arguments, then its whole environment,
 * one per line, so tests can check what reached the guest.
 */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++)
    printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = environ; *e; e++)
    printf("env %s\n", *e);
  return 0;
}
