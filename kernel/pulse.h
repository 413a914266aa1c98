/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/pulse.h: the timing pulse, a background thread that calls one
 * function every interval.
 *
 * The kernel's time-driven work hangs off it, so the threads that run
 * guests never look at a clock for it: an app's pulse fires call deadlines
 * and wakes idle workers (app.c); `parigot exec --timeout` stops a guest
 * that runs too long (cmd/parigot/exec.c). The pulse thread blocks every
 * signal, so the signal that interrupts a guest never lands on it. It owns
 * its thread; pg_pulse_new and pg_pulse_free belong to one thread.
 */
#ifndef PG_PULSE_H
#define PG_PULSE_H

#include <stdint.h>

#include "mem.h"

typedef struct pg_pulse pg_pulse;

/* Called on the pulse thread, about every interval. */
typedef void pg_pulse_fn(void *arg);

/**
 * @brief Starts a thread that calls @p fn(@p arg) every @p interval_ns,
 * the first time one interval from now. @p arg is borrowed until
 * pg_pulse_free().
 * @return 0, or PARIGOT_ENOMEM, PARIGOT_EIO (no thread).
 */
int pg_pulse_new(pg_pulse **out, uint64_t interval_ns, pg_pulse_fn *fn,
                 void *arg, const pg_mem *mem);

/**
 * @brief Stops the thread, waiting for a call of the function in progress,
 * and frees @p p; NULL is a no-op. Once it returns the function is never
 * called again.
 */
void pg_pulse_free(pg_pulse *p);

#endif /* PG_PULSE_H */
