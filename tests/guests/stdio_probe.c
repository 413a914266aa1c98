/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/guests/stdio_probe.c: what a guest sees of its stdio. For fds 0, 1
 * and 2 it prints the WASI filetype, whether FD_SEEK or FD_TELL is among
 * the rights, isatty(), and what fd_seek, fd_tell and fd_pwrite answer;
 * then whether stdout is line-buffered: a line printed with printf must
 * reach fd 1 before the next write to fd 2.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  for (int fd = 0; fd <= 2; fd++) {
    __wasi_fdstat_t st;
    __wasi_filesize_t pos = 0;
    uint8_t byte = 'x';
    __wasi_ciovec_t iov = {&byte, 1};
    size_t n = 0;
    memset(&st, 0, sizeof st);
    int stat_rc = __wasi_fd_fdstat_get(fd, &st);
    bool can_seek = (st.fs_rights_base &
                     (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)) != 0;
    int seek_rc = __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos);
    int tell_rc = __wasi_fd_tell(fd, &pos);
    int pwrite_rc = __wasi_fd_pwrite(fd, &iov, 1, 0, &n);
    fprintf(stderr,
            "fd %d: stat %d filetype %d seek/tell rights %d isatty %d "
            "seek %d tell %d pwrite %d\n",
            fd, stat_rc, st.fs_filetype, can_seek, isatty(fd), seek_rc, tell_rc,
            pwrite_rc);
  }
  /* Line-buffered: this line is on fd 1 before the next line on fd 2. */
  printf("first line\n");
  printf("second line\n");
  fprintf(stderr, "after the lines\n");
  printf("no newline");
  return 0;
}
