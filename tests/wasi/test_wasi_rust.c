/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wasi/test_wasi_rust.c: a Rust guest's std::fs beneath a directory
 * given with `parigot exec --dir` (built only with Debian's rustc and its
 * wasm32-wasi standard library).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

PG_TEST(wasi_rust_std_fs_works_on_a_host_directory) {
  char root[64], path[160], arg[200];
  snprintf(root, sizeof root, "/tmp/pg-wasi-rust-XXXXXX");
  ASSERT_TRUE(mkdtemp(root) != NULL);
  snprintf(path, sizeof path, "%s/box", root);
  ASSERT_EQ(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/box/input.txt", root);
  FILE *f = fopen(path, "w");
  ASSERT_TRUE(f != NULL);
  fputs("hi\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/secret", root);
  f = fopen(path, "w");
  ASSERT_TRUE(f != NULL);
  fclose(f);
  snprintf(path, sizeof path, "%s/box/abs_link", root);
  char target[128];
  snprintf(target, sizeof target, "%s/secret", root);
  ASSERT_EQ(symlink(target, path), 0);
  snprintf(arg, sizeof arg, "%s/box::/data", root);
  char *argv[] = {(char *)pg_test_parigot(),        "exec", "--dir", arg,
                  (char *)pg_test_guest("fs_rust"), NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "input: \"hi\\n\"\n"
                      "create_dir: ok\n"
                      "create_dir again: AlreadyExists\n"
                      "from 6: \"from rust\\nappended\\n\"\n"
                      "len 25 file true dir false\n"
                      "rename: ok\n"
                      "read_dir: [\"b.txt\", \"x\"]\n"
                      "copy: Ok(25)\n"
                      "escape ..: PermissionDenied\n"
                      "escape link: PermissionDenied\n"
                      "canonicalize-free exists: true\n"
                      "remove_dir_all: ok\n"
                      "gone: true\n");
  snprintf(path, sizeof path, "%s/box/rs", root);
  struct stat st;
  ASSERT_EQ(stat(path, &st), -1);
  pg_proc_result_free(&r);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  ASSERT_EQ(system(cmd), 0);
}
