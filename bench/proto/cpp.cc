// SPDX-License-Identifier: Apache-2.0
//
// bench/proto/cpp.cc: the proto suite's C++ peer: code from protoc
// --cpp_out on Debian's libprotobuf, built natively only.
//
// Encode is SerializeToArray() into a buffer of the encoded size (it sizes
// the message once, caching nested sizes, then writes). Decode is
// ParseFromArray() into a fresh message made on an Arena, and Arena::Reset()
// releases it; the arena starts from a 1 MiB block of ours that Reset()
// keeps, so a steady loop does not call malloc, as our arena does not.
// Single-threaded.
#include <google/protobuf/arena.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "driver.h"
#include "parigot/bench/v1/shapes.pb.h"
#include "values.h"

namespace {

namespace v1 = parigot::bench::v1;
using google::protobuf::Arena;

constexpr size_t kArenaBlock = 1 << 20;

google::protobuf::ArenaOptions arena_options(std::vector<char> &block) {
  google::protobuf::ArenaOptions o;
  o.initial_block = block.data();
  o.initial_block_size = block.size();
  return o;
}

// One shape: its message, encoding and decode arena.
template <class T> struct Case {
  explicit Case(uint64_t (*d)(const T &))
      : block(kArenaBlock), arena(arena_options(block)), digest(d) {}
  T msg;                    // built from the values
  std::string encoded;      // its encoding, decode's input
  std::vector<uint8_t> out; // encode's output
  std::vector<char> block;  // the arena's first block
  Arena arena;              // decode's memory, reset after each decode
  uint64_t (*digest)(const T &msg);

  static void encode_batch(void *ctx, uint64_t n) {
    auto *c = static_cast<Case *>(ctx);
    for (uint64_t i = 0; i < n; i++)
      if (!c->msg.SerializeToArray(c->out.data(),
                                   static_cast<int>(c->out.size())))
        shape_fail("encode");
  }

  static void decode_batch(void *ctx, uint64_t n) {
    auto *c = static_cast<Case *>(ctx);
    for (uint64_t i = 0; i < n; i++) {
      T *m = Arena::CreateMessage<T>(&c->arena);
      if (!m->ParseFromArray(c->encoded.data(),
                             static_cast<int>(c->encoded.size())))
        shape_fail("decode");
      c->arena.Reset();
    }
  }

  // Encodes the message once, decodes it once and checks the digest.
  void prepare(shape_case *sc) {
    if (!msg.SerializeToString(&encoded))
      shape_fail("first encode");
    out.resize(encoded.size());
    T *m = Arena::CreateMessage<T>(&arena);
    if (!m->ParseFromString(encoded))
      shape_fail("first decode");
    sc->size = encoded.size();
    sc->digest = digest(*m);
    if (sc->digest != digest(msg))
      shape_fail("round trip (digests differ)");
    arena.Reset();
    sc->encode = encode_batch;
    sc->decode = decode_batch;
    sc->ctx = this;
  }
};

void build_small(v1::Small *m, const shape_small &s) {
  m->set_id(s.id);
  m->set_timestamp(s.timestamp);
  m->set_flags(s.flags);
  m->set_counter(s.counter);
  m->set_delta(s.delta);
  m->set_offset(s.offset);
  m->set_crc(s.crc);
  m->set_ratio(s.ratio);
  m->set_score(s.score);
  m->set_active(s.active);
}

void build_mixed(v1::Mixed *m, const shape_mixed &v) {
  m->set_name(v.name);
  m->set_description(v.description);
  m->set_payload(v.payload, sizeof(v.payload));
  m->set_kind(static_cast<v1::Kind>(v.kind));
  build_small(m->mutable_header(), v.header);
  for (const auto &a : v.attributes) {
    v1::Attribute *attribute = m->add_attributes();
    attribute->set_key(a.key);
    attribute->set_value(a.value);
  }
  for (int32_t s : v.samples)
    m->add_samples(s);
  for (double w : v.weights)
    m->add_weights(w);
  for (const auto &c : v.counters)
    (*m->mutable_counters())[c.key] = c.value;
  m->set_id(v.id);
  m->set_flag(v.flag);
}

void build_large(v1::Large *m, const shape_large &v) {
  m->set_title(v.title);
  for (const shape_record &r : v.records) {
    v1::Record *record = m->add_records();
    record->set_id(r.id);
    record->set_name(r.name);
    for (int32_t x : r.values)
      record->add_values(x);
    build_small(record->mutable_stats(), r.stats);
    record->set_kind(static_cast<v1::Kind>(r.kind));
    record->set_score(r.score);
  }
  for (uint64_t id : v.ids)
    m->add_ids(id);
  for (float s : v.samples)
    m->add_samples(s);
  for (const auto &t : v.tags)
    m->add_tags(t);
}

// The digests of values.h, over C++ message types.
uint64_t digest_text(uint64_t h, const std::string &s) {
  return shape_text(h, s.data(), s.size());
}

uint64_t digest_small_into(uint64_t h, const v1::Small &s) {
  h = shape_mix(h, static_cast<uint64_t>(s.id()));
  h = shape_mix(h, static_cast<uint64_t>(s.timestamp()));
  h = shape_mix(h, s.flags());
  h = shape_mix(h, s.counter());
  h = shape_mix(h, static_cast<uint64_t>(s.delta()));
  h = shape_mix(h, static_cast<uint64_t>(s.offset()));
  h = shape_mix(h, s.crc());
  h = shape_mix(h, shape_double_bits(s.ratio()));
  h = shape_mix(h, shape_float_bits(s.score()));
  return shape_mix(h, s.active());
}

uint64_t digest_small(const v1::Small &m) {
  return digest_small_into(SHAPE_DIGEST_SEED, m);
}

uint64_t digest_mixed(const v1::Mixed &m) {
  uint64_t h = SHAPE_DIGEST_SEED, sum = 0;
  h = digest_text(h, m.name());
  h = digest_text(h, m.description());
  h = digest_text(h, m.payload());
  h = shape_mix(h, static_cast<uint64_t>(m.kind()));
  if (!m.has_header())
    shape_fail("mixed.header");
  h = digest_small_into(h, m.header());
  h = shape_mix(h, static_cast<uint64_t>(m.attributes_size()));
  for (const v1::Attribute &a : m.attributes()) {
    h = digest_text(h, a.key());
    h = digest_text(h, a.value());
  }
  h = shape_mix(h, static_cast<uint64_t>(m.samples_size()));
  for (int32_t s : m.samples())
    h = shape_mix(h, static_cast<uint64_t>(s));
  h = shape_mix(h, static_cast<uint64_t>(m.weights_size()));
  for (double w : m.weights())
    h = shape_mix(h, shape_double_bits(w));
  h = shape_mix(h, m.counters().size());
  for (const auto &c : m.counters())
    sum += shape_mix(digest_text(SHAPE_DIGEST_SEED, c.first),
                     static_cast<uint64_t>(c.second));
  h = shape_mix(h, sum);
  h = shape_mix(h, m.id());
  return shape_mix(h, m.flag());
}

uint64_t digest_large(const v1::Large &m) {
  uint64_t h = digest_text(SHAPE_DIGEST_SEED, m.title());
  h = shape_mix(h, static_cast<uint64_t>(m.records_size()));
  for (const v1::Record &r : m.records()) {
    h = shape_mix(h, r.id());
    h = digest_text(h, r.name());
    h = shape_mix(h, static_cast<uint64_t>(r.values_size()));
    for (int32_t x : r.values())
      h = shape_mix(h, static_cast<uint64_t>(x));
    if (!r.has_stats())
      shape_fail("record.stats");
    h = digest_small_into(h, r.stats());
    h = shape_mix(h, static_cast<uint64_t>(r.kind()));
    h = shape_mix(h, shape_double_bits(r.score()));
  }
  h = shape_mix(h, static_cast<uint64_t>(m.ids_size()));
  for (uint64_t id : m.ids())
    h = shape_mix(h, id);
  h = shape_mix(h, static_cast<uint64_t>(m.samples_size()));
  for (float s : m.samples())
    h = shape_mix(h, shape_float_bits(s));
  h = shape_mix(h, static_cast<uint64_t>(m.tags_size()));
  for (const std::string &t : m.tags())
    h = digest_text(h, t);
  return h;
}

} // namespace

int main(int argc, char **argv) {
  static shape_values values;
  static Case<v1::Small> small(digest_small);
  static Case<v1::Mixed> mixed(digest_mixed);
  static Case<v1::Large> large(digest_large);
  shape_case run[3] = {};
  run[0].shape = "small";
  run[1].shape = "mixed";
  run[2].shape = "large";
  shape_values_fill(&values);
  build_small(&small.msg, values.small);
  build_mixed(&mixed.msg, values.mixed);
  build_large(&large.msg, values.large);
  small.prepare(&run[0]);
  mixed.prepare(&run[1]);
  large.prepare(&run[2]);
  return shape_main(argc, argv, run, 3);
}
