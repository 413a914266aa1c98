/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_fs.c: WASI preview 1's files and directories for one
 * guest (see wasi_fs.h): the fd table above stdio, path resolution beneath
 * the preopens, and the fd_* and path_* operations wasi.c's imports route
 * here for fds 3 and up.
 *
 * Sandbox: every path a guest gives is resolved by the kernel with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) relative to a directory
 * fd the guest holds, which refuses absolute paths, ".." above that
 * directory and symlinks that lead out, atomically (EXDEV, reported as
 * EPERM as wasmtime does). Operations on a name (mkdir, unlink, rename,
 * symlink, link, readlink, set-times without following) first resolve the
 * name's parent that way, then act on its last component relative to the
 * parent's fd with a *at call that does not follow it. A read-only preopen
 * and everything opened under it refuse every change with EPERM, as
 * wasmtime refuses a directory without DirPerms::MUTATE.
 *
 * Owns the fd table, the listings fd_readdir hands out and, through
 * wasi_tree.c, deterministic mode's private copies. Calls the OS. Runs on
 * the thread of the guest that called it, inside wasi.c's HOSTCALL.
 */
#include "wasi_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "clock.h"
#include "parigot/error.h"
#include "utf8.h"
#include "wasi_int.h"
#include "wasi_tree.h"

typedef struct listing_entry {
  char *name; /* owned, NUL-terminated */
  uint64_t ino;
  uint8_t type;
} listing_entry;

struct pg_wasi_file {
  int host_fd; /* -1: the slot is free */
  uint8_t type;
  bool is_preopen, is_read_only, can_read, can_write;
  char *guest_name;       /* a preopen's name for fd_prestat_*; owned */
  listing_entry *listing; /* fd_readdir's entries, by name; owned */
  uint32_t nlisting;
};

/* Deterministic inode numbers: a host (dev, ino) is given 1, 2, 3, ... in
 * the order the guest first sees it, so two runs that do the same things
 * see the same numbers whatever the copy's inodes are. */
typedef struct ino_slot {
  uint64_t dev, ino, id; /* id 0: empty */
} ino_slot;

struct pg_wasi_inomap {
  ino_slot *slots;
  uint64_t cap, n; /* cap a power of two; n < cap / 2 */
};

#define FILE_RIGHTS                                                            \
  (R_BIT(R_FD_DATASYNC) | R_BIT(R_FD_READ) | R_BIT(R_FD_SEEK) |                \
   R_BIT(R_FD_FDSTAT_SET_FLAGS) | R_BIT(R_FD_SYNC) | R_BIT(R_FD_TELL) |        \
   R_BIT(R_FD_WRITE) | R_BIT(R_FD_ADVISE) | R_BIT(R_FD_ALLOCATE) |             \
   R_BIT(R_FD_FILESTAT_GET) | R_BIT(R_FD_FILESTAT_SET_SIZE) |                  \
   R_BIT(R_FD_FILESTAT_SET_TIMES) | R_BIT(R_POLL_FD_READWRITE))
#define WRITE_RIGHTS                                                           \
  (R_BIT(R_FD_DATASYNC) | R_BIT(R_FD_WRITE) | R_BIT(R_FD_ALLOCATE) |           \
   R_BIT(R_FD_FILESTAT_SET_SIZE))
#define READ_RIGHTS (R_BIT(R_FD_READ) | R_BIT(R_FD_READDIR))
#define DIR_RIGHTS                                                             \
  (R_BIT(R_FD_FDSTAT_SET_FLAGS) | R_BIT(R_FD_SYNC) | R_BIT(R_FD_DATASYNC) |    \
   R_BIT(R_PATH_CREATE_DIRECTORY) | R_BIT(R_PATH_CREATE_FILE) |                \
   R_BIT(R_PATH_LINK_SOURCE) | R_BIT(R_PATH_LINK_TARGET) |                     \
   R_BIT(R_PATH_OPEN) | R_BIT(R_FD_READDIR) | R_BIT(R_PATH_READLINK) |         \
   R_BIT(R_PATH_RENAME_SOURCE) | R_BIT(R_PATH_RENAME_TARGET) |                 \
   R_BIT(R_PATH_FILESTAT_GET) | R_BIT(R_PATH_FILESTAT_SET_SIZE) |              \
   R_BIT(R_PATH_FILESTAT_SET_TIMES) | R_BIT(R_FD_FILESTAT_GET) |               \
   R_BIT(R_FD_FILESTAT_SET_TIMES) | R_BIT(R_PATH_SYMLINK) |                    \
   R_BIT(R_PATH_REMOVE_DIRECTORY) | R_BIT(R_PATH_UNLINK_FILE))

/* ---- the fd table ---- */

static pg_wasi_file *file_at(pg_wasi_fs *fs, uint32_t fd) {
  if (fd < 3 || fd - 3 >= fs->nfiles || fs->files[fd - 3].host_fd < 0)
    return NULL;
  return &fs->files[fd - 3];
}

bool pg_wasi_fs_is_open(const pg_wasi_fs *fs, uint32_t fd) {
  return fd >= 3 && fd - 3 < fs->nfiles && fs->files[fd - 3].host_fd >= 0;
}

static void free_listing(pg_wasi_fs *fs, pg_wasi_file *f) {
  for (uint32_t i = 0; i < f->nlisting; i++)
    pg_mem_free(fs->mem, f->listing[i].name);
  pg_mem_free(fs->mem, f->listing);
  f->listing = NULL;
  f->nlisting = 0;
}

static void close_file(pg_wasi_fs *fs, pg_wasi_file *f) {
  free_listing(fs, f);
  pg_mem_free(fs->mem, f->guest_name);
  close(f->host_fd);
  memset(f, 0, sizeof *f);
  f->host_fd = -1;
}

