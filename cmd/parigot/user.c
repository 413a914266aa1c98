/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/user.c: `parigot user add|passwd|del|list`: edits an app's
 * users (an htpasswd file) and their roles (an Apache group file), named by
 * the app manifest's [auth] table or by --file and --groups.
 *
 * Reads a password from the terminal without echo (twice), or one line of
 * stdin with --password-stdin; never from the command line. Owns its
 * copies of the files (auth/htpasswd.h) and of the password, wiped once
 * hashed. Calls pgauth for files and hashes, pgconfig for the manifest.
 * Main thread; a signal while echo is off puts the terminal back first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "htpasswd.h"
#include "manifest.h"
#include "parigot/error.h"
#include "password.h"
#include "users.h"

#define MAX_ROLES 32
#define ERR_MAX 1024

enum { OPT_FILE, OPT_GROUPS, OPT_ROLE, OPT_BCRYPT, OPT_STDIN };

static const pg_cli_opt user_opts_table[] = {
    {OPT_FILE, "--file", "USERS",
     "the htpasswd file to edit, instead of the manifest's [auth] users"},
    {OPT_GROUPS, "--groups", "FILE",
     "the group file (\"role: login login\" lines) to edit, instead of the "
     "manifest's [auth] groups"},
    {OPT_ROLE, "--role", "ROLE",
     "add: also add the user to ROLE in the group file (repeatable)"},
    {OPT_BCRYPT, "--bcrypt", NULL,
     "add, passwd: write a bcrypt hash ($2y$, cost 12), which Apache reads "
     "too, instead of yescrypt ($y$)"},
    {OPT_STDIN, "--password-stdin", NULL,
     "add, passwd: read the password as one line of standard input instead "
     "of asking for it twice on the terminal"},
    {0, NULL, NULL, NULL},
};

static int user_main(int argc, char **argv);

const pg_cli_cmd pg_cli_user = {
    .name = "user",
    .summary = "add, change, remove or list the users who may log in to an "
               "app",
    .synopsis = "add|passwd|del|list [APP.toml] [LOGIN] [options]",
    .description =
        "Edits the users of an app: an htpasswd file of \"login:hash\" "
        "lines and, optionally, a group file of \"role: login login\" lines "
        "(Apache's AuthGroupFile), the ones the manifest's [auth] table "
        "names (users, groups), or the ones --file and --groups name, in "
        "which case no APP.toml is given.\n\n"
        "'add LOGIN' adds a user, asking for the password twice on the "
        "terminal without echo (or reading it with --password-stdin); "
        "--role adds them to roles. A login is 1 to 64 of A-Z a-z 0-9 . _ "
        "@ -. 'passwd LOGIN' sets the password of a user again. 'del LOGIN' "
        "removes the user from the users file and from every role. 'list' "
        "prints each user, a tab and their roles joined by ',' ('-' for "
        "none), and a third field when the user's hash is one parigot "
        "cannot check; it never prints a hash.\n\n"
        "A password is never taken from the command line. An empty one is "
        "refused. New hashes are yescrypt ($y$) unless --bcrypt is given; "
        "existing $2y$, $2b$, $2a$, $6$ and $5$ hashes (htpasswd -B, -5, -2) "
        "are read too, and $apr1$ (htpasswd's default) is not: see "
        "docs/auth.md.\n\n"
        "The files are written whole and atomically (a new file beside the "
        "old one, synced, renamed over it), with every other line kept as "
        "it was, and their permissions; a new file is readable by its owner "
        "only (0600). A running app reads them again within a second. "
        "Options may come before or after the operands.",
    .exit_status = "0 when done; 1 when the files could not be read or "
                   "written, a line of them is malformed (the message names "
                   "the file and line), the user is already there (add) or "
                   "is not (passwd, del), or the password was refused; 2 "
                   "for a bad command line or manifest.",
    .opts = user_opts_table,
    .run = user_main,
};

typedef enum action { ADD, PASSWD, DEL, LIST } action;

typedef struct user_opts {
  const char *operands[3]; /* ACTION [APP.toml] [LOGIN] */
  int noperands;
  const char *file, *groups;
  const char *roles[MAX_ROLES];
  int nroles;
  bool is_bcrypt, is_stdin;
} user_opts;

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *value) {
  user_opts *o = ctx;
  if (opt == NULL) {
    if (o->noperands == 3) {
      pg_cli_error("user: unexpected operand %s (see 'parigot user --help')",
                   value);
      return -1;
    }
    o->operands[o->noperands++] = value;
    return 0;
  }
  switch (opt->id) {
  case OPT_FILE:
    o->file = value;
    break;
  case OPT_GROUPS:
    o->groups = value;
    break;
  case OPT_ROLE:
    if (!pg_role_valid(value, strlen(value))) {
      pg_cli_error("user: --role %s: a role is 1 to 64 of A-Z a-z 0-9 . _ -",
                   value);
      return -1;
    }
    if (o->nroles == MAX_ROLES) {
      pg_cli_error("user: more than %d --role", MAX_ROLES);
      return -1;
    }
    o->roles[o->nroles++] = value;
    break;
  case OPT_BCRYPT:
    o->is_bcrypt = true;
    break;
  case OPT_STDIN:
    o->is_stdin = true;
    break;
  }
  return 0;
}

