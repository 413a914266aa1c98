// sdk/assemblyscript/parigot/testing.ts: helpers for test programs
// (docs/testing.md, "Assertions and helpers"), exported by "parigot".
//
// A failed check writes one line at ERROR level, where `parigot test`
// finds a failing test's reason, and is counted: while the count is not 0,
// exit(0) exits with status 1. expectEq() and its kin go on; assertEq()
// and its kin then trap, as AssemblyScript's assert() does (its report,
// message and file:line, is the SDK's abortHandler in guest.ts).
// AssemblyScript gives a function no caller's place in the source, so each
// check takes a label of the caller's ("total after 2 items") that the
// report starts with.
//
// The timers (sleep(), Deadline) call parigot.test.v1.Test, which
// `parigot test` adds to every test app: call requireTest() in the
// guest's declare function. The service's two messages have one uint64
// each; they are written here by hand, so the SDK needs no generated code.
// AssemblyScript has no closures: each helper takes a context value that
// its continuation receives, as generated client stubs do.
import {
  Code, ServiceDesc, Status, countTestFailure, dispatch, exit, log, Level,
  requireService,
} from "./guest";
import { Message, Reader, Writer, depthExceeded, varintSize64 } from "./pb";

/** The name of a status code: "NOT_FOUND", or "CODE_<n>". */
export function codeName(code: u32): string {
  switch (code) {
    case Code.OK: return "OK";
    case Code.CANCELLED: return "CANCELLED";
    case Code.UNKNOWN: return "UNKNOWN";
    case Code.INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case Code.DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case Code.NOT_FOUND: return "NOT_FOUND";
    case Code.ALREADY_EXISTS: return "ALREADY_EXISTS";
    case Code.PERMISSION_DENIED: return "PERMISSION_DENIED";
    case Code.RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case Code.FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case Code.ABORTED: return "ABORTED";
    case Code.OUT_OF_RANGE: return "OUT_OF_RANGE";
    case Code.UNIMPLEMENTED: return "UNIMPLEMENTED";
    case Code.INTERNAL: return "INTERNAL";
    case Code.UNAVAILABLE: return "UNAVAILABLE";
    case Code.DATA_LOSS: return "DATA_LOSS";
    case Code.UNAUTHENTICATED: return "UNAUTHENTICATED";
  }
  return "CODE_" + code.toString();
}

/** Counts a failure and logs "label: what" at ERROR; the test goes on.
 * With @p fatal it then traps (the test ends at once). */
export function fail(label: string, what: string, fatal: bool = false): void {
  countTestFailure();
  log(Level.ERROR, label.length > 0 ? label + ": " + what : what);
  if (fatal) unreachable();
}

function quote(s: string): string {
  return "\"" + (s.length > 200 ? s.substring(0, 200) + "\"..." : s + "\"");
}

function show<T>(v: T): string {
  if (isString<T>()) return quote(changetype<string>(v));
  if (isBoolean<T>()) return v ? "true" : "false";
  if (isInteger<T>() || isFloat<T>()) return v.toString();
  return "?";
}

/** The first offset where @p a and @p b differ; -1 when equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++)
    if (unchecked(a[i]) != unchecked(b[i])) return i;
  return a.length == b.length ? -1 : n;
}

function hex2(v: u8): string {
  const d = "0123456789abcdef";
  return "0x" + d.charAt(v >> 4) + d.charAt(v & 15);
}

function bytesEq(label: string, check: string, a: Uint8Array, b: Uint8Array,
                 fatal: bool): bool {
  const i = firstDifference(a, b);
  if (i < 0) return true;
  let what = check + ": differ at offset " + i.toString() + ": ";
  if (i < a.length && i < b.length)
    what += hex2(unchecked(a[i])) + " != " + hex2(unchecked(b[i]));
  else
    what += "length " + a.length.toString() + " != " + b.length.toString();
  fail(label, what, fatal);
  return false;
}

function checkEq<T>(label: string, check: string, got: T, want: T,
                    fatal: bool): bool {
  if (got instanceof Uint8Array)
    return bytesEq(label, check, changetype<Uint8Array>(got),
                   changetype<Uint8Array>(want), fatal);
  if (got instanceof ArrayBuffer)
    return bytesEq(label, check,
                   Uint8Array.wrap(changetype<ArrayBuffer>(got)),
                   Uint8Array.wrap(changetype<ArrayBuffer>(want)), fatal);
  if (got == want) return true;
  fail(label, check + ": " + show<T>(got) + " != " + show<T>(want), fatal);
  return false;
}

/** Expects @p got == @p want (numbers, booleans, strings; Uint8Array and
 * ArrayBuffer byte by byte, the first differing offset named). On a
 * failure logs "label: expectEq: 300 != 350", counts it and goes on.
 * @returns true when it held. */
export function expectEq<T>(got: T, want: T, label: string = ""): bool {
  return checkEq<T>(label, "expectEq", got, want, false);
}

/** As expectEq(), but a failure ends the test at once (a trap). */
export function assertEq<T>(got: T, want: T, label: string = ""): bool {
  return checkEq<T>(label, "assertEq", got, want, true);
}