static uint32_t open_count(const pg_wasi_fs *fs) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < fs->nfiles; i++)
    n += fs->files[i].host_fd >= 0;
  return n;
}

/* Finds the lowest free slot, growing the table; E_MFILE past max_fds. */
static int new_slot(pg_wasi_fs *fs, uint32_t *out) {
  for (uint32_t i = 0; i < fs->nfiles; i++)
    if (fs->files[i].host_fd < 0) {
      *out = i;
      return open_count(fs) < fs->max_fds ? E_SUCCESS : E_MFILE;
    }
  if (fs->nfiles >= fs->max_fds)
    return E_MFILE;
  uint32_t cap = fs->nfiles ? fs->nfiles * 2 : 8;
  if (cap > fs->max_fds)
    cap = fs->max_fds;
  pg_wasi_file *nf = pg_mem_realloc(fs->mem, fs->files, cap * sizeof *nf);
  if (nf == NULL)
    return E_NOMEM;
  for (uint32_t i = fs->nfiles; i < cap; i++) {
    memset(&nf[i], 0, sizeof nf[i]);
    nf[i].host_fd = -1;
  }
  *out = fs->nfiles;
  fs->files = nf;
  fs->nfiles = cap;
  return E_SUCCESS;
}

/* ---- deterministic inode numbers ---- */

static uint64_t ino_hash(uint64_t dev, uint64_t ino) {
  uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ ino;
  h ^= h >> 31;
  return h * 0xbf58476d1ce4e5b9ull;
}

static bool inomap_grow(const pg_mem *mem, pg_wasi_inomap *m) {
  uint64_t cap = m->cap ? m->cap * 2 : 64;
  ino_slot *s = pg_mem_calloc(mem, cap, sizeof *s);
  if (s == NULL)
    return false;
  for (uint64_t i = 0; i < m->cap; i++) {
    if (m->slots[i].id == 0)
      continue;
    uint64_t j = ino_hash(m->slots[i].dev, m->slots[i].ino) & (cap - 1);
    while (s[j].id)
      j = (j + 1) & (cap - 1);
    s[j] = m->slots[i];
  }
  pg_mem_free(mem, m->slots);
  m->slots = s;
  m->cap = cap;
  return true;
}

/* The guest's inode number for a host inode (0 when out of memory). */
static uint64_t guest_ino(pg_wasi_fs *fs, uint64_t dev, uint64_t ino) {
  if (!fs->is_deterministic)
    return ino;
  pg_wasi_inomap *m = fs->inomap;
  if (m->n + 1 > m->cap / 2 && !inomap_grow(fs->mem, m))
    return 0;
  uint64_t j = ino_hash(dev, ino) & (m->cap - 1);
  for (; m->slots[j].id; j = (j + 1) & (m->cap - 1))
    if (m->slots[j].dev == dev && m->slots[j].ino == ino)
      return m->slots[j].id;
  m->slots[j] = (ino_slot){dev, ino, ++m->n};
  return m->n;
}

/* ---- stat ---- */

static uint8_t type_of_mode(mode_t m) {
  if (S_ISREG(m))
    return FT_REG;
  if (S_ISDIR(m))
    return FT_DIR;
  if (S_ISLNK(m))
    return FT_SYMLINK;
  if (S_ISCHR(m))
    return FT_CHAR;
  if (S_ISBLK(m))
    return FT_BLOCK;
  if (S_ISSOCK(m))
    return FT_SOCK_STREAM;
  return FT_UNKNOWN;
}

static uint64_t ts_ns(struct timespec t) {
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Deterministic mode reports every time as the virtual clock's epoch (and
 * does not read the clock, which would move it), device 0, inode numbers
 * in the order seen, and directories as size 0 (their size is the host
 * filesystem's business). */
static void put_filestat(pg_wasi_fs *fs, uint8_t *p, const struct stat *st) {
  bool det = fs->is_deterministic;
  uint8_t type = type_of_mode(st->st_mode);
  memset(p, 0, FILESTAT_BYTES);
  pg_wasi_put_u64(p, det ? 0 : (uint64_t)st->st_dev);
  pg_wasi_put_u64(p + 8, guest_ino(fs, st->st_dev, st->st_ino));
  p[16] = type;
  pg_wasi_put_u64(p + 24, (uint64_t)st->st_nlink);
  pg_wasi_put_u64(p + 32, det && type == FT_DIR ? 0 : (uint64_t)st->st_size);
  pg_wasi_put_u64(p + 40, det ? PG_CLOCK_VIRTUAL_EPOCH_NS : ts_ns(st->st_atim));
  pg_wasi_put_u64(p + 48, det ? PG_CLOCK_VIRTUAL_EPOCH_NS : ts_ns(st->st_mtim));
  pg_wasi_put_u64(p + 56, det ? PG_CLOCK_VIRTUAL_EPOCH_NS : ts_ns(st->st_ctim));
}

/* ---- paths ---- */

/* Copies the guest's path into @p out (PATH_MAX bytes), NUL-terminated:
 * E_FAULT outside memory, E_NAMETOOLONG, E_ILSEQ not UTF-8 (WASI paths are
 * strings), E_INVAL with a NUL inside. */
static int read_path(pg_wasi *w, uint32_t addr, uint32_t len, char *out) {
  const uint8_t *p = pg_wasi_span(w, addr, len);
  if (p == NULL)
    return E_FAULT;
  if (len >= PATH_MAX)
    return E_NAMETOOLONG;
  if (memchr(p, '\0', len))
    return E_INVAL;
  if (!pg_utf8_valid(p, len))
    return E_ILSEQ;
  memcpy(out, p, len);
  out[len] = '\0';
  return E_SUCCESS;
}

/* The one place a guest path is resolved: beneath @p dirfd, by the
 * kernel. Sets *out to the new fd. */
static int open_beneath(pg_wasi *w, int dirfd, const char *path, int flags,
                        mode_t mode, int *out) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      .mode = (flags & O_CREAT) ? mode : 0,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  for (int tries = 0;; tries++) {
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) {
      *out = (int)fd;
      return E_SUCCESS;
    }
    if (errno == EINTR)
      pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
    else if (errno != EAGAIN || tries >= 16) /* EAGAIN: a rename raced */
      break;
  }
  return errno == EXDEV ? E_PERM : pg_wasi_errno(errno);
}

