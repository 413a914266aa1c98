/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/password.h: password hashes as htpasswd files hold them, through
 * libxcrypt's crypt_r: making one for a new password, checking a password
 * against one, and telling which stored hashes can be checked at all.
 *
 * Accepted: $y$ (yescrypt, what we write by default), $2y$ $2b$ $2a$
 * (bcrypt, what `htpasswd -B` writes, and what we write on request so that
 * Apache can read the file too), $6$ and $5$ (sha512crypt, sha256crypt).
 * Refused with a message that says what to do: $apr1$ (htpasswd's default
 * MD5), {SHA}, plain text, anything else. Owns nothing between calls; each
 * call's struct crypt_data (32 KiB) is on the heap and wiped. Any thread;
 * hashing and verifying are BLOCKING (tens to hundreds of ms).
 */
#ifndef PG_AUTH_PASSWORD_H
#define PG_AUTH_PASSWORD_H

#include <stddef.h>

#include "mem.h"

#define PG_PASSWORD_MAX 511      /* bytes of a password (crypt_r's bound) */
#define PG_PASSWORD_HASH_MAX 383 /* bytes of a stored hash */
#define PG_PASSWORD_BCRYPT_COST 12

typedef enum pg_password_scheme {
  PG_PASSWORD_YESCRYPT, /* $y$, libxcrypt's default cost */
  PG_PASSWORD_BCRYPT,   /* $2y$, cost PG_PASSWORD_BCRYPT_COST */
} pg_password_scheme;

/**
 * @brief Hashes a new password with a fresh random salt.
 * @param[in] password  borrowed for the call; @p len bytes, no NUL.
 * @param[out] out      the hash and a NUL.
 * @return 0; PARIGOT_EINVAL (empty, too long or has a NUL: @p err says
 *         which); PARIGOT_ENOMEM; PARIGOT_EIO (crypt failed: @p err says).
 */
int pg_password_hash(const char *password, size_t len,
                     pg_password_scheme scheme, const pg_mem *mem,
                     char out[PG_PASSWORD_HASH_MAX + 1], char *err,
                     size_t err_len);

/**
 * @brief Whether @p hash (@p len bytes, as a file holds it) is one we can
 * check: 0, or PARIGOT_ENOTSUP with @p why saying what it is and what to do
 * (e.g. "$apr1$ hashes cannot be checked here: write them with htpasswd
 * -B").
 */
int pg_password_hash_ok(const char *hash, size_t len, char *why,
                        size_t why_len);

/**
 * @brief Checks @p password against a stored @p hash (NUL-terminated, one
 * pg_password_hash_ok accepts), comparing crypt_r's answer in constant time
 * over a fixed length. Wipes its copy of the password.
 * @return 0 when it matches; PARIGOT_EACCES when not (or when crypt_r fails,
 *         as it does on a hash it cannot read); PARIGOT_EINVAL (too long, a
 *         NUL); PARIGOT_ENOMEM.
 */
int pg_password_verify(const char *password, size_t len, const char *hash,
                       const pg_mem *mem);

#endif /* PG_AUTH_PASSWORD_H */
