/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/manifest.c: reads an app manifest and checks it (see manifest.h).
 *
 * Owns, during a load, the file's bytes, the TOML tree and the pg_manifest
 * being built; only the finished pg_manifest outlives the call. Calls the
 * TOML parser, the units module, the caller's allocator and the file system.
 * Any thread; a load keeps its state in a pg_mf_loader on the stack.
 *
 * Checking walks each table's keys in the order they were written, so the
 * first bad key in a table is the one reported, and a typo is reported as an
 * unknown key before the key it was meant to be is reported missing. Names
 * are compared once all guests are loaded, so that the duplicate reported is
 * the later one in the file even when a [[program]] comes before the
 * [[service]] it clashes with. Units are read after every guest, whatever
 * the order of the tables in the file, since they name guests.
 */
#include "manifest.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parigot/error.h"
#include "toml.h"
#include "units.h"
#include "manifest_int.h"

/* A name and where it was written, for the uniqueness checks (of guests'
 * names, units' names and units' listen addresses) and for looking guests
 * up by name. */
typedef struct named {
  const char *name; /* borrowed from the guest or unit, or a listen key */
  int line;         /* of the value */
  size_t index;     /* into the manifest's guests or units */
} named;

/* The accepted values of a size key, and how to write its bounds. */
typedef struct size_range {
  uint64_t min, max;               /* bytes, inclusive */
  const char *min_text, *max_text; /* the same, as a user would write them */
} size_range;

static const size_range message_size_range = {
    1, PG_MANIFEST_MAX_MAX_MESSAGE_SIZE, "1", "1G"};
static const size_range memory_range = {
    PG_MANIFEST_MIN_MAX_MEMORY, PG_MANIFEST_MAX_MAX_MEMORY, "64K", "4G"};
static const size_range quota_range = {1, 1ull << 40, "1", "1T"};

/* ---- messages ---------------------------------------------------------- */

/* Writes "PATH[:LINE]: [KEY: ]message" and returns @p code. Line 0 means
 * there is nothing in the file to point at. */
int pg_mf_fail(pg_mf_loader *ld, int code, int line, const char *key,
               const char *fmt, ...) {
  if (ld->err_len == 0)
    return code;
  int n = line > 0 ? snprintf(ld->err, ld->err_len, "%s:%d: ", ld->path, line)
                   : snprintf(ld->err, ld->err_len, "%s: ", ld->path);
  if (key != NULL && n >= 0 && (size_t)n < ld->err_len)
    n += snprintf(ld->err + n, ld->err_len - (size_t)n, "%s: ", key);
  if (n >= 0 && (size_t)n < ld->err_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err + n, ld->err_len - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return code;
}

int pg_mf_nomem(pg_mf_loader *ld) {
  return pg_mf_fail(ld, PARIGOT_ENOMEM, 0, NULL, "out of memory");
}

/*
 * Writes @p len bytes of @p s into @p out between @p q quotes. The quote,
 * backslashes and control characters are escaped as TOML would, so that a
 * message stays on one line whatever the file holds; long text ends in "...".
 */
const char *pg_mf_quote(char out[PG_MF_SHOWN_SIZE], const char *s, size_t len,
                        char q) {
  size_t n = 0;
  out[n++] = q;
  for (size_t i = 0; i < len; i++) {
    /* An escape takes at most 6 bytes; "...", the quote and NUL take 5. */
    if (n + 6 + 5 > PG_MF_SHOWN_SIZE) {
      memcpy(out + n, "...", 3);
      n += 3;
      break;
    }
    unsigned char c = (unsigned char)s[i];
    if (c == (unsigned char)q || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c < 0x20 || c == 0x7f) {
      n += (size_t)snprintf(out + n, 7, "\\u%04x", c);
    } else {
      out[n++] = (char)c;
    }
  }
  out[n++] = q;
  out[n] = '\0';
  return out;
}

static bool is_bare_key(const char *k, size_t len) {
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789_-",
               k[i]) == NULL ||
        k[i] == '\0')
      return false;
  return true;
}

/* "table.key" as TOML would spell it, quoting a key that is not bare. */
void pg_mf_key_name(char out[PG_MF_SHOWN_SIZE], const char *table,
                    const char *k, size_t len) {
  char quoted[PG_MF_SHOWN_SIZE];
  const char *sep = table != NULL ? "." : "";
  if (table == NULL)
    table = "";
  if (is_bare_key(k, len))
    snprintf(out, PG_MF_SHOWN_SIZE, "%s%s%.*s", table, sep, (int)len, k);
  else
    snprintf(out, PG_MF_SHOWN_SIZE, "%s%s%s", table, sep,
             pg_mf_quote(quoted, k, len, '"'));
}

bool pg_mf_key_is(const char *k, size_t len, const char *want) {
  return len == strlen(want) && memcmp(k, want, len) == 0;
}

int pg_mf_line_of(const pg_toml_value *v) {
  return pg_toml_value_pos(v).line;
}

int pg_mf_wrong_type(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const char *expected) {
  const char *got = pg_toml_kind_name(pg_toml_value_kind(v));
  const char *article = strchr("aeiou", got[0]) != NULL ? "an" : "a";
  return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                    "expected %s, got %s %s", expected, article, got);
}

int pg_mf_unknown_key(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                      const char *hint) {
  return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key, "unknown key%s",
                    hint);
}

int pg_mf_missing(pg_mf_loader *ld, const char *table, const char *k,
                  int line) {
  char key[PG_MF_SHOWN_SIZE];
  pg_mf_key_name(key, table, k, strlen(k));
  return pg_mf_fail(ld, PARIGOT_EINVAL, line, key, "missing");
}

/* ---- scalar values ----------------------------------------------------- */

/* A string without NUL bytes: names, paths, argv and environ are C strings,
 * so "a\u0000b" could not mean what it says. */
int pg_mf_get_string(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const char **out, size_t *len_out) {
  if (pg_toml_value_string(v, out, len_out) != 0)
    return pg_mf_wrong_type(ld, key, v, "a string");
  if (strlen(*out) != *len_out)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "contains a NUL character");
  return 0;
}

