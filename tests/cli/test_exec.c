/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/cli/test_exec.c: `parigot exec` as a user runs it: output, exit
 * codes, traps, timeouts, determinism and bad modules.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

/* Runs parigot with the arguments that follow, up to the first NULL. */
static void parigot(pg_proc_result *r, const char *input, char *const env[],
                    ...) {
  char *argv[16] = {(char *)pg_test_parigot()};
  int n = 1;
  va_list ap;
  va_start(ap, env);
  for (const char *a; n < 15 && (a = va_arg(ap, const char *));)
    argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  pg_proc_run(argv, input, env, r);
}

#define EXEC(r, ...) parigot(r, NULL, NULL, "exec", __VA_ARGS__, NULL)

static void expect_trap(const char *guest, const char *kind) {
  pg_proc_result r;
  EXEC(&r, pg_test_guest(guest), NULL, NULL, NULL);
  ASSERT_EQ(r.status, 134);
  char want[256];
  snprintf(want, sizeof want, "parigot: trap: %s (in %s.wasm)\n", kind, guest);
  ASSERT_STREQ(r.err, want);
  pg_proc_result_free(&r);
}

PG_TEST(exec_hello_prints_greeting_and_exits_zero) {
  pg_proc_result r;
  EXEC(&r, pg_test_guest("hello-wasi"), NULL, NULL, NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out,
               "Hello, world! (from a WebAssembly guest run by parigot)\n");
  ASSERT_STREQ(r.err, "");
  pg_proc_result_free(&r);
}

PG_TEST(exec_passes_args_and_only_given_env_to_guest) {
  pg_proc_result r;
  const char *g = pg_test_guest("args_env");
  parigot(&r, NULL, NULL, "exec", "--env", "A=1", "--env", "B=two words", g,
          NULL);
  ASSERT_EQ(r.status, 0);
  char want[4096];
  snprintf(want, sizeof want, "argc=1\nargv[0]=%s\nenv A=1\nenv B=two words\n",
           g);
  ASSERT_STREQ(r.out, want);
  pg_proc_result_free(&r);
  EXEC(&r, g, "x", "--not-an-option", "");
  snprintf(want, sizeof want,
           "argc=4\nargv[0]=%s\nargv[1]=x\nargv[2]=--not-an-option\n"
           "argv[3]=\n",
           g);
  ASSERT_STREQ(r.out, want);
  pg_proc_result_free(&r);
}

PG_TEST(exec_passes_stdin_through) {
  pg_proc_result r;
  parigot(&r, "hello\nworld\n", NULL, "exec", pg_test_guest("cat"), NULL, NULL,
          NULL, NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "HELLO\nWORLD\n");
  ASSERT_STREQ(r.err, "12 bytes\n");
  pg_proc_result_free(&r);
}

PG_TEST(exec_returns_guest_exit_code) {
  const char *codes[] = {"0", "1", "3", "42", "255"};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    pg_proc_result r;
    EXEC(&r, pg_test_guest("exit_code"), codes[i], NULL, NULL);
    ASSERT_EQ(r.status, atoi(codes[i]));
    char want[64];
    snprintf(want, sizeof want, "leaving with %s\n", codes[i]);
    ASSERT_STREQ(r.out, want);
    pg_proc_result_free(&r);
  }
}

PG_TEST(exec_maps_out_of_range_exit_status_to_one) {
  pg_proc_result r;
  EXEC(&r, pg_test_guest("exit_code"), "300", NULL, NULL);
  ASSERT_EQ(r.status, 1);
  ASSERT_CONTAINS(r.err, "exited with status 300");
  pg_proc_result_free(&r);
}

PG_TEST(exec_reports_unreachable_trap) {
  expect_trap("trap_unreachable", "unreachable executed");
}

PG_TEST(exec_reports_divide_by_zero_trap) {
  expect_trap("trap_div_zero", "integer divide by zero");
}

PG_TEST(exec_reports_integer_overflow_trap) {
  expect_trap("trap_int_overflow", "integer overflow");
}

PG_TEST(exec_reports_invalid_conversion_trap) {
  expect_trap("trap_conversion", "invalid conversion to integer");
}

PG_TEST(exec_reports_out_of_bounds_load_trap) {
  expect_trap("trap_oob_memory", "out of bounds memory access");
}

/* Its value is unused, and a double: the load must happen all the same. */
PG_TEST(exec_reports_out_of_bounds_unused_double_load_trap) {
  expect_trap("trap_oob_memory_f64", "out of bounds memory access");
}

