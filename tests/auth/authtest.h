/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/auth/authtest.h: what the tests of auth/ share: a fresh directory
 * per test, and whole files written and read back.
 */
#ifndef PG_AUTHTEST_H
#define PG_AUTHTEST_H

#include <stddef.h>

/* A new empty directory under $TMPDIR (or /tmp), removed at exit; static
 * storage, valid until the next call. */
const char *at_dir(void);
/* @p dir "/" @p name into a static buffer of one of 8 slots. */
const char *at_path(const char *dir, const char *name);
void at_write(const char *path, const char *text);
/* The whole file (NUL-terminated, malloc'ed), or NULL when missing. */
char *at_read(const char *path);
/* The file's permission bits, or -1. */
int at_mode(const char *path);

#endif /* PG_AUTHTEST_H */
