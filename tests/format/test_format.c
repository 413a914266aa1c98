/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/format/test_format.c: the tree keeps the repo's .clang-format
 * applied: scripts/format.sh --check (what `make format` fixes) passes on
 * every C source the repository holds, and does fail, naming the file, on
 * one that is not formatted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

PG_TEST(format_every_c_source_of_the_tree_is_formatted) {
  char *argv[] = {PG_SOURCE_DIR "/scripts/format.sh", "--check", NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.out, "");
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ASSERT_TRUE(f != NULL);
  fputs(text, f);
  ASSERT_EQ(fclose(f), 0);
}

/* A tree of its own, with no git: the check finds its files itself. */
PG_TEST(format_check_names_a_file_that_is_not_formatted) {
  char dir[] = "/tmp/pg-format-XXXXXX", path[256], cmd[512];
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s/scripts %s/src && cp %s %s/ && "
           "cp %s/scripts/format.sh %s/scripts/",
           dir, dir, PG_SOURCE_DIR "/.clang-format", dir, PG_SOURCE_DIR, dir);
  ASSERT_EQ(system(cmd), 0);
  snprintf(path, sizeof path, "%s/src/good.c", dir);
  write_file(path, "int main(void) {\n  return 0;\n}\n");
  snprintf(path, sizeof path, "%s/src/bad.c", dir);
  write_file(path, "int  main( void ){return 0;}\n");
  snprintf(path, sizeof path, "%s/scripts/format.sh", dir);
  char *argv[] = {path, "--check", NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.out, "format: src/bad.c is not formatted (make format "
                      "fixes it)\n");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
  char *fix[] = {path, NULL};
  pg_proc_run(fix, NULL, NULL, &r); /* make format */
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.out, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ASSERT_EQ(system(cmd), 0);
}
