// SPDX-License-Identifier: Apache-2.0
//! Mocks of services for test programs: the runtime under the `XMock`
//! types protoc-gen-parigot writes beside each service's client and
//! trait (`PricesMock` for `mockdemo.v1.Prices`).
//!
//! A test program lists the mocked service in its manifest entry
//! (`mocks = ["prices"]`), exports the mock in its declare function (the
//! kernel sends a test's exports calls before its start), sets
//! expectations, drives the code under test and verifies:
//!
//! ```ignore
//! use pb::mockdemo::v1 as m;
//! fn declare() {
//!     let prices = m::PricesMock::export();
//!     prices.expect_price()
//!         .with(|req| req.sku == "apple")
//!         .times(2)
//!         .returning(|_| Ok(m::PriceReply { cents: 100, ..Default::default() }));
//!     m::CartClient::require();
//! }
//! fn start() {
//!     m::CartClient.total(&basket()).then(|r| {
//!         m::PricesMock::get().verify(); // panics, naming what went wrong
//!         parigot::exit(0)
//!     });
//! }
//! ```
//!
//! A call goes to the first expectation, in the order they were set,
//! whose method and request match and that has not had all the calls it
//! allows; when every matching one is full, to the last of them, which
//! then counts a call too many. A call that no expectation matches is
//! failed with UNIMPLEMENTED naming the method, and counted. An
//! expectation expects exactly one call unless told otherwise, and
//! answers with its canned answer (the default response when none was
//! given) or its error, after its delay: a delay waits on the app's clock
//! with `Sleep` of `parigot.test.v1.Test`, which `parigot test` adds to
//! every test app, so exporting a mock also requires that service.
//!
//! Everything is this guest's: one thread, no locks. Handlers, predicates
//! and answers run without any borrow of the mock held, so they may use
//! the mock (read its calls, add expectations).

use std::any::Any;
use std::cell::RefCell;
use std::fmt::Debug;
use std::panic::Location;
use std::rc::Rc;

use crate::error::{code, Status};
use crate::pb::Message;
use crate::rt::{self, Call, Level, ServiceDesc};

/// How a message reads in reports: its `Debug` form without the empty
/// `_unknown` member every generated message has.
pub fn describe<T: Debug>(v: &T) -> String {
    format!("{:?}", v)
        .replace(", _unknown: []", "")
        .replace("{ _unknown: [] }", "{}")
}

/// One call a mock had, of any method, for inspection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The method (`Price`).
    pub method: &'static str,
    /// The request, as [`describe`] writes it.
    pub request: String,
    /// The guest that called (its name in the manifest).
    pub caller: String,
    /// When it arrived, on the app's clock (ns, see [`crate::now`]).
    pub at_ns: u64,
    /// Whether an expectation took it (false: failed UNIMPLEMENTED).
    pub expected: bool,
}

// ---- the mock of one service -----------------------------------------------

/// What a mock's methods report to `verify`, whatever their types.
trait Checked {
    fn problems(&self, out: &mut Vec<String>);
}

struct MockState {
    service: &'static ServiceDesc,
    methods: Vec<Rc<dyn Checked>>,
    log: Vec<Record>,
    unexpected: Vec<usize>, // indexes into log
}

/// The untyped part of a mock: its service, its methods and the record
/// of its calls, shared by every handle (generated code holds one).
#[derive(Clone)]
pub struct Mock {
    inner: Rc<RefCell<MockState>>,
}

struct Registered {
    service: &'static ServiceDesc,
    mock: Mock,
    typed: Rc<dyn Any>,
}

thread_local! {
    static MOCKS: RefCell<Vec<Registered>> = RefCell::new(Vec::new());
}

impl Mock {
    /// A mock of `service` with no methods yet (generated code).
    #[doc(hidden)]
    pub fn new(service: &'static ServiceDesc) -> Mock {
        Mock {
            inner: Rc::new(RefCell::new(MockState {
                service,
                methods: Vec::new(),
                log: Vec::new(),
                unexpected: Vec::new(),
            })),
        }
    }

    /// Method number `index` of the service, typed (generated code; in
    /// the service's order, once each).
    #[doc(hidden)]
    pub fn method<Req, Resp>(&self, index: usize) -> Method<Req, Resp>
    where
        Req: Message + Debug + 'static,
        Resp: Message + 'static,
    {
        let name = self.inner.borrow().service.methods[index].name;
        let m = Method {
            mock: self.clone(),
            inner: Rc::new(RefCell::new(MethodState {
                name,
                expectations: Vec::new(),
                requests: Vec::new(),
            })),
        };
        let checked: Rc<dyn Checked> = m.inner.clone();
        self.inner.borrow_mut().methods.push(checked);
        m
    }

