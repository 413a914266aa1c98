/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/log.c: formats the app's log lines (see log.h).
 *
 * Owns nothing. Guest text is untrusted: it is written byte by byte with
 * newlines, escapes and other control bytes shown as \xNN, so one guest's
 * message is always exactly one line.
 */
#include "log.h"

#include <stdarg.h>
#include <unistd.h>

static const char *const names[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
static const char *const colours[] = {"\033[2m", "", "\033[33m", "\033[31m"};

void pg_log_init(pg_log *l, FILE *out, pg_log_level min) {
  l->out = out;
  l->is_colour = isatty(fileno(out));
  l->min = min;
  l->unit = NULL;
  l->unit_width = 0;
}

void pg_log_set_unit(pg_log *l, const char *unit, int width) {
  l->unit = unit;
  l->unit_width = width;
}

void pg_log_write(pg_log *l, uint64_t now_ns, pg_log_level level,
                  const char *who, uint64_t call_id, const char *msg,
                  size_t msg_len) {
  if (level < l->min || level > PG_LOG_ERROR)
    return;
  FILE *f = l->out;
  if (l->unit != NULL)
    fprintf(f, "%-*s | ", l->unit_width, l->unit);
  if (l->is_colour)
    fputs(colours[level], f);
  fprintf(f, "t=%llu.%06llu %s %s", (unsigned long long)(now_ns / 1000000000),
          (unsigned long long)(now_ns / 1000 % 1000000), names[level], who);
  if (call_id != 0)
    fprintf(f, " call=%llu", (unsigned long long)call_id);
  fputs(": ", f);
  for (size_t i = 0; i < msg_len; i++) {
    unsigned char c = (unsigned char)msg[i];
    if (c < 0x20 || c == 0x7f || c == '\\')
      fprintf(f, "\\x%02x", c);
    else
      fputc(c, f);
  }
  if (l->is_colour)
    fputs("\033[0m", f);
  fputc('\n', f);
  fflush(f);
}

void pg_log_printf(pg_log *l, uint64_t now_ns, pg_log_level level,
                   const char *who, uint64_t call_id, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
  pg_log_write(l, now_ns, level, who, call_id, buf, len);
}
