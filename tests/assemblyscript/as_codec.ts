// tests/assemblyscript/as_codec.ts: the generated AssemblyScript codec,
// checked inside a wasm guest run by parigot. It checks exact bytes of
// tricky values (the C codec's rules: -0.0 written, ten-byte negative
// int32, maps sorted by UTF-8 key...), decode merging, unknown fields, and
// each hostile input's error; any mismatch is logged and the program exits
// 1. It prints every exact encoding as "known TYPE HEX", which the test has
// the C codec re-encode, and for each argument (a hex parigot.test.v1.Batch
// the C codec wrote) "batch HEX", its re-encoding by this codec.
import {
  EDEPTH, ELENGTH, ETOOBIG, ETRUNCATED, EUTF8, EVARINT, EFIELD, EWIRETYPE,
  Level, Message, Writer, args, encodeInto, exit, guest, log, print,
} from "parigot";
import { Point, Status } from "parigot/test/common/v1/common.pg";
import {
  Batch, Color, Maps, Optionals, Repeateds, Rich, Rich_ChoiceCase,
  Rich_Empty, Rich_Inner, Scalars,
} from "parigot/test/v1/rich.pg";
export * from "parigot/exports";

let checks = 0;

function check(ok: bool, what: string): void {
  checks++;
  if (ok) return;
  log(Level.ERROR, "check failed: " + what);
  print("FAIL " + what);
  exit(1);
}

// Hex both ways in linear time: a batch may hold a 1 MiB string.
function hex(b: Uint8Array): string {
  const out = new Uint8Array(b.length * 2);
  for (let i = 0; i < b.length; i++) {
    const hi = b[i] >> 4, lo = b[i] & 15;
    out[2 * i] = hi < 10 ? 0x30 + hi : 0x57 + hi;
    out[2 * i + 1] = lo < 10 ? 0x30 + lo : 0x57 + lo;
  }
  return String.UTF8.decode(out.buffer);
}