    /// Keeps `typed` (the generated mock) as the mock of its service, for
    /// `XMock::get()` and [`verify_all`], and requires
    /// `parigot.test.v1.Test` for delays (generated `XMock::export()`; in
    /// the declare function). Panics when the service already has a mock.
    #[doc(hidden)]
    pub fn register<T: Any>(&self, typed: T) {
        let service = self.inner.borrow().service;
        let known = MOCKS.with(|ms| {
            ms.borrow().iter().any(|r| std::ptr::eq(r.service, service))
        });
        if known {
            panic!("{} is mocked twice", service.full_name);
        }
        MOCKS.with(|ms| {
            ms.borrow_mut().push(Registered {
                service,
                mock: self.clone(),
                typed: Rc::new(typed),
            })
        });
        crate::testing::require();
    }

    /// The generated mock of `service`, exported before (generated
    /// `XMock::get()`); panics naming the service when there is none.
    #[doc(hidden)]
    pub fn registered<T: Any + Clone>(service: &'static ServiceDesc) -> T {
        let found = MOCKS.with(|ms| {
            ms.borrow()
                .iter()
                .find(|r| std::ptr::eq(r.service, service))
                .and_then(|r| r.typed.downcast_ref::<T>().cloned())
        });
        match found {
            Some(t) => t,
            None => panic!(
                "{} has no mock: export it in the declare function",
                service.full_name
            ),
        }
    }

    /// Every call the mock had, of every method, in the order they came.
    pub fn calls(&self) -> Vec<Record> {
        self.inner.borrow().log.clone()
    }

    /// The calls no expectation took (each was failed UNIMPLEMENTED).
    pub fn unexpected_calls(&self) -> Vec<Record> {
        let st = self.inner.borrow();
        st.unexpected.iter().map(|i| st.log[*i].clone()).collect()
    }

    /// Every unmet expectation and every unexpected call, one sentence
    /// each, in the service's method order then the calls' order.
    pub fn problems(&self) -> Vec<String> {
        let methods = self.inner.borrow().methods.clone();
        let mut out = Vec::new();
        for m in &methods {
            m.problems(&mut out);
        }
        for r in self.unexpected_calls() {
            out.push(format!(
                "unexpected call {}({}) from {}",
                r.method, r.request, r.caller
            ));
        }
        out
    }

    /// Checks that every expectation had the calls it wanted and that no
    /// call was unexpected; if not, panics with the report, on one line
    /// (which the SDK's panic hook logs at ERROR, the test's reason): `mock of mockdemo.v1.Prices: 2 problems:
    /// expectation of Price set at cart_test.rs:40 (...) was called 1
    /// time, wanted exactly 2; unexpected call Price(PriceRequest { sku:
    /// "zz" }) from cart`.
    #[track_caller]
    pub fn verify(&self) {
        if let Some(report) = self.report() {
            panic!("{}", report);
        }
    }

    /// What [`Mock::verify`] would panic with, or None when all is met.
    pub fn report(&self) -> Option<String> {
        let problems = self.problems();
        if problems.is_empty() {
            return None;
        }
        let n = problems.len();
        Some(format!(
            "mock of {}: {} problem{}: {}",
            self.inner.borrow().service.full_name,
            n,
            if n == 1 { "" } else { "s" },
            problems.join("; ")
        ))
    }

    fn record(&self, method: &'static str, req: String, caller: &str) -> usize {
        let mut st = self.inner.borrow_mut();
        st.log.push(Record {
            method,
            request: req,
            caller: caller.to_string(),
            at_ns: rt::now(),
            expected: true,
        });
        st.log.len() - 1
    }

    fn unexpected(&self, at: usize) {
        let mut st = self.inner.borrow_mut();
        st.log[at].expected = false;
        st.unexpected.push(at);
    }

    fn service_name(&self) -> &'static str {
        self.inner.borrow().service.full_name
    }
}

/// Verifies every mock this guest exported, in the order they were
/// exported (see [`Mock::verify`]); the first with a problem panics.
#[track_caller]
pub fn verify_all() {
    let mocks: Vec<Mock> =
        MOCKS.with(|ms| ms.borrow().iter().map(|r| r.mock.clone()).collect());
    for m in mocks {
        m.verify();
    }
}

// ---- one method ------------------------------------------------------------

type Matcher<Req> = Rc<dyn Fn(&Req) -> bool>;
type Answer<Req, Resp> = Rc<RefCell<dyn FnMut(&Req) -> Result<Resp, Status>>>;

