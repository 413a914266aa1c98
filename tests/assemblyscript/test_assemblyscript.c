/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/assemblyscript/test_assemblyscript.c: AssemblyScript guests as a
 * user meets them. protoc-gen-parigot's AS output (the same bytes on every
 * run, compiling without a warning, clashes refused by name); AS services
 * called by C programs and the reverse, through `parigot run` in both
 * modes: answers, the services' own errors with their enum values,
 * deadlines, unimplemented methods, the SDK's own answers (C's texts), a
 * dying and a restarted service, calls answered later, the stop hook,
 * arguments and environment, memory over 100000 calls; and the AS codec
 * run inside a wasm guest, its bytes checked against the C codec's. Each
 * test writes its manifest into a fresh directory, naming guests by
 * absolute path.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grpc_codes.h"
#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

/* ---- apps --------------------------------------------------------------- */

static const char *as_guest(const char *name) {
  static char path[4][512];
  static int next;
  char *p = path[next++ % 4];
  snprintf(p, sizeof path[0], "%s/%s.wasm", PG_AS_DIR, name);
  return p;
}

static const char *hello_guest(const char *name) {
  static char path[2][512];
  static int next;
  char *p = path[next++ % 2];
  snprintf(p, sizeof path[0], "%s/%s.wasm", PG_HELLOWORLD_DIR, name);
  return p;
}

/* Writes app.toml: service @p service (from @p service_wasm) and program
 * @p program (from @p program_wasm) with argument @p arg (or none). */
static void write_app(const pg_ws *w, const char *service,
                      const char *service_wasm, const char *program,
                      const char *program_wasm, const char *arg) {
  char text[4096];
  snprintf(text, sizeof text,
           "[app]\nname = \"astest\"\ndeadline = \"2s\"\n\n"
           "[[service]]\nname = \"%s\"\nwasm = \"%s\"\n\n"
           "[[program]]\nname = \"%s\"\nwasm = \"%s\"\n%s%s%s",
           service, service_wasm, program, program_wasm,
           arg ? "args = [\"" : "", arg ? arg : "", arg ? "\"]\n" : "");
  pg_ws_write(w, "app.toml", text);
}

/* `parigot run` of the workspace's app.toml, in deterministic mode or
 * not. */
static void run(pg_proc_result *r, const pg_ws *w, bool deterministic) {
  char path[256];
  snprintf(path, sizeof path, "%s/app.toml", w->dir);
  char *argv[] = {(char *)pg_test_parigot(), "run", path, NULL, NULL};
  if (deterministic) {
    argv[2] = "--deterministic";
    argv[3] = path;
  }
  pg_proc_run(argv, NULL, NULL, r);
}

/* Runs the app in both modes: each must print @p out exactly, exit with
 * @p status and log @p line (NULL: anything). */
static void expect_both(const pg_ws *w, const char *out, int status,
                        const char *line) {
  for (int det = 0; det < 2; det++) {
    pg_proc_result r;
    run(&r, w, det);
    ASSERT_STREQ(r.out, out);
    if (line != NULL)
      ASSERT_CONTAINS(r.err, line);
    ASSERT_EQ(r.status, status);
    pg_proc_result_free(&r);
  }
}

/* ---- the generator ------------------------------------------------------ */

static void protoc_as(pg_proc_result *r, const pg_ws *w, const char *out,
                      const char *include, const char *files) {
  pg_ws_sh(r, w,
           "mkdir -p %s && protoc --plugin=protoc-gen-parigot=%s "
           "--parigot_out=lang=assemblyscript:%s -I%s %s",
           out, PG_PLUGIN, out, include, files);
}

