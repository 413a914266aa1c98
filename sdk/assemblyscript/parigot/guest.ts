// sdk/assemblyscript/parigot/guest.ts: the guest side of the parigot ABI
// (docs/abi.md) for AssemblyScript: the event loop, calls out and in,
// logging, the clock and exit.
//
// It is sdk/c/guest.c's twin and must answer as it does, byte for byte:
// the same status codes and texts for a method that does not exist, a
// request that does not decode, a response that does not encode; the
// same event buffer protocol (kind back to 0 after each event). Every
// length in an event comes from the host and is checked before use.
//
// AssemblyScript has no closures, so a call's continuations are two plain
// functions (top-level, or arrow functions that capture nothing) and a
// context value of the caller's choosing that both receive. State is
// module-level: a guest instance is one single-threaded program, and this
// file is its event loop.
import {
  abi_describe, abi_dispatch, abi_event_buffer, abi_event_read, abi_export,
  abi_locate, abi_log, abi_now, abi_require, abi_respond, wasi_args_get,
  wasi_args_sizes_get, wasi_environ_get, wasi_environ_sizes_get,
  wasi_fd_write, wasi_proc_exit,
} from "./abi";
import { releaseCached } from "./alloc";
import { resetCallUser } from "./ctx";
import { EDEPTH, ETOOBIG, Message, Writer, encodeInto, mergeRaw } from "./pb";

/** gRPC status codes, as calls end with them: all 17 of gRPC's, with its
 * numbers. docs/abi.md ("Status codes") says which one a service answers
 * with for what, and which ones parigot itself produces. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2, // the service's own error, with its enum value in appError
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** Log levels. */
export enum Level {
  DEBUG = 0,
  INFO = 1,
  WARN = 2,
  ERROR = 3,
}

/** Why a call failed. */
export class Status {
  constructor(
    public code: u32,      // a Code
    public appError: i32,  // with Code.UNKNOWN: the service's error value
    public message: string,
  ) {}
}

// ---- descriptors (generated code makes them) -----------------------------

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false);
}

/** A service's full name and method names, and this guest's handle to it
 * once located. */
export class ServiceDesc {
  readonly nameUtf8: ArrayBuffer;
  readonly methodsUtf8: Array<ArrayBuffer> = [];
  handle: u32 = 0;
  isLocated: bool = false;
  isRequired: bool = false;

  constructor(public readonly name: string,
              public readonly methods: Array<string>) {
    this.nameUtf8 = utf8(name);
    for (let i = 0; i < methods.length; i++)
      this.methodsUtf8.push(utf8(methods[i]));
  }
}

/** A .proto file: its serialized FileDescriptorProto (static data) and the
 * files it imports, for the describe ABI call. */
export class FileDesc {
  isDescribed: bool = false;

  constructor(public readonly name: string,
              public readonly descriptor: usize,
              public readonly descriptorLen: u32,
              public readonly deps: Array<FileDesc>) {}
}

/** Gives @p f to the kernel once, after the files it imports. */
export function describeFile(f: FileDesc): void {
  if (f.isDescribed) return;
  f.isDescribed = true;
  for (let i = 0; i < f.deps.length; i++) describeFile(f.deps[i]);
  abi_describe(f.descriptor, f.descriptorLen);
}

// ---- logging, clock, exit --------------------------------------------------

const scratch = memory.data(16); // out-parameters of host calls

/** @p s up to its first NUL: what C's strlen() sees of it, so texts the
 * kernel gets are the C SDK's. */
function cString(s: string): string {
  const i = s.indexOf("\0");
  return i < 0 ? s : s.substring(0, i);
}

/** One line in the app's log, with this guest's name and the call being
 * handled. Cut at a NUL and at 1023 bytes, as the C SDK cuts it. */
export function log(level: Level, message: string): void {
  const b = utf8(cString(message));
  const n = min(b.byteLength, 1023);
  abi_log(<u32>level, changetype<usize>(b), <u32>n);
}

/** Writes @p text and a newline to standard output. */
export function print(text: string): void {
  const b = utf8(text + "\n");
  store<u32>(scratch, changetype<usize>(b));
  store<u32>(scratch + 4, <u32>b.byteLength);
  wasi_fd_write(1, scratch, 1, scratch + 8);
}

