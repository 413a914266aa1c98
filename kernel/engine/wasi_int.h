/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_int.h: what the files of WASI (wasi.c, wasi_fs.c,
 * wasi_fd.c, wasi_path.c) share and nobody else reads: WASI preview 1's
 * numbers (errno, file types, rights, flags, from the
 * wasi_snapshot_preview1 witx), the one checked way from a guest address
 * to a host pointer, little-endian loads and stores, the open-file record
 * and the functions behind the file imports. The functions run on the
 * thread of the guest that owns the pg_wasi.
 */
#ifndef PG_WASI_INT_H
#define PG_WASI_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wasi.h"

/* WASI errno values (witx "errno"). */
enum {
  E_SUCCESS = 0,
  E_2BIG = 1,
  E_ACCES = 2,
  E_AGAIN = 6,
  E_BADF = 8,
  E_BUSY = 10,
  E_DQUOT = 19,
  E_EXIST = 20,
  E_FAULT = 21,
  E_FBIG = 22,
  E_ILSEQ = 25,
  E_INTR = 27,
  E_INVAL = 28,
  E_IO = 29,
  E_ISDIR = 31,
  E_LOOP = 32,
  E_MFILE = 33,
  E_MLINK = 34,
  E_NAMETOOLONG = 37,
  E_NFILE = 41,
  E_NODEV = 43,
  E_NOENT = 44,
  E_NOMEM = 48,
  E_NOSPC = 51,
  E_NOSYS = 52,
  E_NOTDIR = 54,
  E_NOTEMPTY = 55,
  E_NOTSOCK = 57,
  E_NOTSUP = 58,
  E_NXIO = 60,
  E_OVERFLOW = 61,
  E_PERM = 63,
  E_PIPE = 64,
  E_RANGE = 68,
  E_ROFS = 69,
  E_SPIPE = 70,
  E_TXTBSY = 74,
  E_XDEV = 75,
  E_NOTCAPABLE = 76,
};

/* File types (witx "filetype"). */
enum {
  FT_UNKNOWN = 0,
  FT_BLOCK = 1,
  FT_CHAR = 2,
  FT_DIR = 3,
  FT_REG = 4,
  FT_SOCK_DGRAM = 5,
  FT_SOCK_STREAM = 6,
  FT_SYMLINK = 7,
};

/* Rights (witx "rights"), bit by bit. */
#define R_BIT(n) ((uint64_t)1 << (n))
enum {
  R_FD_DATASYNC = 0,
  R_FD_READ = 1,
  R_FD_SEEK = 2,
  R_FD_FDSTAT_SET_FLAGS = 3,
  R_FD_SYNC = 4,
  R_FD_TELL = 5,
  R_FD_WRITE = 6,
  R_FD_ADVISE = 7,
  R_FD_ALLOCATE = 8,
  R_PATH_CREATE_DIRECTORY = 9,
  R_PATH_CREATE_FILE = 10,
  R_PATH_LINK_SOURCE = 11,
  R_PATH_LINK_TARGET = 12,
  R_PATH_OPEN = 13,
  R_FD_READDIR = 14,
  R_PATH_READLINK = 15,
  R_PATH_RENAME_SOURCE = 16,
  R_PATH_RENAME_TARGET = 17,
  R_PATH_FILESTAT_GET = 18,
  R_PATH_FILESTAT_SET_SIZE = 19,
  R_PATH_FILESTAT_SET_TIMES = 20,
  R_FD_FILESTAT_GET = 21,
  R_FD_FILESTAT_SET_SIZE = 22,
  R_FD_FILESTAT_SET_TIMES = 23,
  R_PATH_SYMLINK = 24,
  R_PATH_REMOVE_DIRECTORY = 25,
  R_PATH_UNLINK_FILE = 26,
  R_POLL_FD_READWRITE = 27,
};

/* Flags of path_open and friends (witx "oflags", "fdflags",
 * "lookupflags", "fstflags") and fd_seek's "whence". */
enum { O_F_CREAT = 1, O_F_DIRECTORY = 2, O_F_EXCL = 4, O_F_TRUNC = 8 };
enum {
  FDF_APPEND = 1,
  FDF_DSYNC = 2,
  FDF_NONBLOCK = 4,
  FDF_RSYNC = 8,
  FDF_SYNC = 16,
};
enum { LOOKUP_SYMLINK_FOLLOW = 1 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };
enum { WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2 };

