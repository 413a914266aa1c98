/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasm_rt.c: parigot's wasm-rt, the runtime wasm2c's code links
 * to.
 *
 * Defines every wasm_rt_* function of Debian's <wasm-rt.h> so that it is safe
 * with many instances on many threads: the trap target, the exception state
 * and the current frame are thread-local; the function-type registry is
 * process-wide (wasm2c's code registers types without any context) and
 * guarded by a mutex. Linear memory uses guard pages: 8 GiB of address space
 * per memory, so any 32-bit address plus offset lands in a PROT_NONE page
 * and the SIGSEGV handler turns the fault into a trap. The handler only acts
 * when the fault is in the running instance's memory or stack; any other
 * fault goes to the previous handler, so a host bug still crashes loudly.
 * Signal handlers are process-wide by nature; they are installed once.
 */
#include "rt.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE_BYTES 65536u
/* 4 GiB of addresses + 4 GiB of offsets + room for the widest access. */
#define RESERVE_BYTES (0x200000000ull + PAGE_BYTES)
#define ALT_STACK_BYTES (64u * 1024u)
#define MAX_EXCEPTION_BYTES 1024u

typedef struct rt_thread {
  pg_rt_frame *frame;     /* the frame running here, or NULL */
  jmp_buf *unwind_target; /* where wasm_rt_throw lands */
  uintptr_t stack_lo;     /* this thread's stack, for overflow faults */
  uintptr_t stack_hi;
  bool has_alt_stack;
  uint32_t exception_tag;
  uint32_t exception_size;
  uint8_t exception[MAX_EXCEPTION_BYTES];
} rt_thread;

static _Thread_local rt_thread self;

/* Process-wide state, see the file comment. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status;
static struct sigaction prev_segv, prev_bus;
static pthread_key_t alt_stack_key;

static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;
static char **types;    /* registered signatures, index+1 is the type id */
static uint32_t ntypes; /* guarded by types_lock */
static atomic_uint ntags;

const char *pg_rt_trap_name(int code) {
  switch (code) {
  case WASM_RT_TRAP_OOB:
    return "out of bounds memory or table access";
  case WASM_RT_TRAP_INT_OVERFLOW:
    return "integer overflow";
  case WASM_RT_TRAP_DIV_BY_ZERO:
    return "integer divide by zero";
  case WASM_RT_TRAP_INVALID_CONVERSION:
    return "invalid conversion to integer";
  case WASM_RT_TRAP_UNREACHABLE:
    return "unreachable executed";
  case WASM_RT_TRAP_CALL_INDIRECT:
    return "indirect call to a null, out-of-range or mistyped function";
  case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
    return "uncaught exception";
  case WASM_RT_TRAP_EXHAUSTION:
    return "call stack exhausted";
  case PG_RT_MEMORY_OOB:
    return "out of bounds memory access";
  case PG_RT_EXIT:
    return "exit";
  case PG_RT_INTERRUPTED:
    return "interrupted";
  case PG_RT_OUT_OF_FUEL:
    return "out of fuel";
  case PG_RT_MEMLIMIT:
    return "initial memory exceeds the memory limit";
  case PG_RT_NOSPACE:
    return "host out of address space for linear memory";
  }
  return "unknown trap";
}

/* ---- frames and threads ---- */

static void free_alt_stack(void *p) {
  stack_t off = {.ss_flags = SS_DISABLE};
  sigaltstack(&off, NULL);
  munmap(p, ALT_STACK_BYTES);
}

/* The SIGSEGV for a stack overflow runs on an alternate stack, which each
 * thread needs its own of; the key's destructor frees it at thread exit. */
static void thread_setup(void) {
  pthread_attr_t attr;
  void *lo;
  size_t size;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
      self.stack_lo = (uintptr_t)lo;
      self.stack_hi = (uintptr_t)lo + size;
    }
    pthread_attr_destroy(&attr);
  }
  void *alt = mmap(NULL, ALT_STACK_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (alt == MAP_FAILED)
    return;
  stack_t ss = {.ss_sp = alt, .ss_size = ALT_STACK_BYTES};
  if (sigaltstack(&ss, NULL) != 0) {
    munmap(alt, ALT_STACK_BYTES);
    return;
  }
  pthread_setspecific(alt_stack_key, alt);
  self.has_alt_stack = true;
}