/** The app's clock, in ns since the app started: the clock of deadlines
 * (virtual in deterministic mode). */
export function now(): u64 {
  store<u64>(scratch, 0);
  abi_now(scratch);
  return load<u64>(scratch);
}

/** The NUL-terminated strings WASI hands out: the environment when
 * @p environ, else the arguments; each checked to lie in the buffer given.
 * (The imports are called directly: a reference to an imported function
 * crashed the host.) */
function wasiStrings(environ: bool): Array<string> {
  const out = new Array<string>();
  const rc = environ ? wasi_environ_sizes_get(scratch, scratch + 4)
                     : wasi_args_sizes_get(scratch, scratch + 4);
  if (rc != 0) return out;
  const count = load<u32>(scratch), size = <usize>load<u32>(scratch + 4);
  const v = heap.alloc(<usize>count * 4 + 4);
  const buf = heap.alloc(size + 1);
  if ((environ ? wasi_environ_get(v, buf) : wasi_args_get(v, buf)) == 0) {
    for (let i: u32 = 0; i < count; i++) {
      const p = <usize>load<u32>(v + <usize>i * 4);
      if (p < buf || p >= buf + size) break;
      let n: usize = 0;
      while (p + n < buf + size && load<u8>(p + n) != 0) n++;
      out.push(n == 0 ? "" : String.UTF8.decodeUnsafe(p, n, false));
    }
  }
  heap.free(v);
  heap.free(buf);
  return out;
}

/** The guest's arguments: its name, then the manifest's `args`. */
export function args(): Array<string> {
  return wasiStrings(false);
}

/** The value of environment variable @p name (the manifest's `env`), or
 * null when it is not set. */
export function getenv(name: string): string | null {
  const all = wasiStrings(true);
  const prefix = name + "=";
  for (let i = 0; i < all.length; i++)
    if (all[i].startsWith(prefix)) return all[i].substring(prefix.length);
  return null;
}

/** Ends this program with @p code as its exit status; 0 becomes 1 when
 * checks of testing.ts failed (a test whose expectations failed fails). */
export function exit(code: i32): void {
  wasi_proc_exit(code == 0 && testFailureCount > 0 ? 1 : <u32>code);
}

let testFailureCount: u32 = 0;

/** How many checks of testing.ts (expectEq()...) failed so far. */
export function testFailures(): u32 {
  return testFailureCount;
}

/** Counts a failed check (testing.ts). */
export function countTestFailure(): void {
  testFailureCount++;
}

/** Gives the next call this guest starts its own deadline (@p ns from
 * now) instead of the app's default; 0 is the default. */
export function nextCallTimeout(ns: u64): void {
  nextTimeout = ns;
}

let nextTimeout: u64 = 0;

// The texts parigot_strerror() gives the errors a call can meet on its
// way out (include/parigot/error.h), so failures read as in C.
function strerror(rc: i32): string {
  switch (rc) {
    case -1: return "invalid argument";
    case -2: return "out of memory";
    case -3: return "no such file or directory";
    case -9: return "operation canceled";
    case -11: return "permission denied";
    case -12: return "address outside the guest's memory";
    case -45: return "protobuf: messages nested too deeply";
    case -46: return "protobuf: size beyond the configured maximum";
    case -48: return "output buffer too small";
    default: return "unknown error";
  }
}

/** Where `--use abort=~lib/parigot/guest/abortHandler` sends
 * AssemblyScript's abort (a failed assertion, an index out of range, out
 * of memory): one error line in the log, then a trap. It allocates
 * nothing, as it may run because memory ran out. */
export function abortHandler(message: string | null, fileName: string | null,
                             line: u32, column: u32): void {
  const buf = memory.data(512);
  let n = copyAscii(buf, 0, "abort: ");
  n = copyAscii(buf, n, message != null ? message : "assertion failed");
  if (fileName != null) {
    n = copyAscii(buf, n, " at ");
    n = copyAscii(buf, n, fileName);
    n = copyNumber(buf, n, line);
    n = copyNumber(buf, n, column);
  }
  abi_log(<u32>Level.ERROR, buf, <u32>n);
  unreachable();
}

function copyAscii(buf: usize, n: i32, s: string): i32 {
  for (let i = 0; i < s.length && n < 500; i++) {
    const c = s.charCodeAt(i);
    store<u8>(buf + <usize>n, <u8>(c < 0x80 ? c : 0x3f));
    n++;
  }
  return n;
}

