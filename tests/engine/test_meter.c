/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/engine/test_meter.c: the fuel metering pass (kernel/engine/meter.c)
 * and metered modules in the engine: rewritten modules pass wabt's
 * wasm-validate and compute what the plain module computes; a run stops at
 * the exact unit of fuel its budget allows, told apart from a guest's own
 * `unreachable`; metered and plain builds of a file are two cache entries;
 * malformed or unknown input is refused by name, and no damaged module
 * crashes the pass.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "meter.h"
#include "parigot/error.h"
#include "rt.h"
#include "test.h"
#include "test_proc.h"
#include "wasm_info.h"

typedef struct fixture {
  char dir[64];
  pg_engine *engine;
} fixture;

static void setup(fixture *f) {
  snprintf(f->dir, sizeof f->dir, "/tmp/pg-meter-test-XXXXXX");
  ASSERT_TRUE(mkdtemp(f->dir) != NULL);
  pg_engine_config cfg = {.cache_dir = f->dir};
  char err[512];
  ASSERT_EQ(pg_engine_new(&f->engine, &cfg, pg_mem_default(), err, sizeof err),
            0);
}

static void teardown(fixture *f) {
  pg_engine_free(f->engine);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  ASSERT_EQ(system(cmd), 0);
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d)))
    n += strstr(e->d_name, ".so") != NULL;
  if (d)
    closedir(d);
  return n;
}

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    PG_FAIL("cannot open %s", path);
  uint8_t *buf = malloc(1 << 20);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

static void write_all(const char *path, const uint8_t *b, size_t len) {
  FILE *f = fopen(path, "wb");
  ASSERT_TRUE(f != NULL);
  ASSERT_EQ(fwrite(b, 1, len, f), len);
  ASSERT_EQ(fclose(f), 0);
}

/* The guest @p name metered, written to @p out (a path). */
static void meter_guest(const char *name, const char *out) {
  size_t len, mlen;
  uint8_t *in = read_all(pg_test_guest(name), &len), *m;
  char err[300];
  int rc =
      pg_meter_module(in, len, pg_mem_default(), &m, &mlen, err, sizeof err);
  if (rc != 0)
    PG_FAIL("metering %s: %s", name, err);
  ASSERT_TRUE(mlen > len);
  write_all(out, m, mlen);
  pg_mem_free(pg_mem_default(), m);
  free(in);
}

static void validate(const char *path, const char *flags) {
  pg_proc_result r;
  char *argv[] = {PG_WASM_VALIDATE, (char *)path, (char *)flags, NULL};
  if (flags == NULL)
    argv[2] = NULL;
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("wasm-validate %s: %s", path, r.err);
  pg_proc_result_free(&r);
}

static pg_module *load(fixture *f, const char *path, bool is_metered) {
  pg_module *m = NULL;
  pg_module_options o = {.is_metered = is_metered};
  if (pg_module_load_with(f->engine, path, &o, &m) != 0)
    PG_FAIL("load %s: %s", path, pg_engine_errmsg(f->engine));
  ASSERT_EQ(pg_module_is_metered(m), is_metered);
  return m;
}

static const pg_instance_config quiet = {
    .wasi = {.stdio_fds = {-1, -1, -1}, .is_deterministic = true}};

/* Runs _start with @p fuel (0: as the instance starts); what is left in
 * *left. */
static pg_run_result run(pg_module *m, int64_t fuel, int64_t *left) {
  pg_instance *inst;
  pg_run_result r;
  ASSERT_EQ(pg_instance_new(m, &quiet, &inst), 0);
  if (fuel != 0)
    pg_instance_set_fuel(inst, fuel);
  ASSERT_EQ(pg_instance_run(inst, "_start", &r), 0);
  if (left != NULL)
    ASSERT_EQ(pg_instance_fuel(inst, left), 0);
  pg_instance_free(inst);
  return r;
}

/* ---- the rewritten module ---- */

