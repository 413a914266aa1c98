// SPDX-License-Identifier: Apache-2.0
//! tests/polyglot/rust/conform.rs: conform.v1.Conformance in Rust, exactly
//! as tests/polyglot/proto/conform/v1/conform.proto says; the C and
//! AssemblyScript versions must give the same answers byte for byte.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::Call;
use pb::conform::v1 as c;

struct Conform {
    held: Vec<Call<c::Empty>>, // Hold's calls: kept, never answered
}

/// FNV-1a, 32 bits.
fn fnv1a(data: &[u8]) -> u32 {
    data.iter().fold(2_166_136_261u32, |h, b| {
        (h ^ *b as u32).wrapping_mul(16_777_619)
    })
}

impl c::Conformance for Conform {
    fn echo(&mut self, call: Call<c::EchoResponse>, req: c::EchoRequest) {
        let resp = c::EchoResponse {
            caller: call.caller().to_string(),
            echo: Some(req),
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }

    fn fail(&mut self, call: Call<c::Empty>, req: c::FailRequest) {
        let _ = call.fail(req.code, req.app_error, &req.message);
    }

    fn hold(&mut self, call: Call<c::Empty>, _req: c::Empty) {
        self.held.push(call);
    }

    fn deadline(&mut self, call: Call<c::DeadlineResponse>, _req: c::Empty) {
        let resp = c::DeadlineResponse {
            time_left_ms: call.time_left() / 1_000_000,
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }

    fn big(&mut self, call: Call<c::BigResponse>, req: c::BigRequest) {
        let mut data = Vec::new();
        if data.try_reserve_exact(req.size as usize).is_err() {
            let _ = call.fail(
                parigot::code::RESOURCE_EXHAUSTED,
                0,
                "out of memory",
            );
            return;
        }
        data.extend(
            (0..req.size)
                .map(|i| i.wrapping_mul(31).wrapping_add(req.seed) as u8),
        );
        let resp = c::BigResponse {
            fnv1a: fnv1a(&data),
            data,
            ..Default::default()
        };
        let _ = call.respond(&resp);
    }

    fn nothing(&mut self, call: Call<c::Empty>, _req: c::Empty) {
        let _ = call.respond(&c::Empty::default());
    }
}

fn declare() {
    c::export_conformance(Conform { held: Vec::new() });
}

fn start() {
    parigot::log!(Info, "ready");
}

parigot::guest! { declare: declare, start: start }
