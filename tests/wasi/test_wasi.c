/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wasi/test_wasi.c: a guest's files under WASI (kernel/engine/
 * wasi_fs.c), run as a user runs them, with `parigot exec --dir`: C's file
 * API on a read-write directory, every way out of the sandbox (and a
 * symlink swapped between inside and outside while the guest opens
 * through it), a read-only directory, the write quota, the fd limit, and
 * deterministic mode's private copy (two runs byte-identical, the host
 * directory untouched).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

/* A scratch tree: ROOT/box is what the guest gets, ROOT/outside and
 * ROOT/secret what it must never reach. */
typedef struct fixture {
  char root[64];
  char box[96];
} fixture;

static void put(const fixture *f, const char *rel, const char *text) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", f->root, rel);
  FILE *fp = fopen(path, "w");
  ASSERT_TRUE(fp != NULL);
  fputs(text, fp);
  ASSERT_EQ(fclose(fp), 0);
}

static void mkdir_in(const fixture *f, const char *rel) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", f->root, rel);
  ASSERT_EQ(mkdir(path, 0755), 0);
}

static void link_in(const fixture *f, const char *target, const char *rel) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", f->root, rel);
  ASSERT_EQ(symlink(target, path), 0);
}

static void setup(fixture *f) {
  snprintf(f->root, sizeof f->root, "/tmp/pg-wasi-test-XXXXXX");
  ASSERT_TRUE(mkdtemp(f->root) != NULL);
  snprintf(f->box, sizeof f->box, "%s/box", f->root);
  mkdir_in(f, "box");
  mkdir_in(f, "box/sub");
  mkdir_in(f, "outside");
  put(f, "box/inside.txt", "inside\n");
  put(f, "box/input.txt", "from the host\n");
  put(f, "outside/secret", "OUTSIDE\n");
  put(f, "outside/f", "OUTSIDE\n");
  put(f, "secret", "OUTSIDE\n");
  char abs[192];
  snprintf(abs, sizeof abs, "%s/outside/secret", f->root);
  link_in(f, abs, "box/abs_link");
  link_in(f, "../outside/secret", "box/rel_link");
  link_in(f, "inside.txt", "box/in_link");
  link_in(f, "../outside", "box/dir_link");
}

static void remove_tree(const char *path) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  ASSERT_EQ(system(cmd), 0);
}

/* Every name under @p dir with its type and contents, in name order. */
static void snapshot(const char *dir, char *out, size_t len) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, alphasort);
  ASSERT_TRUE(n >= 0);
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    char path[512], buf[256] = {0};
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (strcmp(name, ".") && strcmp(name, "..") && lstat(path, &st) == 0) {
      size_t used = strlen(out);
      if (S_ISLNK(st.st_mode)) {
        ASSERT_TRUE(readlink(path, buf, sizeof buf - 1) >= 0);
        snprintf(out + used, len - used, "%s -> %s\n", path, buf);
      } else if (S_ISDIR(st.st_mode)) {
        snprintf(out + used, len - used, "%s/ %o\n", path, st.st_mode & 0777);
        snapshot(path, out, len);
      } else {
        FILE *fp = fopen(path, "r");
        ASSERT_TRUE(fp != NULL);
        ASSERT_TRUE(fread(buf, 1, sizeof buf - 1, fp) < sizeof buf - 1);
        fclose(fp);
        snprintf(out + used, len - used, "%s %o %s\n", path, st.st_mode & 0777,
                 buf);
      }
    }
    free(names[i]);
  }
  free(names);
}

/* parigot exec [ARGS... up to NULL], with @p env ("K=V", NULL: none) */
static void exec_env(pg_proc_result *r, const char *env, va_list ap) {
  char *argv[24] = {(char *)pg_test_parigot(), "exec"};
  char *extra[2] = {(char *)env, NULL};
  int n = 2;
  for (const char *a; n < 23 && (a = va_arg(ap, const char *));)
    argv[n++] = (char *)a;
  argv[n] = NULL;
  pg_proc_run(argv, NULL, env ? extra : NULL, r);
}

static void exec_guest(pg_proc_result *r, ...) {
  va_list ap;
  va_start(ap, r);
  exec_env(r, NULL, ap);
  va_end(ap);
}

