/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/auth/test_user.c: `parigot user` end to end through the built
 * binary: add, passwd, list and del on real files, through --file and
 * through a manifest's [auth]; passwords on stdin and typed on a real
 * pseudo-terminal without echo; the refusals (an empty password, a wrong
 * --file, a malformed line, a user there or not); the files' modes, other
 * lines kept, and no clear password in any file written. What it writes is
 * checked with pgauth and, when installed, Apache's own htpasswd -v.
 */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authtest.h"
#include "parigot/error.h"
#include "test.h"
#include "test_proc.h"
#include "users.h"

/* `parigot user ARGS...` (NULL-terminated) with @p input on stdin. */
static void user(pg_proc_result *r, const char *input, ...) {
  char *argv[32] = {(char *)pg_test_parigot(), "user"};
  int n = 2;
  va_list ap;
  va_start(ap, input);
  for (const char *a; n < 31 && (a = va_arg(ap, const char *));)
    argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  pg_proc_run(argv, input, NULL, r);
}

static int check(const char *users, const char *groups, const char *login,
                 const char *pw, pg_user *out) {
  pg_users *u = NULL;
  char err[512];
  if (pg_users_open(users, groups, pg_mem_default(), &u, err, sizeof err) != 0)
    PG_FAIL("pg_users_open: %s", err);
  pg_user scratch;
  int rc = pg_users_check(u, login, strlen(login), pw, strlen(pw),
                          out ? out : &scratch);
  pg_users_free(u);
  return rc;
}

/* Fails if any file of @p dir holds @p secret. */
static void assert_nowhere(const char *dir, const char *secret) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "grep -rqF -- '%s' '%s'", secret, dir);
  if (system(cmd) == 0)
    PG_FAIL("the clear password \"%s\" is in a file under %s", secret, dir);
}

static void expect(pg_proc_result *r, int status, const char *err_needle) {
  if (r->status != status)
    PG_FAIL("exit %d, want %d; stderr:\n%s", r->status, status, r->err);
  if (err_needle)
    ASSERT_CONTAINS(r->err, err_needle);
}