PG_TEST(exec_reports_out_of_bounds_store_far_past_memory) {
  expect_trap("trap_oob_memory_far", "out of bounds memory access");
}

PG_TEST(exec_reports_out_of_bounds_table_access) {
  expect_trap("trap_oob_table", "out of bounds memory or table access");
}

PG_TEST(exec_reports_indirect_call_type_mismatch) {
  expect_trap("trap_indirect_type",
              "indirect call to a null, out-of-range or mistyped function");
}

PG_TEST(exec_reports_indirect_call_through_null) {
  expect_trap("trap_indirect_null",
              "indirect call to a null, out-of-range or mistyped function");
}

/* The host function gets its own instance either way: each call answers
 * argc, 3 (the module, "ab", "c"). */
PG_TEST(exec_calls_imported_functions_through_a_table) {
  pg_proc_result r;
  EXEC(&r, pg_test_guest("import_in_table"), "ab", "c", NULL);
  ASSERT_EQ(r.status, 3 + 3);
  pg_proc_result_free(&r);
}

PG_TEST(exec_reports_call_stack_exhaustion) {
  expect_trap("trap_stack", "call stack exhausted");
}

/* Compiles @p guest into the cache so that a timed run measures the run. */
static void warm(const char *guest) {
  pg_proc_result r;
  EXEC(&r, "--timeout", "1ms", pg_test_guest(guest), NULL);
  pg_proc_result_free(&r);
}

PG_TEST(exec_timeout_stops_a_tight_loop) {
  pg_proc_result r;
  warm("spin");
  EXEC(&r, "--timeout", "300ms", pg_test_guest("spin"), NULL);
  ASSERT_EQ(r.status, 124);
  ASSERT_STREQ(r.err, "parigot: timeout after 300ms\n");
  ASSERT_TRUE(r.elapsed_s >= 0.3);
  ASSERT_TRUE(r.elapsed_s < 1.3); /* the bound: within 1 s */
  pg_proc_result_free(&r);
}

PG_TEST(exec_timeout_interrupts_a_sleeping_host_call) {
  pg_proc_result r;
  warm("sleeper");
  EXEC(&r, "--timeout", "200ms", pg_test_guest("sleeper"), "100");
  ASSERT_EQ(r.status, 124);
  ASSERT_STREQ(r.out, "sleeping\n");
  ASSERT_STREQ(r.err, "parigot: timeout after 200ms\n");
  ASSERT_TRUE(r.elapsed_s < 1.2);
  pg_proc_result_free(&r);
}

PG_TEST(exec_without_timeout_lets_guest_finish) {
  pg_proc_result r;
  EXEC(&r, "--timeout", "1m", pg_test_guest("sleeper"), "0");
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "sleeping\nwoke\n");
  pg_proc_result_free(&r);
}

PG_TEST(exec_max_memory_caps_memory_grow) {
  pg_proc_result r;
  EXEC(&r, "--max-memory", "4M", pg_test_guest("grow"), NULL);
  ASSERT_EQ(r.status, 64); /* 4 MiB = 64 pages */
  pg_proc_result_free(&r);
  EXEC(&r, "--max-memory", "640K", pg_test_guest("grow"), NULL);
  ASSERT_EQ(r.status, 10);
  pg_proc_result_free(&r);
}

