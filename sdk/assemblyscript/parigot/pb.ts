// sdk/assemblyscript/parigot/pb.ts: the protobuf runtime generated
// AssemblyScript code (protoc-gen-parigot lang=assemblyscript) runs on.
//
// It follows sdk/c/pb.c rule for rule, because a C, Rust or AS guest must
// write the same bytes for the same value and accept or refuse the same
// input: fields in field-number order, implicit fields written when not
// default (a float when any bit is set, so -0.0 is written), map entries
// sorted by key with both key and value, kept unknown fields last; a
// decoder that merges, checks every length against what remains, limits
// nesting to 100, refuses strings that are not UTF-8 and input above
// 4 MiB (or the maxSize it is given). Errors are the codes of
// include/parigot/error.h.
//
// Encoding is two passes: _size() computes each message's size and keeps
// it in _cached, then _write() writes forwards into one buffer of exactly
// that size, so a sub-message's length is known before its bytes and no
// size is computed twice. Decoding reads linear memory directly (the
// event buffer, or a Uint8Array's storage) through a Reader whose first
// error sticks and ends every loop.

/** The codec's errors, include/parigot/error.h's PARIGOT_E* values:
 * input ends inside a value, a varint runs past 10 bytes, a length runs
 * past the input, a wrong or invalid wire type, an invalid field number,
 * nesting past MAX_DEPTH, a message past MAX_SIZE, a string not UTF-8. */
export const ETRUNCATED: i32 = -40;
export const EVARINT: i32 = -41;
export const ELENGTH: i32 = -42;
export const EWIRETYPE: i32 = -43;
export const EFIELD: i32 = -44;
export const EDEPTH: i32 = -45;
export const ETOOBIG: i32 = -46;
export const EUTF8: i32 = -47;

/** Nesting allowed in decoding and encoding, as the C codec. */
export const MAX_DEPTH: i32 = 100;
/** The largest input decode accepts unless given another maxSize, as the
 * C codec's default max_size. */
export const MAX_SIZE: usize = 4 << 20;
const MAX_FIELD_NUMBER: u32 = 536870911;

/** The bytes of an absent bytes field: empty, so safely shared. */
export const EMPTY_BYTES = new Uint8Array(0);

// ---- sizes ----------------------------------------------------------------

/** Bytes of @p v as a varint (1 to 10). */
// @ts-ignore: decorator
@inline
export function varintSize64(v: u64): i32 {
  // 1 byte per 7 bits; 0 still takes a byte.
  return v == 0 ? 1 : <i32>((70 - <i32>clz<u64>(v)) / 7);
}

/** Bytes of @p v as a varint (1 to 5). */
// @ts-ignore: decorator
@inline
export function varintSize32(v: u32): i32 {
  return v == 0 ? 1 : <i32>((38 - <i32>clz<u32>(v)) / 7);
}

/** Size of an int32 or enum value: negative ones take ten bytes. */
// @ts-ignore: decorator
@inline
export function int32Size(v: i32): i32 {
  return v < 0 ? 10 : varintSize32(<u32>v);
}

/** ZigZag encoding of a sint32 (-1 is 1, 1 is 2). */
// @ts-ignore: decorator
@inline
export function zigzag32(v: i32): u32 {
  return <u32>((v << 1) ^ (v >> 31));
}

/** ZigZag encoding of a sint64. */
// @ts-ignore: decorator
@inline
export function zigzag64(v: i64): u64 {
  return <u64>((v << 1) ^ (v >> 63));
}

/** UTF-8 length of a string, as it is written. */
// @ts-ignore: decorator
@inline
export function strSize(s: string): i32 {
  return String.UTF8.byteLength(s);
}

/** A length-delimited value of @p n bytes: its prefix and itself. */
// @ts-ignore: decorator
@inline
export function lenSize(n: i32): i32 {
  return varintSize32(<u32>n) + n;
}

