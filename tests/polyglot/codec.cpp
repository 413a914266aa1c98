// SPDX-License-Identifier: Apache-2.0
//
// tests/polyglot/codec.cpp: codec.v1.CodecCpp, the C++ member of the
// cross-language codec test (test_polyglot.c). C++ guests use the C SDK and
// the generated C code; this one copies the decoded Rich through C++ (a
// std::vector of its encoding) before answering, so the value crosses C++
// code and libc++ rather than only C.
#include <cstdint>
#include <vector>

#include "codec/v1/codec.pg.h"
#include "parigot/guest.h"

namespace {

void reencode(parigot_call *call, const parigot_test_v1_Rich *req, void *) {
  std::vector<uint8_t> bytes(parigot_test_v1_Rich_encoded_size(req));
  if (parigot_test_v1_Rich_encode(req, bytes.data(), bytes.size()) < 0) {
    parigot_call_fail(call, PARIGOT_CODE_INTERNAL, 0, "cannot encode");
    return;
  }
  parigot_test_v1_Rich copy;
  parigot_test_v1_Rich_init(&copy);
  if (parigot_test_v1_Rich_decode(&copy, bytes.data(), bytes.size(), nullptr) !=
      0) {
    parigot_call_fail(call, PARIGOT_CODE_INTERNAL, 0, "cannot decode");
    return;
  }
  codec_v1_CodecCpp_Reencode_respond(call, &copy);
  parigot_test_v1_Rich_free(&copy, nullptr);
}

const codec_v1_CodecCpp_handlers handlers = {reencode, nullptr};

} // namespace

extern "C" void parigot_guest_declare(void) {
  codec_v1_CodecCpp_export(&handlers);
}

extern "C" void parigot_guest_start(void) {}
