/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/build.c: `parigot build APP.toml --unit NAME -o DIR` makes
 * DIR/NAME, the unit as one self-contained native executable: this
 * parigot, with its guests compiled ahead of time, their wasm, and the
 * manifest appended to it. Run, the executable is that unit (as `parigot
 * run APP.toml --unit NAME`), on any machine of the same kind, with no
 * compiler: the compiled objects are loaded as they are, found by the
 * SHA-256 of their wasm.
 *
 * The bundle: entries (u32 name length, name, u64 size, bytes), then a
 * trailer of the entries' offset (u64) and the magic "PGBUNDL1". At start
 * the executable reads its own trailer (pg_bundle_main), unpacks the
 * entries into a private temporary folder, runs the unit, and removes
 * the folder.
 *
 * Owns the files it writes. Main thread.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi.h"
#include "bundle.h"
#include "cli.h"
#include "engine.h"
#include "manifest.h"
#include "parigot/error.h"
#include "sha256.h"

static const char magic[8] = {'P', 'G', 'B', 'U', 'N', 'D', 'L', '1'};

/* ---- writing ------------------------------------------------------------ */

static bool put_entry(FILE *out, const char *name, const void *data,
                      uint64_t size) {
  uint32_t n = (uint32_t)strlen(name);
  return fwrite(&n, 4, 1, out) == 1 && fwrite(name, 1, n, out) == n &&
         fwrite(&size, 8, 1, out) == 1 &&
         (size == 0 || fwrite(data, 1, size, out) == size);
}

/* The bytes of @p path, malloc'ed; NULL on error. */
static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long n;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
      fread(buf, 1, (size_t)n, f) == (size_t)n) {
    *len = (size_t)n;
    fclose(f);
    return buf;
  }
  free(buf);
  if (f != NULL)
    fclose(f);
  return NULL;
}

static bool put_file(FILE *out, const char *name, const char *path) {
  size_t len;
  uint8_t *data = slurp(path, &len);
  bool ok = data != NULL && put_entry(out, name, data, len);
  free(data);
  return ok;
}

/* Whether unit @p u runs guest @p g, or declares it as a remote service:
 * then its module is compiled ahead of time. */
static bool needs_module(const pg_manifest *m, const pg_manifest_unit *u,
                         const pg_manifest_guest *g) {
  if (&m->units[g->unit] == u)
    return !g->is_test;
  return !g->is_program;
}

/* Compiles what the unit loads (into the cache, if not there yet) and
 * appends every entry of the bundle to @p out. */
static int write_entries(const pg_manifest *m, const pg_manifest_unit *u,
                         FILE *out, char *err, size_t err_len) {
  pg_engine *e;
  pg_engine_config ec = {.host_modules = &pg_abi_module, .nhost_modules = 1};
  int rc = pg_engine_new(&e, &ec, pg_mem_default(), err, err_len);
  if (rc != 0)
    return rc;
  const char **wasm = calloc(m->nguests + 1, sizeof *wasm);
  char(*names)[32] = calloc(m->nguests + 1, sizeof *names);
  if (wasm == NULL || names == NULL)
    rc = PARIGOT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < m->nguests; i++) {
    const pg_manifest_guest *g = &m->guests[i];
    if (g->native != NULL)
      continue; /* the host's own: nothing to carry */
    snprintf(names[i], sizeof names[i], "wasm/%zu.wasm", i);
    wasm[i] = names[i];
    size_t len;
    uint8_t *bytes = slurp(g->wasm, &len);
    if (bytes == NULL || !put_entry(out, names[i], bytes, len)) {
      snprintf(err, err_len, "%s: cannot read %s", g->name, g->wasm);
      rc = PARIGOT_EIO;
    }
    pg_module *mod = NULL;
    if (rc == 0 && needs_module(m, u, g) &&
        (rc = pg_module_load(e, g->wasm, &mod)) != 0)
      snprintf(err, err_len, "%s: %s", g->name, pg_engine_errmsg(e));
    if (rc == 0 && mod != NULL) {
      uint8_t digest[PG_SHA256_LEN];
      char hex[65], name[96];
      pg_sha256 s;
      pg_sha256_init(&s);
      pg_sha256_update(&s, bytes, len);
      pg_sha256_final(&s, digest);
      pg_sha256_hex(digest, hex);
      snprintf(name, sizeof name, "prebuilt/%s.so", hex);
      if (!put_file(out, name, pg_module_object(mod))) {
        snprintf(err, err_len, "%s: cannot read its compiled object", g->name);
        rc = PARIGOT_EIO;
      }
    }
    pg_module_free(mod);
    free(bytes);
  }
  char *text = NULL;
  size_t text_len = 0;
  FILE *mf = rc == 0 ? open_memstream(&text, &text_len) : NULL;
  if (rc == 0 &&
      (mf == NULL || pg_manifest_write(m, wasm, mf) != 0 || fclose(mf) != 0 ||
       !put_entry(out, "app.toml", text, text_len) ||
       !put_entry(out, "unit", u->name, strlen(u->name)))) {
    snprintf(err, err_len, "cannot write the bundle's manifest");
    rc = PARIGOT_EIO;
  }
  free(text);
  free(wasm);
  free(names);
  pg_engine_free(e);
  return rc;
}

