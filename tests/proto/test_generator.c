/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/proto/test_generator.c: protoc-gen-parigot as a user meets it, run
 * by the real protoc: clear errors for what it cannot generate, the same
 * bytes on every run, and output that compiles without a warning with gcc,
 * clang, clang for wasm32 and g++ (generated headers are usable from C++).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

static void protoc(pg_proc_result *r, const pg_ws *w, const char *opt,
                   const char *files) {
  pg_ws_sh(r, w,
           "mkdir -p out && protoc --plugin=protoc-gen-parigot=%s "
           "--parigot_out=%sout -I. %s",
           PG_PLUGIN, opt, files);
}

PG_TEST(protoc_gen_parigot_refuses_proto2_naming_the_file) {
  pg_ws w;
  pg_ws_init(&w, "gen");
  pg_ws_write(&w, "old.proto",
              "syntax = \"proto2\";\nmessage M { optional int32 a = 1; }\n");
  pg_proc_result r;
  protoc(&r, &w, "", "old.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "old.proto: proto2 syntax is not supported");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(protoc_gen_parigot_refuses_an_unknown_option) {
  pg_ws w;
  pg_ws_init(&w, "gen");
  pg_ws_write(&w, "a.proto", "syntax = \"proto3\";\nmessage M {}\n");
  pg_proc_result r;
  protoc(&r, &w, "lang=cobol:", "a.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "unknown option 'lang=cobol'");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(protoc_gen_parigot_refuses_names_that_collide_in_c) {
  pg_ws w;
  pg_ws_init(&w, "gen");
  pg_ws_write(&w, "clash.proto",
              "syntax = \"proto3\";\npackage p;\n"
              "message A { message B {} }\nmessage A_B {}\n");
  pg_ws_write(&w, "member.proto",
              "syntax = \"proto3\";\npackage q;\n"
              "message M { repeated int32 x = 1; int32 x_count = 2; }\n");
  pg_proc_result r;
  protoc(&r, &w, "", "clash.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "type p.A_B and type p.A.B");
  ASSERT_CONTAINS(r.err, "would both be named p_A_B in C");
  pg_proc_result_free(&r);
  protoc(&r, &w, "", "member.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "message q.M: generated member 'x_count' is used "
                         "twice");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(protoc_gen_parigot_explains_itself_when_not_run_by_protoc) {
  pg_proc_result r;
  char *help[] = {PG_PLUGIN, "--help", NULL};
  pg_proc_run(help, NULL, NULL, &r);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "usage: protoc --plugin=protoc-gen-parigot");
  pg_proc_result_free(&r);
  char *plain[] = {PG_PLUGIN, NULL};
  pg_proc_run(plain, "\xff\xff\xff not a request", NULL, &r);
  ASSERT_EQ(r.status, 1);
  ASSERT_CONTAINS(r.err, "cannot read the CodeGeneratorRequest");
  pg_proc_result_free(&r);
}

PG_TEST(protoc_gen_parigot_output_is_the_same_on_every_run) {
  pg_ws w;
  pg_ws_init(&w, "gen");
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "for i in 1 2; do mkdir -p out$i && protoc "
           "--plugin=protoc-gen-parigot=%s --parigot_out=out$i -I%s "
           "parigot/test/v1/rich.proto parigot/test/common/v1/common.proto "
           "|| exit 1; done && diff -r out1 out2 && diff -r out1 %s",
           PG_PLUGIN, PG_SCHEMA, PG_GENERATED);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(generated_code_compiles_cleanly_with_gcc_clang_wasm32_and_cxx) {
  pg_ws w;
  pg_ws_init(&w, "gen");
  pg_ws_write(&w, "use.cc",
              "#include \"parigot/test/v1/rich.pg.h\"\n"
              "int main() { parigot_test_v1_Rich r;\n"
              "  parigot_test_v1_Rich_init(&r);\n"
              "  return (int)parigot_test_v1_Rich_encoded_size(&r); }\n");
  const char *flags =
      "-Wall -Wextra -Werror -c -I" PG_INCLUDE " -I" PG_GENERATED;
  const char *src = PG_GENERATED "/parigot/test/v1/rich.pg.c";
  pg_proc_result r;
  pg_ws_sh(&r, &w, "gcc -std=c17 -pedantic %s %s -o gcc.o", flags, src);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w, "clang -std=c17 %s %s -o clang.o", flags, src);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w, "clang --target=wasm32-wasi -O2 -std=c17 %s %s -o wasm.o",
           flags, src);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w, "g++ -std=c++17 %s use.cc -o use.o", flags);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}
