// SPDX-License-Identifier: Apache-2.0
//! tests/rust/printer.rs: greeting.v1.Greeting that prints to stdout with
//! `println!` and `print!` and never flushes: a line and a tail without a
//! newline per call, and "svc: bye" without a newline when it stops. The
//! SDK's event loop must see that every byte reaches parigot's stdout.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::Call;
use pb::greeting::v1 as g;

struct Printer;

impl g::Greeting for Printer {
    fn fetch_greeting(
        &mut self,
        call: Call<g::FetchGreetingResponse>,
        req: g::FetchGreetingRequest,
    ) {
        println!("svc: greeting in tongue {}", req.tongue.0);
        print!("svc: tail ");
        let resp = g::FetchGreetingResponse {
            greeting: "Bonjour".into(),
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }
}

fn declare() {
    g::export_greeting(Printer);
}

fn start() {
    parigot::on_stop(|| print!("svc: bye"));
}

parigot::guest! { declare: declare, start: start }
