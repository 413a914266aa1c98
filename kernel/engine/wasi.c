/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi.c: WASI preview 1 host functions (see wasi.h).
 *
 * Each exported Z_wasi_snapshot_preview1Z_* symbol is what wasm2c's code
 * calls for an import; its name is wasm2c's mangling of the import name.
 * The wrapper marks host code for the interrupt machinery (rt.h) and calls
 * the static implementation. Owns the copies of args and environ. Calls the
 * OS for stdio, pg_clock for time and pg_rng for random bytes. Runs on the
 * thread of the guest that called it.
 */
#include "wasi.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "parigot/error.h"

/* WASI errno values (wasi_snapshot_preview1 witx, "errno"). */
enum {
  E_SUCCESS = 0,
  E_2BIG = 1,
  E_ACCES = 2,
  E_AGAIN = 6,
  E_BADF = 8,
  E_FAULT = 21,
  E_FBIG = 22,
  E_INTR = 27,
  E_INVAL = 28,
  E_IO = 29,
  E_ISDIR = 31,
  E_NOENT = 44,
  E_NOMEM = 48,
  E_NOSPC = 51,
  E_NOSYS = 52,
  E_NOTDIR = 54,
  E_NOTSOCK = 57,
  E_NOTSUP = 58,
  E_OVERFLOW = 61,
  E_PERM = 63,
  E_PIPE = 64,
  E_ROFS = 69,
  E_SPIPE = 70,
};

/* Filetypes, rights and event types from the same witx. */
enum { FT_CHAR = 2 };
enum {
  R_FD_DATASYNC = 1 << 0,
  R_FD_READ = 1 << 1,
  R_FD_SEEK = 1 << 2,
  R_FD_FDSTAT_SET_FLAGS = 1 << 3,
  R_FD_SYNC = 1 << 4,
  R_FD_TELL = 1 << 5,
  R_FD_WRITE = 1 << 6,
  R_FD_ADVISE = 1 << 7,
  R_FD_FILESTAT_GET = 1 << 21,
  R_POLL_FD_READWRITE = 1 << 27,
};
/* What a guest may do with a stdio stream: what the functions below let it
 * do, and neither FD_SEEK nor FD_TELL. With those two absent and the type
 * a character device, wasi-libc's isatty() says yes, so stdout is line
 * buffered whatever the host fd is (a pipe, a file): each line a guest
 * prints reaches the host at once, as on a terminal or under wasmtime, and
 * the guest sees the same thing in every run. */
#define STDIO_RIGHTS                                                           \
  ((uint64_t)(R_FD_DATASYNC | R_FD_READ | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC |  \
              R_FD_WRITE | R_FD_ADVISE | R_FD_FILESTAT_GET |                   \
              R_POLL_FD_READWRITE))
enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
#define SUB_BYTES 48u
#define EVENT_BYTES 32u
#define MAX_IOVS 1024u
#define MAX_SUBS 256u

static uint16_t from_errno(int e) {
  switch (e) {
  case EBADF:
    return E_BADF;
  case EINTR:
    return E_INTR;
  case EINVAL:
    return E_INVAL;
  case ESPIPE:
    return E_SPIPE;
  case EAGAIN:
    return E_AGAIN;
  case EPIPE:
    return E_PIPE;
  case ENOSPC:
    return E_NOSPC;
  case EFBIG:
    return E_FBIG;
  case EFAULT:
    return E_FAULT;
  case EACCES:
    return E_ACCES;
  case EPERM:
    return E_PERM;
  case ENOENT:
    return E_NOENT;
  case ENOMEM:
    return E_NOMEM;
  case EISDIR:
    return E_ISDIR;
  case ENOTDIR:
    return E_NOTDIR;
  case EOVERFLOW:
    return E_OVERFLOW;
  case EROFS:
    return E_ROFS;
  }
  return E_IO;
}

/* ---- guest memory ---- */

static uint64_t mem_bytes(const pg_wasi *w) {
  return w->memory && w->memory->data ? (uint64_t)w->memory->pages * 65536u : 0;
}