PG_TEST(as_generator_output_is_the_same_on_every_run) {
  pg_ws w;
  pg_ws_init(&w, "as");
  pg_proc_result r;
  const char *files =
      "parigot/test/v1/rich.proto parigot/test/common/v1/common.proto";
  for (int i = 0; i < 2; i++) {
    protoc_as(&r, &w, i ? "out2" : "out1", PG_SCHEMA, files);
    ASSERT_EQ(r.status, 0);
    pg_proc_result_free(&r);
  }
  pg_ws_sh(&r, &w, "diff -r out1 out2 && diff -r out1 %s", PG_RICH_AS_DIR);
  ASSERT_STREQ(r.out, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* asc compiles only what is used: the entry uses every message, enum and
 * service of the rich schema and greeting.proto. */
static const char entry[] =
    "import { Call, Status, guest } from \"parigot\";\n"
    "import * as c from \"parigot/test/common/v1/common.pg\";\n"
    "import * as r from \"parigot/test/v1/rich.pg\";\n"
    "import * as g from \"greeting/v1/greeting.pg\";\n"
    "export * from \"parigot/exports\";\n"
    "class Svc extends r.RichServiceServer {\n"
    "  echo(call: Call<r.Rich>, req: r.Rich): void { call.respond(req); }\n"
    "}\n"
    "class Greeter extends g.GreetingServer {}\n"
    "guest((): void => {\n"
    "  r.RichService.serve(new Svc());\n"
    "  g.Greeting.serve(new Greeter());\n"
    "}, (): void => {\n"
    "  const all = [new r.Scalars().encode(), new r.Optionals().encode(),\n"
    "    new r.Repeateds().encode(), new r.Maps().encode(),\n"
    "    new r.Rich().encode(), new r.Rich_Inner().encode(),\n"
    "    new r.Rich_Inner_Leaf().encode(), new r.Rich_Empty().encode(),\n"
    "    new r.Batch().encode(), new c.Point().encode()];\n"
    "  for (let i = 0; i < all.length; i++) {\n"
    "    r.Scalars.decode(all[i]); r.Optionals.decode(all[i]);\n"
    "    r.Repeateds.decode(all[i]); r.Maps.decode(all[i]);\n"
    "    r.Rich.decode(all[i]); r.Rich_Inner.decode(all[i]);\n"
    "    r.Rich_Inner_Leaf.decode(all[i]); r.Batch.decode(all[i]);\n"
    "    c.Point.decode(all[i]);\n"
    "  }\n"
    "  const x: i32 = r.Color.COLOR_NEGATIVE + c.Status.STATUS_OK +\n"
    "    r.Rich_ChoiceCase.CHOICE_EMPTY + r.Rich_SecondCase.SECOND_BOOL +\n"
    "    g.Tongue.TONGUE_GERMAN + g.GreetingError.GREETING_ERROR_NONE;\n"
    "  r.RichService.count(new r.Batch(), x,\n"
    "    (p: c.Point, x: i32): void => {}, (s: Status, x: i32): void => {});\n"
    "  g.Greeting.fetchGreeting(new g.FetchGreetingRequest(), 0,\n"
    "    (resp: g.FetchGreetingResponse, x: i32): void => {},\n"
    "    (s: Status, x: i32): void => {});\n"
    "});\n";

PG_TEST(as_generated_code_compiles_without_a_warning) {
  pg_ws w;
  pg_ws_init(&w, "as");
  pg_proc_result r;
  protoc_as(&r, &w, "out", PG_SCHEMA,
            "parigot/test/v1/rich.proto parigot/test/common/v1/common.proto");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  protoc_as(&r, &w, "out", PG_GREETING_PROTO, "greeting/v1/greeting.proto");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_write(&w, "entry.ts", entry);
  pg_ws_sh(&r, &w,
           "%s entry.ts --path %s --path out -O3 --noColors "
           "--runtime minimal "
           "--exportStart _initialize "
           "--use abort=~lib/parigot/guest/abortHandler "
           "--use __alloc=~lib/parigot/alloc/cachedAlloc "
           "--use __free=~lib/parigot/alloc/cachedFree -o entry.wasm",
           PG_ASC, PG_SDK_AS_DIR);
  ASSERT_STREQ(r.err, "");
  ASSERT_STREQ(r.out, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  /* And the kernel takes it: it loads, declares and starts. */
  char app[1024];
  snprintf(app, sizeof app,
           "[app]\nname = \"compiled\"\n\n[[service]]\nname = \"both\"\n"
           "wasm = \"%s/entry.wasm\"\n\n[[program]]\nname = \"hello\"\n"
           "wasm = \"%s\"\n",
           w.dir, hello_guest("hello"));
  pg_ws_write(&w, "app.toml", app);
  run(&r, &w, true);
  ASSERT_STREQ(r.out, "");
  ASSERT_CONTAINS(r.err, "FetchGreeting failed: code 12: FetchGreeting is "
                         "not implemented");
  ASSERT_EQ(r.status, 1);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(as_generator_refuses_names_that_clash_naming_both) {
  pg_ws w;
  pg_ws_init(&w, "as");
  pg_ws_write(&w, "clash.proto",
              "syntax = \"proto3\";\npackage p;\nmessage Empty {}\n"
              "message ShopServer {}\n"
              "service Shop { rpc Buy(Empty) returns (Empty); }\n");
  pg_proc_result r;
  protoc_as(&r, &w, "out", ".", "clash.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "clash.proto: Shop: generated AssemblyScript name "
                         "'ShopServer' is used twice");
  pg_proc_result_free(&r);
  pg_ws_write(&w, "member.proto",
              "syntax = \"proto3\";\npackage p;\n"
              "message M { optional int32 x = 1; int32 has_x = 2; }\n");
  protoc_as(&r, &w, "out", ".", "member.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "member.proto: message p.M: generated "
                         "AssemblyScript name 'hasX' is used twice");
  pg_proc_result_free(&r);
  pg_ws_write(&w, "global.proto",
              "syntax = \"proto3\";\npackage p;\nmessage Map {}\n");
  protoc_as(&r, &w, "out", ".", "global.proto");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.err, "global.proto: type p.Map would hide "
                         "AssemblyScript's Map");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* ---- calls across languages --------------------------------------------- */

PG_TEST(as_greeting_service_answers_the_c_hello_program) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "greeting", as_guest("as_greeting"), "hello",
            hello_guest("hello"), NULL);
  expect_both(&w, "Bonjour, world\n", 0, "greeting: ready");
  pg_ws_cleanup(&w);
}

PG_TEST(as_program_calls_the_c_greeting_service) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "greeting", hello_guest("greeting"), "as_caller",
            as_guest("as_caller"), "hello");
  expect_both(&w, "Bonjour, world\n", 0, "as_caller: exited with status 0");
  pg_ws_cleanup(&w);
}

