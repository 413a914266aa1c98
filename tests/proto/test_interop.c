/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/proto/test_interop.c: our codec against protoc and
 * @bufbuild/protobuf, on thousands of random messages of the rich schema.
 *
 * Each direction encodes a batch with one implementation and decodes it with
 * all three. Our side and bufbuild print value dumps (pg-proto-tool dump,
 * bufbuild.mjs dump) that must be byte-identical; protoc proves its side by
 * a text round trip (--decode then --encode) whose bytes must dump the same
 * again and re-encode, through our code, to the same canonical bytes.
 *
 * The seed is new on every run and printed; PARIGOT_TEST_SEED=N replays one.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

#define BATCH "parigot.test.v1.Batch"
#define MESSAGES_PER_BATCH 500
#define BATCHES 2

typedef struct env {
  char dir[64];
  char tool[4096], node[4096], script[4096], fds[4096], schema[4096];
} env;

static unsigned long long test_seed(void) {
  const char *s = getenv("PARIGOT_TEST_SEED");
  unsigned long long seed =
      s ? strtoull(s, NULL, 10) : (unsigned long long)time(NULL);
  printf("seed %llu (PARIGOT_TEST_SEED=%llu replays this run)\n", seed, seed);
  fflush(stdout);
  return seed;
}

static void env_init(env *e) {
  const char *src = getenv("PG_SOURCE");
  ASSERT_TRUE(src != NULL);
  strcpy(e->dir, "/tmp/pg-proto-XXXXXX");
  ASSERT_TRUE(mkdtemp(e->dir) != NULL);
  snprintf(e->tool, sizeof e->tool, "%s", PG_PROTO_TOOL);
  snprintf(e->fds, sizeof e->fds, "%s", PG_RICH_FDS);
  snprintf(e->script, sizeof e->script, "%s/tests/proto/bufbuild.mjs", src);
  snprintf(e->schema, sizeof e->schema, "%s/tests/proto/schema", src);
}

static void env_cleanup(env *e) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
  ASSERT_EQ(system(cmd), 0);
}

/* Runs a shell command; fails the test with its stderr unless it exits 0. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...) {
  char cmd[16384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  char *argv[] = {"/bin/sh", "-c", cmd, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0)
    PG_FAIL("command failed (status %d): %s\n%s", r.status, cmd, r.err);
  pg_proc_result_free(&r);
}

static void same_file(const env *e, const char *a, const char *b,
                      const char *what) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "cmp -s '%s/%s' '%s/%s'", e->dir, a, e->dir, b);
  if (system(cmd) != 0)
    PG_FAIL("%s: %s and %s differ (kept in %s; see diff)", what, a, b, e->dir);
}

/* Every decoder reads in.bin; their dumps and canonical bytes must agree. */
static void check_batch(const env *e) {
  const char *d = e->dir;
  sh("'%s' dump %s '%s/in.bin' '%s/canon.bin' > '%s/ours.dump'", e->tool, BATCH,
     d, d, d);
  sh("node '%s' dump '%s' %s < '%s/in.bin' > '%s/bufbuild.dump'", e->script,
     e->fds, BATCH, d, d);
  same_file(e, "ours.dump", "bufbuild.dump", "ours and bufbuild decode");
  sh("cd '%s' && protoc --decode=%s parigot/test/v1/rich.proto "
     "< '%s/in.bin' > '%s/protoc.txt' && protoc --encode=%s "
     "parigot/test/v1/rich.proto < '%s/protoc.txt' > '%s/protoc.bin'",
     e->schema, BATCH, d, d, BATCH, d, d);
  sh("'%s' dump %s '%s/protoc.bin' '%s/protoc-canon.bin' > "
     "'%s/protoc.dump'",
     e->tool, BATCH, d, d, d);
  same_file(e, "ours.dump", "protoc.dump", "protoc's text round trip");
  sh("node '%s' dump '%s' %s < '%s/protoc.bin' > '%s/bufbuild2.dump'",
     e->script, e->fds, BATCH, d, d);
  same_file(e, "ours.dump", "bufbuild2.dump", "bufbuild on protoc's bytes");
  same_file(e, "canon.bin", "protoc-canon.bin",
            "canonical re-encoding of ours and of protoc's bytes");
}

