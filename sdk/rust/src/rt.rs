// SPDX-License-Identifier: Apache-2.0
//! The guest side of the parigot ABI (`docs/abi.md`) for Rust: the event
//! loop behind [`crate::guest!`], outgoing calls ([`Reply`]), incoming
//! calls ([`Call`]), the hooks, logging and the clock.
//!
//! It mirrors `sdk/c/guest.c` exactly: the same checks in the same order,
//! the same status codes and messages ("no such method", "cannot decode
//! the request", "cannot encode the response", "cannot decode the
//! response", "service not required"), requests and responses decoded
//! with unknown fields dropped, the event buffer handed to the kernel with
//! `event_buffer` and its `kind` set back to 0 after each event.
//!
//! State is one thread-local: a guest instance is one single-threaded
//! program and this module is its event loop. No borrow of it is held
//! while the programmer's code runs, so that code may call back in
//! (dispatch, respond, log) freely.

use std::cell::RefCell;
use std::io::Write;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::error::{code, Error, Status};
use crate::pb::Message;

pub(crate) mod abi {
    #[link(wasm_import_module = "parigot")]
    extern "C" {
        pub fn export_service(name: *const u8, len: u32) -> i32;
        pub fn require_service(name: *const u8, len: u32) -> i32;
        pub fn locate(name: *const u8, len: u32, handle: *mut u32) -> i32;
        pub fn dispatch(
            handle: u32,
            method: *const u8,
            method_len: u32,
            req: *const u8,
            req_len: u32,
            timeout_ns: u64,
            call_id: *mut u64,
        ) -> i32;
        pub fn event_read(buf: *mut u8, cap: u32, len: *mut u32) -> i32;
        pub fn respond(
            call_id: u64,
            status: u32,
            app_error: i32,
            resp: *const u8,
            len: u32,
        ) -> i32;
        pub fn log(level: u32, msg: *const u8, len: u32) -> i32;
        pub fn now(ns: *mut u64) -> i32;
        pub fn event_buffer(buf: *mut u8, cap: u32) -> i32;
        pub fn describe(fdp: *const u8, len: u32) -> i32;
        pub fn context_read(buf: *mut u8, cap: u32, len: *mut u32) -> i32;
        pub fn context_set_user(
            id: *const u8,
            id_len: u32,
            name: *const u8,
            name_len: u32,
            roles: *const u8,
            roles_len: u32,
        ) -> i32;
    }
}

// The ABI's numbers, as include/parigot/abi.h defines them (a C header
// this crate cannot include; tests/abi/test_abi.c holds the two equal):
// the event kinds, then the byte offsets of the event header's fields and
// its size. The status codes are crate::error::code's.
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
const EV_HEADER: usize = 48;

// ---- descriptors -----------------------------------------------------------

/// A `.proto` file as generated code describes it.
#[derive(Debug)]
pub struct FileDesc {
    /// Its path, as imported (`greeting/v1/greeting.proto`).
    pub name: &'static str,
    /// Its package (`greeting.v1`).
    pub package: &'static str,
    /// Its serialized `google.protobuf.FileDescriptorProto`.
    pub descriptor: &'static [u8],
    /// The files it imports that parigot generated too.
    pub dependencies: &'static [&'static FileDesc],
}

/// One method of a service.
#[derive(Debug)]
pub struct MethodDesc {
    /// Its name (`FetchGreeting`).
    pub name: &'static str,
    /// Its gRPC path (`/greeting.v1.Greeting/FetchGreeting`).
    pub path: &'static str,
}

/// A service: its full protobuf name and its methods, in order.
#[derive(Debug)]
pub struct ServiceDesc {
    /// `greeting.v1.Greeting`.
    pub full_name: &'static str,
    /// The file that defines it.
    pub file: &'static FileDesc,
    /// Its methods, in declaration order.
    pub methods: &'static [MethodDesc],
}

// ---- state -----------------------------------------------------------------