/* The only way this file turns a guest address into a host pointer. */
static uint8_t *span(const pg_wasi *w, uint32_t addr, uint64_t len) {
  uint64_t size = mem_bytes(w);
  if ((uint64_t)addr > size || len > size - addr)
    return NULL;
  return w->memory->data + addr;
}

static void put_u16(uint8_t *p, uint16_t v) {
  memcpy(p, &v, 2);
}

static void put_u32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, 4);
}

static void put_u64(uint8_t *p, uint64_t v) {
  memcpy(p, &v, 8);
}

static uint32_t get_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static uint64_t get_u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static int store_u32(pg_wasi *w, uint32_t addr, uint32_t v) {
  uint8_t *p = span(w, addr, 4);
  if (!p)
    return E_FAULT;
  put_u32(p, v);
  return E_SUCCESS;
}

static int store_u64(pg_wasi *w, uint32_t addr, uint64_t v) {
  uint8_t *p = span(w, addr, 8);
  if (!p)
    return E_FAULT;
  put_u64(p, v);
  return E_SUCCESS;
}

/* Turns a guest iovec array into host iovecs, checking every buffer. */
static int load_iovs(pg_wasi *w, uint32_t iovs, uint32_t n, struct iovec *out,
                     uint32_t *out_n) {
  if (n > MAX_IOVS)
    n = MAX_IOVS; /* a short read or write is allowed */
  const uint8_t *arr = span(w, iovs, (uint64_t)n * 8);
  if (!arr)
    return E_FAULT;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = get_u32(arr + 8 * i), len = get_u32(arr + 8 * i + 4);
    uint8_t *p = span(w, buf, len);
    if (!p)
      return E_FAULT;
    out[i].iov_base = p;
    out[i].iov_len = len;
  }
  *out_n = n;
  return E_SUCCESS;
}

/* ---- file descriptors: only stdio exists ---- */

static int host_fd(const pg_wasi *w, uint32_t fd) {
  if (fd > 2 || w->is_closed[fd])
    return -1;
  return w->stdio_fds[fd];
}

static int fd_rw(pg_wasi *w, uint32_t fd, uint32_t iovs, uint32_t n,
                 uint32_t out, bool is_write) {
  struct iovec v[MAX_IOVS];
  uint32_t nv;
  int h = host_fd(w, fd), rc;
  if (h < 0)
    return E_BADF;
  if ((rc = load_iovs(w, iovs, n, v, &nv)))
    return rc;
  if (!span(w, out, 4))
    return E_FAULT;
  ssize_t got;
  do {
    got = is_write ? writev(h, v, (int)nv) : readv(h, v, (int)nv);
    if (got < 0 && errno == EINTR)
      pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
  } while (got < 0 && errno == EINTR);
  if (got < 0)
    return from_errno(errno);
  return store_u32(w, out, (uint32_t)got);
}

/* Stdio streams are character devices: positions mean nothing, so
 * fd_seek, fd_tell, fd_pread and fd_pwrite (which need FD_SEEK) fail with
 * ESPIPE, as they do on a pipe or a terminal. */
static int fd_spipe(pg_wasi *w, uint32_t fd) {
  return host_fd(w, fd) < 0 ? E_BADF : E_SPIPE;
}

static int fd_fdstat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  if (host_fd(w, fd) < 0)
    return E_BADF;
  uint8_t *p = span(w, buf, 24);
  if (!p)
    return E_FAULT;
  memset(p, 0, 24);
  p[0] = FT_CHAR;
  put_u64(p + 8, STDIO_RIGHTS); /* inheriting: none, nothing opens files */
  return E_SUCCESS;
}

/* Device, inode and times would leak the host into deterministic runs and
 * mean nothing for a stream, so only the type is reported. */
static int fd_filestat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  if (host_fd(w, fd) < 0)
    return E_BADF;
  uint8_t *p = span(w, buf, 64);
  if (!p)
    return E_FAULT;
  memset(p, 0, 64);
  p[16] = FT_CHAR;
  put_u64(p + 24, 1);
  return E_SUCCESS;
}