PG_TEST(meter_mix_validates_and_computes_what_the_plain_module_does) {
  fixture f;
  setup(&f);
  char path[128];
  snprintf(path, sizeof path, "%s/mix.wasm", f.dir);
  meter_guest("meter_mix", path);
  validate(path, NULL);
  pg_module *plain = load(&f, pg_test_guest("meter_mix"), false);
  pg_module *metered = load(&f, pg_test_guest("meter_mix"), true);
  pg_run_result a = run(plain, 0, NULL);
  int64_t left;
  pg_run_result b = run(metered, 1000000, &left);
  ASSERT_EQ(a.code, PG_RT_EXIT);
  ASSERT_EQ(b.code, PG_RT_EXIT);
  ASSERT_TRUE(a.exit_code > 7); /* it computed something */
  ASSERT_EQ(a.exit_code, b.exit_code);
  ASSERT_TRUE(left > 0 && left < 1000000); /* it burnt some, not all */
  pg_module_free(plain);
  pg_module_free(metered);
  teardown(&f);
}

/* Imported and defined globals, SIMD, exceptions, tail calls, tables: the
 * fuel global comes after all the module's (2 imported, 1 defined). */
PG_TEST(meter_features_validate_with_the_fuel_global_last) {
  char path[] = "/tmp/pg-meter-features-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_TRUE(fd >= 0);
  close(fd);
  meter_guest("meter_features", path);
  pg_proc_result r;
  char *argv[] = {PG_WASM_VALIDATE, "--enable-exceptions", "--enable-tail-call",
                  path, NULL};
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("wasm-validate: %s", r.err);
  pg_proc_result_free(&r);
  size_t len;
  uint8_t *b = read_all(path, &len);
  pg_wasm_info info;
  ASSERT_EQ(pg_wasm_info_parse(&info, b, len, pg_mem_default()), 0);
  const pg_wasm_export *e = pg_wasm_info_export(&info, PG_METER_EXPORT);
  ASSERT_TRUE(e != NULL);
  ASSERT_EQ(e->kind, PG_WASM_EXTERN_GLOBAL);
  ASSERT_EQ(e->index, 3u);
  pg_wasm_info_deinit(&info);
  free(b);
  unlink(path);
}

/* A module with no global and no export section gets both, in order. */
PG_TEST(meter_module_without_globals_or_exports_gets_both) {
  static const uint8_t m[] = {
      0,  'a', 's',  'm', 1, 0,    0,    0,    1,
      4,  1,   0x60, 0,   0,                         /* type: () -> () */
      3,  2,   1,    0,                              /* one function */
      10, 7,   1,    5,   0, 0x03, 0x40, 0x0b, 0x0b, /* loop end end */
  };
  uint8_t *out;
  size_t len;
  char err[300];
  ASSERT_EQ(pg_meter_module(m, sizeof m, pg_mem_default(), &out, &len, err,
                            sizeof err),
            0);
  char path[] = "/tmp/pg-meter-bare-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  write_all(path, out, len);
  validate(path, NULL);
  pg_mem_free(pg_mem_default(), out);
  unlink(path);
}

/* ---- fuel in the engine ---- */

/* meter_count.wat: 4 instructions outside its loop, 7 in it, 1000
 * iterations. It burns exactly that; with one unit less it stops. */
PG_TEST(meter_run_stops_at_the_exact_unit_of_fuel) {
  fixture f;
  setup(&f);
  pg_module *m = load(&f, pg_test_guest("meter_count"), true);
  const int64_t cost = 4 + 1000 * 7;
  int64_t left;
  pg_run_result r = run(m, 1000000, &left);
  ASSERT_EQ(r.code, PG_RT_OK);
  ASSERT_EQ(1000000 - left, cost);
  r = run(m, cost, &left);
  ASSERT_EQ(r.code, PG_RT_OK);
  ASSERT_EQ(left, 0);
  r = run(m, cost - 1, &left);
  ASSERT_EQ(r.code, PG_RT_OUT_OF_FUEL);
  ASSERT_STREQ(pg_rt_trap_name(r.code), "out of fuel");
  ASSERT_TRUE(left < 0);
  r = run(m, 0, &left); /* never set: no limit in practice */
  ASSERT_EQ(r.code, PG_RT_OK);
  ASSERT_EQ(left, INT64_MAX - cost);
  pg_module_free(m);
  teardown(&f);
}

/* A loop that never ends stops once its fuel is gone; a guest's own
 * `unreachable` with fuel left stays what it is. */
