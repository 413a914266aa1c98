// SPDX-License-Identifier: Apache-2.0
//! Helpers for test programs (docs/testing.md, "Assertions and helpers").
//!
//! Failures reach `parigot test`'s report by a line at ERROR level: the
//! SDK's panic hook (installed by [`crate::guest!`]) logs every panic,
//! `assert_eq!` included, as `panicked at src/x.rs:10:5: assertion ...`
//! before the trap, and [`expect_eq!`](crate::expect_eq) /
//! [`expect!`](crate::expect) log theirs and let the test go on, counted:
//! while [`failures`] is not 0, [`crate::exit`]`(0)` exits with status 1.
//!
//! The timers ([`sleep`], [`Later::within`]) call parigot.test.v1.Test,
//! which `parigot test` adds to every test app: call [`require`] in the
//! guest's `declare`.
//!
//! Asynchronous helpers return a [`Later`], a value that arrives later,
//! started when given its continuation with [`Later::then`]:
//!
//! ```ignore
//! use parigot::testing::{self, Later};
//! fn start() {
//!     testing::sleep(1_000_000).then(|r| { /* 1 ms later */ });
//!     Later::from(client.get(&req))
//!         .within(5_000_000)               // DEADLINE_EXCEEDED after 5 ms
//!         .expect_fail(parigot::code::NOT_FOUND) // else a reported failure
//!         .then(|_| parigot::exit(0));
//! }
//! ```

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;

use crate::error::{code, Status};
use crate::pb::{self, DecodeError, EncodeError, Message, Reader, Writer};
use crate::rt::{self, FileDesc, Level, MethodDesc, Reply, ServiceDesc};

thread_local! {
    static FAILURES: Cell<u32> = Cell::new(0);
}

/// How many checks failed in this guest so far ([`expect_eq!`](
/// crate::expect_eq), [`expect!`](crate::expect), [`fail`],
/// [`Later::expect_fail`]). While it is not 0, [`crate::exit`]`(0)` exits
/// with status 1.
pub fn failures() -> u32 {
    FAILURES.with(|f| f.get())
}

/// Counts a failure and logs `file:line: what` at ERROR: the reason
/// `parigot test` gives when the test then fails. The test goes on.
pub fn fail_at(file: &str, line: u32, what: &str) {
    FAILURES.with(|f| f.set(f.get().saturating_add(1)));
    rt::log(Level::Error, &format!("{}:{line}: {what}", base_name(file)));
}

/// A source path's last component: reports read the same wherever the
/// guest was built (as C's do).
fn base_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// [`fail_at`] at the caller's place in the source.
#[track_caller]
pub fn fail(what: &str) {
    let at = Location::caller();
    fail_at(at.file(), at.line(), what);
}

/// Expects `left == right` (any `PartialEq + Debug` values): on a
/// failure logs `src/t.rs:12: expect_eq!(a, b): 1 != 2` at ERROR, counts
/// it and goes on. Its value is true when it held.
#[macro_export]
macro_rules! expect_eq {
    ($left:expr, $right:expr $(,)?) => {
        match (&$left, &$right) {
            (l, r) => {
                if *l == *r {
                    true
                } else {
                    $crate::testing::fail_at(
                        ::std::file!(),
                        ::std::line!(),
                        &::std::format!(
                            "expect_eq!({}, {}): {:?} != {:?}",
                            ::std::stringify!($left),
                            ::std::stringify!($right),
                            l,
                            r
                        ),
                    );
                    false
                }
            }
        }
    };
}

/// Expects `left != right`; as [`expect_eq!`](crate::expect_eq).
#[macro_export]
macro_rules! expect_ne {
    ($left:expr, $right:expr $(,)?) => {
        match (&$left, &$right) {
            (l, r) => {
                if *l != *r {
                    true
                } else {
                    $crate::testing::fail_at(
                        ::std::file!(),
                        ::std::line!(),
                        &::std::format!(
                            "expect_ne!({}, {}): both are {:?}",
                            ::std::stringify!($left),
                            ::std::stringify!($right),
                            l
                        ),
                    );
                    false
                }
            }
        }
    };
}