/* ---- reading a password ---- */

/* The terminal whose echo is off, for the signal handler to put back. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;

static void restore_tty(int sig) {
  if (tty_fd >= 0)
    tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
  signal(sig, SIG_DFL);
  raise(sig);
}

/* One line of @p fd into @p buf (without its newline, and a '\r' before
 * it), at most PG_PASSWORD_MAX bytes. Returns its length, -1 at the end of
 * input before any newline and with nothing read, -2 when it is too long. */
static long read_line(int fd, char *buf) {
  size_t len = 0;
  bool is_long = false, has_any = false;
  for (;;) {
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (!has_any)
        return -1;
      break;
    }
    has_any = true;
    if (c == '\n')
      break;
    if (len < PG_PASSWORD_MAX + 1)
      buf[len++] = c;
    else
      is_long = true;
  }
  if (len > 0 && buf[len - 1] == '\r')
    len--;
  if (is_long || len > PG_PASSWORD_MAX)
    return -2;
  buf[len] = 0;
  return (long)len;
}

/* Asks on the terminal with echo off (switched off before the prompt is
 * shown, so nothing typed after it is echoed). Returns the length or a
 * negative. */
static long ask(int fd, const char *prompt, char *buf) {
  struct termios off;
  if (tcgetattr(fd, &tty_saved) != 0)
    return -3;
  off = tty_saved;
  off.c_lflag &= ~(tcflag_t)ECHO;
  off.c_lflag |= ECHONL;
  tty_fd = fd;
  signal(SIGINT, restore_tty);
  signal(SIGTERM, restore_tty);
  signal(SIGHUP, restore_tty);
  tcsetattr(fd, TCSAFLUSH, &off);
  long len = write(fd, prompt, strlen(prompt)) < 0 ? -1 : read_line(fd, buf);
  tcsetattr(fd, TCSAFLUSH, &tty_saved);
  tty_fd = -1;
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  return len;
}

/* The new password of @p login into @p pw (PG_PASSWORD_MAX + 2 bytes):
 * its length, or -1 after saying why. */
static long get_password(const user_opts *o, const char *login, char *pw) {
  if (o->is_stdin) {
    long len = read_line(STDIN_FILENO, pw);
    if (len == -1)
      pg_cli_error("user: no password on standard input");
    else if (len == -2)
      pg_cli_error("user: the password is longer than %d bytes",
                   PG_PASSWORD_MAX);
    return len < 0 ? -1 : len;
  }
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    pg_cli_error("user: no terminal to ask for the password on: give it "
                 "on standard input with --password-stdin");
    return -1;
  }
  char prompt[128], again[PG_PASSWORD_MAX + 2];
  snprintf(prompt, sizeof prompt, "New password for %s: ", login);
  long len = ask(fd, prompt, pw);
  long len2 = len >= 0 ? ask(fd, "Again: ", again) : -1;
  close(fd);
  bool is_same = len >= 0 && len == len2 && memcmp(pw, again, (size_t)len) == 0;
  explicit_bzero(again, sizeof again);
  if (len == -2 || len2 == -2) {
    pg_cli_error("user: the password is longer than %d bytes", PG_PASSWORD_MAX);
    return -1;
  }
  if (len < 0 || len2 < 0) {
    pg_cli_error("user: no password read from the terminal");
    return -1;
  }
  if (!is_same) {
    pg_cli_error("user: the two passwords differ; nothing was changed");
    return -1;
  }
  return len;
}

/* The hash of a new password for @p login into @p hash; 0 or -1. */
static int new_hash(const user_opts *o, const char *login,
                    char hash[PG_PASSWORD_HASH_MAX + 1]) {
  char *pw = malloc(PG_PASSWORD_MAX + 2);
  if (!pw) {
    pg_cli_error("user: out of memory");
    return -1;
  }
  long len = get_password(o, login, pw);
  int rc = -1;
  char err[256];
  if (len >= 0) {
    int e = pg_password_hash(pw, (size_t)len,
                             o->is_bcrypt ? PG_PASSWORD_BCRYPT
                                          : PG_PASSWORD_YESCRYPT,
                             pg_mem_default(), hash, err, sizeof err);
    if (e != 0)
      pg_cli_error("user: %s; nothing was changed", err);
    rc = e == 0 ? 0 : -1;
  }
  explicit_bzero(pw, PG_PASSWORD_MAX + 2);
  free(pw);
  return rc;
}

