/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/http/test_http.c: the tools of the HTTP front door's end-to-end tests
 * proved on their own, without parigot: browser.mjs (a real Chromium through
 * playwright-core) against auth_server.py, a tiny basic-auth HTTP server, and
 * health.py (grpc.health.v1 with grpcio) against health_server.py, a grpcio
 * server built on protoc's messages.
 *
 * Each test starts its server on a free port, runs the tool as a user would
 * and reads what both said. The browser tests skip (exit 77) only when
 * /usr/bin/chromium is absent; scripts/install-deps.sh installs it.
 * Single-threaded.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

#define CHROMIUM "/usr/bin/chromium"
#define PYTHON "/usr/bin/python3"

typedef struct server {
  pg_proc *proc;
  char url[64];  /* http://127.0.0.1:PORT */
  char addr[32]; /* 127.0.0.1:PORT */
} server;

static void need_chromium(void) {
  if (access(CHROMIUM, X_OK) != 0) {
    fprintf(stderr, "SKIPPED: no " CHROMIUM " (scripts/install-deps.sh "
                    "installs Debian's chromium)\n");
    exit(77);
  }
}

/* Starts argv and waits for its "listening on 127.0.0.1:PORT" line. */
static void server_start(server *s, char *const argv[]) {
  s->proc = pg_proc_start(argv);
  const char *log = pg_proc_wait_for(s->proc, "listening on 127.0.0.1:", 20);
  const char *at = strstr(log, "listening on 127.0.0.1:");
  int port = atoi(at + strlen("listening on 127.0.0.1:"));
  ASSERT_TRUE(port > 0 && port < 65536);
  snprintf(s->addr, sizeof s->addr, "127.0.0.1:%d", port);
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", port);
}

/* Stops the server; @p log gets what it wrote (its requests). */
static void server_stop(server *s, pg_proc_result *log) {
  pg_proc_stop(s->proc, SIGTERM, log);
}

static void auth_server_start(server *s) {
  char *argv[] = {PYTHON, PG_HTTP_SOURCE "/auth_server.py", "alice:wonderland",
                  "smoke", NULL};
  server_start(s, argv);
}

/* Runs browser.mjs with the arguments that follow, up to the first NULL (at
 * most 20), into @p r. */
static void browser(pg_proc_result *r, ...) {
  char *argv[24] = {"/usr/bin/env", "node", PG_HTTP_SOURCE "/browser.mjs"};
  int n = 3;
  va_list ap;
  va_start(ap, r);
  for (char *a; (a = va_arg(ap, char *)) != NULL && n < 23;)
    argv[n++] = a;
  va_end(ap);
  argv[n] = NULL;
  pg_proc_run(argv, NULL, NULL, r);
}

/* A failure as the tools promise it: status @p status and exactly one line
 * on stderr, which holds @p text. */
static void expect_one_line_failure(const pg_proc_result *r, int status,
                                    const char *text) {
  if (r->status != status)
    PG_FAIL("status %d, expected %d; stdout: %s; stderr: %s", r->status, status,
            r->out, r->err);
  ASSERT_CONTAINS(r->err, text);
  size_t len = strlen(r->err);
  ASSERT_TRUE(len > 0 && r->err[len - 1] == '\n');
  ASSERT_TRUE(strchr(r->err, '\n') == r->err + len - 1);
}

PG_TEST(http_browser_is_refused_without_login) {
  need_chromium();
  server s;
  auth_server_start(&s);
  char url[96];
  snprintf(url, sizeof url, "%s/", s.url);
  pg_proc_result r, log;
  browser(&r, "--url", url, "--expect-refused", "--expect-realm", "smoke",
          NULL);
  server_stop(&s, &log);
  if (r.status != 0)
    PG_FAIL("browser.mjs failed: %s%s", r.out, r.err);
  ASSERT_CONTAINS(r.out, "-> 401");
  ASSERT_CONTAINS(r.out, "WWW-Authenticate: Basic realm=\"smoke\"");
  ASSERT_CONTAINS(log.err, "GET / -> 401");
  ASSERT_TRUE(strstr(log.err, "-> 200") == NULL);
  pg_proc_result_free(&r);
  pg_proc_result_free(&log);
}