static void exec_in(pg_proc_result *r, const char *env, ...) {
  va_list ap;
  va_start(ap, env);
  exec_env(r, env, ap);
  va_end(ap);
}

static char *dir_arg(const fixture *f, const char *dir, const char *guest) {
  static char buf[4][256];
  static int next;
  char *b = buf[next++ % 4];
  snprintf(b, 256, "%s/%s::%s", f->root, dir, guest);
  return b;
}

static const char escape_expected[] = "open ../secret: EPERM\n"
                                      "open absolute: EPERM\n"
                                      "open sub/../../secret: EPERM\n"
                                      "open sub/../inside.txt: OK\n"
                                      "open abs_link: EPERM\n"
                                      "open rel_link: EPERM\n"
                                      "open rel_link nofollow: ELOOP\n"
                                      "open in_link: OK\n"
                                      "create through dir_link: EPERM\n"
                                      "create ../planted: EPERM\n"
                                      "stat abs_link: EPERM\n"
                                      "stat abs_link nofollow: OK\n"
                                      "stat ..: EPERM\n"
                                      "stat dir_link/secret: EPERM\n"
                                      "mkdir ../newdir: EPERM\n"
                                      "mkdir dir_link/newdir: EPERM\n"
                                      "rmdir ..: EPERM\n"
                                      "unlink ../secret: EPERM\n"
                                      "unlink dir_link/secret: EPERM\n"
                                      "rename out: EPERM\n"
                                      "rename in: EPERM\n"
                                      "symlink absolute: EPERM\n"
                                      "link follow: EINVAL\n"
                                      "link out: EPERM\n"
                                      "link in: EPERM\n"
                                      "readlink ../x: EPERM\n"
                                      "set_times abs_link: EPERM\n"
                                      "set_times dir_link/: EPERM\n"
                                      "path on stdin: EBADF\n"
                                      "path on fd 99: EBADF\n"
                                      "path with NUL: EINVAL\n"
                                      "path outside memory: EFAULT\n"
                                      "path not UTF-8: EILSEQ\n"
                                      "prestat name too short: ENAMETOOLONG\n";

PG_TEST(wasi_no_path_leaves_the_preopened_directory) {
  fixture f;
  setup(&f);
  static char before[16384], after[16384];
  snapshot(f.root, before, sizeof before);
  pg_proc_result r;
  exec_guest(&r, "--dir", dir_arg(&f, "box", "/data"),
             pg_test_guest("fs_probe"), "escape", NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, escape_expected);
  /* Nothing inside or outside changed: no file planted, none moved, no
   * time set (mtimes are not in the snapshot, so check one). */
  snapshot(f.root, after, sizeof after);
  ASSERT_STREQ(after, before);
  struct stat st;
  char secret[128];
  snprintf(secret, sizeof secret, "%s/outside/secret", f.root);
  ASSERT_EQ(stat(secret, &st), 0);
  ASSERT_NE(st.st_mtim.tv_sec, 0);
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

/* Swaps ROOT/box/link between a file inside and the secret outside (by
 * absolute and by relative path), and ROOT/box/dlink between a directory
 * inside and one outside, each swap one atomic rename. */
typedef struct swapper {
  const fixture *f;
  atomic_bool stop;
  long swaps;
} swapper;

static void swap_to(const fixture *f, const char *name, const char *target) {
  char tmp[160], dst[160];
  snprintf(tmp, sizeof tmp, "%s/box/.%s.tmp", f->root, name);
  snprintf(dst, sizeof dst, "%s/box/%s", f->root, name);
  unlink(tmp);
  ASSERT_EQ(symlink(target, tmp), 0);
  ASSERT_EQ(rename(tmp, dst), 0);
}

static void *swap_loop(void *arg) {
  swapper *s = arg;
  char abs[192];
  snprintf(abs, sizeof abs, "%s/outside/secret", s->f->root);
  const char *files[] = {"target_in", abs, "target_in", "../outside/secret"};
  const char *dirs[] = {"sub", "../outside"};
  while (!atomic_load(&s->stop)) {
    swap_to(s->f, "link", files[s->swaps % 4]);
    swap_to(s->f, "dlink", dirs[s->swaps % 2]);
    s->swaps++;
  }
  return NULL;
}

PG_TEST(wasi_symlinks_swapped_during_use_never_lead_out) {
  fixture f;
  setup(&f);
  put(&f, "box/target_in", "INSIDE\n");
  put(&f, "box/sub/f", "INSIDE\n");
  swap_to(&f, "link", "target_in");
  swap_to(&f, "dlink", "sub");
  static char before[16384], after[16384];
  char outside[128], sub[128];
  snprintf(outside, sizeof outside, "%s/outside", f.root);
  snprintf(sub, sizeof sub, "%s/box/sub", f.root);
  snapshot(outside, before, sizeof before);
  swapper s = {.f = &f};
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, swap_loop, &s), 0);
  pg_proc_result r;
  exec_guest(&r, "--dir", dir_arg(&f, "box", "/data"),
             pg_test_guest("fs_probe"), "race", NULL);
  atomic_store(&s.stop, true);
  pthread_join(t, NULL);
  fprintf(stderr, "%s%ld swaps\n", r.err, s.swaps);
  ASSERT_EQ(r.status, 0);
  ASSERT_TRUE(s.swaps > 1); /* "both seen" says the swaps were seen */
  ASSERT_STREQ(r.out, "escaped=0 other=0\nboth seen: yes\n");
  /* Nothing was made outside; some of it was made inside. */
  snapshot(outside, after, sizeof after);
  ASSERT_STREQ(after, before);
  static char made[1 << 20];
  snapshot(sub, made, sizeof made);
  ASSERT_CONTAINS(made, "/made");
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

