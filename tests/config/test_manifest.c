/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/config/test_manifest.c: unit tests for config/manifest.c, the app
 * manifest loader.
 *
 * Each PG_TEST writes its manifest into a fresh mkdtemp directory, makes it
 * the working directory (so messages start with "app.toml", as a user would
 * see them) and removes it at exit, even when an assertion fails. Every load
 * goes through a counting allocator, so each test also proves that nothing
 * leaks, and failed loads prove that the output was left untouched.
 * Single-threaded.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "parigot/error.h"
#include "test.h"
#include "test_mem.h"

/* ---- helpers ---------------------------------------------------------- */

static char tmp_dir[] = "/tmp/pg_manifest_XXXXXX";
static char real_dir[PATH_MAX]; /* tmp_dir resolved, as wasm paths are */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void remove_tmp_dir(void) {
  if (chdir("/") == 0)
    nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *name, const char *text) {
  FILE *f = fopen(name, "w");
  if (f == NULL)
    PG_FAIL("cannot write %s: %s", name, strerror(errno));
  fputs(text, f);
  fclose(f);
}

/* Enters a new temporary directory holding greeting.wasm and hello.wasm,
 * removing the one entered before, if any. */
static void enter_tmp_dir(void) {
  static bool is_registered;
  if (!is_registered) {
    atexit(remove_tmp_dir);
    is_registered = true;
  } else {
    remove_tmp_dir();
  }
  strcpy(tmp_dir, "/tmp/pg_manifest_XXXXXX");
  if (mkdtemp(tmp_dir) == NULL)
    PG_FAIL("mkdtemp: %s", strerror(errno));
  ASSERT_TRUE(realpath(tmp_dir, real_dir) != NULL);
  ASSERT_EQ(chdir(tmp_dir), 0);
  write_file("greeting.wasm", "\0asm");
  write_file("hello.wasm", "\0asm");
}

/* real_dir + "/" + rel, in static storage overwritten by the next call. */
static const char *in_dir(const char *rel) {
  static char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", real_dir, rel);
  return path;
}

static void load_ok(const char *path, counter *c, pg_manifest *m) {
  pg_mem mem = counting_mem(c);
  char err[512];
  int rc = pg_manifest_load(path, &mem, m, err, sizeof err);
  if (rc != 0)
    PG_FAIL("load failed with %d: %s", rc, err);
  ASSERT_STREQ(err, "");
}

/* Loads @p text, written as app.toml in a fresh directory, into @p m. */
static void load_text(const char *text, counter *c, pg_manifest *m) {
  enter_tmp_dir();
  write_file("app.toml", text);
  load_ok("app.toml", c, m);
}

static void free_and_check(pg_manifest *m, counter *c) {
  pg_mem mem = counting_mem(c);
  pg_manifest_free(m, &mem);
  ASSERT_EQ(c->live, 0);
  ASSERT_TRUE(m->guests == NULL && m->nguests == 0 && m->name == NULL);
  ASSERT_TRUE(m->units == NULL && m->nunits == 0);
}

/* Loads @p path, expecting code @p rc and exactly message @p msg, with
 * nothing allocated and the output untouched afterwards. */
static void expect_load_error(const char *path, int rc, const char *msg) {
  counter c = {.fail_at = -1};
  pg_mem mem = counting_mem(&c);
  pg_manifest m, before;
  char err[512];
  memset(&m, 0xA5, sizeof m);
  before = m;
  ASSERT_EQ(pg_manifest_load(path, &mem, &m, err, sizeof err), rc);
  ASSERT_STREQ(err, msg);
  ASSERT_EQ(c.live, 0);
  ASSERT_TRUE(memcmp(&m, &before, sizeof m) == 0);
}

/* Writes @p toml to app.toml in a new directory and expects an error. */
static void expect_error(const char *toml, int rc, const char *msg) {
  enter_tmp_dir();
  write_file("app.toml", toml);
  expect_load_error("app.toml", rc, msg);
}

/* The same, for a message that names a path inside the directory: @p fmt
 * has one %s, replaced by the resolved directory. */
static void expect_error_in_dir(const char *toml, int rc, const char *fmt) {
  char msg[2 * PATH_MAX];
  enter_tmp_dir();
  snprintf(msg, sizeof msg, fmt, real_dir);
  write_file("app.toml", toml);
  expect_load_error("app.toml", rc, msg);
}

#define APP "[app]\nname = \"demo\"\n"
#define SERVICE "[[service]]\nname = \"greeting\"\nwasm = \"greeting.wasm\"\n"

/* ---- valid manifests --------------------------------------------------- */

static const char full_app[] =
    "# every key of the format\n"               /* 1 */
    "[app]\n"                                   /* 2 */
    "name = \"helloworld\"\n"                   /* 3 */
    "deadline = \"1.5s\"\n"                     /* 4 */
    "max_message_size = \"8M\"\n"               /* 5 */
    "pulse = \"5ms\"\n"                         /* 6 */
    "startup_timeout = \"10s\"\n"               /* 7 */
    "drain_timeout = \"3s\"\n"                  /* 8 */
    "[[service]]\n"                             /* 9 */
    "name = \"greeting\"\n"                     /* 10 */
    "wasm = \"greeting.wasm\"\n"                /* 11 */
    "args = [\"--flag\", \"two words\"]\n"      /* 12 */
    "env = { LANG = \"fr\", OPTS = \"a=b\" }\n" /* 13 */
    "max_memory = \"64M\"\n"                    /* 14 */
    "restart = \"on-failure\"\n"                /* 15 */
    "max_restarts = 3\n"                        /* 16 */
    "restart_backoff = \"250ms\"\n"             /* 17 */
    "\n"                                        /* 18 */
    "[[program]]\n"                             /* 19 */
    "name = \"hello\"\n"                        /* 20 */
    "wasm = \"./hello.wasm\"\n"                 /* 21 */
    "args = []\n"                               /* 22 */
    "env = {}\n"                                /* 23 */
    "max_memory = \"1G\"\n"                     /* 24 */
    "max_handler_time = \"250ms\"\n"            /* 25 */
    "test = true\n";                            /* 26 */

PG_TEST(manifest_loads_every_key_of_a_full_app) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(full_app, &c, &m);
  ASSERT_STREQ(m.path, "app.toml");
  ASSERT_STREQ(m.name, "helloworld");
  ASSERT_EQ(m.deadline_ns, 1500000000ull);
  ASSERT_EQ(m.max_message_size, 8u << 20);
  ASSERT_EQ(m.pulse_ns, 5000000u);
  ASSERT_EQ(m.startup_timeout_ns, 10000000000ull);
  ASSERT_EQ(m.drain_timeout_ns, 3000000000ull);
  ASSERT_EQ(m.nguests, 2);
  ASSERT_EQ(m.nservices, 1);

  const pg_manifest_guest *s = &m.guests[0];
  ASSERT_STREQ(s->name, "greeting");
  ASSERT_STREQ(s->wasm, in_dir("greeting.wasm"));
  ASSERT_EQ(s->nargs, 2);
  ASSERT_STREQ(s->args[0], "--flag");
  ASSERT_STREQ(s->args[1], "two words");
  ASSERT_EQ(s->nenv, 2);
  ASSERT_STREQ(s->env[0], "LANG=fr");
  ASSERT_STREQ(s->env[1], "OPTS=a=b");
  ASSERT_EQ(s->max_memory, 64u << 20);
  ASSERT_EQ(s->max_handler_time_ns, 1000000000ull); /* a service's default */
  ASSERT_EQ(s->restart, PG_RESTART_ON_FAILURE);
  ASSERT_EQ(s->max_restarts, 3);
  ASSERT_EQ(s->restart_backoff_ns, 250000000ull);
  ASSERT_TRUE(!s->is_program && !s->is_test);
  ASSERT_EQ(s->line, 9);

  const pg_manifest_guest *p = &m.guests[1];
  ASSERT_STREQ(p->name, "hello");
  ASSERT_STREQ(p->wasm, in_dir("hello.wasm"));
  ASSERT_EQ(p->nargs, 0);
  ASSERT_EQ(p->nenv, 0);
  ASSERT_EQ(p->max_memory, 1u << 30);
  ASSERT_EQ(p->max_handler_time_ns, 250000000ull);
  ASSERT_EQ(p->restart, PG_RESTART_NEVER);
  ASSERT_TRUE(p->is_program && p->is_test);
  ASSERT_EQ(p->line, 19);
  free_and_check(&m, &c);
}

PG_TEST(manifest_fills_defaults_for_optional_keys) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP "[[program]]\nname = \"hello\"\n"
                "wasm = \"hello.wasm\"\n",
            &c, &m);
  ASSERT_EQ(m.deadline_ns, 5000000000ull);
  ASSERT_EQ(m.max_message_size, 4u << 20);
  ASSERT_EQ(m.pulse_ns, 1000000u);
  ASSERT_EQ(m.startup_timeout_ns, 30000000000ull);
  ASSERT_EQ(m.drain_timeout_ns, 5000000000ull);
  ASSERT_EQ(m.nguests, 1);
  ASSERT_EQ(m.nservices, 0);
  const pg_manifest_guest *p = &m.guests[0];
  ASSERT_TRUE(p->args == NULL && p->nargs == 0);
  ASSERT_TRUE(p->env == NULL && p->nenv == 0);
  ASSERT_EQ(p->max_memory, 256u << 20);
  ASSERT_EQ(p->max_handler_time_ns, 0);    /* programs: no limit */
  ASSERT_EQ(p->restart, PG_RESTART_NEVER); /* programs never restart */
  ASSERT_EQ(p->max_restarts, 0);
  ASSERT_EQ(p->restart_backoff_ns, 0);
  ASSERT_TRUE(p->is_program && !p->is_test);
  free_and_check(&m, &c);
}