function copyNumber(buf: usize, n: i32, v: u32): i32 {
  store<u8>(buf + <usize>n, 0x3a); // ':'
  n++;
  let digits: u32 = 1;
  for (let t = v; t >= 10; t /= 10) digits *= 10;
  for (; digits > 0 && n < 510; digits /= 10) {
    store<u8>(buf + <usize>n, <u8>(0x30 + (v / digits) % 10));
    n++;
  }
  return n;
}

// ---- hooks -----------------------------------------------------------------

let declareFn: () => void = (): void => {};
let startFn: () => void = (): void => {};
let diedFn: ((service: ServiceDesc, why: string) => void) | null = null;
let restartedFn: ((service: ServiceDesc) => void) | null = null;
let stopFn: (() => void) | null = null;

/** Sets this guest's two functions, at the top level of its entry file:
 * @p declare runs once at start-up and calls the generated
 * `Service.require()` and `Service.serve(impl)`; @p start runs when what
 * the guest requires is ready: a service's ready hook, a program's body. */
export function guest(declare: () => void, start: () => void): void {
  declareFn = declare;
  startFn = start;
}

/** Has @p fn called when a service this guest requires dies, with why;
 * calls to it fail with UNAVAILABLE from then on. */
export function onRequiredDied(
    fn: ((service: ServiceDesc, why: string) => void) | null): void {
  diedFn = fn;
}

/** Has @p fn called when a required service is back after a restart. */
export function onRequiredRestarted(
    fn: ((service: ServiceDesc) => void) | null): void {
  restartedFn = fn;
}

/** Has @p fn called once, when the app ends and this guest is stopped. */
export function onStop(fn: (() => void) | null): void {
  stopFn = fn;
}

// ---- services this guest requires and exports -----------------------------

const requireds = new Array<ServiceDesc>();

/** Declares that this guest calls @p s (generated `Service.require()`). */
export function requireService(s: ServiceDesc): void {
  s.isRequired = true;
  requireds.push(s);
  abi_require(changetype<usize>(s.nameUtf8), <u32>s.nameUtf8.byteLength);
}

/** What a generated service skeleton extends: the method table of one
 * exported service. */
export abstract class Service {
  constructor(public readonly desc: ServiceDesc) {}

  /** Decodes the request of method @p method and calls its handler. */
  abstract _invoke(method: i32, id: u64, deadline: u64, caller: string,
                   p: usize, len: usize): void;
}

const exporteds = new Array<Service>();

/** Declares that this guest implements @p impl's service (generated
 * `Service.serve(impl)`). */
export function exportService(impl: Service, file: FileDesc): void {
  describeFile(file);
  exporteds.push(impl);
  const n = impl.desc.nameUtf8;
  abi_export(changetype<usize>(n), <u32>n.byteLength);
}

// ---- outgoing calls -------------------------------------------------------

/** A call in flight: settled by its RESPONSE event. */
abstract class Pending {
  id: u64 = 0;
  abstract settle(status: u32, appError: i32, p: usize, len: usize): void;
}

// The last settled PendingCall, for the next call of the same types to
// reuse: the user never sees one, and a program usually makes the same
// calls over and over, so most calls allocate none (an allocation and a
// free are a good part of a round trip). It keeps its last context alive
// until then.
let spare: Pending | null = null;

class PendingCall<R extends Message, C> extends Pending {
  constructor(public ctx: C, public ok: (resp: R, ctx: C) => void,
              public fail: (status: Status, ctx: C) => void) {
    super();
  }

  settle(status: u32, appError: i32, p: usize, len: usize): void {
    // Spare before the continuation runs, as it may start the next call.
    const ctx = this.ctx, ok = this.ok, fail = this.fail;
    spare = this;
    if (status != Code.OK) {
      fail(new Status(status, appError, text(p, len)), ctx);
      return;
    }
    const resp = instantiate<R>();
    if (mergeRaw(resp, p, len, false) != 0) {
      fail(new Status(Code.INTERNAL, 0, "cannot decode the response"), ctx);
      return;
    }
    ok(resp, ctx);
  }
}

/** A PendingCall for @p ctx, @p ok and @p fail: the spare if it has these
 * types, else a new one. */
