/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/ctx/test_ctx.c: the call context through `parigot run`, in every
 * guest SDK. A C program (c_prog.c) logs in as a user and calls First
 * (Rust, rs_first.rs), which calls Second (AssemblyScript, as_second.ts),
 * which calls Third (C, c_third.c); each hop and each continuation reports
 * the user it sees, so the report shows the user three calls deep, in
 * continuations, and in calls made from continuations. Also: Rust and
 * AssemblyScript services that authenticate change the user for the calls
 * they make; a guest the manifest does not let authenticate gets EPERM;
 * the kernel ends calls to a `login` service without a user with
 * UNAUTHENTICATED and to a `roles` service by a user without one of them
 * with PERMISSION_DENIED. Each app runs in deterministic mode twice (the
 * same bytes out, log included) and in parallel mode. Manifests are
 * written by each test into a fresh folder, naming the guests by absolute
 * path.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

#define GUEST(name) PG_CTX_DIR "/" name ".wasm"

/* What each guest's manifest entry adds (access keys), each NULL for
 * nothing. */
typedef struct app_keys {
  const char *first, *second, *third, *prog;
  const char *env;         /* the program's env entries, "K = \"V\", ..." */
  const char *second_wasm; /* Second's wasm (NULL: as_second) */
} app_keys;

#define AUTH "authenticates = true\n"
#define LOGIN "login = true\n"
#define ADMINS "roles = [\"admin\"]\n"

static const char *or_none(const char *s) {
  return s != NULL ? s : "";
}

static void write_app(const pg_ws *w, const app_keys *k) {
  char text[4096];
  snprintf(text, sizeof text,
           "[app]\nname = \"ctx\"\ndeadline = \"5s\"\n\n"
           "[[service]]\nname = \"third\"\nwasm = \"%s\"\n%s\n"
           "[[service]]\nname = \"second\"\nwasm = \"%s\"\n%s\n"
           "[[service]]\nname = \"first\"\nwasm = \"%s\"\n%s\n"
           "[[program]]\nname = \"prog\"\nwasm = \"%s\"\nenv = { %s }\n%s",
           GUEST("c_third"), or_none(k->third),
           k->second_wasm != NULL ? k->second_wasm : GUEST("as_second"),
           or_none(k->second), GUEST("rs_first"), or_none(k->first),
           GUEST("c_prog"), or_none(k->env), or_none(k->prog));
  pg_ws_write(w, "app.toml", text);
}

static void run_app(pg_proc_result *r, const pg_ws *w, bool deterministic) {
  char path[256];
  pg_ws_path(w, "app.toml", path, sizeof path);
  if (deterministic)
    pg_proc_parigot(r, "run", "--deterministic", path, NULL);
  else
    pg_proc_parigot(r, "run", path, NULL);
}

/* The app of @p k prints @p want and exits 0, the same bytes (stdout and
 * the log) in two deterministic runs, and the same stdout in parallel
 * mode. */
static void expect_app(const app_keys *k, const char *want) {
  pg_ws w;
  pg_ws_init(&w, "ctx");
  write_app(&w, k);
  pg_proc_result first, again, parallel;
  run_app(&first, &w, true);
  if (strcmp(first.out, want) != 0 || first.status != 0)
    fprintf(stderr, "log:\n%s\n", first.err);
  ASSERT_STREQ(first.out, want);
  ASSERT_EQ(first.status, 0);
  run_app(&again, &w, true);
  ASSERT_STREQ(again.out, first.out);
  ASSERT_STREQ(again.err, first.err);
  ASSERT_EQ(again.status, 0);
  run_app(&parallel, &w, false);
  if (strcmp(parallel.out, want) != 0)
    fprintf(stderr, "log:\n%s\n", parallel.err);
  ASSERT_STREQ(parallel.out, want);
  ASSERT_EQ(parallel.status, 0);
  pg_proc_result_free(&first);
  pg_proc_result_free(&again);
  pg_proc_result_free(&parallel);
  pg_ws_cleanup(&w);
}