PG_TEST(manifest_fills_restart_defaults_for_a_service) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE, &c, &m);
  const pg_manifest_guest *s = &m.guests[0];
  ASSERT_EQ(s->restart, PG_RESTART_NEVER);
  ASSERT_EQ(s->max_restarts, 5);
  ASSERT_EQ(s->restart_backoff_ns, 100000000ull);
  free_and_check(&m, &c);
}

PG_TEST(manifest_resolves_wasm_relative_to_its_own_directory) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  char abs_toml[2 * PATH_MAX];
  enter_tmp_dir();
  ASSERT_EQ(mkdir("apps", 0700), 0);
  ASSERT_EQ(mkdir("bin", 0700), 0);
  write_file("bin/svc.wasm", "\0asm");
  snprintf(abs_toml, sizeof abs_toml,
           APP "[[service]]\nname = \"a\"\nwasm = \"../bin/svc.wasm\"\n"
               "[[service]]\nname = \"b\"\nwasm = \"%s\"\n",
           in_dir("greeting.wasm"));
  write_file("apps/app.toml", abs_toml);
  load_ok("apps/app.toml", &c, &m);
  ASSERT_STREQ(m.path, "apps/app.toml");
  ASSERT_STREQ(m.guests[0].wasm, in_dir("bin/svc.wasm"));
  ASSERT_STREQ(m.guests[1].wasm, in_dir("greeting.wasm"));
  free_and_check(&m, &c);
}

PG_TEST(manifest_keeps_env_in_written_order) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE "[service.env]\nZED = \"1\"\n"
                        "ALPHA = \"\"\nMID = \"x y\"\n",
            &c, &m);
  ASSERT_EQ(m.guests[0].nenv, 3);
  ASSERT_STREQ(m.guests[0].env[0], "ZED=1");
  ASSERT_STREQ(m.guests[0].env[1], "ALPHA=");
  ASSERT_STREQ(m.guests[0].env[2], "MID=x y");
  free_and_check(&m, &c);
}

PG_TEST(manifest_lists_services_before_programs) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  enter_tmp_dir();
  write_file("app.toml", APP                                         /* 1-2 */
             "[[program]]\nname = \"p1\"\nwasm = \"hello.wasm\"\n"   /* 3 */
             "[[service]]\nname = \"s1\"\nwasm = \"hello.wasm\"\n"   /* 6 */
             "[[program]]\nname = \"p2\"\nwasm = \"hello.wasm\"\n"   /* 9 */
             "[[service]]\nname = \"s2\"\nwasm = \"hello.wasm\"\n"); /* 12 */
  load_ok("app.toml", &c, &m);
  ASSERT_EQ(m.nguests, 4);
  ASSERT_EQ(m.nservices, 2);
  const char *names[] = {"s1", "s2", "p1", "p2"};
  const int lines[] = {6, 12, 3, 9};
  for (size_t i = 0; i < 4; i++) {
    ASSERT_STREQ(m.guests[i].name, names[i]);
    ASSERT_EQ(m.guests[i].line, lines[i]);
    ASSERT_EQ(m.guests[i].is_program, i >= 2);
  }
  free_and_check(&m, &c);
}

PG_TEST(manifest_accepts_a_name_of_64_characters) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  char toml[256];
  enter_tmp_dir();
  snprintf(toml, sizeof toml,
           APP "[[service]]\nname = \"a%063d\"\n"
               "wasm = \"greeting.wasm\"\n",
           0);
  write_file("app.toml", toml);
  load_ok("app.toml", &c, &m);
  ASSERT_EQ(strlen(m.guests[0].name), 64);
  free_and_check(&m, &c);
}

PG_TEST(manifest_free_ignores_null_and_zeroed_manifests) {
  pg_manifest m = {0};
  pg_manifest_free(NULL, NULL);
  pg_manifest_free(&m, NULL);
  ASSERT_EQ(m.nguests, 0);
}

/* ---- the errors the format names --------------------------------------- */

PG_TEST(manifest_reports_a_missing_wasm_file_with_its_path) {
  expect_error_in_dir(APP                          /* 1-2 */
                      "deadline = \"2s\"\n"        /* 3 */
                      "\n"                         /* 4 */
                      SERVICE                      /* 5-7 */
                      "\n"                         /* 8 */
                      "[[service]]\n"              /* 9 */
                      "name = \"other\"\n"         /* 10 */
                      "wasm = \"greting.wasm\"\n", /* 11 */
                      PARIGOT_ENOENT,
                      "app.toml:11: service.wasm: no such file: "
                      "%s/greting.wasm");
}

/* parigot up --bin loads APP.toml whose wasm files are gone (the units
 * carry them): with the flag, a missing file is the path as written under
 * the manifest's folder; one that is there is still resolved and checked. */
PG_TEST(manifest_may_name_missing_wasm_files_when_asked) {
  /* ENOENT (no such folder), then ENOTDIR (a file as a folder) */
  const char *missing[] = {"gone/x.wasm", "app.toml/x.wasm"};
  for (size_t i = 0; i < 2; i++) {
    char text[512], err[512];
    snprintf(text, sizeof text,
             APP SERVICE "\n[[program]]\nname = \"p\"\nwasm = \"%s\"\n",
             missing[i]);
    enter_tmp_dir();
    write_file("app.toml", text);
    pg_manifest m;
    ASSERT_EQ(pg_manifest_load("app.toml", NULL, &m, err, sizeof err),
              PARIGOT_ENOENT);
    ASSERT_EQ(pg_manifest_load_flags("app.toml", NULL,
                                     PG_MANIFEST_WASM_MAY_BE_MISSING, &m, err,
                                     sizeof err),
              0);
    ASSERT_STREQ(err, "");
    ASSERT_STREQ(m.guests[0].wasm, in_dir("greeting.wasm")); /* resolved */
    ASSERT_STREQ(m.guests[1].wasm, in_dir(missing[i]));
    pg_manifest_free(&m, NULL);
  }
}

PG_TEST(manifest_reports_a_malformed_duration_with_its_text) {
  expect_error(APP "\n"
                   "deadline = \"soon\"\n" SERVICE,
               PARIGOT_EINVAL,
               "app.toml:4: app.deadline: expected a duration such as "
               "500ms, 2s or 1m, got \"soon\"");
}

PG_TEST(manifest_reports_a_name_shared_by_a_service_and_a_program) {
  expect_error(APP "\n\n"                            /* 1-4 */
               SERVICE                               /* 5-7 */
                   "[[service]]\nname = \"hello\"\n" /* 8-9 */
                   "wasm = \"hello.wasm\"\n\n"       /* 10-11 */
                   "[[program]]\nname = \"hello\"\n" /* 12-13 */
                   "wasm = \"hello.wasm\"\n",
               PARIGOT_EEXIST,
               "app.toml:13: program.name: 'hello' is already the name of "
               "the service on line 8");
}

PG_TEST(manifest_reports_the_later_duplicate_even_when_a_program_is_first) {
  expect_error(APP                                                   /* 1-2 */
               "[[program]]\nname = \"x\"\nwasm = \"hello.wasm\"\n"  /* 3-5 */
               "[[service]]\nname = \"x\"\nwasm = \"hello.wasm\"\n", /* 6-8 */
               PARIGOT_EEXIST,
               "app.toml:7: service.name: 'x' is already the name of the "
               "program on line 3");
}

PG_TEST(manifest_reports_duplicate_service_names) {
  expect_error(APP SERVICE SERVICE, PARIGOT_EEXIST,
               "app.toml:7: service.name: 'greeting' is already the name of "
               "the service on line 3");
}

PG_TEST(manifest_reports_an_unknown_key) {
  expect_error(APP "colour = \"blue\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.colour: unknown key");
}

PG_TEST(manifest_reports_an_unknown_key_in_a_guest) {
  expect_error(APP SERVICE "max_mem = \"1G\"\n", PARIGOT_EINVAL,
               "app.toml:6: service.max_mem: unknown key");
}

PG_TEST(manifest_reports_an_unknown_top_level_table) {
  expect_error(
      APP SERVICE "[services]\nname = \"x\"\n", PARIGOT_EINVAL,
      "app.toml:6: services: unknown key; the top level holds only "
      "[app], [[service]], [[program]], [[unit]], [auth] and [[route]]");
}

PG_TEST(manifest_quotes_keys_that_are_not_bare) {
  expect_error(APP "\"two words\" = 1\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.\"two words\": unknown key");
}

PG_TEST(manifest_refuses_restart_keys_in_a_program) {
  static const char *const keys[] = {"restart = \"on-failure\"",
                                     "max_restarts = 3",
                                     "restart_backoff = \"1s\""};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    char toml[256], msg[256];
    snprintf(toml, sizeof toml,
             APP "[[program]]\nname = \"p\"\nwasm = \"hello.wasm\"\n%s\n",
             keys[i]);
    snprintf(msg, sizeof msg,
             "app.toml:6: program.%.*s: unknown key; only a [[service]] can "
             "restart",
             (int)strcspn(keys[i], " "), keys[i]);
    expect_error(toml, PARIGOT_EINVAL, msg);
  }
}

PG_TEST(manifest_refuses_test_on_a_service) {
  expect_error(APP SERVICE "test = true\n", PARIGOT_EINVAL,
               "app.toml:6: service.test: unknown key; only a [[program]] "
               "can be a test");
}

#define TEST_PROGRAM                                                           \
  "[[program]]\nname = \"t\"\nwasm = \"hello.wasm\"\ntest = true\n"

/* A test's mocks name services of the app, once each; only a test has
 * them. */
