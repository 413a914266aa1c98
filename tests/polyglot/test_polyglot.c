/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/polyglot/test_polyglot.c: one program in several languages.
 *
 * - The conformance suite: conform_driver (C) calls conform.v1.Conformance
 *   written in C, Rust and AssemblyScript; in deterministic mode the three
 *   printouts must be byte-identical, and each run passes the driver's own
 *   checks in both modes.
 * - The codec test: random Rich messages (pg-proto-tool gen) go over gRPC,
 *   from Python grpcio, through the codec service of each language (C,
 *   C++, Rust, AssemblyScript) and from each into every other; every
 *   encoder must write the same bytes, and each language's output must
 *   decode, with our C decoder and with protoc --decode, to the input's
 *   value.
 * - A Rust and an AssemblyScript service serving Connect's JSON alone.
 * - The C++ Stemmer against Porter's published stems.
 * - examples/polyglot: C -> Rust -> AssemblyScript -> C++, with `parigot
 *   run` (the same output and log on every deterministic run, and the same
 *   output in parallel mode) and `parigot test`.
 * - The 17 gRPC status codes (tests/grpc_codes.h) in C's guest.h and in
 *   docs/abi.md; test_rust and test_assemblyscript check their SDKs'.
 *
 * Manifests are written per test into a temporary directory and name the
 * guests by absolute path. PARIGOT_TEST_SEED=N replays a codec run.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grpc_codes.h"
#include "parigot/guest.h"
#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

/* Writes @p text, a format, to the workspace's file @p name; the path goes
 * to @p path. */