struct ExpState<Req, Resp> {
    at: &'static Location<'static>,
    matcher: Option<Matcher<Req>>,
    what: String, // how the matcher reads in reports ("" for any)
    min: usize,
    max: usize,
    calls: usize,
    answer: Option<Answer<Req, Resp>>,
    delay_ns: u64,
}

impl<Req, Resp> ExpState<Req, Resp> {
    fn wanted(&self) -> String {
        if self.min == self.max {
            format!("exactly {}", self.min)
        } else if self.max == usize::MAX {
            format!("at least {}", self.min)
        } else {
            format!("{} to {}", self.min, self.max)
        }
    }
}

struct MethodState<Req, Resp> {
    name: &'static str,
    expectations: Vec<ExpState<Req, Resp>>,
    requests: Vec<Req>,
}

impl<Req, Resp> Checked for RefCell<MethodState<Req, Resp>> {
    fn problems(&self, out: &mut Vec<String>) {
        let st = self.borrow();
        for e in &st.expectations {
            if e.calls >= e.min && e.calls <= e.max {
                continue;
            }
            let file = e.at.file().rsplit('/').next().unwrap_or("");
            out.push(format!(
                "expectation of {} set at {}:{}{} was called {} time{}, \
                 wanted {}",
                st.name,
                file,
                e.at.line(),
                if e.what.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", e.what)
                },
                e.calls,
                if e.calls == 1 { "" } else { "s" },
                e.wanted()
            ));
        }
    }
}

/// One method of a mock, typed (generated code holds one per method).
pub struct Method<Req, Resp> {
    mock: Mock,
    inner: Rc<RefCell<MethodState<Req, Resp>>>,
}

impl<Req, Resp> Clone for Method<Req, Resp> {
    fn clone(&self) -> Self {
        Method {
            mock: self.mock.clone(),
            inner: self.inner.clone(),
        }
    }
}

impl<Req, Resp> Method<Req, Resp>
where
    Req: Message + Debug + Clone + 'static,
    Resp: Message + 'static,
{
    /// A new expectation of a call of this method (generated
    /// `expect_x()`), set where the test's code called that.
    #[doc(hidden)]
    #[track_caller]
    pub fn expect(&self) -> Expectation<Req, Resp> {
        let mut st = self.inner.borrow_mut();
        st.expectations.push(ExpState {
            at: Location::caller(),
            matcher: None,
            what: String::new(),
            min: 1,
            max: 1,
            calls: 0,
            answer: None,
            delay_ns: 0,
        });
        Expectation {
            method: self.inner.clone(),
            index: st.expectations.len() - 1,
        }
    }

    /// The requests of this method's calls so far, in order (expected
    /// or not).
    pub fn requests(&self) -> Vec<Req> {
        self.inner.borrow().requests.clone()
    }

    /// The first expectation that takes `req`, counted (see the module's
    /// rules), or None.
    fn take(&self, req: &Req) -> Option<(Answer<Req, Resp>, u64)>
    where
        Resp: Default,
    {
        let candidates: Vec<(usize, Option<Matcher<Req>>, bool)> = self
            .inner
            .borrow()
            .expectations
            .iter()
            .enumerate()
            .map(|(i, e)| (i, e.matcher.clone(), e.calls >= e.max))
            .collect();
        let mut last_full = None;
        let mut chosen = None;
        for (i, matcher, full) in candidates {
            if !matcher.map_or(true, |m| m(req)) {
                continue;
            }
            if !full {
                chosen = Some(i);
                break;
            }
            last_full = Some(i);
        }
        let i = chosen.or(last_full)?;
        let mut st = self.inner.borrow_mut();
        let e = &mut st.expectations[i];
        e.calls += 1;
        let answer = match &e.answer {
            Some(a) => a.clone(),
            None => {
                let a: Answer<Req, Resp> =
                    Rc::new(RefCell::new(|_: &Req| Ok(Resp::default())));
                a
            }
        };
        Some((answer, e.delay_ns))
    }

    /// Takes one incoming call (generated code's handler).
    #[doc(hidden)]
    pub fn handle(&self, call: Call<Resp>, req: Req) {
        let name = self.inner.borrow().name;
        let at = self.mock.record(name, describe(&req), call.caller());
        self.inner.borrow_mut().requests.push(req.clone());
        let (answer, delay) = match self.take(&req) {
            Some(t) => t,
            None => {
                self.mock.unexpected(at);
                let service = self.mock.service_name();
                rt::log(
                    Level::Warn,
                    &format!(
                        "mock of {}: unexpected call {}({})",
                        service,
                        name,
                        describe(&req)
                    ),
                );
                let msg = format!("unexpected call of {}/{}", service, name);
                let _ = call.fail(code::UNIMPLEMENTED, 0, &msg);
                return;
            }
        };
        let result = (answer.borrow_mut())(&req);
        if delay == 0 {
            answer_call(call, result);
            return;
        }
        crate::testing::sleep(delay).then(move |slept| match slept {
            Ok(_) => answer_call(call, result),
            Err(st) => {
                let msg = format!("the mock's delay failed: {}", st);
                let _ = call.fail(st.code, 0, &msg);
            }
        });
    }
}