PG_TEST(manifest_refuses_mocks_that_are_not_services_of_the_app) {
  expect_error(APP SERVICE TEST_PROGRAM "mocks = [\"store\"]\n", PARIGOT_EINVAL,
               "app.toml:10: program.mocks: t mocks \"store\", which is not "
               "in the app: a test stands in for [[service]]s of its app");
  expect_error(APP SERVICE TEST_PROGRAM "mocks = [\"t\"]\n", PARIGOT_EINVAL,
               "app.toml:10: program.mocks: t mocks \"t\", which is a "
               "program: a test stands in for [[service]]s of its app");
  expect_error(
      APP SERVICE TEST_PROGRAM "mocks = [\"greeting\", \"greeting\"]\n",
      PARIGOT_EINVAL, "app.toml:10: program.mocks: t mocks \"greeting\" twice");
  expect_error(APP SERVICE "[[program]]\nname = \"p\"\nwasm = \"hello.wasm\"\n"
                           "mocks = [\"greeting\"]\n",
               PARIGOT_EINVAL,
               "app.toml:9: program: p has mocks but is not a test: only a "
               "test program stands in for services (add test = true)");
  expect_error(APP SERVICE "mocks = [\"greeting\"]\n", PARIGOT_EINVAL,
               "app.toml:6: service.mocks: unknown key; only a test "
               "[[program]] mocks");
}

PG_TEST(manifest_reports_a_missing_key_at_its_table_line) {
  expect_error("# demo\n[app]\ndeadline = \"1s\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:2: app.name: missing");
}

PG_TEST(manifest_reports_a_missing_wasm_key_at_its_header) {
  expect_error(APP "[[service]]\nname = \"x\"\n", PARIGOT_EINVAL,
               "app.toml:3: service.wasm: missing");
}

PG_TEST(manifest_reports_a_missing_app_table_without_a_line) {
  expect_error(SERVICE, PARIGOT_EINVAL,
               "app.toml: app: missing; a manifest needs an [app] table with "
               "its name");
}

PG_TEST(manifest_keeps_the_toml_parsers_line_and_column) {
  expect_error(APP "deadline = \"5s\n" SERVICE, PARIGOT_ESYNTAX,
               "app.toml:3:12: unterminated string");
}

PG_TEST(manifest_reports_a_missing_manifest) {
  enter_tmp_dir();
  expect_load_error("nope.toml", PARIGOT_ENOENT, "nope.toml: no such file");
}

PG_TEST(manifest_reports_a_directory_given_as_manifest) {
  enter_tmp_dir();
  ASSERT_EQ(mkdir("dir.toml", 0700), 0);
  expect_load_error("dir.toml", PARIGOT_EINVAL, "dir.toml: not a regular file");
}

PG_TEST(manifest_refuses_a_file_larger_than_16_mib) {
  enter_tmp_dir();
  write_file("big.toml", "");
  ASSERT_EQ(truncate("big.toml", PG_MANIFEST_MAX_BYTES + 1), 0);
  expect_load_error("big.toml", PARIGOT_ERANGE,
                    "big.toml: 16777217 bytes; a manifest may be at most "
                    "16 MiB");
}

PG_TEST(manifest_requires_a_service_or_program) {
  expect_error(APP, PARIGOT_EINVAL,
               "app.toml: no [[service]] or [[program]]: an app needs at "
               "least one");
}

PG_TEST(manifest_reports_a_wasm_path_that_is_a_directory) {
  expect_error_in_dir(APP "[[service]]\nname = \"x\"\nwasm = \".\"\n",
                      PARIGOT_EINVAL,
                      "app.toml:5: service.wasm: not a regular file: %s");
}

/* ---- types ------------------------------------------------------------- */

PG_TEST(manifest_names_the_expected_and_actual_type_of_scalars) {
  expect_error("[app]\nname = 7\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:2: app.name: expected a string, got an integer");
}

PG_TEST(manifest_wants_sizes_and_durations_as_strings) {
  expect_error(APP "max_message_size = 4096\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.max_message_size: expected a size such as "
               "64M or 1G, got an integer");
}

PG_TEST(manifest_wants_a_boolean_test_flag) {
  expect_error(APP "[[program]]\nname = \"p\"\nwasm = \"hello.wasm\"\n"
                   "test = \"yes\"\n",
               PARIGOT_EINVAL,
               "app.toml:6: program.test: expected a boolean, got a string");
}

PG_TEST(manifest_wants_a_string_restart_policy) {
  expect_error(APP SERVICE "restart = true\n", PARIGOT_EINVAL,
               "app.toml:6: service.restart: expected \"never\" or "
               "\"on-failure\", got a boolean");
}

PG_TEST(manifest_wants_max_restarts_as_an_integer) {
  expect_error(APP SERVICE "restart = \"on-failure\"\nmax_restarts = \"5\"\n",
               PARIGOT_EINVAL,
               "app.toml:7: service.max_restarts: expected an integer, got a "
               "string");
}

PG_TEST(manifest_wants_max_restarts_as_an_integer_not_a_float) {
  expect_error(APP SERVICE "restart = \"on-failure\"\nmax_restarts = 5.0\n",
               PARIGOT_EINVAL,
               "app.toml:7: service.max_restarts: expected an integer, got a "
               "float");
}

PG_TEST(manifest_wants_restart_backoff_as_a_duration_string) {
  expect_error(APP SERVICE "restart = \"on-failure\"\n"
                           "restart_backoff = 100\n",
               PARIGOT_EINVAL,
               "app.toml:7: service.restart_backoff: expected a duration "
               "such as 500ms, 2s or 1m, got an integer");
}

PG_TEST(manifest_wants_drain_timeout_as_a_duration_string) {
  expect_error(APP "drain_timeout = 5\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.drain_timeout: expected a duration such as "
               "500ms, 2s or 1m, got an integer");
}

PG_TEST(manifest_wants_args_to_be_strings) {
  expect_error(APP SERVICE "args = [\"-v\", 2]\n", PARIGOT_EINVAL,
               "app.toml:6: service.args[1]: expected a string, got an "
               "integer");
}

PG_TEST(manifest_wants_args_to_be_an_array) {
  expect_error(APP SERVICE "args = \"-v\"\n", PARIGOT_EINVAL,
               "app.toml:6: service.args: expected an array of strings, got "
               "a string");
}

PG_TEST(manifest_wants_env_to_be_a_table_of_strings) {
  expect_error(APP SERVICE "env = { DEBUG = true }\n", PARIGOT_EINVAL,
               "app.toml:6: service.env.DEBUG: expected a string, got a "
               "boolean");
}

PG_TEST(manifest_wants_guests_as_arrays_of_tables) {
  expect_error(APP "[service]\nname = \"x\"\nwasm = \"hello.wasm\"\n",
               PARIGOT_EINVAL,
               "app.toml:3: service: expected an array of tables "
               "([[service]]), got a table");
}

PG_TEST(manifest_wants_app_to_be_a_table) {
  expect_error("app = \"demo\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:1: app: expected a table, got a string");
}

/* ---- values ------------------------------------------------------------ */

PG_TEST(manifest_rejects_names_outside_the_alphabet) {
  static const char *const bad[] = {"Hello", "1st", "", "a.b", "a b", "_x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char toml[128], msg[256];
    snprintf(toml, sizeof toml, "[app]\nname = \"%s\"\n" SERVICE, bad[i]);
    snprintf(msg, sizeof msg,
             "app.toml:2: app.name: '%s' is not a valid name: use a "
             "lowercase letter, then up to 63 lowercase letters, digits, '_' "
             "or '-'",
             bad[i]);
    expect_error(toml, PARIGOT_EINVAL, msg);
  }
}

PG_TEST(manifest_rejects_a_name_of_65_characters) {
  char toml[256], msg[256];
  snprintf(toml, sizeof toml,
           APP "[[service]]\nname = \"a%064d\"\n"
               "wasm = \"greeting.wasm\"\n",
           0);
  snprintf(msg, sizeof msg,
           "app.toml:4: service.name: 'a%064d' is not a valid name: use a "
           "lowercase letter, then up to 63 lowercase letters, digits, '_' "
           "or '-'",
           0);
  expect_error(toml, PARIGOT_EINVAL, msg);
}

PG_TEST(manifest_escapes_control_characters_in_messages) {
  expect_error("[app]\nname = \"a\\u0001'\\n\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:2: app.name: 'a\\u0001\\'\\u000a' is not a valid "
               "name: use a lowercase letter, then up to 63 lowercase "
               "letters, digits, '_' or '-'");
}

PG_TEST(manifest_rejects_nul_in_strings) {
  expect_error(APP SERVICE "args = [\"a\\u0000b\"]\n", PARIGOT_EINVAL,
               "app.toml:6: service.args[0]: contains a NUL character");
}

PG_TEST(manifest_rejects_env_names_with_an_equals_sign) {
  expect_error(APP SERVICE "env = { \"A=B\" = \"c\" }\n", PARIGOT_EINVAL,
               "app.toml:6: service.env.\"A=B\": an environment variable's "
               "name cannot contain '='");
}

PG_TEST(manifest_rejects_empty_env_names) {
  expect_error(APP SERVICE "env = { \"\" = \"c\" }\n", PARIGOT_EINVAL,
               "app.toml:6: service.env.\"\": an environment variable needs "
               "a name");
}

PG_TEST(manifest_rejects_a_zero_deadline) {
  expect_error(APP "deadline = \"0ms\"\n" SERVICE, PARIGOT_ERANGE,
               "app.toml:3: app.deadline: must be greater than 0, got "
               "\"0ms\"");
}

