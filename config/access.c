/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/access.c: the parts of a manifest that say who may call what:
 * a guest's access keys (public, login, roles, authenticates), the app's
 * secret (app.secret_env, app.secret_file), who may log in ([auth]) and
 * the HTTP routes of a unit's port ([[route]]). Read into the pg_manifest
 * that manifest.c builds, with its messages; written back by
 * pg_manifest_write. Any thread; the state of a load is its loader.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest_int.h"
#include "parigot/error.h"

#define DEFAULT_INDEX "index.html"

/* A role's name: what a group file's "role:" line may hold, and what a
 * context carries joined by ','. */
static bool is_role(const char *s, size_t len) {
  if (len == 0 || len > 64)
    return false;
  for (size_t i = 0; i < len; i++)
    if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789._-",
               s[i]) == NULL ||
        s[i] == '\0')
      return false;
  return true;
}

static int load_roles(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                      char ***out, size_t *n) {
  int rc = pg_mf_load_strings(ld, key, v, out, n);
  for (size_t i = 0; rc == 0 && i < *n; i++) {
    char shown[PG_MF_SHOWN_SIZE];
    if (!is_role((*out)[i], strlen((*out)[i])))
      rc = pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "%s is not a role name: letters, digits, '.', '_' or "
                      "'-', at most 64",
                      pg_mf_quote(shown, (*out)[i], strlen((*out)[i]), '"'));
  }
  return rc;
}

int pg_mf_load_access_key(pg_mf_loader *ld, const char *key, const char *k,
                          size_t klen, const pg_toml_value *v,
                          pg_manifest_guest *g, bool *is_access) {
  *is_access = true;
  if (pg_mf_key_is(k, klen, "public"))
    return pg_mf_load_bool(ld, key, v, &g->is_public);
  if (pg_mf_key_is(k, klen, "login"))
    return pg_mf_load_bool(ld, key, v, &g->needs_login);
  if (pg_mf_key_is(k, klen, "authenticates"))
    return pg_mf_load_bool(ld, key, v, &g->authenticates);
  if (pg_mf_key_is(k, klen, "roles")) {
    int rc = load_roles(ld, key, v, &g->roles, &g->nroles);
    if (rc == 0 && g->nroles > 0)
      g->needs_login = true;
    return rc;
  }
  *is_access = false;
  return 0;
}

/* An environment variable's name: what a shell can set. */
static bool is_env_name(const char *s, size_t len) {
  if (len == 0 || len > 128 || (s[0] >= '0' && s[0] <= '9'))
    return false;
  for (size_t i = 0; i < len; i++)
    if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789_",
               s[i]) == NULL ||
        s[i] == '\0')
      return false;
  return true;
}

static int load_copy(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     char **out) {
  const char *s;
  size_t len;
  int rc = pg_mf_get_string(ld, key, v, &s, &len);
  if (rc != 0)
    return rc;
  if (len == 0)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key, "is empty");
  pg_mem_free(ld->mem, *out);
  if ((*out = pg_mem_strdup(ld->mem, s)) == NULL)
    return pg_mf_nomem(ld);
  return 0;
}

/* A file path relative to the manifest; the file need not exist yet
 * (`parigot user add` makes it), but its directory must. */
static int load_file_path(pg_mf_loader *ld, const char *key,
                          const pg_toml_value *v, char **out) {
  int rc = load_copy(ld, key, v, out);
  if (rc != 0)
    return rc;
  char *joined = pg_mf_join_dir(ld, *out);
  if (joined == NULL)
    return pg_mf_nomem(ld);
  pg_mem_free(ld->mem, *out);
  *out = joined;
  char *slash = strrchr(joined, '/');
  struct stat st;
  *slash = '\0';
  bool is_dir = stat(*joined ? joined : "/", &st) == 0 && S_ISDIR(st.st_mode);
  *slash = '/';
  if (!is_dir || slash[1] == '\0')
    return pg_mf_fail(ld, PARIGOT_ENOENT, pg_mf_line_of(v), key,
                      "%s is not a file in an existing directory", joined);
  return 0;
}

