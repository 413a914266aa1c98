/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi.c: WASI preview 1 host functions (see wasi.h).
 *
 * Each exported Z_wasi_snapshot_preview1Z_* symbol is what wasm2c's code
 * calls for an import; its name is wasm2c's mangling of the import name.
 * The wrapper marks host code for the interrupt machinery (rt.h) and calls
 * the static implementation. Owns the copies of args and environ. Calls the
 * OS for stdio, wasi_fd.c for fds 3 and up, wasi_path.c for every path,
 * pg_clock for time and pg_rng for random bytes. Runs on the thread of the
 * guest that called it.
 */
#include "wasi.h"

#include "wasi_int.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "parigot/error.h"

/* What a guest may do with a stdio stream: what the functions below let it
 * do, and neither FD_SEEK nor FD_TELL. With those two absent and the type
 * a character device, wasi-libc's isatty() says yes, so stdout is line
 * buffered whatever the host fd is (a pipe, a file): each line a guest
 * prints reaches the host at once, as on a terminal or under wasmtime, and
 * the guest sees the same thing in every run. */
#define STDIO_RIGHTS                                                           \
  (R_BIT(R_FD_DATASYNC) | R_BIT(R_FD_READ) | R_BIT(R_FD_FDSTAT_SET_FLAGS) |    \
   R_BIT(R_FD_SYNC) | R_BIT(R_FD_WRITE) | R_BIT(R_FD_ADVISE) |                 \
   R_BIT(R_FD_FILESTAT_GET) | R_BIT(R_POLL_FD_READWRITE))
enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
#define SUB_BYTES 48u
#define EVENT_BYTES 32u
#define MAX_SUBS 256u

uint16_t pg_wasi_errno(int e) {
  static const struct {
    int host;
    uint16_t wasi;
  } map[] = {
      {EBADF, E_BADF},         {EINTR, E_INTR},   {EINVAL, E_INVAL},
      {ESPIPE, E_SPIPE},       {EAGAIN, E_AGAIN}, {EPIPE, E_PIPE},
      {ENOSPC, E_NOSPC},       {EFBIG, E_FBIG},   {EFAULT, E_FAULT},
      {EACCES, E_ACCES},       {EPERM, E_PERM},   {ENOENT, E_NOENT},
      {ENOMEM, E_NOMEM},       {EISDIR, E_ISDIR}, {ENOTDIR, E_NOTDIR},
      {EOVERFLOW, E_OVERFLOW}, {EROFS, E_ROFS},   {EEXIST, E_EXIST},
      {ENOTEMPTY, E_NOTEMPTY}, {ELOOP, E_LOOP},   {ENAMETOOLONG, E_NAMETOOLONG},
      {EMFILE, E_MFILE},       {ENFILE, E_NFILE}, {EMLINK, E_MLINK},
      {EXDEV, E_XDEV},         {EBUSY, E_BUSY},   {EDQUOT, E_DQUOT},
      {ETXTBSY, E_TXTBSY},     {ENXIO, E_NXIO},   {ENODEV, E_NODEV},
      {EOPNOTSUPP, E_NOTSUP},  {ENOSYS, E_NOSYS}, {ERANGE, E_RANGE},
      {EILSEQ, E_ILSEQ},
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (map[i].host == e)
      return map[i].wasi;
  return E_IO;
}

/* ---- guest memory ---- */

static int store_u32(pg_wasi *w, uint32_t addr, uint32_t v) {
  uint8_t *p = pg_wasi_span(w, addr, 4);
  if (!p)
    return E_FAULT;
  pg_wasi_put_u32(p, v);
  return E_SUCCESS;
}

static int store_u64(pg_wasi *w, uint32_t addr, uint64_t v) {
  uint8_t *p = pg_wasi_span(w, addr, 8);
  if (!p)
    return E_FAULT;
  pg_wasi_put_u64(p, v);
  return E_SUCCESS;
}

/* Turns a guest iovec array into host iovecs, checking every buffer. */
int pg_wasi_load_iovs(pg_wasi *w, uint32_t iovs, uint32_t n, struct iovec *out,
                      uint32_t *out_n) {
  if (n > MAX_IOVS)
    n = MAX_IOVS; /* a short read or write is allowed */
  const uint8_t *arr = pg_wasi_span(w, iovs, (uint64_t)n * 8);
  if (!arr)
    return E_FAULT;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = pg_wasi_get_u32(arr + 8 * i),
             len = pg_wasi_get_u32(arr + 8 * i + 4);
    uint8_t *p = pg_wasi_span(w, buf, len);
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
  if ((rc = pg_wasi_load_iovs(w, iovs, n, v, &nv)))
    return rc;
  if (!pg_wasi_span(w, out, 4))
    return E_FAULT;
  ssize_t got;
  do {
    got = is_write ? writev(h, v, (int)nv) : readv(h, v, (int)nv);
    if (got < 0 && errno == EINTR)
      pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
  } while (got < 0 && errno == EINTR);
  if (got < 0)
    return pg_wasi_errno(errno);
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
  uint8_t *p = pg_wasi_span(w, buf, 24);
  if (!p)
    return E_FAULT;
  memset(p, 0, 24);
  p[0] = FT_CHAR;
  pg_wasi_put_u64(p + 8,
                  STDIO_RIGHTS); /* inheriting: none, nothing opens files */
  return E_SUCCESS;
}

/* Device, inode and times would leak the host into deterministic runs and
 * mean nothing for a stream, so only the type is reported. */
static int fd_filestat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  if (host_fd(w, fd) < 0)
    return E_BADF;
  uint8_t *p = pg_wasi_span(w, buf, 64);
  if (!p)
    return E_FAULT;
  memset(p, 0, 64);
  p[16] = FT_CHAR;
  pg_wasi_put_u64(p + 24, 1);
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
  uint8_t *pp = pg_wasi_span(w, ptrs, (uint64_t)count * 4);
  uint8_t *bp = pg_wasi_span(w, buf, bytes);
  if (!pp || !bp)
    return E_FAULT;
  memcpy(bp, strs, bytes);
  uint32_t off = 0;
  for (uint32_t i = 0; i < count; i++) {
    pg_wasi_put_u32(pp + 4 * i, buf + off);
    off += (uint32_t)strlen(strs + off) + 1;
  }
  return E_SUCCESS;
}