PG_TEST(wasi_read_only_directory_refuses_every_change) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "rw");
  static char before[16384], after[16384];
  snapshot(f.root, before, sizeof before);
  pg_proc_result r;
  exec_guest(&r, "--dir-ro", dir_arg(&f, "box", "/data"), "--dir",
             dir_arg(&f, "rw", "/rw"), pg_test_guest("fs_probe"), "readonly",
             NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "read: OK\n"
                      "open for write: EPERM\n"
                      "create: EPERM\n"
                      "truncate: EPERM\n"
                      "append: EPERM\n"
                      "mkdir: EPERM\n"
                      "rmdir: EPERM\n"
                      "unlink: EPERM\n"
                      "rename: EPERM\n"
                      "symlink: EPERM\n"
                      "link: EPERM\n"
                      "set_times: EPERM\n"
                      "link into rw: EPERM\n"
                      "rename into rw: EPERM\n"
                      "open to read: OK\n"
                      "fd_read: OK\n"
                      "content: inside\n"
                      "fd_write: EBADF\n"
                      "fd_set_size: EBADF\n"
                      "fd_set_times: EPERM\n"
                      "fd_set_flags append: EPERM\n");
  snapshot(f.root, after, sizeof after);
  ASSERT_STREQ(after, before);
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

PG_TEST(wasi_write_quota_stops_writes_with_edquot) {
  fixture f;
  setup(&f);
  pg_proc_result r;
  exec_guest(&r, "--dir", dir_arg(&f, "box", "/data"), "--write-quota", "1000",
             pg_test_guest("fs_probe"), "quota", NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "create: OK\n"
                      "write 600: OK 600\n"
                      "write 600: OK 400\n"
                      "write 1: EDQUOT 0\n"
                      "grow by set_size: EDQUOT\n"
                      "shrink by set_size: OK\n"
                      "write 1 after shrink: EDQUOT 0\n"
                      "libc: put 5 flush -1 Quota exceeded\n");
  char path[160];
  struct stat st;
  snprintf(path, sizeof path, "%s/q.bin", f.box);
  ASSERT_EQ(stat(path, &st), 0);
  ASSERT_EQ(st.st_size, 10);
  pg_proc_result_free(&r);
  /* Without the quota the same writes all go through. */
  exec_guest(&r, "--dir", dir_arg(&f, "box", "/data"),
             pg_test_guest("fs_probe"), "quota", NULL);
  ASSERT_CONTAINS(r.out, "write 600: OK 600\nwrite 600: OK 600\n"
                         "write 1: OK 1\n");
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

PG_TEST(wasi_open_files_are_bounded) {
  fixture f;
  setup(&f);
  pg_proc_result r;
  exec_guest(&r, "--dir", dir_arg(&f, "box", "/data"),
             pg_test_guest("fs_probe"), "fds", NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  /* 256 fds, one of them the preopen. */
  ASSERT_STREQ(r.out, "opened 255, then EMFILE\n"
                      "close one: OK\n"
                      "reopen: OK fd reused\n"
                      "renumber onto stdout: ENOTSUP\n"
                      "renumber: OK\n"
                      "closed source: EBADF\n");
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

PG_TEST(wasi_c_file_api_works_on_a_host_directory) {
  fixture f;
  setup(&f);
  pg_proc_result r;
  exec_guest(&r, "--dir", dir_arg(&f, "box", "/data"), pg_test_guest("fs_tour"),
             NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out,
                  "/data/input.txt holds 14 bytes: \"from the host\\n\"");
  ASSERT_CONTAINS(r.out, "mkdir work: ok\nmkdir work again: File exists\n");
  ASSERT_CONTAINS(r.out,
                  "/data/work/a.txt holds 12 bytes: \"hello\\nworld\\n\"");
  ASSERT_CONTAINS(r.out, "size 12 regular 1\nrename: ok\n"
                         "stat a.txt after rename: No such file or directory\n"
                         "symlink: ok\nreadlink: 5 \"b.txt\"\n"
                         "stat through link: ok\nsize 12\n"
                         "lstat link: ok\nis link 1\n");
  ASSERT_CONTAINS(r.out, "pwrite: 1\npread: 5 \"hello\"\nlseek end: 12\n"
                         "ftruncate: ok\nsize after ftruncate: 5\n");
  ASSERT_CONTAINS(r.out, "utimensat: ok\nmtime 1234567890.000000005\n");
  ASSERT_CONTAINS(r.out, "link: ok\nnlink 2\n");
  ASSERT_CONTAINS(r.out, "/data/work: ./ ../ Alpha b.txt hard link@ zeta\n");
  ASSERT_CONTAINS(r.out, "rmdir non-empty: Directory not empty\n");
  ASSERT_CONTAINS(r.out, "rmdir work: ok\n");
  ASSERT_CONTAINS(r.out, "many: 302 entries, sorted 1\nrmdir many: ok\n");
  ASSERT_CONTAINS(r.out, "open outside: ");
  /* What the guest left is on the host; what it removed is gone. */
  char path[160], buf[64] = {0};
  snprintf(path, sizeof path, "%s/out.txt", f.box);
  FILE *fp = fopen(path, "r");
  ASSERT_TRUE(fp != NULL);
  ASSERT_TRUE(fread(buf, 1, sizeof buf - 1, fp) > 0);
  fclose(fp);
  ASSERT_STREQ(buf, "written by the guest\n");
  snprintf(path, sizeof path, "%s/work", f.box);
  struct stat st;
  ASSERT_EQ(stat(path, &st), -1);
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

PG_TEST(wasi_deterministic_runs_repeat_on_a_private_copy) {
  fixture f;
  setup(&f);
  static char before[16384], after[16384];
  char tmp[128], env[160];
  snprintf(tmp, sizeof tmp, "%s/tmp", f.root);
  snprintf(env, sizeof env, "TMPDIR=%s", tmp);
  snapshot(f.box, before, sizeof before);
  mkdir_in(&f, "tmp");
  pg_proc_result a, b;
  exec_in(&a, env, "--deterministic", "--dir", dir_arg(&f, "box", "/data"),
          pg_test_guest("fs_tour"), NULL);
  exec_in(&b, env, "--deterministic", "--dir", dir_arg(&f, "box", "/data"),
          pg_test_guest("fs_tour"), NULL);
  ASSERT_STREQ(a.err, "");
  ASSERT_EQ(a.status, 0);
  ASSERT_EQ(b.status, 0);
  ASSERT_STREQ(a.out, b.out);
  /* The guest wrote and removed files, but only in its copy. */
  ASSERT_CONTAINS(a.out, "fclose /data/out.txt: 0\n");
  snapshot(f.box, after, sizeof after);
  ASSERT_STREQ(after, before);
  /* No host time, device or inode leaks into the run. */
  ASSERT_CONTAINS(a.out, "mtime 946684800.000000000\n");
  ASSERT_CONTAINS(a.out, "input: ino ");
  ASSERT_CONTAINS(a.out, " dev 0 mtime 946684800\n");
  /* The copies were made in $TMPDIR, and are gone. */
  ASSERT_EQ(rmdir(tmp), 0);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  remove_tree(f.root);
}

PG_TEST(wasi_exec_dir_refuses_a_missing_directory) {
  fixture f;
  setup(&f);
  pg_proc_result r;
  char arg[160];
  snprintf(arg, sizeof arg, "%s/nope::/data", f.root);
  exec_guest(&r, "--dir", arg, pg_test_guest("fs_tour"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "--dir ");
  ASSERT_CONTAINS(r.err, "nope is not a directory");
  pg_proc_result_free(&r);
  exec_guest(&r, "--dir", "::/data", pg_test_guest("fs_tour"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "expected HOST or HOST::GUEST");
  pg_proc_result_free(&r);
  /* Without --dir the guest has no files at all. */
  exec_guest(&r, pg_test_guest("fs_tour"), NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "mkdir work: ");
  ASSERT_TRUE(strstr(r.out, "mkdir work: ok") == NULL);
  pg_proc_result_free(&r);
  remove_tree(f.root);
}

/* parigot run [--deterministic] ROOT/app.toml */
static void run_app(const fixture *f, bool is_deterministic,
                    pg_proc_result *r) {
  char manifest[128];
  snprintf(manifest, sizeof manifest, "%s/app.toml", f->root);
  char *argv[] = {(char *)pg_test_parigot(), "run", manifest, NULL, NULL};
  if (is_deterministic) {
    argv[2] = "--deterministic";
    argv[3] = manifest;
  }
  pg_proc_run(argv, NULL, NULL, r);
}

PG_TEST(wasi_manifest_dirs_reach_a_guest_of_parigot_run) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "static");
  put(&f, "static/page.html", "<p>\n");
  char text[512];
  snprintf(text, sizeof text,
           "[app]\nname = \"files\"\n\n[[program]]\nname = \"files\"\n"
           "wasm = \"%s\"\n"
           "dirs = [{ host = \"box\", guest = \"/data\" },\n"
           "        { host = \"static\", guest = \"/static\", "
           "read_only = true }]\n"
           "write_quota = \"1M\"\n",
           pg_test_guest("files_program"));
  put(&f, "app.toml", text);
  static char before[16384], after[16384];
  snapshot(f.box, before, sizeof before);
  pg_proc_result a, b;
  run_app(&f, true, &a);
  run_app(&f, true, &b);
  ASSERT_EQ(a.status, 0);
  ASSERT_STREQ(a.out, b.out);
  ASSERT_CONTAINS(a.out, "input: from the host\n"
                         "append: ok\n"
                         "/data: abs_link dir_link in_link input.txt "
                         "inside.txt log.txt rel_link sub\n"
                         "log.txt: 4 bytes, mtime 946684800\n"
                         "static read: ok\n"
                         "static write: Operation not permitted\n");
  snapshot(f.box, after, sizeof after);
  ASSERT_STREQ(after, before);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  /* Not deterministic: the guest's writes land in the host directory. */
  run_app(&f, false, &a);
  run_app(&f, false, &b);
  ASSERT_EQ(b.status, 0);
  ASSERT_CONTAINS(b.out, "log.txt: 8 bytes, mtime ");
  ASSERT_CONTAINS(b.out, "static write: Operation not permitted\n");
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  remove_tree(f.root);
}

/* A file made after another was removed may get its host inode number;
 * in a deterministic run it gets a new one all the same, whether or not
 * the host reused the number this time. */
PG_TEST(wasi_deterministic_inodes_are_new_for_new_files) {
  fixture f;
  setup(&f);
  pg_proc_result r;
  exec_guest(&r, "--deterministic", "--dir", dir_arg(&f, "box", "/data"),
             pg_test_guest("fs_probe"), "inodes", NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "inodes: 1 2 3 4; input.txt 5\n");
  pg_proc_result_free(&r);
  remove_tree(f.root);
}