PG_TEST(http_browser_logs_in_and_sees_the_user_name) {
  need_chromium();
  const char *png = PG_HTTP_DIR "/login.png";
  unlink(png);
  server s;
  auth_server_start(&s);
  char url[96];
  snprintf(url, sizeof url, "%s/", s.url);
  pg_proc_result r, log;
  browser(&r, "--url", url, "--user", "alice", "--password", "wonderland",
          "--expect-status", "200", "--selector", "#user", "--expect-text",
          "hello alice", "--screenshot", png, "--timeout-ms", "60000", NULL);
  server_stop(&s, &log);
  if (r.status != 0)
    PG_FAIL("browser.mjs failed: %s%s", r.out, r.err);
  ASSERT_CONTAINS(r.out, "-> 200, \"hello alice\" in #user, screenshot");
  /* The browser's own way: asked, it answers the challenge. */
  ASSERT_CONTAINS(log.err, "GET / -> 401\nauth_server: GET / -> 200");
  /* A real PNG, of some size. */
  FILE *f = fopen(png, "rb");
  ASSERT_TRUE(f != NULL);
  unsigned char sig[8] = {0};
  ASSERT_EQ(fread(sig, 1, 8, f), 8);
  fclose(f);
  ASSERT_TRUE(memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0);
  struct stat st;
  ASSERT_EQ(stat(png, &st), 0);
  ASSERT_TRUE(st.st_size > 1000);
  pg_proc_result_free(&r);
  pg_proc_result_free(&log);
}

/* Every way the page can be wrong is a failure with one line saying what
 * was there instead. */
PG_TEST(http_browser_fails_when_the_page_is_not_as_expected) {
  need_chromium();
  server s;
  auth_server_start(&s);
  char root[96], open_[96], bare[96], missing[96];
  snprintf(root, sizeof root, "%s/", s.url);
  snprintf(open_, sizeof open_, "%s/open", s.url);
  snprintf(bare, sizeof bare, "%s/bare", s.url);
  snprintf(missing, sizeof missing, "%s/missing", s.url);
  pg_proc_result r;

  browser(&r, "--url", root, "--user", "alice", "--password", "wrong", NULL);
  expect_one_line_failure(&r, 1,
                          "answered 401, expected 200 (WWW-Authenticate: "
                          "Basic realm=\"smoke\")");
  pg_proc_result_free(&r);

  browser(&r, "--url", root, "--user", "alice", "--password", "wonderland",
          "--selector", "#user", "--expect-text", "hello bob", "--timeout-ms",
          "15000", NULL);
  expect_one_line_failure(&r, 1,
                          "\"hello bob\" not found in #user on http://127.0.0."
                          "1");
  ASSERT_CONTAINS(r.err, "which shows \"hello alice\"");
  pg_proc_result_free(&r);

  browser(&r, "--url", open_, "--selector", "#user", NULL);
  expect_one_line_failure(&r, 1, "matches #user");
  pg_proc_result_free(&r);

  browser(&r, "--url", open_, "--expect-refused", NULL);
  expect_one_line_failure(&r, 1,
                          "answered 200, expected 401; the page shows \"an "
                          "open page\"");
  pg_proc_result_free(&r);

  browser(&r, "--url", bare, "--expect-refused", NULL);
  expect_one_line_failure(&r, 1, "answered 401 without a WWW-Authenticate");
  pg_proc_result_free(&r);

  browser(&r, "--url", root, "--expect-refused", "--expect-realm", "shop",
          NULL);
  expect_one_line_failure(&r, 1, "asks for realm \"smoke\", expected \"shop\"");
  pg_proc_result_free(&r);

  browser(&r, "--url", missing, NULL);
  expect_one_line_failure(&r, 1, "answered 404, expected 200");
  pg_proc_result_free(&r);

  browser(&r, "--url", missing, "--expect-status", "404", NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "-> 404");
  pg_proc_result_free(&r);

  server_stop(&s, &r);
  pg_proc_result_free(&r);
}

PG_TEST(http_browser_gives_up_in_time_and_names_what_is_missing) {
  need_chromium();
  server s;
  auth_server_start(&s);
  char slow[96];
  snprintf(slow, sizeof slow, "%s/slow", s.url);
  pg_proc_result r;

  /* Mostly "while loading the page"; on a busy machine the browser's start
   * may already take that long. */
  browser(&r, "--url", slow, "--timeout-ms", "5000", NULL);
  expect_one_line_failure(&r, 1,
                          "not done within 5000 ms (--timeout-ms), while ");
  ASSERT_TRUE(r.elapsed_s < 30);
  pg_proc_result_free(&r);
  server_stop(&s, &r);
  pg_proc_result_free(&r);

  browser(&r, "--url", "http://127.0.0.1:9/", "--chromium",
          "/nonexistent/chromium", NULL);
  expect_one_line_failure(&r, 2,
                          "/nonexistent/chromium not found or not executable: "
                          "install Debian's chromium (scripts/install-deps.sh "
                          "installs it)");
  pg_proc_result_free(&r);

  browser(&r, "--url", "http://127.0.0.1:9/", "--expect-txt", "x", NULL);
  expect_one_line_failure(&r, 2, "unknown option --expect-txt; usage:");
  pg_proc_result_free(&r);

  browser(&r, "--url", "http://127.0.0.1:9/", "--user", "alice", NULL);
  expect_one_line_failure(&r, 2, "--user and --password go together");
  pg_proc_result_free(&r);
}