static int build(const pg_manifest *m, const pg_manifest_unit *u,
                 const char *dir, char *err, size_t err_len) {
  char self[PATH_MAX], path[PATH_MAX + 256];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    snprintf(err, err_len, "cannot find the parigot executable");
    return PARIGOT_EIO;
  }
  self[n] = '\0';
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, err_len, "cannot make %s: %s", dir, strerror(errno));
    return PARIGOT_EIO;
  }
  /* Written beside, then renamed: no half-written unit is ever there. */
  snprintf(path, sizeof path, "%s/.%s.tmp", dir, u->name);
  FILE *out = fopen(path, "wb");
  size_t len;
  uint8_t *exe = slurp(self, &len);
  int rc = out != NULL && exe != NULL && fwrite(exe, 1, len, out) == len
               ? write_entries(m, u, out, err, err_len)
               : PARIGOT_EIO;
  uint64_t at = len;
  if (rc == 0 && (fwrite(&at, 8, 1, out) != 1 || fwrite(magic, 1, 8, out) != 8))
    rc = PARIGOT_EIO;
  if (out != NULL && fclose(out) != 0)
    rc = rc ? rc : PARIGOT_EIO;
  free(exe);
  char final[PATH_MAX + 256];
  snprintf(final, sizeof final, "%s/%s", dir, u->name);
  if (rc == 0 && (chmod(path, 0755) != 0 || rename(path, final) != 0))
    rc = PARIGOT_EIO;
  if (rc != 0) {
    if (err[0] == '\0')
      snprintf(err, err_len, "cannot write %.1024s: %s", final,
               strerror(errno));
    unlink(path);
  }
  return rc;
}

enum { OPT_UNIT, OPT_OUT };

static const pg_cli_opt build_opts[] = {
    {OPT_UNIT, "--unit", "NAME", "the [[unit]] of APP.toml to build"},
    {OPT_OUT, "-o", "DIR",
     "the folder to write the executable DIR/NAME in (made if need be)"},
    {0, NULL, NULL, NULL},
};

static int build_main(int argc, char **argv);

const pg_cli_cmd pg_cli_build = {
    .name = "build",
    .summary = "make a unit one native executable",
    .synopsis = "APP.toml --unit NAME -o DIR",
    .description =
        "Makes DIR/NAME: unit NAME of the app as one native executable, its "
        "guests compiled ahead of time. Run, it is that unit, as 'parigot "
        "run APP.toml --unit NAME', and needs no compiler; 'parigot up "
        "APP.toml --bin DIR' runs the units built into DIR. Options may "
        "come before or after APP.toml.",
    .exit_status = "0 when DIR/NAME was written (its path is printed); 2 "
                   "otherwise, with the reason.",
    .opts = build_opts,
    .run = build_main,
};

typedef struct build_args {
  const char *manifest, *unit, *dir;
} build_args;

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *v) {
  build_args *a = ctx;
  if (opt == NULL && a->manifest != NULL) {
    pg_cli_error("build: expected one APP.toml, got %s and %s", a->manifest, v);
    return -1;
  }
  *(opt == NULL ? &a->manifest : opt->id == OPT_UNIT ? &a->unit : &a->dir) = v;
  return 0;
}

static int build_main(int argc, char **argv) {
  build_args a = {NULL, NULL, NULL};
  int rest, p = pg_cli_parse(&pg_cli_build, argc, argv, on_arg, &a, &rest);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(&pg_cli_build, stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  const char *manifest = a.manifest, *unit = a.unit, *dir = a.dir;
  if (manifest == NULL || unit == NULL || dir == NULL) {
    pg_cli_error("build: expected APP.toml, --unit NAME and -o DIR (see "
                 "'parigot build --help')");
    return PG_EXIT_USAGE;
  }
  char err[4096] = "";
  pg_manifest m;
  if (pg_manifest_load(manifest, pg_mem_default(), &m, err, sizeof err)) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  const pg_manifest_unit *u = NULL;
  for (size_t i = 0; i < m.nunits; i++)
    if (strcmp(m.units[i].name, unit) == 0)
      u = &m.units[i];
  int rc = 0;
  if (u == NULL || u->serves != NULL) {
    pg_cli_error("build: %s has no unit %s of parigot's", manifest, unit);
    rc = PG_EXIT_USAGE;
  } else if (build(&m, u, dir, err, sizeof err) != 0) {
    pg_cli_error("build: %s", err);
    rc = PG_EXIT_USAGE;
  } else {
    printf("%s/%s\n", dir, unit);
  }
  pg_manifest_free(&m, pg_mem_default());
  return rc;
}

/* ---- running ------------------------------------------------------------ */

void pg_bundle_remove(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *ent;
  while (d != NULL && (ent = readdir(d)) != NULL) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
      continue;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
      pg_bundle_remove(path);
    else
      unlink(path);
  }
  if (d != NULL)
    closedir(d);
  rmdir(dir);
}

/* Writes an entry's bytes to @p path. A wasm file already there (from
 * another unit unpacked into the same folder) must have the same bytes:
 * 2 when it has not; -1 on error. */
