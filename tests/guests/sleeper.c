/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/guests/sleeper.c: sleeps argv[1] seconds inside a host call, then
 * says so. Used to show that a timeout interrupts a blocked host call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  printf("sleeping\n");
  fflush(stdout);
  sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 100);
  printf("woke\n");
  return 0;
}
