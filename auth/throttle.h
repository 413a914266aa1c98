/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/throttle.h: slowing down a client that keeps failing to log in.
 *
 * Counts failures per client (an address, as a string), in a table of at
 * most max_clients entries (the least recently used one is forgotten to make
 * room). The numbers: a client's first PG_THROTTLE_FREE_FAILURES failures
 * cost nothing; after that each failure doubles the hold on its next check,
 * from PG_THROTTLE_FIRST_DELAY_NS up to PG_THROTTLE_MAX_DELAY_NS; a client
 * with no failure for PG_THROTTLE_FORGET_NS, or one that logs in, starts
 * over. NOT thread-safe: one thread (the wire's loop) owns a pg_throttle.
 */
#ifndef PG_AUTH_THROTTLE_H
#define PG_AUTH_THROTTLE_H

#include <stdint.h>

#include "mem.h"

#define PG_THROTTLE_FREE_FAILURES 5
#define PG_THROTTLE_FIRST_DELAY_NS 500000000ull /* 0.5 s after the 5th */
#define PG_THROTTLE_MAX_DELAY_NS 16000000000ull /* 16 s from the 10th on */
#define PG_THROTTLE_FORGET_NS 900000000000ull   /* 15 min without failure */
#define PG_THROTTLE_CLIENT_MAX 96 /* bytes of a client kept; longer: cut */

typedef struct pg_throttle pg_throttle;

/** @brief A new table of at most @p max_clients (>= 1) clients; @p mem is
 * borrowed and must outlive it. 0, PARIGOT_EINVAL or PARIGOT_ENOMEM; *out
 * is left as it was on failure. */
int pg_throttle_new(uint32_t max_clients, const pg_mem *mem, pg_throttle **out);

/** @brief How long to hold this client's next check, in ns from @p now_ns:
 * 0 for the first PG_THROTTLE_FREE_FAILURES failures, then
 * PG_THROTTLE_FIRST_DELAY_NS doubling per failure up to
 * PG_THROTTLE_MAX_DELAY_NS, counted from the last failure (time already
 * waited is deducted); 0 again once PG_THROTTLE_FORGET_NS passed since it.
 * @p client is borrowed for the call. */
uint64_t pg_throttle_delay(pg_throttle *t, const char *client, uint64_t now_ns);

/** @brief Counts a failed check of @p client (borrowed for the call) at
 * @p now_ns. */
void pg_throttle_failed(pg_throttle *t, const char *client, uint64_t now_ns);

/** @brief Forgets @p client's failures: it logged in. */
void pg_throttle_passed(pg_throttle *t, const char *client);

/** @brief Frees @p t; NULL is a no-op. */
void pg_throttle_free(pg_throttle *t);

#endif /* PG_AUTH_THROTTLE_H */
