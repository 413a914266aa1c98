// SPDX-License-Identifier: Apache-2.0
//! tests/rust/hello.rs: a Rust program asking greeting.v1.Greeting for the
//! greeting in $TONGUE (a number; French when unset) and printing
//! "GREETING, world"; a failed call prints its status and exits 1. Given
//! arguments in its manifest, it first prints "args: " and its argv
//! (its name, then the manifest's args) joined by '|'.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use pb::greeting::v1 as g;

fn declare() {
    g::GreetingClient::require();
}

fn start() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() > 1 {
        println!("args: {}", args.join("|"));
    }
    let tongue = std::env::var("TONGUE")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(g::Tongue::TONGUE_FRENCH.0);
    let req = g::FetchGreetingRequest {
        tongue: g::Tongue(tongue),
        ..Default::default()
    };
    g::GreetingClient.fetch_greeting(&req).then(|r| match r {
        Ok(resp) => {
            println!("{}, world", resp.greeting);
            parigot::exit(0);
        }
        Err(st) => {
            let name = g::GreetingError(st.app_error).name().unwrap_or("?");
            println!(
                "failed: code {} app_error {} ({}): {}",
                st.code, st.app_error, name, st.message
            );
            parigot::exit(1);
        }
    });
}

parigot::guest! { declare: declare, start: start }
