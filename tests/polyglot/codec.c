/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/polyglot/codec.c: codec.v1.CodecC, the C member of the
 * cross-language codec test (test_polyglot.c): Reencode answers the Rich
 * it decoded, encoded again by the generated C code.
 */
#include "codec/v1/codec.pg.h"
#include "parigot/guest.h"

static void reencode(parigot_call *call, const parigot_test_v1_Rich *req,
                     void *ctx) {
  (void)ctx;
  codec_v1_CodecC_Reencode_respond(call, req);
}

static const codec_v1_CodecC_handlers handlers = {.Reencode = reencode};

void parigot_guest_declare(void) {
  codec_v1_CodecC_export(&handlers);
}

void parigot_guest_start(void) {}