/* app.secret_env and app.secret_file, which manifest.c hands here. */
int pg_mf_load_secret_key(pg_mf_loader *ld, const char *key, const char *k,
                          size_t klen, const pg_toml_value *v, pg_manifest *m,
                          bool *is_secret) {
  *is_secret = true;
  if (pg_mf_key_is(k, klen, "secret_file"))
    return load_file_path(ld, key, v, &m->secret_file);
  if (!pg_mf_key_is(k, klen, "secret_env")) {
    *is_secret = false;
    return 0;
  }
  int rc = load_copy(ld, key, v, &m->secret_env);
  if (rc == 0 && !is_env_name(m->secret_env, strlen(m->secret_env)))
    rc = pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                    "not an environment variable's name: letters, digits "
                    "and '_', not starting with a digit");
  return rc;
}

static int load_realm(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                      char **out) {
  int rc = load_copy(ld, key, v, out);
  for (const char *p = *out; rc == 0 && *p != '\0'; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
      rc = pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "may not hold '\"', '\\' or control characters (it is "
                      "sent in a WWW-Authenticate header)");
  if (rc == 0 && strlen(*out) > 128)
    rc = pg_mf_fail(ld, PARIGOT_ERANGE, pg_mf_line_of(v), key,
                    "longer than 128 bytes");
  return rc;
}

static int load_auth(pg_mf_loader *ld, const pg_toml_value *auth,
                     pg_manifest *m) {
  if (pg_toml_value_kind(auth) != PG_TOML_TABLE)
    return pg_mf_wrong_type(ld, "auth", auth, "a table");
  size_t n = pg_toml_table_len(auth);
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(auth, i, &k, &klen);
    char key[PG_MF_SHOWN_SIZE];
    int rc;
    pg_mf_key_name(key, "auth", k, klen);
    if (pg_mf_key_is(k, klen, "users"))
      rc = load_file_path(ld, key, v, &m->users);
    else if (pg_mf_key_is(k, klen, "groups"))
      rc = load_file_path(ld, key, v, &m->groups);
    else if (pg_mf_key_is(k, klen, "realm"))
      rc = load_realm(ld, key, v, &m->realm);
    else
      rc = pg_mf_unknown_key(ld, key, v, "");
    if (rc != 0)
      return rc;
  }
  if (m->users == NULL)
    return pg_mf_missing(ld, "auth", "users", pg_mf_line_of(auth));
  if (m->groups != NULL && strcmp(m->groups, m->users) == 0)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(auth), "auth.groups",
                      "is the users file");
  return 0;
}

/* ---- [[route]] ---------------------------------------------------------- */

/* "/", or "/" then segments of URL path characters, none empty, "." or
 * "..", no trailing '/'. */
static bool is_route_path(const char *s) {
  if (s[0] != '/')
    return false;
  if (s[1] == '\0')
    return true;
  const char *seg = s + 1;
  for (const char *p = s + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      size_t len = (size_t)(p - seg);
      if (len == 0 || (len == 1 && seg[0] == '.') ||
          (len == 2 && seg[0] == '.' && seg[1] == '.'))
        return false;
      if (*p == '\0')
        return true;
      seg = p + 1;
    } else if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789-._~!$&'()*+,;=:@",
                      *p) == NULL) {
      return false;
    }
  }
}

/* An HTTP method token, upper case. */
static bool is_method(const char *s) {
  size_t len = strlen(s);
  if (len == 0 || len > 16)
    return false;
  for (size_t i = 0; i < len; i++)
    if (s[i] < 'A' || s[i] > 'Z')
      return false;
  return true;
}

/* "pkg.Service/Method" into route's service and method. */
static int load_call(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     pg_manifest_route *r) {
  const char *s;
  size_t len;
  int rc = pg_mf_get_string(ld, key, v, &s, &len);
  if (rc != 0)
    return rc;
  const char *slash = strrchr(s, '/');
  bool ok = slash != NULL && slash > s && slash[1] != '\0' &&
            strchr(s, '.') != NULL && strchr(s, '.') < slash;
  for (const char *p = s; ok && *p != '\0'; p++)
    ok = p == slash || *p == '.' || *p == '_' || (*p >= '0' && *p <= '9') ||
         (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
  if (!ok || len > 2 * 255)
    return pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "expected \"package.Service/Method\", got \"%s\"", s);
  r->service = pg_mem_malloc(ld->mem, (size_t)(slash - s) + 1);
  r->method = pg_mem_strdup(ld->mem, slash + 1);
  if (r->service == NULL || r->method == NULL)
    return pg_mf_nomem(ld);
  memcpy(r->service, s, (size_t)(slash - s));
  r->service[slash - s] = '\0';
  return 0;
}