/* A name split for the *at calls: its parent, held open, and its last
 * component (with any trailing slashes, so "file/" still fails). */
typedef struct at_name {
  int dirfd;  /* the parent's fd */
  bool owned; /* dirfd was opened for this name */
  const char *base;
  const pg_wasi_file *dir; /* the guest fd it is relative to */
} at_name;

static void at_release(at_name *a) {
  if (a->owned)
    close(a->dirfd);
  a->owned = false;
}

/* The directory fd a path operation starts from: E_BADF for no fd,
 * E_NOTDIR for a file; E_PERM when @p is_change and it is read-only. */
static int dir_file(pg_wasi *w, uint32_t fd, bool is_change,
                    const pg_wasi_file **out) {
  const pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF; /* stdio too, as in wasmtime */
  if (f->type != FT_DIR)
    return E_NOTDIR;
  if (is_change && f->is_read_only)
    return E_PERM;
  *out = f;
  return E_SUCCESS;
}

/* Reads path @p addr/@p len of guest fd @p fd into @p buf and opens its
 * parent beneath the fd. */
static int resolve_at(pg_wasi *w, uint32_t fd, uint32_t addr, uint32_t len,
                      bool is_change, char *buf, at_name *out) {
  const pg_wasi_file *d;
  int rc = dir_file(w, fd, is_change, &d);
  if (rc == E_SUCCESS)
    rc = read_path(w, addr, len, buf);
  if (rc)
    return rc;
  if (buf[0] == '/')
    return E_PERM; /* absolute: outside every preopen */
  size_t end = strlen(buf), start;
  while (end > 0 && buf[end - 1] == '/')
    end--;
  if (end == 0)
    return E_NOENT; /* "" */
  for (start = end; start > 0 && buf[start - 1] != '/'; start--)
    ;
  /* ".." names the parent's parent, which may be outside: the kernel
   * checks the whole path first (a "..", at any depth, changes nothing
   * anyway: mkdir says EEXIST, rmdir ENOTEMPTY). */
  if (end - start == 2 && buf[start] == '.' && buf[start + 1] == '.') {
    int h;
    if ((rc = open_beneath(w, d->host_fd, buf, O_PATH, 0, &h)))
      return rc;
    close(h);
  }
  *out = (at_name){d->host_fd, false, buf + start, d};
  if (start == 0)
    return E_SUCCESS;
  buf[start - 1] = '\0';
  rc = open_beneath(w, d->host_fd, buf, O_PATH | O_DIRECTORY, 0, &out->dirfd);
  out->owned = rc == E_SUCCESS;
  return rc;
}

/* A Linux call's result as a WASI errno. */
static int sys_rc(int r) {
  return r == 0 ? E_SUCCESS : pg_wasi_errno(errno);
}

/* ---- path operations ---- */

int pg_wasi_fs_path_create_directory(pg_wasi *w, uint32_t fd, uint32_t p,
                                     uint32_t l) {
  char buf[PATH_MAX];
  at_name a = {0};
  int rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS)
    rc = sys_rc(mkdirat(a.dirfd, a.base, 0777));
  at_release(&a);
  return rc;
}

int pg_wasi_fs_path_remove_directory(pg_wasi *w, uint32_t fd, uint32_t p,
                                     uint32_t l) {
  char buf[PATH_MAX];
  at_name a = {0};
  int rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS)
    rc = sys_rc(unlinkat(a.dirfd, a.base, AT_REMOVEDIR));
  at_release(&a);
  return rc;
}

int pg_wasi_fs_path_unlink_file(pg_wasi *w, uint32_t fd, uint32_t p,
                                uint32_t l) {
  char buf[PATH_MAX];
  at_name a = {0};
  int rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS)
    rc = sys_rc(unlinkat(a.dirfd, a.base, 0));
  at_release(&a);
  return rc;
}

int pg_wasi_fs_path_rename(pg_wasi *w, uint32_t fd, uint32_t p, uint32_t l,
                           uint32_t fd2, uint32_t p2, uint32_t l2) {
  char b1[PATH_MAX], b2[PATH_MAX];
  at_name a = {0}, b = {0};
  int rc = resolve_at(w, fd, p, l, true, b1, &a);
  if (rc == E_SUCCESS)
    rc = resolve_at(w, fd2, p2, l2, true, b2, &b);
  if (rc == E_SUCCESS)
    rc = sys_rc(renameat(a.dirfd, a.base, b.dirfd, b.base));
  at_release(&a);
  at_release(&b);
  return rc;
}

/* A symlink's text is kept as given, but an absolute one is refused: it
 * could never be followed beneath a preopen, and on the host it would
 * point anywhere. Relative ones that climb out fail when followed. */
int pg_wasi_fs_path_symlink(pg_wasi *w, uint32_t tp, uint32_t tl, uint32_t fd,
                            uint32_t p, uint32_t l) {
  char target[PATH_MAX], buf[PATH_MAX];
  at_name a = {0};
  int rc = read_path(w, tp, tl, target);
  if (rc == E_SUCCESS && target[0] == '/')
    rc = E_PERM;
  if (rc == E_SUCCESS)
    rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS)
    rc = sys_rc(symlinkat(target, a.dirfd, a.base));
  at_release(&a);
  return rc;
}