PG_TEST(manifest_reads_the_startup_drain_and_request_timeouts) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP "startup_timeout = \"2s\"\ndrain_timeout = \"750ms\"\n"
                "request_timeout = \"4s\"\n" SERVICE,
            &c, &m);
  ASSERT_EQ(m.startup_timeout_ns, 2000000000ull);
  ASSERT_EQ(m.drain_timeout_ns, 750000000ull);
  ASSERT_EQ(m.request_timeout_ns, 4000000000ull);
  free_and_check(&m, &c);
}

PG_TEST(manifest_rejects_a_zero_drain_timeout) {
  expect_error(APP "drain_timeout = \"0s\"\n" SERVICE, PARIGOT_ERANGE,
               "app.toml:3: app.drain_timeout: must be greater than 0, got "
               "\"0s\"");
}

PG_TEST(manifest_rejects_a_zero_max_handler_time) {
  expect_error(APP SERVICE "max_handler_time = \"0s\"\n", PARIGOT_ERANGE,
               "app.toml:6: service.max_handler_time: must be greater than "
               "0, got \"0s\"");
}

PG_TEST(manifest_rejects_a_negative_deadline) {
  expect_error(APP "deadline = \"-1s\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.deadline: expected a duration such as 500ms, "
               "2s or 1m, got \"-1s\"");
}

PG_TEST(manifest_rejects_a_deadline_beyond_uint64_nanoseconds) {
  expect_error(APP "deadline = \"999999999999m\"\n" SERVICE, PARIGOT_ERANGE,
               "app.toml:3: app.deadline: must be shorter than 584 years, "
               "got \"999999999999m\"");
}

PG_TEST(manifest_rejects_a_zero_message_size) {
  expect_error(APP "max_message_size = \"0\"\n" SERVICE, PARIGOT_ERANGE,
               "app.toml:3: app.max_message_size: must be between 1 and 1G, "
               "got \"0\"");
}

PG_TEST(manifest_rejects_a_negative_message_size) {
  expect_error(APP "max_message_size = \"-4M\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.max_message_size: expected a size such as "
               "64M or 1G, got \"-4M\"");
}

PG_TEST(manifest_rejects_a_message_size_above_1g) {
  expect_error(APP "max_message_size = \"1025M\"\n" SERVICE, PARIGOT_ERANGE,
               "app.toml:3: app.max_message_size: must be between 1 and 1G, "
               "got \"1025M\"");
}

PG_TEST(manifest_rejects_max_memory_below_one_page) {
  expect_error(APP SERVICE "max_memory = \"63K\"\n", PARIGOT_ERANGE,
               "app.toml:6: service.max_memory: must be between 64K and 4G, "
               "got \"63K\"");
}

PG_TEST(manifest_rejects_max_memory_above_4g) {
  expect_error(APP SERVICE "max_memory = \"4097M\"\n", PARIGOT_ERANGE,
               "app.toml:6: service.max_memory: must be between 64K and 4G, "
               "got \"4097M\"");
}

/* ---- restarts ---------------------------------------------------------- */

PG_TEST(manifest_reads_max_restarts_at_both_ends_of_its_range) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  enter_tmp_dir();
  write_file("app.toml",
             APP "[[service]]\nname = \"a\"\nwasm = \"hello.wasm\"\n"
                 "restart = \"on-failure\"\nmax_restarts = 1\n"
                 "[[service]]\nname = \"b\"\nwasm = \"hello.wasm\"\n"
                 "restart = \"on-failure\"\nmax_restarts = 1000000\n");
  load_ok("app.toml", &c, &m);
  ASSERT_EQ(m.guests[0].max_restarts, 1);
  ASSERT_EQ(m.guests[1].max_restarts, 1000000);
  ASSERT_EQ(m.guests[1].restart, PG_RESTART_ON_FAILURE);
  ASSERT_EQ(m.guests[1].restart_backoff_ns, 100000000ull); /* default */
  free_and_check(&m, &c);
}

PG_TEST(manifest_reads_an_explicit_never_restart) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE "restart = \"never\"\n", &c, &m);
  ASSERT_EQ(m.guests[0].restart, PG_RESTART_NEVER);
  ASSERT_EQ(m.guests[0].max_restarts, 5);
  free_and_check(&m, &c);
}

PG_TEST(manifest_accepts_a_zero_restart_backoff) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE "restart = \"on-failure\"\n"
                        "restart_backoff = \"0s\"\n",
            &c, &m);
  ASSERT_EQ(m.guests[0].restart, PG_RESTART_ON_FAILURE);
  ASSERT_EQ(m.guests[0].restart_backoff_ns, 0);
  free_and_check(&m, &c);
}

PG_TEST(manifest_accepts_restart_after_the_keys_it_governs) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE "max_restarts = 7\n"
                        "restart_backoff = \"2s\"\n"
                        "restart = \"on-failure\"\n",
            &c, &m);
  ASSERT_EQ(m.guests[0].restart, PG_RESTART_ON_FAILURE);
  ASSERT_EQ(m.guests[0].max_restarts, 7);
  ASSERT_EQ(m.guests[0].restart_backoff_ns, 2000000000ull);
  free_and_check(&m, &c);
}

PG_TEST(manifest_rejects_an_unknown_restart_policy) {
  expect_error(APP SERVICE "restart = \"always\"\n", PARIGOT_EINVAL,
               "app.toml:6: service.restart: expected \"never\" or "
               "\"on-failure\", got \"always\"");
}

PG_TEST(manifest_rejects_zero_max_restarts) {
  expect_error(APP SERVICE "restart = \"on-failure\"\nmax_restarts = 0\n",
               PARIGOT_ERANGE,
               "app.toml:7: service.max_restarts: must be between 1 and "
               "1000000, got 0");
}

PG_TEST(manifest_rejects_max_restarts_above_a_million) {
  expect_error(APP SERVICE "restart = \"on-failure\"\n"
                           "max_restarts = 1000001\n",
               PARIGOT_ERANGE,
               "app.toml:7: service.max_restarts: must be between 1 and "
               "1000000, got 1000001");
}

PG_TEST(manifest_rejects_a_negative_restart_backoff) {
  expect_error(APP SERVICE "restart = \"on-failure\"\n"
                           "restart_backoff = \"-1s\"\n",
               PARIGOT_EINVAL,
               "app.toml:7: service.restart_backoff: expected a duration "
               "such as 500ms, 2s or 1m, got \"-1s\"");
}

PG_TEST(manifest_rejects_max_restarts_without_a_restart_policy) {
  expect_error(APP SERVICE "max_restarts = 3\n", PARIGOT_EINVAL,
               "app.toml:6: service.max_restarts: has no effect unless "
               "restart = \"on-failure\"");
}

PG_TEST(manifest_rejects_max_restarts_before_restart_never) {
  expect_error(APP SERVICE "max_restarts = 3\nrestart = \"never\"\n",
               PARIGOT_EINVAL,
               "app.toml:6: service.max_restarts: has no effect unless "
               "restart = \"on-failure\"");
}

PG_TEST(manifest_rejects_restart_backoff_after_restart_never) {
  expect_error(APP SERVICE "restart = \"never\"\n"
                           "restart_backoff = \"1s\"\n",
               PARIGOT_EINVAL,
               "app.toml:7: service.restart_backoff: has no effect unless "
               "restart = \"on-failure\"");
}

PG_TEST(manifest_names_the_first_restart_key_without_a_policy) {
  expect_error(APP SERVICE "restart_backoff = \"1s\"\nmax_restarts = 3\n",
               PARIGOT_EINVAL,
               "app.toml:6: service.restart_backoff: has no effect unless "
               "restart = \"on-failure\"");
}

/* ---- units ------------------------------------------------------------- */

static const char units_app[] =
    "[app]\n"                                /* 1 */
    "name = \"shop\"\n"                      /* 2 */
    "[[service]]\n"                          /* 3 */
    "name = \"greeting\"\n"                  /* 4 */
    "wasm = \"greeting.wasm\"\n"             /* 5 */
    "[[service]]\n"                          /* 6 */
    "name = \"store\"\n"                     /* 7 */
    "wasm = \"hello.wasm\"\n"                /* 8 */
    "[[service]]\n"                          /* 9 */
    "name = \"cache\"\n"                     /* 10 */
    "wasm = \"hello.wasm\"\n"                /* 11 */
    "[[program]]\n"                          /* 12 */
    "name = \"hello\"\n"                     /* 13 */
    "wasm = \"hello.wasm\"\n"                /* 14 */
    "[[program]]\n"                          /* 15 */
    "name = \"batch\"\n"                     /* 16 */
    "wasm = \"hello.wasm\"\n"                /* 17 */
    "\n"                                     /* 18 */
    "[[unit]]\n"                             /* 19 */
    "name = \"front\"\n"                     /* 20 */
    "services = [\"hello\", \"greeting\"]\n" /* 21 */
    "listen = \"127.0.0.1:8080\"\n"          /* 22 */
    "[[unit]]\n"                             /* 23 */
    "name = \"back\"\n"                      /* 24 */
    "services = [\"store\"]\n"               /* 25 */
    "listen = \"[::1]:443\"\n"               /* 26 */
    "[[unit]]\n"                             /* 27 */
    "listen = \"localhost:9000\"\n"          /* 28 */
    "services = [\"batch\"]\n"               /* 29 */
    "name = \"ops\"\n"                       /* 30 */
    "[[unit]]\n"                             /* 31 */
    "name = \"quiet\"\n"                     /* 32 */
    "services = [\"cache\"]\n";              /* 33 */

/* A unit "web" of greeting alone, written after APP SERVICE: lines 6-8. */
#define UNIT_WEB "[[unit]]\nname = \"web\"\nservices = [\"greeting\"]\n"
/* A program, in three lines. */
#define HELLO "[[program]]\nname = \"hello\"\nwasm = \"hello.wasm\"\n"

