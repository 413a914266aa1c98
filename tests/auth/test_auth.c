/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/auth/test_auth.c: auth/ (pgauth) through its headers, on real files
 * and real hashes: passwords hashed and checked by libxcrypt, files Apache's
 * own htpasswd wrote, the schemes refused with their line, the timing of an
 * unknown login, reloading, roles, the atomic writer, the throttle's numbers.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authtest.h"
#include "htpasswd.h"
#include "parigot/error.h"
#include "password.h"
#include "test.h"
#include "test_mem.h"
#include "throttle.h"
#include "users.h"

/* Written by Debian's apache2-utils 2.4.71: `htpasswd -nbB -C 5 alice
 * secret`, `htpasswd -nbm bob pw`, `htpasswd -nbs carol pw`, `htpasswd -nb5
 * dave secret`. */
#define APACHE_2Y                                                              \
  "alice:$2y$05$l79gFp4sPjaz9yyRGeir4.DX1th97WgugHuwtIpmuU/qytohX1qiC"
#define APACHE_APR1 "bob:$apr1$Bs3mst15$OWiE/8MFiBJuNkgkajG6h."
#define APACHE_SHA "carol:{SHA}GpHWL3ymc5liWkNopqtdSjuqYHM="
#define APACHE_6                                                               \
  "dave:$6$YRwDEc4rQONWjPb0$/ndWyRK/"                                          \
  "lvfpyLoDZ5ptB7jOjoc.wE4PDgsLeapd7ojE9PpW7Atb80q7t9aFhBf0W71IIPsxTlG8cL/"    \
  "lBQo1v/"

static const pg_mem *mem(void) {
  return pg_mem_default();
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hash(const char *pw, pg_password_scheme s, char *out) {
  char err[256];
  int rc = pg_password_hash(pw, strlen(pw), s, mem(), out, err, sizeof err);
  if (rc != 0)
    PG_FAIL("hashing failed: %s", err);
}

/* A users file of "login:hash" lines for login/password pairs. */
static void write_users(const char *path, const char *const *pairs, size_t n,
                        pg_password_scheme s) {
  char text[8192] = "";
  for (size_t i = 0; i < n; i += 2) {
    char h[PG_PASSWORD_HASH_MAX + 1];
    hash(pairs[i + 1], s, h);
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used, "%s:%s\n", pairs[i], h);
  }
  at_write(path, text);
}

static pg_users *open_users(const char *users, const char *groups) {
  pg_users *u = NULL;
  char err[512];
  int rc = pg_users_open(users, groups, mem(), &u, err, sizeof err);
  if (rc != 0)
    PG_FAIL("pg_users_open: %s", err);
  return u;
}

static int check(pg_users *u, const char *login, const char *pw, pg_user *out) {
  pg_user scratch;
  return pg_users_check(u, login, strlen(login), pw, strlen(pw),
                        out ? out : &scratch);
}

/* ---- password.c ---- */

