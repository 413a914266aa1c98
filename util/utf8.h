/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util/utf8.h: UTF-8, checked, cut, decoded and written the one way every
 * host module does it (the TOML parser, the JSON transcoder, the graph's
 * messages).
 *
 * Strict, as RFC 3629 defines it: no overlong forms, no surrogates, nothing
 * past U+10FFFF, no truncated sequence. Owns nothing; any thread.
 */
#ifndef PG_UTF8_H
#define PG_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @brief The length of the valid sequence that starts @p s (1 for ASCII),
 * or 0 when it is not one. Reads at most @p avail bytes, at least 1.
 */
size_t pg_utf8_seq(const uint8_t *s, size_t avail);

/** @brief Whether the @p len bytes at @p s are valid UTF-8. */
bool pg_utf8_valid(const uint8_t *s, size_t len);

/** @brief The code point of the sequence at @p s, which pg_utf8_seq()
 * accepted. */
uint32_t pg_utf8_decode(const uint8_t *s);

/**
 * @brief Writes code point @p cp (at most U+10FFFF, not a surrogate: the
 * caller checks) into @p out.
 * @return how many bytes, 1 to 4.
 */
size_t pg_utf8_encode(uint32_t cp, uint8_t out[4]);

/**
 * @brief How many of the @p len bytes at @p s fit in @p max without
 * splitting a sequence: @p len when it fits, else @p max less the
 * continuation bytes of the sequence it would cut. A cut text still
 * decodes, so a message that names it stays valid.
 */
size_t pg_utf8_prefix(const uint8_t *s, size_t len, size_t max);

#endif /* PG_UTF8_H */