bool pg_manifest_is_valid_name(const char *s, size_t len) {
  if (len == 0 || len > PG_MANIFEST_NAME_MAX || s[0] < 'a' || s[0] > 'z')
    return false;
  for (size_t i = 1; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

/* Names become service identifiers in calls, logs and paths, hence the
 * narrow alphabet. */
static int load_name(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     char **out) {
  const char *s;
  size_t len;
  char shown[PG_MF_SHOWN_SIZE];
  int rc = pg_mf_get_string(ld, key, v, &s, &len);
  if (rc != 0)
    return rc;
  if (!pg_manifest_is_valid_name(s, len))
    return pg_mf_fail(
        ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
        "%s is not a valid name: use a lowercase letter, then up to "
        "%d lowercase letters, digits, '_' or '-'",
        pg_mf_quote(shown, s, len, '\''), PG_MANIFEST_NAME_MAX - 1);
  if ((*out = pg_mem_strdup(ld->mem, s)) == NULL)
    return pg_mf_nomem(ld);
  return 0;
}

/* A string value that a parser reads (a size, a duration, an address):
 * @p *s is NULL when it holds a NUL, which no parser takes; @p shown is
 * the value quoted, for messages. */
static int get_text(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                    const char *expected, const char **s,
                    char shown[PG_MF_SHOWN_SIZE]) {
  size_t len;
  if (pg_toml_value_string(v, s, &len) != 0)
    return pg_mf_wrong_type(ld, key, v, expected);
  pg_mf_quote(shown, *s, len, '"');
  if (strlen(*s) != len)
    *s = NULL;
  return 0;
}

static int load_size(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const size_range *r, uint64_t *out) {
  static const char expected[] = "a size such as 64M or 1G";
  const char *s;
  char shown[PG_MF_SHOWN_SIZE];
  uint64_t n;
  int rc = get_text(ld, key, v, expected, &s, shown);
  if (rc != 0)
    return rc;
  rc = s != NULL ? pg_units_parse_size(s, &n) : PARIGOT_EINVAL;
  if (rc == PARIGOT_EINVAL)
    return pg_mf_fail(ld, rc, pg_mf_line_of(v), key, "expected %s, got %s",
                      expected, shown);
  if (rc != 0 || n < r->min || n > r->max)
    return pg_mf_fail(ld, PARIGOT_ERANGE, pg_mf_line_of(v), key,
                      "must be between %s and %s, got %s", r->min_text,
                      r->max_text, shown);
  *out = n;
  return 0;
}

/* Reads a duration; 0 is refused unless @p may_be_zero. */
static int read_duration(pg_mf_loader *ld, const char *key,
                         const pg_toml_value *v, bool may_be_zero,
                         uint64_t *out_ns) {
  static const char expected[] = "a duration such as 500ms, 2s or 1m";
  const char *s;
  char shown[PG_MF_SHOWN_SIZE];
  uint64_t ns;
  int rc = get_text(ld, key, v, expected, &s, shown);
  if (rc != 0)
    return rc;
  rc = s != NULL ? pg_units_parse_duration(s, &ns) : PARIGOT_EINVAL;
  if (rc == PARIGOT_EINVAL)
    return pg_mf_fail(ld, rc, pg_mf_line_of(v), key, "expected %s, got %s",
                      expected, shown);
  /* UINT64_MAX nanoseconds is about 584 years. */
  if (rc != 0)
    return pg_mf_fail(ld, PARIGOT_ERANGE, pg_mf_line_of(v), key,
                      "must be shorter than 584 years, got %s", shown);
  if (ns == 0 && !may_be_zero)
    return pg_mf_fail(ld, PARIGOT_ERANGE, pg_mf_line_of(v), key,
                      "must be greater than 0, got %s", shown);
  *out_ns = ns;
  return 0;
}

/* Most durations bound a wait or a run, which 0 would make impossible. */
static int load_duration(pg_mf_loader *ld, const char *key,
                         const pg_toml_value *v, uint64_t *out_ns) {
  return read_duration(ld, key, v, false, out_ns);
}

/* ---- the [app] table --------------------------------------------------- */

static int load_app(pg_mf_loader *ld, const pg_toml_value *root,
                    pg_manifest *m) {
  const pg_toml_value *app = pg_toml_table_get(root, "app");
  if (app == NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, 0, "app",
                      "missing; a manifest needs an "
                      "[app] table with its name");
  if (pg_toml_value_kind(app) != PG_TOML_TABLE)
    return pg_mf_wrong_type(ld, "app", app, "a table");
  m->deadline_ns = PG_MANIFEST_DEFAULT_DEADLINE_NS;
  m->pulse_ns = PG_MANIFEST_DEFAULT_PULSE_NS;
  m->startup_timeout_ns = PG_MANIFEST_DEFAULT_STARTUP_TIMEOUT_NS;
  m->request_timeout_ns = PG_MANIFEST_DEFAULT_REQUEST_TIMEOUT_NS;
  m->drain_timeout_ns = PG_MANIFEST_DEFAULT_DRAIN_TIMEOUT_NS;
  m->max_message_size = PG_MANIFEST_DEFAULT_MAX_MESSAGE_SIZE;
  size_t n = pg_toml_table_len(app);
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(app, i, &k, &klen);
    char key[PG_MF_SHOWN_SIZE];
    int rc;
    pg_mf_key_name(key, "app", k, klen);
    if (pg_mf_key_is(k, klen, "name"))
      rc = load_name(ld, key, v, &m->name);
    else if (pg_mf_key_is(k, klen, "deadline"))
      rc = load_duration(ld, key, v, &m->deadline_ns);
    else if (pg_mf_key_is(k, klen, "pulse"))
      rc = load_duration(ld, key, v, &m->pulse_ns);
    else if (pg_mf_key_is(k, klen, "startup_timeout"))
      rc = load_duration(ld, key, v, &m->startup_timeout_ns);
    else if (pg_mf_key_is(k, klen, "request_timeout"))
      rc = load_duration(ld, key, v, &m->request_timeout_ns);
    else if (pg_mf_key_is(k, klen, "drain_timeout"))
      rc = load_duration(ld, key, v, &m->drain_timeout_ns);
    else if (pg_mf_key_is(k, klen, "max_message_size"))
      rc = load_size(ld, key, v, &message_size_range, &m->max_message_size);
    else {
      bool is_secret;
      rc = pg_mf_load_secret_key(ld, key, k, klen, v, m, &is_secret);
      if (rc == 0 && !is_secret)
        rc = pg_mf_unknown_key(ld, key, v, "");
    }
    if (rc != 0)
      return rc;
  }
  return m->name == NULL ? pg_mf_missing(ld, "app", "name", pg_mf_line_of(app))
                         : 0;
}

/* ---- arrays of strings ------------------------------------------------- */

/* The length of array @p v, which should hold strings; its elements are
 * read one by one with pg_mf_get_string_at(), so that the first bad one is the
 * one reported. */
int pg_mf_get_array(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                    size_t *n_out) {
  if (pg_toml_value_kind(v) != PG_TOML_ARRAY)
    return pg_mf_wrong_type(ld, key, v, "an array of strings");
  *n_out = pg_toml_array_len(v);
  return 0;
}

/* Element @p i of array @p v, named "KEY[i]" in messages. */
int pg_mf_get_string_at(pg_mf_loader *ld, const char *key,
                        const pg_toml_value *v, size_t i, const char **out,
                        size_t *len_out) {
  char akey[PG_MF_SHOWN_SIZE + 24]; /* key, "[", an index and "]" */
  snprintf(akey, sizeof akey, "%s[%zu]", key, i);
  return pg_mf_get_string(ld, akey, pg_toml_array_at(v, i), out, len_out);
}

/* ---- one [[service]] or [[program]] ------------------------------------ */

/* An array of strings into *out, *n of them (args, mocks). */
int pg_mf_load_strings(pg_mf_loader *ld, const char *key,
                       const pg_toml_value *v, char ***out, size_t *nout) {
  size_t n;
  int rc = pg_mf_get_array(ld, key, v, &n);
  if (rc != 0 || n == 0)
    return rc;
  if ((*out = pg_mem_calloc(ld->mem, n, sizeof **out)) == NULL)
    return pg_mf_nomem(ld);
  *nout = n; /* the NULL slots let pg_manifest_free() undo a failure */
  for (size_t i = 0; i < n; i++) {
    const char *s;
    size_t len;
    if ((rc = pg_mf_get_string_at(ld, key, v, i, &s, &len)) != 0)
      return rc;
    if (((*out)[i] = pg_mem_strdup(ld->mem, s)) == NULL)
      return pg_mf_nomem(ld);
  }
  return 0;
}

/* One "KEY=VALUE" string; @p ekey names the entry in messages. */
static int env_entry(pg_mf_loader *ld, const char *ekey, const char *k,
                     size_t klen, const pg_toml_value *v, char **out) {
  const char *s;
  size_t len;
  if (klen == 0)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), ekey,
                      "an environment variable needs a name");
  if (memchr(k, '=', klen) != NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), ekey,
                      "an environment variable's name cannot contain '='");
  if (memchr(k, '\0', klen) != NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), ekey,
                      "contains a NUL character");
  int rc = pg_mf_get_string(ld, ekey, v, &s, &len);
  if (rc != 0)
    return rc;
  if ((*out = pg_mem_malloc(ld->mem, klen + 1 + len + 1)) == NULL)
    return pg_mf_nomem(ld);
  memcpy(*out, k, klen);
  (*out)[klen] = '=';
  memcpy(*out + klen + 1, s, len + 1);
  return 0;
}

static int load_env(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                    pg_manifest_guest *g) {
  if (pg_toml_value_kind(v) != PG_TOML_TABLE)
    return pg_mf_wrong_type(ld, key, v, "a table of strings");
  size_t n = pg_toml_table_len(v);
  if (n == 0)
    return 0;
  if ((g->env = pg_mem_calloc(ld->mem, n, sizeof *g->env)) == NULL)
    return pg_mf_nomem(ld);
  g->nenv = n; /* as for args: NULL slots are freed harmlessly */
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *e = pg_toml_table_at(v, i, &k, &klen);
    char ekey[PG_MF_SHOWN_SIZE];
    pg_mf_key_name(ekey, key, k, klen);
    int rc = env_entry(ld, ekey, k, klen, e, &g->env[i]);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* The manifest's directory joined with @p rel, unless @p rel is absolute:
 * the path as the user would look for it, before links are resolved. */
char *pg_mf_join_dir(pg_mf_loader *ld, const char *rel) {
  if (rel[0] == '/')
    return pg_mem_strdup(ld->mem, rel);
  size_t dlen = strlen(ld->dir), rlen = strlen(rel);
  bool has_slash = dlen > 0 && ld->dir[dlen - 1] == '/'; /* only for "/" */
  char *p = pg_mem_malloc(ld->mem, dlen + 1 + rlen + 1);
  if (p != NULL)
    snprintf(p, dlen + 1 + rlen + 1, "%s%s%s", ld->dir, has_slash ? "" : "/",
             rel);
  return p;
}

/* A native kind's name, as the host registers it: "parigot.db". */
static int load_native(pg_mf_loader *ld, const char *key,
                       const pg_toml_value *v, char **out) {
  const char *name;
  size_t len;
  int rc = pg_mf_get_string(ld, key, v, &name, &len);
  if (rc != 0)
    return rc;
  bool ok = len > 0 && len <= 255;
  for (size_t i = 0; ok && i < len; i++)
    ok = (name[i] >= 'a' && name[i] <= 'z') ||
         (name[i] >= '0' && name[i] <= '9') || name[i] == '.' ||
         name[i] == '_' || name[i] == '-';
  if (!ok)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "not a native service kind (1 to 255 of a-z, 0-9, '.', "
                      "'_', '-'): \"%.*s\"",
                      (int)(len > 64 ? 64 : len), name);
  if ((*out = pg_mem_strdup(ld->mem, name)) == NULL)
    return pg_mf_nomem(ld);
  return 0;
}