fn answer_call<Resp: Message>(call: Call<Resp>, result: Result<Resp, Status>) {
    let _ = match result {
        Ok(resp) => call.respond(&resp),
        Err(st) => call.fail_with(&st),
    };
}

// ---- expectations ----------------------------------------------------------

/// An expectation of calls of one method, set up in builder style; every
/// setter changes the expectation in its mock at once, so the value may
/// be dropped after the last one.
pub struct Expectation<Req, Resp> {
    method: Rc<RefCell<MethodState<Req, Resp>>>,
    index: usize,
}

impl<Req, Resp> Expectation<Req, Resp>
where
    Req: Message + Debug + 'static,
    Resp: Message + 'static,
{
    fn set(self, f: impl FnOnce(&mut ExpState<Req, Resp>)) -> Self {
        f(&mut self.method.borrow_mut().expectations[self.index]);
        self
    }

    /// Takes only the calls whose request `pred` accepts.
    pub fn with(self, pred: impl Fn(&Req) -> bool + 'static) -> Self {
        self.set(|e| {
            e.matcher = Some(Rc::new(pred));
            e.what = "matching a predicate".into();
        })
    }

    /// Takes only the calls whose request equals `want`, field by field.
    pub fn with_request(self, want: Req) -> Self
    where
        Req: PartialEq,
    {
        let what = format!("request {}", describe(&want));
        self.set(move |e| {
            e.matcher = Some(Rc::new(move |r: &Req| *r == want));
            e.what = what;
        })
    }

    /// Expects exactly `n` calls (0: none).
    pub fn times(self, n: usize) -> Self {
        self.set(|e| {
            e.min = n;
            e.max = n;
        })
    }

    /// Expects at least `n` calls, with no upper bound.
    pub fn at_least(self, n: usize) -> Self {
        self.set(|e| {
            e.min = n;
            e.max = usize::MAX;
        })
    }

    /// Expects at most `n` calls, none included.
    pub fn at_most(self, n: usize) -> Self {
        self.set(|e| {
            e.min = 0;
            e.max = n;
        })
    }

    /// Expects any number of calls, none included: a default for the
    /// calls no expectation before it takes.
    pub fn any_times(self) -> Self {
        self.at_least(0)
    }

    /// Expects no call.
    pub fn never(self) -> Self {
        self.times(0)
    }

    /// Answers each call with what `f` makes of its request: a response,
    /// or the status to fail the call with.
    pub fn returning(
        self,
        f: impl FnMut(&Req) -> Result<Resp, Status> + 'static,
    ) -> Self {
        self.set(|e| e.answer = Some(Rc::new(RefCell::new(f))))
    }

    /// Answers each call with `resp`.
    pub fn returns(self, resp: Resp) -> Self
    where
        Resp: Clone,
    {
        self.returning(move |_| Ok(resp.clone()))
    }

    /// Fails each call with `code` (a [`code`] other than OK), the
    /// service's own error `app_error` (with [`code::UNKNOWN`]; 0 for
    /// none) and `message`.
    pub fn fail(
        self,
        code: u32,
        app_error: impl Into<i32>,
        message: &str,
    ) -> Self {
        let st = Status {
            code,
            app_error: app_error.into(),
            message: message.to_string(),
        };
        self.returning(move |_| Err(st.clone()))
    }

    /// Answers each call `ns` nanoseconds after it arrives, on the app's
    /// clock (virtual in deterministic mode).
    pub fn delay_ns(self, ns: u64) -> Self {
        self.set(|e| e.delay_ns = ns)
    }

    /// As [`Expectation::delay_ns`], with a [`std::time::Duration`].
    pub fn delay(self, d: std::time::Duration) -> Self {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.delay_ns(ns)
    }

    /// How many calls it has taken so far.
    pub fn calls(&self) -> usize {
        self.method.borrow().expectations[self.index].calls
    }
}