/* Runs health.py on @p addr with the arguments that follow, up to the first
 * NULL (at most 16), into @p r. */
static void health(pg_proc_result *r, const char *addr, ...) {
  char *argv[24] = {PYTHON, PG_HTTP_SOURCE "/health.py", (char *)addr};
  int n = 3;
  va_list ap;
  va_start(ap, addr);
  for (char *a; (a = va_arg(ap, char *)) != NULL && n < 20;)
    argv[n++] = a;
  va_end(ap);
  argv[n] = NULL;
  pg_proc_run(argv, NULL, NULL, r);
}

static void expect_health(const char *addr, const char *service,
                          const char *expect, const char *user,
                          const char *password) {
  pg_proc_result r;
  if (user)
    health(&r, addr, "--service", service, "--expect", expect, "--user", user,
           "--password", password, NULL);
  else
    health(&r, addr, "--service", service, "--expect", expect, NULL);
  if (r.status != 0)
    PG_FAIL("health.py %s --service '%s' --expect %s: %d: %s%s", addr, service,
            expect, r.status, r.out, r.err);
  char line[64];
  snprintf(line, sizeof line, "%s\n", expect);
  ASSERT_STREQ(r.out, line);
  pg_proc_result_free(&r);
}

PG_TEST(http_health_reports_each_status_as_the_server_gives_it) {
  server s;
  char *argv[] = {PYTHON, PG_HTTP_SOURCE "/health_server.py", PG_HEALTH_PB2,
                  "alice:wonderland", NULL};
  server_start(&s, argv);
  expect_health(s.addr, "", "SERVING", NULL, NULL);
  expect_health(s.addr, "shop.v1.Shop", "NOT_SERVING", NULL, NULL);
  expect_health(s.addr, "no.such.Service", "NOT_FOUND", NULL, NULL);
  expect_health(s.addr, "d\xc3\xa9j\xc3\xa0.vu", "NOT_FOUND", NULL, NULL);
  expect_health(s.addr, "locked.v1.Locked", "UNAUTHENTICATED", NULL, NULL);
  expect_health(s.addr, "locked.v1.Locked", "UNAUTHENTICATED", "alice", "nope");
  expect_health(s.addr, "locked.v1.Locked", "SERVING", "alice", "wonderland");

  /* Not what was expected: the answer still printed, one line why. */
  pg_proc_result r;
  health(&r, s.addr, "--service", "shop.v1.Shop", NULL);
  ASSERT_STREQ(r.out, "NOT_SERVING\n");
  expect_one_line_failure(&r, 1,
                          "service 'shop.v1.Shop' answered NOT_SERVING, "
                          "expected SERVING");
  pg_proc_result_free(&r);
  health(&r, s.addr, "--service", "locked.v1.Locked", NULL);
  expect_one_line_failure(&r, 1,
                          "failed with UNAUTHENTICATED, expected SERVING: log "
                          "in first");
  pg_proc_result_free(&r);

  server_stop(&s, &r);
  /* The names reached the server whole: protoc's decoder read them. */
  ASSERT_CONTAINS(r.err, "Check service=''\n");
  ASSERT_CONTAINS(r.err, "Check service='shop.v1.Shop'\n");
  ASSERT_CONTAINS(r.err, "Check service='d\xc3\xa9j\xc3\xa0.vu'\n");
  pg_proc_result_free(&r);

  /* Nobody there. */
  health(&r, "127.0.0.1:9", "--expect", "UNAVAILABLE", NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "UNAVAILABLE\n");
  pg_proc_result_free(&r);
}

PG_TEST(http_health_refuses_a_bad_command_line) {
  pg_proc_result r;
  health(&r, "127.0.0.1:9", "--expect", "SERVNG", NULL);
  expect_one_line_failure(&r, 2, "--expect SERVNG is none of ");
  pg_proc_result_free(&r);
  health(&r, "localhost", NULL);
  expect_one_line_failure(&r, 2, "localhost is not HOST:PORT");
  pg_proc_result_free(&r);
  health(&r, "127.0.0.1:9", "--timeout-ms", "soon", NULL);
  expect_one_line_failure(&r, 2, "--timeout-ms wants a positive whole number");
  pg_proc_result_free(&r);
  health(&r, "127.0.0.1:9", "--password", "x", NULL);
  expect_one_line_failure(&r, 2, "--user and --password go together");
  pg_proc_result_free(&r);
}
