/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/kernel/test_log.c: the app's log lines (kernel/log.c): the exact
 * format, levels below the minimum dropped, and guest text that cannot
 * forge or split lines.
 */
#include <stdlib.h>

#include "log.h"
#include "test.h"

static char *capture(pg_log_level min, void (*write)(pg_log *)) {
  char *text;
  size_t len;
  FILE *f = open_memstream(&text, &len);
  pg_log l;
  pg_log_init(&l, f, min);
  write(&l);
  fclose(f);
  return text;
}

static void two_lines(pg_log *l) {
  pg_log_printf(l, 1234567, PG_LOG_INFO, "greeting", 7, "ready in %d ms", 3);
  pg_log_write(l, 2000000000, PG_LOG_ERROR, "kernel", 0, "stuck", 5);
  pg_log_write(l, 5, PG_LOG_DEBUG, "kernel", 0, "hidden", 6);
}

PG_TEST(log_lines_have_time_level_guest_call_and_message) {
  char *text = capture(PG_LOG_INFO, two_lines);
  ASSERT_STREQ(text, "t=0.001234 INFO  greeting call=7: ready in 3 ms\n"
                     "t=2.000000 ERROR kernel: stuck\n");
  free(text);
}

static void hostile(pg_log *l) {
  const char msg[] = "ok\nt=0.000000 ERROR kernel: forged\\\x1b[31m";
  pg_log_write(l, 0, PG_LOG_WARN, "evil", 1, msg, sizeof msg - 1);
}

PG_TEST(log_escapes_newlines_escapes_and_control_bytes_from_guests) {
  char *text = capture(PG_LOG_DEBUG, hostile);
  ASSERT_STREQ(text, "t=0.000000 WARN  evil call=1: ok\\x0at=0.000000 ERROR "
                     "kernel: forged\\x5c\\x1b[31m\n");
  free(text);
}