#define FILESTAT_BYTES 64u
#define FDSTAT_BYTES 24u
#define DIRENT_BYTES 24u
#define MAX_IOVS 1024u

/** @brief The WASI errno for the host errno @p e (EIO for the unknown). */
uint16_t pg_wasi_errno(int e);

static inline uint64_t pg_wasi_mem_bytes(const pg_wasi *w) {
  return w->memory && w->memory->data ? (uint64_t)w->memory->pages * 65536u : 0;
}

/* The only way WASI turns a guest address into a host pointer: NULL unless
 * all @p len bytes at @p addr lie in the guest's memory. */
static inline uint8_t *pg_wasi_span(const pg_wasi *w, uint32_t addr,
                                    uint64_t len) {
  uint64_t size = pg_wasi_mem_bytes(w);
  if ((uint64_t)addr > size || len > size - addr)
    return NULL;
  return w->memory->data + addr;
}

static inline void pg_wasi_put_u16(uint8_t *p, uint16_t v) {
  memcpy(p, &v, 2);
}

static inline void pg_wasi_put_u32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, 4);
}

static inline void pg_wasi_put_u64(uint8_t *p, uint64_t v) {
  memcpy(p, &v, 8);
}

static inline uint32_t pg_wasi_get_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline uint64_t pg_wasi_get_u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/**
 * @brief Turns the guest's iovec array at @p iovs (@p n entries, at most
 * MAX_IOVS taken) into host iovecs at @p out, checking every buffer.
 * @return E_SUCCESS or E_FAULT.
 */
struct iovec;
int pg_wasi_load_iovs(pg_wasi *w, uint32_t iovs, uint32_t n, struct iovec *out,
                      uint32_t *out_n);

/* ---- what wasi_fs.c, wasi_fd.c and wasi_path.c share ---- */

/* One entry of a directory listing, as fd_readdir hands it out. */
typedef struct pg_wasi_listing_entry {
  char *name; /* owned, NUL-terminated */
  uint64_t ino;
  uint8_t type;
} pg_wasi_listing_entry;