PG_TEST(manifest_makes_one_default_unit_of_every_guest_without_units) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP HELLO SERVICE, &c, &m);
  ASSERT_EQ(m.nunits, 1);
  const pg_manifest_unit *u = &m.units[0];
  ASSERT_STREQ(u->name, "demo");
  ASSERT_TRUE(u->is_default);
  ASSERT_EQ(u->line, 0);
  ASSERT_TRUE(u->listen_host == NULL);
  ASSERT_EQ(u->listen_port, 0);
  ASSERT_EQ(u->nguests, 2);
  ASSERT_EQ(u->guests[0], 0); /* guests[] order: the service first */
  ASSERT_EQ(u->guests[1], 1);
  ASSERT_STREQ(m.guests[0].name, "greeting");
  ASSERT_EQ(m.guests[0].unit, 0);
  ASSERT_EQ(m.guests[1].unit, 0);
  free_and_check(&m, &c);
}

PG_TEST(manifest_reads_units_and_their_listen_addresses) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(units_app, &c, &m);
  ASSERT_EQ(m.nguests, 5); /* greeting, store, cache, hello, batch */
  ASSERT_EQ(m.nunits, 4);
  static const struct {
    const char *name, *host;
    uint16_t port;
    int line;
    size_t nguests;
    uint32_t guests[2];
  } want[] = {{"front", "127.0.0.1", 8080, 19, 2, {3, 0}},
              {"back", "::1", 443, 23, 1, {1}},
              {"ops", "localhost", 9000, 27, 1, {4}},
              {"quiet", NULL, 0, 31, 1, {2}}};
  for (size_t i = 0; i < 4; i++) {
    const pg_manifest_unit *u = &m.units[i];
    ASSERT_STREQ(u->name, want[i].name);
    if (want[i].host == NULL)
      ASSERT_TRUE(u->listen_host == NULL);
    else
      ASSERT_STREQ(u->listen_host, want[i].host);
    ASSERT_EQ(u->listen_port, want[i].port);
    ASSERT_EQ(u->line, want[i].line);
    ASSERT_TRUE(!u->is_default);
    ASSERT_EQ(u->nguests, want[i].nguests);
    for (size_t j = 0; j < u->nguests; j++)
      ASSERT_EQ(u->guests[j], want[i].guests[j]);
  }
  static const uint32_t unit_of[] = {0, 1, 3, 0, 2};
  for (size_t i = 0; i < 5; i++)
    ASSERT_EQ(m.guests[i].unit, unit_of[i]);
  free_and_check(&m, &c);
}

PG_TEST(manifest_lets_a_unit_run_a_program) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE UNIT_WEB HELLO
            "[[unit]]\nname = \"cli\"\nservices = [\"hello\"]\n",
            &c, &m);
  ASSERT_EQ(m.nunits, 2);
  ASSERT_STREQ(m.units[1].name, "cli");
  ASSERT_EQ(m.units[1].nguests, 1);
  ASSERT_EQ(m.units[1].guests[0], 1);
  ASSERT_TRUE(m.guests[1].is_program);
  ASSERT_EQ(m.guests[1].unit, 1);
  free_and_check(&m, &c);
}

PG_TEST(manifest_reads_units_written_before_their_guests) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP                                                   /* 1-2 */
            "[[unit]]\nname = \"b\"\nservices = [\"hello\"]\n"    /* 3 */
            "[[unit]]\nname = \"a\"\nservices = [\"greeting\"]\n" /* 6 */
            HELLO SERVICE,
            &c, &m);
  ASSERT_EQ(m.nunits, 2);
  ASSERT_STREQ(m.units[0].name, "b");
  ASSERT_EQ(m.units[0].line, 3);
  ASSERT_EQ(m.units[0].guests[0], 1); /* hello, after the service */
  ASSERT_STREQ(m.units[1].name, "a");
  ASSERT_EQ(m.units[1].guests[0], 0);
  ASSERT_EQ(m.guests[0].unit, 1);
  ASSERT_EQ(m.guests[1].unit, 0);
  free_and_check(&m, &c);
}

PG_TEST(manifest_lets_a_unit_share_a_name_with_a_service) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE
            "[[unit]]\nname = \"greeting\"\nservices = [\"greeting\"]\n",
            &c, &m);
  ASSERT_STREQ(m.units[0].name, "greeting");
  free_and_check(&m, &c);
}

PG_TEST(manifest_accepts_listen_ports_1_and_65535_on_any_interface) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE UNIT_WEB
            "listen = \"0.0.0.0:65535\"\n" HELLO
            "[[unit]]\nname = \"cli\"\nservices = [\"hello\"]\n"
            "listen = \"[::]:1\"\n",
            &c, &m);
  ASSERT_STREQ(m.units[0].listen_host, "0.0.0.0");
  ASSERT_EQ(m.units[0].listen_port, 65535);
  ASSERT_STREQ(m.units[1].listen_host, "::");
  ASSERT_EQ(m.units[1].listen_port, 1);
  free_and_check(&m, &c);
}

PG_TEST(manifest_accepts_one_port_on_two_hosts) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE UNIT_WEB
            "listen = \"127.0.0.1:8080\"\n" HELLO
            "[[unit]]\nname = \"cli\"\nservices = [\"hello\"]\n"
            "listen = \"[::1]:8080\"\n",
            &c, &m);
  ASSERT_EQ(m.units[0].listen_port, m.units[1].listen_port);
  free_and_check(&m, &c);
}

PG_TEST(manifest_reports_a_unit_naming_no_guest_at_that_value) {
  expect_error(APP SERVICE  /* 1-5 */
               "\n"         /* 6 */
               "[[unit]]\n" /* 7 */
               "name = \"web\"\n"
               "services = [\n"
               "  \"greeting\",\n" /* 10 */
               "  \"gretting\",\n" /* 11 */
               "]\n",
               PARIGOT_EINVAL,
               "app.toml:11: unit.services: no service or program named "
               "\"gretting\"");
}

PG_TEST(manifest_reports_a_guest_in_two_units) {
  expect_error(APP SERVICE UNIT_WEB           /* 1-8 */
               "[[unit]]\nname = \"api\"\n"   /* 9-10 */
               "services = [\"greeting\"]\n", /* 11 */
               PARIGOT_EINVAL,
               "app.toml:11: unit.services: service \"greeting\" is in two "
               "units: \"web\" (line 6) and \"api\"");
}

PG_TEST(manifest_reports_a_program_in_two_units) {
  /* APP and HELLO take lines 1-5; the units start on lines 6 and 9. */
  expect_error(APP HELLO "[[unit]]\nname = \"a\"\nservices = [\"hello\"]\n"
                         "[[unit]]\nname = \"b\"\nservices = [\"hello\"]\n",
               PARIGOT_EINVAL,
               "app.toml:11: unit.services: program \"hello\" is in two "
               "units: \"a\" (line 6) and \"b\"");
}

PG_TEST(manifest_reports_a_guest_listed_twice_in_one_unit) {
  expect_error(APP SERVICE         /* 1-5 */
               "[[unit]]\n"        /* 6 */
               "services = [\n"    /* 7 */
               "  \"greeting\",\n" /* 8 */
               "  \"greeting\",\n" /* 9 */
               "]\n"               /* 10 */
               "name = \"web\"\n", /* 11: named after its list */
               PARIGOT_EINVAL,
               "app.toml:9: unit.services: service \"greeting\" is listed "
               "twice in unit \"web\"");
}

PG_TEST(manifest_reports_duplicate_unit_names) {
  /* UNIT_WEB starts on line 6, HELLO takes 9-11, the second unit 12-14. */
  expect_error(APP SERVICE UNIT_WEB HELLO
               "[[unit]]\nservices = [\"hello\"]\nname = \"web\"\n",
               PARIGOT_EEXIST,
               "app.toml:14: unit.name: 'web' is already the name of the "
               "unit on line 6");
}

PG_TEST(manifest_reports_two_units_listening_on_one_address) {
  /* UNIT_WEB starts on line 6; the second listen is on line 16. */
  expect_error(APP SERVICE UNIT_WEB
               "listen = \"127.0.0.1:8080\"\n" HELLO
               "[[unit]]\nname = \"cli\"\nservices = [\"hello\"]\n"
               "listen = \"127.0.0.1:8080\"\n",
               PARIGOT_EEXIST,
               "app.toml:16: unit.listen: \"127.0.0.1:8080\" is already the "
               "address of unit \"web\" on line 6");
}

PG_TEST(manifest_compares_ipv6_listen_addresses_by_value) {
  expect_error(APP SERVICE UNIT_WEB
               "listen = \"[::1]:8080\"\n" HELLO
               "[[unit]]\nname = \"cli\"\nservices = [\"hello\"]\n"
               "listen = \"[0:0::0:1]:8080\"\n",
               PARIGOT_EEXIST,
               "app.toml:16: unit.listen: \"[::1]:8080\" is already the "
               "address of unit \"web\" on line 6");
}

PG_TEST(manifest_reports_a_service_in_no_unit_at_its_header) {
  expect_error(APP SERVICE "\n\n\n"                          /* 1-8 */
                           "[[service]]\nname = \"cache\"\n" /* 9-10 */
                           "wasm = \"hello.wasm\"\n" UNIT_WEB,
               PARIGOT_EINVAL,
               "app.toml:9: service \"cache\" is in no [[unit]]; once an app "
               "has units, each service and program belongs to one");
}

PG_TEST(manifest_reports_the_first_guest_in_no_unit_in_file_order) {
  /* hello, on line 3, comes after cache in guests[] but first in the file. */
  expect_error(APP HELLO "[[service]]\nname = \"cache\"\n"
                         "wasm = \"hello.wasm\"\n" SERVICE UNIT_WEB,
               PARIGOT_EINVAL,
               "app.toml:3: program \"hello\" is in no [[unit]]; once an app "
               "has units, each service and program belongs to one");
}

