/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuel/test_fuel.c: max_handler_time in deterministic mode is a
 * budget of fuel (10 units per ns, kernel/lifecycle.c; the metering pass,
 * kernel/engine/meter.c): a handler that needs exactly its budget ends, one
 * ns less and it dies, the same on every run and machine; a handler that
 * never ends dies with the pulse's message at the same point of a
 * byte-identical log; a test program with no budget is still stopped by
 * parigot test's --timeout. Runs `parigot run` and `parigot test` on the
 * programs and manifests of build/tests/fuel/.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"

static const char *app(const char *manifest) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", PG_FUEL_DIR, manifest);
  return path;
}

/* Two deterministic runs of @p manifest, which must be byte-identical. */
static void run_twice(const char *manifest, pg_proc_result r[2]) {
  for (int i = 0; i < 2; i++)
    pg_proc_parigot(&r[i], "run", "--deterministic", app(manifest), NULL);
  ASSERT_STREQ(r[0].out, r[1].out);
  ASSERT_STREQ(r[0].err, r[1].err);
  ASSERT_EQ(r[0].status, r[1].status);
}

/* count.wasm's START costs 7000010 units: with that budget (0.700001ms)
 * it ends and exits 0; with one ns (10 units) less it is stopped as the
 * pulse stops a handler past its time, on every run. */
PG_TEST(fuel_handler_at_its_exact_budget_ends_and_one_ns_less_dies) {
  pg_proc_result under[2], over[2];
  run_twice("run_under.toml", under);
  ASSERT_EQ(under[0].status, 0);
  ASSERT_CONTAINS(under[0].err, "counter: exited with status 0\n");
  ASSERT_TRUE(strstr(under[0].err, "died") == NULL);
  run_twice("run_over.toml", over);
  ASSERT_NE(over[0].status, 0);
  ASSERT_CONTAINS(over[0].err, "ERROR counter: died: ran past its "
                               "max_handler_time (700us)\n");
  for (int i = 0; i < 2; i++) {
    pg_proc_result_free(&under[i]);
    pg_proc_result_free(&over[i]);
  }
}

/* parigot test (deterministic by default) judges the two the same way:
 * PASS, and FAIL with the reason. */
PG_TEST(fuel_parigot_test_judges_the_budget_the_same_way_every_time) {
  for (int i = 0; i < 2; i++) {
    pg_proc_result r;
    pg_proc_parigot(&r, "test", app("test_under.toml"), NULL);
    ASSERT_EQ(r.status, 0);
    ASSERT_CONTAINS(r.out, "PASS counter");
    pg_proc_result_free(&r);
    pg_proc_parigot(&r, "test", app("test_over.toml"), NULL);
    ASSERT_NE(r.status, 0);
    ASSERT_CONTAINS(r.out, "FAIL counter");
    ASSERT_CONTAINS(r.out, "ran past its max_handler_time (700us)");
    pg_proc_result_free(&r);
  }
}

/* A START that loops for ever with a 20ms budget dies at t=0.020 on the
 * app's clock (the time it ran), byte for byte the same log each time. */
PG_TEST(fuel_endless_handler_dies_at_the_same_point_every_run) {
  pg_proc_result r[2];
  run_twice("spin.toml", r);
  ASSERT_NE(r[0].status, 0);
  ASSERT_CONTAINS(r[0].err, "ERROR spinner: died: ran past its "
                            "max_handler_time (20ms)\n");
  ASSERT_CONTAINS(r[0].err, "t=0.020");
  for (int i = 0; i < 2; i++)
    pg_proc_result_free(&r[i]);
}

/* With no max_handler_time there is no fuel limit: the wall-clock
 * --timeout of parigot test still stops a test that loops for ever. */
PG_TEST(fuel_program_without_a_budget_is_stopped_by_the_tests_timeout) {
  pg_proc_result r;
  pg_proc_parigot(&r, "test", "--timeout", "1s", app("nobudget.toml"), NULL);
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.out, "FAIL spinner");
  ASSERT_CONTAINS(r.out, "timeout");
  ASSERT_TRUE(r.elapsed_s >= 1.0 && r.elapsed_s < 30.0);
  pg_proc_result_free(&r);
}
