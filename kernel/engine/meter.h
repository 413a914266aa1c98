/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/meter.h: fuel metering, a rewriting pass over a wasm binary.
 *
 * The pass gives a module a counter of the work it does, so that a budget
 * stops a guest at the same instruction on every machine (deterministic
 * mode's max_handler_time). The rewritten module has one more global,
 * a mutable i64 appended at the end of the global index space (no index
 * of the module moves) and exported as PG_METER_EXPORT; it starts at
 * INT64_MAX. At the entry of every function body and right after every
 * `loop` (each iteration), it subtracts a cost and traps with
 * `unreachable` once the counter is below zero:
 *
 *   global.get F  i64.const COST  i64.sub  global.set F
 *   global.get F  i64.const 0  i64.lt_s  if  unreachable  end
 *
 * COST is the number of instructions of that region: a function's own
 * outside any loop, paid once per call, and a loop's own (its body up to
 * its `end`, without the loops nested in it), paid once per iteration; a
 * `loop` instruction belongs to the region around it. Each instruction is
 * counted in exactly one region. The count is an estimate of the work (a
 * branch not taken, or the rest of a loop's body left early, is paid for
 * too), but a fixed one: the same module and input burn the same fuel.
 *
 * Every instruction is decoded, its immediates skipped by the opcode's
 * rules (wasm 2.0: MVP, bulk memory and reference types, 0xFC, SIMD 0xFD,
 * sign extension, tail calls, multi-value block types, the legacy
 * exception instructions, the threads proposal's atomics 0xFE). Anything
 * else (GC, typed function references, relaxed SIMD, try_table, an unknown
 * opcode) is refused with its byte offset rather than guessed at. Every
 * LEB128 and length is bounds-checked: the input is untrusted.
 * Pure function: no state, any thread.
 */
#ifndef PG_METER_H
#define PG_METER_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/** The export naming the fuel global; a module may not export it itself. */
#define PG_METER_EXPORT "parigot_fuel"

/**
 * @brief Rewrites the module @p in (@p len bytes, borrowed for the call)
 * into a metered module (see above).
 * @param[out] out, out_len  the new module, allocated from @p mem and
 * owned by the caller; set only on success.
 * @return 0, or PARIGOT_ENOTWASM (no wasm header), PARIGOT_EBADMODULE
 * (malformed: truncated, a LEB128 too long, a size past its section...),
 * PARIGOT_EUNSUPPORTED (an instruction or section the pass does not know,
 * or an export already called PG_METER_EXPORT), PARIGOT_ENOMEM; @p err
 * says what and at which byte offset.
 */
int pg_meter_module(const uint8_t *in, size_t len, const pg_mem *mem,
                    uint8_t **out, size_t *out_len, char *err, size_t err_len);

#endif /* PG_METER_H */