static int fd_close(pg_wasi *w, uint32_t fd) {
  if (host_fd(w, fd) < 0)
    return E_BADF;
  /* The host keeps its descriptor: parigot itself still reports on it. */
  w->is_closed[fd] = true;
  return E_SUCCESS;
}

static int fd_only(pg_wasi *w, uint32_t fd, int if_open) {
  return host_fd(w, fd) < 0 ? E_BADF : if_open;
}

/* ---- args and environ ---- */

static int strings_sizes(pg_wasi *w, uint32_t count, uint32_t bytes,
                         uint32_t count_out, uint32_t bytes_out) {
  int rc = store_u32(w, count_out, count);
  return rc ? rc : store_u32(w, bytes_out, bytes);
}

static int strings_get(pg_wasi *w, const char *strs, uint32_t count,
                       uint32_t bytes, uint32_t ptrs, uint32_t buf) {
  uint8_t *pp = span(w, ptrs, (uint64_t)count * 4);
  uint8_t *bp = span(w, buf, bytes);
  if (!pp || !bp)
    return E_FAULT;
  memcpy(bp, strs, bytes);
  uint32_t off = 0;
  for (uint32_t i = 0; i < count; i++) {
    put_u32(pp + 4 * i, buf + off);
    off += (uint32_t)strlen(strs + off) + 1;
  }
  return E_SUCCESS;
}

/* ---- clocks, random, poll ---- */

static int clock_time_get(pg_wasi *w, uint32_t id, uint64_t precision,
                          uint32_t out) {
  (void)precision;
  uint64_t ns;
  if (!span(w, out, 8))
    return E_FAULT;
  if (pg_clock_now(&w->clock, id, &ns) != 0)
    return E_INVAL;
  return store_u64(w, out, ns);
}

static int clock_res_get(pg_wasi *w, uint32_t id, uint32_t out) {
  uint64_t ns;
  if (!span(w, out, 8))
    return E_FAULT;
  if (pg_clock_resolution(&w->clock, id, &ns) != 0)
    return E_INVAL;
  return store_u64(w, out, ns);
}

static int random_get(pg_wasi *w, uint32_t buf, uint32_t len) {
  uint8_t *p = span(w, buf, len);
  if (!p)
    return E_FAULT;
  int rc;
  while ((rc = pg_rng_fill(&w->rng, p, len)) == -EINTR)
    pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
  return rc ? from_errno(-rc) : E_SUCCESS;
}