/* ---- clocks, random, poll ---- */

static int clock_time_get(pg_wasi *w, uint32_t id, uint64_t precision,
                          uint32_t out) {
  (void)precision;
  uint64_t ns;
  if (!pg_wasi_span(w, out, 8))
    return E_FAULT;
  if (pg_clock_now(&w->clock, id, &ns) != 0)
    return E_INVAL;
  return store_u64(w, out, ns);
}

static int clock_res_get(pg_wasi *w, uint32_t id, uint32_t out) {
  uint64_t ns;
  if (!pg_wasi_span(w, out, 8))
    return E_FAULT;
  if (pg_clock_resolution(&w->clock, id, &ns) != 0)
    return E_INVAL;
  return store_u64(w, out, ns);
}

static int random_get(pg_wasi *w, uint32_t buf, uint32_t len) {
  uint8_t *p = pg_wasi_span(w, buf, len);
  if (!p)
    return E_FAULT;
  int rc;
  while ((rc = pg_rng_fill(&w->rng, p, len)) == -EINTR)
    pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
  return rc ? pg_wasi_errno(-rc) : E_SUCCESS;
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
  uint32_t id = pg_wasi_get_u32(s + 16);
  uint64_t timeout = pg_wasi_get_u64(s + 24), now, res;
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
  pg_wasi_put_u16(e + 8, err);
  e[10] = type;
}

static int poll_oneoff(pg_wasi *w, uint32_t in, uint32_t out, uint32_t n,
                       uint32_t nevents_out) {
  if (n == 0 || n > MAX_SUBS)
    return E_INVAL;
  const uint8_t *subs = pg_wasi_span(w, in, (uint64_t)n * SUB_BYTES);
  uint8_t *events = pg_wasi_span(w, out, (uint64_t)n * EVENT_BYTES);
  if (!subs || !events || !pg_wasi_span(w, nevents_out, 4))
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
      uint32_t fd = pg_wasi_get_u32(s + 16);
      bool is_open = host_fd(w, fd) >= 0 || pg_wasi_fs_is_open(&w->fs, fd);
      uint16_t err = is_open ? E_SUCCESS : E_BADF;
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

/* Fds 0-2 are stdio, here; the rest are files (wasi_fd.c). */
#define IS_STDIO(fd) ((fd) <= 2)

u32 IMPORT(fd_advise)(pg_wasi *w, u32 fd, u64 off, u64 len, u32 advice) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_SUCCESS); /* advice is only a hint */
  HOSTCALL(w, pg_wasi_fs_fd_advise(w, fd, off, len, advice));
}

