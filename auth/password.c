/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/password.c: password hashes through libxcrypt (crypt_gensalt_ra,
 * crypt_r), with a constant-time compare of crypt_r's answer.
 *
 * Owns nothing between calls: each call allocates its struct crypt_data
 * (32 KiB, too big for small thread stacks) and its copy of the password
 * through the caller's pg_mem, and wipes both before freeing them. Any
 * thread; crypt_r is reentrant with its own crypt_data.
 */
#include "password.h"

#include <crypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmac.h"
#include "parigot/error.h"

_Static_assert(PG_PASSWORD_MAX + 1 == CRYPT_MAX_PASSPHRASE_SIZE,
               "PG_PASSWORD_MAX follows libxcrypt");
_Static_assert(PG_PASSWORD_HASH_MAX + 1 == CRYPT_OUTPUT_SIZE,
               "PG_PASSWORD_HASH_MAX follows libxcrypt");

typedef struct scheme {
  const char *prefix, *what;
} scheme;

static const scheme accepted[] = {
    {"$y$", "yescrypt"}, {"$2y$", "bcrypt"},     {"$2b$", "bcrypt"},
    {"$2a$", "bcrypt"},  {"$6$", "sha512crypt"}, {"$5$", "sha256crypt"},
};

static bool starts(const char *s, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len >= n && memcmp(s, prefix, n) == 0;
}

/* What crypt(3) writes: its base-64 alphabet and the '$' separators. */
static bool crypt_chars(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '$' ||
          c == '='))
      return false;
  }
  return true;
}

int pg_password_hash_ok(const char *hash, size_t len, char *why,
                        size_t why_len) {
  if (starts(hash, len, "$apr1$")) {
    snprintf(why, why_len,
             "$apr1$ hashes (htpasswd's default MD5) cannot be "
             "checked here: write them with htpasswd -B or "
             "parigot user");
    return PARIGOT_ENOTSUP;
  }
  if (starts(hash, len, "{SHA}")) {
    snprintf(why, why_len,
             "{SHA} hashes cannot be checked here (unsalted "
             "SHA-1): write them with htpasswd -B or parigot "
             "user");
    return PARIGOT_ENOTSUP;
  }
  for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
    if (!starts(hash, len, accepted[i].prefix))
      continue;
    if (len > PG_PASSWORD_HASH_MAX || !crypt_chars(hash, len) ||
        len < strlen(accepted[i].prefix) + 8) {
      snprintf(why, why_len, "a malformed %s hash", accepted[i].what);
      return PARIGOT_ENOTSUP;
    }
    return 0;
  }
  if (len > 0 && hash[0] == '$') {
    size_t n = 1;
    while (n < len && n < 16 && hash[n] != '$')
      n++;
    snprintf(why, why_len,
             "hashes of scheme \"%.*s$\" cannot be checked "
             "here: use $2y$ (htpasswd -B), $y$, $6$ or $5$",
             (int)n, hash);
  } else {
    snprintf(why, why_len,
             "not a password hash (plain text, or crypt's old "
             "DES?): write it with htpasswd -B or parigot user");
  }
  return PARIGOT_ENOTSUP;
}

/* A NUL-terminated heap copy of the password, or NULL. */
static char *copy_password(const char *password, size_t len,
                           const pg_mem *mem) {
  char *p = pg_mem_malloc(mem, len + 1);
  if (!p)
    return NULL;
  memcpy(p, password, len);
  p[len] = 0;
  return p;
}

static void wipe_free(const pg_mem *mem, void *p, size_t len) {
  if (!p)
    return;
  explicit_bzero(p, len);
  pg_mem_free(mem, p);
}

int pg_password_hash(const char *password, size_t len,
                     pg_password_scheme scheme_, const pg_mem *mem,
                     char out[PG_PASSWORD_HASH_MAX + 1], char *err,
                     size_t err_len) {
  if (len == 0) {
    snprintf(err, err_len, "the password is empty");
    return PARIGOT_EINVAL;
  }
  if (len > PG_PASSWORD_MAX) {
    snprintf(err, err_len, "the password is longer than %d bytes",
             PG_PASSWORD_MAX);
    return PARIGOT_EINVAL;
  }
  if (memchr(password, 0, len)) {
    snprintf(err, err_len, "the password has a NUL byte");
    return PARIGOT_EINVAL;
  }
  const char *prefix = scheme_ == PG_PASSWORD_BCRYPT ? "$2y$" : "$y$";
  unsigned long count =
      scheme_ == PG_PASSWORD_BCRYPT ? PG_PASSWORD_BCRYPT_COST : 0;
  /* NULL random bytes: libxcrypt reads them from the OS (getrandom). */
  char *setting = crypt_gensalt_ra(prefix, count, NULL, 0);
  if (!setting) {
    snprintf(err, err_len, "crypt_gensalt for %s failed", prefix);
    return PARIGOT_EIO;
  }
  int rc = PARIGOT_ENOMEM;
  char *pw = copy_password(password, len, mem);
  struct crypt_data *cd = pg_mem_calloc(mem, 1, sizeof *cd);
  if (!pw || !cd) {
    snprintf(err, err_len, "out of memory");
    goto done;
  }
  const char *h = crypt_r(pw, setting, cd);
  if (!h || h[0] == '*' || strlen(h) > PG_PASSWORD_HASH_MAX) {
    snprintf(err, err_len, "crypt_r with %s failed", prefix);
    rc = PARIGOT_EIO;
    goto done;
  }
  strcpy(out, h);
  rc = 0;
done:
  wipe_free(mem, pw, len + 1);
  wipe_free(mem, cd, sizeof *cd);
  free(setting); /* crypt_gensalt_ra's malloc */
  return rc;
}

int pg_password_verify(const char *password, size_t len, const char *hash,
                       const pg_mem *mem) {
  if (len > PG_PASSWORD_MAX || memchr(password, 0, len))
    return PARIGOT_EINVAL;
  int rc = PARIGOT_ENOMEM;
  char *pw = copy_password(password, len, mem);
  struct crypt_data *cd = pg_mem_calloc(mem, 1, sizeof *cd);
  /* Both answers zero-padded to one fixed length, compared whole. */
  char *want = pg_mem_calloc(mem, 2, CRYPT_OUTPUT_SIZE);
  if (!pw || !cd || !want)
    goto done;
  char *got = want + CRYPT_OUTPUT_SIZE;
  size_t hash_len = strnlen(hash, CRYPT_OUTPUT_SIZE);
  memcpy(want, hash, hash_len < CRYPT_OUTPUT_SIZE ? hash_len : 0);
  const char *h = crypt_r(pw, hash, cd);
  bool is_failed = !h || h[0] == '*' || hash_len >= CRYPT_OUTPUT_SIZE;
  if (h)
    memcpy(got, h, strnlen(h, CRYPT_OUTPUT_SIZE - 1));
  bool is_equal = pg_ct_equal(want, got, CRYPT_OUTPUT_SIZE);
  rc = is_equal && !is_failed ? 0 : PARIGOT_EACCES;
done:
  wipe_free(mem, pw, len + 1);
  wipe_free(mem, cd, sizeof *cd);
  wipe_free(mem, want, 2 * CRYPT_OUTPUT_SIZE);
  return rc;
}