PG_TEST(password_hashes_yescrypt_and_bcrypt_and_checks_them) {
  char y[PG_PASSWORD_HASH_MAX + 1], b[PG_PASSWORD_HASH_MAX + 1];
  hash("correct horse", PG_PASSWORD_YESCRYPT, y);
  hash("correct horse", PG_PASSWORD_BCRYPT, b);
  ASSERT_TRUE(strncmp(y, "$y$", 3) == 0);
  ASSERT_TRUE(strncmp(b, "$2y$12$", 7) == 0);
  ASSERT_EQ(strlen(b), 60);
  ASSERT_EQ(pg_password_verify("correct horse", 13, y, mem()), 0);
  ASSERT_EQ(pg_password_verify("correct horse", 13, b, mem()), 0);
  ASSERT_EQ(pg_password_verify("correct hors", 12, y, mem()), PARIGOT_EACCES);
  ASSERT_EQ(pg_password_verify("correct horsf", 13, b, mem()), PARIGOT_EACCES);
  ASSERT_EQ(pg_password_verify("", 0, y, mem()), PARIGOT_EACCES);
  /* A fresh salt each time. */
  char y2[PG_PASSWORD_HASH_MAX + 1];
  hash("correct horse", PG_PASSWORD_YESCRYPT, y2);
  ASSERT_TRUE(strcmp(y, y2) != 0);
  /* Refused before hashing: empty, a NUL, too long. */
  char err[128], out[PG_PASSWORD_HASH_MAX + 1];
  ASSERT_EQ(pg_password_hash("", 0, PG_PASSWORD_YESCRYPT, mem(), out, err,
                             sizeof err),
            PARIGOT_EINVAL);
  ASSERT_CONTAINS(err, "empty");
  ASSERT_EQ(pg_password_hash("a\0b", 3, PG_PASSWORD_YESCRYPT, mem(), out, err,
                             sizeof err),
            PARIGOT_EINVAL);
  ASSERT_CONTAINS(err, "NUL");
  char big[PG_PASSWORD_MAX + 2];
  memset(big, 'x', sizeof big);
  ASSERT_EQ(pg_password_hash(big, sizeof big, PG_PASSWORD_YESCRYPT, mem(), out,
                             err, sizeof err),
            PARIGOT_EINVAL);
  ASSERT_EQ(pg_password_verify(big, sizeof big, y, mem()), PARIGOT_EINVAL);
  ASSERT_EQ(pg_password_verify("a\0b", 3, y, mem()), PARIGOT_EINVAL);
}

PG_TEST(password_checks_what_apache_htpasswd_wrote) {
  /* The fixed lines Apache wrote ... */
  const char *h2y = strchr(APACHE_2Y, ':') + 1, *h6 = strchr(APACHE_6, ':') + 1;
  char why[256];
  ASSERT_EQ(pg_password_hash_ok(h2y, strlen(h2y), why, sizeof why), 0);
  ASSERT_EQ(pg_password_hash_ok(h6, strlen(h6), why, sizeof why), 0);
  ASSERT_EQ(pg_password_verify("secret", 6, h2y, mem()), 0);
  ASSERT_EQ(pg_password_verify("secreT", 6, h2y, mem()), PARIGOT_EACCES);
  ASSERT_EQ(pg_password_verify("secret", 6, h6, mem()), 0);
  ASSERT_EQ(pg_password_verify("secret!", 7, h6, mem()), PARIGOT_EACCES);
  /* ... and, where Apache's htpasswd is installed, a file it writes now. */
#ifdef PG_HTPASSWD
  const char *dir = at_dir(), *file = at_path(dir, "apache.htpasswd");
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "%s -cbB -C 5 %s erin 'pa ss:word' 2>/dev/null && "
           "%s -bB -C 6 %s frank hunter2 2>/dev/null",
           PG_HTPASSWD, file, PG_HTPASSWD, file);
  ASSERT_EQ(system(cmd), 0);
  pg_users *u = open_users(file, NULL);
  pg_user who;
  ASSERT_EQ(check(u, "erin", "pa ss:word", &who), 0);
  ASSERT_STREQ(who.id, "erin");
  ASSERT_EQ(check(u, "frank", "hunter2", NULL), 0);
  ASSERT_EQ(check(u, "frank", "pa ss:word", NULL), PARIGOT_EACCES);
  pg_users_free(u);
#endif
}

PG_TEST(password_refuses_apr1_sha_and_plain_text_saying_why) {
  char why[256];
  const char *apr1 = strchr(APACHE_APR1, ':') + 1;
  const char *sha = strchr(APACHE_SHA, ':') + 1;
  ASSERT_EQ(pg_password_hash_ok(apr1, strlen(apr1), why, sizeof why),
            PARIGOT_ENOTSUP);
  ASSERT_CONTAINS(why, "$apr1$");
  ASSERT_CONTAINS(why, "htpasswd -B");
  ASSERT_EQ(pg_password_hash_ok(sha, strlen(sha), why, sizeof why),
            PARIGOT_ENOTSUP);
  ASSERT_CONTAINS(why, "{SHA}");
  ASSERT_EQ(pg_password_hash_ok("hunter2", 7, why, sizeof why),
            PARIGOT_ENOTSUP);
  ASSERT_CONTAINS(why, "plain text");
  ASSERT_EQ(pg_password_hash_ok("$1$abcdefgh$xyz", 15, why, sizeof why),
            PARIGOT_ENOTSUP);
  ASSERT_CONTAINS(why, "\"$1$\"");
  ASSERT_EQ(pg_password_hash_ok("$2y$05$bad chars here!!", 24, why, sizeof why),
            PARIGOT_ENOTSUP);
  ASSERT_CONTAINS(why, "malformed bcrypt");
  /* And a refused hash never verifies, even against what crypt_r says. */
  ASSERT_EQ(pg_password_verify("pw", 2, apr1, mem()), PARIGOT_EACCES);
}

