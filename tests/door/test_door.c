/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/door/test_door.c: who may call what, end to end, through the
 * parigot under test and real guests (chain.c, pages.c, asuser.c): the
 * user of a call handed down three calls deep, from a continuation and
 * into another unit; a service's login and roles; a guest that may not
 * authenticate. The manifests are written per test into build/tests/door,
 * beside the guests.
 */
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