#define ALICE "id=alice name=Alice roles=staff admin=no"

/* What the program prints when it logs in as alice and calls First. */
static const char alice_report[] = "prog (C): set user alice: ok\n"
                                   "prog (C): now " ALICE "\n"
                                   "first answered:\n"
                                   "first (Rust): " ALICE "\n"
                                   "second (AS): " ALICE "\n"
                                   "third (C): " ALICE "\n"
                                   "second (AS) continued: " ALICE "\n"
                                   "third (C): " ALICE "\n"
                                   "second (AS) continued: " ALICE "\n"
                                   "first (Rust) continued: " ALICE "\n"
                                   "third (C): " ALICE "\n"
                                   "first (Rust) continued again: " ALICE "\n";

/* alice's calls, three deep: every hop and continuation sees her, and a
 * call made from a continuation is hers too. */
PG_TEST(ctx_user_reaches_three_calls_deep_and_continuations) {
  app_keys k = {.prog = AUTH, .env = "USER_AS = \"alice:Alice:staff\""};
  expect_app(&k, alice_report);
}

/* The same through a Second built for ABI 1: the kernel hands the
 * context down through an older guest too. */
PG_TEST(ctx_user_passes_through_a_version_1_guest) {
  app_keys k = {.prog = AUTH,
                .env = "USER_AS = \"alice:Alice:staff\"",
                .second_wasm = GUEST("as_second_v1")};
  expect_app(&k, alice_report);
}

/* Without a login, nobody all the way. */
PG_TEST(ctx_no_user_is_nobody_everywhere) {
  app_keys k = {0};
  expect_app(&k, "first answered:\n"
                 "first (Rust): nobody\n"
                 "second (AS): nobody\n"
                 "third (C): nobody\n"
                 "second (AS) continued: nobody\n"
                 "third (C): nobody\n"
                 "second (AS) continued: nobody\n"
                 "first (Rust) continued: nobody\n"
                 "third (C): nobody\n"
                 "first (Rust) continued again: nobody\n");
}

#define ROOT "id=root name=Root roles=staff,admin admin=yes"
#define BOB "id=bob name=bob roles=ops admin=no"
#define CAROL "id=carol name=carol roles=ops admin=no"

/* A Rust and an AssemblyScript service the manifest lets authenticate
 * make their calls for another user; a continuation runs for the user
 * its call was made for. */
PG_TEST(ctx_rust_and_as_services_that_authenticate_change_the_user) {
  app_keys k = {.first = AUTH,
                .second = AUTH,
                .prog = AUTH,
                .env = "USER_AS = \"root:Root:staff,admin\", "
                       "FIRST_LOGIN = \"bob\", SECOND_LOGIN = \"carol\""};
  expect_app(&k, "prog (C): set user root: ok\n"
                 "prog (C): now " ROOT "\n"
                 "first answered:\n"
                 "first (Rust): " ROOT "\n"
                 "first (Rust): set user bob: ok\n"
                 "second (AS): " BOB "\n"
                 "second (AS): set user carol: ok\n"
                 "third (C): " CAROL "\n"
                 "second (AS) continued: " CAROL "\n"
                 "third (C): " CAROL "\n"
                 "second (AS) continued: " CAROL "\n"
                 "first (Rust) continued: " BOB "\n"
                 "third (C): " BOB "\n"
                 "first (Rust) continued again: " BOB "\n");
}

/* Without authenticates = true, set_call_user is EPERM in every SDK and
 * the calls stay the caller's. */