PG_TEST(manifest_reports_a_missing_unit_name_at_its_header) {
  expect_error(APP SERVICE "[[unit]]\nservices = [\"greeting\"]\n",
               PARIGOT_EINVAL, "app.toml:6: unit.name: missing");
}

PG_TEST(manifest_reports_missing_unit_services_at_its_header) {
  expect_error(APP SERVICE "[[unit]]\nname = \"web\"\n", PARIGOT_EINVAL,
               "app.toml:6: unit.services: missing");
}

PG_TEST(manifest_rejects_a_unit_of_no_services) {
  expect_error(APP SERVICE "[[unit]]\nname = \"web\"\nservices = []\n",
               PARIGOT_EINVAL,
               "app.toml:8: unit.services: empty; a unit runs at least one "
               "service or program");
}

PG_TEST(manifest_wants_unit_services_as_an_array_of_strings) {
  expect_error(APP SERVICE "[[unit]]\nname = \"web\"\n"
                           "services = \"greeting\"\n",
               PARIGOT_EINVAL,
               "app.toml:8: unit.services: expected an array of strings, got "
               "a string");
  expect_error(APP SERVICE "[[unit]]\nname = \"web\"\n"
                           "services = [\"greeting\", 2]\n",
               PARIGOT_EINVAL,
               "app.toml:8: unit.services[1]: expected a string, got an "
               "integer");
}

PG_TEST(manifest_checks_a_unit_name_as_a_service_name) {
  expect_error(APP SERVICE "[[unit]]\nname = \"Web\"\n"
                           "services = [\"greeting\"]\n",
               PARIGOT_EINVAL,
               "app.toml:7: unit.name: 'Web' is not a valid name: use a "
               "lowercase letter, then up to 63 lowercase letters, digits, "
               "'_' or '-'");
}

PG_TEST(manifest_reports_an_unknown_key_in_a_unit) {
  expect_error(APP SERVICE UNIT_WEB "port = 8080\n", PARIGOT_EINVAL,
               "app.toml:9: unit.port: unknown key");
}

PG_TEST(manifest_wants_units_as_arrays_of_tables) {
  expect_error(APP SERVICE "[unit]\nname = \"web\"\n"
                           "services = [\"greeting\"]\n",
               PARIGOT_EINVAL,
               "app.toml:6: unit: expected an array of tables ([[unit]]), "
               "got a table");
}

/* Expects listen = @p value (TOML text) in UNIT_WEB to fail with @p rc and
 * "app.toml:9: unit.listen: " followed by @p msg. */
static void expect_listen_error(const char *value, int rc, const char *msg) {
  char toml[512], full[512];
  snprintf(toml, sizeof toml, APP SERVICE UNIT_WEB "listen = %s\n", value);
  snprintf(full, sizeof full, "app.toml:9: unit.listen: %s", msg);
  expect_error(toml, rc, full);
}

PG_TEST(manifest_rejects_listen_ports_outside_0_to_65535) {
  static const char *const bad[] = {"127.0.0.1:65536",
                                    "[::1]:99999999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char value[128], msg[256];
    snprintf(value, sizeof value, "\"%s\"", bad[i]);
    snprintf(msg, sizeof msg,
             "the port must be between 0 and 65535, got \"%s\"", bad[i]);
    expect_listen_error(value, PARIGOT_ERANGE, msg);
  }
}

PG_TEST(manifest_rejects_listen_hosts_other_than_ip_literals_and_localhost) {
  static const char *const bad[] = {
      "1.2.3:80",     "example.com:80", "01.2.3.4:80",      "1.2.3.256:80",
      ":80",          "::1:80",         "[1.2.3.4]:80",     "[localhost]:80",
      "LOCALHOST:80", "[]:80",          "[fe80::1%eth0]:80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char value[128], msg[256];
    snprintf(value, sizeof value, "\"%s\"", bad[i]);
    snprintf(msg, sizeof msg,
             "the host must be an IPv4 address, localhost or an IPv6 "
             "address in brackets, got \"%s\"",
             bad[i]);
    expect_listen_error(value, PARIGOT_EINVAL, msg);
  }
}

PG_TEST(manifest_rejects_malformed_listen_addresses) {
  static const char *const bad[] = {"127.0.0.1",     "127.0.0.1:",
                                    "127.0.0.1:+80", "127.0.0.1:-80",
                                    "127.0.0.1: 80", "localhost:8o",
                                    "[::1]",         "[::1]80",
                                    "[::1:80",       "",
                                    "localhost:0x50"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char value[128], msg[256];
    snprintf(value, sizeof value, "\"%s\"", bad[i]);
    snprintf(msg, sizeof msg,
             "expected HOST:PORT such as 127.0.0.1:8080 or [::1]:8080, got "
             "\"%s\"",
             bad[i]);
    expect_listen_error(value, PARIGOT_EINVAL, msg);
  }
}

PG_TEST(manifest_wants_listen_as_a_string) {
  expect_listen_error("8080", PARIGOT_EINVAL,
                      "expected HOST:PORT such as 127.0.0.1:8080 or "
                      "[::1]:8080, got an integer");
  expect_listen_error("\"127.0.0.1:80\\u0000\"", PARIGOT_EINVAL,
                      "expected HOST:PORT such as 127.0.0.1:8080 or "
                      "[::1]:8080, got \"127.0.0.1:80\\u0000\"");
}

/* ---- allocation failures ---------------------------------------------- */

/* Loads @p toml failing the i-th allocation, for every i until the load
 * succeeds: each failure must be ENOMEM, say so, and leave nothing live. */
static void expect_clean_failure_at_every_allocation(const char *toml) {
  enter_tmp_dir();
  write_file("app.toml", toml);
  long i = 0;
  for (;; i++) {
    counter c = {.fail_at = i};
    pg_mem mem = counting_mem(&c);
    pg_manifest m;
    char err[256];
    int rc = pg_manifest_load("app.toml", &mem, &m, err, sizeof err);
    if (rc == 0) {
      ASSERT_TRUE(c.calls <= i); /* the sweep passed every allocation */
      free_and_check(&m, &c);
      break;
    }
    ASSERT_EQ(rc, PARIGOT_ENOMEM);
    ASSERT_STREQ(err, "app.toml: out of memory");
    ASSERT_EQ(c.live, 0);
  }
  ASSERT_TRUE(i > 10);
}

PG_TEST(manifest_load_fails_cleanly_at_every_allocation) {
  expect_clean_failure_at_every_allocation(full_app);
}

PG_TEST(manifest_load_with_units_fails_cleanly_at_every_allocation) {
  expect_clean_failure_at_every_allocation(units_app);
}

/* ---- units outside parigot (unit.serves) ------------------------------- */

#define UNIT_PY "[[unit]]\nname = \"py\"\nlisten = \"127.0.0.1:7005\"\n"

PG_TEST(manifest_reads_a_unit_outside_parigot) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE UNIT_WEB UNIT_PY
            "serves = [\"pkg.v1.Echo\", \"Other\"]\n",
            &c, &m);
  ASSERT_EQ(m.nunits, 2);
  const pg_manifest_unit *py = &m.units[1];
  ASSERT_STREQ(py->name, "py");
  ASSERT_EQ(py->nguests, 0);
  ASSERT_EQ(py->nserves, 2);
  ASSERT_STREQ(py->serves[0], "pkg.v1.Echo");
  ASSERT_STREQ(py->serves[1], "Other");
  ASSERT_EQ(py->listen_port, 7005);
  ASSERT_TRUE(m.units[0].serves == NULL);
  free_and_check(&m, &c);
}

PG_TEST(manifest_rejects_a_unit_with_services_and_serves) {
  expect_error(APP SERVICE "[[unit]]\nname = \"web\"\nservices = "
                           "[\"greeting\"]\nlisten = \"127.0.0.1:7005\"\n"
                           "serves = [\"pkg.v1.Echo\"]\n",
               PARIGOT_EINVAL,
               "app.toml:10: unit.serves: a unit runs services "
               "(unit.services) or is outside parigot (unit.serves), not "
               "both");
}

PG_TEST(manifest_rejects_a_unit_outside_parigot_without_a_port) {
  expect_error(APP SERVICE UNIT_WEB
               "[[unit]]\nname = \"py\"\nserves = [\"pkg.v1.Echo\"]\n",
               PARIGOT_EINVAL,
               "app.toml:11: unit.serves: a unit outside parigot needs a "
               "listen address with its port, where it serves");
  expect_error(APP SERVICE UNIT_WEB
               "[[unit]]\nname = \"py\"\nserves = [\"pkg.v1.Echo\"]\n"
               "listen = \"127.0.0.1:0\"\n",
               PARIGOT_EINVAL,
               "app.toml:11: unit.serves: a unit outside parigot needs a "
               "listen address with its port, where it serves");
}

PG_TEST(manifest_rejects_served_names_that_are_not_service_names) {
  static const char *const bad[] = {"",   ".a",   "a.",  "a..b",
                                    "1a", "a.1b", "a-b", "a b"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char toml[512], msg[256];
    snprintf(toml, sizeof toml,
             APP SERVICE UNIT_WEB UNIT_PY "serves = [\"%s\"]\n", bad[i]);
    snprintf(msg, sizeof msg,
             "app.toml:12: unit.serves: expected a "
             "service's full name such as pkg.v1.Echo, got \"%s\"",
             bad[i]);
    expect_error(toml, PARIGOT_EINVAL, msg);
  }
}