u32 IMPORT(fd_allocate)(pg_wasi *w, u32 fd, u64 off, u64 len) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_NOTSUP);
  HOSTCALL(w, pg_wasi_fs_fd_allocate(w, fd, off, len));
}

u32 IMPORT(fd_close)(pg_wasi *w, u32 fd) {
  if (IS_STDIO(fd))
    return fd_close(w, fd);
  HOSTCALL(w, pg_wasi_fs_fd_close(w, fd));
}

u32 IMPORT(fd_datasync)(pg_wasi *w, u32 fd) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_SUCCESS);
  HOSTCALL(w, pg_wasi_fs_fd_sync(w, fd, true));
}

u32 IMPORT(fd_fdstat_get)(pg_wasi *w, u32 fd, u32 buf) {
  if (IS_STDIO(fd))
    return fd_fdstat_get(w, fd, buf);
  HOSTCALL(w, pg_wasi_fs_fd_fdstat_get(w, fd, buf));
}

u32 IMPORT(fd_fdstat_set_flags)(pg_wasi *w, u32 fd, u32 flags) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, flags == 0 ? E_SUCCESS : E_NOTSUP);
  HOSTCALL(w, pg_wasi_fs_fd_fdstat_set_flags(w, fd, flags));
}

/* Rights are fixed by how an fd was opened, as in wasmtime. */
u32 IMPORT(fd_fdstat_set_rights)(pg_wasi *w, u32 fd, u64 base, u64 inh) {
  (void)base, (void)inh;
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_NOTSUP);
  return pg_wasi_fs_is_open(&w->fs, fd) ? E_NOTSUP : E_BADF;
}

u32 IMPORT(fd_filestat_get)(pg_wasi *w, u32 fd, u32 buf) {
  if (IS_STDIO(fd))
    return fd_filestat_get(w, fd, buf);
  HOSTCALL(w, pg_wasi_fs_fd_filestat_get(w, fd, buf));
}

u32 IMPORT(fd_filestat_set_size)(pg_wasi *w, u32 fd, u64 size) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_NOTSUP);
  HOSTCALL(w, pg_wasi_fs_fd_filestat_set_size(w, fd, size));
}

u32 IMPORT(fd_filestat_set_times)(pg_wasi *w, u32 fd, u64 a, u64 m, u32 fl) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_NOTSUP);
  HOSTCALL(w, pg_wasi_fs_fd_filestat_set_times(w, fd, a, m, fl));
}

u32 IMPORT(fd_pread)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u64 off, u32 out) {
  if (IS_STDIO(fd))
    return fd_spipe(w, fd);
  HOSTCALL(w, pg_wasi_fs_fd_rw(w, fd, iovs, n, out, false, true, off));
}

u32 IMPORT(fd_prestat_get)(pg_wasi *w, u32 fd, u32 buf) {
  if (IS_STDIO(fd))
    return E_BADF;
  return pg_wasi_fs_fd_prestat_get(w, fd, buf);
}

u32 IMPORT(fd_prestat_dir_name)(pg_wasi *w, u32 fd, u32 path, u32 len) {
  if (IS_STDIO(fd))
    return E_BADF;
  return pg_wasi_fs_fd_prestat_dir_name(w, fd, path, len);
}

u32 IMPORT(fd_pwrite)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u64 off, u32 out) {
  if (IS_STDIO(fd))
    return fd_spipe(w, fd);
  HOSTCALL(w, pg_wasi_fs_fd_rw(w, fd, iovs, n, out, true, true, off));
}

u32 IMPORT(fd_read)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u32 out) {
  if (IS_STDIO(fd))
    HOSTCALL(w, fd_rw(w, fd, iovs, n, out, false));
  HOSTCALL(w, pg_wasi_fs_fd_rw(w, fd, iovs, n, out, false, false, 0));
}

u32 IMPORT(fd_readdir)(pg_wasi *w, u32 fd, u32 buf, u32 len, u64 cookie,
                       u32 out) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_NOTDIR);
  HOSTCALL(w, pg_wasi_fs_fd_readdir(w, fd, buf, len, cookie, out));
}

/* Stdio cannot be renumbered, nor a file onto stdio: parigot itself keeps
 * writing to the host's stdio. */