PG_TEST(exec_refuses_initial_memory_above_limit) {
  pg_proc_result r;
  EXEC(&r, "--max-memory", "1M", pg_test_guest("big_initial"), NULL);
  ASSERT_EQ(r.status, 134);
  ASSERT_CONTAINS(r.err, "initial memory exceeds the memory limit");
  pg_proc_result_free(&r);
  EXEC(&r, "--max-memory", "8M", pg_test_guest("big_initial"), NULL);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(exec_wasi_rejects_iovec_outside_memory) {
  pg_proc_result r;
  EXEC(&r, pg_test_guest("bad_iovec"), NULL, NULL, NULL);
  ASSERT_EQ(r.status, 21); /* WASI EFAULT */
  ASSERT_STREQ(r.out, "");
  pg_proc_result_free(&r);
}

PG_TEST(exec_deterministic_runs_print_identical_bytes) {
  pg_proc_result a, b;
  EXEC(&a, "--deterministic", pg_test_guest("entropy"), NULL, NULL);
  EXEC(&b, "--deterministic", pg_test_guest("entropy"), NULL, NULL);
  ASSERT_EQ(a.status, 0);
  ASSERT_EQ(b.status, 0);
  ASSERT_STREQ(a.out, b.out);
  /* Virtual time: the 50 ms sleep took exactly 50 ms plus one tick. */
  ASSERT_CONTAINS(a.out, "slept 50001000\n");
  ASSERT_CONTAINS(a.out, "realtime 9466848000");
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

PG_TEST(exec_different_seeds_give_different_random_streams) {
  pg_proc_result a, b, c;
  EXEC(&a, "--seed", "1", pg_test_guest("entropy"), NULL);
  EXEC(&b, "--seed", "2", pg_test_guest("entropy"), NULL);
  EXEC(&c, "--seed", "1", pg_test_guest("entropy"), NULL);
  ASSERT_TRUE(strcmp(a.out, b.out) != 0);
  ASSERT_STREQ(a.out, c.out);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  pg_proc_result_free(&c);
}

PG_TEST(exec_without_deterministic_varies_between_runs) {
  pg_proc_result a, b;
  EXEC(&a, pg_test_guest("entropy"), NULL, NULL, NULL);
  EXEC(&b, pg_test_guest("entropy"), NULL, NULL, NULL);
  ASSERT_TRUE(strcmp(a.out, b.out) != 0);
  ASSERT_TRUE(strstr(a.out, "realtime 9466848000") == NULL);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

static void expect_bad_module(const char *path, const char *msg) {
  pg_proc_result r;
  EXEC(&r, path, NULL, NULL, NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, msg);
  ASSERT_EQ(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err)); /* 1 line */
  ASSERT_STREQ(r.out, "");
  pg_proc_result_free(&r);
}

static const char *write_temp(const char *name, const void *bytes, size_t len) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/test-exec-%d-%s", P_tmpdir, (int)getpid(),
           name);
  FILE *f = fopen(path, "wb");
  ASSERT_TRUE(f != NULL);
  ASSERT_EQ(fwrite(bytes, 1, len, f), len);
  fclose(f);
  return path;
}

PG_TEST(exec_rejects_a_file_that_is_not_wasm) {
  const char *p = write_temp("hello.txt", "hello, world\n", 13);
  expect_bad_module(p, "not a WebAssembly file");
  unlink(p);
}

PG_TEST(exec_rejects_a_missing_file_naming_it) {
  expect_bad_module("/nonexistent/dir/app.wasm",
                    "/nonexistent/dir/app.wasm: cannot open");
}

PG_TEST(exec_rejects_an_invalid_module_saying_why) {
  /* A function declared to return i32 whose body returns nothing. */
  static const unsigned char bad[] = {0, 'a', 's',  'm', 1, 0,    0,   0, 1,
                                      5, 1,   0x60, 0,   1, 0x7f, 3,   2, 1,
                                      0, 10,  4,    1,   2, 0,    0x0b};
  const char *p = write_temp("bad.wasm", bad, sizeof bad);
  expect_bad_module(p, "invalid module: type mismatch");
  unlink(p);
}

PG_TEST(exec_rejects_a_truncated_module) {
  static const unsigned char cut[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 50, 1};
  const char *p = write_temp("cut.wasm", cut, sizeof cut);
  expect_bad_module(p, "invalid module: section 1 is 50 bytes");
  unlink(p);
}

PG_TEST(exec_rejects_shared_memory_as_unsupported) {
  expect_bad_module(pg_test_guest("shared_memory"),
                    "unsupported feature: shared memory");
}

PG_TEST(exec_rejects_simd_as_unsupported) {
  expect_bad_module(pg_test_guest("simd"), "unsupported feature");
}

PG_TEST(exec_rejects_missing_import_naming_module_and_field) {
  expect_bad_module(pg_test_guest("bad_import"),
                    "import env.launch_missiles (function) is not provided "
                    "by the host");
}

PG_TEST(exec_rejects_import_with_wrong_signature) {
  expect_bad_module(pg_test_guest("bad_signature"),
                    "import wasi_snapshot_preview1.fd_write has signature "
                    "i: but the host provides iiii:i");
}

PG_TEST(exec_rejects_module_without_start) {
  expect_bad_module(pg_test_guest("no_start"), "exports no _start function");
}

