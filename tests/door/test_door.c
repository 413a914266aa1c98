/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/door/test_door.c: who may call what, end to end, through the
 * parigot under test and real guests (chain.c, pages.c, asuser.c): the
 * user of a call handed down three calls deep, from a continuation and
 * into another unit; a service's login and roles; a guest that may not
 * authenticate. The manifests are written per test into build/tests/door,
 * beside the guests.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

/* The services of the chain, public or not, with their logins. */
#define CHAIN_SERVICES                                                         \
  "[[service]]\nname = \"front\"\nwasm = \"door_chain.wasm\"\n"                \
  "env = { ROLE = \"front\" }\npublic = true\nlogin = true\n"                  \
  "[[service]]\nname = \"middle\"\nwasm = \"door_chain.wasm\"\n"               \
  "env = { ROLE = \"middle\" }\n"                                              \
  "[[service]]\nname = \"back\"\nwasm = \"door_chain.wasm\"\n"                 \
  "env = { ROLE = \"back\" }\n"                                                \
  "[[service]]\nname = \"vault\"\nwasm = \"door_chain.wasm\"\n"                \
  "env = { ROLE = \"vault\" }\npublic = true\nroles = [\"admin\"]\n"           \
  "[[service]]\nname = \"lobby\"\nwasm = \"door_chain.wasm\"\n"                \
  "env = { ROLE = \"lobby\" }\npublic = true\n"

#define ASUSER                                                                 \
  "[[program]]\nname = \"asuser\"\nwasm = \"door_asuser.wasm\"\n"              \
  "authenticates = true\n"

/* Writes @p text as a manifest beside the guests; its path into @p out. */
static void write_manifest(const char *name, const char *text, char *out,
                           size_t cap) {
  snprintf(out, cap, "%s/%d-%s.toml", PG_DOOR_DIR, (int)getpid(), name);
  FILE *f = fopen(out, "w");
  ASSERT_TRUE(f != NULL);
  fputs(text, f);
  ASSERT_EQ(fclose(f), 0);
}

/* What asuser prints, whichever unit each service runs in. */
static const char asuser_out[] =
    "lobby, nobody: user= name= roles= caller=asuser path=lobby\n"
    "front, nobody: failed, code 16: front needs a logged-in user\n"
    "front, alice: user=alice name=Alice Liddell roles=staff caller=middle "
    "path=back<middle<front\n"
    "continuation: user=alice\n"
    "lobby, from the continuation: user=alice name=Alice Liddell "
    "roles=staff caller=asuser path=lobby\n"
    "vault, alice: failed, code 7: user alice has none of the roles vault "
    "needs (admin)\n"
    "vault, root: user=root name=root roles=admin,staff caller=asuser "
    "path=vault\n"
    "lobby, logged out: user= name= roles= caller=asuser path=lobby\n";