/* ---- users.c ---- */

PG_TEST(users_check_logins_passwords_and_roles) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *groups = at_path(dir, "groups");
  char h[PG_PASSWORD_HASH_MAX + 1];
  hash("wonderland", PG_PASSWORD_YESCRYPT, h);
  char text[2048];
  snprintf(text, sizeof text,
           "# the shop's staff\n\n%s\nmad.hatter@tea-party:%s\n", APACHE_2Y, h);
  at_write(users, text);
  at_write(groups, "staff: alice mad.hatter@tea-party\n"
                   "# comment\n"
                   "admin:alice\n"
                   "  Readers :  mad.hatter@tea-party   ghost alice\n"
                   "staff: alice\n"
                   "empty:\n");
  pg_users *u = open_users(users, groups);
  pg_user who;
  memset(&who, 0x55, sizeof who);
  ASSERT_EQ(check(u, "alice", "secret", &who), 0);
  ASSERT_STREQ(who.id, "alice");
  ASSERT_STREQ(who.name, "alice");
  ASSERT_STREQ(who.roles, "Readers,admin,staff"); /* sorted, once each */
  ASSERT_EQ(check(u, "mad.hatter@tea-party", "wonderland", &who), 0);
  ASSERT_STREQ(who.roles, "Readers,staff");
  /* Wrong password, unknown user: both EACCES, nothing filled in. */
  memset(&who, 0, sizeof who);
  ASSERT_EQ(check(u, "alice", "wonderland", &who), PARIGOT_EACCES);
  ASSERT_EQ(check(u, "ghost", "secret", &who), PARIGOT_EACCES);
  ASSERT_EQ(check(u, "", "", &who), PARIGOT_EACCES);
  ASSERT_EQ(check(u, "Alice", "secret", &who), PARIGOT_EACCES);
  ASSERT_EQ(who.id[0], 0);
  /* Too long, or a NUL: EINVAL before any hashing. */
  char long_login[PG_USER_ID_MAX + 2];
  memset(long_login, 'a', sizeof long_login - 1);
  long_login[sizeof long_login - 1] = 0;
  ASSERT_EQ(check(u, long_login, "secret", &who), PARIGOT_EINVAL);
  ASSERT_EQ(pg_users_check(u, "alice\0x", 7, "secret", 6, &who),
            PARIGOT_EINVAL);
  ASSERT_EQ(pg_users_check(u, "alice", 5, "secret\0", 7, &who), PARIGOT_EINVAL);
  /* Without a group file: no roles. */
  pg_users_free(u);
  u = open_users(users, NULL);
  ASSERT_EQ(check(u, "alice", "secret", &who), 0);
  ASSERT_STREQ(who.roles, "");
  pg_users_free(u);
  pg_users_free(NULL);
}

static void expect_open_error(const char *users, const char *groups, int want,
                              const char *needle) {
  pg_users *u = NULL;
  char err[512] = "";
  int rc = pg_users_open(users, groups, mem(), &u, err, sizeof err);
  if (rc != want)
    PG_FAIL("pg_users_open: %d, want %d (%s) for \"%s\"", rc, want, err,
            needle);
  ASSERT_TRUE(u == NULL);
  ASSERT_CONTAINS(err, needle);
}