PG_TEST(exec_reports_missing_c_compiler) {
  /* A fresh cache, so the module must be compiled. */
  char dir[] = "/tmp/pg-nocc-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  char cache[64], *env[] = {"CC=/nonexistent/cc", cache, NULL};
  snprintf(cache, sizeof cache, "PARIGOT_CACHE=%s", dir);
  pg_proc_result r;
  parigot(&r, NULL, env, "exec", pg_test_guest("hello-wasi"), NULL, NULL, NULL,
          NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_STREQ(r.err, "parigot: no C compiler found: '/nonexistent/cc' is "
                      "not on PATH (install gcc or set CC)\n");
  pg_proc_result_free(&r);
  rmdir(dir);
}

PG_TEST(exec_rejects_bad_option_values) {
  pg_proc_result r;
  const char *g = pg_test_guest("hello-wasi");
  EXEC(&r, "--timeout", "5", g, NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "--timeout 5: not a duration");
  pg_proc_result_free(&r);
  EXEC(&r, "--max-memory", "lots", g, NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "--max-memory lots: not a size");
  pg_proc_result_free(&r);
  EXEC(&r, "--env", "NOEQUALS", g, NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "--env NOEQUALS: expected KEY=VALUE");
  pg_proc_result_free(&r);
  EXEC(&r, "--frobnicate", g, NULL, NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "unknown option --frobnicate");
  pg_proc_result_free(&r);
}

PG_TEST(cli_prints_version_and_help) {
  pg_proc_result r;
  parigot(&r, NULL, NULL, "--version", NULL, NULL, NULL, NULL, NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "parigot 0.1.0\n");
  pg_proc_result_free(&r);
  parigot(&r, NULL, NULL, "--help", NULL, NULL, NULL, NULL, NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "usage: parigot");
  ASSERT_CONTAINS(r.out, "exec");
  pg_proc_result_free(&r);
  parigot(&r, NULL, NULL, "exec", "--help", NULL, NULL, NULL, NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "usage: parigot exec");
  ASSERT_CONTAINS(r.out, "--max-memory SIZE");
  pg_proc_result_free(&r);
  parigot(&r, NULL, NULL, "launch", NULL, NULL, NULL, NULL, NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "unknown command 'launch'");
  pg_proc_result_free(&r);
}

PG_TEST(exec_runs_float_operations_that_need_libm) {
  pg_proc_result r;
  EXEC(&r, pg_test_guest("float_math"), NULL, NULL, NULL);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 11);
  pg_proc_result_free(&r);
}

PG_TEST(exec_extra_cflags_reach_the_compiler) {
  char dir[] = "/tmp/pg-cflags-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  char cache[64],
      *env[] = {cache, "PARIGOT_CFLAGS=-DNO_SUCH_FLAG -Wbogus-x", NULL};
  snprintf(cache, sizeof cache, "PARIGOT_CACHE=%s", dir);
  pg_proc_result r;
  parigot(&r, NULL, env, "exec", pg_test_guest("grow"), NULL);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "the C compiler");
  ASSERT_CONTAINS(r.err, "bogus-x");
  pg_proc_result_free(&r);
  rmdir(dir);
}

/* A module importing the parigot ABI but run by exec has no app behind it:
 * its calls fail with PARIGOT_ENOTSUP and the host keeps running. */
PG_TEST(exec_runs_a_module_with_parigot_imports_without_an_app) {
  pg_proc_result r;
  char *argv[] = {(char *)pg_test_parigot(), "exec",
                  (char *)pg_test_guest("parigot_import_in_exec"), NULL};
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

/* Whatever parigot's stdio is (here three pipes, stderr joined to stdout),
 * a guest sees character devices that cannot seek: isatty() holds,
 * fd_seek, fd_tell and fd_pwrite fail with ESPIPE (70), and stdout is
 * line-buffered, so its lines come out before what the guest writes to
 * stderr after them. */
PG_TEST(exec_stdio_is_a_character_device_that_cannot_seek) {
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "'%s' exec '%s' 2>&1", pg_test_parigot(),
           pg_test_guest("stdio_probe"));
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  pg_proc_result r;
  pg_proc_run(argv, "", NULL, &r);
  ASSERT_STREQ(r.out, "fd 0: stat 0 filetype 2 seek/tell rights 0 isatty 1 "
                      "seek 70 tell 70 pwrite 70\n"
                      "fd 1: stat 0 filetype 2 seek/tell rights 0 isatty 1 "
                      "seek 70 tell 70 pwrite 70\n"
                      "fd 2: stat 0 filetype 2 seek/tell rights 0 isatty 1 "
                      "seek 70 tell 70 pwrite 70\n"
                      "first line\nsecond line\nafter the lines\n"
                      "no newline");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}
