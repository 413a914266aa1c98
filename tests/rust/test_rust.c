/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/rust/test_rust.c: Rust guests as a user meets them: the generator's
 * Rust output (the same bytes every run, compiled warning-free), Rust and C
 * services and programs calling each other through `parigot run` and
 * `parigot test` (greetings, the services' own errors by enum value,
 * UNIMPLEMENTED, deadlines, a dying service), and the generated Rust codec
 * run in wasm: its own checks, and random messages re-encoded to the C
 * codec's bytes. Manifests are written by each test into a fresh directory,
 * naming the guests by absolute path.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grpc_codes.h"
#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

/* Writes app.toml: one service and one program (with an env entry, or
 * NULL), each a path to its wasm. */
static void write_app(const pg_ws *w, const char *service, const char *program,
                      const char *env, bool test) {
  char text[4096];
  snprintf(text, sizeof text,
           "[app]\nname = \"rustapp\"\ndeadline = \"2s\"\n\n"
           "[[service]]\nname = \"svc\"\nwasm = \"%s\"\n\n"
           "[[program]]\nname = \"client\"\nwasm = \"%s\"\n%s%s%s%s",
           service, program, env ? "env = { " : "", env ? env : "",
           env ? " }\n" : "", test ? "test = true\n" : "");
  pg_ws_write(w, "app.toml", text);
}