// ---- writer ---------------------------------------------------------------

/** Writes forwards into linear memory sized beforehand: no checks. */
export class Writer {
  buf: usize = 0; // owned, from heap.alloc: it never moves under a call
  cap: usize = 0;
  pos: usize = 0;

  /** Makes room for @p size bytes and starts at the beginning. */
  reset(size: usize): void {
    if (size > this.cap) {
      const cap = size < 4096 ? <usize>4096 : size;
      this.buf = this.buf == 0 ? heap.alloc(cap) : heap.realloc(this.buf, cap);
      this.cap = cap;
    }
    this.pos = this.buf;
  }

  /** How many bytes were written since reset(). */
  get length(): usize {
    return this.pos - this.buf;
  }

  varint64(v: u64): void {
    let p = this.pos;
    while (v >= 0x80) {
      store<u8>(p++, <u8>(v | 0x80));
      v >>= 7;
    }
    store<u8>(p++, <u8>v);
    this.pos = p;
  }

  varint32(v: u32): void {
    let p = this.pos;
    while (v >= 0x80) {
      store<u8>(p++, <u8>(v | 0x80));
      v >>= 7;
    }
    store<u8>(p++, <u8>v);
    this.pos = p;
  }

  int32(v: i32): void {
    if (v < 0) this.varint64(<u64><i64>v);
    else this.varint32(<u32>v);
  }

  fixed32(v: u32): void {
    store<u32>(this.pos, v);
    this.pos += 4;
  }

  fixed64(v: u64): void {
    store<u64>(this.pos, v);
    this.pos += 8;
  }

  float(v: f32): void {
    store<f32>(this.pos, v);
    this.pos += 4;
  }

  double(v: f64): void {
    store<f64>(this.pos, v);
    this.pos += 8;
  }

  bool(v: bool): void {
    store<u8>(this.pos++, v ? 1 : 0);
  }

  raw(p: usize, n: usize): void {
    memory.copy(this.pos, p, n);
    this.pos += n;
  }

  /** A bytes value with its length prefix. */
  bytes(b: Uint8Array): void {
    this.varint32(<u32>b.length);
    this.raw(b.dataStart, <usize>b.length);
  }

  /** A string value with its length prefix; lone surrogates become
   * U+FFFD, which takes the bytes strSize() counted. */
  string(s: string): void {
    const n = String.UTF8.byteLength(s);
    this.varint32(<u32>n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.pos, false,
      String.UTF8.ErrorMode.REPLACE);
    this.pos += <usize>n;
  }
}

// ---- reader ---------------------------------------------------------------

/** Reads linear memory between pos and a limit each call is given. */
export class Reader {
  pos: usize;
  err: i32 = 0;
  depthLeft: i32 = MAX_DEPTH;
  keepUnknown: bool;

  constructor(pos: usize, keepUnknown: bool) {
    this.pos = pos;
    this.keepUnknown = keepUnknown;
  }

  /** Starts again at @p pos, for one more message. */
  restart(pos: usize, keepUnknown: bool): void {
    this.pos = pos;
    this.err = 0;
    this.depthLeft = MAX_DEPTH;
    this.keepUnknown = keepUnknown;
  }

  /** Records the first error; the caller's loops stop on it. */
  fail(code: i32): void {
    if (this.err == 0) this.err = code;
  }

  /** A known field came with a wire type it cannot have. */
  wire(): void {
    this.fail(EWIRETYPE);
  }