/* Sleeps until host monotonic time @p until_ns, waking for interrupts. */
static void sleep_until(pg_wasi *w, uint64_t until_ns) {
  struct timespec ts = {(time_t)(until_ns / 1000000000u),
                        (long)(until_ns % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
}

/* How long until a clock subscription fires. Only an absolute deadline
 * needs the current time: reading a virtual clock moves it. */
static int clock_sub_delay(pg_wasi *w, const uint8_t *s, uint64_t *delay) {
  uint32_t id = get_u32(s + 16);
  uint64_t timeout = get_u64(s + 24), now, res;
  uint16_t flags;
  memcpy(&flags, s + 40, 2);
  if (!(flags & 1)) { /* subscription_clock_abstime */
    *delay = timeout;
    return pg_clock_resolution(&w->clock, id, &res) ? E_INVAL : E_SUCCESS;
  }
  if (pg_clock_now(&w->clock, id, &now) != 0)
    return E_INVAL;
  *delay = timeout > now ? timeout - now : 0;
  return E_SUCCESS;
}

static void put_event(uint8_t *e, const uint8_t *s, uint16_t err,
                      uint8_t type) {
  memset(e, 0, EVENT_BYTES);
  memcpy(e, s, 8); /* userdata */
  put_u16(e + 8, err);
  e[10] = type;
}

static int poll_oneoff(pg_wasi *w, uint32_t in, uint32_t out, uint32_t n,
                       uint32_t nevents_out) {
  if (n == 0 || n > MAX_SUBS)
    return E_INVAL;
  const uint8_t *subs = span(w, in, (uint64_t)n * SUB_BYTES);
  uint8_t *events = span(w, out, (uint64_t)n * EVENT_BYTES);
  if (!subs || !events || !span(w, nevents_out, 4))
    return E_FAULT;
  uint64_t min_delay = UINT64_MAX, delays[MAX_SUBS];
  uint32_t nev = 0;
  bool has_fd = false;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s = subs + SUB_BYTES * i;
    uint64_t d = 0;
    if (s[8] == EV_CLOCK) {
      if (clock_sub_delay(w, s, &d))
        put_event(events + EVENT_BYTES * nev++, s, E_INVAL, EV_CLOCK);
      else if (d < min_delay)
        min_delay = d;
    } else if (s[8] == EV_FD_READ || s[8] == EV_FD_WRITE) {
      /* Stdio streams are reported ready: a read or write that follows
       * blocks as it would in any program, and determinism holds. */
      uint16_t err = host_fd(w, get_u32(s + 16)) < 0 ? E_BADF : E_SUCCESS;
      put_event(events + EVENT_BYTES * nev++, s, err, s[8]);
      has_fd = true;
    } else {
      put_event(events + EVENT_BYTES * nev++, s, E_INVAL, s[8]);
    }
    delays[i] = d;
  }
  if (!has_fd && nev == 0 && min_delay != UINT64_MAX) {
    if (w->clock.is_virtual)
      pg_clock_advance(&w->clock, min_delay);
    else
      sleep_until(w, pg_clock_host_monotonic_ns() + min_delay);
    for (uint32_t i = 0; i < n; i++) {
      const uint8_t *s = subs + SUB_BYTES * i;
      if (s[8] == EV_CLOCK && delays[i] <= min_delay)
        put_event(events + EVENT_BYTES * nev++, s, E_SUCCESS, EV_CLOCK);
    }
  }
  return store_u32(w, nevents_out, nev);
}

/* ---- the exported imports ---- */

/* Marks host code around an implementation that may block or allocate. */
#define HOSTCALL(w, expr)                                                      \
  do {                                                                         \
    pg_rt_host_enter((w)->frame);                                              \
    uint32_t r_ = (uint32_t)(expr);                                            \
    pg_rt_host_leave((w)->frame);                                              \
    return r_;                                                                 \
  } while (0)

#define IMPORT(name) Z_wasi_snapshot_preview1Z_##name
typedef uint32_t u32;
typedef uint64_t u64;

/* Prototypes: wasm2c's generated header declares the same, per guest. */
u32 IMPORT(args_get)(pg_wasi *, u32, u32);
u32 IMPORT(args_sizes_get)(pg_wasi *, u32, u32);
u32 IMPORT(environ_get)(pg_wasi *, u32, u32);
u32 IMPORT(environ_sizes_get)(pg_wasi *, u32, u32);
u32 IMPORT(clock_res_get)(pg_wasi *, u32, u32);
u32 IMPORT(clock_time_get)(pg_wasi *, u32, u64, u32);
u32 IMPORT(fd_advise)(pg_wasi *, u32, u64, u64, u32);
u32 IMPORT(fd_allocate)(pg_wasi *, u32, u64, u64);
u32 IMPORT(fd_close)(pg_wasi *, u32);
u32 IMPORT(fd_datasync)(pg_wasi *, u32);
u32 IMPORT(fd_fdstat_get)(pg_wasi *, u32, u32);
u32 IMPORT(fd_fdstat_set_flags)(pg_wasi *, u32, u32);
u32 IMPORT(fd_fdstat_set_rights)(pg_wasi *, u32, u64, u64);
u32 IMPORT(fd_filestat_get)(pg_wasi *, u32, u32);
u32 IMPORT(fd_filestat_set_size)(pg_wasi *, u32, u64);
u32 IMPORT(fd_filestat_set_times)(pg_wasi *, u32, u64, u64, u32);
u32 IMPORT(fd_pread)(pg_wasi *, u32, u32, u32, u64, u32);
u32 IMPORT(fd_prestat_get)(pg_wasi *, u32, u32);
u32 IMPORT(fd_prestat_dir_name)(pg_wasi *, u32, u32, u32);
u32 IMPORT(fd_pwrite)(pg_wasi *, u32, u32, u32, u64, u32);
u32 IMPORT(fd_read)(pg_wasi *, u32, u32, u32, u32);
u32 IMPORT(fd_readdir)(pg_wasi *, u32, u32, u32, u64, u32);
u32 IMPORT(fd_renumber)(pg_wasi *, u32, u32);
u32 IMPORT(fd_seek)(pg_wasi *, u32, u64, u32, u32);
u32 IMPORT(fd_sync)(pg_wasi *, u32);
u32 IMPORT(fd_tell)(pg_wasi *, u32, u32);
u32 IMPORT(fd_write)(pg_wasi *, u32, u32, u32, u32);
u32 IMPORT(path_create_directory)(pg_wasi *, u32, u32, u32);
u32 IMPORT(path_filestat_get)(pg_wasi *, u32, u32, u32, u32, u32);
u32 IMPORT(path_filestat_set_times)(pg_wasi *, u32, u32, u32, u32, u64, u64,
                                    u32);
u32 IMPORT(path_link)(pg_wasi *, u32, u32, u32, u32, u32, u32, u32);
u32 IMPORT(path_open)(pg_wasi *, u32, u32, u32, u32, u32, u64, u64, u32, u32);
u32 IMPORT(path_readlink)(pg_wasi *, u32, u32, u32, u32, u32, u32);
u32 IMPORT(path_remove_directory)(pg_wasi *, u32, u32, u32);
u32 IMPORT(path_rename)(pg_wasi *, u32, u32, u32, u32, u32, u32);
u32 IMPORT(path_symlink)(pg_wasi *, u32, u32, u32, u32, u32);
u32 IMPORT(path_unlink_file)(pg_wasi *, u32, u32, u32);
u32 IMPORT(poll_oneoff)(pg_wasi *, u32, u32, u32, u32);
void IMPORT(proc_exit)(pg_wasi *, u32);
u32 IMPORT(proc_raise)(pg_wasi *, u32);
u32 IMPORT(sched_yield)(pg_wasi *);
u32 IMPORT(random_get)(pg_wasi *, u32, u32);
u32 IMPORT(sock_accept)(pg_wasi *, u32, u32, u32);
u32 IMPORT(sock_recv)(pg_wasi *, u32, u32, u32, u32, u32, u32);
u32 IMPORT(sock_send)(pg_wasi *, u32, u32, u32, u32, u32);
u32 IMPORT(sock_shutdown)(pg_wasi *, u32, u32);

u32 IMPORT(args_get)(pg_wasi *w, u32 argv, u32 buf) {
  return strings_get(w, w->args, w->argc, w->args_bytes, argv, buf);
}

u32 IMPORT(args_sizes_get)(pg_wasi *w, u32 argc_out, u32 bytes_out) {
  return strings_sizes(w, w->argc, w->args_bytes, argc_out, bytes_out);
}

u32 IMPORT(environ_get)(pg_wasi *w, u32 envp, u32 buf) {
  return strings_get(w, w->env, w->envc, w->env_bytes, envp, buf);
}

u32 IMPORT(environ_sizes_get)(pg_wasi *w, u32 count_out, u32 bytes_out) {
  return strings_sizes(w, w->envc, w->env_bytes, count_out, bytes_out);
}

u32 IMPORT(clock_res_get)(pg_wasi *w, u32 id, u32 out) {
  return clock_res_get(w, id, out);
}

u32 IMPORT(clock_time_get)(pg_wasi *w, u32 id, u64 precision, u32 out) {
  return clock_time_get(w, id, precision, out);
}

u32 IMPORT(fd_advise)(pg_wasi *w, u32 fd, u64 off, u64 len, u32 advice) {
  (void)off, (void)len, (void)advice;
  return fd_only(w, fd, E_SUCCESS); /* advice is only a hint */
}

u32 IMPORT(fd_allocate)(pg_wasi *w, u32 fd, u64 off, u64 len) {
  (void)off, (void)len;
  return fd_only(w, fd, E_NOTSUP);
}

u32 IMPORT(fd_close)(pg_wasi *w, u32 fd) {
  return fd_close(w, fd);
}

u32 IMPORT(fd_datasync)(pg_wasi *w, u32 fd) {
  return fd_only(w, fd, E_SUCCESS);
}

u32 IMPORT(fd_fdstat_get)(pg_wasi *w, u32 fd, u32 buf) {
  return fd_fdstat_get(w, fd, buf);
}

u32 IMPORT(fd_fdstat_set_flags)(pg_wasi *w, u32 fd, u32 flags) {
  return fd_only(w, fd, flags == 0 ? E_SUCCESS : E_NOTSUP);
}

u32 IMPORT(fd_fdstat_set_rights)(pg_wasi *w, u32 fd, u64 base, u64 inh) {
  (void)base, (void)inh;
  return fd_only(w, fd, E_NOTSUP);
}

u32 IMPORT(fd_filestat_get)(pg_wasi *w, u32 fd, u32 buf) {
  return fd_filestat_get(w, fd, buf);
}

u32 IMPORT(fd_filestat_set_size)(pg_wasi *w, u32 fd, u64 size) {
  (void)size;
  return fd_only(w, fd, E_NOTSUP);
}

u32 IMPORT(fd_filestat_set_times)(pg_wasi *w, u32 fd, u64 a, u64 m, u32 fl) {
  (void)a, (void)m, (void)fl;
  return fd_only(w, fd, E_NOTSUP);
}

u32 IMPORT(fd_pread)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u64 off, u32 out) {
  (void)iovs, (void)n, (void)off, (void)out;
  return fd_spipe(w, fd);
}