PG_TEST(users_refuse_a_bad_file_naming_its_line) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *groups = at_path(dir, "groups");
  at_write(users, "# ok so far\n" APACHE_2Y "\n" APACHE_APR1 "\n");
  char want[600];
  snprintf(want, sizeof want, "%s:3: bob: $apr1$", users);
  expect_open_error(users, NULL, PARIGOT_ENOTSUP, want);
  expect_open_error(users, NULL, PARIGOT_ENOTSUP, "htpasswd -B");
  at_write(users, APACHE_SHA "\n");
  expect_open_error(users, NULL, PARIGOT_ENOTSUP, "users:1: carol: {SHA}");
  at_write(users, "eve:plaintext\n");
  expect_open_error(users, NULL, PARIGOT_ENOTSUP, "users:1: eve: not a");
  at_write(users, APACHE_2Y "\nno colon here\n");
  expect_open_error(users, NULL, PARIGOT_ESYNTAX,
                    "users:2: not \"login:hash\"");
  at_write(users, APACHE_2Y "\nbad/login:$y$xyz\n");
  expect_open_error(users, NULL, PARIGOT_ESYNTAX, "users:2: \"bad/login\"");
  at_write(users, APACHE_2Y "\n" APACHE_6 "\n" APACHE_2Y "\n");
  expect_open_error(users, NULL, PARIGOT_ESYNTAX,
                    "users:3: alice is already on line 1");
  expect_open_error(at_path(dir, "missing"), NULL, PARIGOT_ENOENT, "missing");
  at_write(users, APACHE_2Y "\n");
  at_write(groups, "staff: alice\nstaff alice\n");
  expect_open_error(users, groups, PARIGOT_ESYNTAX, "groups:2: not \"role:");
  at_write(groups, "sta/ff: alice\n");
  expect_open_error(users, groups, PARIGOT_ESYNTAX, "groups:1: \"sta/ff\"");
  at_write(groups, "staff: alice b:c\n");
  expect_open_error(users, groups, PARIGOT_ESYNTAX, "groups:1: \"b:c\"");
  expect_open_error(users, at_path(dir, "nogroups"), PARIGOT_ENOENT,
                    "nogroups");
  /* A line past the bound, and a NUL byte. */
  char *big = malloc(PG_HT_LINE_MAX + 64);
  memset(big, 'a', PG_HT_LINE_MAX + 1);
  strcpy(big + PG_HT_LINE_MAX + 1, "\n");
  char *text = malloc(PG_HT_LINE_MAX + 200);
  snprintf(text, PG_HT_LINE_MAX + 200, "%s\n%s", APACHE_2Y, big);
  at_write(users, text);
  expect_open_error(users, NULL, PARIGOT_ETOOBIG, "users:2: a line longer");
  free(big);
  free(text);
  FILE *f = fopen(users, "w");
  fwrite("alice:$y$\0x\n", 1, 12, f);
  fclose(f);
  expect_open_error(users, NULL, PARIGOT_ESYNTAX, "users:1: a NUL byte");
}

static double time_check(pg_users *u, const char *login) {
  double t0 = now_s();
  ASSERT_EQ(check(u, login, "not the password", NULL), PARIGOT_EACCES);
  return now_s() - t0;
}

/* The fastest of @p n checks of each login, taken in turn, so that a busy
 * machine slows both alike. */
static void time_both(pg_users *u, const char *known_login, int n,
                      double *known, double *unknown) {
  *known = *unknown = 1e9;
  for (int i = 0; i < n; i++) {
    double k = time_check(u, known_login), x = time_check(u, "mallory");
    *known = k < *known ? k : *known;
    *unknown = x < *unknown ? x : *unknown;
  }
}