/* `parigot run` of app.toml, in parallel or deterministic mode. */
static void run_app(pg_proc_result *r, const pg_ws *w, bool deterministic) {
  char path[256];
  snprintf(path, sizeof path, "%s/app.toml", w->dir);
  char *argv[] = {(char *)pg_test_parigot(), "run",
                  deterministic ? "--deterministic" : path,
                  deterministic ? path : NULL, NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

/* The app of @p service and @p program gives @p out and @p status in both
 * modes. */
static void expect_app(const char *service, const char *program,
                       const char *env, const char *out, int status) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  write_app(&w, service, program, env, false);
  for (int det = 0; det < 2; det++) {
    pg_proc_result r;
    run_app(&r, &w, det);
    if (strcmp(r.out, out) != 0 || r.status != status)
      fprintf(stderr, "log:\n%s\n", r.err);
    ASSERT_STREQ(r.out, out);
    ASSERT_EQ(r.status, status);
    pg_proc_result_free(&r);
  }
  pg_ws_cleanup(&w);
}

#define RUST(name) PG_RUST_DIR "/" name ".wasm"
#define HELLOWORLD(name) PG_HELLOWORLD_DIR "/" name ".wasm"

/* ---- the generator ------------------------------------------------------ */

static const char *const protos =
    "-I" PG_SOURCE_DIR "/tests/proto/schema "
    "-I" PG_SOURCE_DIR "/tests/polyglot/proto "
    "-I" PG_SOURCE_DIR "/examples/helloworld/proto "
    "parigot/test/v1/rich.proto parigot/test/common/v1/common.proto "
    "codec/v1/codec.proto conform/v1/conform.proto "
    "greeting/v1/greeting.proto";

static void generate(pg_proc_result *r, const pg_ws *w, const char *dir) {
  pg_ws_sh(r, w,
           "mkdir -p %s && protoc --plugin=protoc-gen-parigot=%s "
           "--parigot_out=lang=rust:%s %s",
           dir, PG_PLUGIN, dir, protos);
}

PG_TEST(rust_generator_output_is_deterministic_and_compiles_warning_free) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  pg_proc_result r;
  generate(&r, &w, "a");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  generate(&r, &w, "b");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w, "diff -r a b");
  ASSERT_STREQ(r.out, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  /* Every package under one module, as pg_rust_guest() writes it. */
  pg_ws_write(&w, "lib.rs",
              "pub mod pb {\n"
              "pub mod codec { pub mod v1 {\n"
              "  include!(\"a/codec/v1/codec.pg.rs\"); } }\n"
              "pub mod conform { pub mod v1 {\n"
              "  include!(\"a/conform/v1/conform.pg.rs\"); } }\n"
              "pub mod greeting { pub mod v1 {\n"
              "  include!(\"a/greeting/v1/greeting.pg.rs\"); } }\n"
              "pub mod parigot { pub mod test {\n"
              "  pub mod common { pub mod v1 {\n"
              "    include!(\"a/parigot/test/common/v1/common.pg.rs\"); } }\n"
              "  pub mod v1 {\n"
              "    include!(\"a/parigot/test/v1/rich.pg.rs\"); } } }\n"
              "}\n");
  pg_ws_sh(&r, &w,
           "%s %s --crate-type rlib --crate-name gen --extern parigot=%s "
           "-o libgen.rlib lib.rs",
           PG_RUSTC, PG_RUST_FLAGS, PG_RUST_SDK_RLIB);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(rust_generator_refuses_names_that_collide_in_rust) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  pg_ws_write(&w, "a.proto",
              "syntax = \"proto3\";\npackage p;\n"
              "message my_msg {}\nmessage MyMsg {}\n");
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "mkdir -p out && protoc --plugin=protoc-gen-parigot=%s "
           "--parigot_out=lang=rust:out -I. a.proto",
           PG_PLUGIN);
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "a.proto: p.");
  ASSERT_CONTAINS(r.err, "Rust name 'MyMsg' is used twice");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(rust_generator_names_keyword_fields_as_raw_identifiers) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  pg_ws_write(&w, "k.proto",
              "syntax = \"proto3\";\npackage k.v1;\n"
              "message M { int32 type = 1; string self = 2; "
              "M match = 3; }\n");
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "mkdir -p out && protoc --plugin=protoc-gen-parigot=%s "
           "--parigot_out=lang=rust:out -I. k.proto && "
           "echo 'pub mod k { pub mod v1 { include!(\"out/k.pg.rs\"); } }' "
           "> lib.rs && %s %s --crate-type rlib --crate-name k "
           "--extern parigot=%s -o libk.rlib lib.rs && "
           "grep -c 'pub r#type: i32\\|pub self_: \\|pub r#match: "
           "::std::option::Option<::std::boxed::Box<M>>' out/k.pg.rs",
           PG_PLUGIN, PG_RUSTC, PG_RUST_FLAGS, PG_RUST_SDK_RLIB);
  ASSERT_STREQ(r.out, "3\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* ---- Rust and C calling each other ------------------------------------- */

PG_TEST(rust_greeting_answers_the_c_hello_program_bonjour) {
  expect_app(RUST("rs_greeting"), HELLOWORLD("hello"), NULL, "Bonjour, world\n",
             0);
}

PG_TEST(rust_greeting_passes_the_c_hello_test_app_error_included) {
  /* hello_test also asks for tongue 42 and wants UNKNOWN with
   * GREETING_ERROR_UNKNOWN_TONGUE, from the Rust service. */
  pg_ws w;
  pg_ws_init(&w, "rust");
  write_app(&w, RUST("rs_greeting"), HELLOWORLD("hello_test"), NULL, true);
  char path[256];
  snprintf(path, sizeof path, "%s/app.toml", w.dir);
  char *argv[] = {(char *)pg_test_parigot(), "test", path, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_CONTAINS(r.out, "PASS client");
  ASSERT_CONTAINS(r.err, "svc call=4: no greeting in tongue 42");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(rust_hello_calls_the_c_greeting_service) {
  expect_app(HELLOWORLD("greeting"), RUST("rs_hello"), NULL, "Bonjour, world\n",
             0);
  expect_app(HELLOWORLD("greeting"), RUST("rs_hello"), "TONGUE = \"3\"",
             "Guten Tag, world\n", 0);
}

/* A Rust reactor reads its manifest's args with std::env::args() and its
 * env with std::env::var(). */
PG_TEST(rust_program_reads_its_args_and_env_with_std_env) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  pg_ws_write(&w, "app.toml",
              "[app]\nname = \"args\"\n\n"
              "[[service]]\nname = \"svc\"\nwasm = \"" HELLOWORLD(
                  "greeting") "\"\n\n[[program]]\nname = \"client\"\nwasm = "
                              "\"" RUST("rs_hello") "\"\nargs = [\"-v\", \"two "
                                                    "words\"]\n"
                                                    "env = { TONGUE = \"1\" "
                                                    "}\n");
  pg_proc_result r;
  run_app(&r, &w, true);
  ASSERT_STREQ(r.out, "args: client|-v|two words\nHello, world\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(rust_hello_gets_the_c_services_app_error_by_enum_value) {
  expect_app(HELLOWORLD("greeting"), RUST("rs_hello"), "TONGUE = \"42\"",
             "failed: code 2 app_error 8 (GREETING_ERROR_UNKNOWN_TONGUE): "
             "unknown tongue\n",
             1);
}

PG_TEST(rust_hello_calls_the_rust_greeting_service) {
  expect_app(RUST("rs_greeting"), RUST("rs_hello"), "TONGUE = \"1\"",
             "Hello, world\n", 0);
}

PG_TEST(rust_service_answers_unimplemented_for_a_method_it_left_out) {
  expect_app(PG_GUESTS_DIR "/conform_rust.wasm", RUST("conform_client"),
             "SCENARIO = \"unimplemented\"",
             "Missing: code 12 app_error 0: Missing is not implemented\n", 0);
}

PG_TEST(rust_service_fails_with_the_code_and_app_error_asked) {
  expect_app(PG_GUESTS_DIR "/conform_rust.wasm", RUST("conform_client"),
             "SCENARIO = \"fail\"", "Fail: code 2 app_error 7: asked to fail\n",
             0);
}

PG_TEST(rust_service_sees_its_deadline_and_a_held_call_expires) {
  expect_app(PG_GUESTS_DIR "/conform_rust.wasm", RUST("conform_client"),
             "SCENARIO = \"deadline\"",
             "Deadline: time left in (0, 2000] ms\n"
             "Hold: code 4 app_error 0: deadline exceeded\n",
             0);
}

PG_TEST(rust_service_echoes_awkward_values_unchanged_with_the_caller) {
  expect_app(PG_GUESTS_DIR "/conform_rust.wasm", RUST("conform_client"),
             "SCENARIO = \"echo\"", "Echo: same bytes, caller client\n", 0);
}

PG_TEST(rust_service_dying_fails_its_c_caller_and_sends_died) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  write_app(&w, RUST("rs_dier"), RUST("conform_client"), "SCENARIO = \"died\"",
            false);
  for (int det = 0; det < 2; det++) {
    pg_proc_result r;
    run_app(&r, &w, det);
    ASSERT_CONTAINS(r.out, "Nothing: code 14 app_error 0: ");
    ASSERT_CONTAINS(r.out, "died: conform.v1.Conformance: ");
    ASSERT_CONTAINS(r.err, "svc");
    /* The program succeeded; a service died: status 3. */
    ASSERT_EQ(r.status, 3);
    pg_proc_result_free(&r);
  }
  pg_ws_cleanup(&w);
}

/* A Rust service prints with println! and print! and never flushes; each
 * byte reaches parigot's stdout (a pipe): the tail a handler printed
 * without a newline as the handler's event ends, what the STOP handler
 * printed as it stops. In deterministic mode the order is fixed; in
 * parallel mode the C program may print before the service's tail. */
PG_TEST(rust_service_stdout_without_a_newline_reaches_the_pipe) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  write_app(&w, RUST("rs_printer"), HELLOWORLD("hello"), NULL, false);
  pg_proc_result r;
  run_app(&r, &w, true);
  ASSERT_STREQ(r.out, "svc: greeting in tongue 2\nsvc: tail Bonjour, world\n"
                      "svc: bye");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  run_app(&r, &w, false);
  ASSERT_CONTAINS(r.out, "svc: greeting in tongue 2\n");
  ASSERT_CONTAINS(r.out, "svc: tail ");
  ASSERT_CONTAINS(r.out, "Bonjour, world\n");
  ASSERT_EQ(strlen(r.out), strlen("svc: greeting in tongue 2\nsvc: tail "
                                  "Bonjour, world\nsvc: bye"));
  ASSERT_TRUE(strcmp(r.out + strlen(r.out) - 8, "svc: bye") == 0);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* ---- status codes ------------------------------------------------------- */

/* A Rust program prints parigot::code::NAME for each of gRPC's 17 codes
 * (tests/grpc_codes.h); it compiles only if each name exists, and must
 * print gRPC's numbers. */
PG_TEST(rust_sdk_names_all_17_grpc_codes_with_their_numbers) {
  pg_ws w;
  pg_ws_init(&w, "rust");
#define CODE(name, n)                                                          \
  "  println!(\"" #name " {}\", parigot::code::" #name ");\n"
  pg_ws_write(&w, "codes.rs", "fn main() {\n" PG_TEST_GRPC_CODES(CODE) "}\n");
#undef CODE
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "%s %s --crate-type bin --extern parigot=%s -o codes.wasm "
           "codes.rs && %s exec codes.wasm",
           PG_RUSTC, PG_RUST_FLAGS, PG_RUST_SDK_RLIB, pg_test_parigot());
  ASSERT_STREQ(r.err, "");
  ASSERT_STREQ(r.out, PG_TEST_GRPC_CODES_TEXT);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* ---- the codec ---------------------------------------------------------- */

PG_TEST(rust_codec_checks_pass_in_wasm) {
  char *argv[] = {(char *)pg_test_parigot(), "exec", RUST("rs_pbtool"), "check",
                  NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.out, "0 failed\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(rust_codec_reencodes_random_messages_to_the_c_codecs_bytes) {
  pg_ws w;
  pg_ws_init(&w, "rust");
  const char *seed_env = getenv("PARIGOT_TEST_SEED");
  unsigned long long seed =
      seed_env ? strtoull(seed_env, NULL, 10) : (unsigned long long)getpid();
  fprintf(stderr, "seed %llu (PARIGOT_TEST_SEED replays it)\n", seed);
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "'%s' gen parigot.test.v1.Batch %llu 300 in.bin && "
           "'%s' dump parigot.test.v1.Batch in.bin c.bin > /dev/null && "
           "'%s' exec --max-memory 1G '%s' reencode < in.bin > rust.bin && "
           "cmp c.bin rust.bin && "
           "'%s' exec --max-memory 1G '%s' reencode < rust.bin > again.bin && "
           "cmp c.bin again.bin",
           PG_PROTO_TOOL, seed, PG_PROTO_TOOL, pg_test_parigot(),
           RUST("rs_pbtool"), pg_test_parigot(), RUST("rs_pbtool"));
  if (r.status != 0)
    fprintf(stderr, "%s%s", r.out, r.err);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}
