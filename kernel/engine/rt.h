/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/rt.h: the engine's side of parigot's own wasm-rt runtime.
 *
 * wasm2c's generated code calls the wasm_rt_* functions declared in Debian's
 * <wasm-rt.h>; kernel/engine/wasm_rt.c defines them so that many instances can
 * run on many threads (Debian's libwasm-rt-impl keeps its trap jump buffer in a
 * global). Guest code always runs inside a pg_rt_frame: a trap, proc_exit or
 * an interrupt unwinds to the frame with siglongjmp and becomes a value. A
 * frame belongs to the thread that entered it.
 */
#ifndef PG_RT_H
#define PG_RT_H

#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <wasm-rt.h>

/* What unwound a frame: wasm_rt_trap_t values (1..15) or one of these. */
enum {
  PG_RT_OK = 0,
  PG_RT_MEMORY_OOB = 100,  /* guard-page fault in linear memory */
  PG_RT_EXIT = 101,        /* the guest called proc_exit */
  PG_RT_INTERRUPTED = 102, /* pg_rt_frame.interrupt was set */
  PG_RT_MEMLIMIT = 103,    /* initial memory above the instance's limit */
  PG_RT_NOSPACE = 104,     /* the host could not reserve address space */
  PG_RT_OUT_OF_FUEL = 105, /* a metered module burnt its fuel (meter.h) */
};

typedef struct pg_rt_frame {
  jmp_buf jmp;                    /* sigsetjmp target, see below */
  const wasm_rt_memory_t *memory; /* the instance's memory, for faults */
  uint32_t max_pages;             /* memory limit for this instance */
  uint32_t exit_code;             /* valid when unwound with PG_RT_EXIT */
  atomic_int *interrupt;          /* set by another thread to stop us */
  volatile sig_atomic_t in_guest; /* 0 while a host import runs */
  volatile sig_atomic_t code;     /* why the frame unwound */
} pg_rt_frame;

/*
 * The one way to run guest code (sigsetjmp may only be a whole controlling
 * expression, so this is a pattern rather than a macro):
 *
 *   pg_rt_frame_init(&f, max_pages, &interrupt);
 *   if (sigsetjmp(f.jmp, 1) == 0) {
 *     pg_rt_frame_enter(&f);
 *     ...call into the guest...
 *     pg_rt_frame_leave(&f);
 *     code = PG_RT_OK;
 *   } else {
 *     code = pg_rt_frame_unwound(&f);
 *   }
 */

/** @brief Installs the signal handlers once per process. Any thread. */
int pg_rt_init(void);

/** @brief The signal that pg_rt_frame_kick() sends to a guest's thread. */
int pg_rt_interrupt_signal(void);

void pg_rt_frame_init(pg_rt_frame *f, uint32_t max_pages,
                      atomic_int *interrupt);
void pg_rt_frame_enter(pg_rt_frame *f);
void pg_rt_frame_leave(pg_rt_frame *f);
/** @brief Called after a siglongjmp lands; returns the unwinding code. */
int pg_rt_frame_unwound(pg_rt_frame *f);

/** @brief Unwinds the current frame with @p code; never returns. */
_Noreturn void pg_rt_unwind(int code);

/**
 * @brief Marks the start and end of host code called by a guest.
 *
 * Between them an interrupt only sets a flag (blocking syscalls return
 * EINTR), so host code is never abandoned holding a lock or an allocation;
 * pg_rt_host_leave() then unwinds if an interrupt is pending.
 */
static inline void pg_rt_host_enter(pg_rt_frame *f) {
  f->in_guest = 0;
  atomic_signal_fence(memory_order_seq_cst);
}

static inline void pg_rt_host_leave(pg_rt_frame *f) {
  atomic_signal_fence(memory_order_seq_cst);
  f->in_guest = 1;
  atomic_signal_fence(memory_order_seq_cst);
  if (atomic_load_explicit(f->interrupt, memory_order_relaxed))
    pg_rt_unwind(PG_RT_INTERRUPTED);
}

/** @brief A name for an unwinding code: "integer divide by zero", ... */
const char *pg_rt_trap_name(int code);

#endif /* PG_RT_H */