type Handler = Box<dyn FnMut(u32, RawCall, &[u8])>;
type Continuation = Box<dyn FnOnce(Result<&[u8], Status>)>;

struct Required {
    desc: &'static ServiceDesc,
    handle: Option<u32>,
}

struct Exported {
    desc: &'static ServiceDesc,
    handler: Option<Handler>, // None while it runs
}

struct Pending {
    id: u64,
    cont: Option<Continuation>, // None until Reply::then
}

#[derive(Default)]
struct State {
    requireds: Vec<Required>,
    exporteds: Vec<Exported>,
    described: Vec<*const FileDesc>,
    pendings: Vec<Pending>,
    next_timeout_ns: u64,
    scratch: Vec<u8>, // encoded requests and responses, reused
    callers: Vec<Rc<str>>, // interned caller names
    event_buf: Vec<u8>, // where the kernel writes events
    died: Option<Box<dyn FnMut(&'static ServiceDesc, &str)>>,
    restarted: Option<Box<dyn FnMut(&'static ServiceDesc)>>,
    stop: Option<Box<dyn FnMut()>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

// ---- declarations ----------------------------------------------------------

/// Declares that this guest calls `s` (generated `XClient::require`; in
/// the declare function only).
pub fn require(s: &'static ServiceDesc) {
    with(|st| {
        st.requireds.push(Required {
            desc: s,
            handle: None,
        })
    });
    unsafe {
        abi::require_service(s.full_name.as_ptr(), s.full_name.len() as u32);
    }
}

/// Gives the kernel `f`'s descriptor, after those of the files it imports,
/// each file once.
pub fn describe(f: &'static FileDesc) {
    let p = f as *const FileDesc;
    let seen = with(|st| {
        if st.described.contains(&p) {
            return true;
        }
        st.described.push(p);
        false
    });
    if seen {
        return;
    }
    for d in f.dependencies {
        describe(d);
    }
    unsafe {
        abi::describe(f.descriptor.as_ptr(), f.descriptor.len() as u32);
    }
}

/// Declares that this guest implements `s`; `handler` gets each call's
/// method index, the call and its request bytes (generated `export_x`).
pub fn export(s: &'static ServiceDesc, handler: Handler) {
    with(|st| {
        st.exporteds.push(Exported {
            desc: s,
            handler: Some(handler),
        })
    });
    unsafe {
        abi::export_service(s.full_name.as_ptr(), s.full_name.len() as u32);
    }
}

// ---- outgoing calls --------------------------------------------------------

/// Gives the next call this guest starts its own timeout instead of the
/// app's default deadline; calls after it are back to the default.
pub fn next_call_timeout(ns: u64) {
    with(|st| st.next_timeout_ns = ns);
}

enum ReplyState {
    Pending(u64),
    Failed(Status),
}

/// The answer to a call this guest made, which arrives later: give it a
/// continuation with [`Reply::then`] before returning to the event loop.
/// A reply dropped without one ignores its answer.
#[must_use = "a call's answer is lost unless .then() is given"]
pub struct Reply<T> {
    state: ReplyState,
    _t: PhantomData<fn() -> T>,
}

impl<T: Message + 'static> Reply<T> {
    /// Runs `f` with the decoded response, or the reason the call failed,
    /// once (at once when the call could not even start).
    pub fn then(self, f: impl FnOnce(Result<T, Status>) + 'static) {
        let id = match self.state {
            ReplyState::Failed(st) => return f(Err(st)),
            ReplyState::Pending(id) => id,
        };
        let cont: Continuation = Box::new(move |res: Result<&[u8], Status>| {
            f(res.and_then(|bytes| {
                T::decode(bytes).map_err(|_| {
                    Status::new(code::INTERNAL, "cannot decode the response")
                })
            }))
        });
        with(|st| {
            if let Some(p) = st.pendings.iter_mut().rev().find(|p| p.id == id) {
                p.cont = Some(cont);
            }
        });
    }
}

fn failed<T>(code: u32, message: &str) -> Reply<T> {
    Reply {
        state: ReplyState::Failed(Status::new(code, message)),
        _t: PhantomData,
    }
}

fn locate(st: &mut State, s: &'static ServiceDesc) -> Option<u32> {
    let r = st.requireds.iter_mut().find(|r| std::ptr::eq(r.desc, s))?;
    if r.handle.is_none() {
        let mut h = 0u32;
        let rc = unsafe {
            abi::locate(s.full_name.as_ptr(), s.full_name.len() as u32, &mut h)
        };
        if rc != 0 {
            return None;
        }
        r.handle = Some(h);
    }
    r.handle
}

/// Starts a call of method number `method` of `s` (generated client
/// stubs). Fails at once, with the C SDK's codes and messages, when the
/// service was not required or the request cannot go out.
pub fn dispatch<Req: Message, Resp: Message>(
    s: &'static ServiceDesc,
    method: usize,
    req: &Req,
) -> Reply<Resp> {
    let m = &s.methods[method];
    let res = with(|st| {
        let handle = match locate(st, s) {
            Some(h) => h,
            None => {
                return Err((code::PERMISSION_DENIED, "service not required"))
            }
        };
        let timeout = std::mem::take(&mut st.next_timeout_ns);
        let mut id = 0u64;
        let rc = match req.encode_into(&mut st.scratch) {
            Err(e) => e.code(),
            Ok(()) => unsafe {
                abi::dispatch(
                    handle,
                    m.name.as_ptr(),
                    m.name.len() as u32,
                    st.scratch.as_ptr(),
                    st.scratch.len() as u32,
                    timeout,
                    &mut id,
                )
            },
        };
        if rc < 0 {
            let c = if rc == Error::ETOOBIG.0 {
                code::RESOURCE_EXHAUSTED
            } else {
                code::INTERNAL
            };
            return Err((c, crate::error::strerror(rc)));
        }
        st.pendings.push(Pending { id, cont: None });
        Ok(id)
    });
    match res {
        Ok(id) => Reply {
            state: ReplyState::Pending(id),
            _t: PhantomData,
        },
        Err((c, msg)) => failed(c, msg),
    }
}

/// Bytes up to the first NUL, as text (C's `strndup`).
fn text_of(b: &[u8]) -> String {
    let n = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..n]).into_owned()
}

