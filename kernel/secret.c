/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/secret.c: reads the app's secret where the manifest says, and
 * makes one for the units parigot up starts (see secret.h). A secret file
 * must be its owner's own: one that others can read is refused, as ssh
 * refuses such a key. Calls the file system, getenv/setenv and getrandom.
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

const char *pg_secret_env_name(const pg_manifest *m) {
  return m->secret_env != NULL ? m->secret_env : PG_MANIFEST_DEFAULT_SECRET_ENV;
}

#define SECRET_MAX 4096 /* bytes read from a file or a variable */

/* The bytes without the line ends an editor leaves. */
static size_t trimmed(const char *s, size_t len) {
  while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
    len--;
  return len;
}

static int keep(const char *what, const char *s, size_t len, uint8_t **out,
                size_t *out_len, char *err, size_t err_len) {
  len = trimmed(s, len);
  if (len < PG_APP_SECRET_MIN) {
    snprintf(err, err_len,
             "%s: the app's secret is %zu bytes; it needs %d or more", what,
             len, PG_APP_SECRET_MIN);
    return -1;
  }
  if ((*out = malloc(len)) == NULL) {
    snprintf(err, err_len, "out of memory");
    return -1;
  }
  memcpy(*out, s, len);
  *out_len = len;
  return 0;
}

static int read_file(const char *path, uint8_t **out, size_t *len, char *err,
                     size_t err_len) {
  char buf[SECRET_MAX + 1];
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, err_len, "%s: the app's secret: %s", path,
             fd < 0 ? strerror(errno) : "not a regular file");
    if (fd >= 0)
      close(fd);
    return -1;
  }
  if ((st.st_mode & 077) != 0) {
    snprintf(err, err_len,
             "%s: the app's secret is readable by others (mode %03o): "
             "chmod 600 it",
             path, (unsigned)(st.st_mode & 0777));
    close(fd);
    return -1;
  }
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  int rc = -1;
  if (n < 0)
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
  else if (n > SECRET_MAX)
    snprintf(err, err_len, "%s: the app's secret is over %d bytes", path,
             SECRET_MAX);
  else
    rc = keep(path, buf, (size_t)n, out, len, err, err_len);
  explicit_bzero(buf, sizeof buf);
  return rc;
}

int pg_secret_read(const pg_manifest *m, uint8_t **out, size_t *len, char *err,
                   size_t err_len) {
  *out = NULL;
  *len = 0;
  if (m->secret_file != NULL)
    return read_file(m->secret_file, out, len, err, err_len);
  const char *s = getenv(pg_secret_env_name(m));
  if (s == NULL || *s == '\0')
    return 0;
  if (strlen(s) > SECRET_MAX) {
    snprintf(err, err_len, "$%s: the app's secret is over %d bytes",
             pg_secret_env_name(m), SECRET_MAX);
    return -1;
  }
  char what[160];
  snprintf(what, sizeof what, "$%s", pg_secret_env_name(m));
  return keep(what, s, strlen(s), out, len, err, err_len);
}

int pg_secret_make_for_units(const pg_manifest *m, char *err, size_t err_len) {
  const char *s = getenv(pg_secret_env_name(m));
  if (m->secret_file != NULL || (s != NULL && *s != '\0'))
    return 0;
  uint8_t raw[32];
  char hex[2 * sizeof raw + 1];
  if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
    snprintf(err, err_len, "no randomness for the app's secret: %s",
             strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf(hex + 2 * i, 3, "%02x", raw[i]);
  int rc = setenv(pg_secret_env_name(m), hex, 1);
  explicit_bzero(raw, sizeof raw);
  explicit_bzero(hex, sizeof hex);
  if (rc != 0)
    snprintf(err, err_len, "%s", strerror(errno));
  return rc == 0 ? 0 : -1;
}

void pg_secret_free(uint8_t *s, size_t len) {
  if (s != NULL)
    explicit_bzero(s, len);
  free(s);
}