/* ---- writing back ------------------------------------------------------- */

/* pg_manifest_write's output loads into the same values: every key of a
 * full app with units, and strings that need escapes. */
PG_TEST(manifest_written_back_loads_the_same) {
  counter c = {.fail_at = -1}, d = {.fail_at = -1};
  pg_manifest a, b;
  load_text(APP "deadline = \"1.5s\"\nrequest_timeout = \"250ms\"\n"
                "[[service]]\nname = \"greeting\"\nwasm = \"greeting.wasm\"\n"
                "args = [\"-v\", \"a \\\"q\\\" \\\\ \\u0001\"]\n"
                "env = { LANG = \"fr\", EMPTY = \"\" }\n"
                "max_handler_time = \"250ms\"\nrestart = \"on-failure\"\n"
                "max_restarts = 7\nrestart_backoff = \"0s\"\n"
                "dirs = [{ host = \".\", guest = \"/d\" }, { host = \"/\", "
                "guest = \"r\", read_only = true }]\nwrite_quota = \"1K\"\n"
                "[[service]]\nname = \"db\"\nnative = \"parigot.db\"\n"
                "config = { database = \"a \\\"b\\\".db\", n = 3 }\n"
                "[[program]]\nname = \"hello\"\nwasm = \"hello.wasm\"\n"
                "test = true\nmocks = [\"db\"]\n"
                "[[unit]]\nname = \"web\"\nservices = [\"greeting\", \"db\"]\n"
                "listen = \"[::1]:7001\"\n"
                "[[unit]]\nname = \"front\"\nservices = [\"hello\"]\n"
                "[[unit]]\nname = \"py\"\nserves = [\"pkg.v1.Echo\"]\n"
                "listen = \"127.0.0.1:7002\"\n",
            &c, &a);
  FILE *f = fopen("again.toml", "w");
  ASSERT_TRUE(f != NULL);
  ASSERT_EQ(pg_manifest_write(&a, NULL, f), 0);
  ASSERT_EQ(fclose(f), 0);
  load_ok("again.toml", &d, &b);
  ASSERT_STREQ(b.name, a.name);
  ASSERT_EQ(b.deadline_ns, a.deadline_ns);
  ASSERT_EQ(b.request_timeout_ns, a.request_timeout_ns);
  ASSERT_EQ(b.max_message_size, a.max_message_size);
  ASSERT_EQ(b.nguests, a.nguests);
  for (size_t i = 0; i < a.nguests; i++) {
    const pg_manifest_guest *x = &a.guests[i], *y = &b.guests[i];
    ASSERT_STREQ(y->name, x->name);
    ASSERT_TRUE(x->wasm != NULL ? strcmp(y->wasm, x->wasm) == 0
                                : strcmp(y->native, x->native) == 0);
    ASSERT_EQ(y->nargs, x->nargs);
    for (size_t k = 0; k < x->nargs; k++)
      ASSERT_STREQ(y->args[k], x->args[k]);
    ASSERT_EQ(y->nenv, x->nenv);
    for (size_t k = 0; k < x->nenv; k++)
      ASSERT_STREQ(y->env[k], x->env[k]);
    ASSERT_EQ(y->max_memory, x->max_memory);
    ASSERT_EQ(y->max_handler_time_ns, x->max_handler_time_ns);
    ASSERT_EQ(y->restart, x->restart);
    ASSERT_EQ(y->max_restarts, x->max_restarts);
    ASSERT_EQ(y->restart_backoff_ns, x->restart_backoff_ns);
    ASSERT_EQ(y->is_test, x->is_test);
    ASSERT_EQ(y->nmocks, x->nmocks);
    for (size_t k = 0; k < x->nmocks; k++)
      ASSERT_STREQ(y->mocks[k], x->mocks[k]);
    ASSERT_EQ(y->unit, x->unit);
    ASSERT_EQ(y->ndirs, x->ndirs);
    for (size_t k = 0; k < x->ndirs; k++) {
      ASSERT_STREQ(y->dirs[k].host, x->dirs[k].host);
      ASSERT_STREQ(y->dirs[k].guest, x->dirs[k].guest);
      ASSERT_EQ(y->dirs[k].is_read_only, x->dirs[k].is_read_only);
    }
    ASSERT_EQ(y->write_quota, x->write_quota);
    ASSERT_EQ(y->nconfig, x->nconfig);
    for (size_t k = 0; k < x->nconfig; k++) {
      ASSERT_STREQ(y->config[k].key, x->config[k].key);
      ASSERT_STREQ(y->config[k].value, x->config[k].value);
    }
  }
  ASSERT_EQ(a.guests[0].ndirs, 2);
  ASSERT_EQ(a.guests[1].nconfig, 2);
  ASSERT_EQ(b.nunits, a.nunits);
  for (size_t u = 0; u < a.nunits; u++) {
    ASSERT_STREQ(b.units[u].name, a.units[u].name);
    ASSERT_EQ(b.units[u].nguests, a.units[u].nguests);
    ASSERT_EQ(b.units[u].nserves, a.units[u].nserves);
    ASSERT_EQ(b.units[u].listen_port, a.units[u].listen_port);
    ASSERT_TRUE((a.units[u].listen_host == NULL) ==
                (b.units[u].listen_host == NULL));
  }
  ASSERT_STREQ(b.units[0].listen_host, "::1");
  free_and_check(&b, &d);
  free_and_check(&a, &c);
}

/* ---- dirs, write_quota and a native service's config -------------------- */

PG_TEST(manifest_loads_dirs_resolved_with_their_guest_paths) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  enter_tmp_dir();
  ASSERT_EQ(mkdir("data", 0700), 0);
  ASSERT_EQ(mkdir("covers", 0700), 0);
  write_file("app.toml", APP SERVICE
             "dirs = [{ host = \"data\", guest = \"/data\" },\n"
             "        { host = \"./covers/\", guest = \"covers\", read_only = "
             "true }]\nwrite_quota = \"64M\"\n");
  load_ok("app.toml", &c, &m);
  ASSERT_EQ(m.guests[0].ndirs, 2);
  ASSERT_STREQ(m.guests[0].dirs[0].host, in_dir("data"));
  ASSERT_STREQ(m.guests[0].dirs[0].guest, "/data");
  ASSERT_TRUE(!m.guests[0].dirs[0].is_read_only);
  ASSERT_STREQ(m.guests[0].dirs[1].host, in_dir("covers"));
  ASSERT_STREQ(m.guests[0].dirs[1].guest, "covers");
  ASSERT_TRUE(m.guests[0].dirs[1].is_read_only);
  ASSERT_EQ(m.guests[0].dirs[1].line, 7);
  ASSERT_EQ(m.guests[0].write_quota, 64ull << 20);
  free_and_check(&m, &c);
}

PG_TEST(manifest_reports_a_dir_that_is_missing_or_escapes_or_repeats) {
  expect_error_in_dir(APP SERVICE
                      "dirs = [{ host = \"nope\", guest = \"/d\" }]\n",
                      PARIGOT_ENOENT,
                      "app.toml:6: service.dirs[0].host: no such directory: "
                      "%s/nope (No such file or directory)");
  expect_error_in_dir(APP SERVICE
                      "dirs = [{ host = \"greeting.wasm\", guest = \"/d\" }]\n",
                      PARIGOT_EINVAL,
                      "app.toml:6: service.dirs[0].host: not a directory: "
                      "%s/greeting.wasm");
  expect_error(APP SERVICE "dirs = [{ host = \".\", guest = \"/a/../..\" }]\n",
               PARIGOT_EINVAL,
               "app.toml:6: service.dirs[0].guest: not a guest path (1 to "
               "255 bytes, no \"..\" component)");
  expect_error(APP SERVICE "dirs = [{ host = \".\", guest = \"/d\" },\n"
                           "  { host = \".\", guest = \"/d\" }]\n",
               PARIGOT_EINVAL,
               "app.toml:7: service.dirs[1]: guest path \"/d\" is already "
               "given on line 6");
  expect_error(APP SERVICE "dirs = [{ host = \".\" }]\n", PARIGOT_EINVAL,
               "app.toml:6: service.dirs[0].guest: missing");
  expect_error(APP SERVICE
               "dirs = [{ host = \".\", guest = \"/d\", rw = 1 }]\n",
               PARIGOT_EINVAL,
               "app.toml:6: service.dirs[0].rw: unknown key (a dir has host, "
               "guest, read_only)");
}

PG_TEST(manifest_loads_a_native_services_config_as_text) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP "[[service]]\nname = \"db\"\nnative = \"parigot.db\"\n"
                "[service.config]\ndatabase = \"shop.db\"\nbusy_ms = 250\n"
                "wal = true\n",
            &c, &m);
  ASSERT_EQ(m.guests[0].nconfig, 3);
  ASSERT_STREQ(m.guests[0].config[0].key, "database");
  ASSERT_STREQ(m.guests[0].config[0].value, "shop.db");
  ASSERT_EQ(m.guests[0].config[0].line, 7);
  ASSERT_STREQ(m.guests[0].config[1].value, "250");
  ASSERT_STREQ(m.guests[0].config[2].value, "true");
  free_and_check(&m, &c);
}

