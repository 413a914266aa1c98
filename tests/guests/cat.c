/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/guests/cat.c: copies stdin to stdout in upper case, then reports
 * the byte count on stderr.
 */
#include <ctype.h>
#include <stdio.h>

int main(void) {
  long n = 0;
  int c;
  while ((c = getchar()) != EOF) {
    putchar(toupper(c));
    n++;
  }
  fprintf(stderr, "%ld bytes\n", n);
  return 0;
}