fn on_response(status: u32, id: u64, app_error: i32, payload: &[u8]) {
    let cont = with(|st| {
        let i = st.pendings.iter().position(|p| p.id == id)?;
        st.pendings.swap_remove(i).cont
    });
    let cont = match cont {
        Some(c) => c,
        None => return, // not ours, or nobody asked for the answer
    };
    if status != code::OK {
        cont(Err(Status {
            code: status,
            app_error,
            message: text_of(payload),
        }));
    } else {
        cont(Ok(payload));
    }
}

// ---- incoming calls --------------------------------------------------------

/// An incoming call before its request is decoded (generated code only).
#[doc(hidden)]
pub struct RawCall {
    id: u64,
    deadline: u64,
    caller: Rc<str>,
}

impl RawCall {
    fn fail(self, code: u32, message: &str) {
        respond_raw(self.id, code, 0, message.as_bytes());
    }
}

/// An incoming call, from its arrival until it is answered; `T` is the
/// response type. Answer it with [`Call::respond`] or [`Call::fail`], at
/// once or later (it may be moved into a closure). A call dropped without
/// an answer stays unanswered until the caller's deadline ends it.
pub struct Call<T> {
    raw: RawCall,
    _t: PhantomData<fn(&T)>,
}

fn respond_raw(id: u64, status: u32, app_error: i32, bytes: &[u8]) -> i32 {
    unsafe {
        abi::respond(id, status, app_error, bytes.as_ptr(), bytes.len() as u32)
    }
}

fn result_of(rc: i32) -> Result<(), Error> {
    if rc < 0 {
        Err(Error(rc))
    } else {
        Ok(())
    }
}

impl<T: Message> Call<T> {
    /// The call's id: unique in the app, also in the log.
    pub fn id(&self) -> u64 {
        self.raw.id
    }

