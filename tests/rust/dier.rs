// SPDX-License-Identifier: Apache-2.0
//! tests/rust/dier.rs: a Rust conform.v1.Conformance service that dies on
//! its first Nothing call (a panic, which aborts: a trap), so its callers
//! see UNAVAILABLE and a DIED event. Echo answers, to show it was alive.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::Call;
use pb::conform::v1 as c;

struct Dier;

impl c::Conformance for Dier {
    fn echo(&mut self, call: Call<c::EchoResponse>, req: c::EchoRequest) {
        let resp = c::EchoResponse {
            echo: Some(req),
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }

    fn nothing(&mut self, _call: Call<c::Empty>, _req: c::Empty) {
        panic!("asked to die");
    }
}

fn declare() {
    c::export_conformance(Dier);
}

fn start() {}

parigot::guest! { declare: declare, start: start }
