/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/testkit/test_testkit.c: what `parigot test` gives a test, through
 * the CLI: the parigot.test built-in (Sleep on the virtual clock, injected
 * failures, delays and kills), a test standing in for a service with a
 * mock of its own, and schedule exploration finding the racy example's
 * failure and replaying it byte for byte.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"

/* `parigot test --run ^NAME$ kit.toml`: passes, or fails with its log. */
static void run_scenario(const char *name, pg_proc_result *r) {
  char re[64];
  snprintf(re, sizeof re, "^%s$", name);
  pg_proc_parigot(r, "test", "--run", re, PG_KIT_DIR "/kit.toml", NULL);
  char pass[64];
  snprintf(pass, sizeof pass, "PASS %s\n", name);
  if (r->status != 0 || strstr(r->out, pass) == NULL)
    PG_FAIL("%s: status %d\n%s%s", name, r->status, r->out, r->err);
}

PG_TEST(testkit_sleep_wakes_a_test_on_the_virtual_clock) {
  pg_proc_result a, b;
  run_scenario("sleep", &a);
  ASSERT_CONTAINS(a.err, "slept until +");
  run_scenario("sleep", &b);
  ASSERT_STREQ(a.err, b.err); /* to the nanosecond, every run */
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

PG_TEST(testkit_fails_the_nth_call_with_the_code_asked) {
  pg_proc_result r;
  run_scenario("fail", &r);
  ASSERT_CONTAINS(r.err, "Get: not found\n");
  ASSERT_CONTAINS(r.err, "Get failed: code 5: gone\n");
  pg_proc_result_free(&r);
}

PG_TEST(testkit_delays_a_call_so_a_later_one_overtakes_it) {
  pg_proc_result r;
  run_scenario("delay", &r);
  const char *get = strstr(r.err, "Get: not found");
  const char *put = strstr(r.err, "Put answered at +");
  ASSERT_TRUE(get != NULL && put != NULL && get < put);
  pg_proc_result_free(&r);
}

/* A service the test kills is a death the test wanted: it does not fail
 * the test, which sees its calls fail UNAVAILABLE. */
PG_TEST(testkit_kills_a_service_now_or_at_its_nth_call) {
  pg_proc_result r;
  run_scenario("kill", &r);
  ASSERT_CONTAINS(r.err, "died: killed by the test (kill)");
  ASSERT_CONTAINS(r.err, "Get failed: code 14");
  pg_proc_result_free(&r);
  run_scenario("killnth", &r);
  ASSERT_CONTAINS(r.err, "died: killed by a fault the test injected");
  pg_proc_result_free(&r);
}

PG_TEST(testkit_refuses_faults_and_kills_naming_why) {
  pg_proc_result r;
  run_scenario("bad", &r);
  ASSERT_CONTAINS(r.err, "InjectFault: no guest of the app exports "
                         "nope.v1.Nothing");
  ASSERT_CONTAINS(r.err, "InjectFault: nth counts from 1");
  ASSERT_CONTAINS(r.err, "Kill: nobody is not a guest of this unit");
  ASSERT_CONTAINS(r.err, "Kill: bad is a program: only a service is killed");
  ASSERT_CONTAINS(r.err, "SetLink: links are set only between the units of "
                         "an app run in one process");
  pg_proc_result_free(&r);
}

/* Between two units run in one process, a test cuts, restores, delays
 * and drops the traffic. */
PG_TEST(testkit_cuts_delays_and_drops_the_link_between_units) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", PG_KIT_DIR "/kit_units.toml", NULL);
  if (r.status != 0 || strstr(r.out, "PASS link\n") == NULL)
    PG_FAIL("status %d\n%s%s", r.status, r.out, r.err);
  ASSERT_CONTAINS(r.err, "the link from unit front to unit back is cut");
  ASSERT_CONTAINS(r.err, "answered 2ms late or more");
  ASSERT_CONTAINS(r.err, "SetLink: the app has no unit nowhere");
  pg_proc_result_free(&r);
}

/* The test mocks the cache and requires the reader, which requires the
 * cache: no cycle, the real cache is not run, and the mock answers. */
