// SPDX-License-Identifier: Apache-2.0
//! tests/rust/greeting.rs: greeting.v1.Greeting written in Rust, answering
//! as examples/helloworld/greeting.c does: a greeting per tongue, or the
//! service's own error (UNKNOWN with GREETING_ERROR_UNKNOWN_TONGUE).

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{code, Call};
use pb::greeting::v1 as g;

struct Greeter;

impl g::Greeting for Greeter {
    fn fetch_greeting(
        &mut self,
        call: Call<g::FetchGreetingResponse>,
        req: g::FetchGreetingRequest,
    ) {
        let greeting = match req.tongue {
            g::Tongue::TONGUE_ENGLISH => "Hello",
            g::Tongue::TONGUE_FRENCH => "Bonjour",
            g::Tongue::TONGUE_GERMAN => "Guten Tag",
            t => {
                parigot::log!(Warn, "no greeting in tongue {}", t.0);
                let _ = call.fail(
                    code::UNKNOWN,
                    g::GreetingError::GREETING_ERROR_UNKNOWN_TONGUE,
                    "unknown tongue",
                );
                return;
            }
        };
        let resp = g::FetchGreetingResponse {
            greeting: greeting.into(),
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }
}

fn declare() {
    g::export_greeting(Greeter);
}

fn start() {
    parigot::log!(Info, "ready");
}

parigot::guest! { declare: declare, start: start }
