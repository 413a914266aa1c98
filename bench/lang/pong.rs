// SPDX-License-Identifier: Apache-2.0
//! bench/lang/pong.rs: the language suite's Rust service: answers every
//! Ping with the payload it was sent, as bench/app/pong.c does.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::Call;
use pb::parigot::bench::app::v1 as p;

struct Pong;

impl p::Ping for Pong {
    fn ping(&mut self, call: Call<p::Payload>, req: p::Payload) {
        let _ = call.respond(&req);
    }
}

fn declare() {
    p::export_ping(Pong);
}

fn start() {}

parigot::guest! { declare: declare, start: start }