/* ---- the files ---- */

typedef struct files {
  const char *users_path, *groups_path; /* groups_path may be NULL */
  pg_htfile users, groups;
} files;

/* Reads and checks both files; a missing users file is empty only for
 * add, a missing group file always. 0 or -1. */
static int read_files(files *f, bool is_users_optional) {
  char err[ERR_MAX];
  const pg_mem *mem = pg_mem_default();
  int rc = pg_htfile_read(f->users_path, is_users_optional, mem, &f->users,
                          NULL, err, sizeof err);
  if (rc == 0)
    rc = pg_htpasswd_check(&f->users, f->users_path, err, sizeof err);
  if (rc == 0 && f->groups_path) {
    rc = pg_htfile_read(f->groups_path, true, mem, &f->groups, NULL, err,
                        sizeof err);
    if (rc == 0)
      rc = pg_htgroup_check(&f->groups, f->groups_path, err, sizeof err);
  }
  if (rc != 0) {
    pg_cli_error("user: %s", err);
    return -1;
  }
  return 0;
}

static void free_files(files *f) {
  for (size_t i = 0; i < f->users.n; i++) /* hashes: no stray copies */
    explicit_bzero(f->users.lines[i], strlen(f->users.lines[i]));
  pg_htfile_deinit(&f->users);
  pg_htfile_deinit(&f->groups);
}

static int write_file(const pg_htfile *h, const char *path) {
  char err[ERR_MAX];
  if (pg_htfile_write(h, path, err, sizeof err) != 0) {
    pg_cli_error("user: %s", err);
    return -1;
  }
  return 0;
}

/* ---- the actions ---- */

static int add(const user_opts *o, files *f, const char *login) {
  long at = pg_htpasswd_find(&f->users, login);
  if (at >= 0) {
    pg_cli_error("user: %s is already in %s (line %ld): use 'parigot user "
                 "passwd' to set a new password",
                 login, f->users_path, at + 1);
    return 1;
  }
  char hash[PG_PASSWORD_HASH_MAX + 1];
  if (new_hash(o, login, hash) != 0)
    return 1;
  int rc = pg_htpasswd_set(&f->users, login, hash);
  for (int i = 0; rc == 0 && i < o->nroles; i++)
    rc = pg_htgroup_add(&f->groups, o->roles[i], login);
  if (rc != 0) {
    pg_cli_error("user: %s", parigot_strerror(rc));
    return 1;
  }
  if (write_file(&f->users, f->users_path) != 0 ||
      (o->nroles > 0 && write_file(&f->groups, f->groups_path) != 0))
    return 1;
  printf("added %s to %s\n", login, f->users_path);
  return 0;
}

static int passwd(const user_opts *o, files *f, const char *login) {
  if (pg_htpasswd_find(&f->users, login) < 0) {
    pg_cli_error("user: %s: no user %s", f->users_path, login);
    return 1;
  }
  char hash[PG_PASSWORD_HASH_MAX + 1];
  if (new_hash(o, login, hash) != 0)
    return 1;
  int rc = pg_htpasswd_set(&f->users, login, hash);
  if (rc != 0) {
    pg_cli_error("user: %s", parigot_strerror(rc));
    return 1;
  }
  if (write_file(&f->users, f->users_path) != 0)
    return 1;
  printf("set the password of %s in %s\n", login, f->users_path);
  return 0;
}

static int del(files *f, const char *login) {
  if (!pg_htpasswd_remove(&f->users, login)) {
    pg_cli_error("user: %s: no user %s", f->users_path, login);
    return 1;
  }
  bool changed = false;
  if (f->groups_path &&
      pg_htgroup_remove_user(&f->groups, login, &changed) != 0) {
    pg_cli_error("user: out of memory");
    return 1;
  }
  if (write_file(&f->users, f->users_path) != 0 ||
      (changed && write_file(&f->groups, f->groups_path) != 0))
    return 1;
  printf("removed %s from %s%s%s\n", login, f->users_path,
         changed ? " and " : "", changed ? f->groups_path : "");
  return 0;
}

static int list(files *f) {
  char why[256], roles[PG_USER_ROLES_MAX + 1], login[PG_USER_ID_MAX + 1];
  for (size_t i = 0; i < f->users.n; i++) {
    pg_htpasswd_entry e;
    if (pg_htpasswd_parse(f->users.lines[i], &e, why, sizeof why) != 1)
      continue;
    memcpy(login, e.login, e.login_len);
    login[e.login_len] = 0;
    if (pg_htgroup_roles(&f->groups, login, roles, sizeof roles) != 0)
      snprintf(roles, sizeof roles, "(more than fit in %d bytes)",
               PG_USER_ROLES_MAX);
    bool is_ok = pg_password_hash_ok(e.hash, e.hash_len, why, sizeof why) == 0;
    printf("%s\t%s%s%s\n", login, roles[0] ? roles : "-", is_ok ? "" : "\t",
           is_ok ? "" : why);
  }
  return 0;
}

