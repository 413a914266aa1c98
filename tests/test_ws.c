/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_ws.c: a test's workspace folder (see test_ws.h).
 */
#include "test_ws.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

void pg_ws_init(pg_ws *w, const char *tag) {
  snprintf(w->dir, sizeof w->dir, "/tmp/pg-%.16s-XXXXXX", tag);
  ASSERT_TRUE(mkdtemp(w->dir) != NULL);
}

void pg_ws_cleanup(pg_ws *w) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
  ASSERT_EQ(system(cmd), 0);
}

void pg_ws_path(const pg_ws *w, const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s/%s", w->dir, name);
}

void pg_ws_write(const pg_ws *w, const char *name, const char *text) {
  char path[256];
  pg_ws_path(w, name, path, sizeof path);
  FILE *f = fopen(path, "w");
  ASSERT_TRUE(f != NULL);
  fputs(text, f);
  ASSERT_EQ(fclose(f), 0);
}

void pg_ws_sh(pg_proc_result *r, const pg_ws *w, const char *fmt, ...) {
  char cmd[16384];
  int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", w->dir);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
  va_end(ap);
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  pg_proc_run(argv, NULL, NULL, r);
}
