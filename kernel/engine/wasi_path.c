/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_path.c: WASI's path functions (path_open and every
 * path_*), the sandbox's one way from a guest path to a host file.
 *
 * Every path a guest gives is resolved by the kernel with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) relative to a directory
 * fd the guest holds, which refuses absolute paths, ".." above that
 * directory and symlinks that lead out, atomically (EXDEV, reported as
 * EPERM as wasmtime does). Operations on a name (mkdir, unlink, rename,
 * symlink, link, readlink, set-times without following) first resolve the
 * name's parent that way, then act on its last component relative to the
 * parent's fd with a *at call that does not follow it: no path is ever
 * resolved twice, so nothing swapped between a check and a use matters.
 * A read-only preopen and everything opened under it refuse every change
 * with EPERM, as wasmtime refuses a directory without DirPerms::MUTATE.
 *
 * Owns nothing between calls. Calls the OS. Runs on the thread of the
 * guest that owns the pg_wasi, inside wasi.c's HOSTCALL.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utf8.h"
#include "wasi_int.h"

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
  const pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
  *out = (at_name){d->host_fd, false, buf + start};
  if (start == 0)
    return E_SUCCESS;
  buf[start - 1] = '\0';
  rc = open_beneath(w, d->host_fd, buf, O_PATH | O_DIRECTORY, 0, &out->dirfd);
  out->owned = rc == E_SUCCESS;
  return rc;
}

/* ---- path operations ---- */

/* In deterministic mode, the inode a removal of @p a's name would free
 * (a directory, or a file's last link): forgotten once it is gone. */
typedef struct doomed {
  bool is_set;
  uint64_t dev, ino;
} doomed;

static doomed doomed_of(pg_wasi *w, const at_name *a) {
  struct stat st;
  doomed d = {false, 0, 0};
  if (w->fs.is_deterministic && strchr(a->base, '/') == NULL &&
      fstatat(a->dirfd, a->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      (S_ISDIR(st.st_mode) || st.st_nlink <= 1))
    d = (doomed){true, (uint64_t)st.st_dev, (uint64_t)st.st_ino};
  return d;
}

static int forget_if_done(pg_wasi *w, int rc, doomed d) {
  if (rc == E_SUCCESS && d.is_set)
    pg_wasi_fs_forget_ino(&w->fs, d.dev, d.ino);
  return rc;
}

int pg_wasi_fs_path_create_directory(pg_wasi *w, uint32_t fd, uint32_t p,
                                     uint32_t l) {
  char buf[PATH_MAX];
  at_name a = {0};
  int rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS)
    rc = pg_wasi_sys_rc(mkdirat(a.dirfd, a.base, 0777));
  at_release(&a);
  return rc;
}

int pg_wasi_fs_path_remove_directory(pg_wasi *w, uint32_t fd, uint32_t p,
                                     uint32_t l) {
  char buf[PATH_MAX];
  at_name a = {0};
  int rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS) {
    doomed d = doomed_of(w, &a);
    rc = forget_if_done(
        w, pg_wasi_sys_rc(unlinkat(a.dirfd, a.base, AT_REMOVEDIR)), d);
  }
  at_release(&a);
  return rc;
}

int pg_wasi_fs_path_unlink_file(pg_wasi *w, uint32_t fd, uint32_t p,
                                uint32_t l) {
  char buf[PATH_MAX];
  at_name a = {0};
  int rc = resolve_at(w, fd, p, l, true, buf, &a);
  if (rc == E_SUCCESS) {
    doomed d = doomed_of(w, &a);
    rc = forget_if_done(w, pg_wasi_sys_rc(unlinkat(a.dirfd, a.base, 0)), d);
  }
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
  if (rc == E_SUCCESS) {
    doomed d = doomed_of(w, &b); /* what the new name replaces */
    rc = forget_if_done(
        w, pg_wasi_sys_rc(renameat(a.dirfd, a.base, b.dirfd, b.base)), d);
  }
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
    rc = pg_wasi_sys_rc(symlinkat(target, a.dirfd, a.base));
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
    return pg_wasi_fs_file(&w->fs, fd) ? E_INVAL : E_BADF;
  int rc = resolve_at(w, fd, p, l, true, b1, &a);
  if (rc == E_SUCCESS)
    rc = resolve_at(w, fd2, p2, l2, true, b2, &b);
  if (rc == E_SUCCESS)
    rc = pg_wasi_sys_rc(linkat(a.dirfd, a.base, b.dirfd, b.base, 0));
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
  rc = pg_wasi_sys_rc(fstat(h, &st));
  close(h);
  if (rc == E_SUCCESS && dst == NULL)
    rc = E_FAULT;
  if (rc == E_SUCCESS)
    pg_wasi_fs_put_filestat(&w->fs, dst, &st);
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
int pg_wasi_times_spec(uint64_t atim, uint64_t mtim, uint32_t fl,
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
  return pg_wasi_sys_rc(utimensat(AT_FDCWD, name, ts, 0));
}

int pg_wasi_fs_path_filestat_set_times(pg_wasi *w, uint32_t fd, uint32_t flags,
                                       uint32_t p, uint32_t l, uint64_t atim,
                                       uint64_t mtim, uint32_t fl) {
  struct timespec ts[2];
  const pg_wasi_file *d;
  int rc = pg_wasi_times_spec(atim, mtim, fl, ts);
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
    rc = pg_wasi_sys_rc(utimensat(a.dirfd, a.base, ts, AT_SYMLINK_NOFOLLOW));
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
  if ((rc = pg_wasi_fs_new_slot(&w->fs, &slot)))
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
      .type = pg_wasi_fs_type_of_mode(st.st_mode),
      .is_read_only = is_read_only,
      .can_read = acc != O_WRONLY,
      .can_write = acc != O_RDONLY,
  };
  pg_wasi_put_u32(pg_wasi_span(w, out, 4), slot + 3);
  return E_SUCCESS;
}