    /// When the caller stops waiting, on the app's clock (ns; see [`now`]).
    pub fn deadline(&self) -> u64 {
        self.raw.deadline
    }

    /// How long until the caller stops waiting, in ns; 0 once passed.
    pub fn time_left(&self) -> u64 {
        self.raw.deadline.saturating_sub(now())
    }

    /// The name of the guest that made the call (from the manifest).
    pub fn caller(&self) -> &str {
        &self.raw.caller
    }

    /// Answers with `resp`. Err(ECANCELED) when the caller had already
    /// stopped waiting.
    pub fn respond(self, resp: &T) -> Result<(), Error> {
        let id = self.raw.id;
        let rc = with(|st| match resp.encode_into(&mut st.scratch) {
            Ok(()) => Some(respond_raw(id, code::OK, 0, &st.scratch)),
            Err(_) => None,
        });
        match rc {
            Some(rc) => result_of(rc),
            None => self.fail(code::INTERNAL, 0, "cannot encode the response"),
        }
    }

    /// Answers with a failure: a [`code`] other than OK (for the
    /// service's own errors [`code::UNKNOWN`] with its enum value).
    pub fn fail(
        self,
        code: u32,
        app_error: impl Into<i32>,
        message: &str,
    ) -> Result<(), Error> {
        result_of(respond_raw(
            self.raw.id,
            code,
            app_error.into(),
            message.as_bytes(),
        ))
    }

    /// Answers with the failure `st`.
    pub fn fail_with(self, st: &Status) -> Result<(), Error> {
        self.fail(st.code, st.app_error, &st.message)
    }
}

/// Decodes an incoming request and runs `f` with it, or answers
/// INVALID_ARGUMENT "cannot decode the request" (generated code only).
#[doc(hidden)]
pub fn invoke<Req: Message, Resp: Message>(
    call: RawCall,
    payload: &[u8],
    f: impl FnOnce(Call<Resp>, Req),
) {
    match Req::decode(payload) {
        Ok(req) => f(
            Call {
                raw: call,
                _t: PhantomData,
            },
            req,
        ),
        Err(_) => {
            call.fail(code::INVALID_ARGUMENT, "cannot decode the request")
        }
    }
}

/// Answers a call of a method the service left unimplemented, as the C
/// SDK does for a NULL handler (generated code only).
#[doc(hidden)]
pub fn unimplemented<T: Message>(call: Call<T>, method: &str) {
    let msg = format!("{} is not implemented", method);
    let _ = call.fail(code::UNIMPLEMENTED, 0, &msg);
}

/// Callers are the app's guests, a handful of names: each is kept once.
fn intern(st: &mut State, name: &[u8]) -> Rc<str> {
    if let Some(c) = st.callers.iter().find(|c| c.as_bytes() == name) {
        return c.clone();
    }
    // A name that is not plain UTF-8 is kept as its text, once.
    let text = text_of(name);
    if let Some(c) = st.callers.iter().find(|c| ***c == *text) {
        return c.clone();
    }
    let c: Rc<str> = Rc::from(text);
    st.callers.push(c.clone());
    c
}

fn on_call(
    id: u64,
    deadline: u64,
    service: u32,
    method: &[u8],
    caller: &[u8],
    payload: &[u8],
) {
    let found = with(|st| {
        let call = RawCall {
            id,
            deadline,
            caller: intern(st, caller),
        };
        let e = match st.exporteds.get_mut(service as usize) {
            Some(e) => e,
            None => return Err(call),
        };
        let index = e
            .desc
            .methods
            .iter()
            .position(|m| m.name.as_bytes() == method);
        match (index, e.handler.take()) {
            (Some(i), Some(h)) => Ok((call, i as u32, h)),
            (_, h) => {
                e.handler = h;
                Err(call)
            }
        }
    });
    match found {
        Err(call) => call.fail(code::UNIMPLEMENTED, "no such method"),
        Ok((call, index, mut h)) => {
            h(index, call, payload);
            with(|st| st.exporteds[service as usize].handler = Some(h));
        }
    }
}

