// sdk/assemblyscript/parigot/mock.ts: what the mocks protoc-gen-parigot
// generates (`ServiceMock`, in each .pg.ts with a service) run on:
// expectations, the answers they give, recorded calls and verify().
//
// A test program makes a mock at the top level, exports it in its declare
// function (`mock.serve()`), and sets expectations, usually in its start
// function; the kernel hands a test program's exports the calls of the
// services it stands in for, from its declare on (docs/testing.md, Mocks).
// AssemblyScript has no closures, so everything a mock does is data set
// through an Expectation: the request to match (equal encodings), a
// predicate (a function capturing nothing), how many times, the answer
// (a response, a function of the request, or a failure with its code)
// and a delay, which is a Sleep of parigot.test.v1.Test on the app's
// clock (virtual in deterministic mode). verify() logs every unmet
// expectation and unexpected call at ERROR, last a line that names the
// first of them (a failing test's reason is its last ERROR line), and
// returns false. Requests are shown as text read from the .proto's own
// descriptor, which generated code embeds: `Price({sku: "pear"})`.
//
// State lives in the mock object, reachable from the guest's exports, so
// the SDK's collector (which scans globals between events) keeps it; this
// file has none of its own. Delays are testing.ts's sleep().
import {
  Call, Code, FileDesc, Level, Service, ServiceDesc, exit, exportService, log,
  now,
} from "./guest";
import { Message, Reader } from "./pb";
import { requireTest, sleep } from "./testing";

// ---- requests as text -----------------------------------------------------

/** The bytes of one FileDescriptorProto or DescriptorProto, or a field of
 * one: a span of linear memory that stays (generated code's static data). */
class Span {
  constructor(public p: usize, public n: usize) {}
}

const MAX_TEXT_DEPTH = 16;

// Field types of descriptor.proto's FieldDescriptorProto.Type.
const TYPE_DOUBLE: u32 = 1, TYPE_FLOAT: u32 = 2, TYPE_INT64: u32 = 3,
  TYPE_UINT64: u32 = 4, TYPE_INT32: u32 = 5, TYPE_FIXED64: u32 = 6,
  TYPE_FIXED32: u32 = 7, TYPE_BOOL: u32 = 8, TYPE_STRING: u32 = 9,
  TYPE_MESSAGE: u32 = 11, TYPE_BYTES: u32 = 12, TYPE_UINT32: u32 = 13,
  TYPE_ENUM: u32 = 14, TYPE_SFIXED32: u32 = 15, TYPE_SFIXED64: u32 = 16,
  TYPE_SINT32: u32 = 17, TYPE_SINT64: u32 = 18;

/** Each length-delimited field @p number of the message in @p s. */
function subSpans(s: Span, number: u32): Array<Span> {
  const out = new Array<Span>();
  const end = s.p + s.n;
  const r = new Reader(s.p, false);
  while (r.pos < end && r.err == 0) {
    const t = r.tag(end);
    if (t == 0) break;
    if (t == ((number << 3) | 2)) {
      const n = r.len(end);
      if (r.err == 0) out.push(new Span(r.pos, n));
      r.pos += n;
    } else {
      r.skip(t & 7, t >> 3, end);
    }
  }
  return out;
}

/** String field @p number of the message in @p s ("" when absent). */
function stringField(s: Span, number: u32): string {
  const all = subSpans(s, number);
  if (all.length == 0) return "";
  const f = all[all.length - 1];
  return f.n == 0 ? "" : String.UTF8.decodeUnsafe(f.p, f.n, false);
}

/** Varint field @p number of the message in @p s (0 when absent). */
function varintField(s: Span, number: u32): u64 {
  const end = s.p + s.n;
  const r = new Reader(s.p, false);
  let v: u64 = 0;
  while (r.pos < end && r.err == 0) {
    const t = r.tag(end);
    if (t == 0) break;
    if (t == (number << 3)) v = r.varint(end);
    else r.skip(t & 7, t >> 3, end);
  }
  return v;
}

/** The DescriptorProto (or, with @p isEnum, EnumDescriptorProto) of type
 * @p name (".pkg.Outer.Inner") among @p messages (a file's or a
 * message's) and @p enums beside them, whose full names start with
 * @p prefix. */