PG_TEST(testkit_mock_stands_in_for_a_service_of_the_app) {
  pg_proc_result r;
  run_scenario("mock", &r);
  ASSERT_CONTAINS(r.err, "warm-up: mocked");
  ASSERT_TRUE(strstr(r.err, "cache:") == NULL); /* never ran */
  pg_proc_result_free(&r);
}

/* Under explored schedules the reader's warm-up Get may reach the mock
 * before the test's own START: the mock answers it all the same, and the
 * test passes under every schedule. */
PG_TEST(testkit_mock_answers_before_its_test_starts) {
  int early = 0;
  for (int seed = 1; seed <= 8; seed++) {
    char s[8];
    snprintf(s, sizeof s, "%d", seed);
    pg_proc_result r;
    pg_proc_parigot(&r, "test", "--seed", s, "--run", "^mock$",
                    PG_KIT_DIR "/kit.toml", NULL);
    if (r.status != 0)
      PG_FAIL("seed %d: status %d\n%s%s", seed, r.status, r.out, r.err);
    early += strstr(r.err, "1 of them before its start") != NULL;
    pg_proc_result_free(&r);
  }
  ASSERT_TRUE(early > 0);
}

/* The racy test passes under the default schedule; exploration finds a
 * schedule that fails it and names its seed; that seed replays it byte
 * for byte. */
PG_TEST(testkit_explore_finds_the_race_and_seed_replays_it) {
  pg_proc_result r, a, b;
  pg_proc_parigot(&r, "test", PG_RACY_DIR "/racy.toml", NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "PASS racy_test\n");
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", "--explore", "20", PG_RACY_DIR "/racy.toml",
                  NULL);
  ASSERT_EQ(r.status, 1);
  ASSERT_CONTAINS(r.out, "FAIL racy_test\n");
  ASSERT_CONTAINS(r.out, "Lookup(color) after Put(color, blue) saw nothing");
  const char *at = strstr(r.out, "schedule: seed ");
  ASSERT_TRUE(at != NULL);
  char seed[24];
  ASSERT_EQ(sscanf(at, "schedule: seed %23[0-9]", seed), 1);
  pg_proc_parigot(&a, "test", "--seed", seed, PG_RACY_DIR "/racy.toml", NULL);
  pg_proc_parigot(&b, "test", "--seed", seed, PG_RACY_DIR "/racy.toml", NULL);
  ASSERT_EQ(a.status, 1);
  ASSERT_CONTAINS(a.out, "saw nothing");
  ASSERT_STREQ(a.out, b.out);
  ASSERT_STREQ(a.err, b.err);
  pg_proc_result_free(&r);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

/* The "random: " line of @p out, or "". */
static void random_line(const char *out, char *line, size_t cap) {
  const char *at = strstr(out, "random: ");
  size_t n = at != NULL ? strcspn(at, "\n") : 0;
  snprintf(line, cap, "%.*s", (int)n, at != NULL ? at : "");
}

/* A guest's random stream comes from the seed and its name: the same
 * under `parigot run` and in its own test app, where other guests stand
 * before it. */
PG_TEST(testkit_random_stream_follows_the_guest_name_not_its_place) {
  pg_proc_result r, t;
  char a[64], b[64];
  pg_proc_parigot(&r, "run", "--deterministic", PG_KIT_DIR "/stream.toml",
                  NULL);
  pg_proc_parigot(&t, "test", PG_KIT_DIR "/stream_test.toml", NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(t.status, 0);
  random_line(r.out, a, sizeof a);
  random_line(t.out, b, sizeof b);
  ASSERT_TRUE(a[0] != '\0');
  ASSERT_STREQ(a, b);
  pg_proc_result_free(&r);
  pg_proc_result_free(&t);
}

/* With tests alone, parigot run has nothing to run: it ends at once, in
 * both modes (it crashed, or waited for a signal), and parigot test runs
 * them. */
PG_TEST(testkit_run_of_an_app_of_tests_alone_ends_at_once) {
  pg_proc_result r;
  pg_proc_parigot(&r, "run", PG_KIT_DIR "/only_tests.toml", NULL);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "run", "--deterministic", PG_KIT_DIR "/only_tests.toml",
                  NULL);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "test", PG_KIT_DIR "/only_tests.toml", NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "PASS alone\n");
  pg_proc_result_free(&r);
}
