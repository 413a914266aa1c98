/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/engine/test_compile.c: the patches compile.c makes to wasm2c's
 * output, on what the wasm2c on PATH really writes for test guests: each
 * applies (the fuel counter's in a metered module too), and one whose text
 * wasm2c no longer writes stops the build with an error naming the patch
 * and the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "meter.h"
#include "parigot/error.h"
#include "test.h"
#include "test_proc.h"

/* What wasm2c writes for the module @p wasm, as a string the caller frees;
 * @p file gets the path of that C file. */
static char *wasm2c_output_of(const char *wasm, char *file, size_t cap) {
  pg_toolchain tc;
  char err[512], dir[64] = "/tmp/pg-compile-test-XXXXXX";
  ASSERT_EQ(pg_toolchain_find(&tc, err, sizeof err), 0);
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  snprintf(file, cap, "%s/m.c", dir);
  char *argv[] = {tc.wasm2c, "-n", "guest", (char *)wasm, "-o", file, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  FILE *f = fopen(file, "rb");
  ASSERT_TRUE(f != NULL);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  ASSERT_TRUE(n > 0 && n < sizeof buf - 1);
  fclose(f);
  buf[n] = '\0';
  char h[4200];
  snprintf(h, sizeof h, "%s/m.h", dir);
  unlink(file);
  unlink(h);
  rmdir(dir);
  return strdup(buf);
}

static char *wasm2c_output(const char *guest, char *file, size_t cap) {
  return wasm2c_output_of(pg_test_guest(guest), file, cap);
}

/* wasm2c's output for meter_count.wasm metered (meter.h). */
static char *metered_output(char *file, size_t cap) {
  FILE *f = fopen(pg_test_guest("meter_count"), "rb");
  ASSERT_TRUE(f != NULL);
  static uint8_t in[1 << 16];
  size_t len = fread(in, 1, sizeof in, f), mlen;
  fclose(f);
  uint8_t *m;
  char err[300], path[] = "/tmp/pg-compile-metered-XXXXXX";
  ASSERT_EQ(
      pg_meter_module(in, len, pg_mem_default(), &m, &mlen, err, sizeof err),
      0);
  int fd = mkstemp(path);
  ASSERT_TRUE(fd >= 0 && write(fd, m, mlen) == (ssize_t)mlen);
  close(fd);
  pg_mem_free(pg_mem_default(), m);
  char *text = wasm2c_output_of(path, file, cap);
  unlink(path);
  return text;
}

/* @p text with every @p from replaced by @p to; the caller frees it. */
static int count(const char *text, const char *what) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
    n++;
  return n;
}

static char *mutate(const char *text, const char *from, const char *to) {
  size_t nfrom = strlen(from), nto = strlen(to);
  int hits = count(text, from);
  ASSERT_TRUE(hits > 0); /* the mutation must remove something */
  char *out = malloc(strlen(text) + (size_t)hits * nto + 1), *o = out;
  ASSERT_TRUE(out != NULL);
  for (const char *p = text, *hit;; p = hit + nfrom) {
    hit = strstr(p, from);
    size_t len = hit ? (size_t)(hit - p) : strlen(p);
    memcpy(o, p, len);
    o += len;
    if (hit == NULL)
      break;
    memcpy(o, to, nto);
    o += nto;
  }
  *o = '\0';
  return out;
}

PG_TEST(compile_patches_apply_to_wasm2c_output) {
  char file[4200], err[512];
  char *text = wasm2c_output("grow", file, sizeof file), *out = NULL;
  ASSERT_EQ(
      pg_compile_patch_text(text, "grow.wasm", file, &out, err, sizeof err), 0);
  ASSERT_EQ(count(out, "wasm_asm(\"\" ::\"r\"(result));"), 0);
  ASSERT_TRUE(count(out, "PG_FORCE_READ(result);") > 0);
  ASSERT_EQ(count(out, "pg_elem_instance(module_instance, "
                       "src_expr->module_offset)"),
            1);
  ASSERT_EQ(count(out, "PG_IMPORT_BIT + offsetof"), 0); /* none in grow */
  free(out);
  free(text);
}

PG_TEST(compile_patches_mark_imported_functions_in_tables) {
  char file[4200], err[512];
  char *text = wasm2c_output("import_in_table", file, sizeof file);
  char *out = NULL;
  ASSERT_EQ(pg_compile_patch_text(text, "import_in_table.wasm", file, &out, err,
                                  sizeof err),
            0);
  ASSERT_TRUE(count(out, "PG_IMPORT_BIT + offsetof(Z_guest_instance_t, Z_") >
              0);
  free(out);
  free(text);
}

/* A wasm2c that spells a patched construct differently: the build fails,
 * naming the module, the patch and the file, and returns nothing. */
static void expect_stale_patch(const char *from, const char *to,
                               const char *patch) {
  char file[4200], err[512];
  char *text = wasm2c_output("grow", file, sizeof file);
  char *changed = mutate(text, from, to), *out = NULL;
  ASSERT_EQ(
      pg_compile_patch_text(changed, "grow.wasm", file, &out, err, sizeof err),
      PARIGOT_ECOMPILE);
  ASSERT_TRUE(out == NULL);
  ASSERT_CONTAINS(err, "grow.wasm: wasm2c's output has changed");
  ASSERT_CONTAINS(err, patch);
  ASSERT_CONTAINS(err, file);
  free(changed);
  free(text);
}

PG_TEST(compile_fails_when_the_load_barrier_patch_matches_nothing) {
  expect_stale_patch("wasm_asm(\"\" ::\"r\"(result));",
                     "wasm_asm(\"\" : : \"r\"(result));",
                     "patch \"load barrier\" matches nothing in");
}

PG_TEST(compile_fails_when_the_table_init_patch_matches_nothing) {
  expect_stale_patch("(char*)module_instance + src_expr->module_offset",
                     "(char *)module_instance + src_expr->module_offset",
                     "patch \"table init instance\" matches nothing in");
}

/* A metered module's reads of its fuel counter go through pg_fuel_read,
 * which the C optimizer cannot see through. */
PG_TEST(compile_patches_hide_the_fuel_counter_of_a_metered_module) {
  char file[4200], err[512];
  char *text = metered_output(file, sizeof file), *out = NULL;
  ASSERT_EQ(pg_compile_patch_text(text, "m.wasm", file, &out, err, sizeof err),
            0);
  ASSERT_TRUE(count(out, "= pg_fuel_read(&instance->w2c_parigot_fuel);") > 0);
  ASSERT_EQ(count(out, "= instance->w2c_parigot_fuel;"), 0);
  free(out);
  free(text);
}

/* A metered module whose reads of the counter wasm2c spells otherwise is
 * refused, naming the patch. */
PG_TEST(compile_fails_when_the_fuel_read_patch_matches_nothing) {
  char file[4200], err[512];
  char *text = metered_output(file, sizeof file), *out = NULL;
  char *changed = mutate(text, "= instance->w2c_parigot_fuel;",
                         "= (instance->w2c_parigot_fuel);");
  ASSERT_EQ(
      pg_compile_patch_text(changed, "m.wasm", file, &out, err, sizeof err),
      PARIGOT_ECOMPILE);
  ASSERT_TRUE(out == NULL);
  ASSERT_CONTAINS(err, "patch \"fuel counter read\" matches nothing in");
  free(changed);
  free(text);
}