// ---- hooks -----------------------------------------------------------------

/// Has `f` called when a service this guest requires dies, with its
/// descriptor and why ("unreachable executed"...); calls to it fail with
/// UNAVAILABLE from then on.
pub fn on_required_died(f: impl FnMut(&'static ServiceDesc, &str) + 'static) {
    with(|st| st.died = Some(Box::new(f)));
}

/// Has `f` called when a service this guest requires is back after a
/// restart.
pub fn on_required_restarted(f: impl FnMut(&'static ServiceDesc) + 'static) {
    with(|st| st.restarted = Some(Box::new(f)));
}

/// Has `f` called once when this guest is stopped, after every guest that
/// requires it has stopped (the services it requires still answer).
pub fn on_stop(f: impl FnMut() + 'static) {
    with(|st| st.stop = Some(Box::new(f)));
}

fn required_named(st: &State, name: &[u8]) -> Option<&'static ServiceDesc> {
    st.requireds
        .iter()
        .find(|r| r.desc.full_name.as_bytes() == name)
        .map(|r| r.desc)
}

fn on_died(name: &[u8], why: &[u8]) {
    let hook = with(|st| match required_named(st, name) {
        Some(s) => st.died.take().map(|f| (s, f)),
        None => None,
    });
    if let Some((s, mut f)) = hook {
        f(s, &text_of(why));
        with(|st| {
            if st.died.is_none() {
                st.died = Some(f);
            }
        });
    }
}

fn on_restarted(name: &[u8]) {
    let hook = with(|st| match required_named(st, name) {
        Some(s) => st.restarted.take().map(|f| (s, f)),
        None => None,
    });
    if let Some((s, mut f)) = hook {
        f(s);
        with(|st| {
            if st.restarted.is_none() {
                st.restarted = Some(f);
            }
        });
    }
}

fn on_stop_event() {
    if let Some(mut f) = with(|st| st.stop.take()) {
        f();
        with(|st| {
            if st.stop.is_none() {
                st.stop = Some(f);
            }
        });
    }
}

// ---- log, clock, exit ------------------------------------------------------

/// Log levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Details.
    Debug = 0,
    /// What happened.
    Info = 1,
    /// Something to look at.
    Warn = 2,
    /// Something failed.
    Error = 3,
}

/// One line in the app's log, with this guest's name and the call being
/// handled; cut at 1023 bytes, as C's `parigot_log` does (at a character
/// boundary).
pub fn log(level: Level, msg: &str) {
    let mut n = msg.len().min(1023);
    while !msg.is_char_boundary(n) {
        n -= 1;
    }
    unsafe {
        abi::log(level as u32, msg.as_ptr(), n as u32);
    }
}

/// The app's clock, in ns since the app started: the clock of call
/// deadlines (virtual in deterministic mode).
pub fn now() -> u64 {
    let mut t = 0u64;
    unsafe {
        abi::now(&mut t);
    }
    t
}

/// Ends this program with `code` as its exit status (WASI `proc_exit`),
/// after flushing stdout and stderr.
pub fn exit(code: i32) -> ! {
    // A test whose expectations failed fails, whatever it exits with.
    let code = if code == 0 && crate::testing::failures() > 0 {
        1
    } else {
        code
    };
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code)
}

// ---- the exports -----------------------------------------------------------

fn get32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn get64(b: &[u8], at: usize) -> u64 {
    (get32(b, at) as u64) | ((get32(b, at + 4) as u64) << 32)
}

fn new_event_buffer(len: usize) -> Vec<u8> {
    let mut v = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        exit(70); // as C: no memory for the event, no way to go on
    }
    v.resize(len, 0);
    unsafe {
        abi::event_buffer(v.as_mut_ptr(), len as u32);
    }
    v
}