/* Checked now rather than at start-up so that a typo in a path is reported
 * with its line, like any other mistake in the file. */
static int load_wasm(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     char **out) {
  const char *rel;
  size_t len;
  char real[PATH_MAX];
  struct stat st;
  int rc = pg_mf_get_string(ld, key, v, &rel, &len);
  if (rc != 0)
    return rc;
  char *joined = pg_mf_join_dir(ld, rel);
  if (joined == NULL)
    return pg_mf_nomem(ld);
  int line = pg_mf_line_of(v);
  bool is_missing_ok = (ld->flags & PG_MANIFEST_WASM_MAY_BE_MISSING) != 0;
  bool is_resolved = realpath(joined, real) != NULL;
  if (!is_resolved && is_missing_ok && (errno == ENOENT || errno == ENOTDIR)) {
    *out = joined; /* as written, under the manifest's folder */
    return 0;
  }
  if (!is_resolved)
    rc = errno == ENOENT || errno == ENOTDIR
             ? pg_mf_fail(ld, PARIGOT_ENOENT, line, key, "no such file: %s",
                          joined)
             : pg_mf_fail(ld, PARIGOT_EIO, line, key, "cannot resolve %s: %s",
                          joined, strerror(errno));
  else if (stat(real, &st) != 0)
    rc = pg_mf_fail(ld, PARIGOT_EIO, line, key, "cannot stat %s: %s", real,
                    strerror(errno));
  else if (!S_ISREG(st.st_mode))
    rc = pg_mf_fail(ld, PARIGOT_EINVAL, line, key, "not a regular file: %s",
                    real);
  else if ((*out = pg_mem_strdup(ld->mem, real)) == NULL)
    rc = pg_mf_nomem(ld);
  pg_mem_free(ld->mem, joined);
  return rc;
}

int pg_mf_load_bool(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                    bool *out) {
  return pg_toml_value_bool(v, out) == 0
             ? 0
             : pg_mf_wrong_type(ld, key, v, "a boolean");
}

/* An existing directory, as realpath gives it; relative to the manifest. */
static int load_host_dir(pg_mf_loader *ld, const char *key,
                         const pg_toml_value *v, char **out) {
  const char *rel;
  size_t len;
  char real[PATH_MAX];
  struct stat st;
  int rc = pg_mf_get_string(ld, key, v, &rel, &len);
  if (rc != 0)
    return rc;
  if (len == 0)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "an empty path");
  char *joined = pg_mf_join_dir(ld, rel);
  if (joined == NULL)
    return pg_mf_nomem(ld);
  int line = pg_mf_line_of(v);
  if (realpath(joined, real) == NULL)
    rc = pg_mf_fail(ld, errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_EIO, line,
                    key, "no such directory: %s (%s)", joined, strerror(errno));
  else if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
    rc = pg_mf_fail(ld, PARIGOT_EINVAL, line, key, "not a directory: %s", real);
  else if ((*out = pg_mem_strdup(ld->mem, real)) == NULL)
    rc = pg_mf_nomem(ld);
  pg_mem_free(ld->mem, joined);
  return rc;
}

/* The name a guest gives a directory: "/data", "data", "."; a ".."
 * component would mean nothing beneath a preopen. */
static int load_guest_dir(pg_mf_loader *ld, const char *key,
                          const pg_toml_value *v, char **out) {
  const char *s;
  size_t len;
  int rc = pg_mf_get_string(ld, key, v, &s, &len);
  if (rc != 0)
    return rc;
  bool has_dotdot = false;
  for (const char *c = s; *c != '\0'; c += strcspn(c, "/"), c += *c == '/')
    has_dotdot |= strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0');
  if (len == 0 || len > 255 || has_dotdot)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "not a guest path (1 to 255 bytes, no \"..\" component)");
  if ((*out = pg_mem_strdup(ld->mem, s)) == NULL)
    return pg_mf_nomem(ld);
  return 0;
}

/* One { host = "...", guest = "...", read_only = false } of dirs. */
static int load_dir(pg_mf_loader *ld, const char *key, const pg_toml_value *t,
                    pg_manifest_dir *d) {
  d->line = pg_mf_line_of(t);
  if (pg_toml_value_kind(t) != PG_TOML_TABLE)
    return pg_mf_wrong_type(ld, key, t, "a table { host, guest, read_only }");
  for (size_t i = 0; i < pg_toml_table_len(t); i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(t, i, &k, &klen);
    char dkey[PG_MF_SHOWN_SIZE];
    pg_mf_key_name(dkey, key, k, klen);
    int rc = pg_mf_key_is(k, klen, "host")
                 ? load_host_dir(ld, dkey, v, &d->host)
             : pg_mf_key_is(k, klen, "guest")
                 ? load_guest_dir(ld, dkey, v, &d->guest)
             : pg_mf_key_is(k, klen, "read_only")
                 ? pg_mf_load_bool(ld, dkey, v, &d->is_read_only)
                 : pg_mf_unknown_key(ld, dkey, v,
                                     " (a dir has host, guest, read_only)");
    if (rc != 0)
      return rc;
  }
  if (d->host == NULL)
    return pg_mf_missing(ld, key, "host", d->line);
  if (d->guest == NULL)
    return pg_mf_missing(ld, key, "guest", d->line);
  return 0;
}

static int load_dirs(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     pg_manifest_guest *g) {
  if (pg_toml_value_kind(v) != PG_TOML_ARRAY)
    return pg_mf_wrong_type(ld, key, v, "an array of tables");
  size_t n = pg_toml_array_len(v);
  if (n == 0)
    return 0;
  if ((g->dirs = pg_mem_calloc(ld->mem, n, sizeof *g->dirs)) == NULL)
    return pg_mf_nomem(ld);
  g->ndirs = n; /* zeroed slots free harmlessly after a failure */
  for (size_t i = 0; i < n; i++) {
    char dkey[PG_MF_SHOWN_SIZE + 24];
    snprintf(dkey, sizeof dkey, "%s[%zu]", key, i);
    int rc = load_dir(ld, dkey, pg_toml_array_at(v, i), &g->dirs[i]);
    if (rc != 0)
      return rc;
    for (size_t j = 0; j < i; j++)
      if (strcmp(g->dirs[j].guest, g->dirs[i].guest) == 0)
        return pg_mf_fail(ld, PARIGOT_EINVAL, g->dirs[i].line, dkey,
                          "guest path \"%s\" is already given on line %d",
                          g->dirs[i].guest, g->dirs[j].line);
  }
  return 0;
}

/* A setting's value as text: what a native kind parses. */
static int setting_text(pg_mf_loader *ld, const char *key,
                        const pg_toml_value *v, char **out) {
  char num[32];
  const char *s;
  size_t len;
  int64_t i;
  bool b;
  if (pg_toml_value_int(v, &i) == 0)
    snprintf(num, sizeof num, "%lld", (long long)i), s = num;
  else if (pg_toml_value_bool(v, &b) == 0)
    s = b ? "true" : "false";
  else if (pg_toml_value_string(v, &s, &len) != 0)
    return pg_mf_wrong_type(ld, key, v, "a string, an integer or a boolean");
  else if (strlen(s) != len)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "contains a NUL character");
  if ((*out = pg_mem_strdup(ld->mem, s)) == NULL)
    return pg_mf_nomem(ld);
  return 0;
}

static bool is_setting_key(const char *k, size_t len) {
  if (len == 0 || len > 64 || k[0] < 'a' || k[0] > 'z')
    return false;
  for (size_t i = 1; i < len; i++)
    if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') ||
          k[i] == '_'))
      return false;
  return true;
}

/* The settings of a native service, which its kind checks at load. */
static int load_config(pg_mf_loader *ld, const char *key,
                       const pg_toml_value *v, pg_manifest_guest *g) {
  if (pg_toml_value_kind(v) != PG_TOML_TABLE)
    return pg_mf_wrong_type(ld, key, v, "a table");
  size_t n = pg_toml_table_len(v);
  if (n == 0)
    return 0;
  if ((g->config = pg_mem_calloc(ld->mem, n, sizeof *g->config)) == NULL)
    return pg_mf_nomem(ld);
  g->nconfig = n;
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *e = pg_toml_table_at(v, i, &k, &klen);
    char ckey[PG_MF_SHOWN_SIZE];
    pg_mf_key_name(ckey, key, k, klen);
    g->config[i].line = pg_mf_line_of(e);
    if (!is_setting_key(k, klen))
      return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(e), ckey,
                        "not a setting name (a lowercase letter, then up to 63 "
                        "lowercase letters, digits or '_')");
    if ((g->config[i].key = pg_mem_malloc(ld->mem, klen + 1)) == NULL)
      return pg_mf_nomem(ld);
    memcpy(g->config[i].key, k, klen);
    g->config[i].key[klen] = '\0';
    int rc = setting_text(ld, ckey, e, &g->config[i].value);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int load_restart(pg_mf_loader *ld, const char *key,
                        const pg_toml_value *v, pg_restart_policy *out) {
  static const char expected[] = "\"never\" or \"on-failure\"";
  const char *s;
  size_t len;
  char shown[PG_MF_SHOWN_SIZE];
  if (pg_toml_value_string(v, &s, &len) != 0)
    return pg_mf_wrong_type(ld, key, v, expected);
  if (pg_mf_key_is(s, len, "never"))
    *out = PG_RESTART_NEVER;
  else if (pg_mf_key_is(s, len, "on-failure"))
    *out = PG_RESTART_ON_FAILURE;
  else
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "expected %s, got %s", expected,
                      pg_mf_quote(shown, s, len, '"'));
  return 0;
}