PG_TEST(as_program_gets_the_c_services_app_error_with_its_enum_value) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "greeting", hello_guest("greeting"), "as_caller",
            as_guest("as_caller"), "unknown");
  /* 8 is greeting.v1.GREETING_ERROR_UNKNOWN_TONGUE. */
  expect_both(&w, "greet: code=2 app_error=8 message=unknown tongue\n", 1,
              "no greeting in tongue 99");
  pg_ws_cleanup(&w);
}

PG_TEST(c_program_gets_the_as_services_app_error_with_its_enum_value) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_caller", as_guest("c_caller"),
            "refuse");
  /* 5 is astest.v1.PROBE_ERROR_REFUSED. */
  expect_both(&w, "refuse: code=2 app_error=5 message=refused\n", 0, NULL);
  pg_ws_cleanup(&w);
}

PG_TEST(as_call_past_its_deadline_fails_and_time_left_reaches_the_service) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "as_caller",
            as_guest("as_caller"), "deadline");
  for (int det = 0; det < 2; det++) {
    pg_proc_result r;
    run(&r, &w, det);
    /* 50 ms for Later, which is never answered: DEADLINE_EXCEEDED; then
     * TimeLeft with 2 s, of which the service sees almost all. */
    unsigned ms = 0;
    const char *t = strstr(r.out, "time_left_ms=");
    ASSERT_TRUE(strncmp(r.out, "later: code=4\n", 14) == 0);
    ASSERT_TRUE(t != NULL && sscanf(t, "time_left_ms=%u", &ms) == 1);
    ASSERT_TRUE(ms >= 1000 && ms < 2000);
    ASSERT_EQ(r.status, 0);
    pg_proc_result_free(&r);
  }
  pg_ws_cleanup(&w);
}

PG_TEST(as_method_left_unimplemented_answers_unimplemented) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_caller", as_guest("c_caller"),
            "missing");
  /* The C SDK's code and text for a handler that is not there. */
  expect_both(&w,
              "missing: code=12 app_error=0 message=Missing is not "
              "implemented\n",
              0, NULL);
  pg_ws_cleanup(&w);
}

PG_TEST(as_sdk_answers_what_it_cannot_dispatch_with_the_c_sdks_texts) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_skew", as_guest("c_skew"),
            NULL);
  /* A method the probe lacks, then a string that is not UTF-8. */
  expect_both(&w,
              "extra: code=12 app_error=0 message=no such method\n"
              "echo: code=3 app_error=0 message=cannot decode the request\n",
              0, NULL);
  pg_ws_cleanup(&w);
}

PG_TEST(as_service_that_traps_sends_died_to_a_c_caller) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_caller", as_guest("c_caller"),
            "died");
  expect_both(&w,
              "died: astest.v1.Probe: unreachable executed\n"
              "crash: code=14 app_error=0 message=the service died\n",
              3, "summary: probe died (unreachable executed)");
  pg_ws_cleanup(&w);
}

PG_TEST(as_program_hears_that_a_service_it_requires_died) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "as_caller",
            as_guest("as_caller"), "died");
  expect_both(&w,
              "died: astest.v1.Probe: unreachable executed\n"
              "crash: code=14 app_error=0 message=the service died\n",
              3, "as_caller: exited with status 0");
  pg_ws_cleanup(&w);
}