PG_TEST(users_unknown_login_costs_what_a_wrong_password_costs) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *pairs[] = {"alice", "secret", "bob", "builder"};
  for (int scheme = 0; scheme < 2; scheme++) {
    write_users(users, pairs, 4, (pg_password_scheme)scheme);
    pg_users *u = open_users(users, NULL);
    /* Loose bounds, measured up to three times: other builds share the
     * machine. An unknown login without a real hash would take
     * microseconds, far below them. */
    bool is_close = false;
    for (int round = 0; round < 3 && !is_close; round++) {
      double known, unknown;
      time_both(u, "bob", scheme ? 3 : 5, &known, &unknown);
      fprintf(stderr, "%s: known %.1f ms, unknown %.1f ms\n",
              scheme ? "bcrypt 12" : "yescrypt", known * 1e3, unknown * 1e3);
      ASSERT_TRUE(known > 0.005); /* a real hash ran: > 5 ms */
      ASSERT_TRUE(unknown > 0.005);
      is_close = unknown >= 0.5 * known && unknown <= 2.0 * known;
    }
    ASSERT_TRUE(is_close);
    pg_users_free(u);
  }
  /* With no user at all, an unknown login still costs a real hash. */
  at_write(users, "# nobody yet\n");
  pg_users *u = open_users(users, NULL);
  ASSERT_TRUE(time_check(u, "anyone") > 0.005);
  pg_users_free(u);
}

typedef struct logged {
  int count;
  char last[1024];
} logged;

static void on_log(void *user_data, const char *msg) {
  logged *l = user_data;
  l->count++;
  snprintf(l->last, sizeof l->last, "%s", msg);
}

PG_TEST(users_reload_changed_files_and_keep_the_last_good_ones) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *groups = at_path(dir, "groups");
  const char *v1[] = {"alice", "one"};
  write_users(users, v1, 2, PG_PASSWORD_YESCRYPT);
  at_write(groups, "staff: alice\n");
  pg_users *u = open_users(users, groups);
  logged log = {0};
  pg_users_set_log(u, on_log, &log);
  pg_user who;
  ASSERT_EQ(check(u, "alice", "one", &who), 0);
  ASSERT_STREQ(who.roles, "staff");
  /* A new password and a new role, written in place (same inode). */
  const char *v2[] = {"alice", "two", "bob", "three"};
  write_users(users, v2, 4, PG_PASSWORD_YESCRYPT);
  at_write(groups, "staff: alice bob\nadmin: alice\n");
  usleep(1100 * 1000); /* files are looked at once a second at most */
  ASSERT_EQ(check(u, "alice", "one", NULL), PARIGOT_EACCES);
  ASSERT_EQ(check(u, "alice", "two", &who), 0);
  ASSERT_STREQ(who.roles, "admin,staff");
  ASSERT_EQ(check(u, "bob", "three", &who), 0);
  ASSERT_STREQ(who.roles, "staff");
  ASSERT_EQ(log.count, 0);
  /* A broken file: the last good users stay, said once. */
  char *good = at_read(users);
  size_t good_len = strlen(good);
  char *broken = malloc(good_len + 64);
  snprintf(broken, good_len + 64, "%smallory%s\n", good,
           strchr(APACHE_APR1, ':'));
  at_write(users, broken);
  usleep(1100 * 1000);
  ASSERT_EQ(check(u, "alice", "two", NULL), 0);
  usleep(1100 * 1000);
  ASSERT_EQ(check(u, "bob", "three", NULL), 0);
  ASSERT_EQ(log.count, 1);
  ASSERT_CONTAINS(log.last, "users:3: mallory: $apr1$");
  ASSERT_CONTAINS(log.last, "stay in force");
  /* A missing group file likewise. */
  ASSERT_EQ(unlink(groups), 0);
  at_write(users, good);
  usleep(1100 * 1000);
  ASSERT_EQ(check(u, "alice", "two", &who), 0);
  ASSERT_STREQ(who.roles, "admin,staff");
  ASSERT_EQ(log.count, 2);
  ASSERT_CONTAINS(log.last, "groups");
  /* Mended: read again. */
  at_write(groups, "ops: bob\n");
  usleep(1100 * 1000);
  ASSERT_EQ(check(u, "bob", "three", &who), 0);
  ASSERT_STREQ(who.roles, "ops");
  ASSERT_EQ(log.count, 2);
  free(good);
  free(broken);
  pg_users_free(u);
}

typedef struct racer {
  pg_users *u;
  int index, failures;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  for (int i = 0; i < 4; i++) {
    const char *login = (r->index + i) % 2 ? "alice" : "bob";
    const char *pw = (r->index + i) % 2 ? "secret" : "builder";
    pg_user who;
    if (check(r->u, login, pw, &who) != 0 || strcmp(who.id, login) != 0)
      r->failures++;
    if (check(r->u, login, "wrong", &who) != PARIGOT_EACCES)
      r->failures++;
  }
  return NULL;
}

