/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/log.h: the one log of an app.
 *
 * Every line says when, how severe, which guest and which call:
 *   t=0.000123 INFO  greeting call=7: fetching the French greeting
 * In deterministic mode the time is the kernel's virtual clock, so two runs
 * write identical logs; otherwise it is the real time since the app
 * started. Colour only when the log goes to a terminal. One thread writes
 * at a time (the caller serializes).
 */
#ifndef PG_LOG_H
#define PG_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum pg_log_level {
  PG_LOG_DEBUG = 0,
  PG_LOG_INFO = 1,
  PG_LOG_WARN = 2,
  PG_LOG_ERROR = 3,
} pg_log_level;

typedef struct pg_log {
  FILE *out;        /* borrowed */
  bool is_colour;   /* out is a terminal */
  pg_log_level min; /* lines below this level are dropped */
  const char *unit; /* borrowed: every line starts with it, or NULL */
  int unit_width;   /* ...padded to this width, as parigot up does */
} pg_log;

void pg_log_init(pg_log *l, FILE *out, pg_log_level min);

/* Every line from now on starts with "@p unit | ", the name padded to
 * @p width: the log of one unit among others in one stream. @p unit is
 * borrowed; NULL: none. */
void pg_log_set_unit(pg_log *l, const char *unit, int width);

/* One line. @p who is a guest name or "kernel"; @p call_id 0 for none;
 * @p now_ns the time to print. The message may hold any bytes: control
 * characters are escaped so a guest cannot forge lines. */
void pg_log_write(pg_log *l, uint64_t now_ns, pg_log_level level,
                  const char *who, uint64_t call_id, const char *msg,
                  size_t msg_len);

/* printf-style convenience for the kernel's own lines. */
void pg_log_printf(pg_log *l, uint64_t now_ns, pg_log_level level,
                   const char *who, uint64_t call_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif /* PG_LOG_H */