PG_TEST(as_service_restarts_and_an_as_program_hears_it_is_back) {
  pg_ws w;
  pg_ws_init(&w, "as");
  char app[2048];
  snprintf(app, sizeof app,
           "[app]\nname = \"restart\"\n\n[[service]]\nname = \"probe\"\n"
           "wasm = \"%s\"\nrestart = \"on-failure\"\n"
           "restart_backoff = \"10ms\"\n\n[[program]]\n"
           "name = \"as_caller\"\nwasm = \"%s\"\nargs = [\"restart\"]\n",
           as_guest("as_probe"), as_guest("as_caller"));
  pg_ws_write(&w, "app.toml", app);
  /* The fresh instance declares and starts again, then answers. */
  expect_both(&w,
              "died: astest.v1.Probe\ncrash: code=14\n"
              "restarted: astest.v1.Probe\necho: again\n",
              3, "probe: probe ready");
  pg_ws_cleanup(&w);
}

PG_TEST(as_service_answers_a_call_it_kept_later) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_caller", as_guest("c_caller"),
            "later");
  expect_both(&w, "later answered\nreleased 1\n", 0, NULL);
  pg_ws_cleanup(&w);
}

PG_TEST(as_service_stop_hook_runs_when_the_app_ends) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_caller", as_guest("c_caller"),
            "refuse");
  pg_proc_result r;
  run(&r, &w, true);
  const char *exited = strstr(r.err, "c_caller: exited");
  const char *stopping = strstr(r.err, "probe: probe stopping");
  ASSERT_TRUE(exited != NULL && stopping != NULL && exited < stopping);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(as_service_memory_stays_bounded_over_100000_calls) {
  pg_ws w;
  pg_ws_init(&w, "as");
  write_app(&w, "probe", as_guest("as_probe"), "c_caller", as_guest("c_caller"),
            "memory");
  pg_proc_result r;
  run(&r, &w, false);
  unsigned warm = 0, end = 0;
  ASSERT_EQ(
      sscanf(r.out, "pages after 1000: %u, after 100000: %u", &warm, &end), 2);
  /* 100 MiB went through the service: its collector kept up. */
  ASSERT_TRUE(warm > 0 && end <= warm + 1 && end <= 16);
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(as_program_reads_its_arguments_and_environment) {
  pg_ws w;
  pg_ws_init(&w, "as");
  char app[1024];
  snprintf(app, sizeof app,
           "[app]\nname = \"env\"\n\n[[program]]\nname = \"as_caller\"\n"
           "wasm = \"%s\"\nargs = [\"env\", \"a b\"]\n"
           "env = { GREETING = \"salut\" }\n",
           as_guest("as_caller"));
  pg_ws_write(&w, "app.toml", app);
  expect_both(&w, "as_caller|env|a b GREETING=salut NOPE=(unset)\n", 0, NULL);
  pg_ws_cleanup(&w);
}

/* ---- status codes ------------------------------------------------------- */

/* An AssemblyScript program prints Code.NAME for each of gRPC's 17 codes
 * (tests/grpc_codes.h); asc compiles it only if each name exists, and it
 * must print gRPC's numbers. */
PG_TEST(as_sdk_names_all_17_grpc_codes_with_their_numbers) {
  pg_ws w;
  pg_ws_init(&w, "as");
#define CODE(name, n) "  print(\"" #name " \" + Code." #name ".toString());\n"
  static const char prints[] = PG_TEST_GRPC_CODES(CODE);
#undef CODE
  char ts[4096];
  snprintf(ts, sizeof ts,
           "import { Code, exit, guest, print } from \"parigot\";\n"
           "export * from \"parigot/exports\";\n"
           "guest((): void => {}, (): void => {\n%s  exit(0);\n});\n",
           prints);
  pg_ws_write(&w, "codes.ts", ts);
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "%s codes.ts --path %s -O3 --noColors --runtime minimal "
           "--exportStart _initialize "
           "--use abort=~lib/parigot/guest/abortHandler "
           "--use __alloc=~lib/parigot/alloc/cachedAlloc "
           "--use __free=~lib/parigot/alloc/cachedFree -o codes.wasm",
           PG_ASC, PG_SDK_AS_DIR);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  char app[1024];
  snprintf(app, sizeof app,
           "[app]\nname = \"codes\"\n\n[[program]]\nname = \"codes\"\n"
           "wasm = \"%s/codes.wasm\"\n",
           w.dir);
  pg_ws_write(&w, "app.toml", app);
  expect_both(&w, PG_TEST_GRPC_CODES_TEXT, 0, NULL);
  pg_ws_cleanup(&w);
}

