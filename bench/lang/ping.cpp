// SPDX-License-Identifier: Apache-2.0
//
// bench/lang/ping.cpp: the language suite's ping program in C++ (the C
// SDK and generated C code from C++, with libc++): PING_CALLS calls of
// Ping with PING_SIZE bytes, each started from the previous answer, then
// "ping calls N size S" and exit 0. An answer of the wrong length, or a
// last answer with the wrong bytes, exits 1. As bench/app/ping.c, which is
// the C member of the suite.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "parigot/bench/app/v1/ping.pg.h"
#include "parigot/guest.h"

namespace {

class Pinger {
public:
  Pinger(long calls, size_t size) : calls_(calls), payload_(size) {
    for (size_t i = 0; i < size; i++)
      payload_[i] = static_cast<uint8_t>(i * 31 + 7);
  }

  void send() {
    parigot_bench_app_v1_Payload req;
    parigot_bench_app_v1_Payload_init(&req);
    req.data.data = payload_.data();
    req.data.len = payload_.size();
    parigot_bench_app_v1_Ping_Ping(&req, answered, failed, this);
  }

  void finish() const {
    std::printf("ping calls %ld size %zu\n", calls_, payload_.size());
    parigot_exit(0);
  }

  long calls() const {
    return calls_;
  }

private:
  long calls_;
  long done_ = 0;
  std::vector<uint8_t> payload_;

  static void answered(void *ctx, const parigot_bench_app_v1_Payload *r) {
    auto *p = static_cast<Pinger *>(ctx);
    bool last = p->done_ + 1 == p->calls_;
    if (r->data.len != p->payload_.size() ||
        (last && !p->payload_.empty() &&
         std::memcmp(r->data.data, p->payload_.data(), r->data.len) != 0)) {
      parigot_log(PARIGOT_ERROR, "call %ld: wrong answer (%zu bytes)", p->done_,
                  r->data.len);
      parigot_exit(1);
    }
    if (++p->done_ == p->calls_)
      p->finish();
    else
      p->send();
  }

  static void failed(void *ctx, const parigot_status *st) {
    auto *p = static_cast<Pinger *>(ctx);
    parigot_log(PARIGOT_ERROR, "call %ld failed: code %u: %s", p->done_,
                static_cast<unsigned>(st->code), st->message);
    parigot_exit(1);
  }
};

long env_long(const char *name) {
  const char *v = std::getenv(name);
  return v != nullptr ? std::strtol(v, nullptr, 10) : 0;
}

} // namespace

extern "C" void parigot_guest_declare(void) {
  parigot_bench_app_v1_Ping_require();
}

extern "C" void parigot_guest_start(void) {
  // Lives until the program exits.
  static Pinger pinger(env_long("PING_CALLS"),
                       static_cast<size_t>(env_long("PING_SIZE")));
  if (pinger.calls() <= 0)
    pinger.finish();
  pinger.send();
}
