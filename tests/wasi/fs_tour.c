/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wasi/fs_tour.c: a guest that uses files only through C's ordinary
 * API (stdio, dirent, mkdir, rename, unlink, symlink, readlink, stat,
 * pread/pwrite, ftruncate, utimensat, link) beneath the directory the
 * test preopens as /data, and prints what it saw. It leaves /data/out.txt
 * behind and removes everything else it made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check(const char *what, int rc) {
  printf("%s: %s\n", what, rc == 0 ? "ok" : strerror(errno));
}

static void print_file(const char *path) {
  char buf[128] = {0};
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f)
    fclose(f);
  printf("%s holds %zu bytes: \"", path, n);
  for (size_t i = 0; i < n; i++)
    printf(buf[i] == '\n' ? "\\n" : "%c", buf[i]);
  printf("\"\n");
}

static void write_file(const char *path, const char *mode, const char *text) {
  FILE *f = fopen(path, mode);
  if (f == NULL) {
    printf("fopen %s %s: %s\n", path, mode, strerror(errno));
    return;
  }
  fputs(text, f);
  printf("fclose %s: %d\n", path, fclose(f));
}

static void list(const char *path) {
  DIR *d = opendir(path);
  struct dirent *e;
  printf("%s:", path);
  while (d && (e = readdir(d)))
    printf(" %s%s", e->d_name,
           e->d_type == DT_DIR   ? "/"
           : e->d_type == DT_LNK ? "@"
                                 : "");
  printf("\n");
  if (d)
    closedir(d);
}

static void positional(void) {
  int fd = open("/data/work/b.txt", O_RDWR);
  char buf[8] = {0};
  struct stat st;
  printf("pwrite: %zd\n", pwrite(fd, "J", 1, 6));
  printf("pread: %zd \"%s\"\n", pread(fd, buf, 5, 0), buf);
  printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  check("ftruncate", ftruncate(fd, 5));
  fstat(fd, &st);
  printf("size after ftruncate: %lld\n", (long long)st.st_size);
  close(fd);
}

/* A directory larger than libc's readdir buffer: every entry comes back,
 * in name order, across several fd_readdir calls. */
static void many(void) {
  char p[128], prev[128] = "";
  int n = 0, sorted = 1;
  if (mkdir("/data/many", 0755) != 0) {
    printf("many: %s\n", strerror(errno));
    return;
  }
  for (int i = 0; i < 300; i++) {
    snprintf(p, sizeof p, "/data/many/entry-%03d-%s", (i * 7) % 300,
             "with-a-name-long-enough-to-fill-buffers");
    FILE *f = fopen(p, "w");
    if (f)
      fclose(f);
  }
  DIR *d = opendir("/data/many");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    sorted &= strcmp(prev, e->d_name) < 0;
    snprintf(prev, sizeof prev, "%s", e->d_name);
    n++;
  }
  if (d)
    closedir(d);
  printf("many: %d entries, sorted %d\n", n, sorted);
  d = opendir("/data/many");
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.') {
      snprintf(p, sizeof p, "/data/many/%s", e->d_name);
      unlink(p);
    }
  if (d)
    closedir(d);
  check("rmdir many", rmdir("/data/many"));
}

int main(void) {
  struct stat st;
  char target[64] = {0};
  print_file("/data/input.txt");
  check("mkdir work", mkdir("/data/work", 0755));
  check("mkdir work again", mkdir("/data/work", 0755));
  write_file("/data/work/a.txt", "w", "hello\n");
  write_file("/data/work/a.txt", "a", "world\n");
  print_file("/data/work/a.txt");
  check("stat a.txt", stat("/data/work/a.txt", &st));
  printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  check("rename", rename("/data/work/a.txt", "/data/work/b.txt"));
  check("stat a.txt after rename", stat("/data/work/a.txt", &st));
  check("symlink", symlink("b.txt", "/data/work/link"));
  printf("readlink: %zd \"%s\"\n",
         readlink("/data/work/link", target, sizeof target - 1), target);
  check("stat through link", stat("/data/work/link", &st));
  printf("size %lld\n", (long long)st.st_size);
  check("lstat link", lstat("/data/work/link", &st));
  printf("is link %d\n", S_ISLNK(st.st_mode));
  positional();
  print_file("/data/work/link");
  struct timespec ts[2] = {{1234567890, 0}, {1234567890, 5}};
  check("utimensat", utimensat(AT_FDCWD, "/data/work/b.txt", ts, 0));
  stat("/data/work/b.txt", &st);
  printf("mtime %lld.%09ld\n", (long long)st.st_mtim.tv_sec,
         st.st_mtim.tv_nsec);
  check("link", link("/data/work/b.txt", "/data/work/hard"));
  stat("/data/work/hard", &st);
  printf("nlink %d\n", (int)st.st_nlink);
  write_file("/data/work/zeta", "w", "");
  write_file("/data/work/Alpha", "w", "");
  list("/data/work");
  check("rmdir non-empty", rmdir("/data/work"));
  check("unlink a directory", unlink("/data/work"));
  const char *names[] = {"link", "hard", "b.txt", "zeta", "Alpha"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char p[64];
    snprintf(p, sizeof p, "/data/work/%s", names[i]);
    check(p, unlink(p));
  }
  check("rmdir work", rmdir("/data/work"));
  many();
  write_file("/data/out.txt", "w", "written by the guest\n");
  list("/data");
  check("stat input", stat("/data/input.txt", &st));
  printf("input: ino %llu dev %llu mtime %lld\n", (unsigned long long)st.st_ino,
         (unsigned long long)st.st_dev, (long long)st.st_mtim.tv_sec);
  check("open outside", open("/etc/passwd", O_RDONLY) < 0 ? -1 : 0);
  return 0;
}