static int load_max_restarts(pg_mf_loader *ld, const char *key,
                             const pg_toml_value *v, uint32_t *out) {
  int64_t n;
  if (pg_toml_value_int(v, &n) != 0)
    return pg_mf_wrong_type(ld, key, v, "an integer");
  if (n < 1 || n > (int64_t)PG_MANIFEST_MAX_MAX_RESTARTS)
    return pg_mf_fail(ld, PARIGOT_ERANGE, pg_mf_line_of(v), key,
                      "must be between 1 and %u, got %lld",
                      PG_MANIFEST_MAX_MAX_RESTARTS, (long long)n);
  *out = (uint32_t)n;
  return 0;
}

/* The first max_restarts or restart_backoff key of a [[service]], which
 * only has an effect with restart = "on-failure". Borrows from the TOML
 * tree. */
typedef struct restart_tuning {
  const pg_toml_value *v; /* NULL when the table has neither */
  const char *k;          /* its key, klen bytes */
  size_t klen;
} restart_tuning;

/* The keys of a [[service]] that tune restarts; a [[program]] has none. */
static bool is_restart_key(const char *k, size_t len) {
  return pg_mf_key_is(k, len, "restart") ||
         pg_mf_key_is(k, len, "max_restarts") ||
         pg_mf_key_is(k, len, "restart_backoff");
}

/* One of the keys above, the value @p v of key @p k. */
static int load_restart_key(pg_mf_loader *ld, const char *key, const char *k,
                            size_t klen, const pg_toml_value *v,
                            pg_manifest_guest *g, restart_tuning *tuning) {
  if (pg_mf_key_is(k, klen, "restart"))
    return load_restart(ld, key, v, &g->restart);
  if (tuning->v == NULL)
    *tuning = (restart_tuning){v, k, klen};
  if (pg_mf_key_is(k, klen, "max_restarts"))
    return load_max_restarts(ld, key, v, &g->max_restarts);
  return read_duration(ld, key, v, true, &g->restart_backoff_ns);
}

/* Checked once the whole table is read, since TOML lets restart come after
 * the keys it governs. */
static int check_restart(pg_mf_loader *ld, const char *kind,
                         const pg_manifest_guest *g,
                         const restart_tuning *tuning) {
  char key[PG_MF_SHOWN_SIZE];
  if (tuning->v == NULL || g->restart == PG_RESTART_ON_FAILURE)
    return 0;
  pg_mf_key_name(key, kind, tuning->k, tuning->klen);
  return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(tuning->v), key,
                    "has no effect unless restart = \"on-failure\"");
}

/* Fills @p g from table @p t; @p kind is "service" or "program". On failure
 * @p g may be partly filled, and pg_manifest_free() frees what is there. */
static int load_guest(pg_mf_loader *ld, const char *kind,
                      const pg_toml_value *t, pg_manifest_guest *g, named *nm) {
  g->is_program = strcmp(kind, "program") == 0;
  g->line = pg_mf_line_of(t);
  g->max_memory = PG_MANIFEST_DEFAULT_MAX_MEMORY;
  g->max_handler_time_ns =
      g->is_program ? 0 : PG_MANIFEST_DEFAULT_MAX_HANDLER_TIME_NS;
  if (!g->is_program) { /* a program never restarts: 0 and 0 */
    g->max_restarts = PG_MANIFEST_DEFAULT_MAX_RESTARTS;
    g->restart_backoff_ns = PG_MANIFEST_DEFAULT_RESTART_BACKOFF_NS;
  }
  restart_tuning tuning = {0};
  size_t n = pg_toml_table_len(t);
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(t, i, &k, &klen);
    char key[PG_MF_SHOWN_SIZE];
    int rc;
    pg_mf_key_name(key, kind, k, klen);
    if (pg_mf_key_is(k, klen, "name")) {
      nm->line = pg_mf_line_of(v);
      rc = load_name(ld, key, v, &g->name);
    } else if (pg_mf_key_is(k, klen, "wasm")) {
      rc = load_wasm(ld, key, v, &g->wasm);
    } else if (pg_mf_key_is(k, klen, "native")) {
      rc = g->is_program ? pg_mf_unknown_key(
                               ld, key, v, "; only a [[service]] can be native")
                         : load_native(ld, key, v, &g->native);
    } else if (pg_mf_key_is(k, klen, "args")) {
      rc = pg_mf_load_strings(ld, key, v, &g->args, &g->nargs);
    } else if (pg_mf_key_is(k, klen, "mocks")) {
      g->mocks_line = pg_mf_line_of(v);
      rc = g->is_program ? pg_mf_load_strings(ld, key, v, &g->mocks, &g->nmocks)
                         : pg_mf_unknown_key(ld, key, v,
                                             "; only a test [[program]] mocks");
    } else if (pg_mf_key_is(k, klen, "env")) {
      rc = load_env(ld, key, v, g);
    } else if (pg_mf_key_is(k, klen, "dirs")) {
      rc = load_dirs(ld, key, v, g);
    } else if (pg_mf_key_is(k, klen, "write_quota")) {
      rc = load_size(ld, key, v, &quota_range, &g->write_quota);
    } else if (pg_mf_key_is(k, klen, "config")) {
      rc = g->is_program
               ? pg_mf_unknown_key(ld, key, v,
                                   "; only a native [[service]] has config")
               : load_config(ld, key, v, g);
    } else if (pg_mf_key_is(k, klen, "max_memory")) {
      rc = load_size(ld, key, v, &memory_range, &g->max_memory);
    } else if (pg_mf_key_is(k, klen, "max_handler_time")) {
      rc = load_duration(ld, key, v, &g->max_handler_time_ns);
    } else if (pg_mf_key_is(k, klen, "test")) {
      rc = g->is_program
               ? pg_mf_load_bool(ld, key, v, &g->is_test)
               : pg_mf_unknown_key(ld, key, v,
                                   "; only a [[program]] can be a test");
    } else if (is_restart_key(k, klen)) {
      rc = g->is_program ? pg_mf_unknown_key(ld, key, v,
                                             "; only a [[service]] can restart")
                         : load_restart_key(ld, key, k, klen, v, g, &tuning);
    } else {
      bool is_access;
      rc = pg_mf_load_access_key(ld, key, k, klen, v, g, &is_access);
      if (rc == 0 && !is_access)
        rc = pg_mf_unknown_key(ld, key, v, "");
    }
    if (rc != 0)
      return rc;
  }
  int rc = check_restart(ld, kind, g, &tuning);
  if (rc != 0)
    return rc;
  if (g->name == NULL)
    return pg_mf_missing(ld, kind, "name", g->line);
  if (g->wasm != NULL && g->native != NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, g->line, kind,
                      "%s has both wasm and native: a service is a guest or is "
                      "native to the host, not both",
                      g->name);
  if (g->wasm == NULL && g->native == NULL)
    return pg_mf_missing(ld, kind, "wasm", g->line);
  if (g->native == NULL && g->nconfig > 0)
    return pg_mf_fail(
        ld, PARIGOT_EINVAL, g->config[0].line, kind,
        "%s has config but is not native: a guest takes args and env", g->name);
  if (g->nmocks > 0 && !g->is_test)
    return pg_mf_fail(
        ld, PARIGOT_EINVAL, g->mocks_line, kind,
        "%s has mocks but is not a test: only a test program stands "
        "in for services (add test = true)",
        g->name);
  if (g->native != NULL && (g->ndirs > 0 || g->write_quota > 0))
    return pg_mf_fail(ld, PARIGOT_EINVAL, g->line, kind,
                      "%s is native: dirs and write_quota are for guests",
                      g->name);
  nm->name = g->name;
  return 0;
}

/* ---- the guest lists --------------------------------------------------- */

/* The number of tables in the root's @p kind key, or a negative error when
 * it is not an array of tables ([service] instead of [[service]]). */
static int count_tables(pg_mf_loader *ld, const pg_toml_value *root,
                        const char *kind, size_t *n) {
  const pg_toml_value *arr = pg_toml_table_get(root, kind);
  char expected[64];
  *n = 0;
  if (arr == NULL)
    return 0;
  snprintf(expected, sizeof expected, "an array of tables ([[%s]])", kind);
  if (pg_toml_value_kind(arr) != PG_TOML_ARRAY)
    return pg_mf_wrong_type(ld, kind, arr, expected);
  *n = pg_toml_array_len(arr);
  for (size_t i = 0; i < *n; i++) {
    const pg_toml_value *t = pg_toml_array_at(arr, i);
    if (pg_toml_value_kind(t) != PG_TOML_TABLE)
      return pg_mf_wrong_type(ld, kind, t, "a table");
  }
  return 0;
}