static int load_route_dir(pg_mf_loader *ld, const char *key,
                          const pg_toml_value *v, char **out) {
  const char *s;
  size_t len;
  int rc = pg_mf_get_string(ld, key, v, &s, &len);
  if (rc != 0)
    return rc;
  char *joined = pg_mf_join_dir(ld, s), real[PATH_MAX];
  struct stat st;
  if (joined == NULL)
    return pg_mf_nomem(ld);
  if (realpath(joined, real) == NULL || stat(real, &st) != 0 ||
      !S_ISDIR(st.st_mode))
    rc = pg_mf_fail(ld, PARIGOT_ENOENT, pg_mf_line_of(v), key,
                    "no such directory: %s", joined);
  else if ((*out = pg_mem_strdup(ld->mem, real)) == NULL)
    rc = pg_mf_nomem(ld);
  pg_mem_free(ld->mem, joined);
  return rc;
}

static int load_methods(pg_mf_loader *ld, const char *key,
                        const pg_toml_value *v, pg_manifest_route *r) {
  int rc = pg_mf_load_strings(ld, key, v, &r->methods, &r->nmethods);
  for (size_t i = 0; rc == 0 && i < r->nmethods; i++)
    if (!is_method(r->methods[i]))
      rc = pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "\"%s\" is not an HTTP method: upper-case letters, as "
                      "\"GET\"",
                      r->methods[i]);
  return rc;
}

static int load_index(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                      char **out) {
  int rc = load_copy(ld, key, v, out);
  if (rc == 0 && (strchr(*out, '/') != NULL || (*out)[0] == '.'))
    rc = pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                    "a file name, without '/' and not starting with '.'");
  return rc;
}

static int find_unit(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const pg_manifest *m, uint32_t *out) {
  const char *s;
  size_t len;
  int rc = pg_mf_get_string(ld, key, v, &s, &len);
  for (size_t u = 0; rc == 0 && u < m->nunits; u++)
    if (strcmp(m->units[u].name, s) == 0) {
      *out = (uint32_t)u;
      return 0;
    }
  return rc != 0 ? rc
                 : pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                              "no unit \"%s\"", s);
}

static int route_key(pg_mf_loader *ld, const char *key, const char *k,
                     size_t klen, const pg_toml_value *v, const pg_manifest *m,
                     pg_manifest_route *r, bool *has_unit) {
  if (pg_mf_key_is(k, klen, "path")) {
    int rc = load_copy(ld, key, v, &r->path);
    if (rc == 0 && !is_route_path(r->path))
      rc = pg_mf_fail(ld, PARIGOT_EINVAL, pg_mf_line_of(v), key,
                      "\"%s\" is not a route path: '/' then segments of URL "
                      "characters, none empty, '.' or '..', no '/' at the "
                      "end, no '?', no '%%'",
                      r->path);
    return rc;
  }
  if (pg_mf_key_is(k, klen, "methods"))
    return load_methods(ld, key, v, r);
  if (pg_mf_key_is(k, klen, "call"))
    return load_call(ld, key, v, r);
  if (pg_mf_key_is(k, klen, "dir"))
    return load_route_dir(ld, key, v, &r->dir);
  if (pg_mf_key_is(k, klen, "index"))
    return load_index(ld, key, v, &r->index);
  if (pg_mf_key_is(k, klen, "login"))
    return pg_mf_load_bool(ld, key, v, &r->needs_login);
  if (pg_mf_key_is(k, klen, "roles"))
    return load_roles(ld, key, v, &r->roles, &r->nroles);
  if (pg_mf_key_is(k, klen, "unit")) {
    *has_unit = true;
    return find_unit(ld, key, v, m, &r->unit);
  }
  return pg_mf_unknown_key(ld, key, v, "");
}

