// sdk/assemblyscript/parigot/alloc.ts: a cache of freed blocks in front of
// the minimal runtime's TLSF allocator. pg_as_guest (cmake/
// ParigotAssemblyScript.cmake) makes the runtime use it with
//   --use __alloc=~lib/parigot/alloc/cachedAlloc
//   --use __free=~lib/parigot/alloc/cachedFree
// and the event loop (guest.ts) calls releaseCached() before each
// collection. Built without those options, nothing is ever cached and the
// guest behaves the same, only slower.
//
// Why: a call allocates the same few objects each time (a message, its
// bytes' buffer and view, the call), and the collector frees them all
// between events. TLSF splits a free block for each allocation and merges
// it back for each free: about 550 instructions a pair, over half of an
// AssemblyScript round trip (callgrind). Here a freed block of up to
// 4 KiB goes on a list of blocks of its exact size, and an allocation of
// that size takes it from there: a list pop and a push. Blocks that a
// whole cycle between two collections did not reuse go back to TLSF at
// the next collection, so the cache never holds more than one cycle's
// garbage and memory stays bounded as with plain TLSF.
//
// Why aliases, not a runtime of our own: asc takes a custom runtime
// (--runtime <file>) only as a variant of the incremental one, and then
// keeps every reference on a shadow stack, which costs more than it
// saves. The aliases leave the minimal runtime as it is, collector and
// all, and only change which functions its __new, its sweep and heap.*
// call to allocate and free.
import { __alloc as tlsfAlloc, __free as tlsfFree } from "~lib/rt/tlsf";

// TLSF block sizes (the payload after the 4-byte header, as in the
// header's size bits) are 16k - 4 bytes, from 28 up: list k holds blocks
// of 16k - 4 bytes, linked through the word at their payload, for k up to
// 257: allocations up to 4 KiB (the SDK's encoding buffers among them).
const LISTS: usize = 258;
const HEADER: usize = 4; // TLSF's BLOCK_OVERHEAD
const lists = memory.data(<i32>LISTS * 4);
let isEmpty = true; // no list holds a block: releaseCached() has no work

/** TLSF's computeSize(): what an allocation of @p size gets, as a list;
 * LISTS when it is bigger than any list's blocks. */
// @ts-ignore: decorator
@inline
function listOfRequest(size: usize): usize {
  if (size <= 28) return 2;
  return size < (LISTS << 4) ? (size + HEADER + 15) >> 4 : LISTS;
}

/** Allocates @p size bytes: a cached block of that size, else TLSF's. */
export function cachedAlloc(size: usize): usize {
  const k = listOfRequest(size);
  if (k < LISTS) {
    const at = lists + (k << 2);
    const p = load<usize>(at);
    if (p != 0) {
      store<usize>(at, load<usize>(p));
      return p;
    }
  }
  return tlsfAlloc(size);
}

/** Frees the block at @p ptr: into its list when small, else to TLSF. */
export function cachedFree(ptr: usize): void {
  if (ptr < __heap_base) return; // static data, as TLSF ignores it
  const k = ((load<usize>(ptr - HEADER) & ~3) + HEADER) >> 4;
  if (k >= LISTS) {
    tlsfFree(ptr);
    return;
  }
  const at = lists + (k << 2);
  store<usize>(ptr, load<usize>(at));
  store<usize>(at, ptr);
  isEmpty = false;
}

/** Gives TLSF back every cached block: called before each collection,
 * so what the last cycle did not reuse becomes free memory again. */
export function releaseCached(): void {
  if (isEmpty) return;
  for (let k: usize = 2; k < LISTS; k++) {
    const at = lists + (k << 2);
    let p = load<usize>(at);
    while (p != 0) {
      const next = load<usize>(p);
      tlsfFree(p);
      p = next;
    }
    store<usize>(at, 0);
  }
  isEmpty = true;
}