static int load_list(pg_mf_loader *ld, const pg_toml_value *root,
                     const char *kind, pg_manifest *m, named *names) {
  const pg_toml_value *arr = pg_toml_table_get(root, kind);
  size_t n = pg_toml_array_len(arr);
  for (size_t i = 0; i < n; i++) {
    size_t at = m->nguests++; /* counted first, so a failure frees it */
    names[at].index = at;
    int rc = load_guest(ld, kind, pg_toml_array_at(arr, i), &m->guests[at],
                        &names[at]);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int by_name_then_line(const void *a, const void *b) {
  const named *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c != 0)
    return c;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int by_name(const void *a, const void *b) {
  const named *x = a, *y = b;
  return strcmp(x->name, y->name);
}

/*
 * Sorts the @p n entries of @p v by name and finds, of all names given more
 * than once, the one whose second use is written first: @p dup is that use
 * and @p first the use before it. Sorting makes this O(n log n). Returns
 * false when every name is unique.
 */
static bool find_clash(named *v, size_t n, const named **dup,
                       const named **first) {
  *dup = *first = NULL;
  if (n < 2)
    return false;
  qsort(v, n, sizeof *v, by_name_then_line);
  for (size_t i = 1, start = 0; i < n; i++) {
    if (strcmp(v[i].name, v[start].name) != 0) {
      start = i;
    } else if (i == start + 1 && (*dup == NULL || v[i].line < (*dup)->line)) {
      *dup = &v[i];
      *first = &v[start];
    }
  }
  return *dup != NULL;
}

/* The guest named @p name, or NULL. */
static const pg_manifest_guest *guest_named(const pg_manifest *m,
                                            const char *name) {
  for (size_t i = 0; i < m->nguests; i++)
    if (strcmp(m->guests[i].name, name) == 0)
      return &m->guests[i];
  return NULL;
}

/* What a test mocks is a [[service]] of the app, named once. */
static int check_mocks(pg_mf_loader *ld, const pg_manifest *m) {
  for (size_t i = 0; i < m->nguests; i++) {
    const pg_manifest_guest *g = &m->guests[i];
    for (size_t k = 0; k < g->nmocks; k++) {
      const pg_manifest_guest *s = guest_named(m, g->mocks[k]);
      if (s == NULL || s->is_program)
        return pg_mf_fail(ld, PARIGOT_EINVAL, g->mocks_line, "program.mocks",
                          "%s mocks \"%s\", which is %s: a test stands in for "
                          "[[service]]s of its app",
                          g->name, g->mocks[k],
                          s == NULL ? "not in the app" : "a program");
      for (size_t j = 0; j < k; j++)
        if (strcmp(g->mocks[j], g->mocks[k]) == 0)
          return pg_mf_fail(ld, PARIGOT_EINVAL, g->mocks_line, "program.mocks",
                            "%s mocks \"%s\" twice", g->name, g->mocks[k]);
    }
  }
  return 0;
}

/* Leaves @p names sorted by name, as find_guest() needs. */
static int check_unique(pg_mf_loader *ld, const pg_manifest *m, named *names) {
  const named *dup, *first;
  if (!find_clash(names, m->nguests, &dup, &first))
    return 0;
  const pg_manifest_guest *g = &m->guests[dup->index];
  const pg_manifest_guest *f = &m->guests[first->index];
  return pg_mf_fail(ld, PARIGOT_EEXIST, dup->line,
                    g->is_program ? "program.name" : "service.name",
                    "'%s' is already the name of the %s on line %d", g->name,
                    f->is_program ? "program" : "service", f->line);
}

static int load_guests(pg_mf_loader *ld, const pg_toml_value *root,
                       pg_manifest *m) {
  size_t nservices, nprograms;
  int rc = count_tables(ld, root, "service", &nservices);
  if (rc == 0)
    rc = count_tables(ld, root, "program", &nprograms);
  if (rc != 0)
    return rc;
  if (nservices + nprograms == 0)
    return pg_mf_fail(
        ld, PARIGOT_EINVAL, 0, NULL,
        "no [[service]] or [[program]]: an app needs at least one");
  size_t n = nservices + nprograms;
  /* The pg_mf_loader owns the names from here on, and keeps them for the units.
   */
  named *names = ld->guests_by_name = pg_mem_calloc(ld->mem, n, sizeof *names);
  m->guests = pg_mem_calloc(ld->mem, n, sizeof *m->guests);
  if (names == NULL || m->guests == NULL)
    return pg_mf_nomem(ld);
  rc = load_list(ld, root, "service", m, names);
  m->nservices = m->nguests;
  if (rc == 0)
    rc = load_list(ld, root, "program", m, names);
  if (rc == 0)
    rc = check_unique(ld, m, names);
  if (rc == 0)
    rc = check_mocks(ld, m);
  return rc;
}

/* The entry of the guest called @p name, or NULL; only once check_unique()
 * has sorted the names. */
static const named *find_guest(const pg_mf_loader *ld, const pg_manifest *m,
                               const char *name) {
  named key = {.name = name};
  return bsearch(&key, ld->guests_by_name, m->nguests, sizeof key, by_name);
}

/* ---- the [[unit]] tables ----------------------------------------------- */

/* pg_manifest_guest.unit while the units are read: in no unit yet. */
#define NO_UNIT UINT32_MAX

/* Room for "[IPV6]:PORT", the form in which listen addresses are compared. */
#define LISTEN_KEY_SIZE (INET6_ADDRSTRLEN + 8)

/* What is wrong with a listen address, if anything. */
typedef enum listen_status {
  LISTEN_OK,
  LISTEN_MALFORMED, /* not HOST:PORT or [HOST]:PORT with a decimal PORT */
  LISTEN_BAD_HOST,  /* not an IPv4 literal, localhost or [IPv6 literal] */
  LISTEN_BAD_PORT,  /* above 65535 */
} listen_status;

/* A parsed listen address; host points into the text it came from. */
typedef struct listen_addr {
  const char *host;     /* without brackets, host_len bytes */
  size_t host_len;      /* 0 for ":80", whose host is refused */
  uint32_t port;        /* saturates just above 65535 */
  int family;           /* AF_INET, AF_INET6, or AF_UNSPEC for localhost */
  unsigned char ip[16]; /* the address, for AF_INET and AF_INET6 */
} listen_addr;

/* The port: decimal digits only, since strtoul would take a sign, spaces
 * and "0x", none of which a user means in an address. */
static listen_status parse_port(const char *s, uint32_t *out) {
  uint32_t port = 0;
  if (*s == '\0')
    return LISTEN_MALFORMED;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9')
      return LISTEN_MALFORMED;
    if (port <= 65535)
      port = port * 10 + (uint32_t)(*s - '0');
  }
  *out = port;
  return port <= 65535 ? LISTEN_OK : LISTEN_BAD_PORT;
}

/*
 * Reads NUL-terminated "HOST:PORT" into @p a. Only literals and localhost
 * are hosts: a name would need a resolver, and the manifest is checked
 * before anything runs. An IPv6 literal needs its brackets, which also keep
 * its colons apart from the port's.
 */
static listen_status parse_listen(const char *s, listen_addr *a) {
  const char *end, *colon; /* of the host, and before the port */
  char host[INET6_ADDRSTRLEN];
  bool is_bracketed = s[0] == '[';
  if (is_bracketed) {
    a->host = s + 1;
    end = strchr(a->host, ']');
    if (end == NULL || end[1] != ':')
      return LISTEN_MALFORMED;
    colon = end + 1;
  } else {
    a->host = s;
    /* The last colon, so that "::1:80" is a bad host, not a bad port. */
    if ((end = colon = strrchr(s, ':')) == NULL)
      return LISTEN_MALFORMED;
  }
  a->host_len = (size_t)(end - a->host);
  listen_status st = parse_port(colon + 1, &a->port);
  if (st == LISTEN_MALFORMED)
    return st;
  if (a->host_len >= sizeof host)
    return LISTEN_BAD_HOST;
  memcpy(host, a->host, a->host_len);
  host[a->host_len] = '\0';
  if (is_bracketed)
    a->family = AF_INET6;
  else if (strcmp(host, "localhost") == 0)
    a->family = AF_UNSPEC;
  else
    a->family = AF_INET;
  if (a->family != AF_UNSPEC && inet_pton(a->family, host, a->ip) != 1)
    return LISTEN_BAD_HOST;
  return st;
}

/* @p a as "HOST:PORT" with its IP written canonically, so that two
 * spellings of one IPv6 address ([::1], [0::1]) compare equal. */
static void listen_key(char out[LISTEN_KEY_SIZE], const listen_addr *a) {
  char ip[INET6_ADDRSTRLEN] = "localhost";
  if (a->family != AF_UNSPEC)
    inet_ntop(a->family, a->ip, ip, sizeof ip);
  snprintf(out, LISTEN_KEY_SIZE, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
           ip, (unsigned)a->port);
}

static int load_listen(pg_mf_loader *ld, const char *key,
                       const pg_toml_value *v, pg_manifest_unit *u,
                       char lkey[LISTEN_KEY_SIZE]) {
  static const char expected[] =
      "HOST:PORT such as 127.0.0.1:8080 or [::1]:8080";
  const char *s;
  char shown[PG_MF_SHOWN_SIZE];
  listen_addr a;
  int rc = get_text(ld, key, v, expected, &s, shown);
  if (rc != 0)
    return rc;
  listen_status st = s != NULL ? parse_listen(s, &a) : LISTEN_MALFORMED;
  if (st == LISTEN_MALFORMED)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "expected %s, got %s", expected, shown);
  if (st == LISTEN_BAD_HOST)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "the host must be an IPv4 address, localhost or an IPv6 "
                      "address in brackets, got %s",
                      shown);
  if (st == LISTEN_BAD_PORT)
    return pg_mf_fail(ld, PARIGOT_ERANGE, pg_mf_line_of(v), key,
                      "the port must be between 0 and 65535, got %s", shown);
  if ((u->listen_host = pg_mem_malloc(ld->mem, a.host_len + 1)) == NULL)
    return pg_mf_nomem(ld);
  memcpy(u->listen_host, a.host, a.host_len);
  u->listen_host[a.host_len] = '\0';
  u->listen_port = (uint16_t)a.port;
  listen_key(lkey, &a);
  return 0;
}