/* Following a symlink source is refused with EINVAL, as wasmtime does;
 * the source must not be under a read-only preopen, or the link would be
 * a writable name for a read-only file. */
int pg_wasi_fs_path_link(pg_wasi *w, uint32_t fd, uint32_t flags, uint32_t p,
                         uint32_t l, uint32_t fd2, uint32_t p2, uint32_t l2) {
  char b1[PATH_MAX], b2[PATH_MAX];
  at_name a = {0}, b = {0};
  if (flags & LOOKUP_SYMLINK_FOLLOW)
    return file_at(&w->fs, fd) ? E_INVAL : E_BADF;
  int rc = resolve_at(w, fd, p, l, true, b1, &a);
  if (rc == E_SUCCESS)
    rc = resolve_at(w, fd2, p2, l2, true, b2, &b);
  if (rc == E_SUCCESS)
    rc = sys_rc(linkat(a.dirfd, a.base, b.dirfd, b.base, 0));
  at_release(&a);
  at_release(&b);
  return rc;
}

/* Opens @p path beneath guest fd @p fd as an O_PATH fd, following a last
 * symlink only when @p follow. */
static int open_path_fd(pg_wasi *w, uint32_t fd, uint32_t p, uint32_t l,
                        bool follow, int *out) {
  const pg_wasi_file *d;
  char buf[PATH_MAX];
  int rc = dir_file(w, fd, false, &d);
  if (rc == E_SUCCESS)
    rc = read_path(w, p, l, buf);
  if (rc == E_SUCCESS)
    rc = open_beneath(w, d->host_fd, buf, O_PATH | (follow ? 0 : O_NOFOLLOW), 0,
                      out);
  return rc;
}

int pg_wasi_fs_path_filestat_get(pg_wasi *w, uint32_t fd, uint32_t flags,
                                 uint32_t p, uint32_t l, uint32_t out) {
  int h;
  struct stat st;
  uint8_t *dst = pg_wasi_span(w, out, FILESTAT_BYTES);
  int rc = open_path_fd(w, fd, p, l, flags & LOOKUP_SYMLINK_FOLLOW, &h);
  if (rc)
    return rc;
  rc = sys_rc(fstat(h, &st));
  close(h);
  if (rc == E_SUCCESS && dst == NULL)
    rc = E_FAULT;
  if (rc == E_SUCCESS)
    put_filestat(&w->fs, dst, &st);
  return rc;
}

int pg_wasi_fs_path_readlink(pg_wasi *w, uint32_t fd, uint32_t p, uint32_t l,
                             uint32_t buf, uint32_t buf_len, uint32_t out) {
  int h;
  char target[PATH_MAX];
  struct stat st;
  int rc = open_path_fd(w, fd, p, l, false, &h);
  if (rc)
    return rc;
  ssize_t n = readlinkat(h, "", target, sizeof target);
  if (n < 0)
    rc = fstat(h, &st) == 0 && !S_ISLNK(st.st_mode) ? E_INVAL
                                                    : pg_wasi_errno(errno);
  close(h);
  if (rc)
    return rc;
  /* Cut to the buffer, as readlink(2) does; callers retry with more room
   * when the buffer came back full. */
  uint32_t len = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
  uint8_t *dst = pg_wasi_span(w, buf, buf_len);
  uint8_t *used = pg_wasi_span(w, out, 4);
  if (dst == NULL || used == NULL)
    return E_FAULT;
  memcpy(dst, target, len);
  pg_wasi_put_u32(used, len);
  return E_SUCCESS;
}

/* The timespec pair of a set-times call: E_INVAL for a time both given
 * and "now". */
static int set_times_spec(uint64_t atim, uint64_t mtim, uint32_t fl,
                          struct timespec ts[2]) {
  if (((fl & FST_ATIM) && (fl & FST_ATIM_NOW)) ||
      ((fl & FST_MTIM) && (fl & FST_MTIM_NOW)) || fl > 15)
    return E_INVAL;
  uint64_t v[2] = {atim, mtim};
  for (int i = 0; i < 2; i++) {
    uint32_t set = i ? FST_MTIM : FST_ATIM,
             now = i ? FST_MTIM_NOW : FST_ATIM_NOW;
    ts[i].tv_sec = (time_t)(v[i] / 1000000000u);
    ts[i].tv_nsec = (long)(v[i] % 1000000000u);
    if (fl & now)
      ts[i].tv_nsec = UTIME_NOW;
    else if (!(fl & set))
      ts[i].tv_nsec = UTIME_OMIT;
  }
  return E_SUCCESS;
}

/* An O_PATH fd's file, by its /proc name: utimensat cannot take the fd
 * itself, and the name reaches exactly the inode already resolved. */
static int utimens_fd(int h, const struct timespec ts[2]) {
  char name[64];
  snprintf(name, sizeof name, "/proc/self/fd/%d", h);
  return sys_rc(utimensat(AT_FDCWD, name, ts, 0));
}

int pg_wasi_fs_path_filestat_set_times(pg_wasi *w, uint32_t fd, uint32_t flags,
                                       uint32_t p, uint32_t l, uint64_t atim,
                                       uint64_t mtim, uint32_t fl) {
  struct timespec ts[2];
  const pg_wasi_file *d;
  int rc = set_times_spec(atim, mtim, fl, ts);
  if (rc == E_SUCCESS)
    rc = dir_file(w, fd, true, &d);
  if (rc)
    return rc;
  /* "link/" makes the kernel follow "link": resolve it beneath, then. */
  if (l > 0 && (p + l - 1 < p || pg_wasi_span(w, p + l - 1, 1) == NULL))
    return E_FAULT;
  if ((flags & LOOKUP_SYMLINK_FOLLOW) ||
      (l > 0 && *pg_wasi_span(w, p + l - 1, 1) == '/')) {
    int h;
    if ((rc = open_path_fd(w, fd, p, l, true, &h)) == E_SUCCESS) {
      rc = utimens_fd(h, ts);
      close(h);
    }
    return rc;
  }
  char buf[PATH_MAX];
  at_name a = {0};
  if ((rc = resolve_at(w, fd, p, l, true, buf, &a)) == E_SUCCESS)
    rc = sys_rc(utimensat(a.dirfd, a.base, ts, AT_SYMLINK_NOFOLLOW));
  at_release(&a);
  return rc;
}

