// SPDX-License-Identifier: Apache-2.0
//! bench/lang/ping.rs: the language suite's Rust program, as
//! bench/app/ping.c: PING_CALLS sequential calls of Ping with PING_SIZE
//! bytes (byte i is i * 31 + 7), each started in the previous call's
//! continuation; checks each answer's length and the last one's bytes,
//! prints "ping calls N size S" and exits 0 (1 on a failure).

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use std::cell::RefCell;
use std::rc::Rc;

use pb::parigot::bench::app::v1 as p;

struct Run {
    calls: u64,
    done: u64,
    req: p::Payload,
}

fn env_u64(name: &str, fallback: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(fallback)
}

fn finish(run: &Run) -> ! {
    println!("ping calls {} size {}", run.calls, run.req.data.len());
    parigot::exit(0)
}

fn send(run: Rc<RefCell<Run>>) {
    let reply = p::PingClient.ping(&run.borrow().req);
    reply.then(move |r| {
        let resp = match r {
            Ok(resp) => resp,
            Err(st) => {
                parigot::log!(Error, "call {} failed: {}", run.borrow().done,
                              st);
                parigot::exit(1)
            }
        };
        let mut s = run.borrow_mut();
        s.done += 1;
        let last = s.done == s.calls;
        if resp.data.len() != s.req.data.len()
            || (last && resp.data != s.req.data)
        {
            parigot::log!(Error, "call {}: wrong answer ({} bytes)", s.done,
                          resp.data.len());
            parigot::exit(1);
        }
        if last {
            finish(&s);
        }
        drop(s);
        send(run);
    });
}

fn declare() {
    p::PingClient::require();
}

fn start() {
    let size = env_u64("PING_SIZE", 0) as usize;
    let run = Run {
        calls: env_u64("PING_CALLS", 1000),
        done: 0,
        req: p::Payload {
            data: (0..size).map(|i| (i * 31 + 7) as u8).collect(),
            ..Default::default()
        },
    };
    if run.calls == 0 {
        finish(&run);
    }
    send(Rc::new(RefCell::new(run)));
}

parigot::guest! { declare: declare, start: start }
