#!/usr/bin/env node
// tests/proto/bufbuild.mjs: the @bufbuild/protobuf peer of the protobuf
// codec tests. It works on any message type by runtime reflection over a
// FileDescriptorSet (protoc --include_imports --descriptor_set_out=FDS).
//
//   node tests/proto/bufbuild.mjs dump FDS TYPE < bytes > dump
//     Decodes TYPE from stdin with fromBinary and prints the canonical value
//     dump (the same text the C side prints from its own decoder). On a
//     decode error: one line on stderr and exit 1.
//
//   node tests/proto/bufbuild.mjs gen FDS TYPE SEED COUNT > bytes
//     Fills field 1 of TYPE (a repeated message field) with COUNT seeded
//     random messages and writes toBinary's bytes. Same seed, same bytes.
//
// The dump: fields in increasing number order, one "<number> <value>" line
// per value, two spaces of indentation per nesting level. Implicit-presence
// fields print only when non-default (floats by bit pattern, so -0 prints),
// explicit-presence fields whenever set, repeated fields once per element,
// maps once per entry with key (1) and value (2) always printed and the
// entry blocks sorted by their text. Integers and enums in decimal, bools as
// true/false, floats as f32:/f64: and their IEEE bits in hex (any NaN as
// nan), strings and bytes as x: and their bytes in hex. Unknown fields never
// print.
//
// @bufbuild/protobuf comes from tools/npm (scripts/install-deps.sh).

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PROG = "bufbuild.mjs";
const here = dirname(fileURLToPath(import.meta.url));
const npmDir = join(here, "..", "..", "tools", "npm");

function fail(msg, code = 2) {
  process.stderr.write(`${PROG}: ${msg}\n`);
  process.exitCode = code;
}

let pb, wkt, reflect;
try {
  const require = createRequire(join(npmDir, "package.json"));
  pb = require("@bufbuild/protobuf");
  wkt = require("@bufbuild/protobuf/wkt");
  ({ reflect } = require("@bufbuild/protobuf/reflect"));
} catch (e) {
  fail(`cannot load @bufbuild/protobuf from ${npmDir} (run scripts/install-deps.sh): ${oneLine(e)}`);
}
const { ScalarType } = pb ?? {};

function oneLine(e) {
  const s = e instanceof Error ? e.message : String(e);
  return s.replace(/\s*\n\s*/g, " ");
}

// Field presence (google.protobuf.FeatureSet.FieldPresence.IMPLICIT).
const IMPLICIT = 2;

function loadMessage(fdsPath, typeName) {
  const fds = pb.fromBinary(wkt.FileDescriptorSetSchema, readFileSync(fdsPath));
  const registry = pb.createFileRegistry(fds);
  const desc = registry.getMessage(typeName);
  if (!desc) throw new Error(`no message type ${typeName} in ${fdsPath}`);
  return desc;
}

// ---------------------------------------------------------------- dump

const scratch = new DataView(new ArrayBuffer(8));

function hex(u8) {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString("hex");
}

function formatScalar(type, v) {
  switch (type) {
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return String(v | 0);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return String(v >>> 0);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return BigInt.asIntN(64, BigInt(v)).toString();
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return BigInt.asUintN(64, BigInt(v)).toString();
    case ScalarType.BOOL:
      return v ? "true" : "false";
    case ScalarType.FLOAT:
      if (Number.isNaN(v)) return "nan";
      scratch.setFloat32(0, v);
      return "f32:" + scratch.getUint32(0).toString(16).padStart(8, "0");
    case ScalarType.DOUBLE:
      if (Number.isNaN(v)) return "nan";
      scratch.setFloat64(0, v);
      return "f64:" + scratch.getBigUint64(0).toString(16).padStart(16, "0");
    case ScalarType.STRING:
      return "x:" + Buffer.from(v, "utf8").toString("hex");
    case ScalarType.BYTES:
      return "x:" + hex(v);
  }
  throw new Error(`unknown scalar type ${type}`);
}

// True when an implicit-presence value differs from its default.
function isNonDefault(type, v) {
  switch (type) {
    case ScalarType.BOOL:
      return v === true;
    case ScalarType.STRING:
      return v.length > 0;
    case ScalarType.BYTES:
      return v.byteLength > 0;
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return !Object.is(v, 0); // +0 is all-zero bits; -0 and NaN are not
    default:
      return BigInt(v) !== 0n;
  }
}

// Formats a singular value of a field's element kind ("scalar"/"enum").
function formatValue(kind, field, v) {
  return kind === "enum" ? String(v | 0) : formatScalar(field.scalar, v);
}