/// Expects a condition to hold; as [`expect_eq!`](crate::expect_eq).
#[macro_export]
macro_rules! expect {
    ($cond:expr $(,)?) => {
        if $cond {
            true
        } else {
            $crate::testing::fail_at(
                ::std::file!(),
                ::std::line!(),
                &::std::format!("expect!({}): false", ::std::stringify!($cond)),
            );
            false
        }
    };
}

/// The name of a status code: `"NOT_FOUND"`, or `"CODE_<n>"`.
pub fn code_name(c: u32) -> String {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    match NAMES.get(c as usize) {
        Some(n) => n.to_string(),
        None => format!("CODE_{c}"),
    }
}

// ---- parigot.test.v1.Test, by hand -----------------------------------------

/// `parigot.test.v1.SleepRequest` and `SleepResponse`: one uint64 each,
/// field 1, so one type serves both.
#[derive(Default)]
pub struct OneU64 {
    value: u64,
    unknown: Vec<u8>,
}

impl Message for OneU64 {
    fn encoded_len_at(&self, depth: u32) -> usize {
        self.unknown.len() + pb::field_len::<pb::Uint64>(1, &self.value, depth)
    }
    fn write(&self, w: &mut Writer<'_>, depth: u32) -> Result<(), EncodeError> {
        w.raw(&self.unknown)?;
        pb::put_field::<pb::Uint64>(w, &[0x08], &self.value, depth)
    }
    fn merge_field(
        &mut self,
        number: u32,
        wt: u32,
        r: &mut Reader<'_>,
    ) -> Result<bool, DecodeError> {
        if number != 1 {
            return Ok(false);
        }
        pb::merge_one::<pb::Uint64>(r, wt, &mut self.value)?;
        Ok(true)
    }
    fn unknown_fields_mut(&mut self) -> &mut Vec<u8> {
        &mut self.unknown
    }
}

static TEST_FILE: FileDesc = FileDesc {
    name: "parigot/test/v1/test.proto",
    package: "parigot.test.v1",
    descriptor: &[],
    dependencies: &[],
};

static TEST_SERVICE: ServiceDesc = ServiceDesc {
    full_name: "parigot.test.v1.Test",
    file: &TEST_FILE,
    methods: &[MethodDesc {
        name: "Sleep",
        path: "/parigot.test.v1.Test/Sleep",
    }],
};

/// Declares that this test calls parigot.test.v1.Test (the timers): call
/// it in the guest's `declare`. Requiring it twice is harmless.
pub fn require() {
    rt::require(&TEST_SERVICE);
}

/// A [`Later`] that succeeds once `ns` have passed on the app's clock
/// (virtual, and so exact, in deterministic mode), with the clock then.
/// Without [`require`] it fails at once with PERMISSION_DENIED.
pub fn sleep(ns: u64) -> Later<u64> {
    let reply: Reply<OneU64> = rt::dispatch(
        &TEST_SERVICE,
        0,
        &OneU64 {
            value: ns,
            unknown: Vec::new(),
        },
    );
    Later::new(move |k| reply.then(move |r| k(r.map(|m| m.value))))
}

// ---- Later -----------------------------------------------------------------

type Cont<T> = Box<dyn FnOnce(Result<T, Status>)>;

/// A value that arrives later (a call's answer, a timer), or the reason
/// it did not; nothing happens until [`Later::then`] gives it its
/// continuation, which runs once, from the event loop.
#[must_use = "nothing happens until .then() is given"]
pub struct Later<T> {
    start: Box<dyn FnOnce(Cont<T>)>,
}

