/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/compile.c: wasm2c, the glue generator and the C compiler driver
 * (see compile.h).
 *
 * Owns the files it writes in the caller's work directory. Calls wasm2c and
 * the C compiler with posix_spawn, capturing their stderr for messages.
 */
#include "compile.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "meter.h"
#include "parigot/error.h"
#include "parigot/version.h"

extern char **environ;

/* ---- finding the tools ---- */

/* @p out must hold PATH_MAX bytes. */
static int find_on_path(const char *prog, char *out) {
  if (strchr(prog, '/')) {
    if (access(prog, X_OK) != 0)
      return -1;
    return realpath(prog, out) ? 0 : -1;
  }
  const char *path = getenv("PATH");
  if (!path)
    path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    const char *end = strchr(path, ':');
    size_t n = end ? (size_t)(end - path) : strlen(path);
    char cand[4096];
    if (snprintf(cand, sizeof cand, "%.*s/%s", (int)n, path, prog) <
            (int)sizeof cand &&
        access(cand, X_OK) == 0 && realpath(cand, out))
      return 0;
    path += n + (end ? 1 : 0);
  }
  return -1;
}

/* A tool's identity: its resolved path, size and modification time. */
static void hash_tool(pg_sha256 *s, const char *path) {
  struct stat st;
  char buf[64];
  pg_sha256_update(s, path, strlen(path) + 1);
  if (stat(path, &st) == 0) {
    int n = snprintf(buf, sizeof buf, "%lld.%lld.%ld", (long long)st.st_size,
                     (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    pg_sha256_update(s, buf, (size_t)n);
  }
}

int pg_toolchain_find(pg_toolchain *tc, char *err, size_t err_len) {
  const char *cc = getenv("CC");
  if (!cc || !*cc)
    cc = "cc";
  if (find_on_path(cc, tc->cc) != 0) {
    snprintf(err, err_len,
             "no C compiler found: '%s' is not on PATH (install gcc or set "
             "CC)",
             cc);
    return PARIGOT_ENOCC;
  }
  if (find_on_path("wasm2c", tc->wasm2c) != 0) {
    snprintf(err, err_len,
             "wasm2c not found on PATH (install Debian's wabt package)");
    return PARIGOT_ENOENT;
  }
  pg_sha256 s;
  pg_sha256_init(&s);
  hash_tool(&s, tc->cc);
  hash_tool(&s, tc->wasm2c);
  pg_sha256_final(&s, tc->identity);
  return 0;
}

void pg_compile_key(const pg_toolchain *tc, const uint8_t *bytes, size_t len,
                    char out[65]) {
  static const char salt[] =
      "parigot-module-cache\0" PARIGOT_VERSION_STRING "\0" PG_COMPILE_FLAGS
      "\0" PG_COMPILE_LIBS "\0prelude-2";
  char abi[16];
  uint8_t digest[PG_SHA256_LEN];
  pg_sha256 s;
  pg_sha256_init(&s);
  pg_sha256_update(&s, salt, sizeof salt);
  pg_sha256_update(&s, abi,
                   (size_t)snprintf(abi, sizeof abi, "%d", PG_GLUE_ABI));
  pg_sha256_update(&s, tc->identity, sizeof tc->identity);
  const char *extra = getenv("PARIGOT_CFLAGS");
  if (extra)
    pg_sha256_update(&s, extra, strlen(extra) + 1);
  pg_sha256_update(&s, bytes, len);
  pg_sha256_final(&s, digest);
  pg_sha256_hex(digest, out);
}

/* ---- imports ---- */

int pg_compile_check_imports(const pg_wasm_info *info,
                             const pg_host_module *mods, size_t nmods,
                             char *err, size_t err_len) {
  static const char *const kinds[] = {"function", "table", "memory", "global",
                                      "tag"};
  for (uint32_t i = 0; i < info->nimports; i++) {
    const pg_wasm_import *im = &info->imports[i];
    const pg_host_module *m = pg_host_module_find(mods, nmods, im->module);
    const pg_host_func *f = m ? pg_host_func_find(m, im->name) : NULL;
    if (im->kind != PG_WASM_EXTERN_FUNC || !f) {
      snprintf(err, err_len, "import %s.%s (%s) is not provided by the host",
               im->module, im->name, kinds[im->kind]);
      return PARIGOT_EIMPORT;
    }
    const char *sig = info->types[im->type_index];
    if (strcmp(sig, f->sig) != 0) {
      snprintf(err, err_len,
               "import %s.%s has signature %s but the host provides %s",
               im->module, im->name, sig, f->sig);
      return PARIGOT_EIMPORT;
    }
  }
  return 0;
}

/* ---- glue ---- */

/* wasm2c's name mangling (wabt 1.0.32, CWriter::MangleName). */
static void mangle(FILE *f, const char *name) {
  fputs("Z_", f);
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    if ((isalnum(*p) && *p != 'Z') || *p == '_')
      fputc(*p, f);
    else
      fprintf(f, "Z%02X", *p);
  }
}

static void write_import_modules(FILE *f, const pg_wasm_info *info,
                                 bool is_decl) {
  /* wasm2c passes one instance per distinct import module, sorted. */
  const char *prev = NULL;
  for (;;) {
    const char *next = NULL;
    for (uint32_t i = 0; i < info->nimports; i++) {
      const char *m = info->imports[i].module;
      if ((!prev || strcmp(m, prev) > 0) && (!next || strcmp(m, next) < 0))
        next = m;
    }
    if (!next)
      return;
    if (is_decl) {
      fputs("struct ", f);
      mangle(f, next);
      fputs("_instance_t;\n", f);
    } else {
      fputs(", (struct ", f);
      mangle(f, next);
      fprintf(f, "_instance_t *)resolve(\"%s\", ud)", next);
    }
    prev = next;
  }
}

/* The exports the engine can run: functions of type () -> (). */
static bool is_entry_point(const pg_wasm_info *info, const pg_wasm_export *ex) {
  const char *sig = pg_wasm_info_func_sig(info, ex->index);
  return ex->kind == PG_WASM_EXTERN_FUNC && sig && strcmp(sig, ":") == 0;
}

static void write_entry_points(FILE *f, const pg_wasm_info *info) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < info->nexports; i++) {
    if (!is_entry_point(info, &info->exports[i]))
      continue;
    fprintf(f, "static void ep%u(void *i) { Z_guest", n++);
    mangle(f, info->exports[i].name);
    fputs("((Z_guest_instance_t *)i); }\n", f);
  }
  fputs("const struct pg_glue_entry pg_glue_entries[] = {\n", f);
  n = 0;
  for (uint32_t i = 0; i < info->nexports; i++) {
    if (!is_entry_point(info, &info->exports[i]))
      continue;
    fputs("  {\"", f);
    for (const char *p = info->exports[i].name; *p; p++)
      fprintf(f, "\\x%02x", (unsigned char)*p);
    fprintf(f, "\", ep%u},\n", n++);
  }
  fputs("  {0, 0}};\n", f);
}

