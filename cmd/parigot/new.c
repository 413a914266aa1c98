/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/new.c: `parigot new DIR [--lang L]`: writes a working app
 * into a new folder: a proto, a service, a program, a test, a manifest,
 * a CMake build on the installed parigot package and a Makefile whose
 * `make run` and `make test` are the two commands of its README.
 *
 * The files come from cmd/parigot/templates/ (common/ and one folder per
 * language, whose files replace common ones of the same path), compiled
 * in (templates.h), with @APP@, @LANGUAGE@ and @PARIGOT_PREFIX@ filled
 * in. Everything is written into a hidden folder inside DIR and moved up
 * once written: a failure leaves DIR as it was, and an existing DIR that
 * is not empty is refused. Owns that folder until it is removed.
 * Main thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "manifest.h"
#include "templates.h"

#define MAX_TOP_ENTRIES 32 /* files and folders at the top of a template */

typedef struct lang {
  const char *id;   /* --lang value, and the template set */
  const char *name; /* for the README */
} lang;

static const lang langs[] = {
    {"c", "C"},
    {"cpp", "C++"},
    {"rust", "Rust"},
    {"assemblyscript", "AssemblyScript"},
};

typedef struct new_opts {
  const char *dir;
  const char *name;   /* --name, else DIR's last part */
  const char *prefix; /* --prefix, else where this parigot is installed */
  const lang *lang;
} new_opts;

enum { OPT_LANG, OPT_NAME, OPT_PREFIX };

static const pg_cli_opt new_opts_table[] = {
    {OPT_LANG, "--lang", "c|cpp|rust|assemblyscript",
     "the language of the service, the program and the test (default c)"},
    {OPT_NAME, "--name", "NAME",
     "the app's name (default: DIR's last part): a lowercase letter, then "
     "up to 63 lowercase letters, digits, '_' or '-'"},
    {OPT_PREFIX, "--prefix", "DIR",
     "the installed parigot the app builds with (default: the prefix this "
     "parigot command is installed in, such as /usr/local)"},
    {0, NULL, NULL, NULL},
};

static int new_main(int argc, char **argv);

const pg_cli_cmd pg_cli_new = {
    .name = "new",
    .summary = "write a new app, ready to build, run and test",
    .synopsis = "[options] DIR",
    .description =
        "Writes a working parigot app into DIR, which must not exist or be "
        "empty: a protobuf interface (proto/greeter/v1/greeter.proto), a "
        "service that implements it, a program that calls it, a test, the "
        "app manifest (app.toml), a CMake build that uses the installed "
        "parigot package (find_package(parigot)) and a Makefile: 'make run' "
        "builds and runs the app, 'make test' runs its tests. "
        "An AssemblyScript app gets its compiler from npm (package.json). "
        "Options may come before or after DIR.",
    .exit_status = "0 when DIR was written; 2 for a bad command line, a "
                   "DIR that exists and is not empty, or a failed write "
                   "(DIR is then left as it was).",
    .opts = new_opts_table,
    .run = new_main,
};

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *value) {
  new_opts *o = ctx;
  if (opt == NULL) {
    if (o->dir != NULL) {
      pg_cli_error("new: expected one DIR, got %s and %s", o->dir, value);
      return -1;
    }
    o->dir = value;
    return 0;
  }
  switch (opt->id) {
  case OPT_LANG:
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
      if (strcmp(value, langs[i].id) == 0)
        o->lang = &langs[i];
    if (o->lang == NULL || strcmp(o->lang->id, value) != 0) {
      pg_cli_error("new: --lang %s: expected c, cpp, rust or "
                   "assemblyscript",
                   value);
      return -1;
    }
    return 0;
  case OPT_NAME:
    o->name = value;
    return 0;
  default:
    o->prefix = value;
    return 0;
  }
}

/* The prefix this parigot is installed in (PREFIX/bin/parigot with the
 * CMake package in PREFIX/lib/cmake/parigot), into @p out; -1 when it is
 * not an installed one (a build tree's). */