u32 IMPORT(fd_prestat_get)(pg_wasi *w, u32 fd, u32 buf) {
  (void)w, (void)fd, (void)buf;
  return E_BADF; /* no directory is preopened */
}

u32 IMPORT(fd_prestat_dir_name)(pg_wasi *w, u32 fd, u32 path, u32 len) {
  (void)w, (void)fd, (void)path, (void)len;
  return E_BADF;
}

u32 IMPORT(fd_pwrite)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u64 off, u32 out) {
  (void)iovs, (void)n, (void)off, (void)out;
  return fd_spipe(w, fd);
}

u32 IMPORT(fd_read)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u32 out) {
  HOSTCALL(w, fd_rw(w, fd, iovs, n, out, false));
}

u32 IMPORT(fd_readdir)(pg_wasi *w, u32 fd, u32 buf, u32 len, u64 cookie,
                       u32 out) {
  (void)buf, (void)len, (void)cookie, (void)out;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(fd_renumber)(pg_wasi *w, u32 fd, u32 to) {
  (void)to;
  return fd_only(w, fd, E_NOTSUP);
}

u32 IMPORT(fd_seek)(pg_wasi *w, u32 fd, u64 off, u32 whence, u32 out) {
  (void)off, (void)whence, (void)out;
  return fd_spipe(w, fd);
}

u32 IMPORT(fd_sync)(pg_wasi *w, u32 fd) {
  return fd_only(w, fd, E_SUCCESS);
}

u32 IMPORT(fd_tell)(pg_wasi *w, u32 fd, u32 out) {
  (void)out;
  return fd_spipe(w, fd);
}

u32 IMPORT(fd_write)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u32 out) {
  HOSTCALL(w, fd_rw(w, fd, iovs, n, out, true));
}

