/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/hello-wasi/hello.c: the smallest parigot guest, a WASI command.
 *
 * Prints a greeting to stdout, naming its first argument when given. Built to
 * wasm32-wasi by `make` and run by `make run` through `parigot exec`.
 */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("Hello, %s! (from a WebAssembly guest run by parigot)\n",
         argc > 1 ? argv[1] : "world");
  return 0;
}