/* ---- path_open ---- */

static int open_flags(const pg_wasi_file *d, uint32_t oflags, uint64_t base,
                      uint32_t fdflags, bool follow, int *out) {
  bool rd = base & READ_RIGHTS;
  bool wr = (base & WRITE_RIGHTS) || (fdflags & FDF_APPEND);
  int fl = rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
  if (d->is_read_only && (wr || (oflags & (O_F_CREAT | O_F_TRUNC))))
    return E_PERM;
  if (oflags & ~15u || fdflags & ~31u)
    return E_INVAL;
  fl |= (oflags & O_F_CREAT ? O_CREAT : 0) | (oflags & O_F_EXCL ? O_EXCL : 0) |
        (oflags & O_F_TRUNC ? O_TRUNC : 0) |
        (oflags & O_F_DIRECTORY ? O_DIRECTORY : 0);
  fl |= (fdflags & FDF_APPEND ? O_APPEND : 0) |
        (fdflags & FDF_DSYNC ? O_DSYNC : 0) |
        (fdflags & FDF_NONBLOCK ? O_NONBLOCK : 0) |
        (fdflags & (FDF_SYNC | FDF_RSYNC) ? O_SYNC : 0);
  *out = fl | (follow ? 0 : O_NOFOLLOW);
  return E_SUCCESS;
}

int pg_wasi_fs_path_open(pg_wasi *w, uint32_t fd, uint32_t dirflags, uint32_t p,
                         uint32_t l, uint32_t oflags, uint64_t base,
                         uint64_t inheriting, uint32_t fdflags, uint32_t out) {
  (void)inheriting; /* what a directory opened here may pass on: all */
  const pg_wasi_file *d;
  char buf[PATH_MAX];
  int fl, h, rc;
  uint32_t slot;
  struct stat st;
  if ((rc = dir_file(w, fd, false, &d)) || (rc = read_path(w, p, l, buf)) ||
      (rc = open_flags(d, oflags, base, fdflags,
                       dirflags & LOOKUP_SYMLINK_FOLLOW, &fl)))
    return rc;
  if (!pg_wasi_span(w, out, 4))
    return E_FAULT;
  bool is_read_only = d->is_read_only;
  int dirfd = d->host_fd; /* d moves if new_slot grows the table */
  if ((rc = new_slot(&w->fs, &slot)))
    return rc;
  if ((rc = open_beneath(w, dirfd, buf, fl, 0666, &h)))
    return rc;
  if (fstat(h, &st) != 0) {
    rc = pg_wasi_errno(errno);
    close(h);
    return rc;
  }
  int acc = fl & O_ACCMODE;
  w->fs.files[slot] = (pg_wasi_file){
      .host_fd = h,
      .type = type_of_mode(st.st_mode),
      .is_read_only = is_read_only,
      .can_read = acc != O_WRONLY,
      .can_write = acc != O_RDONLY,
  };
  pg_wasi_put_u32(pg_wasi_span(w, out, 4), slot + 3);
  return E_SUCCESS;
}

/* ---- descriptor operations ---- */

/* A regular file (or other non-directory) at guest fd @p fd; E_BADF for a
 * directory, as wasmtime answers file operations on one. */
static int file_of(pg_wasi *w, uint32_t fd, pg_wasi_file **out) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL || f->type == FT_DIR)
    return E_BADF;
  *out = f;
  return E_SUCCESS;
}

/* Cuts @p v to what the write quota still allows; E_DQUOT once none is
 * left. A write that crosses the quota is short, as at a full disk. */
static int quota_trim(pg_wasi_fs *fs, struct iovec *v, uint32_t *nv) {
  if (fs->write_quota_bytes == 0)
    return E_SUCCESS;
  uint64_t left = fs->write_quota_bytes - fs->written_bytes, total = 0;
  for (uint32_t i = 0; i < *nv; i++) {
    if (v[i].iov_len > 0 && left == 0)
      return E_DQUOT;
    if (total + v[i].iov_len > left) {
      v[i].iov_len = (size_t)(left - total);
      *nv = i + 1;
    }
    total += v[i].iov_len;
  }
  return E_SUCCESS;
}

static int quota_grow(pg_wasi_fs *fs, uint64_t bytes) {
  if (fs->write_quota_bytes == 0)
    return E_SUCCESS;
  if (bytes > fs->write_quota_bytes - fs->written_bytes)
    return E_DQUOT;
  fs->written_bytes += bytes;
  return E_SUCCESS;
}

