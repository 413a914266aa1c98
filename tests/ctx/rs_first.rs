// SPDX-License-Identifier: Apache-2.0
//! tests/ctx/rs_first.rs: ctxtest.v1.First in Rust, the first hop of the
//! chain. It reports the user it sees (parigot::call_user), makes its
//! calls for `first_login` when asked (parigot::set_call_user, which only
//! a guest the manifest lets authenticate may), calls Second, and in that
//! call's continuation reports the user again and calls Third, whose
//! continuation reports it a third time before answering.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{Call, Status};
use pb::ctxtest::v1 as c;

/// The words every hop of tests/ctx writes for the user it sees.
fn who() -> String {
    match parigot::call_user() {
        None => "nobody".into(),
        Some(u) => format!(
            "id={} name={} roles={} admin={}",
            u.id,
            u.name,
            u.roles.join(","),
            if parigot::call_user_has_role("admin") {
                "yes"
            } else {
                "no"
            }
        ),
    }
}

/// A hop's answer, or why it failed, as lines of the report.
fn lines_of(from: &str, r: Result<c::HopResponse, Status>) -> String {
    match r {
        Ok(resp) => resp.report,
        Err(st) => format!(
            "first (Rust): {} failed: code {}: {}\n",
            from, st.code, st.message
        ),
    }
}

struct First;

impl c::First for First {
    fn hop(&mut self, call: Call<c::HopResponse>, req: c::HopRequest) {
        let mut report = format!("first (Rust): {}\n", who());
        if !req.first_login.is_empty() {
            let rc = parigot::set_call_user(&req.first_login, "", &["ops"]);
            report += &format!(
                "first (Rust): set user {}: {}\n",
                req.first_login,
                match rc {
                    Ok(()) => "ok".to_string(),
                    Err(e) => e.to_string(),
                }
            );
        }
        c::SecondClient.hop(&req).then(move |r| {
            report += &lines_of("Second", r);
            report += &format!("first (Rust) continued: {}\n", who());
            let third = c::HopRequest::default();
            c::ThirdClient.hop(&third).then(move |r| {
                report += &lines_of("Third", r);
                report += &format!("first (Rust) continued again: {}\n", who());
                let _ = call.respond(&c::HopResponse {
                    report,
                    ..Default::default()
                });
            });
        });
    }
}

fn declare() {
    c::SecondClient::require();
    c::ThirdClient::require();
    c::export_first(First);
}

fn start() {
    // START carries no context: nobody, whoever starts the app.
    parigot::log!(Info, "start: {}", who());
}

parigot::guest! { declare: declare, start: start }
