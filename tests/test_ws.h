/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/test_ws.h: a test's workspace: a fresh folder under /tmp for the
 * files a test writes (protos, manifests, outputs), and shell commands run
 * in it. Tests of the generators and of the guest languages use it.
 * Single-threaded.
 */
#ifndef PG_TEST_WS_H
#define PG_TEST_WS_H

#include <stddef.h>

#include "test_proc.h"

typedef struct pg_ws {
  char dir[64]; /* /tmp/pg-TAG-XXXXXX */
} pg_ws;

/* Makes the folder; @p tag (a short word) names the test suite in it. */
void pg_ws_init(pg_ws *w, const char *tag);

/* Removes the folder and all in it. */
void pg_ws_cleanup(pg_ws *w);

/* Writes @p text to the folder's file @p name. */
void pg_ws_write(const pg_ws *w, const char *name, const char *text);

/* The path of the folder's file @p name, in @p out (@p cap bytes). */
void pg_ws_path(const pg_ws *w, const char *name, char *out, size_t cap);

/* Runs a shell command (a printf format) in the folder; the result, whatever
 * the status, goes to @p r (the caller frees it). */
void pg_ws_sh(pg_proc_result *r, const pg_ws *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* PG_TEST_WS_H */