PG_TEST(ctx_set_user_without_authenticates_is_eperm) {
  app_keys k = {.prog = AUTH,
                .env = "USER_AS = \"alice:Alice:staff\", "
                       "FIRST_LOGIN = \"mallory\", SECOND_LOGIN = \"mallory\""};
  expect_app(&k, "prog (C): set user alice: ok\n"
                 "prog (C): now " ALICE "\n"
                 "first answered:\n"
                 "first (Rust): " ALICE "\n"
                 "first (Rust): set user mallory: permission denied\n"
                 "second (AS): " ALICE "\n"
                 "second (AS): set user mallory: permission denied\n"
                 "third (C): " ALICE "\n"
                 "second (AS) continued: " ALICE "\n"
                 "third (C): " ALICE "\n"
                 "second (AS) continued: " ALICE "\n"
                 "first (Rust) continued: " ALICE "\n"
                 "third (C): " ALICE "\n"
                 "first (Rust) continued again: " ALICE "\n");
  app_keys c = {.env = "USER_AS = \"alice:Alice:staff\", TARGET = \"third\""};
  expect_app(&c, "prog (C): set user alice: permission denied\n"
                 "prog (C): now nobody\n"
                 "third answered:\n"
                 "third (C): nobody\n");
}

#define NO_USER "code 16: third needs a logged-in user"

/* A service with login = true: a call without a user ends
 * UNAUTHENTICATED, from C, Rust and AssemblyScript callers alike; with
 * one it is answered. */
PG_TEST(ctx_login_service_refuses_calls_without_a_user) {
  app_keys direct = {.third = LOGIN, .env = "TARGET = \"third\""};
  expect_app(&direct, "third failed: " NO_USER "\n");
  app_keys chain = {.third = LOGIN};
  expect_app(&chain, "first answered:\n"
                     "first (Rust): nobody\n"
                     "second (AS): nobody\n"
                     "second (AS): Third failed: " NO_USER "\n"
                     "second (AS) continued: nobody\n"
                     "second (AS): Third failed: " NO_USER "\n"
                     "second (AS) continued: nobody\n"
                     "first (Rust) continued: nobody\n"
                     "first (Rust): Third failed: " NO_USER "\n"
                     "first (Rust) continued again: nobody\n");
  app_keys alice = {.third = LOGIN,
                    .prog = AUTH,
                    .env =
                        "USER_AS = \"alice:Alice:staff\", TARGET = \"third\""};
  expect_app(&alice, "prog (C): set user alice: ok\n"
                     "prog (C): now " ALICE "\n"
                     "third answered:\n"
                     "third (C): " ALICE "\n");
}

/* A service with roles = ["admin"]: alice (staff) is refused
 * PERMISSION_DENIED and the Rust caller sees it; root (admin) is not. */
PG_TEST(ctx_roles_service_refuses_a_user_without_the_role) {
  app_keys alice = {
      .second = ADMINS, .prog = AUTH, .env = "USER_AS = \"alice:Alice:staff\""};
  expect_app(&alice,
             "prog (C): set user alice: ok\n"
             "prog (C): now " ALICE "\n"
             "first answered:\n"
             "first (Rust): " ALICE "\n"
             "first (Rust): Second failed: code 7: user alice has none of "
             "the roles second needs (admin)\n"
             "first (Rust) continued: " ALICE "\n"
             "third (C): " ALICE "\n"
             "first (Rust) continued again: " ALICE "\n");
  app_keys root = {.second = ADMINS,
                   .prog = AUTH,
                   .env = "USER_AS = \"root:Root:staff,admin\""};
  expect_app(&root, "prog (C): set user root: ok\n"
                    "prog (C): now " ROOT "\n"
                    "first answered:\n"
                    "first (Rust): " ROOT "\n"
                    "second (AS): " ROOT "\n"
                    "third (C): " ROOT "\n"
                    "second (AS) continued: " ROOT "\n"
                    "third (C): " ROOT "\n"
                    "second (AS) continued: " ROOT "\n"
                    "first (Rust) continued: " ROOT "\n"
                    "third (C): " ROOT "\n"
                    "first (Rust) continued again: " ROOT "\n");
}
