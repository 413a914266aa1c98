//! hello_test.rs: the app's test (test = true in the manifest, run by
//! `make test`): a name gets its greeting, and an empty name gets
//! INVALID_ARGUMENT. Exits 0 when both answers are right.

// The code generated from proto/ (the build says where it is).
mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use std::cell::Cell;

use parigot::code;
use pb::greeter::v1 as g;

// How many answers came, and how many were wrong (a guest has one thread).
thread_local! {
    static ANSWERED: Cell<u32> = Cell::new(0);
    static WRONG: Cell<u32> = Cell::new(0);
}

/// Counts one answer; once both have come, exits 0 if both were right.
fn answered(right: bool) {
    if !right {
        WRONG.with(|w| w.set(w.get() + 1));
    }
    ANSWERED.with(|a| a.set(a.get() + 1));
    if ANSWERED.with(Cell::get) == 2 {
        parigot::exit(if WRONG.with(Cell::get) == 0 { 0 } else { 1 });
    }
}

/// Calls Greet(name) and checks the answer: the greeting `want`, or
/// INVALID_ARGUMENT when `want` is None.
fn greet(name: &'static str, want: Option<&'static str>) {
    let req = g::GreetRequest {
        name: name.into(),
        ..Default::default()
    };
    g::GreeterClient.greet(&req).then(move |r| {
        let right = match (&r, want) {
            (Ok(resp), Some(want)) => resp.message == want,
            (Err(st), None) => st.code == code::INVALID_ARGUMENT,
            _ => false,
        };
        if !right {
            parigot::log!(Error, "Greet({:?}): wrong answer: {:?}", name, r);
        }
        answered(right);
    });
}

fn declare() {
    g::GreeterClient::require();
}

fn start() {
    greet("Ada", Some("Hello, Ada!"));
    greet("", None);
}

parigot::guest! { declare: declare, start: start }