static int installed_prefix(char *out, size_t len) {
  char self[PATH_MAX], probe[PATH_MAX + 64];
  if (realpath("/proc/self/exe", self) == NULL)
    return -1;
  for (int up = 0; up < 2; up++) { /* .../bin/parigot -> ... */
    char *slash = strrchr(self, '/');
    if (slash == NULL || slash == self)
      return -1;
    *slash = '\0';
  }
  snprintf(probe, sizeof probe, "%s/lib/cmake/parigot/parigotConfig.cmake",
           self);
  if (access(probe, R_OK) != 0 || strlen(self) >= len)
    return -1;
  snprintf(out, len, "%s", self);
  return 0;
}

/* Is @p path a folder with nothing in it? */
static bool is_empty_dir(const char *path) {
  DIR *d = opendir(path);
  if (d == NULL)
    return false;
  const struct dirent *e;
  bool is_empty = true;
  while (is_empty && (e = readdir(d)) != NULL)
    is_empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
  closedir(d);
  return is_empty;
}

/* mkdir -p for the folders of @p path (a file's path). */
static int make_parents(char *path) {
  for (char *p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
    *p = '\0';
    int rc = mkdir(path, 0777);
    *p = '/';
    if (rc != 0 && errno != EEXIST)
      return -1;
  }
  return 0;
}

/* Writes @p f's text to @p out with the placeholders filled in. */
static int write_filled(FILE *out, const pg_template_file *f,
                        const char *const vars[][2], size_t nvars) {
  const char *p = f->text, *end = f->text + f->len_bytes;
  while (p < end) {
    size_t i = nvars;
    if (*p == '@')
      for (i = 0; i < nvars; i++)
        if (strncmp(p, vars[i][0], strlen(vars[i][0])) == 0)
          break;
    if (i < nvars) {
      fputs(vars[i][1], out);
      p += strlen(vars[i][0]);
    } else {
      fputc(*p++, out);
    }
  }
  return ferror(out) ? -1 : 0;
}

/* Does the language set have its own file at @p path? */
static bool is_overridden(const char *set, const char *path) {
  for (size_t i = 0; i < pg_template_nfiles; i++)
    if (strcmp(pg_template_files[i].set, set) == 0 &&
        strcmp(pg_template_files[i].path, path) == 0)
      return true;
  return false;
}

