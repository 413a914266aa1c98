/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/proto/fuzz_decode.c: the libFuzzer target for the decoder.
 *
 * Every input is decoded as the rich schema's Rich message, once with the
 * malloc allocator (so ASan sees every byte of every allocation and every
 * leak) and once into an arena keeping unknown fields. Whatever decodes must
 * re-encode canonically: encode(decode(encode(decode(x)))) equals
 * encode(decode(x)). Any other outcome aborts. `make test-fuzz` runs it for
 * a bounded time from a corpus of round-trip messages.
 */
#include <stdlib.h>
#include <string.h>

#include "parigot/pb.h"
#include "parigot/test/v1/rich.pg.h"

static const parigot_pb_decode_options limits = {.max_size = 1u << 20,
                                                 .max_alloc = 64u << 20};

static uint8_t *encode(const parigot_test_v1_Rich *r, size_t *len) {
  *len = parigot_test_v1_Rich_encoded_size(r);
  uint8_t *buf = malloc(*len ? *len : 1);
  if (buf == NULL || parigot_test_v1_Rich_encode(r, buf, *len) != (int64_t)*len)
    abort();
  return buf;
}

/* Decodes r's encoding again, keeping unknown fields if r did. */
static void check_canonical(const parigot_test_v1_Rich *r, bool keep_unknown) {
  size_t len1, len2;
  uint8_t *once = encode(r, &len1);
  parigot_test_v1_Rich again;
  parigot_pb_decode_options o = limits;
  o.keep_unknown = keep_unknown;
  parigot_test_v1_Rich_init(&again);
  if (parigot_test_v1_Rich_decode(&again, once, len1, &o) != 0)
    abort(); /* our own encoding must decode */
  uint8_t *twice = encode(&again, &len2);
  if (len1 != len2 || memcmp(once, twice, len1) != 0)
    abort();
  parigot_test_v1_Rich_free(&again, NULL);
  free(once);
  free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  parigot_test_v1_Rich r;
  parigot_test_v1_Rich_init(&r);
  if (parigot_test_v1_Rich_decode(&r, data, size, &limits) == 0)
    check_canonical(&r, false);
  parigot_test_v1_Rich_free(&r, NULL);

  parigot_arena arena;
  parigot_arena_init(&arena, NULL);
  parigot_pb_decode_options keep = limits;
  keep.allocator = parigot_arena_allocator(&arena);
  keep.keep_unknown = true;
  parigot_test_v1_Rich_init(&r);
  if (parigot_test_v1_Rich_decode(&r, data, size, &keep) == 0)
    check_canonical(&r, true);
  parigot_arena_free(&arena);
  return 0;
}