function pendingCall<R extends Message, C>(
    ctx: C, ok: (resp: R, ctx: C) => void,
    fail: (status: Status, ctx: C) => void): PendingCall<R, C> {
  const s = spare;
  if (s == null || !(s instanceof PendingCall<R, C>))
    return new PendingCall<R, C>(ctx, ok, fail);
  spare = null;
  const pc = changetype<PendingCall<R, C>>(s);
  pc.ctx = ctx;
  pc.ok = ok;
  pc.fail = fail;
  return pc;
}

/** A payload as text: up to its first NUL byte, as the C SDK reads it. */
function text(p: usize, len: usize): string {
  let n: usize = 0;
  while (n < len && load<u8>(p + n) != 0) n++;
  return n == 0 ? "" : String.UTF8.decodeUnsafe(p, n, false);
}

const pendings = new Array<Pending>();
const writer = new Writer(); // requests and responses on their way out

function locate(s: ServiceDesc): i32 {
  if (!s.isRequired) return -11; // PARIGOT_EPERM: the kernel refuses it too
  if (!s.isLocated) {
    const rc = abi_locate(changetype<usize>(s.nameUtf8),
                          <u32>s.nameUtf8.byteLength, scratch);
    if (rc != 0) return rc;
    s.handle = load<u32>(scratch);
    s.isLocated = true;
  }
  return 0;
}

/** Starts a call of method @p method of @p s (generated client stubs call
 * this). Exactly one of @p ok and @p fail runs, later, with @p ctx; when
 * the call cannot start, @p fail runs at once and the result is false. */
export function dispatch<Req extends Message, Resp extends Message, C>(
    s: ServiceDesc, method: i32, req: Req, ctx: C,
    ok: (resp: Resp, ctx: C) => void,
    fail: (status: Status, ctx: C) => void): bool {
  if (locate(s) != 0) {
    fail(new Status(Code.PERMISSION_DENIED, 0, "service not required"), ctx);
    return false;
  }
  const timeout = nextTimeout;
  nextTimeout = 0;
  let rc = encodeInto(req, writer);
  if (rc >= 0) {
    const m = s.methodsUtf8[method];
    rc = abi_dispatch(s.handle, changetype<usize>(m), <u32>m.byteLength,
                      writer.buf, <u32>rc, timeout, scratch);
  }
  if (rc < 0) {
    fail(new Status(rc == ETOOBIG ? Code.RESOURCE_EXHAUSTED : Code.INTERNAL,
                    0, strerror(rc)), ctx);
    return false;
  }
  const pc = pendingCall<Resp, C>(ctx, ok, fail);
  pc.id = load<u64>(scratch);
  pendings.push(pc);
  return true;
}

function onResponse(status: u32, id: u64, appError: i32, p: usize,
                    len: usize): void {
  const n = pendings.length;
  let i = 0;
  while (i < n && unchecked(pendings[i]).id != id) i++;
  if (i == n) return; // not ours: the kernel never sends these
  const pc = unchecked(pendings[i]);
  unchecked(pendings[i] = pendings[n - 1]);
  pendings.pop();
  pc.settle(status, appError, p, len);
}

// ---- incoming calls -------------------------------------------------------

/** An incoming call, from its arrival until it is answered; keep it to
 * answer later. */
export class IncomingCall {
  constructor(public readonly id: u64,       // unique in the app
              public readonly deadline: u64, // on the app's clock (now())
              public readonly caller: string) {} // the calling guest

  /** ns until the caller stops waiting; 0 once passed. */
  timeLeft(): u64 {
    const t = now();
    return t < this.deadline ? this.deadline - t : 0;
  }

  /** Answers with a failure: @p code other than OK (Code.UNKNOWN for the
   * service's own errors, with their enum value in @p appError).
   * @returns 0, or a negative parigot error (-9, ECANCELED: the caller
   * had stopped waiting). The message ends at a NUL, as in C. */
  fail(code: u32, appError: i32, message: string): i32 {
    const b = utf8(cString(message));
    return abi_respond(this.id, code, appError, changetype<usize>(b),
                       <u32>b.byteLength);
  }
}