/* Resolves the names in unit.services to guest indices. Whether each guest
 * is in this unit only is checked by claim_guests(), once the unit's name is
 * known for the message. */
/* A unit's list (services, serves): a non-empty array of strings, with
 * @p *out a zeroed array of as many elements of @p size; @p empty says
 * what an empty one lacks. */
static int open_list(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const char *empty, size_t size, void **out, size_t *n) {
  int rc = pg_mf_get_array(ld, key, v, n);
  if (rc != 0)
    return rc;
  if (*n == 0)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key, "empty; %s",
                      empty);
  return (*out = pg_mem_calloc(ld->mem, *n, size)) ? 0 : pg_mf_nomem(ld);
}

static int load_services(pg_mf_loader *ld, const char *key,
                         const pg_toml_value *v, const pg_manifest *m,
                         pg_manifest_unit *u) {
  size_t n;
  int rc = open_list(ld, key, v,
                     "a unit runs at least one service or "
                     "program",
                     sizeof *u->guests, (void **)&u->guests, &n);
  if (rc != 0)
    return rc;
  u->nguests = n;
  for (size_t i = 0; i < n; i++) {
    const char *s;
    size_t len;
    char shown[PG_MF_SHOWN_SIZE];
    if ((rc = pg_mf_get_string_at(ld, key, v, i, &s, &len)) != 0)
      return rc;
    const named *g = find_guest(ld, m, s);
    if (g == NULL)
      return pg_mf_fail(
          ld, PARIGOT_EINVAL, pg_mf_line_of(pg_toml_array_at(v, i)), key,
          "no service or program named %s", pg_mf_quote(shown, s, len, '"'));
    u->guests[i] = (uint32_t)g->index;
  }
  return 0;
}

/* Puts each guest listed by unit @p at in it; @p services is the list, for
 * the lines of its values. A guest already in a unit is an error. */
static int claim_guests(pg_mf_loader *ld, pg_manifest *m, size_t at,
                        const pg_toml_value *services) {
  const pg_manifest_unit *u = &m->units[at];
  for (size_t i = 0; i < u->nguests; i++) {
    pg_manifest_guest *g = &m->guests[u->guests[i]];
    const char *kind = g->is_program ? "program" : "service";
    int line = pg_mf_line_of(pg_toml_array_at(services, i));
    if (g->unit == at)
      return pg_mf_fail(ld, PARIGOT_EINVAL, line, "unit.services",
                        "%s \"%s\" is listed twice in unit \"%s\"", kind,
                        g->name, u->name);
    if (g->unit != NO_UNIT) {
      const pg_manifest_unit *o = &m->units[g->unit];
      return pg_mf_fail(
          ld, PARIGOT_EINVAL, line, "unit.services",
          "%s \"%s\" is in two units: \"%s\" (line %d) and \"%s\"", kind,
          g->name, o->name, o->line, u->name);
    }
    g->unit = (uint32_t)at;
  }
  return 0;
}

/* What the checks across units need of one unit, besides the unit. */
typedef struct unit_seen {
  int name_line;                    /* of its name value */
  int listen_line;                  /* of its listen value, if any */
  char listen_key[LISTEN_KEY_SIZE]; /* its address, from listen_key() */
} unit_seen;

/* Fills unit @p at from table @p t, and @p seen. On failure the unit may be
 * partly filled; pg_manifest_free() frees what is there. */
/* A service's full name: dot-separated identifiers ("pkg.v1.Echo"). */
static bool is_service_name(const char *s, size_t len) {
  bool starts = true;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    bool is_letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (c == '.' && !starts && i + 1 < len) {
      starts = true;
      continue;
    }
    if (!is_letter && !(c >= '0' && c <= '9' && !starts))
      return false;
    starts = false;
  }
  return len > 0;
}

/* unit.serves: the services of a unit outside parigot. */
static int load_serves(pg_mf_loader *ld, const char *key,
                       const pg_toml_value *v, pg_manifest_unit *u) {
  size_t n;
  int rc = open_list(ld, key, v,
                     "a unit outside parigot serves at least "
                     "one service",
                     sizeof *u->serves, (void **)&u->serves, &n);
  if (rc != 0)
    return rc;
  u->nserves = n;
  for (size_t i = 0; i < n; i++) {
    const char *s;
    size_t len;
    char shown[PG_MF_SHOWN_SIZE];
    if ((rc = pg_mf_get_string_at(ld, key, v, i, &s, &len)) != 0)
      return rc;
    if (!is_service_name(s, len))
      return pg_mf_fail(
          ld, PARIGOT_EINVAL, pg_mf_line_of(pg_toml_array_at(v, i)), key,
          "expected a service's full name such as pkg.v1.Echo, got "
          "%s",
          pg_mf_quote(shown, s, len, '"'));
    if ((u->serves[i] = pg_mem_strdup(ld->mem, s)) == NULL)
      return pg_mf_nomem(ld);
  }
  return 0;
}

static int load_unit(pg_mf_loader *ld, const pg_toml_value *t, pg_manifest *m,
                     size_t at, unit_seen *seen) {
  pg_manifest_unit *u = &m->units[at];
  const pg_toml_value *services = NULL, *serves = NULL;
  u->line = pg_mf_line_of(t);
  size_t n = pg_toml_table_len(t);
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(t, i, &k, &klen);
    char key[PG_MF_SHOWN_SIZE];
    int rc;
    pg_mf_key_name(key, "unit", k, klen);
    if (pg_mf_key_is(k, klen, "name")) {
      seen->name_line = pg_mf_line_of(v);
      rc = load_name(ld, key, v, &u->name);
    } else if (pg_mf_key_is(k, klen, "services")) {
      services = v;
      rc = load_services(ld, key, v, m, u);
    } else if (pg_mf_key_is(k, klen, "serves")) {
      serves = v;
      rc = load_serves(ld, key, v, u);
    } else if (pg_mf_key_is(k, klen, "listen")) {
      seen->listen_line = pg_mf_line_of(v);
      rc = load_listen(ld, key, v, u, seen->listen_key);
    } else {
      rc = pg_mf_unknown_key(ld, key, v, "");
    }
    if (rc != 0)
      return rc;
  }
  if (u->name == NULL)
    return pg_mf_missing(ld, "unit", "name", u->line);
  if (services != NULL && serves != NULL)
    return pg_mf_fail(
        ld, PARIGOT_EINVAL, pg_mf_line_of(serves), "unit.serves",
        "a unit runs services (unit.services) or is outside parigot "
        "(unit.serves), not both");
  if (serves != NULL && (u->listen_host == NULL || u->listen_port == 0))
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(serves), "unit.serves",
                      "a unit outside parigot needs a listen address with its "
                      "port, where it serves");
  if (serves != NULL)
    return 0;
  if (services == NULL)
    return pg_mf_missing(ld, "unit", "services", u->line);
  return claim_guests(ld, m, at, services);
}

static int check_unit_names(pg_mf_loader *ld, const pg_manifest *m,
                            named *names) {
  const named *dup, *first;
  if (!find_clash(names, m->nunits, &dup, &first))
    return 0;
  return pg_mf_fail(ld, PARIGOT_EEXIST, dup->line, "unit.name",
                    "'%s' is already the name of the unit on line %d",
                    dup->name, m->units[first->index].line);
}

/* Two units cannot both bind one address. Only equal addresses are found:
 * 0.0.0.0:80 and 127.0.0.1:80 also clash, but only the OS can tell. */