void pg_rt_frame_init(pg_rt_frame *f, uint32_t max_pages,
                      atomic_int *interrupt) {
  f->memory = NULL;
  f->max_pages = max_pages;
  f->exit_code = 0;
  f->interrupt = interrupt;
  f->in_guest = 0;
  f->code = PG_RT_OK;
}

void pg_rt_frame_enter(pg_rt_frame *f) {
  if (!self.has_alt_stack)
    thread_setup();
  self.frame = f;
  self.unwind_target = &f->jmp;
  atomic_signal_fence(memory_order_seq_cst);
  f->in_guest = 1;
  atomic_signal_fence(memory_order_seq_cst);
  /* An interrupt that arrived before we entered must not be lost. */
  if (atomic_load(f->interrupt))
    pg_rt_unwind(PG_RT_INTERRUPTED);
}

void pg_rt_frame_leave(pg_rt_frame *f) {
  f->in_guest = 0;
  atomic_signal_fence(memory_order_seq_cst);
  self.frame = NULL;
  self.unwind_target = NULL;
}

/* Frames are entered with sigsetjmp(jmp, 0): saving the signal mask would
 * cost a system call on every entry into a guest. A jump out of one of our
 * handlers leaves its signals blocked, so the unwound path unblocks them. */
int pg_rt_frame_unwound(pg_rt_frame *f) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGSEGV);
  sigaddset(&set, SIGBUS);
  sigaddset(&set, pg_rt_interrupt_signal());
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  pg_rt_frame_leave(f);
  return f->code;
}

_Noreturn void pg_rt_unwind(int code) {
  pg_rt_frame *f = self.frame;
  if (!f) {
    fprintf(stderr, "parigot: internal error: wasm trap %d outside a guest\n",
            code);
    abort();
  }
  f->code = code;
  siglongjmp(f->jmp, 1);
}

/* ---- signals ---- */

static bool in_range(uintptr_t a, uintptr_t lo, uint64_t len) {
  return a >= lo && a - lo < len;
}

static void forward(int sig, siginfo_t *si, void *uc,
                    const struct sigaction *prev) {
  if (prev->sa_flags & SA_SIGINFO && prev->sa_sigaction) {
    prev->sa_sigaction(sig, si, uc);
    return;
  }
  if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
    return;
  }
  /* Restore the default and return: the fault repeats and kills us. */
  signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *si, void *uc) {
  pg_rt_frame *f = self.frame;
  uintptr_t a = (uintptr_t)si->si_addr;
  if (f) {
    const wasm_rt_memory_t *m = f->memory;
    if (f->in_guest && m && m->data &&
        in_range(a, (uintptr_t)m->data, RESERVE_BYTES))
      pg_rt_unwind(PG_RT_MEMORY_OOB);
    /* Deep guest recursion may overflow inside a host import too; the
     * imports hold no locks while they touch the stack, so unwind. */
    if (self.stack_hi && in_range(a, self.stack_lo - 1024 * 1024,
                                  self.stack_hi - self.stack_lo + 1024 * 1024))
      pg_rt_unwind(WASM_RT_TRAP_EXHAUSTION);
  }
  forward(sig, si, uc, sig == SIGBUS ? &prev_bus : &prev_segv);
}

static void on_interrupt(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)si, (void)uc;
  pg_rt_frame *f = self.frame;
  if (f && f->in_guest && atomic_load(f->interrupt))
    pg_rt_unwind(PG_RT_INTERRUPTED);
  /* In host code: the syscall it blocks in returns EINTR, and
   * pg_rt_host_leave() unwinds. */
}

