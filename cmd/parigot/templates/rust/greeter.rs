//! greeter.rs: the greeter.v1.Greeter service: "Hello, <name>!", or
//! INVALID_ARGUMENT for an empty name.

// The code generated from proto/ (the build says where it is).
mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{code, Call};
use pb::greeter::v1 as g;

struct Greetings;

impl g::Greeter for Greetings {
    fn greet(&mut self, call: Call<g::GreetResponse>, req: g::GreetRequest) {
        if req.name.is_empty() {
            let _ = call.fail(code::INVALID_ARGUMENT, 0, "name is empty");
            return;
        }
        let resp = g::GreetResponse {
            message: format!("Hello, {}!", req.name),
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }
}

fn declare() {
    g::export_greeter(Greetings);
}

fn start() {
    parigot::log!(Info, "ready");
}

parigot::guest! { declare: declare, start: start }