int pg_wasi_fs_fd_rw(pg_wasi *w, uint32_t fd, uint32_t iovs, uint32_t n,
                     uint32_t out, bool is_write, bool has_offset,
                     uint64_t offset) {
  struct iovec v[MAX_IOVS];
  uint32_t nv;
  pg_wasi_file *f;
  int rc = file_of(w, fd, &f);
  if (rc)
    return rc;
  if (is_write ? !f->can_write : !f->can_read)
    return E_BADF;
  if (has_offset && offset > INT64_MAX)
    return E_INVAL;
  if ((rc = pg_wasi_load_iovs(w, iovs, n, v, &nv)))
    return rc;
  if (!pg_wasi_span(w, out, 4))
    return E_FAULT;
  if (is_write && (rc = quota_trim(&w->fs, v, &nv)))
    return rc;
  ssize_t got;
  off_t off = (off_t)offset;
  do {
    if (has_offset)
      got = is_write ? pwritev(f->host_fd, v, (int)nv, off)
                     : preadv(f->host_fd, v, (int)nv, off);
    else
      got = is_write ? writev(f->host_fd, v, (int)nv)
                     : readv(f->host_fd, v, (int)nv);
    if (got < 0 && errno == EINTR)
      pg_rt_host_leave(w->frame), pg_rt_host_enter(w->frame);
  } while (got < 0 && errno == EINTR);
  if (got < 0)
    return pg_wasi_errno(errno);
  if (is_write)
    w->fs.written_bytes += (uint64_t)got;
  pg_wasi_put_u32(pg_wasi_span(w, out, 4), (uint32_t)got);
  return E_SUCCESS;
}

int pg_wasi_fs_fd_seek(pg_wasi *w, uint32_t fd, int64_t off, uint32_t whence,
                       uint32_t out) {
  pg_wasi_file *f;
  int rc = file_of(w, fd, &f);
  if (rc)
    return rc;
  if (whence > WHENCE_END)
    return E_INVAL;
  if (!pg_wasi_span(w, out, 8))
    return E_FAULT;
  static const int how[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t pos = lseek(f->host_fd, (off_t)off, how[whence]);
  if (pos < 0)
    return pg_wasi_errno(errno);
  pg_wasi_put_u64(pg_wasi_span(w, out, 8), (uint64_t)pos);
  return E_SUCCESS;
}

int pg_wasi_fs_fd_close(pg_wasi *w, uint32_t fd) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  close_file(&w->fs, f);
  return E_SUCCESS;
}

int pg_wasi_fs_fd_sync(pg_wasi *w, uint32_t fd, bool is_data_only) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  return sys_rc(is_data_only ? fdatasync(f->host_fd) : fsync(f->host_fd));
}

static uint64_t rights_of(const pg_wasi_file *f) {
  if (f->type == FT_DIR)
    return DIR_RIGHTS;
  uint64_t r = FILE_RIGHTS & ~(WRITE_RIGHTS | READ_RIGHTS);
  if (f->can_read)
    r |= R_BIT(R_FD_READ);
  if (f->can_write)
    r |= WRITE_RIGHTS;
  return r;
}

int pg_wasi_fs_fd_fdstat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  uint8_t *p = pg_wasi_span(w, buf, FDSTAT_BYTES);
  if (p == NULL)
    return E_FAULT;
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0)
    return pg_wasi_errno(errno);
  uint16_t flags = (fl & O_APPEND ? FDF_APPEND : 0) |
                   (fl & O_NONBLOCK ? FDF_NONBLOCK : 0) |
                   ((fl & O_SYNC) == O_SYNC ? FDF_SYNC | FDF_RSYNC
                    : (fl & O_DSYNC)        ? FDF_DSYNC
                                            : 0);
  memset(p, 0, FDSTAT_BYTES);
  p[0] = f->type;
  pg_wasi_put_u16(p + 2, flags);
  pg_wasi_put_u64(p + 8, rights_of(f));
  pg_wasi_put_u64(p + 16, f->type == FT_DIR ? DIR_RIGHTS | FILE_RIGHTS : 0);
  return E_SUCCESS;
}

/* Append and non-blocking can change on an open fd; the sync flags
 * cannot (Linux's fcntl ignores them), so asking for them is ENOTSUP. */
int pg_wasi_fs_fd_fdstat_set_flags(pg_wasi *w, uint32_t fd, uint32_t flags) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  if (flags & ~31u)
    return E_INVAL;
  if (flags & (FDF_DSYNC | FDF_RSYNC | FDF_SYNC))
    return E_NOTSUP;
  if ((flags & FDF_APPEND) && !f->can_write)
    return f->is_read_only ? E_PERM : E_BADF;
  int fl = fcntl(f->host_fd, F_GETFL);
  if (fl < 0)
    return pg_wasi_errno(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  fl |= (flags & FDF_APPEND ? O_APPEND : 0) |
        (flags & FDF_NONBLOCK ? O_NONBLOCK : 0);
  return sys_rc(fcntl(f->host_fd, F_SETFL, fl));
}

int pg_wasi_fs_fd_filestat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  uint8_t *p = pg_wasi_span(w, buf, FILESTAT_BYTES);
  struct stat st;
  if (p == NULL)
    return E_FAULT;
  if (fstat(f->host_fd, &st) != 0)
    return pg_wasi_errno(errno);
  put_filestat(&w->fs, p, &st);
  return E_SUCCESS;
}

/* Growing a file counts against the write quota, as writing would. */
int pg_wasi_fs_fd_filestat_set_size(pg_wasi *w, uint32_t fd, uint64_t size) {
  pg_wasi_file *f;
  struct stat st;
  int rc = file_of(w, fd, &f);
  if (rc)
    return rc;
  if (!f->can_write)
    return E_BADF;
  if (size > INT64_MAX)
    return E_INVAL;
  if (fstat(f->host_fd, &st) != 0)
    return pg_wasi_errno(errno);
  uint64_t cur = (uint64_t)st.st_size;
  if (size > cur && (rc = quota_grow(&w->fs, size - cur)))
    return rc;
  return sys_rc(ftruncate(f->host_fd, (off_t)size));
}

