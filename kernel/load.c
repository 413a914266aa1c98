/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/load.c: bringing guests in. Each guest's module is loaded (once
 * per file, however many guests share it), checked for our ABI and
 * instantiated; its parigot_main declares what it exports and requires
 * (abi.c records it); then the graph of the whole app is checked
 * (graph.c) and linked: each requirement's provider, each provider's
 * dependents, and the START events queued in dependency order.
 */
#include "load.h"

#include <string.h>

#include "lifecycle.h"
#include "native.h"
#include "parigot/abi.h"
#include "parigot/error.h"

/* The ABI versions the kernel runs: this one, and the older ones it is a
 * superset of (abi.h, PARIGOT_ABI_VERSION_MIN). */
static bool speaks(const char *version) {
  char *end;
  unsigned long v = strtoul(version, &end, 10);
  return *end == '\0' && end != version && version[0] != '0' &&
         v >= PARIGOT_ABI_VERSION_MIN && v <= PARIGOT_ABI_VERSION;
}

static int check_abi(const pg_guest *g, char *err, size_t err_len) {
  const size_t prefix = sizeof PARIGOT_ABI_EXPORT_PREFIX - 1;
  const char *version = NULL;
  for (size_t i = 0; pg_module_entry_name(g->module, i) != NULL; i++) {
    const char *e = pg_module_entry_name(g->module, i);
    if (strncmp(e, PARIGOT_ABI_EXPORT_PREFIX, prefix) == 0)
      version = e + prefix;
  }
  if (version != NULL && speaks(version) &&
      pg_module_has_entry(g->module, PARIGOT_ABI_MAIN) &&
      pg_module_has_entry(g->module, PARIGOT_ABI_EVENT))
    return 0;
  if (version != NULL && !speaks(version)) {
    snprintf(err, err_len,
             "%s: %s: built for parigot ABI %s; this parigot speaks ABI %d "
             "to %d",
             g->spec->name, g->spec->wasm, version, PARIGOT_ABI_VERSION_MIN,
             PARIGOT_ABI_VERSION);
    return PARIGOT_EABI;
  }
  snprintf(err, err_len,
           "%s: %s: not a parigot guest (it must export " PARIGOT_ABI_EXPORT
           ", " PARIGOT_ABI_MAIN " and " PARIGOT_ABI_EVENT "; see "
           "docs/abi.md)",
           g->spec->name, g->spec->wasm);
  return PARIGOT_EABI;
}

/* Guests built from the same file share one module: it is read, hashed
 * and checked once, however many instances the app makes of it. */
static pg_module *loaded_module(pg_app *app, const pg_guest *g) {
  for (uint32_t i = 0; i < g->index; i++)
    if (app->guests[i].spec->wasm != NULL &&
        strcmp(app->guests[i].spec->wasm, g->spec->wasm) == 0)
      return app->guests[i].module;
  return NULL;
}

/* The guest's dirs as the engine's preopens; NULL when it has none or on
 * failure (*rc says which). Owned by the caller (app->mem). */
static pg_wasi_preopen *guest_preopens(pg_app *app, const pg_manifest_guest *s,
                                       int *rc) {
  *rc = 0;
  if (s->ndirs == 0)
    return NULL;
  pg_wasi_preopen *pre = pg_mem_calloc(app->mem, s->ndirs, sizeof *pre);
  if (pre == NULL) {
    *rc = PARIGOT_ENOMEM;
    return NULL;
  }
  for (size_t i = 0; i < s->ndirs; i++)
    pre[i] = (pg_wasi_preopen){s->dirs[i].host, s->dirs[i].guest,
                               s->dirs[i].is_read_only};
  return pre;
}

/* The seed of @p name's random stream: from the app's seed and the
 * guest's name (FNV-1a, then SplitMix64's finalizer), so a guest draws the
 * same numbers whatever else the app runs with it. */
uint64_t pg_guest_seed(uint64_t seed, const char *name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char *p = name; *p != '\0'; p++)
    h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
  uint64_t z = h ^ seed;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* A fresh instance of @p g's module in g->inst, as the manifest says. */
int pg_guest_new_instance(pg_app *app, pg_guest *g) {
  const pg_manifest_guest *s = g->spec;
  int rc;
  pg_wasi_preopen *pre = guest_preopens(app, s, &rc);
  if (rc != 0)
    return rc;
  /* argv[0] is the guest's name, then the manifest's args. */
  const char **argv = pg_mem_calloc(app->mem, s->nargs + 2, sizeof *argv);
  if (argv == NULL) {
    pg_mem_free(app->mem, pre);
    return PARIGOT_ENOMEM;
  }
  argv[0] = s->name;
  for (size_t i = 0; i < s->nargs; i++)
    argv[i + 1] = s->args[i];
  pg_instance_config ic = {
      .max_memory_bytes = s->max_memory,
      .wasi = {.argc = (int)s->nargs + 1,
               .argv = argv,
               .envc = (int)s->nenv,
               .env = (const char *const *)s->env,
               .is_deterministic = app->cfg->is_deterministic,
               .has_real_clock = app->cfg->has_real_clock,
               .seed = pg_guest_seed(app->cfg->seed, s->name),
               .stdio_fds = {0, 1, 2},
               .preopens = pre,
               .npreopens = s->ndirs,
               .write_quota_bytes = s->write_quota},
      .parigot = g,
  };
  pg_instance *inst;
  rc = pg_instance_new(g->module, &ic, &inst); /* copies argv, preopens */
  pg_mem_free(app->mem, argv);
  pg_mem_free(app->mem, pre);
  if (rc != 0)
    return rc;
  pthread_mutex_lock(&app->inst_mutex);
  g->inst = inst;
  g->memory = pg_instance_memory(inst);
  pthread_mutex_unlock(&app->inst_mutex);
  return 0;
}