PG_TEST(users_check_from_several_threads_at_once) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *pairs[] = {"alice", "secret", "bob", "builder"};
  write_users(users, pairs, 4, PG_PASSWORD_YESCRYPT);
  pg_users *u = open_users(users, NULL);
  /* Small stacks: crypt_data must not be on them. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  racer r[4];
  pthread_t t[4];
  for (int i = 0; i < 4; i++) {
    r[i] = (racer){.u = u, .index = i};
    ASSERT_EQ(pthread_create(&t[i], &attr, race, &r[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    ASSERT_EQ(r[i].failures, 0);
  }
  pthread_attr_destroy(&attr);
  pg_users_free(u);
}

PG_TEST(users_survive_every_allocation_failing) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *groups = at_path(dir, "groups");
  at_write(users, "# staff\n" APACHE_2Y "\n" APACHE_6 "\n");
  at_write(groups, "staff: alice dave\nadmin: alice\n");
  bool is_done = false;
  for (long i = 0; !is_done; i++) {
    counter c = {.fail_at = i};
    pg_mem m = counting_mem(&c);
    pg_users *u = NULL;
    char err[512] = "";
    int rc = pg_users_open(users, groups, &m, &u, err, sizeof err);
    if (rc != 0) {
      ASSERT_EQ(rc, PARIGOT_ENOMEM);
      ASSERT_CONTAINS(err, "out of memory");
      ASSERT_TRUE(u == NULL);
    } else {
      pg_user who;
      rc = pg_users_check(u, "alice", 5, "secret", 6, &who);
      ASSERT_TRUE(rc == 0 || rc == PARIGOT_ENOMEM);
      if (rc == 0)
        ASSERT_STREQ(who.roles, "admin,staff");
      is_done = c.calls <= i; /* nothing failed: every allocation seen */
      pg_users_free(u);
    }
    if (c.live != 0)
      PG_FAIL("allocation %ld failing leaks %ld blocks", i, c.live);
  }
  /* The throttle and the files' writer likewise. */
  for (long i = 0; i < 3; i++) {
    counter c = {.fail_at = i};
    pg_mem m = counting_mem(&c);
    pg_throttle *t = NULL;
    int rc = pg_throttle_new(8, &m, &t);
    ASSERT_TRUE(rc == PARIGOT_ENOMEM || (rc == 0 && c.calls <= i));
    pg_throttle_free(t);
    ASSERT_EQ(c.live, 0);
  }
  for (long i = 0; i < 64; i++) {
    counter c = {.fail_at = i};
    pg_mem m = counting_mem(&c);
    pg_htfile f;
    char err[512];
    int rc = pg_htfile_read(users, false, &m, &f, NULL, err, sizeof err);
    if (rc == 0) {
      rc = pg_htpasswd_set(&f, "zed", "$y$x");
      if (rc == 0)
        rc = pg_htfile_write(&f, at_path(dir, "copy"), err, sizeof err);
      pg_htfile_deinit(&f);
    }
    ASSERT_TRUE(rc == 0 || rc == PARIGOT_ENOMEM);
    ASSERT_EQ(c.live, 0);
  }
}

/* ---- htpasswd.c ---- */