function findIn(messages: Array<Span>, enums: Array<Span>, prefix: string,
                name: string, isEnum: bool): Span | null {
  if (isEnum)
    for (let i = 0; i < enums.length; i++)
      if (prefix + "." + stringField(enums[i], 1) == name) return enums[i];
  for (let i = 0; i < messages.length; i++) {
    const full = prefix + "." + stringField(messages[i], 1);
    if (full == name && !isEnum) return messages[i];
    if (name.startsWith(full + ".")) {
      const inner = findIn(subSpans(messages[i], 3), subSpans(messages[i], 4),
                           full, name, isEnum);
      if (inner != null) return inner;
    }
  }
  return null;
}

/** The descriptor of message (or enum) @p name in @p f or the files it
 * imports. */
function findType(f: FileDesc, name: string, isEnum: bool): Span | null {
  const file = new Span(f.descriptor, <usize>f.descriptorLen);
  const pkg = stringField(file, 2);
  const found = findIn(subSpans(file, 4), subSpans(file, 5),
                       pkg.length ? "." + pkg : "", name, isEnum);
  if (found != null) return found;
  for (let i = 0; i < f.deps.length; i++) {
    const d = findType(f.deps[i], name, isEnum);
    if (d != null) return d;
  }
  return null;
}

function findMessage(f: FileDesc, name: string): Span | null {
  return findType(f, name, false);
}

/** The name of value @p v of enum field @p fd, or its number when the
 * enum has no such value (open enums keep unknown numbers). */
function enumText(v: i32, fd: Span | null, f: FileDesc): string {
  if (fd != null) {
    const e = findType(f, stringField(fd, 6), true);
    if (e != null) {
      const values = subSpans(e, 2);
      for (let i = 0; i < values.length; i++)
        if (<i32>varintField(values[i], 2) == v)
          return stringField(values[i], 1);
    }
  }
  return v.toString();
}

/** The FieldDescriptorProto numbered @p number in message @p m. */
function fieldNumbered(m: Span | null, number: u32): Span | null {
  if (m == null) return null;
  const fields = subSpans(m, 2);
  for (let i = 0; i < fields.length; i++)
    if (varintField(fields[i], 3) == <u64>number) return fields[i];
  return null;
}

function hex(p: usize, n: usize): string {
  let s = "0x";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + (<u32>b).toString(16);
  }
  return n == 0 ? "\"\"" : s;
}

function quoted(p: usize, n: usize): string {
  const s = n == 0 ? "" : String.UTF8.decodeUnsafe(p, n, false);
  return "\"" + s.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"") + "\"";
}

/** A varint of field type @p type as text. */
function varintText(v: u64, type: u32): string {
  if (type == TYPE_BOOL) return v != 0 ? "true" : "false";
  if (type == TYPE_UINT64 || type == TYPE_UINT32) return v.toString();
  if (type == TYPE_SINT32 || type == TYPE_SINT64)
    return (<i64>(v >>> 1) ^ -(<i64>(v & 1))).toString();
  if (type == TYPE_INT32) return (<i32>v).toString();
  return (<i64>v).toString(); // int64, enum (its number), unknown
}

function fixedText(v: u64, wt: u32, type: u32): string {
  if (wt == 5) {
    if (type == TYPE_FLOAT) return reinterpret<f32>(<u32>v).toString();
    if (type == TYPE_SFIXED32) return (<i32>v).toString();
    return (<u32>v).toString();
  }
  if (type == TYPE_DOUBLE) return reinterpret<f64>(v).toString();
  if (type == TYPE_SFIXED64) return (<i64>v).toString();
  return v.toString();
}

/** A packed run of scalars of field type @p type (field @p fd) as
 * "[a, b]". */
function packedText(p: usize, n: usize, type: u32, fd: Span | null,
                    f: FileDesc): string {
  const end = p + n;
  const r = new Reader(p, false);
  let s = "[";
  while (r.pos < end && r.err == 0) {
    if (s.length > 1) s += ", ";
    if (type == TYPE_FIXED32 || type == TYPE_SFIXED32 || type == TYPE_FLOAT)
      s += fixedText(<u64>r.fixed32(end), 5, type);
    else if (type == TYPE_FIXED64 || type == TYPE_SFIXED64 ||
             type == TYPE_DOUBLE)
      s += fixedText(r.fixed64(end), 1, type);
    else if (type == TYPE_ENUM)
      s += enumText(<i32>r.varint(end), fd, f);
    else
      s += varintText(r.varint(end), type);
  }
  return s + "]";
}