/// `parigot_main`: registers the event buffer and runs `declare`
/// (behind [`crate::guest!`]).
#[doc(hidden)]
pub fn main(declare: impl FnOnce()) {
    crate::testing::install_panic_hook();
    let buf = new_event_buffer(4096);
    with(|st| st.event_buf = buf);
    declare();
    flush_stdio();
}

/// Writes what the guest printed and did not write yet (`print!` without
/// a newline: std's stdout writes whole lines at once) before control
/// returns to the kernel, which may stop or free this instance before the
/// next event (a STOP, the app's end, a kill). With nothing buffered it
/// makes no host call. std's stderr has no buffer: nothing to flush.
fn flush_stdio() {
    let _ = std::io::stdout().flush();
}

/// The length of this call's event in `buf`, fetched with `event_read`
/// when the kernel could not write it there; None if there is none.
fn take_event(buf: &mut Vec<u8>) -> Option<usize> {
    if buf.len() < EV_HEADER {
        return None;
    }
    if get32(buf, EV_OFF_KIND) != 0 {
        return Some(buf.len());
    }
    let mut len = 0u32;
    let mut rc = unsafe {
        abi::event_read(buf.as_mut_ptr(), buf.len() as u32, &mut len)
    };
    if rc == Error::ENOSPC.0 {
        *buf = new_event_buffer(len as usize);
        rc = unsafe {
            abi::event_read(buf.as_mut_ptr(), buf.len() as u32, &mut len)
        };
    }
    let len = len as usize;
    if rc == 0 && len >= EV_HEADER && len <= buf.len() {
        Some(len)
    } else {
        None
    }
}

/// One event: its parts checked against its length (values from the host
/// are not trusted), then handed to the code that wants it.
fn handle(ev: &[u8], start: impl FnOnce()) {
    let kind = get32(ev, EV_OFF_KIND);
    let method_len = get32(ev, EV_OFF_METHOD_LEN) as usize;
    let payload_len = get32(ev, EV_OFF_PAYLOAD_LEN) as usize;
    let caller_len = get32(ev, EV_OFF_CALLER_LEN) as usize;
    let total = EV_HEADER as u64
        + method_len as u64
        + caller_len as u64
        + payload_len as u64;
    if total > ev.len() as u64 {
        return;
    }
    let method = &ev[EV_HEADER..EV_HEADER + method_len];
    let caller =
        &ev[EV_HEADER + method_len..EV_HEADER + method_len + caller_len];
    let payload = &ev[EV_HEADER + method_len + caller_len..total as usize];
    match kind {
        EV_START => start(),
        EV_CALL => on_call(
            get64(ev, EV_OFF_CALL_ID),
            get64(ev, EV_OFF_DEADLINE_NS),
            get32(ev, EV_OFF_SERVICE),
            method,
            caller,
            payload,
        ),
        EV_DIED => on_died(method, payload),
        EV_RESPONSE => on_response(
            get32(ev, EV_OFF_STATUS),
            get64(ev, EV_OFF_CALL_ID),
            get32(ev, EV_OFF_APP_ERROR) as i32,
            payload,
        ),
        EV_RESTARTED => on_restarted(method),
        EV_STOP => on_stop_event(),
        _ => {} // a kind this SDK does not know
    }
}

/// `parigot_event`: one event per call (behind [`crate::guest!`]).
#[doc(hidden)]
pub fn event(start: impl FnOnce()) {
    // The buffer leaves the state while the event is handled, so the code
    // it reaches may use the state; its bytes stay where the kernel
    // writes them.
    let mut buf = with(|st| std::mem::take(&mut st.event_buf));
    crate::ctx::reset(); // a new event, perhaps for another user
    if let Some(len) = take_event(&mut buf) {
        handle(&buf[..len], start);
    }
    if buf.len() >= EV_OFF_KIND + 4 {
        // Kind 0: the next event is not here yet.
        buf[EV_OFF_KIND..EV_OFF_KIND + 4].copy_from_slice(&[0; 4]);
    }
    with(|st| st.event_buf = buf);
    flush_stdio();
}
