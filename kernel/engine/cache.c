/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/cache.c: the compiled-module cache (see cache.h for the
 * format).
 *
 * Owns the directory name. Calls the filesystem and sha256. One thread at a
 * time per pg_cache; processes coordinate only through atomic renames.
 */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parigot/error.h"
#include "sha256.h"

static const char magic[8] = {'P', 'G', 'S', 'O', 'S', 'U', 'M', '1'};

static int mkdir_p(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    int rc = mkdir(path, 0755);
    *p = '/';
    if (rc != 0 && errno != EEXIST)
      return -1;
  }
  return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int choose_dir(char *out, size_t len) {
  const char *v;
  int n;
  if ((v = getenv("PARIGOT_CACHE")) && *v)
    n = snprintf(out, len, "%s", v);
  else if ((v = getenv("XDG_CACHE_HOME")) && *v)
    n = snprintf(out, len, "%s/parigot", v);
  else if ((v = getenv("HOME")) && *v)
    n = snprintf(out, len, "%s/.cache/parigot", v);
  else
    return PARIGOT_EINVAL;
  return n < 0 || (size_t)n >= len ? PARIGOT_ERANGE : 0;
}

int pg_cache_open(pg_cache *c, const char *dir, const pg_mem *mem, char *err,
                  size_t err_len) {
  char buf[4096];
  int rc = 0;
  if (dir)
    rc = snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf
             ? PARIGOT_ERANGE
             : 0;
  else
    rc = choose_dir(buf, sizeof buf);
  if (rc) {
    snprintf(err, err_len,
             "cannot choose a cache directory: set PARIGOT_CACHE or HOME");
    return PARIGOT_EINVAL;
  }
  if (mkdir_p(buf) != 0) {
    snprintf(err, err_len, "cannot create cache directory %s: %s", buf,
             strerror(errno));
    return PARIGOT_EIO;
  }
  if (!(c->dir = pg_mem_strdup(mem, buf)))
    return PARIGOT_ENOMEM;
  c->mem = mem;
  return 0;
}

void pg_cache_close(pg_cache *c) {
  if (c->mem)
    pg_mem_free(c->mem, c->dir);
  c->dir = NULL;
}

int pg_cache_path(const pg_cache *c, const char *name, char *out,
                  size_t out_len) {
  int n = snprintf(out, out_len, "%s/%s", c->dir, name);
  return n < 0 || (size_t)n >= out_len ? PARIGOT_ERANGE : 0;
}

/* Hashes the first @p len bytes of @p fd. */
static int hash_fd(int fd, off_t len, uint8_t out[PG_SHA256_LEN]) {
  pg_sha256 s;
  uint8_t buf[65536];
  pg_sha256_init(&s);
  while (len > 0) {
    ssize_t n =
        read(fd, buf, len < (off_t)sizeof buf ? (size_t)len : sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    pg_sha256_update(&s, buf, (size_t)n);
    len -= n;
  }
  pg_sha256_final(&s, out);
  return 0;
}

static int read_full(int fd, void *buf, size_t len, off_t at) {
  ssize_t n = pread(fd, buf, len, at);
  return n == (ssize_t)len ? 0 : -1;
}

int pg_cache_verify(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_ECACHE;
  struct stat st;
  uint8_t trailer[PG_CACHE_TRAILER_BYTES], digest[PG_SHA256_LEN];
  int rc = PARIGOT_ECACHE;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size > PG_CACHE_TRAILER_BYTES) {
    off_t body = st.st_size - PG_CACHE_TRAILER_BYTES;
    if (read_full(fd, trailer, sizeof trailer, body) == 0 &&
        memcmp(trailer, magic, 8) == 0 && hash_fd(fd, body, digest) == 0 &&
        memcmp(trailer + 8, digest, PG_SHA256_LEN) == 0)
      rc = 0;
  }
  close(fd);
  return rc;
}

int pg_cache_commit(const char *tmp_path, const char *path) {
  int fd = open(tmp_path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return PARIGOT_EIO;
  struct stat st;
  uint8_t trailer[PG_CACHE_TRAILER_BYTES];
  int rc = PARIGOT_EIO;
  if (fstat(fd, &st) == 0 && hash_fd(fd, st.st_size, trailer + 8) == 0) {
    memcpy(trailer, magic, 8);
    if (pwrite(fd, trailer, sizeof trailer, st.st_size) ==
            (ssize_t)sizeof trailer &&
        fsync(fd) == 0)
      rc = 0;
  }
  if (close(fd) != 0)
    rc = PARIGOT_EIO;
  if (rc == 0 && rename(tmp_path, path) != 0)
    rc = PARIGOT_EIO;
  return rc;
}
