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
 * in. Everything is written into a temporary folder beside DIR, which is
 * then renamed to DIR: a failure leaves nothing behind, and an existing
 * DIR that is not empty is refused. Owns that folder until the rename.
 * Main thread.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "templates.h"

#define NAME_MAX_BYTES 64

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

/* A name a manifest takes for its app (config/manifest.c): a lowercase
 * letter, then lowercase letters, digits, '_' or '-'. */
static bool is_good_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > NAME_MAX_BYTES || !(s[0] >= 'a' && s[0] <= 'z'))
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
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

/* Is @p path missing, or an empty folder? */
static bool is_free(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0)
    return errno == ENOENT;
  if (!S_ISDIR(st.st_mode))
    return false;
  return rmdir(path) == 0; /* empty: the rename puts the new one there */
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
  snprintf(dir, sizeof dir, "%s", o.dir);
  while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
    dir[strlen(dir) - 1] = '\0';
  if (o.name == NULL) {
    const char *slash = strrchr(dir, '/');
    o.name = slash ? slash + 1 : dir;
  }
  if (!is_good_name(o.name)) {
    pg_cli_error("new: '%s' is not a good app name (a lowercase letter, then "
                 "up to %d lowercase letters, digits, '_' or '-'): give one "
                 "with --name",
                 o.name, NAME_MAX_BYTES - 1);
    return PG_EXIT_USAGE;
  }
  if (o.prefix == NULL) {
    if (installed_prefix(prefix, sizeof prefix) != 0) {
      pg_cli_error("new: this parigot is not an installed one (no "
                   "PREFIX/lib/cmake/parigot beside it): run 'make install' "
                   "in parigot's tree first, or give --prefix");
      return PG_EXIT_USAGE;
    }
    o.prefix = prefix;
  }
  if (!is_free(dir)) {
    pg_cli_error("new: %s exists and is not an empty folder", dir);
    return PG_EXIT_USAGE;
  }
  char tmp[PATH_MAX + 16];
  snprintf(tmp, sizeof tmp, "%s.new-XXXXXX", dir);
  if (mkdtemp(tmp) == NULL) {
    pg_cli_error("new: cannot make a folder beside %s: %s", dir,
                 strerror(errno));
    return PG_EXIT_USAGE;
  }
  mode_t mask = umask(0);
  umask(mask); /* mkdtemp's folder is 0700; DIR gets what mkdir gives */
  if (write_tree(tmp, &o) != 0 || chmod(tmp, 0777 & ~mask) != 0 ||
      rename(tmp, dir) != 0) {
    int e = errno;
    nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    pg_cli_error("new: cannot write %s: %s", dir, strerror(e));
    return PG_EXIT_USAGE;
  }
  printf("wrote %s: a %s app named %s; next: cd %s && make run\n", dir,
         o.lang->name, o.name, dir);
  return 0;
}
