/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/engine_wasm2c.c: the wasm2c engine (see engine.h).
 *
 * Owns the module cache handle, each module's dlopen handle and each
 * instance's wasm2c instance, WASI state and fuel. Calls wasm_info to read
 * a module, meter to add fuel metering when asked, compile to build it,
 * cache to store it, and the glue entry points (pg_glue_*) that compile.c
 * generates to run it. Guest code runs inside a
 * pg_rt_frame (rt.h). Threads: see engine.h.
 */
#include "engine.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "compile.h"
#include "meter.h"
#include "parigot/error.h"
#include "rt.h"
#include "sha256.h"
#include "wasm_info.h"

#define MAX_MODULE_BYTES (1ull << 30)

struct pg_engine {
  const pg_mem *mem;                  /* borrowed */
  const pg_host_module *host_modules; /* borrowed: pg_engine_config's */
  size_t nhost_modules;
  pg_cache cache;
  char prebuilt[4096]; /* "" for none */
  char errmsg[1024];
};

typedef struct glue_entry {
  const char *name;
  void (*fn)(void *);
} glue_entry;

typedef struct glue {
  const int *abi;
  size_t (*instance_size)(void);
  void (*init_module)(void);
  void (*free)(void *);
  void (*instantiate)(void *, void *(*)(const char *, void *), void *);
  wasm_rt_memory_t *(*memory)(void *);
  int64_t *(*fuel)(void *);  /* NULL: not metered (or an older entry) */
  const glue_entry *entries; /* NULL-terminated */
} glue;

struct pg_module {
  pg_engine *engine; /* borrowed */
  void *handle;      /* dlopen handle, owned */
  glue glue;
  bool was_cached;
  bool was_repaired;
  bool is_metered;
  char object[4200]; /* the file it was loaded from */
};

struct pg_instance {
  pg_module *module; /* borrowed */
  void *guest;       /* wasm2c instance, owned */
  pg_wasi wasi;
  struct Z_parigot_instance_t *parigot; /* borrowed, may be NULL */
  const char *last_name;                /* the entry run last, as passed */
  const glue_entry *last_entry;         /* and what it named */
  uint32_t max_pages;
  int64_t fuel; /* what the next run may burn; what the last one left */
  bool is_instantiated;
  bool is_dead;
  atomic_int interrupt;   /* set by pg_instance_interrupt */
  atomic_bool is_running; /* a thread is inside pg_instance_run */
  pthread_t thread;       /* valid while is_running */
};

static int set_err(pg_engine *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
  va_end(ap);
  return code;
}

int pg_engine_new(pg_engine **out, const pg_engine_config *cfg,
                  const pg_mem *mem, char *err, size_t err_len) {
  if (pg_rt_init() != 0) {
    snprintf(err, err_len, "cannot install the engine's signal handlers");
    return PARIGOT_EIO;
  }
  pg_engine *e = pg_mem_calloc(mem, 1, sizeof *e);
  if (!e)
    return PARIGOT_ENOMEM;
  e->mem = mem;
  if (cfg != NULL && cfg->nhost_modules > 0) {
    e->host_modules = cfg->host_modules;
    e->nhost_modules = cfg->nhost_modules;
  }
  if (cfg != NULL && cfg->prebuilt_dir != NULL)
    snprintf(e->prebuilt, sizeof e->prebuilt, "%s", cfg->prebuilt_dir);
  int rc =
      pg_cache_open(&e->cache, cfg ? cfg->cache_dir : NULL, mem, err, err_len);
  if (rc) {
    pg_mem_free(mem, e);
    return rc;
  }
  *out = e;
  return 0;
}

void pg_engine_free(pg_engine *e) {
  if (!e)
    return;
  pg_cache_close(&e->cache);
  pg_mem_free(e->mem, e);
}

const char *pg_engine_errmsg(const pg_engine *e) {
  return e->errmsg;
}

/* ---- loading ---- */

