// SPDX-License-Identifier: Apache-2.0
//! The Rust guest SDK of parigot: a guest is a `wasm32-wasi` reactor whose
//! exports ([`guest!`]) run the event loop of [`rt`], and whose messages
//! and services come from `protoc-gen-parigot --parigot_opt=lang=rust`
//! (the codec runtime is [`pb`]).
//!
//! A service:
//!
//! ```ignore
//! mod pb { include!(env!("PARIGOT_PROTOS")); }  // generated modules
//! use pb::greeting::v1::{self as g, Greeting};
//! use parigot::{code, Call};
//!
//! struct Greeter;
//! impl Greeting for Greeter {
//!     fn fetch_greeting(&mut self, call: Call<g::FetchGreetingResponse>,
//!                       req: g::FetchGreetingRequest) {
//!         if req.tongue != g::Tongue::TONGUE_FRENCH {
//!             let e = g::GreetingError::GREETING_ERROR_UNKNOWN_TONGUE;
//!             let _ = call.fail(code::UNKNOWN, e, "unknown tongue");
//!             return;
//!         }
//!         let _ = call.respond(&g::FetchGreetingResponse {
//!             greeting: "Bonjour".into(), ..Default::default() });
//!     }
//! }
//! fn declare() { g::export_greeting(Greeter); }
//! fn start() { parigot::log!(Info, "ready"); }
//! parigot::guest! { declare: declare, start: start }
//! ```
//!
//! A program requires the service in `declare` and calls it in `start`:
//! `GreetingClient::require()` returns a client whose methods return a
//! [`Reply`]; `.then(|r: Result<Resp, Status>| ...)` runs when the answer
//! comes, and [`exit`] ends the program.
//!
//! [`call_user`] is the user the event being handled is for (in a
//! continuation, the user of the call it continues), whose calls this
//! guest's calls carry; a guest the manifest lets authenticate makes its
//! calls for another with [`set_call_user`] ([`ctx`]).
//!
//! Generated files are included by module: each `.pg.rs` is the body of
//! the module named after its package (`greeting.v1` is `greeting::v1`),
//! and reaches the other packages through `super::` paths, so all the
//! packages of a guest are included under one common module (the crate
//! root or any other). `pg_rust_guest()` (cmake/ParigotRust.cmake) writes
//! that tree of modules into a file named by the `PARIGOT_PROTOS`
//! environment variable at compile time.

pub mod ctx;
pub mod error;
pub mod mock;
pub mod pb;
pub mod rt;
pub mod testing;

pub use ctx::{call_user, call_user_has_role, set_call_user, User};
pub use error::{code, Error, Status};
pub use rt::{
    exit, log, next_call_timeout, now, on_required_died, on_required_restarted,
    on_stop, Call, FileDesc, Level, MethodDesc, Reply, ServiceDesc,
};

/// Defines the guest's exports (`parigot_abi_v2`, `parigot_main`,
/// `parigot_event`) around two functions of the programmer's: `declare`
/// runs once at start-up and calls the generated `export_x()` and
/// `XClient::require()`; `start` runs once everything required is ready
/// (a service's ready hook, a program's body). Use it once, at the crate
/// root.
#[macro_export]
macro_rules! guest {
    (declare: $declare:expr, start: $start:expr $(,)?) => {
        #[export_name = "parigot_abi_v2"]
        pub extern "C" fn __parigot_abi_v2() {}

        #[export_name = "parigot_main"]
        pub extern "C" fn __parigot_main() {
            $crate::rt::main($declare)
        }

        #[export_name = "parigot_event"]
        pub extern "C" fn __parigot_event() {
            $crate::rt::event($start)
        }
    };
}

/// One line in the app's log, formatted: `parigot::log!(Info, "got {}", n)`;
/// the level is a [`Level`] variant.
#[macro_export]
macro_rules! log {
    ($level:ident, $($arg:tt)+) => {
        $crate::rt::log($crate::rt::Level::$level, &::std::format!($($arg)+))
    };
}
