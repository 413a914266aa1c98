/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/pulse.h: the timing pulse, a background tick that stops guests
 * that run past their deadline.
 *
 * Every interval the pulse thread interrupts each watched instance whose
 * deadline has passed, and keeps interrupting it on later ticks until it is
 * unwatched, so an interrupt that raced with the guest entering a blocking
 * host call is never lost. A guest is stopped within about one interval of
 * its deadline. The pulse owns its thread and its watch list; its functions
 * may be called from any thread.
 */
#ifndef PG_PULSE_H
#define PG_PULSE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "mem.h"

typedef struct pg_pulse pg_pulse;

/**
 * @brief Starts a pulse thread ticking every @p interval_ns.
 * @return 0, or PARIGOT_ENOMEM, PARIGOT_EIO (no thread).
 */
int pg_pulse_new(pg_pulse **out, uint64_t interval_ns, const pg_mem *mem);

/** @brief Stops the thread and frees @p p; NULL is a no-op. */
void pg_pulse_free(pg_pulse *p);

/**
 * @brief Interrupts @p inst once host monotonic time passes @p deadline_ns
 * (pg_clock_host_monotonic_ns()). Borrows @p inst until pg_pulse_unwatch().
 * @return 0, or PARIGOT_ENOMEM.
 */
int pg_pulse_watch(pg_pulse *p, pg_instance *inst, uint64_t deadline_ns);

/** @brief Stops watching @p inst; returns whether its deadline had fired. */
bool pg_pulse_unwatch(pg_pulse *p, pg_instance *inst);

#endif /* PG_PULSE_H */