// Appends the lines of message r's fields, at indentation ind, to out.
function dumpMessage(r, ind, out) {
  const deeper = ind + "  ";
  for (const field of r.sortedFields) {
    const n = field.number;
    switch (field.fieldKind) {
      case "scalar":
      case "enum": {
        const v = r.get(field);
        if (field.oneof || field.presence !== IMPLICIT) {
          if (!r.isSet(field)) break;
        } else if (!isNonDefault(field.fieldKind === "enum" ? ScalarType.INT32 : field.scalar, v)) {
          break;
        }
        out.push(`${ind}${n} ${formatValue(field.fieldKind, field, v)}`);
        break;
      }
      case "message":
        if (!r.isSet(field)) break;
        out.push(`${ind}${n} {`);
        dumpMessage(r.get(field), deeper, out);
        out.push(`${ind}}`);
        break;
      case "list":
        for (const item of r.get(field)) {
          if (field.listKind === "message") {
            out.push(`${ind}${n} {`);
            dumpMessage(item, deeper, out);
            out.push(`${ind}}`);
          } else {
            out.push(`${ind}${n} ${formatValue(field.listKind, field, item)}`);
          }
        }
        break;
      case "map": {
        const blocks = [];
        for (const [key, val] of r.get(field)) {
          const b = [`${ind}${n} {`, `${deeper}1 ${formatScalar(field.mapKey, key)}`];
          if (field.mapKind === "message") {
            b.push(`${deeper}2 {`);
            dumpMessage(val, deeper + "  ", b);
            b.push(`${deeper}}`);
          } else {
            b.push(`${deeper}2 ${formatValue(field.mapKind, field, val)}`);
          }
          b.push(`${ind}}`);
          blocks.push(b.join("\n") + "\n");
        }
        blocks.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const b of blocks) out.push(b.slice(0, -1));
        break;
      }
    }
  }
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks);
}

