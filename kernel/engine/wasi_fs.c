/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_fs.c: a guest's file table (see wasi_fs.h): the
 * preopened directories (and, in deterministic mode, their private
 * copies), the slots of the fds above stdio, deterministic inode numbers,
 * and stat as the guest sees it. The operations on fds are in wasi_fd.c,
 * those on paths in wasi_path.c.
 *
 * Owns the fd table, the preopens' names and the copies (made and removed
 * through wasi_tree.c). Calls the OS. Runs on the thread of the guest that
 * owns it.
 */
#include "wasi_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "parigot/error.h"
#include "wasi_int.h"
#include "wasi_tree.h"

/* Deterministic inode numbers: a host (dev, ino) is given 1, 2, 3, ... in
 * the order the guest first sees it, so two runs that do the same things
 * see the same numbers whatever the copy's inodes are. An inode the guest
 * frees (its last name removed) is forgotten: the host may give its number
 * to the next file, in one run and not in another, and that file must get
 * a new id in both. */
typedef struct ino_slot {
  uint64_t dev, ino, id; /* id 0: empty */
} ino_slot;

struct pg_wasi_inomap {
  ino_slot *slots;
  uint64_t cap, n;  /* cap a power of two; n used slots, n < cap / 2 */
  uint64_t last_id; /* the last id given; ids are never given twice */
};

/* ---- the fd table ---- */

pg_wasi_file *pg_wasi_fs_file(pg_wasi_fs *fs, uint32_t fd) {
  if (fd < 3 || fd - 3 >= fs->nfiles || fs->files[fd - 3].host_fd < 0)
    return NULL;
  return &fs->files[fd - 3];
}

bool pg_wasi_fs_is_open(const pg_wasi_fs *fs, uint32_t fd) {
  return fd >= 3 && fd - 3 < fs->nfiles && fs->files[fd - 3].host_fd >= 0;
}

void pg_wasi_fs_free_listing(pg_wasi_fs *fs, pg_wasi_file *f) {
  for (uint32_t i = 0; i < f->nlisting; i++)
    pg_mem_free(fs->mem, f->listing[i].name);
  pg_mem_free(fs->mem, f->listing);
  f->listing = NULL;
  f->nlisting = 0;
}

void pg_wasi_fs_close_file(pg_wasi_fs *fs, pg_wasi_file *f) {
  pg_wasi_fs_free_listing(fs, f);
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
int pg_wasi_fs_new_slot(pg_wasi_fs *fs, uint32_t *out) {
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
uint64_t pg_wasi_fs_guest_ino(pg_wasi_fs *fs, uint64_t dev, uint64_t ino) {
  if (!fs->is_deterministic)
    return ino;
  pg_wasi_inomap *m = fs->inomap;
  if (m->n + 1 > m->cap / 2 && !inomap_grow(fs->mem, m))
    return 0;
  uint64_t j = ino_hash(dev, ino) & (m->cap - 1);
  for (; m->slots[j].id; j = (j + 1) & (m->cap - 1))
    if (m->slots[j].dev == dev && m->slots[j].ino == ino)
      return m->slots[j].id;
  m->n++;
  m->slots[j] = (ino_slot){dev, ino, ++m->last_id};
  return m->last_id;
}

/* Removes (dev, ino) from the map, moving later entries of its probe run
 * back so that every entry stays reachable from its hash. */
void pg_wasi_fs_forget_ino(pg_wasi_fs *fs, uint64_t dev, uint64_t ino) {
  pg_wasi_inomap *m = fs->inomap;
  if (m == NULL || m->cap == 0)
    return;
  uint64_t mask = m->cap - 1, j = ino_hash(dev, ino) & mask;
  while (m->slots[j].id && (m->slots[j].dev != dev || m->slots[j].ino != ino))
    j = (j + 1) & mask;
  if (m->slots[j].id == 0)
    return;
  m->slots[j].id = 0;
  m->n--;
  for (uint64_t k = (j + 1) & mask; m->slots[k].id; k = (k + 1) & mask) {
    uint64_t h = ino_hash(m->slots[k].dev, m->slots[k].ino) & mask;
    bool stays = j <= k ? (j < h && h <= k) : (j < h || h <= k);
    if (!stays) {
      m->slots[j] = m->slots[k];
      m->slots[k].id = 0;
      j = k;
    }
  }
}

/* ---- stat ---- */

uint8_t pg_wasi_fs_type_of_mode(unsigned m) {
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
void pg_wasi_fs_put_filestat(pg_wasi_fs *fs, uint8_t *p,
                             const struct stat *st) {
  bool det = fs->is_deterministic;
  uint8_t type = pg_wasi_fs_type_of_mode(st->st_mode);
  memset(p, 0, FILESTAT_BYTES);
  pg_wasi_put_u64(p, det ? 0 : (uint64_t)st->st_dev);
  pg_wasi_put_u64(p + 8, pg_wasi_fs_guest_ino(fs, st->st_dev, st->st_ino));
  p[16] = type;
  pg_wasi_put_u64(p + 24, (uint64_t)st->st_nlink);
  pg_wasi_put_u64(p + 32, det && type == FT_DIR ? 0 : (uint64_t)st->st_size);
  pg_wasi_put_u64(p + 40, det ? PG_CLOCK_VIRTUAL_EPOCH_NS : ts_ns(st->st_atim));
  pg_wasi_put_u64(p + 48, det ? PG_CLOCK_VIRTUAL_EPOCH_NS : ts_ns(st->st_mtim));
  pg_wasi_put_u64(p + 56, det ? PG_CLOCK_VIRTUAL_EPOCH_NS : ts_ns(st->st_ctim));
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
      pg_wasi_fs_close_file(fs, &fs->files[i]);
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
