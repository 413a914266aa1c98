/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/doors.c: a unit's doors for its transport (see doors.h): the
 * manifest's routes of this unit, with their lists joined as the
 * transport takes them; who may log in; and the app's secret, which a
 * unit of several must have before it opens a port. Owns the routes it
 * makes (app->routes) and their strings.
 */
#include "doors.h"

#include <stdio.h>
#include <string.h>

#include "parigot/error.h"
#include "secret.h"

/* @p v joined by ',' into one allocation; "" when empty. */
static char *join(const pg_mem *mem, char *const *v, size_t n) {
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(v[i]) + 1;
  char *s = pg_mem_malloc(mem, len), *p = s;
  if (s == NULL)
    return NULL;
  *p = '\0';
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, "%s%s", i ? "," : "", v[i]);
  return s;
}

static bool is_this_unit(const pg_app *app, const pg_manifest_route *r) {
  const pg_manifest *m = app->cfg->manifest;
  return app->cfg->unit != NULL && &m->units[r->unit] == app->cfg->unit;
}

static int fill_routes(pg_app *app) {
  const pg_manifest *m = app->cfg->manifest;
  uint32_t n = 0;
  for (size_t i = 0; i < m->nroutes; i++)
    n += is_this_unit(app, &m->routes[i]);
  if (n == 0)
    return 0;
  app->routes = pg_mem_calloc(app->mem, n, sizeof *app->routes);
  if (app->routes == NULL)
    return PARIGOT_ENOMEM;
  for (size_t i = 0; i < m->nroutes; i++) {
    const pg_manifest_route *r = &m->routes[i];
    if (!is_this_unit(app, r))
      continue;
    pg_transport_route *t = &app->routes[app->nroutes++];
    char *methods = join(app->mem, r->methods, r->nmethods);
    char *roles = join(app->mem, r->roles, r->nroles);
    *t = (pg_transport_route){.path = r->path,
                              .methods = methods,
                              .service = r->service,
                              .method = r->method,
                              .dir = r->dir,
                              .index = r->index,
                              .needs_login = r->needs_login,
                              .roles = roles};
    if (methods == NULL || roles == NULL)
      return PARIGOT_ENOMEM;
  }
  return 0;
}

/* Units of the app that parigot runs (not those outside it). */
static size_t parigot_units(const pg_manifest *m) {
  size_t n = 0;
  for (size_t u = 0; u < m->nunits; u++)
    n += m->units[u].serves == NULL;
  return n;
}

/* The secret the host gave, or the one the manifest says where to find,
 * into app->secret; over a network, a unit of several must have one. */
static int find_secret(pg_app *app, const char *name, char *err,
                       size_t err_len) {
  const pg_app_config *cfg = app->cfg;
  const pg_manifest *m = cfg->manifest;
  if (cfg->secret != NULL) {
    app->secret = (uint8_t *)cfg->secret;
    app->secret_len = cfg->secret_len;
  } else if (pg_secret_read(m, &app->secret, &app->secret_len, err, err_len) !=
             0) {
    return PARIGOT_EINVAL;
  } else {
    app->owns_secret = app->secret != NULL;
  }
  if (!cfg->transport->needs_addresses || parigot_units(m) < 2)
    return 0;
  if (app->secret != NULL && app->secret_len >= PG_APP_SECRET_MIN)
    return 0;
  const char *where =
      m->secret_file != NULL ? m->secret_file : pg_secret_env_name(m);
  snprintf(err, err_len,
           "%s: the units of app %s sign their calls to each other with the "
           "app's secret, and %s %s: put %d bytes or more there (parigot up "
           "makes one for its units), or name one with [app] secret_env or "
           "secret_file",
           name, m->name, where,
           app->secret == NULL ? "holds none" : "holds one too short",
           PG_APP_SECRET_MIN);
  return PARIGOT_EINVAL;
}

int pg_doors_fill(pg_app *app, pg_transport_config *tc, char *err,
                  size_t err_len) {
  const pg_manifest *m = app->cfg->manifest;
  int rc = find_secret(app, tc->unit, err, err_len);
  if (rc != 0)
    return rc;
  if (fill_routes(app) != 0) {
    snprintf(err, err_len, "out of memory");
    return PARIGOT_ENOMEM;
  }
  tc->secret = app->secret;
  tc->secret_len = app->secret_len;
  tc->routes = app->routes;
  tc->nroutes = app->nroutes;
  tc->auth = (pg_transport_auth){m->users, m->groups, m->realm};
  return 0;
}

void pg_doors_free(pg_app *app) {
  for (uint32_t i = 0; i < app->nroutes; i++) {
    pg_mem_free(app->mem, (char *)app->routes[i].methods);
    pg_mem_free(app->mem, (char *)app->routes[i].roles);
  }
  pg_mem_free(app->mem, app->routes);
  app->routes = NULL;
  app->nroutes = 0;
  if (app->owns_secret)
    pg_secret_free(app->secret, app->secret_len);
  app->secret = NULL;
  app->secret_len = 0;
  app->owns_secret = false;
}