PG_TEST(user_cli_adds_changes_lists_and_removes_users) {
  const char *dir = at_dir(), *users = at_path(dir, "users.htpasswd");
  const char *groups = at_path(dir, "users.groups");
  pg_proc_result r;
  user(&r, "Tr0ub4dor&3\n", "add", "--file", users, "--groups", groups,
       "--role", "staff", "--role", "admin", "alice", "--password-stdin", NULL);
  expect(&r, 0, NULL);
  ASSERT_CONTAINS(r.out, "added alice");
  pg_proc_result_free(&r);
  user(&r, "correct horse battery staple\r\n", "add", "--file", users,
       "--groups", groups, "--bcrypt", "--password-stdin", "bob.builder@x",
       "--role", "staff", NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  /* New files: the owner's only. */
  ASSERT_EQ(at_mode(users), 0600);
  ASSERT_EQ(at_mode(groups), 0600);
  char *text = at_read(users);
  ASSERT_TRUE(strncmp(text, "alice:$y$", 9) == 0);
  ASSERT_CONTAINS(text, "\nbob.builder@x:$2y$12$");
  free(text);
  text = at_read(groups);
  ASSERT_STREQ(text, "staff: alice bob.builder@x\nadmin: alice\n");
  free(text);
  pg_user who;
  ASSERT_EQ(check(users, groups, "alice", "Tr0ub4dor&3", &who), 0);
  ASSERT_STREQ(who.roles, "admin,staff");
  ASSERT_EQ(check(users, groups, "bob.builder@x",
                  "correct horse battery staple", &who),
            0); /* the '\r' of a CRLF line is not part of it */
  ASSERT_STREQ(who.roles, "staff");
  /* list: users and roles, never a hash. */
  user(&r, NULL, "list", "--file", users, "--groups", groups, NULL);
  expect(&r, 0, NULL);
  ASSERT_STREQ(r.out, "alice\tadmin,staff\nbob.builder@x\tstaff\n");
  pg_proc_result_free(&r);
  user(&r, NULL, "list", "--file", users, NULL);
  ASSERT_STREQ(r.out, "alice\t-\nbob.builder@x\t-\n");
  pg_proc_result_free(&r);
  /* passwd: the old one no longer works. */
  user(&r, "new one\n", "passwd", "--file", users, "alice", "--password-stdin",
       NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  ASSERT_EQ(check(users, groups, "alice", "Tr0ub4dor&3", NULL), PARIGOT_EACCES);
  ASSERT_EQ(check(users, groups, "alice", "new one", NULL), 0);
  /* del: from both files. */
  user(&r, NULL, "del", "--file", users, "--groups", groups, "alice", NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  ASSERT_EQ(check(users, groups, "alice", "new one", NULL), PARIGOT_EACCES);
  text = at_read(groups);
  ASSERT_STREQ(text, "staff: bob.builder@x\nadmin:\n");
  free(text);
  user(&r, NULL, "list", "--file", users, "--groups", groups, NULL);
  ASSERT_STREQ(r.out, "bob.builder@x\tstaff\n");
  pg_proc_result_free(&r);
  /* No clear password anywhere, and no temp file left. */
  assert_nowhere(dir, "Tr0ub4dor");
  assert_nowhere(dir, "battery staple");
  assert_nowhere(dir, "new one");
  char cmd[600];
  snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", dir);
  ASSERT_EQ(system(cmd), 0);
}

PG_TEST(user_cli_keeps_other_lines_and_the_mode) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *before = "# managed by hand too\n"
                       "zoe:$apr1$Bs3mst15$OWiE/8MFiBJuNkgkajG6h.\n"
                       "\n"
                       "yann:$2y$05$l79gFp4sPjaz9yyRGeir4.DX1th97WgugHuwtIpmuU/"
                       "qytohX1qiC\n"
                       "# the end\n";
  at_write(users, before);
  chmod(users, 0640);
  pg_proc_result r;
  user(&r, "pw of xavier\n", "add", "--file", users, "xavier",
       "--password-stdin", NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  char *text = at_read(users);
  ASSERT_TRUE(strncmp(text, before, strlen(before)) == 0);
  ASSERT_TRUE(strncmp(text + strlen(before), "xavier:$y$", 10) == 0);
  ASSERT_EQ(strchr(text + strlen(before), '\n')[1], 0);
  free(text);
  ASSERT_EQ(at_mode(users), 0640);
  /* A user whose hash we cannot check is listed with the reason. */
  user(&r, NULL, "list", "--file", users, NULL);
  ASSERT_CONTAINS(r.out, "zoe\t-\t$apr1$ hashes");
  ASSERT_CONTAINS(r.out, "yann\t-\n");
  ASSERT_TRUE(strstr(r.out, "$2y$") == NULL && strstr(r.out, "$y$") == NULL);
  pg_proc_result_free(&r);
  /* passwd replaces that line in place, and zoe can log in again. */
  user(&r, "zoe's new\n", "passwd", "--file", users, "zoe", "--password-stdin",
       NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  text = at_read(users);
  ASSERT_TRUE(strncmp(text, "# managed by hand too\nzoe:$y$", 29) == 0);
  free(text);
  ASSERT_EQ(check(users, NULL, "zoe", "zoe's new", NULL), 0);
  ASSERT_EQ(check(users, NULL, "yann", "secret", NULL), 0);
  assert_nowhere(dir, "zoe's new");
  assert_nowhere(dir, "pw of xavier");
}

PG_TEST(user_cli_refuses_bad_input_and_changes_nothing) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *groups = at_path(dir, "groups");
  pg_proc_result r;
  /* An empty password, or none: nothing is written. */
  user(&r, "\n", "add", "--file", users, "alice", "--password-stdin", NULL);
  expect(&r, 1, "the password is empty");
  pg_proc_result_free(&r);
  user(&r, "", "add", "--file", users, "alice", "--password-stdin", NULL);
  expect(&r, 1, "no password on standard input");
  pg_proc_result_free(&r);
  ASSERT_TRUE(at_read(users) == NULL);
  char big[700];
  memset(big, 'p', sizeof big - 2);
  big[sizeof big - 2] = '\n';
  big[sizeof big - 1] = 0;
  user(&r, big, "add", "--file", users, "alice", "--password-stdin", NULL);
  expect(&r, 1, "longer than 511 bytes");
  pg_proc_result_free(&r);
  ASSERT_TRUE(at_read(users) == NULL);
  /* No terminal and no --password-stdin. */
  char *argv[] = {"/usr/bin/setsid",
                  (char *)pg_test_parigot(),
                  "user",
                  "add",
                  "--file",
                  (char *)users,
                  "alice",
                  NULL};
  pg_proc_run(argv, "typed\n", NULL, &r);
  expect(&r, 1, "--password-stdin");
  pg_proc_result_free(&r);
  /* A password is never an operand. */
  user(&r, NULL, "add", "--file", users, "alice", "secret", NULL);
  expect(&r, 2, "unexpected operand secret");
  pg_proc_result_free(&r);
  /* A wrong --file: named. */
  const char *missing = at_path(dir, "no-such-file");
  user(&r, NULL, "list", "--file", missing, NULL);
  expect(&r, 1, missing);
  pg_proc_result_free(&r);
  user(&r, "pw\n", "passwd", "--file", missing, "alice", "--password-stdin",
       NULL);
  expect(&r, 1, missing);
  pg_proc_result_free(&r);
  user(&r, "pw\n", "add", "--file", "/proc/no/such/dir/users", "alice",
       "--password-stdin", NULL);
  expect(&r, 1, "/proc/no/such/dir/users");
  pg_proc_result_free(&r);
  /* A malformed line: named with its line, the file untouched. */
  const char *bad = "alice:$y$abc\nthis line has no colon\n";
  at_write(users, bad);
  user(&r, "pw\n", "add", "--file", users, "bob", "--password-stdin", NULL);
  char want[600];
  snprintf(want, sizeof want, "%s:2: not \"login:hash\"", users);
  expect(&r, 1, want);
  pg_proc_result_free(&r);
  char *text = at_read(users);
  ASSERT_STREQ(text, bad);
  free(text);
  at_write(users, "alice:$y$abc\n");
  at_write(groups, "staff alice\n");
  user(&r, "pw\n", "add", "--file", users, "--groups", groups, "bob", "--role",
       "staff", "--password-stdin", NULL);
  snprintf(want, sizeof want, "%s:1: not \"role:", groups);
  expect(&r, 1, want);
  pg_proc_result_free(&r);
  at_write(groups, "staff: alice\n");
  /* There already, or not there. */
  user(&r, "pw\n", "add", "--file", users, "alice", "--password-stdin", NULL);
  expect(&r, 1, "alice is already in");
  pg_proc_result_free(&r);
  user(&r, "pw\n", "passwd", "--file", users, "bob", "--password-stdin", NULL);
  expect(&r, 1, "no user bob");
  pg_proc_result_free(&r);
  user(&r, NULL, "del", "--file", users, "bob", NULL);
  expect(&r, 1, "no user bob");
  pg_proc_result_free(&r);
  /* Bad command lines. */
  user(&r, NULL, "add", "--file", users, "bad/login", NULL);
  expect(&r, 2, "'bad/login' is not a login");
  pg_proc_result_free(&r);
  user(&r, NULL, "add", "--file", users, "carol", "--role", "x", NULL);
  expect(&r, 2, "--role needs a group file");
  pg_proc_result_free(&r);
  user(&r, NULL, "add", "--file", users, "carol", "--role", "a b", NULL);
  expect(&r, 2, "--role a b");
  pg_proc_result_free(&r);
  user(&r, NULL, "list", "--file", users, "--bcrypt", NULL);
  expect(&r, 2, "--bcrypt");
  pg_proc_result_free(&r);
  user(&r, NULL, "rename", NULL);
  expect(&r, 2, "expected add, passwd, del or list, got rename");
  pg_proc_result_free(&r);
  user(&r, NULL, "list", NULL);
  expect(&r, 2, "APP.toml, or --file");
  pg_proc_result_free(&r);
  text = at_read(users);
  ASSERT_STREQ(text, "alice:$y$abc\n");
  free(text);
  text = at_read(groups);
  ASSERT_STREQ(text, "staff: alice\n");
  free(text);
}

PG_TEST(user_cli_reads_the_files_the_manifest_names) {
  const char *dir = at_dir(), *app = at_path(dir, "app.toml");
  at_write(app, "[app]\nname = \"shop\"\n\n[auth]\nusers = \"users.htpasswd\"\n"
                "groups = \"users.groups\"\n\n[[service]]\nname = \"pages\"\n"
                "wasm = \"pages.wasm\"\n");
  pg_proc_result r;
  user(&r, "manifest pw\n", "add", app, "carol", "--role", "staff",
       "--password-stdin", NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  const char *users = at_path(dir, "users.htpasswd");
  const char *groups = at_path(dir, "users.groups");
  pg_user who;
  ASSERT_EQ(check(users, groups, "carol", "manifest pw", &who), 0);
  ASSERT_STREQ(who.roles, "staff");
  user(&r, NULL, "list", app, NULL);
  expect(&r, 0, NULL);
  ASSERT_STREQ(r.out, "carol\tstaff\n");
  pg_proc_result_free(&r);
  user(&r, NULL, "del", app, "carol", NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  char *text = at_read(users);
  ASSERT_STREQ(text, "");
  free(text);
  /* A manifest without [auth] users says what to add. */
  const char *plain = at_path(dir, "plain.toml");
  at_write(plain, "[app]\nname = \"plain\"\n\n[[service]]\nname = \"a\"\n"
                  "wasm = \"a.wasm\"\n");
  user(&r, NULL, "list", plain, NULL);
  expect(&r, 2, "has no [auth] users file");
  pg_proc_result_free(&r);
  user(&r, NULL, "list", at_path(dir, "none.toml"), NULL);
  expect(&r, 2, "none.toml");
  pg_proc_result_free(&r);
  assert_nowhere(dir, "manifest pw");
}

/* ---- a real terminal ---- */

/* Reads what the child wrote to the pty until @p text shows up (or 10 s). */
static void pty_wait(int fd, char *log, size_t cap, const char *text) {
  size_t len = strlen(log);
  time_t start = time(NULL);
  while (!strstr(log, text)) {
    if (time(NULL) - start > 10)
      PG_FAIL("no \"%s\" on the terminal; it shows:\n%s", text, log);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 200) <= 0)
      continue;
    ssize_t n = read(fd, log + len, cap - len - 1);
    if (n <= 0)
      PG_FAIL("the terminal closed; it showed:\n%s", log);
    len += (size_t)n;
    log[len] = 0;
  }
}

/* Runs `parigot user ARGV` on a new pseudo-terminal, typing @p first and
 * @p second at its two prompts; returns its exit status, the screen in
 * @p log. */
static int on_terminal(char *const argv[], const char *first,
                       const char *second, char *log, size_t cap) {
  int fd;
  log[0] = 0;
  pid_t pid = forkpty(&fd, NULL, NULL, NULL);
  ASSERT_TRUE(pid >= 0);
  if (pid == 0) {
    execv(argv[0], argv);
    _exit(127);
  }
  pty_wait(fd, log, cap, "New password for ");
  /* Echo is off before the prompt shows. */
  ASSERT_TRUE(write(fd, first, strlen(first)) > 0);
  pty_wait(fd, log, cap, "Again: ");
  ASSERT_TRUE(write(fd, second, strlen(second)) > 0);
  /* Read until the child is gone. */
  for (;;) {
    size_t len = strlen(log);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0)
      break;
    ssize_t n = read(fd, log + len, cap - len - 1);
    if (n <= 0)
      break;
    log[len + (size_t)n] = 0;
  }
  int status;
  waitpid(pid, &status, 0);
  close(fd);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

PG_TEST(user_cli_asks_twice_on_the_terminal_without_echo) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  char *argv[] = {(char *)pg_test_parigot(),
                  "user",
                  "add",
                  "--file",
                  (char *)users,
                  "dana",
                  NULL};
  char log[8192];
  int status =
      on_terminal(argv, "typed secret\n", "typed secret\n", log, sizeof log);
  if (status != 0)
    PG_FAIL("exit %d; the terminal showed:\n%s", status, log);
  ASSERT_CONTAINS(log, "New password for dana: ");
  ASSERT_CONTAINS(log, "added dana");
  if (strstr(log, "typed secret"))
    PG_FAIL("the password was echoed:\n%s", log);
  ASSERT_EQ(check(users, NULL, "dana", "typed secret", NULL), 0);
  /* Two that differ: nothing changes. */
  char *before = at_read(users);
  char *passwd[] = {(char *)pg_test_parigot(),
                    "user",
                    "passwd",
                    "--file",
                    (char *)users,
                    "dana",
                    NULL};
  status = on_terminal(passwd, "one thing\n", "another\n", log, sizeof log);
  ASSERT_EQ(status, 1);
  ASSERT_CONTAINS(log, "the two passwords differ");
  char *after = at_read(users);
  ASSERT_STREQ(after, before);
  free(before);
  free(after);
  assert_nowhere(dir, "typed secret");
}

PG_TEST(user_cli_bcrypt_files_are_read_by_apache_htpasswd) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  pg_proc_result r;
  user(&r, "for apache\n", "add", "--file", users, "--bcrypt", "erin",
       "--password-stdin", NULL);
  expect(&r, 0, NULL);
  pg_proc_result_free(&r);
  char *text = at_read(users);
  ASSERT_TRUE(strncmp(text, "erin:$2y$12$", 12) == 0);
  free(text);
  ASSERT_EQ(check(users, NULL, "erin", "for apache", NULL), 0);
#ifdef PG_HTPASSWD
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s -vb '%s' erin 'for apache' 2>/dev/null",
           PG_HTPASSWD, users);
  ASSERT_EQ(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "%s -vb '%s' erin 'not it' 2>/dev/null",
           PG_HTPASSWD, users);
  ASSERT_NE(system(cmd), 0);
  /* And a user Apache adds to our file is one we read, ours kept. */
  snprintf(cmd, sizeof cmd, "%s -bB -C 5 '%s' fred 'from apache' 2>/dev/null",
           PG_HTPASSWD, users);
  ASSERT_EQ(system(cmd), 0);
  ASSERT_EQ(check(users, NULL, "fred", "from apache", NULL), 0);
  ASSERT_EQ(check(users, NULL, "erin", "for apache", NULL), 0);
#endif
}