static void expect_asuser_twice(const char *manifest) {
  pg_proc_result a, b;
  pg_proc_parigot(&a, "run", "--deterministic", manifest, NULL);
  ASSERT_STREQ(a.out, asuser_out);
  ASSERT_EQ(a.status, 0);
  pg_proc_parigot(&b, "run", "--deterministic", manifest, NULL);
  ASSERT_STREQ(b.out, a.out); /* the same bytes, log and all */
  ASSERT_STREQ(b.err, a.err);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

/* The user a program plays reaches the end of a chain of three calls and
 * a call made from a continuation, with no guest copying it; login and
 * roles are the kernel's to check. */
PG_TEST(door_user_travels_three_calls_deep_in_process) {
  char path[4096];
  write_manifest("one", "[app]\nname = \"door\"\n" CHAIN_SERVICES ASUSER, path,
                 sizeof path);
  expect_asuser_twice(path);
}

/* The same with Back in a unit of its own: the user crosses units. */
PG_TEST(door_user_travels_into_another_unit) {
  char path[4096];
  write_manifest("split",
                 "[app]\nname = \"door\"\n" CHAIN_SERVICES ASUSER
                 "[[unit]]\nname = \"web\"\nservices = [\"front\", "
                 "\"middle\", \"vault\", \"lobby\", \"asuser\"]\n"
                 "[[unit]]\nname = \"store\"\nservices = [\"back\"]\n",
                 path, sizeof path);
  expect_asuser_twice(path);
}

/* Only a guest the manifest lets authenticate may call as another user. */
PG_TEST(door_guest_without_authenticates_cannot_set_a_user) {
  char path[4096];
  write_manifest("plain",
                 "[app]\nname = \"door\"\n" CHAIN_SERVICES
                 "[[program]]\nname = \"asuser\"\nwasm = "
                 "\"door_asuser.wasm\"\nenv = { PLAIN = \"1\" }\n",
                 path, sizeof path);
  pg_proc_result r;
  pg_proc_parigot(&r, "run", "--deterministic", path, NULL);
  ASSERT_STREQ(r.out, "set_user without authenticates: permission denied\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* Over the network, a unit of an app of several units signs its calls with
 * the app's secret: without one, or with a bad one, it does not start. */
PG_TEST(door_unit_of_several_needs_the_apps_secret) {
  char path[4096], text[4096], secret[4200];
  snprintf(
      text, sizeof text,
      "[app]\nname = \"door\"\nsecret_file = \"%d-secret\"\n" CHAIN_SERVICES
      "[[unit]]\nname = \"web\"\nservices = [\"front\", \"middle\", "
      "\"vault\", \"lobby\"]\nlisten = \"127.0.0.1:%d\"\n"
      "[[unit]]\nname = \"store\"\nservices = [\"back\"]\n"
      "listen = \"127.0.0.1:%d\"\n",
      (int)getpid(), pg_test_free_port(), pg_test_free_port());
  write_manifest("secret", text, path, sizeof path);
  snprintf(secret, sizeof secret, "%s/%d-secret", PG_DOOR_DIR, (int)getpid());
  pg_proc_result r;
  /* no such file */
  pg_proc_parigot(&r, "run", path, "--unit", "store", NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "-secret: the app's secret: No such file");
  pg_proc_result_free(&r);
  /* readable by others */
  FILE *f = fopen(secret, "w");
  ASSERT_TRUE(f != NULL);
  fputs("0123456789abcdef0123\n", f);
  ASSERT_EQ(fclose(f), 0);
  ASSERT_EQ(chmod(secret, 0644), 0);
  pg_proc_parigot(&r, "run", path, "--unit", "store", NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "-secret: the app's secret is readable by others "
                         "(mode 644): chmod 600 it");
  pg_proc_result_free(&r);
  /* too short */
  f = fopen(secret, "w");
  ASSERT_TRUE(f != NULL);
  fputs("short\n", f);
  ASSERT_EQ(fclose(f), 0);
  ASSERT_EQ(chmod(secret, 0600), 0);
  pg_proc_parigot(&r, "run", path, "--unit", "store", NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "the app's secret is 5 bytes; it needs 16 or more");
  pg_proc_result_free(&r);
  unlink(secret);
  /* none in the variable, when the manifest names no file */
  char rest[3000];
  snprintf(rest, sizeof rest, "%s", strstr(text, "[[service]]"));
  snprintf(text, sizeof text, "[app]\nname = \"door\"\n%s", rest);
  write_manifest("nosecret", text, path, sizeof path);
  char *saved = getenv("PARIGOT_APP_SECRET");
  saved = saved != NULL ? strdup(saved) : NULL;
  unsetenv("PARIGOT_APP_SECRET");
  pg_proc_parigot(&r, "run", path, "--unit", "store", NULL);
  if (saved != NULL)
    setenv("PARIGOT_APP_SECRET", saved, 1);
  free(saved);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "store: the units of app door sign their calls to "
                         "each other with the app's secret, and "
                         "PARIGOT_APP_SECRET holds none");
  pg_proc_result_free(&r);
}

/* ---- at a unit's port --------------------------------------------------- */

/* Users of the app's [auth], made with parigot user: alice (staff) and
 * root (admin, staff), in a new folder @p dir. */
static void make_users(char *dir) {
  static const struct {
    const char *login, *password, *roles[2];
  } users[] = {{"alice", "wonderland", {"staff", NULL}},
               {"root", "toor-toor-toor", {"admin", "staff"}}};
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  char file[512], groups[512], input[64];
  snprintf(file, sizeof file, "%s/users.htpasswd", dir);
  snprintf(groups, sizeof groups, "%s/users.groups", dir);
  for (size_t i = 0; i < 2; i++) {
    char *argv[16] = {(char *)pg_test_parigot(),
                      "user",
                      "add",
                      (char *)users[i].login,
                      "--file",
                      file,
                      "--groups",
                      groups,
                      "--password-stdin"};
    size_t n = 9;
    for (size_t k = 0; k < 2 && users[i].roles[k] != NULL; k++) {
      argv[n++] = "--role";
      argv[n++] = (char *)users[i].roles[k];
    }
    argv[n] = NULL;
    snprintf(input, sizeof input, "%s\n", users[i].password);
    pg_proc_result r;
    pg_proc_run(argv, input, NULL, &r);
    ASSERT_EQ(r.status, 0);
    pg_proc_result_free(&r);
  }
}

/* The app at a port: everything in unit web, or Back in unit store. */
static void write_port_manifest(const char *users_dir, bool is_split,
                                char *path, size_t cap) {
  char text[8192];
  int web = pg_test_free_port(), store;
  while ((store = pg_test_free_port()) == web)
    continue;
  int n = snprintf(
      text, sizeof text,
      "[app]\nname = \"door\"\n" CHAIN_SERVICES
      "[[service]]\nname = \"pages\"\nwasm = \"door_pages.wasm\"\n"
      "[auth]\nusers = \"%s/users.htpasswd\"\ngroups = \"%s/users.groups\"\n"
      "realm = \"Door test\"\n"
      "[[route]]\npath = \"/page\"\ncall = \"doortest.v1.Pages/Handle\"\n"
      "login = true\nunit = \"web\"\n"
      "[[unit]]\nname = \"web\"\nservices = [\"front\", \"middle\", "
      "\"vault\", \"lobby\", \"pages\"%s]\nlisten = \"127.0.0.1:%d\"\n",
      users_dir, users_dir, is_split ? "" : ", \"back\"", web);
  if (is_split)
    snprintf(text + n, sizeof text - (size_t)n,
             "[[unit]]\nname = \"store\"\nservices = [\"back\"]\n"
             "listen = \"127.0.0.1:%d\"\n",
             store);
  write_manifest(is_split ? "port-split" : "port-one", text, path, cap);
}

/* What curl, Connect's JSON and grpcio see of unit web, logged in or
 * not, with forged headers or not: the same whether Back is in the unit
 * or in another. */
static const char clients_out[] =
    /* a page behind a login */
    "401 Basic realm=\"Door test\", charset=\"UTF-8\"\n"
    "401\n"
    "200 <h1 id=\"user\">Hello, alice</h1><p id=\"roles\">staff</p>"
    "<p id=\"path\">back &lt; middle &lt; front</p>\n"
    /* forged headers change nothing */
    "200 <h1 id=\"user\">Hello, alice</h1><p id=\"roles\">staff</p>"
    "<p id=\"path\">back &lt; middle &lt; front</p>\n"
    /* Connect JSON */
    "{\"code\":\"unauthenticated\",\"message\":\"front needs a logged-in "
    "user\"} 401 Basic realm=\"Door test\", charset=\"UTF-8\"\n"
    "{\"user\":\"alice\",\"name\":\"alice\",\"roles\":\"staff\",\"path\":"
    "[\"back\",\"middle\",\"front\"],\"caller\":\"middle\"} 200 \n"
    "{\"code\":\"permission_denied\",\"message\":\"user alice has none of "
    "the roles vault needs (admin)\"} 403 \n"
    "{\"code\":\"permission_denied\",\"message\":\"doortest.v1.Middle of "
    "unit web is not public: only the units of app door may call it\"} "
    "403 \n"
    "{\"path\":[\"lobby\"],\"caller\":\"127.0.0.1\"} 200 \n"
    /* gRPC from grpcio */
    "Front: UNAUTHENTICATED: front needs a logged-in user\n"
    "Lobby: user= roles= path=lobby\n"
    "Front: user=alice roles=staff path=back<middle<front\n"
    "Vault: PERMISSION_DENIED: user alice has none of the roles vault "
    "needs (admin)\n"
    "Middle: PERMISSION_DENIED: doortest.v1.Middle of unit web is not "
    "public: only the units of app door may call it\n"
    "Vault: user=root roles=admin,staff path=vault\n"
    "SERVING\n";

static const char clients_script[] =
    "P=$0; U=http://127.0.0.1:$P; "
    "H='%{http_code} %header{www-authenticate}\\n'; "
    "page() { b=$(curl -s \"$@\" -w '\\n%{http_code}' $U/page); "
    "echo \"$(echo \"$b\" | tail -n 1) $(echo \"$b\" | "
    "sed -n 's/.*\\(<h1.*\\)<\\/body>.*/\\1/p')\"; }; "
    "curl -s -o /dev/null -w \"$H\" $U/page; "
    "curl -s -o /dev/null -w '%{http_code}\\n' -u alice:wrong $U/page; "
    "page -u alice:wonderland; "
    "page -u alice:wonderland -H 'parigot-user: root' "
    "-H 'parigot-roles: admin' -H 'parigot-caller: store'; "
    "who() { curl -s -w \" %{http_code} %header{www-authenticate}\\n\" "
    "-H 'Content-Type: application/json' --data '{}' \"$@\"; }; "
    "who $U/doortest.v1.Front/Who; "
    "who -u alice:wonderland $U/doortest.v1.Front/Who; "
    "who -u alice:wonderland $U/doortest.v1.Vault/Who; "
    "who -u alice:wonderland $U/doortest.v1.Middle/Who; "
    "who -H 'parigot-user: root' $U/doortest.v1.Lobby/Who; "
    "G=\"/usr/bin/python3 $1/grpc_who.py $P\"; "
    "$G - Front Lobby; $G alice:wonderland Front Vault Middle; "
    "$G root:toor-toor-toor Vault; "
    "/usr/bin/python3 $2/tests/http/health.py 127.0.0.1:$P";

/* The app of write_port_manifest, running: its units, and web's port. */
typedef struct port_app {
  char dir[64];
  pg_proc *web, *store;
  char port[16];
} port_app;

static void start_port_app(port_app *a, bool is_split) {
  char path[4096];
  snprintf(a->dir, sizeof a->dir, "/tmp/pg-door-users-XXXXXX");
  make_users(a->dir);
  write_port_manifest(a->dir, is_split, path, sizeof path);
  a->store = NULL;
  if (is_split) {
    char *s[] = {
        (char *)pg_test_parigot(), "run", path, "--unit", "store", NULL};
    a->store = pg_proc_start(s);
    pg_proc_wait_for(a->store, " serves on 127.0.0.1:", 60);
  }
  char *w[] = {(char *)pg_test_parigot(), "run", path, "--unit", "web", NULL};
  a->web = pg_proc_start(w);
  const char *log = pg_proc_wait_for(a->web, " serves on 127.0.0.1:", 60);
  snprintf(a->port, sizeof a->port, "%d",
           atoi(strstr(log, " serves on 127.0.0.1:") + 21));
}

/* Stops the units: each must end well, and no log may hold a password. */
static void stop_port_app(port_app *a) {
  pg_proc *procs[] = {a->web, a->store};
  for (size_t i = 0; i < 2; i++) {
    pg_proc_result r;
    if (procs[i] == NULL)
      continue;
    pg_proc_stop(procs[i], SIGTERM, &r);
    ASSERT_TRUE(strstr(r.err, "wonderland") == NULL);
    ASSERT_TRUE(strstr(r.out, "wonderland") == NULL);
    ASSERT_EQ(r.status, 0);
    pg_proc_result_free(&r);
  }
}

static void expect_clients(bool is_split) {
  port_app a;
  start_port_app(&a, is_split);
  char *client[] = {"/bin/sh", "-c",           (char *)clients_script,
                    a.port,    PG_DOOR_SOURCE, PG_PROJECT_DIR,
                    NULL};
  pg_proc_result r;
  pg_proc_run(client, NULL, NULL, &r);
  stop_port_app(&a);
  ASSERT_STREQ(r.out, clients_out);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* HTTP page, Connect JSON and gRPC, logged in and out, at a unit's port. */
PG_TEST(door_logins_at_the_port) {
  expect_clients(false);
}

/* The same with Back in a unit of its own: alice is still alice there,
 * carried between the units in signed headers. */
PG_TEST(door_logins_at_the_port_across_units) {
  expect_clients(true);
}

/* A real browser (Debian's Chromium, headless) is refused the page
 * without a login, logs in with basic auth the browser's way, and sees
 * the user's name that came back three calls deep; the screenshot is
 * build/tests/door/page.png. */
PG_TEST(door_browser_logs_in_and_sees_the_user) {
  if (access("/usr/bin/chromium", X_OK) != 0) {
    fprintf(stderr, "SKIP: no /usr/bin/chromium (scripts/install-deps.sh)\n");
    exit(77);
  }
  port_app a;
  start_port_app(&a, false);
  char url[128], shot[4096], script[4096];
  snprintf(url, sizeof url, "http://127.0.0.1:%s/page", a.port);
  snprintf(shot, sizeof shot, "%s/page.png", PG_DOOR_DIR);
  snprintf(script, sizeof script, "%s/tests/http/browser.mjs", PG_PROJECT_DIR);
  char *refused[] = {"/usr/bin/env",   "node",      script,
                     "--url",          url,         "--expect-refused",
                     "--expect-realm", "Door test", "--timeout-ms",
                     "120000",         NULL};
  char *in[] = {"/usr/bin/env",
                "node",
                script,
                "--url",
                url,
                "--user",
                "alice",
                "--password",
                "wonderland",
                "--expect-text",
                "Hello, alice",
                "--selector",
                "#user",
                "--screenshot",
                shot,
                "--timeout-ms",
                "120000",
                NULL};
  pg_proc_result r1, r2;
  pg_proc_run(refused, NULL, NULL, &r1);
  pg_proc_run(in, NULL, NULL, &r2);
  stop_port_app(&a);
  if (r1.status != 0 || r2.status != 0)
    PG_FAIL("browser: %s%s%s%s", r1.out, r1.err, r2.out, r2.err);
  ASSERT_CONTAINS(r1.out, "-> 401");
  ASSERT_CONTAINS(r2.out, "-> 200, \"Hello, alice\" in #user");
  struct stat st;
  ASSERT_EQ(stat(shot, &st), 0);
  ASSERT_TRUE(st.st_size > 1000);
  pg_proc_result_free(&r1);
  pg_proc_result_free(&r2);
}