int pg_guest_load(pg_app *app, pg_guest *g, char *err, size_t err_len) {
  const pg_manifest_guest *s = g->spec;
  int rc = 0;
  if (g->is_external)
    return 0;
  if (s->native != NULL)
    return pg_native_load(app, g, err, err_len);
  if ((g->module = loaded_module(app, g)) != NULL)
    g->shares_module = true;
  else /* metered for deterministic budgets: see set_fuel in lifecycle.c */
    rc = pg_module_load_with(
        app->engine, s->wasm,
        &(pg_module_options){.is_metered = app->cfg->is_deterministic},
        &g->module);
  if (rc != 0) {
    snprintf(err, err_len, "%s: %s", s->name, pg_engine_errmsg(app->engine));
    return rc;
  }
  if ((rc = check_abi(g, err, err_len)) != 0)
    return rc;
  if ((rc = pg_guest_new_instance(app, g)) != 0) {
    snprintf(err, err_len, "%s: cannot create an instance: %s", s->name,
             parigot_strerror(rc));
    return rc;
  }
  return 0;
}

/* _initialize (wasi-libc's constructors), then parigot_main; false when
 * the guest ended in them. */
bool pg_guest_run_declaration(pg_app *app, pg_guest *g) {
  bool ok = !pg_module_has_entry(g->module, "_initialize") ||
            pg_guest_run_entry(app, g, "_initialize");
  if (ok) {
    g->is_declaring = true;
    ok = pg_guest_run_entry(app, g, "parigot_main");
    g->is_declaring = false;
  }
  return ok;
}

int pg_guest_declare(pg_app *app, pg_guest *g, char *err, size_t err_len) {
  if (g->is_external || g->native != NULL || pg_guest_run_declaration(app, g))
    return 0;
  snprintf(err, err_len, "%s: died before it pg_guest_started (%s)",
           g->spec->name, g->has_trapped ? "it trapped" : "it exited");
  return PARIGOT_EINVAL;
}

/* Each guest's dependents, from the providers: who to tell of its death
 * or return, and who must stop before it. */
static int link_dependents(pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++)
    for (uint32_t r = 0; r < app->guests[i].nrequires; r++)
      app->guests[app->guests[i].providers[r]].ndependents++;
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *p = &app->guests[i];
    p->dependents =
        pg_mem_calloc(app->mem, p->ndependents + 1, sizeof *p->dependents);
    if (p->dependents == NULL)
      return PARIGOT_ENOMEM;
    p->ndependents = 0; /* counts them again as they are filled */
  }
  for (uint32_t i = 0; i < app->nguests; i++)
    for (uint32_t r = 0; r < app->guests[i].nrequires; r++) {
      pg_guest *p = &app->guests[app->guests[i].providers[r]];
      p->dependents[p->ndependents++] = (pg_dependent){i, r};
    }
  return 0;
}

/* Which guest exports each requirement, once the graph is known good. */
static int link_providers(pg_app *app) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    g->providers =
        pg_mem_calloc(app->mem, g->nrequires + 1, sizeof *g->providers);
    g->provider_exports =
        pg_mem_calloc(app->mem, g->nrequires + 1, sizeof *g->provider_exports);
    if (g->providers == NULL || g->provider_exports == NULL)
      return PARIGOT_ENOMEM;
    for (uint32_t r = 0; r < g->nrequires; r++)
      for (uint32_t j = 0; j < app->nguests; j++)
        for (uint32_t e = 0; e < app->guests[j].nexports; e++)
          if (strcmp(app->guests[j].exports[e], g->requires[r]) == 0) {
            g->providers[r] = j;
            g->provider_exports[r] = e;
          }
  }
  return link_dependents(app);
}

/* The graph's view of the guests; the caller frees the array. */
pg_graph_node *pg_app_graph_nodes(pg_app *app) {
  pg_graph_node *nodes =
      pg_mem_calloc(app->mem, app->nguests + 1, sizeof *nodes);
  for (uint32_t i = 0; nodes != NULL && i < app->nguests; i++) {
    pg_guest *g = &app->guests[i];
    nodes[i] = (pg_graph_node){g->spec->name, (const char *const *)g->exports,
                               g->nexports,   (const char *const *)g->requires,
                               g->nrequires,  pg_guest_serves_early(g)};
  }
  return nodes;
}

/* Checks the graph and queues START events in dependency order. */
int pg_app_plan_start(pg_app *app, char *err, size_t err_len) {
  uint32_t n = app->nguests;
  pg_graph_node *nodes = pg_app_graph_nodes(app);
  size_t *order = pg_mem_calloc(app->mem, n + 1, sizeof *order);
  int rc = nodes && order ? 0 : PARIGOT_ENOMEM;
  if (rc == 0)
    rc = pg_graph_order(nodes, n, order, app->mem, err, err_len);
  if (rc == 0)
    rc = link_providers(app);
  if (rc == 0 &&
      !(app->start_order = pg_mem_calloc(app->mem, n + 1, sizeof(uint32_t))))
    rc = PARIGOT_ENOMEM;
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    app->start_order[i] = (uint32_t)order[i];
    app->guests[order[i]].is_start_queued = true;
    rc = pg_app_post(app, (uint32_t)order[i],
                     &(pg_event_spec){.kind = PARIGOT_EV_START});
  }
  pg_mem_free(app->mem, nodes);
  pg_mem_free(app->mem, order);
  return rc;
}

void pg_names_free(const pg_mem *mem, char **list, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    pg_mem_free(mem, list[i]);
  pg_mem_free(mem, list);
}
