/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_fd.c: WASI's operations on an open file or directory
 * fd above stdio (read, write, seek, stat, sizes, times, flags, readdir,
 * renumber, prestat), which wasi.c's imports route here for fds 3 and up.
 *
 * A file operation on a directory fails with EBADF, a write on a file
 * opened for reading with EBADF, a change under a read-only preopen with
 * EPERM; writes count against the write quota (EDQUOT past it); listings
 * are read whole and sorted by name, so their order is the same in every
 * run. Owns each fd's listing. Calls the OS. Runs on the thread of the
 * guest that owns the pg_wasi, inside wasi.c's HOSTCALL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_int.h"

/* ---- descriptor operations ---- */

/* A regular file (or other non-directory) at guest fd @p fd; E_BADF for a
 * directory, as wasmtime answers file operations on one. */
static int file_of(pg_wasi *w, uint32_t fd, pg_wasi_file **out) {
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  pg_wasi_fs_close_file(&w->fs, f);
  return E_SUCCESS;
}

int pg_wasi_fs_fd_sync(pg_wasi *w, uint32_t fd, bool is_data_only) {
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  return pg_wasi_sys_rc(is_data_only ? fdatasync(f->host_fd)
                                     : fsync(f->host_fd));
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
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
  return pg_wasi_sys_rc(fcntl(f->host_fd, F_SETFL, fl));
}

int pg_wasi_fs_fd_filestat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
  if (f == NULL)
    return E_BADF;
  uint8_t *p = pg_wasi_span(w, buf, FILESTAT_BYTES);
  struct stat st;
  if (p == NULL)
    return E_FAULT;
  if (fstat(f->host_fd, &st) != 0)
    return pg_wasi_errno(errno);
  pg_wasi_fs_put_filestat(&w->fs, p, &st);
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
  return pg_wasi_sys_rc(ftruncate(f->host_fd, (off_t)size));
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
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
  struct timespec ts[2];
  if (f == NULL)
    return E_BADF;
  int rc = pg_wasi_times_spec(atim, mtim, fl, ts);
  if (rc)
    return rc;
  if (f->is_read_only)
    return E_PERM;
  return pg_wasi_sys_rc(futimens(f->host_fd, ts));
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
  pg_wasi_file *a = pg_wasi_fs_file(&w->fs, from),
               *b = pg_wasi_fs_file(&w->fs, to);
  if (a == NULL || b == NULL)
    return E_BADF;
  if (a == b)
    return E_SUCCESS;
  pg_wasi_fs_close_file(&w->fs, b);
  *b = *a;
  memset(a, 0, sizeof *a);
  a->host_fd = -1;
  return E_SUCCESS;
}

int pg_wasi_fs_fd_prestat_get(pg_wasi *w, uint32_t fd, uint32_t buf) {
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
  return strcmp(((const pg_wasi_listing_entry *)a)->name,
                ((const pg_wasi_listing_entry *)b)->name);
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
      return pg_wasi_fs_type_of_mode(st.st_mode);
  }
  return FT_UNKNOWN;
}

/* Appends one entry to @p f's listing, growing it by doubling. */
static int listing_add(pg_wasi_fs *fs, pg_wasi_file *f, uint32_t *cap,
                       const char *name, uint64_t ino, uint8_t type) {
  if (f->nlisting == *cap) {
    uint32_t nc = *cap ? *cap * 2 : 16;
    pg_wasi_listing_entry *l =
        pg_mem_realloc(fs->mem, f->listing, nc * sizeof *l);
    if (l == NULL)
      return E_NOMEM;
    f->listing = l;
    *cap = nc;
  }
  char *copy = pg_mem_strdup(fs->mem, name);
  if (copy == NULL)
    return E_NOMEM;
  f->listing[f->nlisting++] = (pg_wasi_listing_entry){copy, ino, type};
  return E_SUCCESS;
}

/* Reads the whole directory, sorted by name: the order is the same in
 * every run and on every filesystem, and cookies stay valid. */
static int load_listing(pg_wasi_fs *fs, pg_wasi_file *f) {
  struct stat st;
  pg_wasi_fs_free_listing(fs, f);
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
    f->listing[i].ino = pg_wasi_fs_guest_ino(fs, st.st_dev, f->listing[i].ino);
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
  pg_wasi_file *f = pg_wasi_fs_file(&w->fs, fd);
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
    const pg_wasi_listing_entry *e = &f->listing[i];
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
