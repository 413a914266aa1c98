/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file pb_gen.h
 * @brief Helpers for the encoders that protoc-gen-parigot generates.
 *
 * Only generated .pg.c files include this header. Every write goes
 * backwards through a #parigot_pb_writer and checks the room left, so an
 * encoder given a short buffer stops with PARIGOT_ENOSPC and writes nothing
 * before the buffer. The wire and every parigot target are little-endian,
 * so fixed-width values are copied as they are.
 */
#ifndef PARIGOT_PB_GEN_H
#define PARIGOT_PB_GEN_H

#include <stdint.h>
#include <string.h>

#include "parigot/pb.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Return from the enclosing function if @p expr is an error.
 * @param expr  an expression giving 0 or a negative #parigot_errno.
 */
#define PARIGOT_PB_TRY(expr)                                                   \
  do {                                                                         \
    int rc_ = (expr);                                                          \
    if (rc_ != 0)                                                              \
      return rc_;                                                              \
  } while (0)

/**
 * @brief Bytes a value takes as a varint.
 * @param[in] v  the value.
 * @return 1 to 10.
 */
static inline size_t parigot_pb_varint_size(uint64_t v) {
  /* 1 + floor(log2(v) / 7), without a loop or a division by 7. */
  return ((unsigned)(63 - __builtin_clzll(v | 1)) * 9 + 73) / 64;
}

/**
 * @brief The zigzag form of a sint32.
 * @param[in] v  the value.
 * @return small magnitudes as small unsigned numbers.
 */
static inline uint32_t parigot_pb_zigzag32(int32_t v) {
  return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

/**
 * @brief The zigzag form of a sint64.
 * @param[in] v  the value.
 * @return small magnitudes as small unsigned numbers.
 */
static inline uint64_t parigot_pb_zigzag64(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/**
 * @brief The bits of a 4-byte value (float presence compares bits, so
 * -0.0 counts as set).
 * @param[in] p  the value.
 * @return its bits.
 */
static inline uint32_t parigot_pb_bits32(const void *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/**
 * @brief The bits of an 8-byte value.
 * @param[in] p  the value.
 * @return its bits.
 */
static inline uint64_t parigot_pb_bits64(const void *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/**
 * @brief Write bytes in front of what is written.
 * @param[in,out] w  the writer.
 * @param[in] src    the bytes (may be NULL when @p n is 0).
 * @param[in] n      how many.
 * @return 0, or PARIGOT_ENOSPC.
 */
static inline int parigot_pb_put_raw(parigot_pb_writer *w, const void *src,
                                     size_t n) {
  if ((size_t)(w->p - w->start) < n)
    return PARIGOT_ENOSPC;
  w->p -= n;
  if (n > 0)
    memcpy(w->p, src, n);
  return 0;
}

/**
 * @brief Write a varint (also a tag, or a length) in front.
 * @param[in,out] w  the writer.
 * @param[in] v      the value.
 * @return 0, or PARIGOT_ENOSPC.
 */
static inline int parigot_pb_put_varint(parigot_pb_writer *w, uint64_t v) {
  if (v < 0x80 && w->p > w->start) {
    *--w->p = (uint8_t)v;
    return 0;
  }
  size_t n = parigot_pb_varint_size(v);
  if ((size_t)(w->p - w->start) < n)
    return PARIGOT_ENOSPC;
  uint8_t *q = w->p -= n;
  for (; v >= 0x80; v >>= 7)
    *q++ = (uint8_t)(v | 0x80);
  *q = (uint8_t)v;
  return 0;
}

/**
 * @brief Write a packed array's body (no length, no tag).
 * @param[in,out] w  the writer.
 * @param[in] type   the element type, a #parigot_pb_type of fixed or
 *                   varint wire type.
 * @param[in] arr    the elements, as stored in a generated struct.
 * @param[in] n      how many.
 * @return 0, or PARIGOT_ENOSPC.
 */
int parigot_pb_put_packed(parigot_pb_writer *w, uint8_t type, const void *arr,
                          size_t n);

/**
 * @brief Bytes of a packed array's body (no length, no tag).
 * @param[in] type  the element type.
 * @param[in] arr   the elements.
 * @param[in] n     how many.
 * @return the size.
 */
size_t parigot_pb_packed_size(uint8_t type, const void *arr, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_PB_GEN_H */
