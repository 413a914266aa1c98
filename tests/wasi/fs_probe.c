/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wasi/fs_probe.c: a guest that calls WASI's file functions directly
 * and prints what each returned, one "what: ERRNO" line each, for
 * test_wasi.c to compare. argv[1] picks the probe:
 *   escape    every way out of preopen fd 3 (set up by the test);
 *   readonly  every change under a read-only preopen fd 3, and a read;
 *   quota     writes against a --write-quota of 1000 bytes;
 *   race      opens, creates and makes directories through symlinks the
 *             test swaps while it runs;
 *   fds       opens files until it is refused;
 *   inodes    the inode numbers of a file, and of one made after it is
 *             removed (which the host may give the same number).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define RAW(name)                                                              \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
/* path_open with the path's pointer and length as given, unchecked. */
RAW(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len,
                      int32_t oflags, int64_t base, int64_t inh, int32_t fdfl,
                      int32_t out);

static const char *name(int e) {
  switch (e) {
  case 0:
    return "OK";
  case __WASI_ERRNO_BADF:
    return "EBADF";
  case __WASI_ERRNO_DQUOT:
    return "EDQUOT";
  case __WASI_ERRNO_EXIST:
    return "EEXIST";
  case __WASI_ERRNO_FAULT:
    return "EFAULT";
  case __WASI_ERRNO_ILSEQ:
    return "EILSEQ";
  case __WASI_ERRNO_INVAL:
    return "EINVAL";
  case __WASI_ERRNO_ISDIR:
    return "EISDIR";
  case __WASI_ERRNO_LOOP:
    return "ELOOP";
  case __WASI_ERRNO_MFILE:
    return "EMFILE";
  case __WASI_ERRNO_NAMETOOLONG:
    return "ENAMETOOLONG";
  case __WASI_ERRNO_NOENT:
    return "ENOENT";
  case __WASI_ERRNO_NOTDIR:
    return "ENOTDIR";
  case __WASI_ERRNO_NOTEMPTY:
    return "ENOTEMPTY";
  case __WASI_ERRNO_NOTSUP:
    return "ENOTSUP";
  case __WASI_ERRNO_PERM:
    return "EPERM";
  case __WASI_ERRNO_NOTCAPABLE:
    return "ENOTCAPABLE";
  }
  static char buf[16];
  snprintf(buf, sizeof buf, "E%d", e);
  return buf;
}

static void say(const char *what, int e) {
  printf("%s: %s\n", what, name(e));
}

#define ALL_RIGHTS ((__wasi_rights_t)0x1fffffff)
#define READ_RIGHTS (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK)
#define WRITE_RIGHTS (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK)

/* Opens @p path beneath @p dir; closes what it opened. */
static int try_open(int dir, const char *path, int follow, int oflags,
                    __wasi_rights_t rights) {
  __wasi_fd_t fd;
  int e = __wasi_path_open(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0,
                           path, oflags, rights, ALL_RIGHTS, 0, &fd);
  if (e == 0)
    (void)__wasi_fd_close(fd);
  return e;
}

static int stat_of(int dir, const char *path, int follow) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(
      dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &st);
}