/* The unit that serves a route without unit: the only one that listens. */
static int default_unit(pg_mf_loader *ld, const pg_manifest *m,
                        pg_manifest_route *r) {
  size_t found = m->nunits;
  for (size_t u = 0; u < m->nunits; u++)
    if (m->units[u].listen_host != NULL && m->units[u].serves == NULL) {
      if (found != m->nunits)
        return pg_mf_fail(ld, PARIGOT_EINVAL, r->line, "route",
                          "%s: units \"%s\" and \"%s\" both listen: say "
                          "which one serves it (unit = \"...\")",
                          r->path, m->units[found].name, m->units[u].name);
      found = u;
    }
  if (found == m->nunits)
    return pg_mf_fail(ld, PARIGOT_EINVAL, r->line, "route",
                      "%s: no unit listens: a route is served on a unit's "
                      "port ([[unit]] with listen = \"HOST:PORT\")",
                      r->path);
  r->unit = (uint32_t)found;
  return 0;
}

static int check_route(pg_mf_loader *ld, const pg_manifest *m,
                       pg_manifest_route *r, bool has_unit) {
  if (r->path == NULL)
    return pg_mf_missing(ld, "route", "path", r->line);
  if (r->service == NULL && r->dir == NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, r->line, "route",
                      "%s has neither call nor dir: it calls a guest (call = "
                      "\"pkg.Service/Method\") or serves files (dir = \"...\")",
                      r->path);
  if (r->service != NULL && r->dir != NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, r->line, "route",
                      "%s has both call and dir: one or the other", r->path);
  if (r->index != NULL && r->dir == NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, r->line, "route.index",
                      "%s: index is for a dir route", r->path);
  if (r->dir != NULL && r->index == NULL &&
      (r->index = pg_mem_strdup(ld->mem, DEFAULT_INDEX)) == NULL)
    return pg_mf_nomem(ld);
  if (r->nroles > 0)
    r->needs_login = true;
  if (!has_unit)
    return default_unit(ld, m, r);
  const pg_manifest_unit *u = &m->units[r->unit];
  if (u->listen_host == NULL || u->serves != NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, r->line, "route.unit",
                      "%s: unit \"%s\" %s", r->path, u->name,
                      u->serves != NULL ? "is outside parigot"
                                        : "listens nowhere");
  return 0;
}

static int load_route(pg_mf_loader *ld, const pg_toml_value *t,
                      const pg_manifest *m, pg_manifest_route *r) {
  bool has_unit = false;
  r->line = pg_mf_line_of(t);
  if (pg_toml_value_kind(t) != PG_TOML_TABLE)
    return pg_mf_wrong_type(ld, "route", t, "a table");
  size_t n = pg_toml_table_len(t);
  for (size_t i = 0; i < n; i++) {
    const char *k;
    size_t klen;
    const pg_toml_value *v = pg_toml_table_at(t, i, &k, &klen);
    char key[PG_MF_SHOWN_SIZE];
    pg_mf_key_name(key, "route", k, klen);
    int rc = route_key(ld, key, k, klen, v, m, r, &has_unit);
    if (rc != 0)
      return rc;
  }
  return check_route(ld, m, r, has_unit);
}

/* Two routes of one port with the same path: which one serves it? */
static int check_route_clash(pg_mf_loader *ld, const pg_manifest *m) {
  for (size_t i = 0; i < m->nroutes; i++)
    for (size_t j = 0; j < i; j++) {
      const pg_manifest_route *a = &m->routes[j], *b = &m->routes[i];
      if (a->unit == b->unit && strcmp(a->path, b->path) == 0)
        return pg_mf_fail(ld, PARIGOT_EEXIST, b->line, "route.path",
                          "%s is already a route of unit \"%s\" (line %d)",
                          b->path, m->units[b->unit].name, a->line);
    }
  return 0;
}

static int load_routes(pg_mf_loader *ld, const pg_toml_value *arr,
                       pg_manifest *m) {
  if (pg_toml_value_kind(arr) != PG_TOML_ARRAY)
    return pg_mf_wrong_type(ld, "route", arr, "an array of tables ([[route]])");
  size_t n = pg_toml_array_len(arr);
  if (n == 0)
    return 0;
  if ((m->routes = pg_mem_calloc(ld->mem, n, sizeof *m->routes)) == NULL)
    return pg_mf_nomem(ld);
  m->nroutes = n;
  for (size_t i = 0; i < n; i++) {
    int rc = load_route(ld, pg_toml_array_at(arr, i), m, &m->routes[i]);
    if (rc != 0)
      return rc;
  }
  return check_route_clash(ld, m);
}

