/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wasi/files_program.c: a parigot program (the C SDK's event loop)
 * that uses the directories its manifest gives it: it reads
 * /data/input.txt, appends a line to /data/log.txt, lists /data, and
 * tries to write under the read-only /static; then exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "parigot/guest.h"

void parigot_guest_declare(void) {}

void parigot_guest_start(void) {
  char buf[64] = {0};
  FILE *f = fopen("/data/input.txt", "r");
  if (f != NULL) {
    fgets(buf, sizeof buf, f);
    fclose(f);
  }
  printf("input: %s", buf);
  f = fopen("/data/log.txt", "a");
  printf("append: %s\n", f && fputs("ran\n", f) >= 0 && fclose(f) == 0
                             ? "ok"
                             : strerror(errno));
  DIR *d = opendir("/data");
  struct dirent *e;
  printf("/data:");
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.')
      printf(" %s", e->d_name);
  printf("\n");
  if (d)
    closedir(d);
  struct stat st;
  if (stat("/data/log.txt", &st) == 0)
    printf("log.txt: %lld bytes, mtime %lld\n", (long long)st.st_size,
           (long long)st.st_mtim.tv_sec);
  f = fopen("/static/page.html", "r");
  printf("static read: %s\n", f ? "ok" : strerror(errno));
  if (f)
    fclose(f);
  f = fopen("/static/new.html", "w");
  printf("static write: %s\n", f ? "ok" : strerror(errno));
  parigot_exit(0);
}