static int write_entry(const char *path, bool is_wasm, const uint8_t *data,
                       uint64_t size) {
  size_t len;
  uint8_t *old = is_wasm ? slurp(path, &len) : NULL;
  if (old != NULL) {
    bool is_same = len == size && memcmp(old, data, len) == 0;
    free(old);
    return is_same ? 0 : 2;
  }
  FILE *o = fopen(path, "wb");
  bool ok = o != NULL && fwrite(data, 1, size, o) == size;
  return o == NULL || fclose(o) != 0 || !ok ? -1 : 0;
}

/* Writes each entry of the bundle at @p at in @p f under @p dir; the
 * unit's name goes to @p unit. Every length is checked against the file. */
static int unpack(FILE *f, uint64_t at, uint64_t end, const char *dir,
                  char *unit, size_t unit_cap) {
  if (fseek(f, (long)at, SEEK_SET) != 0)
    return -1;
  char sub[PATH_MAX + 32];
  snprintf(sub, sizeof sub, "%s/wasm", dir);
  mkdir(sub, 0700);
  snprintf(sub, sizeof sub, "%s/prebuilt", dir);
  mkdir(sub, 0700);
  while ((uint64_t)ftell(f) < end) {
    uint32_t n;
    uint64_t size;
    char name[256], path[PATH_MAX + 300];
    if (fread(&n, 4, 1, f) != 1 || n == 0 || n >= sizeof name ||
        fread(name, 1, n, f) != n || fread(&size, 8, 1, f) != 1 ||
        size > end - (uint64_t)ftell(f))
      return -1;
    name[n] = '\0';
    if (strstr(name, "..") != NULL || name[0] == '/')
      return -1;
    uint8_t *data = malloc(size + 1);
    if (data == NULL || fread(data, 1, size, f) != size) {
      free(data);
      return -1;
    }
    int rc = 0;
    if (strcmp(name, "unit") == 0) {
      snprintf(unit, unit_cap, "%.*s", (int)size, (const char *)data);
    } else {
      snprintf(path, sizeof path, "%s/%s", dir, name);
      rc = write_entry(path, strncmp(name, "wasm/", 5) == 0, data, size);
    }
    free(data);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* Whether @p f ends in a bundle's trailer; then @p at gets where its
 * entries start and @p end where they end. */
static bool read_trailer(FILE *f, uint64_t *at, uint64_t *end) {
  char tail[16];
  long size;
  if (fseek(f, -16, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fread(tail, 1, 16, f) != 16 || memcmp(tail + 8, magic, 8) != 0)
    return false;
  memcpy(at, tail, 8);
  *end = (uint64_t)size;
  return *at <= *end;
}

int pg_bundle_unpack(const char *exe, const char *dir, char *unit,
                     size_t unit_cap) {
  FILE *f = fopen(exe, "rb");
  uint64_t at, end;
  if (f == NULL)
    return -1;
  int rc = 1;
  if (read_trailer(f, &at, &end)) {
    unit[0] = '\0';
    rc = unpack(f, at, end, dir, unit, unit_cap);
    if (rc == 0 && unit[0] == '\0')
      rc = -1;
  }
  fclose(f);
  return rc;
}

/* Whether this executable is a unit parigot build made. */
static bool is_bundle(const char *self) {
  FILE *f = fopen(self, "rb");
  uint64_t at, end;
  bool is = f != NULL && read_trailer(f, &at, &end);
  if (f != NULL)
    fclose(f);
  return is;
}

int pg_bundle_main(int argc, char **argv) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return -1;
  self[n] = '\0';
  if (!is_bundle(self))
    return -1; /* plain parigot */
  if (argc > 1) {
    printf("usage: %s\n\nA unit built by 'parigot build': it runs as "
           "'parigot run APP.toml --unit NAME' does, with its guests\n"
           "compiled ahead of time.\n",
           argv[0]);
    return strcmp(argv[1], "--help") == 0 ? 0 : PG_EXIT_USAGE;
  }
  const char *tmp = getenv("TMPDIR");
  char dir[PATH_MAX], unit[128] = "", manifest[PATH_MAX + 32],
                      prebuilt[PATH_MAX + 32], cache[PATH_MAX + 32];
  snprintf(dir, sizeof dir, "%s/parigot-unit-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL ||
      pg_bundle_unpack(self, dir, unit, sizeof unit) != 0) {
    pg_cli_error("%s: cannot unpack the unit (a damaged file?)", self);
    pg_bundle_remove(dir);
    return PG_EXIT_USAGE;
  }
  snprintf(manifest, sizeof manifest, "%s/app.toml", dir);
  snprintf(prebuilt, sizeof prebuilt, "%s/prebuilt", dir);
  snprintf(cache, sizeof cache, "%s/cache", dir);
  setenv("PARIGOT_CACHE", cache, 1); /* never written: all prebuilt */
  char *run_argv[] = {"run", manifest, "--unit", unit, NULL};
  int status = pg_cmd_run_prebuilt(4, run_argv, prebuilt);
  pg_bundle_remove(dir);
  return status;
}