impl<T: 'static> Later<T> {
    /// A `Later` that, given its continuation, calls `start` with it.
    pub fn new(start: impl FnOnce(Cont<T>) + 'static) -> Later<T> {
        Later {
            start: Box::new(start),
        }
    }

    /// Runs `f` with the value, or the reason it failed, once.
    pub fn then(self, f: impl FnOnce(Result<T, Status>) + 'static) {
        (self.start)(Box::new(f))
    }

    /// The same value if it comes within `ns` on the app's clock, else a
    /// failure with DEADLINE_EXCEEDED (`not settled within <ns> ns`) when
    /// they have passed; a later answer is dropped. Needs [`require`].
    pub fn within(self, ns: u64) -> Later<T> {
        Later::new(move |k: Cont<T>| {
            let slot: Rc<RefCell<Option<Cont<T>>>> =
                Rc::new(RefCell::new(Some(k)));
            let timer = slot.clone();
            self.then(move |r| {
                let k = slot.borrow_mut().take();
                if let Some(k) = k {
                    k(r);
                }
            });
            sleep(ns).then(move |r| {
                let k = timer.borrow_mut().take();
                match (k, r) {
                    (Some(k), Ok(_)) => k(Err(Status::new(
                        code::DEADLINE_EXCEEDED,
                        format!("not settled within {ns} ns"),
                    ))),
                    (Some(k), Err(st)) => {
                        // The timer could not run: the value alone decides.
                        rt::log(
                            Level::Warn,
                            &format!(
                                "within: the timer failed: {}",
                                st.message
                            ),
                        );
                        *timer.borrow_mut() = Some(k);
                    }
                    (None, _) => {}
                }
            });
        })
    }

    /// Expects a failure with `want`: it becomes success (with the
    /// [`Status`]); anything else is a counted failure, reported at the
    /// caller's line as `expect_fail: expected NOT_FOUND, got OK`, and
    /// the result then fails (with the status that came, or
    /// FAILED_PRECONDITION for a success).
    #[track_caller]
    pub fn expect_fail(self, want: u32) -> Later<Status> {
        self.check_fail(want, false)
    }

    /// As [`Later::expect_fail`], but anything else ends the test at once
    /// (a trap), the report naming both codes.
    #[track_caller]
    pub fn assert_fail(self, want: u32) -> Later<Status> {
        self.check_fail(want, true)
    }

    #[track_caller]
    fn check_fail(self, want: u32, fatal: bool) -> Later<Status> {
        let at = Location::caller();
        let (file, line) = (at.file(), at.line());
        let check = if fatal { "assert_fail" } else { "expect_fail" };
        Later::new(move |k: Cont<Status>| {
            self.then(move |r| {
                let got = match &r {
                    Ok(_) => code::OK,
                    Err(st) => st.code,
                };
                if got == want {
                    k(Ok(match r {
                        Ok(_) => Status::new(code::OK, ""),
                        Err(st) => st,
                    }));
                    return;
                }
                let mut what = format!(
                    "{check}: expected {}, got {}",
                    code_name(want),
                    code_name(got)
                );
                if let Err(st) = &r {
                    if !st.message.is_empty() {
                        what.push_str(&format!(" ({})", st.message));
                    }
                }
                fail_at(file, line, &what);
                if fatal {
                    // A panic would name this file: the report is made.
                    std::process::abort();
                }
                k(Err(match r {
                    Ok(_) => Status::new(
                        code::FAILED_PRECONDITION,
                        "succeeded where a failure was expected",
                    ),
                    Err(st) => st,
                }));
            })
        })
    }
}

impl<T: Message + 'static> From<Reply<T>> for Later<T> {
    fn from(reply: Reply<T>) -> Later<T> {
        Later::new(move |k| reply.then(k))
    }
}

// ---- the panic hook --------------------------------------------------------

/// Logs a panic at ERROR, where `parigot test` finds a test's reason, on
/// one line: `panicked at x.rs:10:5: assertion failed: `(left ==
/// right)`; left: `1`; right: `2``. It replaces std's hook, whose text on
/// stderr would say the same. Installed by [`crate::guest!`]'s
/// `parigot_main` before `declare`.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = if let Some(s) = payload.downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "Box<dyn Any>".to_string()
        };
        let msg: Vec<&str> = msg
            .lines()
            .map(|l| l.trim().trim_end_matches(','))
            .filter(|l| !l.is_empty())
            .collect();
        let at = match info.location() {
            Some(l) => {
                format!(
                    " at {}:{}:{}",
                    base_name(l.file()),
                    l.line(),
                    l.column()
                )
            }
            None => String::new(),
        };
        rt::log(Level::Error, &format!("panicked{at}: {}", msg.join("; ")));
    }));
}