static int write_tree(const char *root, const new_opts *o) {
  const char *const vars[][2] = {
      {"@APP@", o->name},
      {"@LANGUAGE@", o->lang->name},
      {"@PARIGOT_PREFIX@", o->prefix},
  };
  for (size_t i = 0; i < pg_template_nfiles; i++) {
    const pg_template_file *f = &pg_template_files[i];
    bool is_common = strcmp(f->set, "common") == 0;
    if (!(is_common ? !is_overridden(o->lang->id, f->path)
                    : strcmp(f->set, o->lang->id) == 0))
      continue;
    char path[PATH_MAX];
    /* "gitignore" is kept without its dot in the source tree. */
    bool is_dot = strcmp(f->path, "gitignore") == 0;
    if (snprintf(path, sizeof path, "%s/%s%s", root, is_dot ? "." : "",
                 f->path) >= (int)sizeof path ||
        make_parents(path) != 0)
      return -1;
    FILE *out = fopen(path, "wx");
    if (out == NULL)
      return -1;
    int rc = write_filled(out, f, vars, sizeof vars / sizeof vars[0]);
    if (fclose(out) != 0 || rc != 0)
      return -1;
  }
  return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void remove_tree(const char *path) {
  nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Moves what @p tmp holds into @p dir, its parent, never over a file
 * that appeared there meanwhile; on failure removes from @p dir what it
 * moved. The names are read first: a folder changes under readdir. */
static int move_up(const char *tmp, const char *dir) {
  char names[MAX_TOP_ENTRIES][NAME_MAX + 1];
  size_t n = 0, moved = 0;
  int rc = 0;
  DIR *d = opendir(tmp);
  const struct dirent *e;
  while (rc == 0 && d != NULL && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (n == MAX_TOP_ENTRIES)
      rc = -1;
    else
      snprintf(names[n++], sizeof names[0], "%s", e->d_name);
  }
  if (d == NULL || closedir(d) != 0)
    rc = -1;
  for (; rc == 0 && moved < n; moved++) {
    char from[PATH_MAX], to[PATH_MAX];
    if (snprintf(from, sizeof from, "%s/%s", tmp, names[moved]) >=
            (int)sizeof from ||
        snprintf(to, sizeof to, "%s/%s", dir, names[moved]) >= (int)sizeof to ||
        renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0)
      rc = -1;
  }
  for (size_t i = 0; rc != 0 && i < moved; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    remove_tree(path);
  }
  return rc;
}

/* The installed parigot at @p given (made absolute into @p out), or the
 * one this command belongs to; -1 after saying what is wrong. */
static int find_prefix(const char *given, char *out, size_t len) {
  if (given == NULL) {
    if (installed_prefix(out, len) == 0)
      return 0;
    pg_cli_error("new: this parigot is not an installed one (no "
                 "PREFIX/lib/cmake/parigot beside it): run 'make install' "
                 "in parigot's tree first, or give --prefix");
    return -1;
  }
  char real[PATH_MAX], probe[PATH_MAX + 64];
  if (realpath(given, real) == NULL || strlen(real) >= len) {
    pg_cli_error("new: --prefix %s: %s", given, strerror(errno));
    return -1;
  }
  snprintf(probe, sizeof probe, "%s/lib/cmake/parigot/parigotConfig.cmake",
           real);
  if (access(probe, R_OK) != 0) {
    pg_cli_error("new: --prefix %s: no installed parigot there (no %s)", given,
                 probe);
    return -1;
  }
  snprintf(out, len, "%s", real);
  return 0;
}

static int new_main(int argc, char **argv) {
  new_opts o = {.lang = &langs[0]};
  int rest, p = pg_cli_parse(&pg_cli_new, argc, argv, on_arg, &o, &rest);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(&pg_cli_new, stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  if (o.dir == NULL) {
    pg_cli_error("new: expected DIR (see 'parigot new --help')");
    return PG_EXIT_USAGE;
  }
  char dir[PATH_MAX], prefix[PATH_MAX];
  if (snprintf(dir, sizeof dir, "%s", o.dir) >= (int)sizeof dir) {
    pg_cli_error("new: %s: the path is too long", o.dir);
    return PG_EXIT_USAGE;
  }
  while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
    dir[strlen(dir) - 1] = '\0';
  char real[PATH_MAX];
  if (o.name == NULL) { /* DIR's last part; "." is the folder's own name */
    const char *base = realpath(dir, real) ? real : dir;
    const char *slash = strrchr(base, '/');
    o.name = slash ? slash + 1 : base;
  }
  if (!pg_manifest_is_valid_name(o.name, strlen(o.name))) {
    pg_cli_error("new: '%s' is not a good app name (a lowercase letter, then "
                 "up to %d lowercase letters, digits, '_' or '-'): give one "
                 "with --name",
                 o.name, PG_MANIFEST_NAME_MAX - 1);
    return PG_EXIT_USAGE;
  }
  if (find_prefix(o.prefix, prefix, sizeof prefix) != 0)
    return PG_EXIT_USAGE;
  o.prefix = prefix;
  /* DIR is made, or must be empty; the files are written into a hidden
   * folder inside it and moved up only when all are written, so a failed
   * write leaves DIR as it was. */
  bool is_made = mkdir(dir, 0777) == 0;
  int e = errno;
  if (!is_made && (e != EEXIST || !is_empty_dir(dir))) {
    pg_cli_error("new: %s: %s", dir,
                 e == EEXIST ? "exists and is not an empty folder"
                             : strerror(e));
    return PG_EXIT_USAGE;
  }
  char tmp[PATH_MAX + 32];
  snprintf(tmp, sizeof tmp, "%s/.parigot-new-XXXXXX", dir);
  bool has_tmp = mkdtemp(tmp) != NULL;
  int rc = has_tmp ? write_tree(tmp, &o) : -1;
  if (rc == 0)
    rc = move_up(tmp, dir);
  e = errno;
  if (has_tmp)
    remove_tree(tmp);
  if (rc != 0) {
    if (is_made)
      rmdir(dir);
    pg_cli_error("new: cannot write %s: %s", dir, strerror(e));
    return PG_EXIT_USAGE;
  }
  printf("wrote %s: a %s app named %s; next: cd %s && make run\n", dir,
         o.lang->name, o.name, dir);
  return 0;
}