static void escape(void) {
  say("open ../secret", try_open(3, "../secret", 1, 0, READ_RIGHTS));
  say("open absolute", try_open(3, "/etc/passwd", 1, 0, READ_RIGHTS));
  say("open sub/../../secret",
      try_open(3, "sub/../../secret", 1, 0, READ_RIGHTS));
  say("open sub/../inside.txt",
      try_open(3, "sub/../inside.txt", 1, 0, READ_RIGHTS));
  say("open abs_link", try_open(3, "abs_link", 1, 0, READ_RIGHTS));
  say("open rel_link", try_open(3, "rel_link", 1, 0, READ_RIGHTS));
  say("open rel_link nofollow", try_open(3, "rel_link", 0, 0, READ_RIGHTS));
  say("open in_link", try_open(3, "in_link", 1, 0, READ_RIGHTS));
  say("create through dir_link",
      try_open(3, "dir_link/new", 1, __WASI_OFLAGS_CREAT, WRITE_RIGHTS));
  say("create ../planted",
      try_open(3, "../planted", 1, __WASI_OFLAGS_CREAT, WRITE_RIGHTS));
  say("stat abs_link", stat_of(3, "abs_link", 1));
  say("stat abs_link nofollow", stat_of(3, "abs_link", 0));
  say("stat ..", stat_of(3, "..", 1));
  say("stat dir_link/secret", stat_of(3, "dir_link/secret", 0));
  say("mkdir ../newdir", __wasi_path_create_directory(3, "../newdir"));
  say("mkdir dir_link/newdir", __wasi_path_create_directory(3, "dir_link/x"));
  say("rmdir ..", __wasi_path_remove_directory(3, ".."));
  say("unlink ../secret", __wasi_path_unlink_file(3, "../secret"));
  say("unlink dir_link/secret", __wasi_path_unlink_file(3, "dir_link/secret"));
  say("rename out", __wasi_path_rename(3, "inside.txt", 3, "../stolen"));
  say("rename in", __wasi_path_rename(3, "../secret", 3, "got"));
  say("symlink absolute", __wasi_path_symlink("/etc/passwd", 3, "mine"));
  say("link follow", __wasi_path_link(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                      "abs_link", 3, "hard"));
  say("link out", __wasi_path_link(3, 0, "inside.txt", 3, "../hard"));
  say("link in", __wasi_path_link(3, 0, "dir_link/secret", 3, "hard"));
  char buf[64];
  __wasi_size_t n;
  say("readlink ../x",
      __wasi_path_readlink(3, "../x", (uint8_t *)buf, sizeof buf, &n));
  say("set_times abs_link",
      __wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                     "abs_link", 0, 0, __WASI_FSTFLAGS_MTIM));
  say("set_times dir_link/",
      __wasi_path_filestat_set_times(3, 0, "dir_link/", 0, 0,
                                     __WASI_FSTFLAGS_MTIM));
  __wasi_fd_t fd;
  say("path on stdin", __wasi_path_open(0, 0, "x", 0, 0, 0, 0, &fd));
  say("path on fd 99", __wasi_path_open(99, 0, "x", 0, 0, 0, 0, &fd));
  static const char nul[] = "inside.txt\0../secret";
  say("path with NUL", raw_path_open(3, 1, (int32_t)nul, sizeof nul - 1, 0,
                                     (int64_t)READ_RIGHTS, 0, 0, (int32_t)&fd));
  say("path outside memory",
      raw_path_open(3, 1, 0x7ffffff0, 64, 0, (int64_t)READ_RIGHTS, 0, 0,
                    (int32_t)&fd));
  static const char bad[] = "\xff\xfe";
  say("path not UTF-8",
      raw_path_open(3, 1, (int32_t)bad, 2, 0, (int64_t)READ_RIGHTS, 0, 0,
                    (int32_t)&fd));
  say("prestat name too short",
      __wasi_fd_prestat_dir_name(3, (uint8_t *)buf, 2));
}

static void readonly(void) {
  say("read", try_open(3, "inside.txt", 1, 0, READ_RIGHTS));
  say("open for write", try_open(3, "inside.txt", 1, 0, WRITE_RIGHTS));
  say("create", try_open(3, "new.txt", 1, __WASI_OFLAGS_CREAT, READ_RIGHTS));
  say("truncate",
      try_open(3, "inside.txt", 1, __WASI_OFLAGS_TRUNC, READ_RIGHTS));
  __wasi_fd_t fd;
  say("append", __wasi_path_open(3, 0, "inside.txt", 0, READ_RIGHTS, 0,
                                 __WASI_FDFLAGS_APPEND, &fd));
  say("mkdir", __wasi_path_create_directory(3, "d"));
  say("rmdir", __wasi_path_remove_directory(3, "sub"));
  say("unlink", __wasi_path_unlink_file(3, "inside.txt"));
  say("rename", __wasi_path_rename(3, "inside.txt", 3, "moved"));
  say("symlink", __wasi_path_symlink("inside.txt", 3, "l"));
  say("link", __wasi_path_link(3, 0, "inside.txt", 3, "l"));
  say("set_times", __wasi_path_filestat_set_times(3, 0, "inside.txt", 0, 0,
                                                  __WASI_FSTFLAGS_MTIM));
  /* A read-write preopen (fd 4) must not get a writable name for a file
   * of the read-only one. */
  say("link into rw", __wasi_path_link(3, 0, "inside.txt", 4, "alias"));
  say("rename into rw", __wasi_path_rename(3, "inside.txt", 4, "alias"));
  int e = __wasi_path_open(3, 0, "inside.txt", 0, READ_RIGHTS, 0, 0, &fd);
  say("open to read", e);
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  __wasi_size_t n = 0;
  say("fd_read", __wasi_fd_read(fd, &iov, 1, &n));
  printf("content: %s", buf);
  say("fd_write", __wasi_fd_write(fd, &ciov, 1, &n));
  say("fd_set_size", __wasi_fd_filestat_set_size(fd, 0));
  say("fd_set_times",
      __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM));
  say("fd_set_flags append",
      __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
}

static int write_n(__wasi_fd_t fd, size_t len, __wasi_size_t *n) {
  static char buf[1024];
  memset(buf, 'q', sizeof buf);
  __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
  *n = 0;
  return __wasi_fd_write(fd, &iov, 1, n);
}