/* pg_glue_fuel, the fuel counter of a metered module (meter.h), which the
 * engine finds by name: absent from a plain module. */
static void write_fuel(FILE *f, const pg_wasm_info *info) {
  const pg_wasm_export *fuel = pg_wasm_info_export(info, PG_METER_EXPORT);
  if (fuel == NULL || fuel->kind != PG_WASM_EXTERN_GLOBAL)
    return;
  fputs("long long *pg_glue_fuel(void *i) {\n  return (long long *)Z_guest", f);
  mangle(f, PG_METER_EXPORT);
  fputs("((Z_guest_instance_t *)i);\n}\n", f);
}

static int write_glue(const char *path, const pg_wasm_info *info) {
  FILE *f = fopen(path, "w");
  if (!f)
    return PARIGOT_EIO;
  const pg_wasm_export *mem = NULL;
  for (uint32_t i = 0; i < info->nexports; i++)
    if (info->exports[i].kind == PG_WASM_EXTERN_MEMORY)
      mem = mem ? mem : &info->exports[i];
  fprintf(f,
          "/* Generated by parigot (kernel/engine/compile.c) for m.wasm. */\n"
          "#include <stddef.h>\n#include \"m.h\"\n"
          "const int pg_glue_abi = %d;\n",
          PG_GLUE_ABI);
  write_import_modules(f, info, true);
  fputs("struct pg_glue_entry { const char *name; void (*fn)(void *); };\n"
        "size_t pg_glue_instance_size(void) {\n"
        "  return sizeof(Z_guest_instance_t);\n}\n"
        "void pg_glue_init_module(void) { Z_guest_init_module(); }\n"
        "void pg_glue_free(void *i) { Z_guest_free(i); }\n"
        "void pg_glue_instantiate(void *i,\n"
        "    void *(*resolve)(const char *, void *), void *ud) {\n"
        "  (void)resolve; (void)ud;\n"
        "  Z_guest_instantiate((Z_guest_instance_t *)i",
        f);
  write_import_modules(f, info, false);
  fputs(");\n}\nwasm_rt_memory_t *pg_glue_memory(void *i) {\n", f);
  if (mem) {
    fputs("  return Z_guest", f);
    mangle(f, mem->name);
    fputs("((Z_guest_instance_t *)i);\n}\n", f);
  } else {
    fputs("  (void)i;\n  return NULL;\n}\n", f);
  }
  write_fuel(f, info);
  write_entry_points(f, info);
  return fclose(f) == 0 ? 0 : PARIGOT_EIO;
}