int pg_wasi_fs_fd_allocate(pg_wasi *w, uint32_t fd, uint64_t off,
                           uint64_t len) {
  pg_wasi_file *f;
  struct stat st;
  int rc = file_of(w, fd, &f);
  if (rc)
    return rc;
  if (!f->can_write)
    return E_BADF;
  if (off > INT64_MAX || len > INT64_MAX - off)
    return E_INVAL;
  if (fstat(f->host_fd, &st) != 0)
    return pg_wasi_errno(errno);
  if (off + len > (uint64_t)st.st_size &&
      (rc = quota_grow(&w->fs, off + len - (uint64_t)st.st_size)))
    return rc;
  int e = posix_fallocate(f->host_fd, (off_t)off, (off_t)len);
  return e ? pg_wasi_errno(e) : E_SUCCESS;
}

int pg_wasi_fs_fd_filestat_set_times(pg_wasi *w, uint32_t fd, uint64_t atim,
                                     uint64_t mtim, uint32_t fl) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  struct timespec ts[2];
  if (f == NULL)
    return E_BADF;
  int rc = set_times_spec(atim, mtim, fl, ts);
  if (rc)
    return rc;
  if (f->is_read_only)
    return E_PERM;
  return sys_rc(futimens(f->host_fd, ts));
}

int pg_wasi_fs_fd_advise(pg_wasi *w, uint32_t fd, uint64_t off, uint64_t len,
                         uint32_t advice) {
  static const int how[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                            POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                            POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  pg_wasi_file *f;
  int rc = file_of(w, fd, &f);
  if (rc)
    return rc;
  if (advice > 5 || off > INT64_MAX || len > INT64_MAX)
    return E_INVAL;
  int e = posix_fadvise(f->host_fd, (off_t)off, (off_t)len, how[advice]);
  return e ? pg_wasi_errno(e) : E_SUCCESS;
}

/* Moves @p from onto @p to, which must be open, closing what was there. */
int pg_wasi_fs_fd_renumber(pg_wasi *w, uint32_t from, uint32_t to) {
  pg_wasi_file *a = file_at(&w->fs, from), *b = file_at(&w->fs, to);
  if (a == NULL || b == NULL)
    return E_BADF;
  if (a == b)
    return E_SUCCESS;
  close_file(&w->fs, b);
  *b = *a;
  memset(a, 0, sizeof *a);
  a->host_fd = -1;
  return E_SUCCESS;
}

int pg_wasi_fs_fd_prestat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL || !f->is_preopen)
    return E_BADF;
  uint8_t *p = pg_wasi_span(w, buf, 8);
  if (p == NULL)
    return E_FAULT;
  memset(p, 0, 8); /* tag 0: a directory */
  pg_wasi_put_u32(p + 4, (uint32_t)strlen(f->guest_name));
  return E_SUCCESS;
}

int pg_wasi_fs_fd_prestat_dir_name(pg_wasi *w, uint32_t fd, uint32_t path,
                                   uint32_t len) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL || !f->is_preopen)
    return E_BADF;
  size_t n = strlen(f->guest_name);
  if (len < n)
    return E_NAMETOOLONG;
  uint8_t *p = pg_wasi_span(w, path, len);
  if (p == NULL)
    return E_FAULT;
  memcpy(p, f->guest_name, n);
  return E_SUCCESS;
}

/* ---- fd_readdir ---- */

static int by_name(const void *a, const void *b) {
  return strcmp(((const listing_entry *)a)->name,
                ((const listing_entry *)b)->name);
}

static uint8_t type_of_dirent(int dirfd, const struct dirent *e) {
  struct stat st;
  switch (e->d_type) {
  case DT_REG:
    return FT_REG;
  case DT_DIR:
    return FT_DIR;
  case DT_LNK:
    return FT_SYMLINK;
  case DT_CHR:
    return FT_CHAR;
  case DT_BLK:
    return FT_BLOCK;
  case DT_SOCK:
    return FT_SOCK_STREAM;
  case DT_UNKNOWN:
    if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
      return type_of_mode(st.st_mode);
  }
  return FT_UNKNOWN;
}

/* Appends one entry to @p f's listing, growing it by doubling. */
static int listing_add(pg_wasi_fs *fs, pg_wasi_file *f, uint32_t *cap,
                       const char *name, uint64_t ino, uint8_t type) {
  if (f->nlisting == *cap) {
    uint32_t nc = *cap ? *cap * 2 : 16;
    listing_entry *l = pg_mem_realloc(fs->mem, f->listing, nc * sizeof *l);
    if (l == NULL)
      return E_NOMEM;
    f->listing = l;
    *cap = nc;
  }
  char *copy = pg_mem_strdup(fs->mem, name);
  if (copy == NULL)
    return E_NOMEM;
  f->listing[f->nlisting++] = (listing_entry){copy, ino, type};
  return E_SUCCESS;
}

/* Reads the whole directory, sorted by name: the order is the same in
 * every run and on every filesystem, and cookies stay valid. */
static int load_listing(pg_wasi_fs *fs, pg_wasi_file *f) {
  struct stat st;
  free_listing(fs, f);
  if (fstat(f->host_fd, &st) != 0)
    return pg_wasi_errno(errno);
  int fd = openat(f->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (d == NULL) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return pg_wasi_errno(e);
  }
  uint32_t cap = 0;
  int rc = E_SUCCESS;
  struct dirent *e;
  while (rc == E_SUCCESS && (e = readdir(d)) != NULL)
    rc = listing_add(fs, f, &cap, e->d_name, e->d_ino, type_of_dirent(fd, e));
  closedir(d);
  if (rc)
    return rc;
  qsort(f->listing, f->nlisting, sizeof *f->listing, by_name);
  for (uint32_t i = 0; i < f->nlisting; i++)
    f->listing[i].ino = guest_ino(fs, st.st_dev, f->listing[i].ino);
  return E_SUCCESS;
}