/** An incoming call whose answer is an R. */
export class Call<R extends Message> extends IncomingCall {
  /** Answers with @p resp. @returns as fail(). */
  respond(resp: R): i32 {
    const n = encodeInto(resp, writer);
    if (n == EDEPTH)
      return this.fail(Code.INTERNAL, 0, "cannot encode the response");
    return abi_respond(this.id, Code.OK, 0, writer.buf, <u32>n);
  }
}

/** Decodes a request for generated code; answers INVALID_ARGUMENT (as the
 * C SDK) and returns false when it does not decode. */
export function decodeRequest(req: Message, call: IncomingCall, p: usize,
                              len: usize): bool {
  if (mergeRaw(req, p, len, false) == 0) return true;
  call.fail(Code.INVALID_ARGUMENT, 0, "cannot decode the request");
  return false;
}

// Callers are the app's guests, a handful of names: each is made into a
// string once for the guest's life.
const callerBytes = new Array<ArrayBuffer>();
const callerNames = new Array<string>();

function internCaller(p: usize, len: usize): string {
  for (let i = 0; i < callerBytes.length; i++) {
    const b = unchecked(callerBytes[i]);
    if (<usize>b.byteLength == len &&
        memory.compare(changetype<usize>(b), p, len) == 0)
      return unchecked(callerNames[i]);
  }
  const b = new ArrayBuffer(<i32>len);
  memory.copy(changetype<usize>(b), p, len);
  const s = len == 0 ? "" : String.UTF8.decodeUnsafe(p, len, false);
  callerBytes.push(b);
  callerNames.push(s);
  return s;
}

function sameBytes(b: ArrayBuffer, p: usize, len: usize): bool {
  return <usize>b.byteLength == len &&
         memory.compare(changetype<usize>(b), p, len) == 0;
}

function onCall(id: u64, deadline: u64, service: u32, method: usize,
                methodLen: usize, caller: usize, callerLen: usize, p: usize,
                len: usize): void {
  const who = internCaller(caller, callerLen);
  let index = -1;
  if (service < <u32>exporteds.length) {
    const names = exporteds[service].desc.methodsUtf8;
    for (let i = 0; i < names.length && index < 0; i++)
      if (sameBytes(unchecked(names[i]), method, methodLen)) index = i;
  }
  if (index < 0) {
    new IncomingCall(id, deadline, who).fail(Code.UNIMPLEMENTED, 0,
                                             "no such method");
    return;
  }
  exporteds[service]._invoke(index, id, deadline, who, p, len);
}

function requiredNamed(p: usize, len: usize): ServiceDesc | null {
  for (let i = 0; i < requireds.length; i++)
    if (sameBytes(requireds[i].nameUtf8, p, len)) return requireds[i];
  return null;
}

// ---- the exports ------------------------------------------------------------

// The ABI's numbers, as include/parigot/abi.h defines them (a C header
// this package cannot include; tests/abi/test_abi.c holds the two equal):
// the event kinds, then the byte offsets of the event header's fields and
// its size. The status codes are Code's.
const EV_START: u32 = 1;
const EV_CALL: u32 = 2;
const EV_RESPONSE: u32 = 3;
const EV_DIED: u32 = 4;
const EV_STOP: u32 = 5;
const EV_RESTARTED: u32 = 6;
const EV_OFF_KIND: usize = 0;
const EV_OFF_STATUS: usize = 4;
const EV_OFF_CALL_ID: usize = 8;
const EV_OFF_DEADLINE_NS: usize = 16;
const EV_OFF_APP_ERROR: usize = 24;
const EV_OFF_SERVICE: usize = 28;
const EV_OFF_METHOD_LEN: usize = 32;
const EV_OFF_PAYLOAD_LEN: usize = 36;
const EV_OFF_CALLER_LEN: usize = 40;
const EV_HEADER: u32 = 48;

// Garbage is collected between events, by the minimal runtime's
// stop-the-world collector (asc --runtime minimal, see
// cmake/ParigotAssemblyScript.cmake): it scans globals only, which is sound
// when no handler is running, and it needs no write barrier on every
// reference store as the incremental collector does (that made a round
// trip twice as slow). A handler's garbage so lives until its event ends,
// as the C SDK's arena does. It runs every 64 events, and after any event
// that grew memory, so memory stays within a few events' allocations.
// First the blocks the allocator cache (alloc.ts) kept from the last
// collection and nothing reused go back to TLSF.
const COLLECT_EVERY = 64;
let eventsSinceCollect = 0;
let pagesAtCollect: i32 = 0;