int pg_mf_load_access(pg_mf_loader *ld, const pg_toml_value *root,
                      pg_manifest *m) {
  const pg_toml_value *auth = pg_toml_table_get(root, "auth");
  const pg_toml_value *routes = pg_toml_table_get(root, "route");
  int rc = 0;
  if (m->secret_env != NULL && m->secret_file != NULL)
    return pg_mf_fail(ld, PARIGOT_EINVAL, 0, "app.secret_file",
                      "the secret comes from secret_env or secret_file, not "
                      "both");
  if (auth != NULL)
    rc = load_auth(ld, auth, m);
  if (rc == 0 && m->realm == NULL &&
      (m->realm = pg_mem_strdup(ld->mem, m->name)) == NULL)
    rc = pg_mf_nomem(ld);
  if (rc == 0 && routes != NULL)
    rc = load_routes(ld, routes, m);
  return rc;
}

static void free_list(const pg_mem *mem, char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    pg_mem_free(mem, v[i]);
  pg_mem_free(mem, v);
}

void pg_mf_free_access(pg_manifest *m, const pg_mem *mem) {
  for (size_t i = 0; i < m->nguests; i++)
    free_list(mem, m->guests[i].roles, m->guests[i].nroles);
  for (size_t i = 0; i < m->nroutes; i++) {
    pg_manifest_route *r = &m->routes[i];
    pg_mem_free(mem, r->path);
    free_list(mem, r->methods, r->nmethods);
    pg_mem_free(mem, r->service);
    pg_mem_free(mem, r->method);
    pg_mem_free(mem, r->dir);
    pg_mem_free(mem, r->index);
    free_list(mem, r->roles, r->nroles);
  }
  pg_mem_free(mem, m->routes);
  pg_mem_free(mem, m->secret_env);
  pg_mem_free(mem, m->secret_file);
  pg_mem_free(mem, m->users);
  pg_mem_free(mem, m->groups);
  pg_mem_free(mem, m->realm);
}

/* ---- writing back -------------------------------------------------------- */

static void put_list(FILE *out, const char *key, char *const *v, size_t n) {
  fprintf(out, "%s = [", key);
  for (size_t i = 0; i < n; i++) {
    fputs(i ? ", " : "", out);
    pg_toml_write_string(out, v[i]);
  }
  fputs("]\n", out);
}

static void put_string(FILE *out, const char *key, const char *s) {
  fprintf(out, "%s = ", key);
  pg_toml_write_string(out, s);
  fputc('\n', out);
}

void pg_mf_write_guest_access(FILE *out, const pg_manifest_guest *g) {
  if (g->is_public)
    fputs("public = true\n", out);
  if (g->needs_login)
    fputs("login = true\n", out);
  if (g->nroles > 0)
    put_list(out, "roles", g->roles, g->nroles);
  if (g->authenticates)
    fputs("authenticates = true\n", out);
}

void pg_mf_write_app_access(FILE *out, const pg_manifest *m) {
  if (m->secret_env != NULL)
    put_string(out, "secret_env", m->secret_env);
  if (m->secret_file != NULL)
    put_string(out, "secret_file", m->secret_file);
}

void pg_mf_write_access(FILE *out, const pg_manifest *m) {
  if (m->users != NULL) {
    fputs("\n[auth]\n", out);
    put_string(out, "users", m->users);
    if (m->groups != NULL)
      put_string(out, "groups", m->groups);
    put_string(out, "realm", m->realm);
  }
  for (size_t i = 0; i < m->nroutes; i++) {
    const pg_manifest_route *r = &m->routes[i];
    fputs("\n[[route]]\n", out);
    put_string(out, "path", r->path);
    if (r->nmethods > 0)
      put_list(out, "methods", r->methods, r->nmethods);
    if (r->service != NULL) {
      fputs("call = ", out);
      char call[1024];
      snprintf(call, sizeof call, "%s/%s", r->service, r->method);
      pg_toml_write_string(out, call);
      fputc('\n', out);
    } else {
      put_string(out, "dir", r->dir);
      put_string(out, "index", r->index);
    }
    if (r->needs_login)
      fputs("login = true\n", out);
    if (r->nroles > 0)
      put_list(out, "roles", r->roles, r->nroles);
    put_string(out, "unit", m->units[r->unit].name);
  }
}