PG_TEST(meter_spin_runs_out_and_unreachable_stays_a_trap) {
  fixture f;
  setup(&f);
  pg_module *spin = load(&f, pg_test_guest("spin"), true);
  int64_t left;
  pg_run_result r = run(spin, 50000000, &left);
  ASSERT_EQ(r.code, PG_RT_OUT_OF_FUEL);
  pg_module *trap = load(&f, pg_test_guest("trap_unreachable"), true);
  r = run(trap, 1000, &left);
  ASSERT_EQ(r.code, WASM_RT_TRAP_UNREACHABLE);
  ASSERT_TRUE(left >= 0);
  pg_module_free(spin);
  pg_module_free(trap);
  teardown(&f);
}

static void *interrupt_later(void *arg) {
  nanosleep(&(struct timespec){.tv_nsec = 300000000}, NULL);
  pg_instance_interrupt(arg);
  return NULL;
}

/* With no budget set, a loop for ever runs until it is interrupted: the C
 * compiler does not skip ahead to where its INT64_MAX units would end (it
 * did, before compile.c hid the counter's reads from it), and an interrupt
 * still stops metered code. */
PG_TEST(meter_loop_without_a_budget_runs_until_interrupted) {
  fixture f;
  setup(&f);
  pg_module *spin = load(&f, pg_test_guest("spin"), true);
  pg_instance *inst;
  pg_run_result r;
  ASSERT_EQ(pg_instance_new(spin, &quiet, &inst), 0);
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, interrupt_later, inst), 0);
  ASSERT_EQ(pg_instance_run(inst, "_start", &r), 0);
  pthread_join(t, NULL);
  ASSERT_EQ(r.code, PG_RT_INTERRUPTED);
  pg_instance_free(inst);
  pg_module_free(spin);
  teardown(&f);
}

/* One file, metered and plain: two cache entries, each found again. */
PG_TEST(meter_metered_and_plain_builds_are_cached_apart) {
  fixture f;
  setup(&f);
  pg_module *a = load(&f, pg_test_guest("meter_count"), false);
  pg_module *b = load(&f, pg_test_guest("meter_count"), true);
  ASSERT_EQ(count_entries(f.dir), 2);
  ASSERT_TRUE(!pg_module_was_cached(b));
  pg_module *c = load(&f, pg_test_guest("meter_count"), true);
  pg_module *d = load(&f, pg_test_guest("meter_count"), false);
  ASSERT_TRUE(pg_module_was_cached(c) && pg_module_was_cached(d));
  int64_t left;
  pg_instance *inst;
  ASSERT_EQ(pg_instance_new(d, &quiet, &inst), 0);
  ASSERT_EQ(pg_instance_fuel(inst, &left), PARIGOT_EINVAL);
  pg_instance_free(inst);
  pg_module_free(a);
  pg_module_free(b);
  pg_module_free(c);
  pg_module_free(d);
  teardown(&f);
}

/* ---- bad input ---- */

static int meter_bytes(const uint8_t *b, size_t len, char *err, size_t cap) {
  uint8_t *out = NULL;
  size_t out_len;
  int rc = pg_meter_module(b, len, pg_mem_default(), &out, &out_len, err, cap);
  pg_mem_free(pg_mem_default(), out);
  return rc;
}

#define HEADER 0, 'a', 's', 'm', 1, 0, 0, 0
#define ONE_FUNC 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0

