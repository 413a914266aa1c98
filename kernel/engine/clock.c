/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/clock.c: real and virtual clocks (see clock.h).
 *
 * Owns nothing. Calls clock_gettime. One thread at a time per pg_clock.
 */
#include "clock.h"

#include <errno.h>
#include <time.h>

void pg_clock_init(pg_clock *c, bool is_virtual) {
  c->is_virtual = is_virtual;
  c->virtual_ns = 0;
}

static int os_clock(uint32_t id, clockid_t *out) {
  static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
                                  CLOCK_PROCESS_CPUTIME_ID,
                                  CLOCK_THREAD_CPUTIME_ID};
  if (id >= sizeof ids / sizeof ids[0])
    return -EINVAL;
  *out = ids[id];
  return 0;
}

int pg_clock_now(pg_clock *c, uint32_t id, uint64_t *out_ns) {
  clockid_t cid;
  int rc = os_clock(id, &cid);
  if (rc)
    return rc;
  if (c->is_virtual) {
    c->virtual_ns += PG_CLOCK_VIRTUAL_TICK_NS;
    *out_ns = c->virtual_ns +
              (id == PG_CLOCK_REALTIME ? PG_CLOCK_VIRTUAL_EPOCH_NS : 0);
    return 0;
  }
  struct timespec ts;
  if (clock_gettime(cid, &ts) != 0)
    return -errno;
  *out_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  return 0;
}

int pg_clock_resolution(const pg_clock *c, uint32_t id, uint64_t *out_ns) {
  clockid_t cid;
  int rc = os_clock(id, &cid);
  if (rc)
    return rc;
  if (c->is_virtual) {
    *out_ns = PG_CLOCK_VIRTUAL_TICK_NS;
    return 0;
  }
  struct timespec ts;
  if (clock_getres(cid, &ts) != 0)
    return -errno;
  *out_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  return 0;
}

void pg_clock_advance(pg_clock *c, uint64_t ns) {
  if (c->is_virtual)
    c->virtual_ns += ns;
}

uint64_t pg_clock_host_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