/* Copies as much of @p src as fits at @p *used of @p buf (@p len bytes). */
static void put_bytes(uint8_t *buf, uint32_t len, uint32_t *used,
                      const void *src, size_t n) {
  size_t room = len - *used;
  size_t k = n < room ? n : room;
  memcpy(buf + *used, src, k);
  *used += (uint32_t)k;
}

/* Entry i's cookie is i; d_next is i + 1. The last entry may be cut at the
 * end of the buffer: the guest sees the buffer full and asks again. */
int pg_wasi_fs_fd_readdir(pg_wasi *w, uint32_t fd, uint32_t buf, uint32_t len,
                          uint64_t cookie, uint32_t out) {
  pg_wasi_file *f = file_at(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  if (f->type != FT_DIR)
    return E_NOTDIR;
  uint8_t *p = pg_wasi_span(w, buf, len);
  if (p == NULL || !pg_wasi_span(w, out, 4))
    return E_FAULT;
  int rc;
  if ((cookie == 0 || f->listing == NULL) && (rc = load_listing(&w->fs, f)))
    return rc;
  uint32_t used = 0;
  for (uint64_t i = cookie; i < f->nlisting && used < len; i++) {
    const listing_entry *e = &f->listing[i];
    uint8_t head[DIRENT_BYTES] = {0};
    size_t n = strlen(e->name);
    pg_wasi_put_u64(head, i + 1);
    pg_wasi_put_u64(head + 8, e->ino);
    pg_wasi_put_u32(head + 16, (uint32_t)n);
    head[20] = e->type;
    put_bytes(p, len, &used, head, sizeof head);
    put_bytes(p, len, &used, e->name, n);
  }
  pg_wasi_put_u32(pg_wasi_span(w, out, 4), used);
  return E_SUCCESS;
}

/* ---- set-up ---- */

/* Makes a private copy of @p host for a deterministic run. */
static int make_copy(pg_wasi_fs *fs, const char *host, char **out) {
  const char *tmp = getenv("TMPDIR");
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s/parigot-wasi-XXXXXX",
                   tmp && *tmp ? tmp : "/tmp");
  if (n < 0 || (size_t)n >= sizeof path || mkdtemp(path) == NULL)
    return PARIGOT_EIO;
  if (pg_wasi_tree_copy(host, path) != 0) {
    pg_wasi_tree_remove(path);
    return PARIGOT_EIO;
  }
  if ((*out = pg_mem_strdup(fs->mem, path)) == NULL) {
    pg_wasi_tree_remove(path);
    return PARIGOT_ENOMEM;
  }
  return 0;
}

static int add_preopen(pg_wasi_fs *fs, uint32_t i, const pg_wasi_preopen *p) {
  struct stat st;
  if (stat(p->host, &st) != 0 || !S_ISDIR(st.st_mode))
    return PARIGOT_ENOENT;
  int rc;
  if (fs->is_deterministic && !p->is_read_only &&
      (rc = make_copy(fs, p->host, &fs->copies[i])))
    return rc;
  const char *dir = fs->copies[i] ? fs->copies[i] : p->host;
  pg_wasi_file *f = &fs->files[i];
  if ((f->guest_name = pg_mem_strdup(fs->mem, p->guest)) == NULL)
    return PARIGOT_ENOMEM;
  f->host_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f->host_fd < 0)
    return PARIGOT_EIO;
  f->type = FT_DIR;
  f->is_preopen = f->can_read = true;
  f->is_read_only = p->is_read_only;
  return 0;
}

int pg_wasi_fs_init(pg_wasi_fs *fs, const pg_wasi_preopen *pre, size_t n,
                    uint32_t max_fds, uint64_t write_quota_bytes,
                    bool is_deterministic, const pg_mem *mem) {
  memset(fs, 0, sizeof *fs);
  fs->mem = mem;
  fs->max_fds = max_fds ? max_fds : PG_WASI_DEFAULT_MAX_FDS;
  fs->write_quota_bytes = write_quota_bytes;
  fs->is_deterministic = is_deterministic;
  if (n > fs->max_fds)
    return PARIGOT_EINVAL;
  int rc = PARIGOT_ENOMEM;
  fs->inomap = pg_mem_calloc(mem, 1, sizeof *fs->inomap);
  fs->copies = pg_mem_calloc(mem, n + 1, sizeof *fs->copies);
  fs->files = pg_mem_calloc(mem, n + 1, sizeof *fs->files);
  if (fs->inomap == NULL || fs->copies == NULL || fs->files == NULL)
    goto fail;
  fs->nfiles = (uint32_t)n + 1;
  for (uint32_t i = 0; i < fs->nfiles; i++)
    fs->files[i].host_fd = -1;
  fs->npreopens = (uint32_t)n;
  for (uint32_t i = 0; i < n; i++)
    if ((rc = add_preopen(fs, i, &pre[i])))
      goto fail;
  return 0;
fail:
  pg_wasi_fs_deinit(fs);
  return rc;
}

void pg_wasi_fs_deinit(pg_wasi_fs *fs) {
  if (fs->mem == NULL)
    return;
  for (uint32_t i = 0; i < fs->nfiles; i++)
    if (fs->files[i].host_fd >= 0 || fs->files[i].guest_name)
      close_file(fs, &fs->files[i]);
  for (uint32_t i = 0; fs->copies && i < fs->npreopens; i++) {
    if (fs->copies[i])
      pg_wasi_tree_remove(fs->copies[i]);
    pg_mem_free(fs->mem, fs->copies[i]);
  }
  if (fs->inomap)
    pg_mem_free(fs->mem, fs->inomap->slots);
  pg_mem_free(fs->mem, fs->inomap);
  pg_mem_free(fs->mem, fs->copies);
  pg_mem_free(fs->mem, fs->files);
  memset(fs, 0, sizeof *fs);
}
