/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/units.h: sizes and durations written as text, e.g. "32M" and "2s".
 *
 * Sizes take K, M or G suffixes (powers of 1024), optionally followed by "i"
 * and "B": "32M", "64MiB". Durations need a unit, ms, s or m: "500ms",
 * "1.5s", "2m". Both may have a decimal fraction. The app manifest and the
 * CLI's options share these rules, so they live here, below both. Pure
 * functions; any thread.
 */
#ifndef PG_UNITS_H
#define PG_UNITS_H

#include <stdint.h>

/**
 * @brief Parse a size such as "4096", "32K", "1.5M" or "2GiB".
 * @param[in]  s          NUL-terminated text.
 * @param[out] out_bytes  the size in bytes; untouched on failure.
 * @return 0, or PARIGOT_EINVAL (malformed, or a fraction of a byte) or
 *   PARIGOT_ERANGE (more than UINT64_MAX bytes).
 */
int pg_units_parse_size(const char *s, uint64_t *out_bytes);

/**
 * @brief Parse a duration such as "500ms", "1.25s" or "2m".
 * @param[in]  s       NUL-terminated text.
 * @param[out] out_ns  the duration in nanoseconds; untouched on failure.
 * @return 0, or PARIGOT_EINVAL (malformed or no unit) or PARIGOT_ERANGE
 *   (more than UINT64_MAX nanoseconds).
 */
int pg_units_parse_duration(const char *s, uint64_t *out_ns);

#endif /* PG_UNITS_H */
