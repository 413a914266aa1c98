/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_fs.h: a guest's files under WASI preview 1: the
 * directories preopened for it and the descriptors it opens beneath them.
 *
 * Each preopen is a host directory the guest names by a path of its own
 * ("/data", "."), read-write or read-only, held open as a directory fd;
 * guest fds 3, 4, ... are the preopens in order, then what the guest opens.
 * Every path is resolved by the kernel beneath the directory fd it is
 * relative to (openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so
 * no "..", absolute path or symlink leads out, even while another process
 * swaps symlinks under the guest's feet; operations on a name act on its
 * parent directory's fd, never on a path resolved again. In deterministic
 * mode a read-write preopen is a private copy made for the run and removed
 * after it, directories list in name order, and stat reports no host
 * time, device or inode number. The descriptor operations themselves are
 * in wasi_fd.c and wasi_path.c, reached through wasi.c's imports
 * (wasi_int.h).
 *
 * A pg_wasi_fs belongs to one guest instance and is used by the thread
 * running that instance.
 */
#ifndef PG_WASI_FS_H
#define PG_WASI_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define PG_WASI_DEFAULT_MAX_FDS 256u

/** @brief A host directory a guest sees under a path of its own. */
typedef struct pg_wasi_preopen {
  const char *host;  /* the host directory; borrowed, copied by init */
  const char *guest; /* the guest's name for it ("/data", "."); copied */
  bool is_read_only; /* nothing under it can be created, written, removed */
} pg_wasi_preopen;

typedef struct pg_wasi_file pg_wasi_file; /* one open fd (wasi_int.h) */
typedef struct pg_wasi_inomap pg_wasi_inomap;

typedef struct pg_wasi_fs {
  const pg_mem *mem;
  pg_wasi_file *files; /* guest fd 3 + i is files[i]; owned */
  uint32_t nfiles;     /* slots in files, free ones included */
  uint32_t max_fds;    /* open fds (preopens included) allowed */
  uint32_t npreopens;
  char **copies; /* per preopen: the private copy's directory, or NULL;
                    owned, removed at deinit */
  uint64_t write_quota_bytes; /* 0: no quota */
  uint64_t written_bytes;     /* written to files so far */
  bool is_deterministic;
  pg_wasi_inomap *inomap; /* deterministic mode: host inode -> 1, 2, ... */
} pg_wasi_fs;

/**
 * @brief Opens the @p n preopens at @p pre (borrowed) for a guest; in
 * deterministic mode (@p is_deterministic) copies each read-write one into
 * a private temporary directory first.
 * @param max_fds  open fds allowed, preopens included; 0: the default.
 * @param write_quota_bytes  bytes the guest may write to files; 0: any.
 * @return 0, or PARIGOT_ENOENT (a host directory missing or not a
 * directory), PARIGOT_EIO (it cannot be opened or copied), PARIGOT_EINVAL
 * (more preopens than fds), PARIGOT_ENOMEM. On failure nothing is left
 * open and no copy is left behind.
 */
int pg_wasi_fs_init(pg_wasi_fs *fs, const pg_wasi_preopen *pre, size_t n,
                    uint32_t max_fds, uint64_t write_quota_bytes,
                    bool is_deterministic, const pg_mem *mem);

/** @brief Closes every fd and removes the private copies. */
void pg_wasi_fs_deinit(pg_wasi_fs *fs);

/** @brief Whether guest fd @p fd (3 or more) is open. */
bool pg_wasi_fs_is_open(const pg_wasi_fs *fs, uint32_t fd);

#endif /* PG_WASI_FS_H */