int pg_rt_interrupt_signal(void) {
  return SIGRTMIN + 2;
}

static void install(void) {
  if (pthread_key_create(&alt_stack_key, free_alt_stack) != 0) {
    init_status = -1;
    return;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, pg_rt_interrupt_signal());
  if (sigaction(SIGSEGV, &sa, &prev_segv) != 0 ||
      sigaction(SIGBUS, &sa, &prev_bus) != 0) {
    init_status = -1;
    return;
  }
  /* No SA_RESTART: an interrupt must break a guest out of a blocking read
   * or sleep inside a host import. */
  sa.sa_sigaction = on_interrupt;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(pg_rt_interrupt_signal(), &sa, NULL) != 0)
    init_status = -1;
}

int pg_rt_init(void) {
  pthread_once(&init_once, install);
  return init_status;
}

/* ---- the wasm-rt API used by generated code ---- */

void wasm_rt_init(void) {
  pg_rt_init();
}

bool wasm_rt_is_initialized(void) {
  return true;
}

void wasm_rt_free(void) {}

void wasm_rt_trap(wasm_rt_trap_t code) {
  pg_rt_unwind((int)code);
}

static char *signature(uint32_t np, uint32_t nr, va_list ap) {
  char *s = malloc((size_t)np + nr + 2);
  if (!s)
    return NULL;
  for (uint32_t i = 0; i < np + nr; i++)
    s[i + (i >= np)] = (char)('a' + va_arg(ap, int));
  s[np] = ':';
  s[np + nr + 1] = '\0';
  return s;
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  va_list ap;
  va_start(ap, results);
  char *sig = signature(params, results, ap);
  va_end(ap);
  if (!sig)
    pg_rt_unwind(PG_RT_NOSPACE);
  pthread_mutex_lock(&types_lock);
  uint32_t id = 0;
  for (uint32_t i = 0; i < ntypes && !id; i++)
    if (strcmp(types[i], sig) == 0)
      id = i + 1;
  if (!id) {
    char **grown = realloc(types, (ntypes + 1) * sizeof *types);
    if (grown) {
      types = grown;
      types[ntypes++] = sig;
      id = ntypes;
      sig = NULL;
    }
  }
  pthread_mutex_unlock(&types_lock);
  free(sig);
  if (!id)
    pg_rt_unwind(PG_RT_NOSPACE);
  return id;
}

uint32_t wasm_rt_register_tag(uint32_t size) {
  if (size > MAX_EXCEPTION_BYTES)
    pg_rt_unwind(WASM_RT_TRAP_EXHAUSTION);
  return atomic_fetch_add(&ntags, 1);
}

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void *values) {
  if (size > MAX_EXCEPTION_BYTES)
    pg_rt_unwind(WASM_RT_TRAP_EXHAUSTION);
  self.exception_tag = tag;
  self.exception_size = size;
  if (size)
    memcpy(self.exception, values, size);
}

void wasm_rt_throw(void) {
  if (!self.unwind_target || self.unwind_target == &self.frame->jmp)
    pg_rt_unwind(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
  siglongjmp(*self.unwind_target, WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
}

WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) {
  return self.unwind_target;
}

void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) {
  self.unwind_target = target;
}

uint32_t wasm_rt_exception_tag(void) {
  return self.exception_tag;
}

uint32_t wasm_rt_exception_size(void) {
  return self.exception_size;
}

