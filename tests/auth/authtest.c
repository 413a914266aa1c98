/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/auth/authtest.c: the shared helpers of tests/auth (authtest.h).
 * Single-threaded.
 */
#include "authtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"

static char dirs[4][256];
static int n_dirs;

static void remove_dirs(void) {
  for (int i = 0; i < n_dirs; i++) {
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dirs[i]);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", dirs[i]);
  }
}

const char *at_dir(void) {
  if (n_dirs == 4)
    PG_FAIL("too many test directories");
  const char *tmp = getenv("TMPDIR");
  snprintf(dirs[n_dirs], sizeof dirs[n_dirs], "%s/pgauth.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dirs[n_dirs]))
    PG_FAIL("mkdtemp failed");
  if (n_dirs == 0)
    atexit(remove_dirs);
  return dirs[n_dirs++];
}

const char *at_path(const char *dir, const char *name) {
  static char slots[8][512];
  static int next;
  char *p = slots[next++ % 8];
  snprintf(p, 512, "%s/%s", dir, name);
  return p;
}

void at_write(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0)
    PG_FAIL("cannot write %s", path);
}

char *at_read(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len < 2)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf)
    PG_FAIL("out of memory");
  buf[len] = 0;
  return buf;
}

int at_mode(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}