/** The message @p n bytes at @p p as "{name: value, ...}", names and types
 * from descriptor @p m (null: field numbers, and what the bytes look
 * like). Bytes that are not a message come out as hex. */
function messageText(p: usize, n: usize, m: Span | null, f: FileDesc,
                     depth: i32): string {
  const end = p + n;
  const r = new Reader(p, false);
  let s = "";
  while (r.pos < end && r.err == 0) {
    const t = r.tag(end);
    if (t == 0) break;
    const number = t >> 3, wt = t & 7;
    const fd = fieldNumbered(m, number);
    const type = fd == null ? 0 : <u32>varintField(fd, 5);
    const name = fd == null ? number.toString() : stringField(fd, 1);
    let v = "";
    if (wt == 0 && type == TYPE_ENUM) {
      v = enumText(<i32>r.varint(end), fd, f);
    } else if (wt == 0) {
      v = varintText(r.varint(end), type);
    } else if (wt == 1) {
      v = fixedText(r.fixed64(end), 1, type);
    } else if (wt == 5) {
      v = fixedText(<u64>r.fixed32(end), 5, type);
    } else if (wt == 2) {
      const len = r.len(end);
      if (r.err != 0) break;
      const q = r.pos;
      r.pos += len;
      v = lengthText(q, len, type, fd, f, depth);
    } else {
      r.skip(wt, number, end);
      v = "(group)";
    }
    s += (s.length ? ", " : "") + name + ": " + v;
  }
  if (r.err != 0) return hex(p, n);
  return "{" + s + "}";
}

function lengthText(p: usize, n: usize, type: u32, fd: Span | null,
                    f: FileDesc, depth: i32): string {
  if (type == TYPE_STRING) return quoted(p, n);
  if (type == TYPE_BYTES) return hex(p, n);
  if (type == TYPE_MESSAGE) {
    if (depth >= MAX_TEXT_DEPTH) return "{...}";
    let sub: Span | null = null;
    if (fd != null) sub = findMessage(f, stringField(fd, 6));
    return messageText(p, n, sub, f, depth + 1);
  }
  if (type != 0) return packedText(p, n, type, fd, f);
  return hex(p, n); // an unknown field: its bytes
}

/** Message @p m as text: `{sku: "pear", quantity: 2}`, with the names and
 * types of its type @p typeName (".pkg.Name") found in @p file or the
 * files it imports. */
export function messageToText(m: Message, file: FileDesc,
                              typeName: string): string {
  const b = m.encode();
  return messageText(b.dataStart, <usize>b.length, findMessage(file, typeName),
                     file, 0);
}

// ---- expectations ---------------------------------------------------------

/** What every Expectation shares, for verify(). */
export abstract class ExpectationBase {
  /** How many calls it took so far. */
  count: i32 = 0;
  min: i32 = 1;
  max: i32 = 1; // -1: no upper bound
  label: string | null = null;

  /** The expectation as verify() names it: `Price({sku: "pear"})`. */
  abstract describe(): string;

  /** Whether it was called as often as it expects. */
  isMet(): bool {
    return this.count >= this.min && (this.max < 0 || this.count <= this.max);
  }

  /** "once", "3 times", "at least 2 times", "any number of times". */
  expected(): string {
    if (this.max < 0)
      return this.min == 0 ? "any number of times"
                           : "at least " + times(this.min);
    return this.min == this.max ? times(this.min)
                                : times(this.min) + " to " + times(this.max);
  }
}

function times(n: i32): string {
  return n == 1 ? "once" : n.toString() + " times";
}

/** One expected call of one method: what it matches, how many times, how
 * it is answered. Every setter returns the expectation, to chain:
 * `mock.expectPrice().withRequest(pear).times(2).returns(cents(120))`.
 * Unless told, it expects one call and answers with an empty response. */