/* One open guest fd above stdio. */
struct pg_wasi_file {
  int host_fd; /* -1: the slot is free */
  uint8_t type;
  bool is_preopen, is_read_only, can_read, can_write;
  char *guest_name;               /* a preopen's name for fd_prestat_*; owned */
  pg_wasi_listing_entry *listing; /* fd_readdir's entries, by name; owned */
  uint32_t nlisting;
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

/* A Linux call's result (0 or -1 with errno) as a WASI errno. */
static inline int pg_wasi_sys_rc(int r) {
  return r == 0 ? E_SUCCESS : pg_wasi_errno(errno);
}

struct stat;
struct timespec;

/** @brief Guest fd @p fd (3 or more) if open, else NULL; owned by @p fs,
 * valid until the table grows (pg_wasi_fs_new_slot) or the fd closes. */
pg_wasi_file *pg_wasi_fs_file(pg_wasi_fs *fs, uint32_t fd);

/** @brief The lowest free slot in *@p out (guest fd *out + 3), growing the
 * table; E_MFILE past max_fds, E_NOMEM. Moves every pg_wasi_file. */
int pg_wasi_fs_new_slot(pg_wasi_fs *fs, uint32_t *out);

/** @brief Closes @p f's host fd and frees what it owns; the slot is free. */
void pg_wasi_fs_close_file(pg_wasi_fs *fs, pg_wasi_file *f);

/** @brief Frees @p f's directory listing. */
void pg_wasi_fs_free_listing(pg_wasi_fs *fs, pg_wasi_file *f);

/** @brief The inode number the guest sees for a host (dev, ino). */
uint64_t pg_wasi_fs_guest_ino(pg_wasi_fs *fs, uint64_t dev, uint64_t ino);

/** @brief Forgets host inode (dev, ino), which the guest freed. */
void pg_wasi_fs_forget_ino(pg_wasi_fs *fs, uint64_t dev, uint64_t ino);

/** @brief The WASI file type of a host st_mode. */
uint8_t pg_wasi_fs_type_of_mode(unsigned mode);

/** @brief Writes @p st as a WASI filestat (FILESTAT_BYTES) at @p p. */
void pg_wasi_fs_put_filestat(pg_wasi_fs *fs, uint8_t *p, const struct stat *st);

/** @brief The utimensat times of a set-times call (wasi_path.c); E_INVAL
 * for a time both given and "now". */
int pg_wasi_times_spec(uint64_t atim, uint64_t mtim, uint32_t fl,
                       struct timespec ts[2]);

/* The file operations (wasi_fd.c, wasi_path.c) behind the imports of the same
 * names, for guest fds 3 and up; each returns a WASI errno. Called inside
 * wasi.c's HOSTCALL, on the guest's thread. */
int pg_wasi_fs_fd_rw(pg_wasi *w, uint32_t fd, uint32_t iovs, uint32_t n,
                     uint32_t out, bool is_write, bool has_offset,
                     uint64_t offset);
int pg_wasi_fs_fd_seek(pg_wasi *w, uint32_t fd, int64_t off, uint32_t whence,
                       uint32_t out);
int pg_wasi_fs_fd_close(pg_wasi *w, uint32_t fd);
int pg_wasi_fs_fd_sync(pg_wasi *w, uint32_t fd, bool is_data_only);
int pg_wasi_fs_fd_fdstat_get(pg_wasi *w, uint32_t fd, uint32_t buf);
int pg_wasi_fs_fd_fdstat_set_flags(pg_wasi *w, uint32_t fd, uint32_t flags);
int pg_wasi_fs_fd_filestat_get(pg_wasi *w, uint32_t fd, uint32_t buf);
int pg_wasi_fs_fd_filestat_set_size(pg_wasi *w, uint32_t fd, uint64_t size);
int pg_wasi_fs_fd_filestat_set_times(pg_wasi *w, uint32_t fd, uint64_t atim,
                                     uint64_t mtim, uint32_t fl);
int pg_wasi_fs_fd_allocate(pg_wasi *w, uint32_t fd, uint64_t off, uint64_t len);
int pg_wasi_fs_fd_advise(pg_wasi *w, uint32_t fd, uint64_t off, uint64_t len,
                         uint32_t advice);
int pg_wasi_fs_fd_renumber(pg_wasi *w, uint32_t from, uint32_t to);
int pg_wasi_fs_fd_prestat_get(pg_wasi *w, uint32_t fd, uint32_t buf);
int pg_wasi_fs_fd_prestat_dir_name(pg_wasi *w, uint32_t fd, uint32_t path,
                                   uint32_t len);
int pg_wasi_fs_fd_readdir(pg_wasi *w, uint32_t fd, uint32_t buf, uint32_t len,
                          uint64_t cookie, uint32_t out);
int pg_wasi_fs_path_create_directory(pg_wasi *w, uint32_t fd, uint32_t p,
                                     uint32_t l);
int pg_wasi_fs_path_remove_directory(pg_wasi *w, uint32_t fd, uint32_t p,
                                     uint32_t l);
int pg_wasi_fs_path_unlink_file(pg_wasi *w, uint32_t fd, uint32_t p,
                                uint32_t l);
int pg_wasi_fs_path_rename(pg_wasi *w, uint32_t fd, uint32_t p, uint32_t l,
                           uint32_t fd2, uint32_t p2, uint32_t l2);
int pg_wasi_fs_path_symlink(pg_wasi *w, uint32_t tp, uint32_t tl, uint32_t fd,
                            uint32_t p, uint32_t l);
int pg_wasi_fs_path_link(pg_wasi *w, uint32_t fd, uint32_t flags, uint32_t p,
                         uint32_t l, uint32_t fd2, uint32_t p2, uint32_t l2);
int pg_wasi_fs_path_filestat_get(pg_wasi *w, uint32_t fd, uint32_t flags,
                                 uint32_t p, uint32_t l, uint32_t out);
int pg_wasi_fs_path_filestat_set_times(pg_wasi *w, uint32_t fd, uint32_t flags,
                                       uint32_t p, uint32_t l, uint64_t atim,
                                       uint64_t mtim, uint32_t fl);
int pg_wasi_fs_path_readlink(pg_wasi *w, uint32_t fd, uint32_t p, uint32_t l,
                             uint32_t buf, uint32_t buf_len, uint32_t out);
int pg_wasi_fs_path_open(pg_wasi *w, uint32_t fd, uint32_t dirflags, uint32_t p,
                         uint32_t l, uint32_t oflags, uint64_t base,
                         uint64_t inheriting, uint32_t fdflags, uint32_t out);

#endif /* PG_WASI_INT_H */
