//! hello.rs: the program: asks the Greeter to greet the world, prints the
//! answer and exits.

// The code generated from proto/ (the build says where it is).
mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use pb::greeter::v1 as g;

fn declare() {
    g::GreeterClient::require();
}

fn start() {
    let req = g::GreetRequest {
        name: "world".into(),
        ..Default::default()
    };
    // The answer comes later, to this closure.
    g::GreeterClient.greet(&req).then(|r| match r {
        Ok(resp) => {
            println!("{}", resp.message);
            parigot::exit(0)
        }
        Err(st) => {
            parigot::log!(Error, "Greet failed: {}", st);
            parigot::exit(1)
        }
    });
}

parigot::guest! { declare: declare, start: start }
