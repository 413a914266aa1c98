/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_tree.c: copies and removes directory trees (see
 * wasi_tree.h).
 *
 * Walks with directory fds (openat, O_NOFOLLOW), so a symlink in the tree
 * is copied as a symlink and never leads the walk elsewhere; depth is
 * bounded, so is the number of fds held. Owns nothing between calls. Any
 * thread.
 */
#include "wasi_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 64 /* deeper trees are refused (ELOOP) */

static int copy_file(int sfd, int dfd, const char *name, mode_t mode) {
  int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return -errno;
  int out =
      openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
  int rc = out < 0 ? -errno : 0;
  char buf[65536];
  while (rc == 0) {
    ssize_t got = read(in, buf, sizeof buf);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      rc = got < 0 ? -errno : 0;
      break;
    }
    for (ssize_t off = 0; off < got && rc == 0;) {
      ssize_t put = write(out, buf + off, (size_t)(got - off));
      if (put < 0 && errno != EINTR)
        rc = -errno;
      else if (put > 0)
        off += put;
    }
  }
  close(in);
  if (out >= 0 && close(out) != 0 && rc == 0)
    rc = -errno;
  return rc;
}

static int copy_link(int sfd, int dfd, const char *name) {
  char target[PATH_MAX];
  ssize_t n = readlinkat(sfd, name, target, sizeof target - 1);
  if (n < 0)
    return -errno;
  target[n] = '\0';
  return symlinkat(target, dfd, name) ? -errno : 0;
}

static int copy_dir(int sfd, int dfd, int depth);

static int copy_entry(int sfd, int dfd, const char *name, int depth) {
  struct stat st;
  if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return -errno;
  if (S_ISREG(st.st_mode))
    return copy_file(sfd, dfd, name, st.st_mode);
  if (S_ISLNK(st.st_mode))
    return copy_link(sfd, dfd, name);
  if (!S_ISDIR(st.st_mode))
    return 0;
  if (depth >= MAX_DEPTH)
    return -ELOOP;
  if (mkdirat(dfd, name, 0700) != 0)
    return -errno;
  int s = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int d = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int rc = s < 0 || d < 0 ? -errno : copy_dir(s, d, depth + 1);
  if (rc == 0 && fchmod(d, st.st_mode & 07777) != 0)
    rc = -errno;
  if (s >= 0)
    close(s);
  if (d >= 0)
    close(d);
  return rc;
}

/* Takes nothing: @p sfd and @p dfd stay the caller's. */
static int copy_dir(int sfd, int dfd, int depth) {
  int fd = dup(sfd);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (d == NULL) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return -e;
  }
  int rc = 0;
  struct dirent *e;
  errno = 0;
  while (rc == 0 && (e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      rc = copy_entry(sfd, dfd, e->d_name, depth);
  if (rc == 0 && errno != 0)
    rc = -errno;
  closedir(d);
  return rc;
}

int pg_wasi_tree_copy(const char *src, const char *dst) {
  int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc = s < 0 || d < 0 ? -errno : copy_dir(s, d, 0);
  if (s >= 0)
    close(s);
  if (d >= 0)
    close(d);
  return rc;
}

static int remove_dir(int dfd, int depth);

static int remove_entry(int dfd, const char *name, int depth) {
  if (unlinkat(dfd, name, 0) == 0)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return errno == ENOENT ? 0 : -errno;
  if (depth >= MAX_DEPTH)
    return -ELOOP;
  int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0)
    return -errno;
  /* A guest may have left a directory without write or search rights. */
  fchmod(sub, 0700);
  int rc = remove_dir(sub, depth + 1);
  close(sub);
  if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) != 0)
    rc = -errno;
  return rc;
}

static int remove_dir(int dfd, int depth) {
  int fd = dup(dfd);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (d == NULL) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return -e;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      rc = remove_entry(dfd, e->d_name, depth);
  closedir(d);
  return rc;
}

int pg_wasi_tree_remove(const char *path) {
  int d = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (d < 0)
    return -errno;
  fchmod(d, 0700);
  int rc = remove_dir(d, 0);
  close(d);
  if (rc == 0 && rmdir(path) != 0)
    rc = -errno;
  return rc;
}