// Writes a Buffer or string to stdout, resolving once it has been handed off.
function writeOut(data) {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

async function cmdDump(fdsPath, typeName) {
  const desc = loadMessage(fdsPath, typeName);
  const input = await readStdin();
  let msg;
  try {
    msg = pb.fromBinary(desc, input);
  } catch (e) {
    fail(`cannot decode ${typeName}: ${oneLine(e)}`, 1);
    return;
  }
  const lines = [];
  dumpMessage(reflect(desc, msg, false), "", lines);
  // Write in pieces of a few MiB: a single string of a huge dump could pass
  // V8's maximum string length.
  let piece = [];
  let size = 0;
  for (const line of lines) {
    piece.push(line);
    size += line.length + 1;
    if (size >= 4 << 20) {
      await writeOut(piece.join("\n") + "\n");
      piece = [];
      size = 0;
    }
  }
  if (piece.length) await writeOut(piece.join("\n") + "\n");
}

// ---------------------------------------------------------------- gen

// xoshiro128** seeded through splitmix64 from the decimal SEED.
class Rng {
  constructor(seed) {
    let x = BigInt.asUintN(64, BigInt(seed));
    const M = (1n << 64n) - 1n;
    const next64 = () => {
      x = (x + 0x9e3779b97f4a7c15n) & M;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
      return z ^ (z >> 31n);
    };
    const a = next64();
    const b = next64();
    this.s = new Uint32Array([
      Number(a & 0xffffffffn), Number(a >> 32n),
      Number(b & 0xffffffffn), Number(b >> 32n),
    ]);
    if (!(this.s[0] | this.s[1] | this.s[2] | this.s[3])) this.s[0] = 1;
  }
  // A uniform uint32.
  u32() {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  // A uniform integer in [0, n), n <= 2^32.
  below(n) {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  chance(num, den) {
    return this.below(den) < num;
  }
  pick(arr) {
    return arr[this.below(arr.length)];
  }
  u64() {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
  fill(u8) {
    let i = 0;
    for (; i + 4 <= u8.length; i += 4) {
      const w = this.u32();
      u8[i] = w;
      u8[i + 1] = w >>> 8;
      u8[i + 2] = w >>> 16;
      u8[i + 3] = w >>> 24;
    }
    for (; i < u8.length; i++) u8[i] = this.u32();
    return u8;
  }
}

function rotl(x, k) {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const MAX_DEPTH = 4; // messages at this depth get no message-typed fields
const BIG = 1 << 20; // the size of a rare huge string or bytes value
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

function genInt32(rng) {
  switch (rng.below(8)) {
    case 0: return rng.pick([0, 1, -1, INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1]);
    case 1: case 2: return rng.below(256) - 128;
    case 3: return rng.below(1 << 20) - (1 << 19);
    default: return rng.u32() | 0;
  }
}

function genUint32(rng) {
  switch (rng.below(8)) {
    case 0: return rng.pick([0, 1, UINT32_MAX, INT32_MAX, 0x80000000, 127, 128]);
    case 1: case 2: return rng.below(256);
    case 3: return rng.below(1 << 20);
    default: return rng.u32();
  }
}

function genInt64(rng) {
  switch (rng.below(8)) {
    case 0: return rng.pick([0n, 1n, -1n, INT64_MIN, INT64_MAX, BigInt(INT32_MIN), BigInt(INT32_MAX), BigInt(UINT32_MAX)]);
    case 1: case 2: return BigInt(rng.below(256) - 128);
    case 3: return BigInt(rng.u32() | 0);
    default: return BigInt.asIntN(64, rng.u64());
  }
}

function genUint64(rng) {
  switch (rng.below(8)) {
    case 0: return rng.pick([0n, 1n, UINT64_MAX, INT64_MAX, 1n << 63n, BigInt(UINT32_MAX), 1n << 32n]);
    case 1: case 2: return BigInt(rng.below(256));
    case 3: return BigInt(rng.u32());
    default: return rng.u64();
  }
}

function genFloat(rng) {
  switch (rng.below(8)) {
    case 0: return rng.pick([0, -0, 1.5, Infinity, -Infinity, NaN, -1.5]);
    case 1: // tiny subnormals and the extremes of float32
      return rng.pick([2 ** -149, -(2 ** -149), 2 ** -140 * 3, 2 ** -126 - 2 ** -149, 2 ** -126, 3.4028234663852886e38, -3.4028234663852886e38]);
    case 2: case 3: return Math.fround(rng.below(2000001) / 1000 - 1000);
    default: { // random finite bits
      scratch.setUint32(0, rng.u32());
      const f = scratch.getFloat32(0);
      return Number.isFinite(f) ? f : Math.fround(rng.u32() / 7);
    }
  }
}

function genDouble(rng) {
  switch (rng.below(8)) {
    case 0: return rng.pick([0, -0, 1.5, Infinity, -Infinity, NaN, -1.5]);
    case 1: // tiny subnormals and the extremes of float64
      return rng.pick([Number.MIN_VALUE, -Number.MIN_VALUE, 5e-324 * 12345, 2 ** -1022 - 2 ** -1074, 2 ** -1022, Number.MAX_VALUE, -Number.MAX_VALUE]);
    case 2: case 3: return rng.below(2000001) / 1000 - 1000;
    default: {
      scratch.setBigUint64(0, rng.u64());
      const d = scratch.getFloat64(0);
      return Number.isFinite(d) ? d : rng.u32() / 7;
    }
  }
}

// Characters of 1 to 4 UTF-8 bytes, with U+0000 and U+1F600.
const CHARS = ["a", "Z", "0", " ", "~", "\0", "\n", "\u00e9", "\u00ff", "\u0100", "\u07ff",
  "\u0800", "\u4e2d", "\ufeff", "\uffff", "\u{10000}", "\u{1f600}", "\u{10ffff}"];

function genString(rng) {
  if (rng.chance(1, 300)) return bigString(rng);
  switch (rng.below(6)) {
    case 0: return "";
    case 1: case 2: { // ASCII
      const n = 1 + rng.below(24);
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(32 + rng.below(95));
      return s;
    }
    default: { // mixed, multi-byte
      const n = 1 + rng.below(12);
      let s = "";
      for (let i = 0; i < n; i++) s += rng.chance(1, 2) ? rng.pick(CHARS) : String.fromCodePoint(randomCodePoint(rng));
      return s;
    }
  }
}

// A random Unicode scalar value (no surrogates), of any UTF-8 length.
function randomCodePoint(rng) {
  for (;;) {
    let cp;
    switch (rng.below(4)) {
      case 0: cp = rng.below(0x80); break;
      case 1: cp = 0x80 + rng.below(0x800 - 0x80); break;
      case 2: cp = 0x800 + rng.below(0x10000 - 0x800); break;
      default: cp = 0x10000 + rng.below(0x110000 - 0x10000); break;
    }
    if (cp < 0xd800 || cp > 0xdfff) return cp;
  }
}

// A string of exactly BIG bytes of UTF-8.
function bigString(rng) {
  const buf = Buffer.alloc(BIG);
  let pos = 0;
  while (pos < BIG) {
    const left = BIG - pos;
    const cp = left >= 4 ? randomCodePoint(rng) : rng.below(0x80);
    pos += buf.write(String.fromCodePoint(cp), pos, "utf8");
  }
  const s = buf.toString("utf8");
  if (Buffer.byteLength(s, "utf8") !== BIG) throw new Error("bigString: wrong length");
  return s;
}

function genBytes(rng) {
  if (rng.chance(1, 300)) return rng.fill(new Uint8Array(BIG));
  switch (rng.below(5)) {
    case 0: return new Uint8Array(0);
    case 1: return Uint8Array.of(rng.pick([0, 0xff, 0x80, 0x7f]));
    default: return rng.fill(new Uint8Array(1 + rng.below(40)));
  }
}

const UNKNOWN_ENUM = [7, 12345, -99, INT32_MAX, INT32_MIN, 4, 100];

function genEnum(rng, enumDesc) {
  if (enumDesc.open && rng.chance(1, 8)) {
    const unknown = UNKNOWN_ENUM.filter((n) => !enumDesc.values.some((v) => v.number === n));
    if (unknown.length) return rng.pick(unknown);
  }
  return rng.pick(enumDesc.values).number;
}

function genScalar(rng, type) {
  switch (type) {
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return genInt32(rng);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return genUint32(rng);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return genInt64(rng);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return genUint64(rng);
    case ScalarType.BOOL:
      return rng.chance(1, 2);
    case ScalarType.FLOAT:
      return genFloat(rng);
    case ScalarType.DOUBLE:
      return genDouble(rng);
    case ScalarType.STRING:
      return genString(rng);
    case ScalarType.BYTES:
      return genBytes(rng);
  }
  throw new Error(`unknown scalar type ${type}`);
}

// A value for a singular field or one element of a list or map value.
function genValue(rng, kind, field, depth) {
  switch (kind) {
    case "scalar": return genScalar(rng, field.scalar);
    case "enum": return genEnum(rng, field.enum);
    case "message": return genMessage(rng, field.message, depth + 1);
  }
  throw new Error(`unknown field kind ${kind}`);
}

// A random message of desc at nesting depth `depth`; returns its reflection.
function genMessage(rng, desc, depth) {
  const r = reflect(desc);
  for (const member of desc.members) {
    if (member.kind === "oneof") {
      if (rng.chance(1, 2)) continue;
      const choices = member.fields.filter((f) => f.fieldKind !== "message" || depth < MAX_DEPTH);
      if (!choices.length) continue;
      setField(rng, r, rng.pick(choices), depth);
    } else if (rng.chance(1, 2)) {
      setField(rng, r, member, depth);
    }
  }
  return r;
}

function setField(rng, r, field, depth) {
  const deep = depth >= MAX_DEPTH;
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
      r.set(field, genValue(rng, field.fieldKind, field, depth));
      break;
    case "message":
      if (!deep) r.set(field, genValue(rng, "message", field, depth));
      break;
    case "list": {
      if (deep && field.listKind === "message") break;
      const list = r.get(field);
      const n = rng.below(6);
      for (let i = 0; i < n; i++) list.add(genValue(rng, field.listKind, field, depth));
      break;
    }
    case "map": {
      if (deep && field.mapKind === "message") break;
      const map = r.get(field);
      const n = rng.below(5);
      for (let i = 0; i < n; i++) {
        map.set(genScalar(rng, field.mapKey), genValue(rng, field.mapKind, field, depth));
      }
      break;
    }
  }
}

async function cmdGen(fdsPath, typeName, seedText, countText) {
  if (!/^-?[0-9]+$/.test(seedText)) throw new Error(`bad SEED ${seedText}`);
  if (!/^[0-9]+$/.test(countText)) throw new Error(`bad COUNT ${countText}`);
  const desc = loadMessage(fdsPath, typeName);
  const f1 = desc.fields.find((f) => f.number === 1);
  if (!f1 || f1.fieldKind !== "list" || f1.listKind !== "message") {
    throw new Error(`field 1 of ${typeName} is not a repeated message field`);
  }
  const rng = new Rng(BigInt(seedText));
  const top = reflect(desc);
  const list = top.get(f1);
  const count = Number(countText);
  for (let i = 0; i < count; i++) list.add(genMessage(rng, f1.message, 1));
  const bytes = pb.toBinary(desc, top.message);
  await writeOut(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

// ---------------------------------------------------------------- main

const USAGE = `usage: node ${PROG} dump FDS TYPE < bytes\n       node ${PROG} gen FDS TYPE SEED COUNT > bytes`;

async function main(argv) {
  if (!pb) return;
  // A failed write (e.g. EPIPE) rejects writeOut and is reported there.
  process.stdout.on("error", () => {});
  const [cmd, ...args] = argv;
  try {
    if (cmd === "dump" && args.length === 2) {
      await cmdDump(...args);
    } else if (cmd === "gen" && args.length === 4) {
      await cmdGen(...args);
    } else {
      process.stderr.write(USAGE + "\n");
      process.exitCode = 2;
    }
  } catch (e) {
    fail(oneLine(e));
  }
}

await main(process.argv.slice(2));