/** Expects @p got != @p want (numbers, booleans, strings). */
export function expectNe<T>(got: T, want: T, label: string = ""): bool {
  if (got != want) return true;
  fail(label, "expectNe: both are " + show<T>(got));
  return false;
}

/** Expects @p cond to be true. */
export function expectTrue(cond: bool, label: string = ""): bool {
  if (cond) return true;
  fail(label, "expectTrue: false");
  return false;
}

/** As expectTrue(), but a failure ends the test at once. */
export function assertTrue(cond: bool, label: string = ""): bool {
  if (cond) return true;
  fail(label, "assertTrue: false", true);
  return false;
}

/** For a call's two continuations when it should fail with @p want:
 * pass null from the success continuation, the Status from the failure
 * one. True when it failed with @p want; otherwise a counted failure,
 * "label: expectFail: expected NOT_FOUND, got OK", and false. */
export function expectFail(status: Status | null, want: u32,
                           label: string = ""): bool {
  return checkFail(status, want, label, false);
}

/** As expectFail(), but anything else ends the test at once. */
export function assertFail(status: Status | null, want: u32,
                           label: string = ""): bool {
  return checkFail(status, want, label, true);
}

function checkFail(status: Status | null, want: u32, label: string,
                   fatal: bool): bool {
  const got = status == null ? <u32>Code.OK : status.code;
  if (got == want) return true;
  let what = (fatal ? "assertFail" : "expectFail") + ": expected " +
             codeName(want) + ", got " + codeName(got);
  if (status != null && status.message.length > 0)
    what += " (" + status.message + ")";
  fail(label, what, fatal);
  return false;
}

// ---- parigot.test.v1.Test, by hand ---------------------------------------

/** SleepRequest {uint64 duration_ns = 1} and SleepResponse {uint64 now_ns
 * = 1}: one class for both. */
class OneU64 extends Message {
  value: u64 = 0;

  _size(depth: i32): i32 {
    if (depthExceeded(depth)) return 0;
    let n = 0;
    if (this.value != 0) n += 1 + varintSize64(this.value);
    const u = this._unknown;
    if (u != null) n += u.length;
    this._cached = n;
    return n;
  }

  _write(w: Writer): void {
    if (this.value != 0) {
      w.varint32(8);
      w.varint64(this.value);
    }
    const u = this._unknown;
    if (u != null) w.raw(u.dataStart, <usize>u.length);
  }

  _merge(r: Reader, end: usize): void {
    while (r.pos < end && r.err == 0) {
      const start = r.pos;
      const t = r.tag(end);
      if (t == 0) break;
      if (t == 8) this.value = r.uint64(end);
      else r.unknown(this, t, start, end);
    }
  }
}

const testService = new ServiceDesc("parigot.test.v1.Test", ["Sleep"]);

/** Declares that this test calls parigot.test.v1.Test (the timers): call
 * it in the guest's declare function. */
export function requireTest(): void {
  requireService(testService);
}

/** What a Sleep's answer goes to (generic functions are no values in
 * AssemblyScript: a virtual method stands in). */
abstract class Timer {
  abstract fire(nowNs: u64): void;
}

function timerFired(resp: OneU64, t: Timer): void {
  t.fire(resp.value);
}

function timerFailed(status: Status, t: Timer): void {
  fail("sleep", "cannot call parigot.test.v1.Test: " + status.message +
       " (call requireTest() in the declare function)");
  exit(1);
}

function startTimer(ns: u64, t: Timer): void {
  const req = new OneU64();
  req.value = ns;
  dispatch<OneU64, OneU64, Timer>(testService, 0, req, t, timerFired,
                                  timerFailed);
}

class Sleeper<C> extends Timer {
  constructor(public ctx: C, public ok: (nowNs: u64, ctx: C) => void) {
    super();
  }

  fire(nowNs: u64): void {
    this.ok(nowNs, this.ctx);
  }
}

/** Calls @p ok with @p ctx once @p ns have passed on the app's clock
 * (virtual, and so exact, in deterministic mode), with the clock then.
 * Needs requireTest(); without it the test fails at once. */
export function sleep<C>(ns: u64, ctx: C,
                         ok: (nowNs: u64, ctx: C) => void): void {
  startTimer(ns, new Sleeper<C>(ctx, ok));
}

/** A deadline on a call: pass it as the call's context, and start each of
 * the call's continuations with `if (!d.settle()) return;` (the answer
 * came too late). If neither ran within @p ns on the app's clock,
 * @p expired gets a Status DEADLINE_EXCEEDED ("not settled within <ns>
 * ns") and @p ctx. Needs requireTest(). */
export class Deadline<C> extends Timer {
  settled: bool = false;

  constructor(public ns: u64, public ctx: C,
              public expired: (status: Status, ctx: C) => void) {
    super();
    startTimer(ns, this);
  }

  /** True the first time, when the deadline has not passed: the answer
   * counts. */
  settle(): bool {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }

  fire(nowNs: u64): void {
    if (!this.settle()) return;
    this.expired(new Status(Code.DEADLINE_EXCEEDED, 0, "not settled within " +
                            this.ns.toString() + " ns"),
                 this.ctx);
  }
}
