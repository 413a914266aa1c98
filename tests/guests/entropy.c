/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/guests/entropy.c: prints what a program could use to behave
 * differently between runs: random bytes, both clocks, and how long a
 * 50 ms sleep took. In deterministic mode every line must repeat.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

static long long ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
  unsigned char buf[16];
  if (getentropy(buf, sizeof buf) != 0)
    return 1;
  printf("random ");
  for (size_t i = 0; i < sizeof buf; i++)
    printf("%02x", buf[i]);
  printf("\nrand %d\n", rand());
  printf("realtime %lld\n", ns(CLOCK_REALTIME));
  long long t0 = ns(CLOCK_MONOTONIC);
  struct timespec d = {0, 50 * 1000 * 1000};
  nanosleep(&d, NULL);
  long long t1 = ns(CLOCK_MONOTONIC);
  printf("monotonic %lld\nslept %lld\n", t0, t1 - t0);
  return 0;
}
