/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/opt.h: parsing of the CLI's sizes and durations.
 *
 * Sizes take K, M or G suffixes (powers of 1024): "32M". Durations need a
 * unit, ms, s or m, and may have a fraction: "500ms", "1.5s", "2m". Pure
 * functions; any thread.
 */
#ifndef PG_OPT_H
#define PG_OPT_H

#include <stdint.h>

/** @return 0, or PARIGOT_EINVAL (malformed) or PARIGOT_ERANGE (too big). */
int pg_opt_parse_size(const char *s, uint64_t *out_bytes);

/** @return 0, or PARIGOT_EINVAL (malformed or no unit), PARIGOT_ERANGE. */
int pg_opt_parse_duration(const char *s, uint64_t *out_ns);

#endif /* PG_OPT_H */