static void ws_write(const pg_ws *w, const char *name, char *path, size_t cap,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void ws_write(const pg_ws *w, const char *name, char *path, size_t cap,
                     const char *fmt, ...) {
  char text[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  pg_ws_write(w, name, text);
  pg_ws_path(w, name, path, cap);
}

/* Runs a shell command; fails the test with its output unless it exits 0. */
static void sh(pg_proc_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sh(pg_proc_result *r, const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  pg_proc_run(argv, NULL, NULL, r);
  if (r->status != 0)
    PG_FAIL("command failed (status %d): %s\n%s%s", r->status, cmd, r->out,
            r->err);
}

static void parigot(pg_proc_result *r, const char *cmd, bool deterministic,
                    const char *manifest) {
  char *argv[] = {(char *)pg_test_parigot(), (char *)cmd,
                  deterministic ? "--deterministic" : (char *)manifest,
                  deterministic ? (char *)manifest : NULL, NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

/* ---- the conformance suite ---------------------------------------------- */

static void conform_manifest(const pg_ws *w, const char *impl, char *path,
                             size_t cap) {
  char name[64];
  snprintf(name, sizeof name, "%s.toml", impl);
  ws_write(
      w, name, path, cap,
      "[app]\nname = \"conform\"\n\n"
      "[[service]]\nname = \"conformance\"\nwasm = \"%s\"\npublic = true\n\n"
      "[[program]]\nname = \"driver\"\nwasm = \"%s\"\n",
      pg_test_guest(impl), pg_test_guest("conform_driver"));
}

PG_TEST(polyglot_conformance_is_the_same_in_c_rust_and_assemblyscript) {
  pg_ws w;
  pg_ws_init(&w, "polyglot");
  char path[512];
  conform_manifest(&w, "conform_c", path, sizeof path);
  pg_proc_result c;
  parigot(&c, "run", true, path);
  ASSERT_EQ(c.status, 0);
  ASSERT_CONTAINS(c.out, "0 checks failed\n");
  ASSERT_CONTAINS(c.out, "missing method: status 12 app_error 0 "
                         "\"Missing is not implemented\"\n");
  const char *impls[] = {"conform_rust", "conform_as"};
  for (size_t i = 0; i < 2; i++) {
    conform_manifest(&w, impls[i], path, sizeof path);
    for (int deterministic = 1; deterministic >= 0; deterministic--) {
      pg_proc_result r;
      parigot(&r, "run", deterministic, path);
      if (r.status != 0)
        PG_FAIL("%s (%s mode) failed its checks:\n%s%s", impls[i],
                deterministic ? "deterministic" : "parallel", r.out, r.err);
      if (deterministic && strcmp(r.out, c.out) != 0)
        PG_FAIL("%s answers otherwise than C:\n--- C\n%s--- %s\n%s", impls[i],
                c.out, impls[i], r.out);
      pg_proc_result_free(&r);
    }
  }
  pg_proc_result_free(&c);
  pg_ws_cleanup(&w);
}

/* ---- the codec test ----------------------------------------------------- */

#define BATCH "parigot.test.v1.Batch"
#define MESSAGES 200

static unsigned long long test_seed(void) {
  const char *s = getenv("PARIGOT_TEST_SEED");
  unsigned long long seed =
      s ? strtoull(s, NULL, 10) : (unsigned long long)time(NULL);
  printf("seed %llu (PARIGOT_TEST_SEED=%llu replays this run)\n", seed, seed);
  fflush(stdout);
  return seed;
}

static pg_proc *start_unit(const char *path, const char *unit, int *port) {
  char *argv[] = {(char *)pg_test_parigot(),
                  "run",
                  (char *)path,
                  "--unit",
                  (char *)unit,
                  NULL};
  pg_proc *p = pg_proc_start(argv);
  /* A fresh cache compiles the four modules first. */
  const char *log = pg_proc_wait_for(p, " serves on 127.0.0.1:", 240);
  const char *at = strstr(log, " serves on 127.0.0.1:");
  ASSERT_TRUE(at != NULL);
  *port = atoi(at + strlen(" serves on 127.0.0.1:"));
  ASSERT_TRUE(*port > 0);
  return p;
}

PG_TEST(polyglot_codec_values_cross_every_language_pair) {
  pg_ws w;
  pg_ws_init(&w, "polyglot");
  char path[512];
  ws_write(
      &w, "codecs.toml", path, sizeof path,
      "[app]\nname = \"codecs\"\n\n"
      "[[service]]\nname = \"codec_c\"\nwasm = \"%s\"\npublic = true\n\n"
      "[[service]]\nname = \"codec_cpp\"\nwasm = \"%s\"\npublic = true\n\n"
      "[[service]]\nname = \"codec_rust\"\nwasm = \"%s\"\npublic = true\n\n"
      "[[service]]\nname = \"codec_as\"\nwasm = \"%s\"\npublic = true\n\n"
      "[[unit]]\nname = \"codecs\"\nservices = [\"codec_c\", "
      "\"codec_cpp\", \"codec_rust\", \"codec_as\"]\n"
      "listen = \"127.0.0.1:0\"\n",
      pg_test_guest("codec_c"), pg_test_guest("codec_cpp"),
      pg_test_guest("codec_rust"), pg_test_guest("codec_as"));
  pg_proc_result r;
  const char *d = w.dir, *tool = PG_PROTO_TOOL, *schema = PG_RICH_SCHEMA;
  sh(&r,
     "'%s' gen %s %llu %d '%s/in.bin' && '%s' dump %s '%s/in.bin' "
     "'%s/canon.bin' > '%s/in.dump' && cd '%s' && protoc --decode=%s "
     "parigot/test/v1/rich.proto < '%s/canon.bin' > '%s/canon.txt'",
     tool, BATCH, test_seed(), MESSAGES, d, tool, BATCH, d, d, d, schema, BATCH,
     d, d);
  pg_proc_result_free(&r);
  int port;
  pg_proc *unit = start_unit(path, "codecs", &port);
  sh(&r,
     "/usr/bin/python3 '%s/tests/polyglot/codec_chain.py' %d "
     "'%s/in.bin' '%s'",
     getenv("PG_SOURCE"), port, d, d);
  char summary[128];
  snprintf(summary, sizeof summary, "%d messages, 4 languages, 0 mismatches\n",
           MESSAGES);
  ASSERT_STREQ(r.out, summary);
  pg_proc_result_free(&r);
  pg_proc_result u;
  pg_proc_stop(unit, SIGTERM, &u);
  pg_proc_result_free(&u);
  const char *langs[] = {"C", "Cpp", "Rust", "As"};
  for (size_t i = 0; i < 4; i++) {
    const char *l = langs[i];
    /* Our decoder sees the input's value in each output, each output is
     * the canonical encoding, and protoc reads it as it reads that. */
    sh(&r,
       "cd '%s' && '%s' dump %s out-%s.bin > out-%s.dump && "
       "cmp in.dump out-%s.dump && cmp canon.bin out-%s.bin && "
       "cd '%s' && protoc --decode=%s parigot/test/v1/rich.proto "
       "< '%s/out-%s.bin' > '%s/out-%s.txt' && "
       "cmp '%s/canon.txt' '%s/out-%s.txt'",
       d, tool, BATCH, l, l, l, l, schema, BATCH, d, l, d, l, d, d, l);
    pg_proc_result_free(&r);
  }
  pg_ws_cleanup(&w);
}

/* ---- the wire ------------------------------------------------------------ */

/* A unit of a Rust or an AssemblyScript service alone serves Connect's
 * JSON: the guest handed the kernel its descriptors (the `describe`
 * import), as C guests do. */
PG_TEST(polyglot_rust_and_assemblyscript_services_serve_connect_json) {
  const char *impls[] = {"conform_rust", "conform_as"};
  for (size_t i = 0; i < 2; i++) {
    pg_ws w;
    pg_ws_init(&w, "polyglot");
    char path[512];
    ws_write(&w, "json.toml", path, sizeof path,
             "[app]\nname = \"json\"\n\n"
             "[[service]]\nname = \"conformance\"\nwasm = \"%s\"\n"
             "public = true\n\n"
             "[[unit]]\nname = \"u\"\nservices = [\"conformance\"]\n"
             "listen = \"127.0.0.1:0\"\n",
             pg_test_guest(impls[i]));
    int port;
    pg_proc *unit = start_unit(path, "u", &port);
    pg_proc_result r;
    pg_ws_sh(&r, &w,
             "curl -s -X POST -H 'Content-Type: application/json' -d "
             "'{\"text\":\"hi\",\"numbers\":[\"1\",\"-2\"],"
             "\"kind\":\"KIND_NEGATIVE\",\"count\":\"5\"}' "
             "http://127.0.0.1:%d/conform.v1.Conformance/Echo && echo && "
             "curl -s -X POST -H 'Content-Type: application/json' -d "
             "'{\"code\":5,\"message\":\"nope\"}' "
             "http://127.0.0.1:%d/conform.v1.Conformance/Fail",
             port, port);
    ASSERT_STREQ(r.out, "{\"echo\":{\"text\":\"hi\",\"numbers\":[\"1\",\"-2\"],"
                        "\"kind\":\"KIND_NEGATIVE\",\"count\":\"5\"},"
                        "\"caller\":\"127.0.0.1\"}\n"
                        "{\"code\":\"not_found\",\"message\":\"nope\"}");
    pg_proc_result_free(&r);
    pg_proc_result u;
    pg_proc_stop(unit, SIGTERM, &u);
    pg_proc_result_free(&u);
    pg_ws_cleanup(&w);
  }
}

/* ---- C++: the Stemmer --------------------------------------------------- */

PG_TEST(polyglot_cpp_stemmer_stems_as_porter) {
  pg_ws w;
  pg_ws_init(&w, "polyglot");
  char path[512];
  ws_write(&w, "stem.toml", path, sizeof path,
           "[app]\nname = \"stem\"\n\n"
           "[[service]]\nname = \"stemmer\"\nwasm = \"%s/stemmer.wasm\"\n\n"
           "[[program]]\nname = \"stem_test\"\nwasm = \"%s\"\n",
           PG_POLYGLOT_DIR, pg_test_guest("stem_test"));
  pg_proc_result r;
  parigot(&r, "run", true, path);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "44 of 44 stems as Porter's\n");
  ASSERT_CONTAINS(r.out, "ok: a word with a capital is refused (a word is "
                         "lower-case ASCII letters and apostrophes)\n");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* ---- examples/polyglot -------------------------------------------------- */

PG_TEST(polyglot_example_prints_the_same_on_every_run_and_in_both_modes) {
  const char *manifest = PG_POLYGLOT_DIR "/polyglot.toml";
  pg_proc_result a, b, par;
  parigot(&a, "run", true, manifest);
  parigot(&b, "run", true, manifest);
  parigot(&par, "run", false, manifest);
  if (a.status != 0)
    PG_FAIL("parigot run failed:\n%s%s", a.out, a.err);
  /* Each language's part of the summary: Rust's sentences, AS's words
   * and stop words, C++'s stems. */
  ASSERT_CONTAINS(a.out, "5 sentences, 52 words, 25 distinct stems");
  ASSERT_CONTAINS(a.out, "  servic     5\n  call       4\n");
  ASSERT_CONTAINS(a.out, "empty text: refused with SUMMARY_ERROR_EMPTY_TEXT "
                         "(no words in the text)\n");
  ASSERT_STREQ(a.out, b.out);
  ASSERT_STREQ(a.err, b.err);
  ASSERT_EQ(par.status, 0);
  ASSERT_STREQ(par.out, a.out);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  pg_proc_result_free(&par);
}

PG_TEST(polyglot_example_tests_pass_with_parigot_test) {
  pg_proc_result r;
  parigot(&r, "test", false, PG_POLYGLOT_DIR "/polyglot.toml");
  if (r.status != 0)
    PG_FAIL("parigot test failed:\n%s%s", r.out, r.err);
  ASSERT_CONTAINS(r.out, "ok   stems and stop words\n");
  ASSERT_CONTAINS(r.out, "0 of 6 failed\n");
  pg_proc_result_free(&r);
}

/* ---- status codes ------------------------------------------------------- */

/* Each name of gRPC's list is a PARIGOT_CODE_ (it would not compile
 * otherwise) with gRPC's number. */
PG_TEST(polyglot_c_sdk_names_all_17_grpc_codes_with_their_numbers) {
  static const struct {
    const char *name;
    uint32_t want, got;
  } codes[] = {
#define CODE(name, n) {#name, n, PARIGOT_CODE_##name},
      PG_TEST_GRPC_CODES(CODE)
#undef CODE
  };
  ASSERT_EQ(sizeof codes / sizeof codes[0], 17);
  for (size_t i = 0; i < 17; i++) {
    if (codes[i].got != codes[i].want)
      PG_FAIL("PARIGOT_CODE_%s is %u, gRPC says %u", codes[i].name,
              codes[i].got, codes[i].want);
    ASSERT_EQ(codes[i].want, i);
  }
}

/* docs/abi.md's table of status codes has a row "| N | `NAME` |" for each
 * of the 17, and the guest.h names it says every SDK uses. */
PG_TEST(polyglot_abi_doc_lists_all_17_grpc_codes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/docs/abi.md", getenv("PG_SOURCE"));
  FILE *f = fopen(path, "r");
  ASSERT_TRUE(f != NULL);
  static char doc[1 << 17];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  fclose(f);
  doc[n] = '\0';
  ASSERT_CONTAINS(doc, "\n## Status codes\n");
#define ROW(name, n) "| " #n " | `" #name "` |",
  static const char *const rows[] = {PG_TEST_GRPC_CODES(ROW)};
#undef ROW
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    if (strstr(doc, rows[i]) == NULL)
      PG_FAIL("docs/abi.md lacks the row %s", rows[i]);
}