PG_TEST(protobuf_ours_encode_bufbuild_and_protoc_decode_the_same) {
  env e;
  env_init(&e);
  unsigned long long seed = test_seed();
  for (int b = 0; b < BATCHES; b++) {
    sh("'%s' gen %s %llu %d '%s/in.bin'", e.tool, BATCH, seed + b,
       MESSAGES_PER_BATCH, e.dir);
    check_batch(&e);
  }
  env_cleanup(&e);
}

PG_TEST(protobuf_bufbuild_encodes_ours_and_protoc_decode_the_same) {
  env e;
  env_init(&e);
  unsigned long long seed = test_seed();
  for (int b = 0; b < BATCHES; b++) {
    sh("node '%s' gen '%s' %s %llu %d > '%s/in.bin'", e.script, e.fds, BATCH,
       seed + b, MESSAGES_PER_BATCH, e.dir);
    check_batch(&e);
  }
  env_cleanup(&e);
}

/* The comparison must be able to fail: flip one byte inside a string value
 * of our encoding and the dumps of the original and the damaged batch must
 * differ, while both still decode. */
PG_TEST(protobuf_interop_dump_notices_a_changed_value) {
  env e;
  env_init(&e);
  sh("'%s' gen %s 7 20 '%s/in.bin'", e.tool, BATCH, e.dir);
  sh("'%s' dump %s '%s/in.bin' > '%s/a.dump'", e.tool, BATCH, e.dir, e.dir);
  /* Field 1 of Batch, then the item: rewrite the last byte of the batch,
   * which is always inside a value of the last item. */
  sh("cd '%s' && n=$(stat -c %%s in.bin) && head -c $((n-1)) in.bin > "
     "b.bin && tail -c 1 in.bin | od -An -tu1 | "
     "awk '{printf \"%%c\", ($1 == 49 ? 50 : 49)}' >> b.bin",
     e.dir);
  sh("'%s' dump %s '%s/b.bin' > '%s/b.dump' && node '%s' dump '%s' %s "
     "< '%s/b.bin' > '%s/bb.dump'",
     e.tool, BATCH, e.dir, e.dir, e.script, e.fds, BATCH, e.dir, e.dir);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "cmp -s '%s/a.dump' '%s/b.dump'", e.dir, e.dir);
  ASSERT_NE(system(cmd), 0);
  same_file(&e, "b.dump", "bb.dump", "ours and bufbuild on changed bytes");
  env_cleanup(&e);
}

/* The codec compiled to wasm32 (sizes and pointers of 4 bytes) and run by
 * parigot must encode the same random messages to the same bytes, and
 * decode them to the same values, as the native build. */
PG_TEST(protobuf_codec_in_wasm_matches_the_native_build) {
  env e;
  env_init(&e);
  unsigned long long seed = test_seed();
  const char *wasm = pg_test_guest("pg-proto-tool");
  const char *parigot = pg_test_parigot();
  sh("'%s' gen %s %llu %d '%s/native.bin'", e.tool, BATCH, seed,
     MESSAGES_PER_BATCH, e.dir);
  sh("'%s' exec --max-memory 1G '%s' gen %s %llu %d - > '%s/wasm.bin'", parigot,
     wasm, BATCH, seed, MESSAGES_PER_BATCH, e.dir);
  same_file(&e, "native.bin", "wasm.bin", "native and wasm encodings");
  sh("'%s' dump %s '%s/native.bin' > '%s/native.dump'", e.tool, BATCH, e.dir,
     e.dir);
  sh("'%s' exec --max-memory 1G '%s' dump %s - < '%s/native.bin' > "
     "'%s/wasm.dump'",
     parigot, wasm, BATCH, e.dir, e.dir);
  same_file(&e, "native.dump", "wasm.dump", "native and wasm decodings");
  env_cleanup(&e);
}