PG_TEST(htfile_write_keeps_other_lines_and_is_atomic) {
  const char *dir = at_dir(), *users = at_path(dir, "users");
  const char *fresh = at_path(dir, "fresh");
  at_write(users, "# header\r\n" APACHE_2Y "\n\nzed:$y$abc\n" APACHE_6);
  chmod(users, 0640);
  bool is_root = geteuid() == 0; /* then the owner is kept too */
  if (is_root)
    ASSERT_EQ(chown(users, 65534, 65534), 0);
  pg_htfile f;
  char err[256];
  ASSERT_EQ(pg_htfile_read(users, false, mem(), &f, NULL, err, sizeof err), 0);
  ASSERT_EQ(f.n, 5);
  ASSERT_EQ(pg_htpasswd_check(&f, users, err, sizeof err), 0);
  ASSERT_EQ(pg_htpasswd_set(&f, "zed", "$y$new"), 0);
  ASSERT_EQ(pg_htpasswd_set(&f, "new.user", "$y$added"), 0);
  ASSERT_TRUE(pg_htpasswd_remove(&f, "alice"));
  ASSERT_TRUE(!pg_htpasswd_remove(&f, "alice"));
  ASSERT_EQ(pg_htpasswd_set(&f, "bad:login", "$y$x"), PARIGOT_EINVAL);
  ASSERT_EQ(pg_htpasswd_set(&f, "ok", "two\nlines"), PARIGOT_EINVAL);
  ASSERT_EQ(pg_htfile_write(&f, users, err, sizeof err), 0);
  char *text = at_read(users);
  char want[1024];
  snprintf(want, sizeof want, "# header\n\nzed:$y$new\n%s\nnew.user:$y$added\n",
           APACHE_6);
  ASSERT_STREQ(text, want);
  free(text);
  ASSERT_EQ(at_mode(users), 0640); /* the mode it had */
  struct stat st;
  ASSERT_EQ(stat(users, &st), 0);
  if (is_root)
    ASSERT_TRUE(st.st_uid == 65534 && st.st_gid == 65534);
  else
    ASSERT_TRUE(st.st_uid == geteuid());
  ASSERT_EQ(pg_htfile_write(&f, fresh, err, sizeof err), 0);
  ASSERT_EQ(at_mode(fresh), 0600); /* a new file: the owner's only */
  /* No temp file is left beside them. */
  char cmd[600];
  snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", dir);
  ASSERT_EQ(system(cmd), 0);
  /* A directory we cannot write: an error naming the file, nothing left. */
  ASSERT_NE(pg_htfile_write(&f, "/proc/nope/users", err, sizeof err), 0);
  ASSERT_CONTAINS(err, "/proc/nope/users");
  pg_htfile_deinit(&f);
  /* A missing file reads empty when asked to. */
  ASSERT_EQ(pg_htfile_read(at_path(dir, "none"), true, mem(), &f, NULL, err,
                           sizeof err),
            0);
  ASSERT_EQ(f.n, 0);
  pg_htfile_deinit(&f);
}

PG_TEST(htgroup_edits_one_user_and_leaves_the_rest) {
  const char *dir = at_dir(), *groups = at_path(dir, "groups");
  at_write(groups, "# roles\nstaff: alice bob\nadmin:bob\nempty:\n");
  pg_htfile f;
  char err[256], roles[PG_USER_ROLES_MAX + 1];
  ASSERT_EQ(pg_htfile_read(groups, false, mem(), &f, NULL, err, sizeof err), 0);
  ASSERT_EQ(pg_htgroup_check(&f, groups, err, sizeof err), 0);
  ASSERT_EQ(pg_htgroup_roles(&f, "bob", roles, sizeof roles), 0);
  ASSERT_STREQ(roles, "admin,staff");
  ASSERT_EQ(pg_htgroup_add(&f, "staff", "carol"), 0);
  ASSERT_EQ(pg_htgroup_add(&f, "staff", "carol"), 0); /* already */
  ASSERT_EQ(pg_htgroup_add(&f, "empty", "carol"), 0);
  ASSERT_EQ(pg_htgroup_add(&f, "ops", "carol"), 0);
  ASSERT_EQ(pg_htgroup_add(&f, "bad role", "carol"), PARIGOT_EINVAL);
  bool changed;
  ASSERT_EQ(pg_htgroup_remove_user(&f, "bob", &changed), 0);
  ASSERT_TRUE(changed);
  ASSERT_EQ(pg_htgroup_remove_user(&f, "nobody", &changed), 0);
  ASSERT_TRUE(!changed);
  ASSERT_EQ(pg_htfile_write(&f, groups, err, sizeof err), 0);
  char *text = at_read(groups);
  ASSERT_STREQ(text, "# roles\nstaff: alice carol\nadmin:\nempty: carol\n"
                     "ops: carol\n");
  free(text);
  ASSERT_EQ(pg_htgroup_roles(&f, "carol", roles, sizeof roles), 0);
  ASSERT_STREQ(roles, "empty,ops,staff");
  ASSERT_EQ(pg_htgroup_roles(&f, "carol", roles, 5), PARIGOT_ENOSPC);
  pg_htfile_deinit(&f);
}