PG_TEST(manifest_refuses_config_on_a_guest_and_dirs_on_a_native_service) {
  expect_error(APP SERVICE "config = { a = 1 }\n", PARIGOT_EINVAL,
               "app.toml:6: service: greeting has config but is not native: "
               "a guest takes args and env");
  expect_error(APP "[[service]]\nname = \"db\"\nnative = \"parigot.db\"\n"
                   "write_quota = \"1M\"\n",
               PARIGOT_EINVAL,
               "app.toml:3: service: db is native: dirs and write_quota are "
               "for guests");
  expect_error(APP "[[service]]\nname = \"db\"\nnative = \"parigot.db\"\n"
                   "config = { Bad = 1 }\n",
               PARIGOT_EINVAL,
               "app.toml:6: service.config.Bad: not a setting name (a "
               "lowercase letter, then up to 63 lowercase letters, digits or "
               "'_')");
  expect_error(APP "[[service]]\nname = \"db\"\nnative = \"parigot.db\"\n"
                   "config = { a = 1.5 }\n",
               PARIGOT_EINVAL,
               "app.toml:6: service.config.a: expected a string, an integer "
               "or a boolean, got a float");
}

/* ---- who may call what (config/access.c) -------------------------------- */

#define LISTENING_UNIT                                                         \
  "[[unit]]\nname = \"web\"\nservices = [\"greeting\"]\n"                      \
  "listen = \"127.0.0.1:0\"\n"

PG_TEST(manifest_loads_access_keys_auth_and_routes) {
  counter c = {.fail_at = -1}, d = {.fail_at = -1};
  pg_manifest m, b;
  enter_tmp_dir();
  ASSERT_EQ(mkdir("www", 0700), 0);
  write_file("app.toml",
             APP "secret_env = \"SHOP_SECRET\"\n" SERVICE
                 "public = true\nroles = [\"staff\", \"admin\"]\n"
                 "authenticates = true\n"
                 "[[program]]\nname = \"hello\"\nwasm = \"hello.wasm\"\n"
                 "login = true\n"
                 "[[unit]]\nname = \"web\"\nservices = [\"greeting\", "
                 "\"hello\"]\nlisten = \"127.0.0.1:0\"\n"
                 "[auth]\nusers = \"users.htpasswd\"\n"
                 "groups = \"users.groups\"\n"
                 "[[route]]\npath = \"/shop\"\nmethods = [\"GET\", \"POST\"]\n"
                 "call = \"shop.v1.Pages/Handle\"\nroles = [\"staff\"]\n"
                 "[[route]]\npath = \"/\"\ndir = \"www\"\n");
  load_ok("app.toml", &c, &m);
  const pg_manifest_guest *g = &m.guests[0], *h = &m.guests[1];
  ASSERT_TRUE(g->is_public && g->needs_login && g->authenticates);
  ASSERT_EQ(g->nroles, 2);
  ASSERT_STREQ(g->roles[1], "admin");
  ASSERT_TRUE(!h->is_public && h->needs_login && !h->authenticates);
  ASSERT_EQ(h->nroles, 0);
  ASSERT_STREQ(m.secret_env, "SHOP_SECRET");
  ASSERT_TRUE(m.secret_file == NULL);
  ASSERT_STREQ(m.users, in_dir("users.htpasswd")); /* need not exist yet */
  ASSERT_STREQ(m.groups, in_dir("users.groups"));
  ASSERT_STREQ(m.realm, "demo"); /* the app's name */
  ASSERT_EQ(m.nroutes, 2);
  const pg_manifest_route *r = &m.routes[0], *s = &m.routes[1];
  ASSERT_STREQ(r->path, "/shop");
  ASSERT_STREQ(r->service, "shop.v1.Pages");
  ASSERT_STREQ(r->method, "Handle");
  ASSERT_TRUE(r->dir == NULL && r->index == NULL && r->needs_login);
  ASSERT_EQ(r->nmethods, 2);
  ASSERT_STREQ(r->methods[1], "POST");
  ASSERT_EQ(r->unit, 0);
  ASSERT_STREQ(s->dir, in_dir("www"));
  ASSERT_STREQ(s->index, "index.html");
  ASSERT_TRUE(s->service == NULL && !s->needs_login && s->nmethods == 0);
  /* written back, it loads the same */
  FILE *f = fopen("again.toml", "w");
  ASSERT_TRUE(f != NULL);
  ASSERT_EQ(pg_manifest_write(&m, NULL, f), 0);
  ASSERT_EQ(fclose(f), 0);
  load_ok("again.toml", &d, &b);
  ASSERT_TRUE(b.guests[0].is_public && b.guests[0].authenticates);
  ASSERT_EQ(b.guests[0].nroles, 2);
  ASSERT_TRUE(b.guests[1].needs_login);
  ASSERT_STREQ(b.secret_env, "SHOP_SECRET");
  ASSERT_STREQ(b.users, m.users);
  ASSERT_STREQ(b.groups, m.groups);
  ASSERT_STREQ(b.realm, m.realm);
  ASSERT_EQ(b.nroutes, 2);
  ASSERT_STREQ(b.routes[0].service, "shop.v1.Pages");
  ASSERT_EQ(b.routes[0].nroles, 1);
  ASSERT_STREQ(b.routes[1].dir, m.routes[1].dir);
  free_and_check(&b, &d);
  free_and_check(&m, &c);
}

PG_TEST(manifest_access_keys_default_to_closed) {
  counter c = {.fail_at = -1};
  pg_manifest m;
  load_text(APP SERVICE, &c, &m);
  const pg_manifest_guest *g = &m.guests[0];
  ASSERT_TRUE(!g->is_public && !g->needs_login && !g->authenticates);
  ASSERT_TRUE(m.users == NULL && m.secret_env == NULL && m.nroutes == 0);
  free_and_check(&m, &c);
}

PG_TEST(manifest_reports_bad_access_keys) {
  expect_error(APP SERVICE "public = \"yes\"\n", PARIGOT_EINVAL,
               "app.toml:6: service.public: expected a boolean, got a string");
  expect_error(APP SERVICE "roles = [\"st aff\"]\n", PARIGOT_EINVAL,
               "app.toml:6: service.roles: \"st aff\" is not a role name: "
               "letters, digits, '.', '_' or '-', at most 64");
  expect_error(APP "secret_env = \"1X\"\n" SERVICE, PARIGOT_EINVAL,
               "app.toml:3: app.secret_env: not an environment variable's "
               "name: letters, digits and '_', not starting with a digit");
  expect_error(APP "secret_env = \"X\"\nsecret_file = \"s\"\n" SERVICE,
               PARIGOT_EINVAL,
               "app.toml: app.secret_file: the secret comes from secret_env "
               "or secret_file, not both");
  expect_error(APP SERVICE "[auth]\nrealm = \"x\"\n", PARIGOT_EINVAL,
               "app.toml:6: auth.users: missing");
  expect_error(APP SERVICE "[auth]\nusers = \"u\"\nrealm = \"a\\\"b\"\n",
               PARIGOT_EINVAL,
               "app.toml:8: auth.realm: may not hold '\"', '\\' or control "
               "characters (it is sent in a WWW-Authenticate header)");
  expect_error_in_dir(APP SERVICE "[auth]\nusers = \"no/such/u\"\n",
                      PARIGOT_ENOENT,
                      "app.toml:7: auth.users: %s/no/such/u is not a file in "
                      "an existing directory");
}

PG_TEST(manifest_reports_bad_routes) {
  static const struct {
    const char *route, *msg;
  } cases[] = {
      {"path = \"/a\"\n",
       "app.toml:10: route: /a has neither call nor dir: it calls a guest "
       "(call = \"pkg.Service/Method\") or serves files (dir = \"...\")"},
      {"path = \"/a/\"\ncall = \"p.S/M\"\n",
       "app.toml:11: route.path: \"/a/\" is not a route path: '/' then "
       "segments of URL characters, none empty, '.' or '..', no '/' at the "
       "end, no '?', no '%'"},
      {"path = \"/a/../b\"\ncall = \"p.S/M\"\n",
       "app.toml:11: route.path: \"/a/../b\" is not a route path: '/' then "
       "segments of URL characters, none empty, '.' or '..', no '/' at the "
       "end, no '?', no '%'"},
      {"path = \"/a\"\nmethods = [\"get\"]\ncall = \"p.S/M\"\n",
       "app.toml:12: route.methods: \"get\" is not an HTTP method: "
       "upper-case letters, as \"GET\""},
      {"path = \"/a\"\ncall = \"Handle\"\n",
       "app.toml:12: route.call: expected \"package.Service/Method\", got "
       "\"Handle\""},
      {"path = \"/a\"\ncall = \"p.S/M\"\nindex = \"i.html\"\n",
       "app.toml:10: route.index: /a: index is for a dir route"},
      {"path = \"/a\"\ncall = \"p.S/M\"\nunit = \"nope\"\n",
       "app.toml:13: route.unit: no unit \"nope\""},
      {"path = \"/a\"\ncall = \"p.S/M\"\nmethod = \"GET\"\n",
       "app.toml:13: route.method: unknown key"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char toml[1024];
    snprintf(toml, sizeof toml, APP SERVICE LISTENING_UNIT "[[route]]\n%s",
             cases[i].route);
    expect_error(toml, PARIGOT_EINVAL, cases[i].msg);
  }
  expect_error_in_dir(
      APP SERVICE LISTENING_UNIT "[[route]]\npath = \"/a\"\ndir = \"www\"\n",
      PARIGOT_ENOENT, "app.toml:12: route.dir: no such directory: %s/www");
  expect_error(APP SERVICE "[[route]]\npath = \"/a\"\ncall = \"p.S/M\"\n",
               PARIGOT_EINVAL,
               "app.toml:6: route: /a: no unit listens: a route is served on "
               "a unit's port ([[unit]] with listen = \"HOST:PORT\")");
  expect_error(APP SERVICE LISTENING_UNIT
               "[[route]]\npath = \"/a\"\ncall = \"p.S/M\"\n"
               "[[route]]\npath = \"/a\"\ncall = \"p.S/N\"\n",
               PARIGOT_EEXIST,
               "app.toml:13: route.path: /a is already a route of unit "
               "\"web\" (line 10)");
}