function nibble(c: i32): u8 {
  return <u8>(c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
}

function unhex(s: string): Uint8Array {
  const b = new Uint8Array(s.length >> 1);
  for (let i = 0; i < b.length; i++)
    b[i] = (nibble(s.charCodeAt(2 * i)) << 4) | nibble(s.charCodeAt(2 * i + 1));
  return b;
}

/** @p m encodes to @p want (hex); printed for the C side to check too. */
function exact(type: string, m: Message, want: string): void {
  const got = hex(m.encode());
  check(got == want, type + " encodes to " + got + ", not " + want);
  print("known " + type + " " + got);
}

/** Decoding @p bytes (hex) as a T fails with @p code. */
function refused<T extends Message>(bytes: string, code: i32,
                                    what: string): void {
  const rc = instantiate<T>().mergeFrom(unhex(bytes));
  check(rc == code, what + ": got " + rc.toString() + ", not " +
                    code.toString());
}

function exactBytes(): void {
  let s = new Scalars();
  s.fInt32 = -1;
  exact("parigot.test.v1.Scalars", s, "18ffffffffffffffffff01");
  s = new Scalars();
  s.fDouble = -0.0;
  exact("parigot.test.v1.Scalars", s, "090000000000000080");
  s = new Scalars();
  s.fFloat = reinterpret<f32>(<u32>0x7fc00001); // a NaN, bits kept
  exact("parigot.test.v1.Scalars", s, "150100c07f");
  s = new Scalars();
  s.fSint64 = i64.MIN_VALUE;
  s.fUint64 = u64.MAX_VALUE;
  exact("parigot.test.v1.Scalars", s,
        "30ffffffffffffffffff0140ffffffffffffffffff01");
  s = new Scalars();
  s.fString = "\u00e9\u{1F600}";
  s.fEnum = Color.COLOR_NEGATIVE;
  s.fBool = true;
  exact("parigot.test.v1.Scalars", s,
        "6801" + "7206c3a9f09f9880" + "8001ffffffffffffffffff01");

  s = new Scalars();
  s.fString = "a\ud800b"; // a lone surrogate is written as U+FFFD
  exact("parigot.test.v1.Scalars", s, "720561efbfbd62");

  const r = new Rich();
  r.maxFieldNumber = 1;
  r.pastTwoByteTag = 5;
  r.default_ = 7;
  r.register = "r";
  r.signed = [3];
  r.empty = new Rich_Empty();
  r.choiceCase = Rich_ChoiceCase.CHOICE_INT32; // written although 0
  exact("parigot.test.v1.Rich", r,
        "4a00" + "a00100" + "c00207" + "ca020172" + "d2020103" +
        "85800105000000" + "f8ffffff0f02");

  const o = new Optionals();
  o.hasFInt32 = true; // explicit presence: 0 is written
  o.hasFString = true;
  exact("parigot.test.v1.Optionals", o, "18007200");

  const p = new Repeateds();
  p.fInt32 = [1, -1];
  p.unpackedInt32 = [1, 0];
  p.fBool = [true, false];
  p.fFixed32 = [1];
  exact("parigot.test.v1.Repeateds", p,
        "1a0b01ffffffffffffffffff014a04010000006a0201009001019001" + "00");

  const m = new Maps();
  // UTF-16 order would put U+1F600 (a surrogate pair) before U+E000.
  m.stringInt32.set("b", 2);
  m.stringInt32.set("\u{1F600}", 4);
  m.stringInt32.set("a", 1);
  m.stringInt32.set("\ue000", 5);
  m.stringInt32.set("\u00e9", 3);
  m.int32String.set(1, "y");
  m.int32String.set(-1, "x");
  m.int32String.set(0, ""); // default key and value: both still written
  m.boolString.set(true, "t");
  m.boolString.set(false, "f");
  m.uint64Float.set(u64.MAX_VALUE, 1.0);
  m.uint64Float.set(1, 2.0);
  m.sfixed64Fixed32.set(3, 2);
  m.sfixed64Fixed32.set(-5, 1);
  m.stringInner.set("k", new Rich_Inner());
  exact("parigot.test.v1.Maps", m,
        "0a050a01611001" + "0a050a01621002" + "0a060a02c3a91003" +
        "0a070a03ee80801005" + "0a080a04f09f98801004" +
        "120e08ffffffffffffffffff01120178" + "120408001200" +
        "1205080112017" + "9" +
        "2a0708011500000040" + "2a10" + "08ffffffffffffffffff01" +
        "150000803f" +
        "5a0e09fbffffffffffffff1501000000" +
        "5a0e0903000000000000001502000000" +
        "62050800120166" + "62050801120174" +
        "6a050a016b1200");
}

function mergeRules(): void {
  // Two encodings one after the other merge: the last scalar wins, a
  // message merges, repeated fields append, a map keeps the last value.
  const a = new Rich();
  a.inner = new Rich_Inner();
  a.inner!.a = 1;
  a.default_ = 1;
  a.signed = [1];
  a.maps = new Maps();
  a.maps!.stringInt32.set("k", 1);
  const b = new Rich();
  b.inner = new Rich_Inner();
  b.inner!.b = "two";
  b.default_ = 2;
  b.signed = [2];
  b.maps = new Maps();
  b.maps!.stringInt32.set("k", 2);
  const ab = new Rich();
  check(ab.mergeFrom(a.encode()) == 0 && ab.mergeFrom(b.encode()) == 0,
        "merge decodes");
  check(ab.inner!.a == 1 && ab.inner!.b == "two", "messages merge");
  check(ab.default_ == 2, "the last scalar wins");
  check(ab.signed.length == 2 && ab.signed[1] == 2, "repeated appends");
  check(ab.maps!.stringInt32.size == 1 && ab.maps!.stringInt32.get("k") == 2,
        "a map keeps the last value of a key");

  // A oneof keeps the last member, which starts afresh.
  const c = new Rich();
  check(c.mergeFrom(unhex("b201020801" + "aa010178" + "b201022801")) == 0,
        "oneof decodes");
  check(c.choiceCase == Rich_ChoiceCase.CHOICE_INNER &&
        c.choiceInner!.a == 0 && c.choiceInner!.color == 1 &&
        c.choiceString == "", "a oneof switch starts afresh");

  // Packed and unpacked both decode, and encode packed.
  const d = new Repeateds();
  check(d.mergeFrom(unhex("1801" + "1a020203" + "1804")) == 0 &&
        d.fInt32.length == 4 && d.fInt32[3] == 4, "packed and unpacked");
  check(hex(d.encode()) == "1a0401020304", "repeated scalars pack");

  // Unknown fields: dropped, or kept and written last.
  const u = unhex("a00601" + "1801" + "a306" + "0801" + "a406");
  const dropped = new Scalars();
  check(dropped.mergeFrom(u) == 0 && hex(dropped.encode()) == "1801",
        "unknown fields are dropped");
  const kept = new Scalars();
  check(kept.mergeFrom(u, true) == 0 &&
        hex(kept.encode()) == "1801" + "a00601" + "a3060801a406",
        "unknown fields kept go last");

  // Values that must survive bit for bit.
  const s = new Scalars();
  s.fDouble = reinterpret<f64>(<u64>0xfff8000000000abc);
  s.fFloat = -0.0;
  s.fSfixed64 = i64.MIN_VALUE;
  s.fSint32 = i32.MIN_VALUE;
  s.fBytes = unhex("00ff00");
  s.fString = "\u{10FFFF}\u0000x";
  const back = Scalars.decode(s.encode());
  check(back != null, "tricky scalars decode");
  check(reinterpret<u64>(back!.fDouble) == 0xfff8000000000abc &&
        reinterpret<u32>(back!.fFloat) == 0x80000000 &&
        back!.fSfixed64 == i64.MIN_VALUE && back!.fSint32 == i32.MIN_VALUE &&
        hex(back!.fBytes) == "00ff00" && back!.fString == s.fString,
        "tricky scalars round-trip bit for bit");

  const pt = new Point();
  pt.x = -3;
  pt.label = "p";
  pt.status = Status.STATUS_FAILED;
  const r = new Rich();
  r.point = pt;
  r.status = Status.STATUS_OK;
  r.maps = new Maps();
  r.maps!.int32Point.set(-2, pt);
  r.maps!.stringStatus.set("s", Status.STATUS_FAILED);
  const once = r.encode();
  const again = Rich.decode(once)!.encode();
  check(hex(once) == hex(again), "imported types round-trip");
}

/** An Inner nested @p n levels below the top (field 3, child). */
function nested(n: i32): string {
  let s = "";
  for (let i = 0; i < n; i++) s = "1a" + lenHex(s.length >> 1) + s;
  return s;
}

function lenHex(n: i32): string {
  const w = new Writer();
  w.reset(10);
  w.varint32(<u32>n);
  const out = new Uint8Array(<i32>w.length);
  memory.copy(out.dataStart, w.buf, w.length);
  return hex(out);
}

function hostile(): void {
  refused<Scalars>("18", ETRUNCATED, "a truncated varint");
  refused<Scalars>("18ffffffffffffffffff02", EVARINT, "a varint too long");
  refused<Scalars>("720561", ELENGTH, "a length past the end");
  refused<Scalars>("1a00", EWIRETYPE, "a wrong wire type");
  refused<Scalars>("0000", EFIELD, "field number 0");
  refused<Scalars>("0f", EWIRETYPE, "wire type 7");
  refused<Scalars>("7201ff", EUTF8, "a byte that is not UTF-8");
  refused<Scalars>("7203eda080", EUTF8, "a surrogate in UTF-8");
  refused<Scalars>("7202c080", EUTF8, "an over-long form");
  refused<Scalars>("a3060801ac06", EWIRETYPE, "a group ended by another");
  refused<Repeateds>("4a03010203", ELENGTH, "a packed fixed32 run");
  refused<Repeateds>("1a0180", ETRUNCATED, "a packed run that never ends");
  refused<Rich_Inner>(nested(101), EDEPTH, "101 levels of nesting");
  check(new Rich_Inner().mergeFrom(unhex(nested(100))) == 0,
        "100 levels of nesting decode");
  check(new Scalars().mergeFrom(new Uint8Array((4 << 20) + 1)) == ETOOBIG,
        "input above 4 MiB");
  // A valid message above 4 MiB: refused by default, read with a limit
  // above it, as the C codec's max_size.
  const big = new Scalars();
  big.fBytes = new Uint8Array(4 << 20);
  big.fBytes[(4 << 20) - 1] = 7;
  const bigBytes = big.encode();
  check(new Scalars().mergeFrom(bigBytes) == ETOOBIG &&
        Scalars.decode(bigBytes) == null,
        "a valid message above 4 MiB is refused by default");
  const bigBack = Scalars.decode(bigBytes, false, bigBytes.length);
  check(bigBack != null, "a message of maxSize bytes decodes");
  check(bigBack!.fBytes.length == 4 << 20 &&
        bigBack!.fBytes[(4 << 20) - 1] == 7, "its bytes come back");
  check(new Scalars().mergeFrom(bigBytes, false, bigBytes.length - 1) ==
        ETOOBIG, "a maxSize one byte short refuses it");

  let deep = new Rich_Inner();
  for (let i = 0; i < 101; i++) {
    const up = new Rich_Inner();
    up.child = deep;
    deep = up;
  }
  check(encodeInto(deep, new Writer()) == EDEPTH,
        "encoding 101 levels fails");
  check(encodeInto(deep.child!, new Writer()) > 0, "100 levels encode");
}

guest((): void => {}, (): void => {
  exactBytes();
  mergeRules();
  hostile();
  const a = args();
  // A batch may be above 4 MiB (a few 1 MiB strings): read it with the
  // limit pg-proto-tool and rs_pbtool read theirs with.
  for (let i = 1; i < a.length; i++) {
    const batch = new Batch();
    const rc = batch.mergeFrom(unhex(a[i]), false, 1 << 30);
    check(rc == 0, "argument " + i.toString() + " decodes (" +
                   rc.toString() + ")");
    print("batch " + hex(batch.encode()));
  }
  print("ok " + checks.toString() + " checks");
  exit(0);
});