static int check_listens(pg_mf_loader *ld, const pg_manifest *m, named *addrs,
                         size_t naddrs) {
  const named *dup, *first;
  if (!find_clash(addrs, naddrs, &dup, &first))
    return 0;
  const pg_manifest_unit *f = &m->units[first->index];
  return pg_mf_fail(ld, PARIGOT_EEXIST, dup->line, "unit.listen",
                    "\"%s\" is already the address of unit \"%s\" on line %d",
                    dup->name, f->name, f->line);
}

/* Once an app has units, a guest in none would never run. Of those, the
 * one written first in the file is reported. */
static int check_all_placed(pg_mf_loader *ld, const pg_manifest *m) {
  const pg_manifest_guest *first = NULL;
  for (size_t i = 0; i < m->nguests; i++) {
    const pg_manifest_guest *g = &m->guests[i];
    if (g->unit == NO_UNIT && (first == NULL || g->line < first->line))
      first = g;
  }
  if (first == NULL)
    return 0;
  return pg_mf_fail(ld, PARIGOT_EINVAL, first->line, NULL,
                    "%s \"%s\" is in no [[unit]]; once an app has units, each "
                    "service and program belongs to one",
                    first->is_program ? "program" : "service", first->name);
}

/* An app without [[unit]] runs as one process: one unit of every guest. */
static int add_default_unit(pg_mf_loader *ld, pg_manifest *m) {
  pg_manifest_unit *u = m->units = pg_mem_calloc(ld->mem, 1, sizeof *u);
  if (u == NULL)
    return pg_mf_nomem(ld);
  m->nunits = 1;
  u->is_default = true;
  u->name = pg_mem_strdup(ld->mem, m->name);
  u->guests = pg_mem_calloc(ld->mem, m->nguests, sizeof *u->guests);
  if (u->name == NULL || u->guests == NULL)
    return pg_mf_nomem(ld);
  u->nguests = m->nguests;
  for (size_t i = 0; i < m->nguests; i++) {
    u->guests[i] = (uint32_t)i;
    m->guests[i].unit = 0;
  }
  return 0;
}

/* @p names and @p addrs have room for every unit; @p seen is scratch. */
static int load_unit_list(pg_mf_loader *ld, const pg_toml_value *arr,
                          pg_manifest *m, named *names, named *addrs,
                          unit_seen *seen) {
  size_t n = pg_toml_array_len(arr), naddrs = 0;
  for (size_t i = 0; i < n; i++) {
    size_t at = m->nunits++; /* counted first, so a failure frees it */
    const pg_manifest_unit *u = &m->units[at];
    int rc = load_unit(ld, pg_toml_array_at(arr, i), m, at, &seen[at]);
    if (rc != 0)
      return rc;
    names[at] = (named){u->name, seen[at].name_line, at};
    if (u->listen_host != NULL)
      addrs[naddrs++] = (named){seen[at].listen_key, seen[at].listen_line, at};
  }
  int rc = check_unit_names(ld, m, names);
  if (rc == 0)
    rc = check_listens(ld, m, addrs, naddrs);
  if (rc == 0)
    rc = check_all_placed(ld, m);
  return rc;
}

static int load_units(pg_mf_loader *ld, const pg_toml_value *root,
                      pg_manifest *m) {
  size_t n;
  int rc = count_tables(ld, root, "unit", &n);
  if (rc != 0)
    return rc;
  if (n == 0)
    return add_default_unit(ld, m);
  /* A guest's table takes more than one byte of a file of at most
   * PG_MANIFEST_MAX_BYTES, so guest indices fit in 32 bits, below NO_UNIT. */
  assert(m->nguests < NO_UNIT);
  for (size_t i = 0; i < m->nguests; i++)
    m->guests[i].unit = NO_UNIT;
  named *names = pg_mem_calloc(ld->mem, 2 * n, sizeof *names);
  unit_seen *seen = pg_mem_calloc(ld->mem, n, sizeof *seen);
  m->units = pg_mem_calloc(ld->mem, n, sizeof *m->units);
  if (names == NULL || seen == NULL || m->units == NULL)
    rc = pg_mf_nomem(ld);
  else
    rc = load_unit_list(ld, pg_toml_table_get(root, "unit"), m, names,
                        names + n, seen);
  pg_mem_free(ld->mem, names);
  pg_mem_free(ld->mem, seen);
  return rc;
}

/* ---- the file ---------------------------------------------------------- */

static int read_file(pg_mf_loader *ld, char **buf_out, size_t *len_out) {
  int fd = open(ld->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT
               ? pg_mf_fail(ld, PARIGOT_ENOENT, 0, NULL, "no such file")
               : pg_mf_fail(ld, PARIGOT_EIO, 0, NULL, "cannot open: %s",
                            strerror(errno));
  struct stat st;
  char *buf = NULL;
  size_t len = 0;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = pg_mf_fail(ld, PARIGOT_EIO, 0, NULL, "cannot stat: %s",
                    strerror(errno));
  else if (!S_ISREG(st.st_mode))
    rc = pg_mf_fail(ld, PARIGOT_EINVAL, 0, NULL, "not a regular file");
  else if (st.st_size > (off_t)PG_MANIFEST_MAX_BYTES)
    rc = pg_mf_fail(ld, PARIGOT_ERANGE, 0, NULL,
                    "%lld bytes; a manifest may be at most %u MiB",
                    (long long)st.st_size, PG_MANIFEST_MAX_BYTES >> 20);
  else if ((buf = pg_mem_malloc(ld->mem, (size_t)st.st_size)) == NULL)
    rc = pg_mf_nomem(ld);
  /* A file that shrinks while we read it is parsed as far as it goes. */
  while (rc == 0 && len < (size_t)st.st_size) {
    ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);
    if (got < 0 && errno != EINTR)
      rc = pg_mf_fail(ld, PARIGOT_EIO, 0, NULL, "cannot read: %s",
                      strerror(errno));
    else if (got == 0)
      break;
    else if (got > 0)
      len += (size_t)got;
  }
  close(fd);
  if (rc != 0) {
    pg_mem_free(ld->mem, buf);
    return rc;
  }
  *buf_out = buf;
  *len_out = len;
  return 0;
}

/* Remembers the manifest's directory, resolved, to anchor wasm paths. */
static int find_dir(pg_mf_loader *ld) {
  const char *slash = strrchr(ld->path, '/');
  size_t len = slash == NULL       ? 0
               : slash == ld->path ? 1
                                   : (size_t)(slash - ld->path);
  char *dir = pg_mem_malloc(ld->mem, len + 2);
  char real[PATH_MAX];
  int rc = 0;
  if (dir == NULL)
    return pg_mf_nomem(ld);
  if (len == 0)
    memcpy(dir, ".", 2);
  else
    snprintf(dir, len + 1, "%s", ld->path);
  if (realpath(dir, real) == NULL)
    rc =
        pg_mf_fail(ld, PARIGOT_EIO, 0, NULL,
                   "cannot resolve its directory %s: %s", dir, strerror(errno));
  else if ((ld->dir = pg_mem_strdup(ld->mem, real)) == NULL)
    rc = pg_mf_nomem(ld);
  pg_mem_free(ld->mem, dir);
  return rc;
}

/* Parses the bytes, turning the parser's "line L, column C: msg" into the
 * "PATH:L:C: msg" that editors and terminals recognise. */
static int parse(pg_mf_loader *ld, const char *buf, size_t len,
                 pg_toml_doc **doc) {
  pg_toml_error te;
  char prefix[64];
  int rc = pg_toml_parse(buf, len, ld->mem, doc, &te);
  if (rc == 0)
    return 0;
  if (te.line <= 0)
    return pg_mf_fail(ld, rc, 0, NULL, "%s", te.msg);
  int n = snprintf(prefix, sizeof prefix, "line %d, column %d: ", te.line,
                   te.column);
  const char *msg = te.msg;
  if (strncmp(msg, prefix, (size_t)n) == 0)
    msg += n;
  if (ld->err_len > 0)
    snprintf(ld->err, ld->err_len, "%s:%d:%d: %s", ld->path, te.line, te.column,
             msg);
  return rc;
}

/* A typo in a table name would otherwise leave its table unread. */
static int check_root_keys(pg_mf_loader *ld, const pg_toml_value *root) {
  size_t n = pg_toml_table_len(root);
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(root, i, &k, &klen);
    if (pg_mf_key_is(k, klen, "app") || pg_mf_key_is(k, klen, "service") ||
        pg_mf_key_is(k, klen, "program") || pg_mf_key_is(k, klen, "unit") ||
        pg_mf_key_is(k, klen, "auth") || pg_mf_key_is(k, klen, "route"))
      continue;
    char key[PG_MF_SHOWN_SIZE];
    pg_mf_key_name(key, NULL, k, klen);
    return pg_mf_unknown_key(ld, key, v,
                             "; the top level holds only [app], [[service]], "
                             "[[program]], [[unit]], [auth] and [[route]]");
  }
  return 0;
}