  varint(end: usize): u64 {
    let p = this.pos;
    let v: u64 = 0;
    for (let shift: u64 = 0; ; shift += 7) {
      if (p >= end) {
        this.fail(ETRUNCATED);
        return 0;
      }
      const b = <u64>load<u8>(p++);
      // The tenth byte holds bit 63 only: anything more is over-long.
      if (shift == 63 && b > 1) {
        this.fail(EVARINT);
        return 0;
      }
      v |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.pos = p;
    return v;
  }

  /** A field's tag, or 0 (with err set) when it is invalid. */
  tag(end: usize): u32 {
    const p = this.pos;
    if (p < end) {
      const b = <u32>load<u8>(p);
      if (b < 0x80) { // field numbers up to 15: a one-byte tag
        this.pos = p + 1;
        if (b >= 8) return b;
        this.fail(EFIELD);
        return 0;
      }
    }
    const t = this.varint(end);
    if (this.err != 0) return 0;
    if (t > 0xffffffff || (t >> 3) == 0 || (t >> 3) > MAX_FIELD_NUMBER) {
      this.fail(EFIELD);
      return 0;
    }
    return <u32>t;
  }

  int32(end: usize): i32 {
    return <i32>this.varint(end);
  }

  uint32(end: usize): u32 {
    return <u32>this.varint(end);
  }

  sint32(end: usize): i32 {
    const v = <u32>this.varint(end);
    return <i32>((v >>> 1) ^ (0 - (v & 1)));
  }

  int64(end: usize): i64 {
    return <i64>this.varint(end);
  }

  uint64(end: usize): u64 {
    return this.varint(end);
  }

  sint64(end: usize): i64 {
    const v = this.varint(end);
    return <i64>((v >>> 1) ^ (0 - (v & 1)));
  }

  bool(end: usize): bool {
    return this.varint(end) != 0;
  }

  fixed32(end: usize): u32 {
    const p = this.pos;
    if (end - p < 4 || p > end) {
      this.fail(ETRUNCATED);
      return 0;
    }
    this.pos = p + 4;
    return load<u32>(p);
  }

  fixed64(end: usize): u64 {
    const p = this.pos;
    if (end - p < 8 || p > end) {
      this.fail(ETRUNCATED);
      return 0;
    }
    this.pos = p + 8;
    return load<u64>(p);
  }

  sfixed32(end: usize): i32 {
    return <i32>this.fixed32(end);
  }

  sfixed64(end: usize): i64 {
    return <i64>this.fixed64(end);
  }

  float(end: usize): f32 {
    return reinterpret<f32>(this.fixed32(end));
  }

  double(end: usize): f64 {
    return reinterpret<f64>(this.fixed64(end));
  }

  /** A length prefix, checked against the bytes before @p end. */
  len(end: usize): usize {
    const n = this.varint(end);
    if (this.err != 0) return 0;
    if (n > <u64>(end - this.pos)) {
      this.fail(ELENGTH);
      return 0;
    }
    return <usize>n;
  }

  string(end: usize): string {
    const n = this.len(end);
    if (this.err != 0) return "";
    const p = this.pos;
    this.pos = p + n;
    if (!utf8Valid(p, n)) {
      this.fail(EUTF8);
      return "";
    }
    return n == 0 ? "" : String.UTF8.decodeUnsafe(p, n, false);
  }

  bytes(end: usize): Uint8Array {
    const n = this.len(end);
    if (this.err != 0 || n == 0) return EMPTY_BYTES;
    // The copy fills it: no need to zero it first, as new Uint8Array does.
    const buf = changetype<ArrayBuffer>(__new(n, idof<ArrayBuffer>()));
    memory.copy(changetype<usize>(buf), this.pos, n);
    this.pos += n;
    return Uint8Array.wrap(buf);
  }

  /** Merges a length-delimited sub-message into @p m. */
  message(m: Message, end: usize): void {
    const n = this.len(end);
    if (this.err != 0) return;
    if (this.depthLeft == 0) {
      this.fail(EDEPTH);
      return;
    }
    this.depthLeft--;
    const stop = this.pos + n;
    m._merge(this, stop);
    this.depthLeft++;
  }

  /** The end of a packed run of elements @p width bytes wide (0: varints),
   * checked as the C codec checks it; err is set when it is invalid. */
  packed(end: usize, width: usize): usize {
    const n = this.len(end);
    if (this.err != 0) return this.pos;
    const p = this.pos;
    if (width != 0) {
      if (n % width != 0) this.fail(ELENGTH);
    } else if (n != 0) {
      let ends = 0; // varints that end in the run: 0 means it never does
      for (let i: usize = 0; i < n; i++) ends += <i32>(load<u8>(p + i) < 0x80);
      if (ends == 0) this.fail(ETRUNCATED);
    }
    return p + n;
  }

  /** Enters a map entry (a nesting level, as in the C codec); false
   * when too deep. leave() undoes it. */
  enter(): bool {
    if (this.depthLeft == 0) {
      this.fail(EDEPTH);
      return false;
    }
    this.depthLeft--;
    return true;
  }

  leave(): void {
    this.depthLeft++;
  }

  /** Skips the value of an unknown field of tag @p t, and keeps its bytes
   * (from @p start, its tag) in @p m when asked to. */
  unknown(m: Message | null, t: u32, start: usize, end: usize): void {
    this.skip(t & 7, t >> 3, end);
    if (this.err != 0 || !this.keepUnknown || m == null) return;
    const n = <i32>(this.pos - start);
    const old = m._unknown;
    const oldLen = old == null ? 0 : old.length;
    const u = new Uint8Array(oldLen + n);
    if (old != null) memory.copy(u.dataStart, old.dataStart, <usize>oldLen);
    memory.copy(u.dataStart + <usize>oldLen, start, <usize>n);
    m._unknown = u;
  }

  skip(wt: u32, number: u32, end: usize): void {
    if (wt == 0) {
      this.varint(end);
    } else if (wt == 1 || wt == 5) {
      const n: usize = wt == 1 ? 8 : 4;
      if (end - this.pos < n || this.pos > end) this.fail(ETRUNCATED);
      else this.pos += n;
    } else if (wt == 2) {
      const n = this.len(end);
      this.pos += n;
    } else if (wt == 3) {
      this.skipGroup(number, end);
    } else { // an end-group with no start, or wire types 6 and 7
      this.fail(EWIRETYPE);
    }
  }

  skipGroup(number: u32, end: usize): void {
    if (this.depthLeft == 0) {
      this.fail(EDEPTH);
      return;
    }
    this.depthLeft--;
    while (this.err == 0) {
      const t = this.varint(end);
      if (this.err != 0) break;
      if (t > 0xffffffff || (t >> 3) == 0) {
        this.fail(EFIELD);
        break;
      }
      if ((t & 7) == 4) {
        if (<u32>(t >> 3) != number) this.fail(EWIRETYPE);
        break;
      }
      this.skip(<u32>(t & 7), <u32>(t >> 3), end);
    }
    this.depthLeft++;
  }
}

/** Whether @p n bytes at @p p are UTF-8: no over-long forms, surrogates
 * or code points past U+10FFFF (the C codec's rule). */
export function utf8Valid(p: usize, n: usize): bool {
  let i: usize = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: usize;
    let cp: u32;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (let k: usize = 1; k < len; k++) {
      const b = <u32>load<u8>(p + i + k);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

// ---- messages -------------------------------------------------------------

/** Set by _size() when a message nests deeper than MAX_DEPTH: the
 * encoding that follows fails (the C codec's PARIGOT_EDEPTH). */
let tooDeep = false;

/** Called by generated _size() at each level. */
export function depthExceeded(depth: i32): bool {
  if (depth <= MAX_DEPTH) return false;
  tooDeep = true;
  return true;
}

/** What every generated message class extends. */
export abstract class Message {
  /** Unknown fields kept by a decode asked to keep them; written last. */
  _unknown: Uint8Array | null = null;
  /** The size the last _size() computed, used by _write(). */
  _cached: i32 = 0;

  /** Computes (and keeps in _cached) the encoded size at nesting level
   * @p depth, sub-messages included. */
  abstract _size(depth: i32): i32;
  /** Writes the fields; _size() must have run on this value just before. */
  abstract _write(w: Writer): void;
  /** Merges the fields between r.pos and @p end into this message. */
  abstract _merge(r: Reader, end: usize): void;

  /** The encoded size, in bytes. */
  encodedSize(): i32 {
    return this._size(0);
  }

  /** The encoding of this message; traps when it nests deeper than 100
   * levels, which no decoded message does. */
  encode(): Uint8Array {
    const w = new Writer();
    const n = encodeInto(this, w);
    if (n < 0) throw new Error("message nested too deeply to encode");
    const out = new Uint8Array(n);
    memory.copy(out.dataStart, w.buf, <usize>n);
    heap.free(w.buf);
    return out;
  }

  /** Merges the encoded @p bytes into this message (as protobuf merges).
   * Unknown fields are dropped unless @p keepUnknown; input above
   * @p maxSize bytes is refused (the C codec's max_size).
   * @returns 0, or a negative parigot error (ETRUNCATED, EUTF8...). */
  mergeFrom(bytes: Uint8Array, keepUnknown: bool = false,
            maxSize: usize = MAX_SIZE): i32 {
    return mergeRaw(this, bytes.dataStart, <usize>bytes.length, keepUnknown,
                    maxSize);
  }
}

/** Encodes @p m into @p w (reset to its size): the length, or EDEPTH. */
export function encodeInto(m: Message, w: Writer): i32 {
  tooDeep = false;
  const n = m._size(0);
  if (tooDeep) {
    tooDeep = false;
    return EDEPTH;
  }
  w.reset(<usize>n);
  m._write(w);
  return n;
}

const shared = new Reader(0, false);

/** Merges @p len bytes at @p p into @p m: 0 or a negative error, ETOOBIG
 * when @p len is above @p maxSize. */
export function mergeRaw(m: Message, p: usize, len: usize, keepUnknown: bool,
                         maxSize: usize = MAX_SIZE): i32 {
  if (len > maxSize) return ETOOBIG;
  const r = shared;
  r.restart(p, keepUnknown);
  m._merge(r, p + len);
  return r.err;
}

/** A new T decoded from @p bytes, or null when they are not a valid
 * encoding of it or are more than @p maxSize bytes. */
export function decode<T extends Message>(bytes: Uint8Array,
                                          keepUnknown: bool = false,
                                          maxSize: usize = MAX_SIZE):
    T | null {
  const m = instantiate<T>();
  return m.mergeFrom(bytes, keepUnknown, maxSize) == 0 ? m : null;
}

// ---- map keys -------------------------------------------------------------

/** Orders strings by their UTF-8 bytes (code point order), as the C
 * codec orders map keys; UTF-16 order differs past U+D7FF. */
export function compareUtf8(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  const pa = changetype<usize>(a), pb = changetype<usize>(b);
  for (let i = 0; i < n; i++) {
    let x = <u32>load<u16>(pa + (<usize>i << 1));
    let y = <u32>load<u16>(pb + (<usize>i << 1));
    if (x == y) continue;
    // Surrogates (code points past U+FFFF) sort after U+E000..U+FFFF.
    x = x >= 0xd800 && x < 0xe000 ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
    y = y >= 0xd800 && y < 0xe000 ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Map keys in the order the C codec writes them: strings by UTF-8
 * bytes, bools false first, integers by value (signed or not as their
 * type). */
export function sortedKeys<K, V>(m: Map<K, V>): Array<K> {
  const keys = m.keys();
  if (isString<K>()) {
    keys.sort((a: K, b: K): i32 =>
      compareUtf8(changetype<string>(a), changetype<string>(b)));
  } else {
    keys.sort((a: K, b: K): i32 => <i32>(a > b) - <i32>(a < b));
  }
  return keys;
}
