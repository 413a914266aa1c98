/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/pbwire.h: the protobuf wire format, read and written field by field,
 * without descriptions: varints, fixed-width values, tags and
 * length-delimited payloads
 * (https://protobuf.dev/programming-guides/encoding/).
 *
 * The host's one reader of protobuf bytes that do not go through generated
 * code (the JSON transcoder's binary side; descriptor sets). Every length is
 * checked against the bytes left: a reader never reads past its end, and
 * failures say what is wrong as protobuf would. A reader is the caller's
 * and used by one thread at a time; nothing here owns memory.
 */
#ifndef PG_PBWIRE_H
#define PG_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire types, the low three bits of a tag. */
enum {
  PG_PBWIRE_VARINT = 0,
  PG_PBWIRE_I64 = 1,
  PG_PBWIRE_LEN = 2,
  PG_PBWIRE_SGROUP = 3, /* groups, proto2's, still read */
  PG_PBWIRE_EGROUP = 4,
  PG_PBWIRE_I32 = 5,
};

/* Groups nested deeper than this are refused while skipped. */
#define PG_PBWIRE_MAX_GROUP_DEPTH 100

typedef struct pg_pbwire_reader {
  const uint8_t *p, *end; /* what is left: borrowed bytes [p, end) */
} pg_pbwire_reader;

/* One field as read: for PG_PBWIRE_LEN and groups p/len is the payload (a
 * group's without its end tag), for the others v is the value and p/len
 * its bytes. p points into the reader's bytes. */
typedef struct pg_pbwire_field {
  uint32_t num; /* field number, at least 1 */
  uint8_t wt;   /* PG_PBWIRE_* */
  uint64_t v;
  const uint8_t *p;
  size_t len;
} pg_pbwire_field;

/** @brief A reader over the @p len bytes at @p p (borrowed, which must
 * outlive it). */
static inline pg_pbwire_reader pg_pbwire_reader_of(const uint8_t *p,
                                                   size_t len) {
  return (pg_pbwire_reader){p, p + len};
}

/**
 * @brief Reads a varint of up to 10 bytes; bits past 64 are dropped, as
 * protobuf does.
 * @return NULL, or what is wrong (a truncated or over-long varint).
 */
const char *pg_pbwire_read_varint(pg_pbwire_reader *r, uint64_t *out);

/** @brief Reads a little-endian value of @p n bytes (4 or 8); NULL or what
 * is wrong. */
const char *pg_pbwire_read_fixed(pg_pbwire_reader *r, size_t n, uint64_t *out);

/** @brief Reads a tag: field number (not 0, 32 bits) and wire type (0-5);
 * NULL or what is wrong. */
const char *pg_pbwire_read_tag(pg_pbwire_reader *r, uint32_t *num, uint8_t *wt);

/**
 * @brief Reads the next field whole: a group is skipped to its end tag,
 * counting nested groups against PG_PBWIRE_MAX_GROUP_DEPTH.
 * @return NULL, or what is wrong (a length past the end, a stray end-group
 * tag, an unterminated or mismatched group, ...).
 */
const char *pg_pbwire_read_field(pg_pbwire_reader *r, pg_pbwire_field *f);

/**
 * @brief Reads a flat message whose fields 1 to strlen(@p shape) are each a
 * varint ('V') or length-delimited ('L'), as @p shape says, into
 * @p f[1 .. strlen(shape)] (@p f has room for strlen(shape) + 1; absent
 * fields are zero). Other fields are skipped and the last of a repeated
 * one wins, as protobuf does.
 * @return false when the message is malformed or a field has the wrong
 * wire type.
 */
bool pg_pbwire_read_shape(const uint8_t *p, size_t len, const char *shape,
                          pg_pbwire_field *f);

/** @brief Writes @p v as a varint into @p out; returns its length, 1-10. */
size_t pg_pbwire_put_varint(uint8_t out[10], uint64_t v);

#endif /* PG_PBWIRE_H */