/* ---- throttle.c ---- */

#define SEC 1000000000ull

PG_TEST(throttle_holds_a_failing_client_longer_each_time) {
  pg_throttle *t = NULL;
  ASSERT_EQ(pg_throttle_new(0, mem(), &t), PARIGOT_EINVAL);
  ASSERT_EQ(pg_throttle_new(16, mem(), &t), 0);
  uint64_t now = 1000 * SEC;
  /* The first five failures cost nothing. */
  for (int i = 0; i < PG_THROTTLE_FREE_FAILURES; i++) {
    ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), 0);
    pg_throttle_failed(t, "10.0.0.1", now);
  }
  /* Then 0.5 s, doubling per failure, up to 16 s. */
  uint64_t want[] = {SEC / 2, SEC,      2 * SEC,  4 * SEC,
                     8 * SEC, 16 * SEC, 16 * SEC, 16 * SEC};
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), want[0]);
  for (int i = 1; i < 8; i++) {
    pg_throttle_failed(t, "10.0.0.1", now);
    ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), want[i]);
  }
  ASSERT_EQ(PG_THROTTLE_MAX_DELAY_NS, 16 * SEC);
  /* Time already waited counts. */
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now + 10 * SEC), 6 * SEC);
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now + 20 * SEC), 0);
  /* Another client is not held. */
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.2", now), 0);
  /* Forgotten after a quiet quarter of an hour: five free failures again. */
  now += PG_THROTTLE_FORGET_NS;
  ASSERT_EQ(PG_THROTTLE_FORGET_NS, 900 * SEC);
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), 0);
  for (int i = 0; i < PG_THROTTLE_FREE_FAILURES; i++)
    pg_throttle_failed(t, "10.0.0.1", now);
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), SEC / 2);
  /* A login that passes forgets the failures at once. */
  pg_throttle_passed(t, "10.0.0.1");
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), 0);
  pg_throttle_failed(t, "10.0.0.1", now);
  ASSERT_EQ(pg_throttle_delay(t, "10.0.0.1", now), 0);
  pg_throttle_free(t);
  pg_throttle_free(NULL);
}

PG_TEST(throttle_forgets_the_least_recently_used_client_when_full) {
  pg_throttle *t = NULL;
  ASSERT_EQ(pg_throttle_new(3, mem(), &t), 0);
  uint64_t now = 5 * SEC;
  const char *c[] = {"a", "b", "c", "d"};
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 6; i++)
      pg_throttle_failed(t, c[k], now);
  for (int i = 0; i < 6; i++) /* "a" used again: "b" is now the oldest */
    pg_throttle_failed(t, "a", now);
  for (int i = 0; i < 6; i++)
    pg_throttle_failed(t, "d", now); /* makes room: forgets "b" */
  ASSERT_EQ(pg_throttle_delay(t, "b", now), 0);
  ASSERT_EQ(pg_throttle_delay(t, "c", now), SEC);
  ASSERT_EQ(pg_throttle_delay(t, "d", now), SEC);
  ASSERT_EQ(pg_throttle_delay(t, "a", now), PG_THROTTLE_MAX_DELAY_NS);
  /* Many clients through a small table: no crash, bounded. */
  char name[32];
  for (int i = 0; i < 10000; i++) {
    snprintf(name, sizeof name, "client-%d", i);
    pg_throttle_failed(t, name, now);
    pg_throttle_delay(t, name, now);
    if (i % 7 == 0)
      pg_throttle_passed(t, name);
  }
  /* A long client is cut, not refused. */
  char longc[300];
  memset(longc, 'x', sizeof longc - 1);
  longc[sizeof longc - 1] = 0;
  for (int i = 0; i < 6; i++)
    pg_throttle_failed(t, longc, now);
  ASSERT_EQ(pg_throttle_delay(t, longc, now), SEC);
  pg_throttle_free(t);
}