static void quota(void) {
  __wasi_fd_t fd;
  __wasi_size_t n;
  say("create", __wasi_path_open(3, 0, "q.bin", __WASI_OFLAGS_CREAT,
                                 WRITE_RIGHTS, 0, 0, &fd));
  int e = write_n(fd, 600, &n);
  printf("write 600: %s %u\n", name(e), (unsigned)n);
  e = write_n(fd, 600, &n);
  printf("write 600: %s %u\n", name(e), (unsigned)n);
  e = write_n(fd, 1, &n);
  printf("write 1: %s %u\n", name(e), (unsigned)n);
  say("grow by set_size", __wasi_fd_filestat_set_size(fd, 5000));
  say("shrink by set_size", __wasi_fd_filestat_set_size(fd, 10));
  e = write_n(fd, 1, &n);
  printf("write 1 after shrink: %s %u\n", name(e), (unsigned)n);
  /* fopen/fwrite see it too: errno EDQUOT through libc. */
  FILE *f = fopen("/data/libc.txt", "w");
  int put = f ? (int)fwrite("hello", 1, 5, f) : -1;
  int flushed = f ? fflush(f) : -1;
  printf("libc: put %d flush %d %s\n", put, flushed, strerror(errno));
}

/* Opens "link" (a file) and "dlink/f" (through a directory symlink) many
 * times while the test swaps both between inside and outside targets;
 * any open that reads "OUTSIDE" escaped. */
static void race(void) {
  long inside = 0, refused = 0, escaped = 0, other = 0;
  const char *paths[] = {"link", "dlink/f"};
  for (long i = 0; i < 20000 || inside < 100 || refused < 100; i++) {
    if (i > 2000000)
      break;
    __wasi_fd_t fd;
    if (i % 8 == 7) {
      /* A change through the swapped directory: it lands inside, or is
       * refused; the test checks that nothing appeared outside. */
      char name[32];
      snprintf(name, sizeof name, "dlink/made%ld", i);
      int m = (i & 8) ? __wasi_path_create_directory(3, name)
                      : __wasi_path_open(3, 0, name, __WASI_OFLAGS_CREAT,
                                         WRITE_RIGHTS, 0, 0, &fd);
      if (m == 0 && !(i & 8))
        (void)__wasi_fd_close(fd);
      else if (m != 0 && m != __WASI_ERRNO_PERM && m != __WASI_ERRNO_NOENT)
        other++;
      continue;
    }
    int e = __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, paths[i & 1],
                             0, READ_RIGHTS, 0, 0, &fd);
    if (e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOENT) {
      refused++;
      continue;
    }
    if (e != 0) {
      other++;
      continue;
    }
    char buf[16] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n;
    if (__wasi_fd_read(fd, &iov, 1, &n) == 0 && strncmp(buf, "OUTSIDE", 7) == 0)
      escaped++;
    else
      inside++;
    (void)__wasi_fd_close(fd);
  }
  printf("escaped=%ld other=%ld\n", escaped, other);
  fprintf(stderr, "inside=%ld refused=%ld\n", inside, refused);
  printf("both seen: %s\n", inside >= 100 && refused >= 100 ? "yes" : "no");
}

static void fds(void) {
  int opened = 0, e;
  __wasi_fd_t fd, first = 0;
  while ((e = __wasi_path_open(3, 0, "inside.txt", 0, READ_RIGHTS, 0, 0,
                               &fd)) == 0) {
    if (opened++ == 0)
      first = fd;
    if (opened > 100000)
      break;
  }
  printf("opened %d, then %s\n", opened, name(e));
  say("close one", __wasi_fd_close(first));
  e = __wasi_path_open(3, 0, "inside.txt", 0, READ_RIGHTS, 0, 0, &fd);
  printf("reopen: %s fd %s\n", name(e), fd == first ? "reused" : "new");
  say("renumber onto stdout", __wasi_fd_renumber(fd, 1));
  say("renumber", __wasi_fd_renumber(fd, first + 1));
  say("closed source", __wasi_fd_close(fd));
}

static __wasi_inode_t ino_of(const char *path) {
  __wasi_filestat_t st = {0};
  int e = __wasi_path_filestat_get(3, 0, path, &st);
  return e ? 0 : st.ino;
}

static void inodes(void) {
  __wasi_fd_t fd;
  unsigned long long ids[4];
  for (int i = 0; i < 4; i++) {
    const char *name = i % 2 ? "b" : "a";
    (void)__wasi_path_open(3, 0, name, __WASI_OFLAGS_CREAT, WRITE_RIGHTS, 0, 0,
                           &fd);
    (void)__wasi_fd_close(fd);
    ids[i] = ino_of(name);
    (void)__wasi_path_unlink_file(3, name);
  }
  printf("inodes: %llu %llu %llu %llu; input.txt %llu\n", ids[0], ids[1],
         ids[2], ids[3], (unsigned long long)ino_of("input.txt"));
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  if (strcmp(argv[1], "escape") == 0)
    escape();
  else if (strcmp(argv[1], "readonly") == 0)
    readonly();
  else if (strcmp(argv[1], "quota") == 0)
    quota();
  else if (strcmp(argv[1], "race") == 0)
    race();
  else if (strcmp(argv[1], "fds") == 0)
    fds();
  else if (strcmp(argv[1], "inodes") == 0)
    inodes();
  else
    return 2;
  return 0;
}