/* The files' paths from --file/--groups or the manifest; 0 or an exit
 * status. @p m is filled when a manifest was read. */
static int find_files(user_opts *o, const char **login, files *f,
                      pg_manifest *m, bool *has_manifest) {
  action a = strcmp(o->operands[0], "list") == 0 ? LIST : ADD;
  int want = a == LIST ? 1 : 2; /* operands after the action */
  int at = 1;
  if (!o->file) {
    if (o->noperands < 2) {
      pg_cli_error("user %s: expected APP.toml, or --file USERS (see "
                   "'parigot user --help')",
                   o->operands[0]);
      return PG_EXIT_USAGE;
    }
    char err[ERR_MAX];
    int rc = pg_manifest_load_flags(o->operands[1], NULL,
                                    PG_MANIFEST_WASM_MAY_BE_MISSING, m, err,
                                    sizeof err);
    if (rc != 0) {
      pg_cli_error("%s", err);
      return PG_EXIT_USAGE;
    }
    *has_manifest = true;
    if (!m->users) {
      pg_cli_error("user: %s has no [auth] users file: add one (users = "
                   "\"users.htpasswd\"), or give --file USERS",
                   o->operands[1]);
      return PG_EXIT_USAGE;
    }
    f->users_path = m->users;
    f->groups_path = o->groups ? o->groups : m->groups;
    at = 2;
    want++;
  } else {
    f->users_path = o->file;
    f->groups_path = o->groups;
  }
  if (o->noperands > want) {
    pg_cli_error("user %s: unexpected operand %s%s", o->operands[0],
                 o->operands[want],
                 a == LIST ? ""
                           : " (a password is read from the terminal or with "
                             "--password-stdin, never from the command "
                             "line)");
    return PG_EXIT_USAGE;
  }
  if (o->noperands < want) {
    pg_cli_error("user %s: expected %sLOGIN", o->operands[0],
                 o->file ? "" : "APP.toml ");
    return PG_EXIT_USAGE;
  }
  *login = a == LIST ? NULL : o->operands[at];
  if (*login && !pg_login_valid(*login, strlen(*login))) {
    pg_cli_error("user: '%s' is not a login (1 to %d of A-Z a-z 0-9 . _ @ -)",
                 *login, PG_USER_ID_MAX);
    return PG_EXIT_USAGE;
  }
  return 0;
}

static int user_main(int argc, char **argv) {
  user_opts o = {0};
  int rest, p = pg_cli_parse(&pg_cli_user, argc, argv, on_arg, &o, &rest);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(&pg_cli_user, stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  static const char *const names[] = {"add", "passwd", "del", "list"};
  int a = -1;
  for (int i = 0; o.noperands > 0 && i < 4; i++)
    if (strcmp(o.operands[0], names[i]) == 0)
      a = i;
  if (a < 0) {
    pg_cli_error("user: expected add, passwd, del or list%s%s (see 'parigot "
                 "user --help')",
                 o.noperands ? ", got " : "", o.noperands ? o.operands[0] : "");
    return PG_EXIT_USAGE;
  }
  if ((o.nroles > 0 && a != ADD) ||
      ((o.is_bcrypt || o.is_stdin) && a != ADD && a != PASSWD)) {
    pg_cli_error("user %s: --role is for add, --bcrypt and --password-stdin "
                 "for add and passwd",
                 names[a]);
    return PG_EXIT_USAGE;
  }
  files f = {0};
  pg_manifest m = {0};
  bool has_manifest = false;
  const char *login = NULL;
  int status = find_files(&o, &login, &f, &m, &has_manifest);
  if (status == 0 && o.nroles > 0 && !f.groups_path) {
    pg_cli_error("user add: --role needs a group file: --groups FILE, or "
                 "groups in the manifest's [auth]");
    status = PG_EXIT_USAGE;
  }
  if (status == 0)
    status = read_files(&f, a == ADD) != 0 ? 1 : 0;
  if (status == 0) {
    switch ((action)a) {
    case ADD:
      status = add(&o, &f, login);
      break;
    case PASSWD:
      status = passwd(&o, &f, login);
      break;
    case DEL:
      status = del(&f, login);
      break;
    case LIST:
      status = list(&f);
      break;
    }
  }
  free_files(&f);
  if (has_manifest)
    pg_manifest_free(&m, NULL);
  return status;
}
