/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/guests/exit_code.c: exits with the status given as argv[1], from
 * inside a nested call, after printing a line that must not be lost.
 */
#include <stdio.h>
#include <stdlib.h>

static void leave(int code) {
  printf("leaving with %d\n", code);
  exit(code);
}

int main(int argc, char **argv) {
  leave(argc > 1 ? atoi(argv[1]) : 0);
}