void *wasm_rt_exception(void) {
  return self.exception;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages,
                             uint32_t max_pages) {
  pg_rt_frame *f = self.frame;
  uint32_t limit = f ? f->max_pages : 65536;
  if (initial_pages > limit)
    pg_rt_unwind(PG_RT_MEMLIMIT);
  void *p = mmap(NULL, RESERVE_BYTES, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    pg_rt_unwind(PG_RT_NOSPACE);
  size_t bytes = (size_t)initial_pages * PAGE_BYTES;
  if (bytes && mprotect(p, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(p, RESERVE_BYTES);
    pg_rt_unwind(PG_RT_NOSPACE);
  }
  mem->data = p;
  mem->pages = initial_pages;
  mem->max_pages = max_pages < limit ? max_pages : limit;
  mem->size = (uint32_t)bytes;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
  uint32_t old_pages = mem->pages;
  uint64_t new_pages = (uint64_t)old_pages + delta;
  if (new_pages > mem->max_pages || new_pages > 65536)
    return UINT32_MAX;
  if (delta == 0)
    return old_pages;
  if (mprotect(mem->data + (size_t)old_pages * PAGE_BYTES,
               (size_t)delta * PAGE_BYTES, PROT_READ | PROT_WRITE) != 0)
    return UINT32_MAX;
  mem->pages = (uint32_t)new_pages;
  /* 65536 pages is 4 GiB, which wasm-rt's 32-bit size field cannot hold. */
  mem->size =
      new_pages >= 65536 ? UINT32_MAX : (uint32_t)(new_pages * PAGE_BYTES);
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
  if (mem->data)
    munmap(mem->data, RESERVE_BYTES);
  mem->data = NULL;
}

/* Table storage is malloc'd: mark it host code so an interrupt never
 * abandons the allocator half-way. */
static void *table_realloc(void *p, uint64_t n, size_t elem) {
  pg_rt_frame *f = self.frame;
  if (f)
    pg_rt_host_enter(f);
  void *q = n > SIZE_MAX / elem ? NULL : realloc(p, n ? n * elem : 1);
  if (f)
    pg_rt_host_leave(f);
  return q;
}

#define DEFINE_TABLE_OPS(type)                                                 \
  void wasm_rt_allocate_##type##_table(wasm_rt_##type##_table_t *t,            \
                                       uint32_t elements, uint32_t max) {      \
    t->data = table_realloc(NULL, elements, sizeof(wasm_rt_##type##_t));       \
    if (!t->data)                                                              \
      pg_rt_unwind(PG_RT_NOSPACE);                                             \
    for (uint32_t i = 0; i < elements; i++)                                    \
      t->data[i] = wasm_rt_##type##_null_value;                                \
    t->size = elements;                                                        \
    t->max_size = max;                                                         \
  }                                                                            \
  void wasm_rt_free_##type##_table(wasm_rt_##type##_table_t *t) {              \
    free(t->data);                                                             \
    t->data = NULL;                                                            \
  }                                                                            \
  uint32_t wasm_rt_grow_##type##_table(                                        \
      wasm_rt_##type##_table_t *t, uint32_t delta, wasm_rt_##type##_t init) {  \
    uint32_t old = t->size;                                                    \
    uint64_t n = (uint64_t)old + delta;                                        \
    if (n > t->max_size)                                                       \
      return UINT32_MAX;                                                       \
    if (delta == 0)                                                            \
      return old;                                                              \
    void *p = table_realloc(t->data, n, sizeof(wasm_rt_##type##_t));           \
    if (!p)                                                                    \
      return UINT32_MAX;                                                       \
    t->data = p;                                                               \
    for (uint64_t i = old; i < n; i++)                                         \
      t->data[i] = init;                                                       \
    t->size = (uint32_t)n;                                                     \
    return old;                                                                \
  }

DEFINE_TABLE_OPS(funcref)
DEFINE_TABLE_OPS(externref)

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  return pg_rt_trap_name((int)trap);
}

/* The ASan build must leave SIGSEGV to on_fault(): guard-page faults are how
 * wasm memory bounds are enforced. ASan reads this hook before main(). */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
  return "handle_segv=0:handle_sigbus=0:allow_user_segv_handler=1";
}