export class Expectation<Req extends Message, Resp extends Message>
    extends ExpectationBase {
  request: Uint8Array | null = null;
  requestText: string = "";
  predicate: ((req: Req) => bool) | null = null;
  response: Resp | null = null;
  answerFn: ((req: Req) => Resp) | null = null;
  failCode: u32 = 0;
  failMessage: string = "";
  failAppError: i32 = 0;
  delayNs: u64 = 0;

  constructor(public readonly method: MockMethod<Req, Resp>) {
    super();
  }

  /** Matches only a request whose encoding is @p req's (so, for the same
   * schema, an equal value). */
  withRequest(req: Req): Expectation<Req, Resp> {
    this.request = req.encode();
    this.requestText = this.method.text(req);
    return this;
  }

  /** Matches only a request @p pred accepts (a function that captures
   * nothing: a top-level function, or an arrow using only its argument
   * and globals). */
  when(pred: (req: Req) => bool): Expectation<Req, Resp> {
    this.predicate = pred;
    return this;
  }

  /** Expects exactly @p n calls (0: none). */
  times(n: i32): Expectation<Req, Resp> {
    this.min = n;
    this.max = n;
    return this;
  }

  /** Expects @p n calls or more. */
  atLeast(n: i32): Expectation<Req, Resp> {
    this.min = n;
    this.max = -1;
    return this;
  }

  /** Expects any number of calls, none included. */
  anyTimes(): Expectation<Req, Resp> {
    return this.atLeast(0);
  }

  /** Answers with @p resp. */
  returns(resp: Resp): Expectation<Req, Resp> {
    this.response = resp;
    return this;
  }

  /** Answers with what @p fn makes of the request (capturing nothing). */
  answers(fn: (req: Req) => Resp): Expectation<Req, Resp> {
    this.answerFn = fn;
    return this;
  }

  /** Answers with a failure: @p code other than OK (Code.UNKNOWN with the
   * service's own error value in @p appError), and @p message. */
  fails(code: u32, message: string,
        appError: i32 = 0): Expectation<Req, Resp> {
    this.failCode = code;
    this.failMessage = message;
    this.failAppError = appError;
    return this;
  }

  /** Answers @p delayNs after the call came, on the app's clock. */
  after(delayNs: u64): Expectation<Req, Resp> {
    this.delayNs = delayNs;
    return this;
  }

  /** Names it in verify()'s report instead of its method and request. */
  named(label: string): Expectation<Req, Resp> {
    this.label = label;
    return this;
  }

  describe(): string {
    const l = this.label;
    if (l != null) return l;
    let what = this.request != null ? this.requestText : "";
    if (this.predicate != null)
      what += (what.length ? " and " : "") + "a request its predicate accepts";
    return this.method.name + "(" + (what.length ? what : "any request") +
           ")";
  }

  matches(req: Req, bytes: Uint8Array): bool {
    const want = this.request;
    if (want != null &&
        (want.length != bytes.length ||
         memory.compare(want.dataStart, bytes.dataStart,
                        <usize>bytes.length) != 0))
      return false;
    const p = this.predicate;
    return p == null || p(req);
  }

  /** Answers @p call now, as this expectation says. */
  answer(call: Call<Resp>, req: Req): void {
    if (this.failCode != Code.OK) {
      call.fail(this.failCode, this.failAppError, this.failMessage);
      return;
    }
    const fn = this.answerFn;
    if (fn != null) {
      call.respond(fn(req));
      return;
    }
    const r = this.response;
    call.respond(r != null ? r : instantiate<Resp>());
  }
}

/** A call an expectation answers late: the context of its sleep(). */
abstract class Delayed {
  abstract answerNow(): void;
}

class DelayedCall<Req extends Message, Resp extends Message> extends Delayed {
  constructor(public e: Expectation<Req, Resp>, public call: Call<Resp>,
              public req: Req) {
    super();
  }

  answerNow(): void {
    this.e.answer(this.call, this.req);
  }
}

// ---- calls ----------------------------------------------------------------

/** A call the mock took, in arrival order. */
export class MockCall {
  constructor(public readonly method: string,     // "Price"
              public readonly caller: string,     // the calling guest
              public readonly at: u64,            // now() when it came
              public readonly request: string,    // as text
              public readonly expectation: i32) {} // its index, -1: none
}

/** One method of a mock: its expectations and the requests it got. */
export class MockMethod<Req extends Message, Resp extends Message> {
  readonly expectations: Array<Expectation<Req, Resp>> = [];
  /** Every request of this method, in arrival order. */
  readonly calls: Array<Req> = [];

  /** The mock it belongs to, from attach() on. */
  mock: Mock | null = null;