/* ---- running the tools ---- */

/* Runs @p argv with stderr into @p err_path; returns the wait status. */
static int run_tool(char *const argv[], const char *err_path, int *status) {
  posix_spawn_file_actions_t fa;
  pid_t pid;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err_path,
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return -1;
  while (waitpid(pid, status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

/* The first line of @p path that mentions an error, or its first line. */
static void first_error(const char *path, char *out, size_t len) {
  FILE *f = fopen(path, "r");
  char line[1024];
  out[0] = '\0';
  if (!f)
    return;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *e = strstr(line, "error:");
    if (e || !out[0])
      snprintf(out, len, "%.400s", e ? e + 7 : line);
    if (e)
      break;
  }
  fclose(f);
}

static bool is_feature_error(const char *msg) {
  static const char *const hints[] = {"not allowed", "not enabled",
                                      "unexpected opcode",
                                      "invalid section code"};
  for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
    if (strstr(msg, hints[i]))
      return true;
  return false;
}

static int translate(const pg_toolchain *tc, const char *dir, const char *name,
                     char *err, size_t err_len) {
  char in[4200], out[4200], log[4200], why[512];
  snprintf(in, sizeof in, "%s/m.wasm", dir);
  snprintf(out, sizeof out, "%s/m.c", dir);
  snprintf(log, sizeof log, "%s/wasm2c.log", dir);
  char *argv[] = {(char *)tc->wasm2c, "-n", "guest", in, "-o", out, NULL};
  int st;
  if (run_tool(argv, log, &st) != 0) {
    snprintf(err, err_len, "%s: cannot run %s", name, tc->wasm2c);
    return PARIGOT_EIO;
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
    return 0;
  first_error(log, why, sizeof why);
  if (WIFSIGNALED(st)) {
    snprintf(err, err_len,
             "%s: unsupported feature: wasm2c cannot translate this module "
             "(it stopped with signal %d; SIMD is a likely cause)",
             name, WTERMSIG(st));
    return PARIGOT_EUNSUPPORTED;
  }
  if (is_feature_error(why)) {
    snprintf(err, err_len, "%s: unsupported feature: %s", name, why);
    return PARIGOT_EUNSUPPORTED;
  }
  snprintf(err, err_len, "%s: invalid module: %s", name, why);
  return PARIGOT_EBADMODULE;
}

/* ---- what wasm2c 1.0.32 gets wrong, patched in m.c ---- */

/* A load whose value is unused must still happen, so that an out-of-bounds
 * one traps. wasm2c 1.0.32 keeps every load with an empty asm taking the
 * value in a general register ("r"): each float load then also moves to an
 * integer register, and a loop of double arithmetic pays for it (matmul and
 * nbody ran 16% slower). The prelude keeps the same guarantee with each
 * value in a register of its own class.
 *
 * An element segment that puts an imported function in a table: wasm2c
 * records where the guest's instance keeps its pointer to the import
 * module's instance, and funcref_table_init hands the function that
 * address instead of the pointer stored there. A call_indirect to it then
 * gave the host function a wrong instance, and a guest could crash the
 * host. The patch marks such offsets and has the table's init load the
 * pointer; a wasm2c whose output has the marked offsets but not that init
 * is refused rather than left to crash.
 *
 * Each read of a metered module's fuel counter (meter.h) goes through an
 * empty asm that the optimizer cannot see through: else the C compiler may
 * run a loop that does nothing but burn fuel in no time, computing where
 * the counter ends (a loop for ever with no max_handler_time then died at
 * once of its INT64_MAX units, and one with a long budget died before
 * drain_timeout could cut it off). The counter may still live in a
 * register in a loop (a volatile one cost matmul 37%). A module with the
 * counter's export but no read to patch is refused.
 *
 * The prelude's version ("prelude-N" in pg_compile_key's salt) is part of
 * the cache key: bumping it rebuilds every cached module. */
#define LOAD_BARRIER "wasm_asm(\"\" ::\"r\"(result));"
#define FUEL_READ "= instance->w2c_" PG_METER_EXPORT ";"
#define FUEL_EXPORT "Z_guestZ_" PG_METER_EXPORT
#define IMPORT_OFFSET "offsetof(Z_guest_instance_t, Z_"
#define TABLE_INIT_INSTANCE "(char*)module_instance + src_expr->module_offset"
static const char prelude[] =
    "/* parigot: keep each load in a register of its own class. */\n"
    "#include <stddef.h>\n"
    "#include <stdint.h>\n"
    "static inline void pg_force_read_int(uint64_t v) {\n"
    "  __asm__(\"\" ::\"r\"(v));\n}\n"
    "#if defined(__x86_64__)\n#define PG_FLOAT_REG \"x\"\n"
    "#elif defined(__aarch64__)\n#define PG_FLOAT_REG \"w\"\n#endif\n"
    "#ifdef PG_FLOAT_REG\n"
    "static inline void pg_force_read_f32(float v) {\n"
    "  __asm__(\"\" ::PG_FLOAT_REG(v));\n}\n"
    "static inline void pg_force_read_f64(double v) {\n"
    "  __asm__(\"\" ::PG_FLOAT_REG(v));\n}\n"
    "#define PG_FORCE_READ(v) _Generic((v), float: pg_force_read_f32, \\\n"
    "    double: pg_force_read_f64, default: pg_force_read_int)(v)\n"
    "#else\n#define PG_FORCE_READ(v) pg_force_read_int((uint64_t)(v))\n"
    "#endif\n"
    "/* parigot: an imported function's instance, in a table. */\n"
    "#define PG_IMPORT_BIT ((size_t)1 << (sizeof(size_t) * 8 - 1))\n"
    "static inline void *pg_elem_instance(void *instance, size_t offset) {\n"
    "  char *at = (char *)instance + (offset & ~PG_IMPORT_BIT);\n"
    "  return offset & PG_IMPORT_BIT ? *(void **)at : at;\n}\n"
    "/* parigot: a metered module's fuel, opaque to the optimizer. */\n"
    "static inline uint64_t pg_fuel_read(const uint64_t *p) {\n"
    "  uint64_t v = *p;\n  __asm__(\"\" : \"+r\"(v));\n  return v;\n}\n";

/* Each patch names what it fixes. A required one's text is in everything
 * wasm2c 1.0.32 writes (its runtime prelude), so when it matches nothing
 * wasm2c's output has changed and the fix would be silently lost: the build
 * stops, naming the patch. The imported-function offsets are only in
 * modules that put an imported function in a table. */
static const struct {
  const char *name, *from, *to;
  bool is_required;
  bool is_required_if_metered; /* in the output of a metered module */
} patches[] = {
    {"load barrier", LOAD_BARRIER, "PG_FORCE_READ(result);", true, true},
    {"imported function offset", IMPORT_OFFSET,
     "PG_IMPORT_BIT + " IMPORT_OFFSET, false, false},
    {"table init instance", TABLE_INIT_INSTANCE,
     "pg_elem_instance(module_instance, src_expr->module_offset)", true, true},
    {"fuel counter read", FUEL_READ,
     "= pg_fuel_read(&instance->w2c_" PG_METER_EXPORT ");", false, true},
};

/* @p text with every @p from replaced by @p to, and how many there were;
 * heap, NULL when out of memory. */
static char *replace_all(const char *text, const char *from, const char *to,
                         size_t *nhits) {
  size_t nfrom = strlen(from), nto = strlen(to), hits = 0;
  for (const char *p = text; (p = strstr(p, from)) != NULL; p += nfrom)
    hits++;
  *nhits = hits;
  char *out = malloc(strlen(text) + hits * nto + 1);
  if (out == NULL)
    return NULL;
  char *o = out;
  for (const char *p = text, *hit;; p = hit + nfrom) {
    hit = strstr(p, from);
    size_t len = hit ? (size_t)(hit - p) : strlen(p);
    memcpy(o, p, len);
    o += len;
    if (hit == NULL)
      break;
    memcpy(o, to, nto);
    o += nto;
  }
  *o = 0;
  return out;
}

static int out_of_memory(char *err, size_t err_len) {
  snprintf(err, err_len, "out of memory");
  return PARIGOT_ENOMEM;
}

int pg_compile_patch_text(const char *text, const char *name, const char *file,
                          char **out, char *err, size_t err_len) {
  if (strstr(text, IMPORT_OFFSET) && !strstr(text, TABLE_INIT_INSTANCE)) {
    snprintf(err, err_len,
             "%s: unsupported feature: an imported function in a table, "
             "with a wasm2c whose output parigot cannot fix",
             name);
    return PARIGOT_EUNSUPPORTED;
  }
  bool is_metered = strstr(text, FUEL_EXPORT) != NULL;
  size_t nprelude = strlen(prelude);
  char *cur = malloc(nprelude + strlen(text) + 1);
  if (cur == NULL)
    return out_of_memory(err, err_len);
  memcpy(cur, prelude, nprelude);
  strcpy(cur + nprelude, text);
  for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
    size_t hits;
    char *next = replace_all(cur, patches[i].from, patches[i].to, &hits);
    free(cur);
    if (next == NULL)
      return out_of_memory(err, err_len);
    cur = next;
    bool is_required =
        is_metered ? patches[i].is_required_if_metered : patches[i].is_required;
    if (hits == 0 && is_required) {
      free(cur);
      snprintf(err, err_len,
               "%s: wasm2c's output has changed: parigot's patch \"%s\" "
               "matches nothing in %s (it looks for `%s`; parigot knows "
               "wasm2c 1.0.32's output)",
               name, patches[i].name, file, patches[i].from);
      return PARIGOT_ECOMPILE;
    }
  }
  *out = cur;
  return 0;
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
  size_t got = text ? fread(text, 1, (size_t)n, f) : 0;
  fclose(f);
  if (text == NULL || got != (size_t)n) {
    free(text);
    return NULL;
  }
  text[n] = 0;
  return text;
}

/* Rewrites m.c in place. */
static int patch_source(const char *path, const char *name, char *err,
                        size_t err_len) {
  char *text = read_text(path), *patched = NULL;
  if (text == NULL)
    return PARIGOT_EIO;
  int rc = pg_compile_patch_text(text, name, path, &patched, err, err_len);
  free(text);
  if (rc != 0)
    return rc;
  FILE *f = fopen(path, "wb");
  rc = f && fputs(patched, f) >= 0 ? 0 : PARIGOT_EIO;
  if (f != NULL && fclose(f) != 0)
    rc = PARIGOT_EIO;
  free(patched);
  return rc;
}

static int build(const pg_toolchain *tc, const char *dir, const char *out_so,
                 const char *name, char *err, size_t err_len) {
  char src[4200], glue[4200], log[4200], why[512];
  snprintf(src, sizeof src, "%s/m.c", dir);
  snprintf(glue, sizeof glue, "%s/glue.c", dir);
  snprintf(log, sizeof log, "%s/cc.log", dir);
  char *argv[16 + PG_COMPILE_MAX_EXTRA_FLAGS];
  int n = 0;
  argv[n++] = (char *)tc->cc;
  char flags[] = PG_COMPILE_FLAGS, extra[1024] = "";
  for (char *t = strtok(flags, " "); t; t = strtok(NULL, " "))
    argv[n++] = t;
  const char *env = getenv("PARIGOT_CFLAGS");
  if (env && snprintf(extra, sizeof extra, "%s", env) >= (int)sizeof extra) {
    snprintf(err, err_len, "PARIGOT_CFLAGS is longer than %zu bytes",
             sizeof extra - 1);
    return PARIGOT_EINVAL;
  }
  char *save = NULL;
  for (char *t = strtok_r(extra, " ", &save); t;
       t = strtok_r(NULL, " ", &save)) {
    if (n == 8 + PG_COMPILE_MAX_EXTRA_FLAGS) {
      snprintf(err, err_len, "PARIGOT_CFLAGS has more than %d flags",
               PG_COMPILE_MAX_EXTRA_FLAGS);
      return PARIGOT_EINVAL;
    }
    argv[n++] = t;
  }
  argv[n++] = "-o";
  argv[n++] = (char *)out_so;
  argv[n++] = src;
  argv[n++] = glue;
  argv[n++] = PG_COMPILE_LIBS;
  argv[n] = NULL;
  int st;
  if (run_tool(argv, log, &st) != 0) {
    snprintf(err, err_len, "%s: cannot run the C compiler %s", name, tc->cc);
    return PARIGOT_ENOCC;
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
    return 0;
  first_error(log, why, sizeof why);
  snprintf(err, err_len, "%s: the C compiler %s failed: %s", name, tc->cc, why);
  return PARIGOT_ECOMPILE;
}

static int write_file(const char *path, const uint8_t *bytes, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return PARIGOT_EIO;
  size_t n = fwrite(bytes, 1, len, f);
  return fclose(f) == 0 && n == len ? 0 : PARIGOT_EIO;
}

int pg_compile_module(const pg_toolchain *tc, const pg_wasm_info *info,
                      const uint8_t *bytes, size_t len, const char *name,
                      const char *workdir, const char *out_so, char *err,
                      size_t err_len) {
  char path[4200];
  /* Translate the bytes that were hashed, not the file, which may change. */
  snprintf(path, sizeof path, "%s/m.wasm", workdir);
  int rc = write_file(path, bytes, len);
  if (rc == 0 && (rc = translate(tc, workdir, name, err, err_len)))
    return rc;
  snprintf(path, sizeof path, "%s/m.c", workdir);
  if (rc == 0 && (rc = patch_source(path, name, err, err_len)) != 0 &&
      rc != PARIGOT_EIO)
    return rc;
  snprintf(path, sizeof path, "%s/glue.c", workdir);
  if (rc == 0)
    rc = write_glue(path, info);
  if (rc == PARIGOT_EIO) {
    snprintf(err, err_len, "%s: cannot write in %s: %s", name, workdir,
             strerror(errno));
    return rc;
  }
  return build(tc, workdir, out_so, name, err, err_len);
}