PG_TEST(meter_refuses_malformed_and_unknown_input_by_name) {
  char err[300];
  static const uint8_t not_wasm[] = {'E', 'L', 'F', 1, 0, 0, 0, 0};
  ASSERT_EQ(meter_bytes(not_wasm, sizeof not_wasm, err, sizeof err),
            PARIGOT_ENOTWASM);
  static const uint8_t past[] = {HEADER, ONE_FUNC, 10, 4, 1, 9, 0, 0x0b};
  ASSERT_EQ(meter_bytes(past, sizeof past, err, sizeof err),
            PARIGOT_EBADMODULE);
  ASSERT_CONTAINS(err, "function 0 runs past the code section");
  static const uint8_t long_leb[] = {HEADER, ONE_FUNC, 10,   8,    0x81, 0x80,
                                     0x80,   0x80,     0x80, 0x00, 0,    0};
  ASSERT_EQ(meter_bytes(long_leb, sizeof long_leb, err, sizeof err),
            PARIGOT_EBADMODULE);
  ASSERT_CONTAINS(err, "integer");
  static const uint8_t section_past[] = {HEADER, 1, 0x7f, 0};
  ASSERT_EQ(meter_bytes(section_past, sizeof section_past, err, sizeof err),
            PARIGOT_EBADMODULE);
  ASSERT_CONTAINS(err, "runs past the end of the module");
  /* ref.eq (0xd3), from the GC proposal */
  static const uint8_t gc[] = {HEADER, ONE_FUNC, 10, 5, 1, 3, 0, 0xd3, 0x0b};
  ASSERT_EQ(meter_bytes(gc, sizeof gc, err, sizeof err), PARIGOT_EUNSUPPORTED);
  ASSERT_CONTAINS(err, "instruction 0xd3 is not one the fuel metering pass "
                       "knows (at byte offset 23)");
  /* a SIMD opcode the spec leaves out */
  static const uint8_t hole[] = {HEADER, ONE_FUNC, 10,   7,    1,   5,
                                 0,      0xfd,     0x9a, 0x01, 0x0b};
  ASSERT_EQ(meter_bytes(hole, sizeof hole, err, sizeof err),
            PARIGOT_EUNSUPPORTED);
  ASSERT_CONTAINS(err, "instruction 0xfd 0x9a");
  /* a body that ends inside its block */
  static const uint8_t open[] = {HEADER, ONE_FUNC, 10,   6,    1,
                                 4,      0,        0x02, 0x40, 0x0b};
  ASSERT_EQ(meter_bytes(open, sizeof open, err, sizeof err),
            PARIGOT_EBADMODULE);
  ASSERT_CONTAINS(err, "function body ends inside a block");
  /* the export name the fuel takes */
  static const uint8_t taken[] = {HEADER, ONE_FUNC, 7,   16,  1,   12,  'p',
                                  'a',    'r',      'i', 'g', 'o', 't', '_',
                                  'f',    'u',      'e', 'l', 0,   0};
  ASSERT_EQ(meter_bytes(taken, sizeof taken, err, sizeof err),
            PARIGOT_EUNSUPPORTED);
  ASSERT_CONTAINS(err, "reserves for the fuel counter");
}

/* Every prefix of a real module, and every byte of it replaced by 0xff or
 * 0x80, is metered or refused with a message: never a crash or a read past
 * the input (the input is copied to the heap at its exact length). */
PG_TEST(meter_survives_every_truncation_and_damaged_byte) {
  size_t len;
  uint8_t *orig = read_all(pg_test_guest("meter_mix"), &len);
  char err[300];
  for (size_t n = 0; n < len; n++) {
    uint8_t *b = malloc(n + 1);
    memcpy(b, orig, n);
    err[0] = '\0';
    if (meter_bytes(b, n, err, sizeof err) != 0)
      ASSERT_TRUE(err[0] != '\0');
    free(b);
  }
  static const uint8_t bad[] = {0xff, 0x80, 0x00};
  for (size_t i = 8; i < len; i++)
    for (size_t k = 0; k < sizeof bad; k++) {
      uint8_t *b = malloc(len);
      memcpy(b, orig, len);
      b[i] = bad[k];
      err[0] = '\0';
      if (meter_bytes(b, len, err, sizeof err) != 0)
        ASSERT_TRUE(err[0] != '\0');
      free(b);
    }
  free(orig);
}

/* The engine names the file when the pass refuses it. */
PG_TEST(meter_engine_names_the_file_it_cannot_meter) {
  fixture f;
  setup(&f);
  static const uint8_t gc[] = {HEADER, ONE_FUNC, 10, 5, 1, 3, 0, 0xd3, 0x0b};
  char path[128];
  snprintf(path, sizeof path, "%s/gc.wasm", f.dir);
  write_all(path, gc, sizeof gc);
  pg_module *m = NULL;
  pg_module_options o = {.is_metered = true};
  ASSERT_EQ(pg_module_load_with(f.engine, path, &o, &m), PARIGOT_EUNSUPPORTED);
  ASSERT_CONTAINS(pg_engine_errmsg(f.engine), path);
  ASSERT_CONTAINS(pg_engine_errmsg(f.engine), "cannot meter its fuel");
  teardown(&f);
}