/* ---- the codec in a wasm guest ------------------------------------------ */

/* Has the C codec (pg-proto-tool) re-encode each "known TYPE HEX" line of
 * @p out; each must come back as the same bytes. Returns how many. */
static int c_agrees(const pg_ws *w, const char *out) {
  int n = 0;
  const char *l = strstr(out, "known ");
  for (; l != NULL; l = strstr(l + 1, "\nknown ")) {
    char type[128], hex[4096];
    if (*l == '\n')
      l++;
    ASSERT_EQ(sscanf(l, "known %127s %4095s", type, hex), 2);
    pg_ws_write(w, "in.hex", hex);
    pg_proc_result r;
    pg_ws_sh(&r, w,
             "xxd -r -p in.hex > in.bin && %s dump %s in.bin canon.bin "
             ">/dev/null && cmp in.bin canon.bin",
             PG_PROTO_TOOL, type);
    if (r.status != 0)
      PG_FAIL("the C codec encodes %s %s otherwise: %s", type, hex, r.out);
    pg_proc_result_free(&r);
    n++;
  }
  return n;
}

PG_TEST(as_codec_checks_pass_inside_a_wasm_guest_and_match_c_bytes) {
  pg_ws w;
  pg_ws_init(&w, "as");
  char app[1024];
  snprintf(app, sizeof app,
           "[app]\nname = \"codec\"\n\n[[program]]\nname = \"as_codec\"\n"
           "wasm = \"%s\"\n",
           as_guest("as_codec"));
  pg_ws_write(&w, "app.toml", app);
  pg_proc_result r;
  run(&r, &w, true);
  ASSERT_CONTAINS(r.out, "\nok ");
  ASSERT_TRUE(strstr(r.out, "FAIL") == NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_TRUE(c_agrees(&w, r.out) >= 9);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* 60 random Rich messages from @p seed, encoded by the C codec, then its
 * canonical re-encoding; the AS guest gets the first as an argument and
 * must print the second. A batch holds a 1 MiB string now and then, so
 * it is above the codecs' default 4 MiB limit at times; if @p min_size,
 * the batch must be at least that many bytes. */
static void as_reencodes(unsigned long seed, long min_size) {
  pg_ws w;
  pg_ws_init(&w, "as");
  fprintf(stderr, "seed %lu (PARIGOT_TEST_SEED=%lu replays it)\n", seed, seed);
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "%s gen parigot.test.v1.Batch %lu 60 batch.bin && "
           "stat -c %%s batch.bin",
           PG_PROTO_TOOL, seed);
  ASSERT_EQ(r.status, 0);
  if (atol(r.out) < min_size)
    PG_FAIL("seed %lu: the batch is %ld bytes, not at least %ld", seed,
            atol(r.out), min_size);
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w,
           "%s dump parigot.test.v1.Batch batch.bin canon.bin > /dev/null && "
           "printf '[app]\\nname = \"codec\"\\n\\n[[program]]\\n"
           "name = \"as_codec\"\\nwasm = \"%s\"\\nargs = [\"' > app.toml && "
           "xxd -p batch.bin | tr -d '\\n' >> app.toml && "
           "printf '\"]\\n' >> app.toml && "
           "%s run --deterministic app.toml > as.out && "
           "grep '^batch ' as.out | cut -d' ' -f2 > as.hex && "
           "xxd -p canon.bin | tr -d '\\n' > c.hex && echo >> c.hex && "
           "cmp as.hex c.hex && test -s c.hex",
           PG_PROTO_TOOL, as_guest("as_codec"), pg_test_parigot());
  if (r.status != 0)
    PG_FAIL("seed %lu: the AS re-encoding differs from the C codec's:\n%s%s",
            seed, r.out, r.err);
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(as_codec_reencodes_random_c_messages_byte_for_byte) {
  const char *env = getenv("PARIGOT_TEST_SEED");
  as_reencodes(env ? strtoul(env, NULL, 10)
                   : (unsigned long)time(NULL) ^ (unsigned long)getpid(),
               0);
}

/* Seed 1796666204's batch holds four 1 MiB strings: 4259537 bytes, which
 * the guest once read with the default limit and refused (ETOOBIG). */
PG_TEST(as_codec_reencodes_a_c_batch_above_4_mib) {
  as_reencodes(1796666204ul, (4l << 20) + 1);
}