static int load_doc(pg_mf_loader *ld, const pg_toml_value *root,
                    pg_manifest *m) {
  int rc = check_root_keys(ld, root);
  if (rc == 0)
    rc = load_app(ld, root, m);
  if (rc == 0)
    rc = load_guests(ld, root, m);
  if (rc == 0)
    rc = load_units(ld, root, m);
  if (rc == 0)
    rc = pg_mf_load_access(ld, root, m);
  return rc;
}

/* ---- public API -------------------------------------------------------- */

int pg_manifest_load(const char *path, const pg_mem *mem, pg_manifest *out,
                     char *err, size_t err_len) {
  return pg_manifest_load_flags(path, mem, 0, out, err, err_len);
}

int pg_manifest_load_flags(const char *path, const pg_mem *mem, unsigned flags,
                           pg_manifest *out, char *err, size_t err_len) {
  pg_mf_loader ld = {.path = path,
                     .mem = mem != NULL ? mem : pg_mem_default(),
                     .err = err,
                     .err_len = err != NULL ? err_len : 0,
                     .flags = flags};
  if (ld.err_len > 0)
    err[0] = '\0';
  if (path == NULL || out == NULL) {
    if (ld.err_len > 0)
      snprintf(err, ld.err_len, "invalid argument");
    return PARIGOT_EINVAL;
  }
  pg_manifest m = {0};
  pg_toml_doc *doc = NULL;
  char *buf = NULL;
  size_t len = 0;
  int rc = read_file(&ld, &buf, &len);
  if (rc == 0)
    rc = find_dir(&ld);
  if (rc == 0)
    rc = parse(&ld, buf, len, &doc);
  pg_mem_free(ld.mem, buf); /* the tree keeps copies of what it needs */
  if (rc == 0 && (m.path = pg_mem_strdup(ld.mem, path)) == NULL)
    rc = pg_mf_nomem(&ld);
  if (rc == 0)
    rc = load_doc(&ld, pg_toml_doc_root(doc), &m);
  pg_toml_free(doc);
  pg_mem_free(ld.mem, ld.dir);
  pg_mem_free(ld.mem, ld.guests_by_name);
  if (rc != 0) {
    pg_manifest_free(&m, ld.mem);
    return rc;
  }
  *out = m;
  return 0;
}

static void free_strings(const pg_mem *mem, char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    pg_mem_free(mem, v[i]);
  pg_mem_free(mem, v);
}

void pg_manifest_free(pg_manifest *m, const pg_mem *mem) {
  if (m == NULL)
    return;
  if (mem == NULL)
    mem = pg_mem_default();
  pg_mf_free_access(m, mem);
  for (size_t i = 0; i < m->nguests; i++) {
    pg_manifest_guest *g = &m->guests[i];
    pg_mem_free(mem, g->name);
    pg_mem_free(mem, g->wasm);
    pg_mem_free(mem, g->native);
    free_strings(mem, g->args, g->nargs);
    free_strings(mem, g->mocks, g->nmocks);
    free_strings(mem, g->env, g->nenv);
    for (size_t d = 0; d < g->ndirs; d++) {
      pg_mem_free(mem, g->dirs[d].host);
      pg_mem_free(mem, g->dirs[d].guest);
    }
    pg_mem_free(mem, g->dirs);
    for (size_t c = 0; c < g->nconfig; c++) {
      pg_mem_free(mem, g->config[c].key);
      pg_mem_free(mem, g->config[c].value);
    }
    pg_mem_free(mem, g->config);
  }
  pg_mem_free(mem, m->guests);
  for (size_t i = 0; i < m->nunits; i++) {
    pg_manifest_unit *u = &m->units[i];
    pg_mem_free(mem, u->name);
    pg_mem_free(mem, u->guests);
    pg_mem_free(mem, u->listen_host);
    free_strings(mem, u->serves, u->nserves);
  }
  pg_mem_free(mem, m->units);
  pg_mem_free(mem, m->name);
  pg_mem_free(mem, m->path);
  memset(m, 0, sizeof *m);
}

/* ---- writing a manifest back ------------------------------------------- */

/* Durations as seconds with every nanosecond: "1.500000000s". */
static void put_duration(FILE *out, const char *key, uint64_t ns) {
  fprintf(out, "%s = \"%llu.%09llus\"\n", key,
          (unsigned long long)(ns / 1000000000u),
          (unsigned long long)(ns % 1000000000u));
}

static void put_list(FILE *out, const char *key, char *const *v, size_t n) {
  fprintf(out, "%s = [", key);
  for (size_t i = 0; i < n; i++) {
    fputs(i ? ", " : "", out);
    pg_toml_write_string(out, v[i]);
  }
  fputs("]\n", out);
}

static void put_guest(FILE *out, const pg_manifest_guest *g, const char *wasm) {
  fprintf(out, "\n[[%s]]\nname = ", g->is_program ? "program" : "service");
  pg_toml_write_string(out, g->name);
  fputs(g->native != NULL ? "\nnative = " : "\nwasm = ", out);
  pg_toml_write_string(out, g->native != NULL ? g->native : wasm);
  fputc('\n', out);
  if (g->nargs > 0)
    put_list(out, "args", g->args, g->nargs);
  if (g->nenv > 0) {
    fputs("env = {", out);
    for (size_t i = 0; i < g->nenv; i++) {
      const char *eq = strchr(g->env[i], '=');
      char key[512];
      snprintf(key, sizeof key, "%.*s", (int)(eq - g->env[i]), g->env[i]);
      fputs(i ? ", " : " ", out);
      pg_toml_write_string(out, key);
      fputs(" = ", out);
      pg_toml_write_string(out, eq + 1);
    }
    fputs(" }\n", out);
  }
  for (size_t i = 0; i < g->ndirs; i++) {
    fputs(i ? ", { host = " : "dirs = [{ host = ", out);
    pg_toml_write_string(out, g->dirs[i].host);
    fputs(", guest = ", out);
    pg_toml_write_string(out, g->dirs[i].guest);
    fprintf(out, ", read_only = %s }%s",
            g->dirs[i].is_read_only ? "true" : "false",
            i + 1 == g->ndirs ? "]\n" : "");
  }
  if (g->write_quota > 0)
    fprintf(out, "write_quota = \"%llu\"\n",
            (unsigned long long)g->write_quota);
  for (size_t i = 0; i < g->nconfig; i++) {
    fputs(i ? ", " : "config = { ", out);
    fprintf(out, "%s = ", g->config[i].key);
    pg_toml_write_string(out, g->config[i].value);
    fputs(i + 1 == g->nconfig ? " }\n" : "", out);
  }
  fprintf(out, "max_memory = \"%llu\"\n", (unsigned long long)g->max_memory);
  if (g->max_handler_time_ns > 0)
    put_duration(out, "max_handler_time", g->max_handler_time_ns);
  if (g->is_test)
    fputs("test = true\n", out);
  if (g->nmocks > 0)
    put_list(out, "mocks", g->mocks, g->nmocks);
  pg_mf_write_guest_access(out, g);
  if (g->restart == PG_RESTART_ON_FAILURE) {
    fprintf(out, "restart = \"on-failure\"\nmax_restarts = %u\n",
            g->max_restarts);
    put_duration(out, "restart_backoff", g->restart_backoff_ns);
  }
}

int pg_manifest_write(const pg_manifest *m, const char *const *wasm,
                      FILE *out) {
  fputs("# Written by parigot from the app's manifest.\n[app]\nname = ", out);
  pg_toml_write_string(out, m->name);
  fputc('\n', out);
  put_duration(out, "deadline", m->deadline_ns);
  put_duration(out, "pulse", m->pulse_ns);
  put_duration(out, "startup_timeout", m->startup_timeout_ns);
  put_duration(out, "drain_timeout", m->drain_timeout_ns);
  put_duration(out, "request_timeout", m->request_timeout_ns);
  fprintf(out, "max_message_size = \"%llu\"\n",
          (unsigned long long)m->max_message_size);
  pg_mf_write_app_access(out, m);
  for (size_t i = 0; i < m->nguests; i++)
    put_guest(out, &m->guests[i], wasm ? wasm[i] : m->guests[i].wasm);
  for (size_t u = 0; u < m->nunits && !m->units[u].is_default; u++) {
    const pg_manifest_unit *unit = &m->units[u];
    fputs("\n[[unit]]\nname = ", out);
    pg_toml_write_string(out, unit->name);
    fputc('\n', out);
    if (unit->serves != NULL) {
      put_list(out, "serves", unit->serves, unit->nserves);
    } else {
      fputs("services = [", out);
      for (size_t i = 0; i < unit->nguests; i++) {
        fputs(i ? ", " : "", out);
        pg_toml_write_string(out, m->guests[unit->guests[i]].name);
      }
      fputs("]\n", out);
    }
    if (unit->listen_host != NULL)
      fprintf(out,
              strchr(unit->listen_host, ':') ? "listen = \"[%s]:%u\"\n"
                                             : "listen = \"%s:%u\"\n",
              unit->listen_host, unit->listen_port);
  }
  pg_mf_write_access(out, m);
  return fflush(out) == 0 && !ferror(out) ? 0 : PARIGOT_EIO;
}