function collectBetweenEvents(): void {
  if (++eventsSinceCollect < COLLECT_EVERY &&
      memory.size() == pagesAtCollect) return;
  releaseCached();
  __collect();
  eventsSinceCollect = 0;
  pagesAtCollect = memory.size();
}

// The kernel writes each event here before it calls parigot_event, when
// it fits; a kind of 0 says it did not, and the event is fetched with
// event_read after the buffer grows. heap memory: the collector never
// moves or frees it.
let eventBuf: usize = 0;
let eventCap: u32 = 0;

function growEventBuffer(len: u32): void {
  if (eventBuf != 0) heap.free(eventBuf);
  eventBuf = heap.alloc(<usize>len);
  eventCap = len;
  store<u32>(eventBuf, 0, EV_OFF_KIND);
  abi_event_buffer(eventBuf, eventCap);
}

/** The length of this call's event, in eventBuf; 0 if none. */
function takeEvent(): u32 {
  if (load<u32>(eventBuf, EV_OFF_KIND) != 0) return eventCap;
  store<u32>(scratch, 0);
  let rc = abi_event_read(eventBuf, eventCap, scratch);
  if (rc == -48) { // PARIGOT_ENOSPC: out_len holds the size needed
    const need = load<u32>(scratch);
    if (need > 0x40000000) wasi_proc_exit(70); // as the C SDK's failed grow
    growEventBuffer(need);
    rc = abi_event_read(eventBuf, eventCap, scratch);
  }
  const len = load<u32>(scratch);
  return rc == 0 && len >= EV_HEADER && len <= eventCap ? len : 0;
}

/** The guest's ABI version (docs/abi.md): re-exported by the entry file. */
export function parigot_abi_v2(): void {}

/** Start-up (docs/abi.md): registers the event buffer and runs the
 * guest's declare function; re-exported by the entry file. */
export function parigot_main(): void {
  growEventBuffer(4096);
  declareFn();
  collectBetweenEvents();
}

/** One event per call. */
export function parigot_event(): void {
  resetCallUser(); // a new event, perhaps for another user
  const len = takeEvent();
  if (len == 0) {
    collectBetweenEvents();
    return;
  }
  const b = eventBuf;
  const kind = load<u32>(b, EV_OFF_KIND);
  const methodLen = load<u32>(b, EV_OFF_METHOD_LEN);
  const payloadLen = load<u32>(b, EV_OFF_PAYLOAD_LEN);
  const callerLen = load<u32>(b, EV_OFF_CALLER_LEN);
  // The variable parts must lie inside the event: u64 sums cannot wrap.
  const parts = <u64>methodLen + <u64>callerLen + <u64>payloadLen;
  if (parts > <u64>(len - EV_HEADER)) {
    store<u32>(b, 0, EV_OFF_KIND);
    collectBetweenEvents();
    return;
  }
  const method = b + <usize>EV_HEADER;
  const caller = method + <usize>methodLen;
  const payload = caller + <usize>callerLen;
  if (kind == EV_START) {
    startFn();
  } else if (kind == EV_CALL) {
    onCall(load<u64>(b, EV_OFF_CALL_ID), load<u64>(b, EV_OFF_DEADLINE_NS),
           load<u32>(b, EV_OFF_SERVICE), method, methodLen, caller,
           callerLen, payload, payloadLen);
  } else if (kind == EV_DIED) {
    const s = requiredNamed(method, methodLen);
    const fn = diedFn;
    if (fn != null && s != null) fn(s, text(payload, payloadLen));
  } else if (kind == EV_RESPONSE) {
    onResponse(load<u32>(b, EV_OFF_STATUS), load<u64>(b, EV_OFF_CALL_ID),
               load<i32>(b, EV_OFF_APP_ERROR), payload, payloadLen);
  } else if (kind == EV_RESTARTED) {
    const s = requiredNamed(method, methodLen);
    const fn = restartedFn;
    if (fn != null && s != null) fn(s);
  } else if (kind == EV_STOP) {
    const fn = stopFn;
    if (fn != null) fn();
  }
  // The buffer may have grown while handling: clear the one in use now.
  // Kind 0: the next event is not here yet.
  store<u32>(eventBuf, 0, EV_OFF_KIND);
  collectBetweenEvents();
}