/* Reads @p path whole into memory owned by the caller. */
static int read_module(pg_engine *e, const char *path, uint8_t **out,
                       size_t *out_len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0)
    return set_err(e, errno == ENOENT ? PARIGOT_ENOENT : PARIGOT_EIO,
                   "%s: cannot open: %s", path, strerror(errno));
  int rc = 0;
  uint8_t *buf = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    rc = set_err(e, PARIGOT_EIO, "%s: not a regular file", path);
  else if ((uint64_t)st.st_size > MAX_MODULE_BYTES)
    rc = set_err(e, PARIGOT_EBADMODULE, "%s: module larger than 1 GiB", path);
  else if (!(buf = pg_mem_malloc(e->mem, (size_t)st.st_size)))
    rc = PARIGOT_ENOMEM;
  else if (st.st_size > 0 &&
           pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
    rc = set_err(e, PARIGOT_EIO, "%s: short read", path);
  close(fd);
  if (rc) {
    pg_mem_free(e->mem, buf);
    return rc;
  }
  *out = buf;
  *out_len = (size_t)st.st_size;
  return 0;
}

static void remove_workdir(const char *dir) {
  static const char *const files[] = {"m.wasm", "m.c",        "m.h",   "glue.c",
                                      "m.so",   "wasm2c.log", "cc.log"};
  char path[4300];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

/* Reads the module's header and checks its imports against the host's
 * modules: on every load, not only when compiling, since engines with other
 * host modules may share a cache. */
static int inspect(pg_engine *e, const char *path, const uint8_t *bytes,
                   size_t len, pg_wasm_info *info) {
  char err[768];
  int rc = pg_wasm_info_parse(info, bytes, len, e->mem);
  if (rc)
    return set_err(e, rc, "%s: %s%s", path,
                   rc == PARIGOT_EUNSUPPORTED ? "unsupported feature: "
                   : rc == PARIGOT_EBADMODULE ? "invalid module: "
                                              : "",
                   info->errmsg);
  rc = pg_compile_check_imports(info, e->host_modules, e->nhost_modules, err,
                                sizeof err);
  return rc ? set_err(e, rc, "%s: %s", path, err) : 0;
}

static int compile_into_cache(pg_engine *e, const pg_toolchain *tc,
                              const pg_wasm_info *info, const char *path,
                              const uint8_t *bytes, size_t len,
                              const char *entry) {
  char err[768], dir[4200], so[4300];
  int rc;
  if ((rc = pg_cache_path(&e->cache, "tmp-XXXXXX", dir, sizeof dir)) ||
      !mkdtemp(dir))
    return set_err(e, PARIGOT_EIO, "cannot create a work directory in %s: %s",
                   e->cache.dir, strerror(errno));
  snprintf(so, sizeof so, "%s/m.so", dir);
  rc = pg_compile_module(tc, info, bytes, len, path, dir, so, err, sizeof err);
  if (rc)
    set_err(e, rc, "%s", err);
  else if ((rc = pg_cache_commit(so, entry)))
    set_err(e, rc, "%s: cannot store %s: %s", path, entry, strerror(errno));
  remove_workdir(dir);
  return rc;
}

static int bind_glue(pg_engine *e, pg_module *m, const char *entry) {
  struct {
    const char *name;
    void **slot;
  } syms[] = {
      {"pg_glue_abi", (void **)&m->glue.abi},
      {"pg_glue_instance_size", (void **)&m->glue.instance_size},
      {"pg_glue_init_module", (void **)&m->glue.init_module},
      {"pg_glue_free", (void **)&m->glue.free},
      {"pg_glue_instantiate", (void **)&m->glue.instantiate},
      {"pg_glue_memory", (void **)&m->glue.memory},
      {"pg_glue_entries", (void **)&m->glue.entries},
  };
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    if (!(*syms[i].slot = dlsym(m->handle, syms[i].name)))
      return set_err(e, PARIGOT_ELOAD, "%s: missing symbol %s", entry,
                     syms[i].name);
  /* Optional: only metered modules have it (and entries from before it
   * existed, which were never metered, lack it). */
  m->glue.fuel = (int64_t * (*)(void *)) dlsym(m->handle, "pg_glue_fuel");
  if (*m->glue.abi != PG_GLUE_ABI)
    return set_err(e, PARIGOT_ELOAD, "%s: glue ABI %d, expected %d", entry,
                   *m->glue.abi, PG_GLUE_ABI);
  return 0;
}

/* Registers the module's function types; may trap when out of memory. */
static int init_module(pg_engine *e, pg_module *m, const char *path) {
  atomic_int never = 0;
  pg_rt_frame f;
  pg_rt_frame_init(&f, 0, &never);
  if (sigsetjmp(f.jmp, 1) == 0) {
    pg_rt_frame_enter(&f);
    m->glue.init_module();
    pg_rt_frame_leave(&f);
    return 0;
  }
  return set_err(e, PARIGOT_ELOAD, "%s: cannot initialise: %s", path,
                 pg_rt_trap_name(pg_rt_frame_unwound(&f)));
}

static int open_entry(pg_engine *e, pg_module *m, const char *path,
                      const char *entry) {
  snprintf(m->object, sizeof m->object, "%s", entry);
  m->handle = dlopen(entry, RTLD_NOW | RTLD_LOCAL);
  if (!m->handle)
    return set_err(e, PARIGOT_ELOAD, "%s: cannot load compiled module: %s",
                   path, dlerror());
  int rc = bind_glue(e, m, entry);
  return rc ? rc : init_module(e, m, path);
}

/* A module compiled ahead of time for these very bytes, if there is one:
 * no toolchain is looked for then. */
static bool find_prebuilt(pg_engine *e, const uint8_t *bytes, size_t len,
                          char *entry, size_t cap) {
  uint8_t digest[PG_SHA256_LEN];
  char hex[65];
  pg_sha256 s;
  if (e->prebuilt[0] == '\0')
    return false;
  pg_sha256_init(&s);
  pg_sha256_update(&s, bytes, len);
  pg_sha256_final(&s, digest);
  pg_sha256_hex(digest, hex);
  return (size_t)snprintf(entry, cap, "%s/%s.so", e->prebuilt, hex) < cap &&
         pg_cache_verify(entry) == 0;
}

static int find_entry_or_build(pg_engine *e, pg_module *m,
                               const pg_wasm_info *info, const char *path,
                               const uint8_t *bytes, size_t len) {
  pg_toolchain tc;
  char err[512], key[65], name[80], entry[4200];
  if (find_prebuilt(e, bytes, len, entry, sizeof entry)) {
    m->was_cached = true;
    return open_entry(e, m, path, entry);
  }
  int rc = pg_toolchain_find(&tc, err, sizeof err);
  if (rc)
    return set_err(e, rc, "%s", err);
  pg_compile_key(&tc, bytes, len, key);
  snprintf(name, sizeof name, "%s.so", key);
  if ((rc = pg_cache_path(&e->cache, name, entry, sizeof entry)))
    return set_err(e, rc, "cache path too long");
  rc = pg_cache_verify(entry);
  m->was_cached = rc == 0;
  m->was_repaired = rc == PARIGOT_ECACHE;
  if (rc && (rc = compile_into_cache(e, &tc, info, path, bytes, len, entry)))
    return rc;
  return open_entry(e, m, path, entry);
}

static int find_or_build(pg_engine *e, pg_module *m, const char *path,
                         const uint8_t *bytes, size_t len) {
  pg_wasm_info info;
  int rc = inspect(e, path, bytes, len, &info);
  if (rc == 0)
    rc = find_entry_or_build(e, m, &info, path, bytes, len);
  pg_wasm_info_deinit(&info);
  return rc;
}

/* Replaces @p bytes by the metered module (meter.h). */
static int meter(pg_engine *e, const char *path, uint8_t **bytes, size_t *len) {
  char err[300];
  uint8_t *metered;
  size_t metered_len;
  int rc = pg_meter_module(*bytes, *len, e->mem, &metered, &metered_len, err,
                           sizeof err);
  if (rc)
    return set_err(e, rc, "%s: cannot meter its fuel: %s", path, err);
  pg_mem_free(e->mem, *bytes);
  *bytes = metered;
  *len = metered_len;
  return 0;
}

int pg_module_load_with(pg_engine *e, const char *path,
                        const pg_module_options *opts, pg_module **out) {
  uint8_t *bytes = NULL;
  size_t len = 0;
  int rc = read_module(e, path, &bytes, &len);
  if (rc)
    return rc;
  bool is_metered = opts != NULL && opts->is_metered;
  pg_module *m = NULL;
  if (len < 8 || memcmp(bytes, "\0asm", 4) != 0)
    rc = set_err(e, PARIGOT_ENOTWASM,
                 "%s: not a WebAssembly file (no \\0asm magic number)", path);
  else if (is_metered)
    rc = meter(e, path, &bytes, &len);
  if (rc == 0 && !(m = pg_mem_calloc(e->mem, 1, sizeof *m)))
    rc = PARIGOT_ENOMEM;
  else if (rc == 0) {
    m->engine = e;
    rc = find_or_build(e, m, path, bytes, len);
  }
  if (rc == 0 && is_metered && m->glue.fuel == NULL)
    rc = set_err(e, PARIGOT_ELOAD, "%s: %s has no fuel counter", path,
                 m->object);
  pg_mem_free(e->mem, bytes);
  if (rc) {
    pg_module_free(m);
    return rc;
  }
  m->is_metered = is_metered;
  *out = m;
  return 0;
}

int pg_module_load(pg_engine *e, const char *path, pg_module **out) {
  return pg_module_load_with(e, path, NULL, out);
}

bool pg_module_is_metered(const pg_module *m) {
  return m->is_metered;
}

bool pg_module_was_cached(const pg_module *m) {
  return m->was_cached;
}

const char *pg_module_object(const pg_module *m) {
  return m->object;
}

bool pg_module_was_repaired(const pg_module *m) {
  return m->was_repaired;
}

static const glue_entry *find_entry(const pg_module *m, const char *name) {
  for (const glue_entry *g = m->glue.entries; g->name; g++)
    if (strcmp(g->name, name) == 0)
      return g;
  return NULL;
}

bool pg_module_has_entry(const pg_module *m, const char *name) {
  return find_entry(m, name) != NULL;
}

const char *pg_module_entry_name(const pg_module *m, size_t i) {
  for (const glue_entry *g = m->glue.entries; g->name; g++, i--)
    if (i == 0)
      return g->name;
  return NULL;
}

void pg_module_free(pg_module *m) {
  if (!m)
    return;
  if (m->handle)
    dlclose(m->handle);
  pg_mem_free(m->engine->mem, m);
}

/* ---- instances ---- */

int pg_instance_new(pg_module *m, const pg_instance_config *cfg,
                    pg_instance **out) {
  const pg_mem *mem = m->engine->mem;
  pg_instance *inst = pg_mem_calloc(mem, 1, sizeof *inst);
  if (!inst)
    return PARIGOT_ENOMEM;
  inst->module = m;
  inst->parigot = cfg->parigot;
  inst->fuel = INT64_MAX;
  uint64_t max = cfg->max_memory_bytes ? cfg->max_memory_bytes
                                       : PG_ENGINE_DEFAULT_MAX_MEMORY;
  inst->max_pages = max / 65536 > 65536 ? 65536 : (uint32_t)(max / 65536);
  int rc = pg_wasi_init(&inst->wasi, &cfg->wasi, mem);
  if (rc == 0 &&
      !(inst->guest = pg_mem_calloc(mem, 1, m->glue.instance_size())))
    rc = PARIGOT_ENOMEM;
  if (rc) {
    pg_instance_free(inst);
    return rc;
  }
  *out = inst;
  return 0;
}

static void *resolve_import(const char *module, void *ud) {
  pg_instance *inst = ud;
  if (strcmp(module, pg_wasi_module.name) == 0)
    return &inst->wasi;
  /* one of the engine's host_modules, the only others the import check
   * lets through */
  return inst->parigot;
}

/* Runs @p fn inside a frame; instantiates first when needed. Kept apart so
 * that nothing but the frame lives across sigsetjmp. */
static int run_in_frame(pg_instance *inst, void (*fn)(void *),
                        pg_run_result *out) {
  pg_rt_frame f;
  const glue *g = &inst->module->glue;
  pg_rt_frame_init(&f, inst->max_pages, &inst->interrupt);
  f.memory = g->memory(inst->guest);
  /* A field of the instance: valid before it is instantiated. */
  int64_t *fuel = inst->module->is_metered ? g->fuel(inst->guest) : NULL;
  inst->wasi.frame = &f;
  inst->wasi.memory = f.memory;
  int code;
  if (sigsetjmp(f.jmp, 0) == 0) { /* no mask: see pg_rt_frame_unwound */
    pg_rt_frame_enter(&f);
    if (!inst->is_instantiated) {
      inst->is_instantiated = true;
      g->instantiate(inst->guest, resolve_import, inst);
    }
    if (fuel != NULL) /* after instantiate, which sets it to INT64_MAX */
      *fuel = inst->fuel;
    fn(inst->guest);
    pg_rt_frame_leave(&f);
    code = PG_RT_OK;
  } else {
    code = pg_rt_frame_unwound(&f);
  }
  if (fuel != NULL) {
    inst->fuel = *fuel;
    if (code == WASM_RT_TRAP_UNREACHABLE && *fuel < 0)
      code = PG_RT_OUT_OF_FUEL; /* its metering code's, not the guest's */
  }
  inst->wasi.frame = NULL;
  out->code = code;
  out->exit_code = f.exit_code;
  return code;
}

int pg_instance_run(pg_instance *inst, const char *entry, pg_run_result *out) {
  /* A scheduler runs the same export, by the same string, for every
   * event: skip the search by name then. */
  const glue_entry *g = entry == inst->last_name
                            ? inst->last_entry
                            : find_entry(inst->module, entry);
  inst->last_name = entry;
  inst->last_entry = g;
  if (!g || inst->is_dead)
    return PARIGOT_EINVAL;
  inst->thread = pthread_self();
  /* seq_cst: pairs with pg_instance_interrupt, which sets the flag and then
   * reads is_running, so one side always sees the other. Clearing needs
   * only release: a signal that still comes finds no frame of ours. */
  atomic_store(&inst->is_running, true);
  int code = run_in_frame(inst, g->fn, out);
  atomic_store_explicit(&inst->is_running, false, memory_order_release);
  if (code != PG_RT_OK)
    inst->is_dead = true;
  return 0;
}

void pg_instance_set_fuel(pg_instance *inst, int64_t fuel) {
  inst->fuel = fuel;
}

int pg_instance_fuel(const pg_instance *inst, int64_t *out) {
  if (!inst->module->is_metered)
    return PARIGOT_EINVAL;
  *out = inst->fuel;
  return 0;
}

wasm_rt_memory_t *pg_instance_memory(pg_instance *inst) {
  return inst->module->glue.memory(inst->guest);
}

pg_rt_frame *pg_instance_frame(pg_instance *inst) {
  return inst->wasi.frame;
}

void pg_instance_interrupt(pg_instance *inst) {
  atomic_store(&inst->interrupt, 1);
  if (atomic_load(&inst->is_running))
    pthread_kill(inst->thread, pg_rt_interrupt_signal());
}

void pg_instance_free(pg_instance *inst) {
  if (!inst)
    return;
  const pg_mem *mem = inst->module->engine->mem;
  if (inst->guest && inst->is_instantiated)
    inst->module->glue.free(inst->guest);
  pg_mem_free(mem, inst->guest);
  pg_wasi_deinit(&inst->wasi);
  pg_mem_free(mem, inst);
}