u32 IMPORT(fd_renumber)(pg_wasi *w, u32 fd, u32 to) {
  if (IS_STDIO(fd) || IS_STDIO(to)) {
    bool is_open =
        IS_STDIO(fd) ? host_fd(w, fd) >= 0 : pg_wasi_fs_is_open(&w->fs, fd);
    return is_open ? E_NOTSUP : E_BADF;
  }
  HOSTCALL(w, pg_wasi_fs_fd_renumber(w, fd, to));
}

u32 IMPORT(fd_seek)(pg_wasi *w, u32 fd, u64 off, u32 whence, u32 out) {
  if (IS_STDIO(fd))
    return fd_spipe(w, fd);
  HOSTCALL(w, pg_wasi_fs_fd_seek(w, fd, (int64_t)off, whence, out));
}

u32 IMPORT(fd_sync)(pg_wasi *w, u32 fd) {
  if (IS_STDIO(fd))
    return fd_only(w, fd, E_SUCCESS);
  HOSTCALL(w, pg_wasi_fs_fd_sync(w, fd, false));
}

u32 IMPORT(fd_tell)(pg_wasi *w, u32 fd, u32 out) {
  if (IS_STDIO(fd))
    return fd_spipe(w, fd);
  HOSTCALL(w, pg_wasi_fs_fd_seek(w, fd, 0, 1 /* cur */, out));
}

u32 IMPORT(fd_write)(pg_wasi *w, u32 fd, u32 iovs, u32 n, u32 out) {
  if (IS_STDIO(fd))
    HOSTCALL(w, fd_rw(w, fd, iovs, n, out, true));
  HOSTCALL(w, pg_wasi_fs_fd_rw(w, fd, iovs, n, out, true, false, 0));
}

u32 IMPORT(path_create_directory)(pg_wasi *w, u32 fd, u32 p, u32 l) {
  HOSTCALL(w, pg_wasi_fs_path_create_directory(w, fd, p, l));
}

u32 IMPORT(path_filestat_get)(pg_wasi *w, u32 fd, u32 f, u32 p, u32 l, u32 b) {
  HOSTCALL(w, pg_wasi_fs_path_filestat_get(w, fd, f, p, l, b));
}

u32 IMPORT(path_filestat_set_times)(pg_wasi *w, u32 fd, u32 f, u32 p, u32 l,
                                    u64 a, u64 m, u32 fl) {
  HOSTCALL(w, pg_wasi_fs_path_filestat_set_times(w, fd, f, p, l, a, m, fl));
}

u32 IMPORT(path_link)(pg_wasi *w, u32 fd, u32 f, u32 p, u32 l, u32 fd2, u32 p2,
                      u32 l2) {
  HOSTCALL(w, pg_wasi_fs_path_link(w, fd, f, p, l, fd2, p2, l2));
}

u32 IMPORT(path_open)(pg_wasi *w, u32 fd, u32 df, u32 p, u32 l, u32 of, u64 rb,
                      u64 ri, u32 ff, u32 out) {
  HOSTCALL(w, pg_wasi_fs_path_open(w, fd, df, p, l, of, rb, ri, ff, out));
}

u32 IMPORT(path_readlink)(pg_wasi *w, u32 fd, u32 p, u32 l, u32 b, u32 bl,
                          u32 out) {
  HOSTCALL(w, pg_wasi_fs_path_readlink(w, fd, p, l, b, bl, out));
}

u32 IMPORT(path_remove_directory)(pg_wasi *w, u32 fd, u32 p, u32 l) {
  HOSTCALL(w, pg_wasi_fs_path_remove_directory(w, fd, p, l));
}

u32 IMPORT(path_rename)(pg_wasi *w, u32 fd, u32 p, u32 l, u32 fd2, u32 p2,
                        u32 l2) {
  HOSTCALL(w, pg_wasi_fs_path_rename(w, fd, p, l, fd2, p2, l2));
}

u32 IMPORT(path_symlink)(pg_wasi *w, u32 p, u32 l, u32 fd, u32 p2, u32 l2) {
  HOSTCALL(w, pg_wasi_fs_path_symlink(w, p, l, fd, p2, l2));
}

u32 IMPORT(path_unlink_file)(pg_wasi *w, u32 fd, u32 p, u32 l) {
  HOSTCALL(w, pg_wasi_fs_path_unlink_file(w, fd, p, l));
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
  rc = pg_wasi_fs_init(&w->fs, cfg->preopens, cfg->npreopens, cfg->max_fds,
                       cfg->write_quota_bytes, cfg->is_deterministic, mem);
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
  pg_wasi_fs_deinit(&w->fs);
}