u32 IMPORT(path_create_directory)(pg_wasi *w, u32 fd, u32 p, u32 l) {
  (void)p, (void)l;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_filestat_get)(pg_wasi *w, u32 fd, u32 f, u32 p, u32 l, u32 b) {
  (void)f, (void)p, (void)l, (void)b;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_filestat_set_times)(pg_wasi *w, u32 fd, u32 f, u32 p, u32 l,
                                    u64 a, u64 m, u32 fl) {
  (void)f, (void)p, (void)l, (void)a, (void)m, (void)fl;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_link)(pg_wasi *w, u32 fd, u32 f, u32 p, u32 l, u32 fd2, u32 p2,
                      u32 l2) {
  (void)f, (void)p, (void)l, (void)fd2, (void)p2, (void)l2;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_open)(pg_wasi *w, u32 fd, u32 df, u32 p, u32 l, u32 of, u64 rb,
                      u64 ri, u32 ff, u32 out) {
  (void)df, (void)p, (void)l, (void)of, (void)rb, (void)ri, (void)ff, (void)out;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_readlink)(pg_wasi *w, u32 fd, u32 p, u32 l, u32 b, u32 bl,
                          u32 out) {
  (void)p, (void)l, (void)b, (void)bl, (void)out;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_remove_directory)(pg_wasi *w, u32 fd, u32 p, u32 l) {
  (void)p, (void)l;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_rename)(pg_wasi *w, u32 fd, u32 p, u32 l, u32 fd2, u32 p2,
                        u32 l2) {
  (void)p, (void)l, (void)fd2, (void)p2, (void)l2;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_symlink)(pg_wasi *w, u32 p, u32 l, u32 fd, u32 p2, u32 l2) {
  (void)p, (void)l, (void)p2, (void)l2;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(path_unlink_file)(pg_wasi *w, u32 fd, u32 p, u32 l) {
  (void)p, (void)l;
  return fd_only(w, fd, E_NOTDIR);
}

u32 IMPORT(poll_oneoff)(pg_wasi *w, u32 in, u32 out, u32 n, u32 nev) {
  HOSTCALL(w, poll_oneoff(w, in, out, n, nev));
}

void IMPORT(proc_exit)(pg_wasi *w, u32 code) {
  w->frame->exit_code = code;
  pg_rt_unwind(PG_RT_EXIT);
}

u32 IMPORT(proc_raise)(pg_wasi *w, u32 sig) {
  (void)w, (void)sig;
  return E_NOTSUP;
}

u32 IMPORT(sched_yield)(pg_wasi *w) {
  (void)w;
  return E_SUCCESS;
}

u32 IMPORT(random_get)(pg_wasi *w, u32 buf, u32 len) {
  HOSTCALL(w, random_get(w, buf, len));
}

u32 IMPORT(sock_accept)(pg_wasi *w, u32 fd, u32 flags, u32 out) {
  (void)flags, (void)out;
  return fd_only(w, fd, E_NOTSOCK);
}

u32 IMPORT(sock_recv)(pg_wasi *w, u32 fd, u32 a, u32 b, u32 c, u32 d, u32 e) {
  (void)a, (void)b, (void)c, (void)d, (void)e;
  return fd_only(w, fd, E_NOTSOCK);
}

u32 IMPORT(sock_send)(pg_wasi *w, u32 fd, u32 a, u32 b, u32 c, u32 d) {
  (void)a, (void)b, (void)c, (void)d;
  return fd_only(w, fd, E_NOTSOCK);
}

u32 IMPORT(sock_shutdown)(pg_wasi *w, u32 fd, u32 how) {
  (void)how;
  return fd_only(w, fd, E_NOTSOCK);
}

/* Must list exactly the functions above, with their wasm signatures. */
static const pg_host_func wasi_funcs[] = {
    {"args_get", "ii:i"},
    {"args_sizes_get", "ii:i"},
    {"environ_get", "ii:i"},
    {"environ_sizes_get", "ii:i"},
    {"clock_res_get", "ii:i"},
    {"clock_time_get", "iIi:i"},
    {"fd_advise", "iIIi:i"},
    {"fd_allocate", "iII:i"},
    {"fd_close", "i:i"},
    {"fd_datasync", "i:i"},
    {"fd_fdstat_get", "ii:i"},
    {"fd_fdstat_set_flags", "ii:i"},
    {"fd_fdstat_set_rights", "iII:i"},
    {"fd_filestat_get", "ii:i"},
    {"fd_filestat_set_size", "iI:i"},
    {"fd_filestat_set_times", "iIIi:i"},
    {"fd_pread", "iiiIi:i"},
    {"fd_prestat_get", "ii:i"},
    {"fd_prestat_dir_name", "iii:i"},
    {"fd_pwrite", "iiiIi:i"},
    {"fd_read", "iiii:i"},
    {"fd_readdir", "iiiIi:i"},
    {"fd_renumber", "ii:i"},
    {"fd_seek", "iIii:i"},
    {"fd_sync", "i:i"},
    {"fd_tell", "ii:i"},
    {"fd_write", "iiii:i"},
    {"path_create_directory", "iii:i"},
    {"path_filestat_get", "iiiii:i"},
    {"path_filestat_set_times", "iiiiIIi:i"},
    {"path_link", "iiiiiii:i"},
    {"path_open", "iiiiiIIii:i"},
    {"path_readlink", "iiiiii:i"},
    {"path_remove_directory", "iii:i"},
    {"path_rename", "iiiiii:i"},
    {"path_symlink", "iiiii:i"},
    {"path_unlink_file", "iii:i"},
    {"poll_oneoff", "iiii:i"},
    {"proc_exit", "i:"},
    {"proc_raise", "i:i"},
    {"sched_yield", ":i"},
    {"random_get", "ii:i"},
    {"sock_accept", "iii:i"},
    {"sock_recv", "iiiiii:i"},
    {"sock_send", "iiiii:i"},
    {"sock_shutdown", "ii:i"},
};

const pg_host_module pg_wasi_module = {"wasi_snapshot_preview1", wasi_funcs,
                                       sizeof wasi_funcs /
                                           sizeof wasi_funcs[0]};

/* ---- set-up ---- */

/* Packs @p n strings into one owned buffer of NUL-terminated strings. */
static int pack(const pg_mem *mem, int n, const char *const *v, char **out,
                uint32_t *out_n, uint32_t *out_bytes) {
  uint64_t total = 0;
  for (int i = 0; i < n; i++)
    total += strlen(v[i]) + 1;
  if (n < 0 || total > UINT32_MAX)
    return PARIGOT_EINVAL;
  char *buf = pg_mem_malloc(mem, (size_t)total);
  if (!buf)
    return PARIGOT_ENOMEM;
  char *p = buf;
  for (int i = 0; i < n; i++) {
    size_t len = strlen(v[i]) + 1;
    memcpy(p, v[i], len);
    p += len;
  }
  *out = buf;
  *out_n = (uint32_t)n;
  *out_bytes = (uint32_t)total;
  return 0;
}

int pg_wasi_init(pg_wasi *w, const pg_wasi_config *cfg, const pg_mem *mem) {
  memset(w, 0, sizeof *w);
  w->mem = mem;
  for (int i = 0; i < cfg->envc; i++)
    if (!strchr(cfg->env[i], '=') || cfg->env[i][0] == '=')
      return PARIGOT_EINVAL;
  int rc = pack(mem, cfg->argc, cfg->argv, &w->args, &w->argc, &w->args_bytes);
  if (rc == 0)
    rc = pack(mem, cfg->envc, cfg->env, &w->env, &w->envc, &w->env_bytes);
  if (rc) {
    pg_wasi_deinit(w);
    return rc;
  }
  memcpy(w->stdio_fds, cfg->stdio_fds, sizeof w->stdio_fds);
  pg_clock_init(&w->clock, cfg->is_deterministic && !cfg->has_real_clock);
  if (cfg->is_deterministic)
    pg_rng_init_seeded(&w->rng, cfg->seed);
  else
    pg_rng_init_os(&w->rng);
  return 0;
}

void pg_wasi_deinit(pg_wasi *w) {
  if (!w->mem)
    return;
  pg_mem_free(w->mem, w->args);
  pg_mem_free(w->mem, w->env);
  w->args = w->env = NULL;
}