  constructor(public readonly name: string,
              public readonly requestType: string) {}

  /** Makes it a method of @p mock (the generated mock's constructor). */
  attach(mock: Mock): void {
    this.mock = mock;
  }

  /** A new expectation of a call of this method, checked in the order
   * expectations were made. */
  expect(): Expectation<Req, Resp> {
    const e = new Expectation<Req, Resp>(this);
    this.expectations.push(e);
    this.mock!.expectations.push(e);
    return e;
  }

  /** @p req as text (`{sku: "pear"}`). */
  text(req: Req): string {
    return messageToText(req, this.mock!.file, this.requestType);
  }

  /** Takes a call (the generated server calls it): the first expectation
   * in order that matches and still wants calls answers it; else the
   * last that matches, and verify() reports it called too often; else it
   * is unexpected: counted, logged at WARN, and answered UNIMPLEMENTED
   * naming the method. */
  handle(call: Call<Resp>, req: Req): void {
    this.calls.push(req);
    const bytes = req.encode();
    let chosen = -1;
    for (let i = 0; i < this.expectations.length; i++) {
      const e = this.expectations[i];
      if (!e.matches(req, bytes)) continue;
      chosen = i;
      if (e.max < 0 || e.count < e.max) break;
    }
    const mock = this.mock!;
    const text = this.text(req);
    const index = chosen < 0
        ? -1 : mock.expectations.indexOf(this.expectations[chosen]);
    mock.calls.push(new MockCall(this.name, call.caller, now(), text,
                                      index));
    if (chosen < 0) {
      mock.unexpectedCount++;
      const what = "unexpected call " + this.name + "(" + text + ") from " +
                   call.caller;
      mock.problem(what);
      log(Level.WARN, "mock " + mock.desc.name + ": " + what);
      call.fail(Code.UNIMPLEMENTED, 0, "mock " + mock.desc.name +
                ": unexpected call of " + this.name);
      return;
    }
    const e = this.expectations[chosen];
    e.count++;
    if (e.delayNs == 0) {
      e.answer(call, req);
      return;
    }
    sleep<Delayed>(e.delayNs, new DelayedCall<Req, Resp>(e, call, req),
                   (nowNs: u64, d: Delayed): void => { d.answerNow(); });
  }
}

/** What every generated mock extends: the expectations of all its methods,
 * the calls it took, and verify(). */
export class Mock {
  /** Every expectation, in the order they were made. */
  readonly expectations: Array<ExpectationBase> = [];
  /** Every call, in arrival order. */
  readonly calls: Array<MockCall> = [];
  /** Calls no expectation matched. */
  unexpectedCount: i32 = 0;
  /** What went wrong while calls came, for verify(). */
  readonly problems: Array<string> = [];

  constructor(public readonly desc: ServiceDesc,
              public readonly file: FileDesc) {}

  /** Exports @p impl (the generated server of this mock) and requires
   * parigot.test.v1.Test, which `parigot test` adds to every test app and
   * delays sleep on: in the declare function. */
  serveWith(impl: Service): void {
    exportService(impl, this.file);
    requireTest();
  }

  problem(what: string): void {
    this.problems.push(what);
  }

  /** Checks that every expectation was met and no call was unexpected.
   * Logs at ERROR a line per problem when there are several ("mock
   * mockdemo.v1.Prices: ..."), then a last one, "verify failed: ...",
   * naming the first, so a failing test's reason names it. @returns
   * whether all was well. */
  verify(): bool {
    const all = new Array<string>();
    for (let i = 0; i < this.expectations.length; i++) {
      const e = this.expectations[i];
      if (!e.isMet())
        all.push("expected " + e.describe() + " " + e.expected() +
                 ", called " + times(e.count));
    }
    for (let i = 0; i < this.problems.length; i++) all.push(this.problems[i]);
    if (all.length == 0) return true;
    const who = "mock " + this.desc.name + ": ";
    if (all.length > 1)
      for (let i = 0; i < all.length; i++) log(Level.ERROR, who + all[i]);
    log(Level.ERROR, who + "verify failed: " +
        (all.length == 1 ? "" : all.length.toString() + " problems, first: ") +
        all[0]);
    return false;
  }

  /** verify(), and exit(1) when it fails. */
  verifyOrExit(): void {
    if (!this.verify()) exit(1);
  }
}
