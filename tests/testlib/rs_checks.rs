// SPDX-License-Identifier: Apache-2.0
// tests/testlib/rs_checks.rs: a Rust test program that fails each kind of
// check on purpose, picked by its SCENARIO (tests/testlib/manifests), and
// passes them all with SCENARIO=pass. test_testlib.c finds each failing
// line by its marker comment (@assert_eq...) and expects it in the report.
use parigot::testing::{self, Later};
use parigot::{code, expect, expect_eq, expect_ne, Status};

// The timers need parigot.test.v1.Test: only the scenarios of
// rs_async.toml require it.
fn declare() {
    if ["sleep", "within", "within_met", "expect_fail_ok"]
        .contains(&scenario().as_str())
    {
        testing::require();
    }
}

fn scenario() -> String {
    std::env::var("SCENARIO").unwrap_or_default()
}

fn later_failure(code: u32, message: &'static str) -> Later<u64> {
    Later::new(move |k| k(Err(Status::new(code, message))))
}

// A timer of `ns` set just after t0 fired `elapsed` after t0: on time,
// give or take the ticks of the deterministic clock (1 us a reading);
// test_testlib.c checks the exact value is the same on every run.
fn on_time(elapsed: u64, ns: u64) {
    assert!(
        elapsed >= ns && elapsed < ns + 20_000,
        "{elapsed} ns for {ns}"
    );
}

fn start() {
    let t0 = parigot::now();
    let s = scenario();
    let total = 1 + 1;
    match s.as_str() {
        "pass" => {
            expect_eq!(total, 2);
            expect_ne!(total, 3);
            expect!(total > 1);
            assert_eq!(testing::failures(), 0);
        }
        "assert_eq" => {
            assert_eq!(total, 3); // @assert_eq
        }
        "panic" => {
            let v: Vec<u32> = Vec::new();
            if v.is_empty() {
                panic!("no items in cart {}", 7); // @panic
            }
        }
        "expect" => {
            expect_eq!(total, 3); // @expect
            parigot::log!(Info, "went on after the failed expectation");
        }
        "sleep" => {
            return testing::sleep(2_000_000).then(move |r| {
                let now = r.expect("Sleep failed");
                on_time(now - t0, 2_000_000);
                assert!(parigot::now() > now);
                parigot::log!(
                    Info,
                    "slept 2ms: answered after {} ns",
                    now - t0
                );
                parigot::exit(0);
            });
        }
        "within" => {
            let never: Later<u64> = Later::new(|k| std::mem::forget(k));
            return never.within(5_000_000).then(move |r| {
                let st = r.err().expect("a future that never settles settled");
                parigot::log!(
                    Info,
                    "within: {} ({}) after {} ns",
                    testing::code_name(st.code),
                    st.message,
                    parigot::now() - t0
                );
                assert_eq!(st.code, code::DEADLINE_EXCEEDED);
                on_time(parigot::now() - t0, 5_000_000);
                parigot::exit(0);
            });
        }
        "within_met" => {
            return testing::sleep(1_000_000).within(5_000_000).then(
                move |r| {
                    assert!(r.is_ok());
                    let elapsed = parigot::now() - t0;
                    parigot::log!(Info, "within met after {} ns", elapsed);
                    on_time(elapsed, 1_000_000);
                    parigot::exit(0);
                },
            );
        }
        "expect_fail_ok" => {
            return testing::sleep(1_000)
                .expect_fail(code::NOT_FOUND) // @expect_fail_ok
                .then(|r| {
                    let st =
                        r.err().expect("expect_fail let a success through");
                    parigot::log!(
                        Info,
                        "went on after {}",
                        testing::code_name(st.code)
                    );
                    parigot::exit(0);
                });
        }
        "expect_fail_code" => {
            return later_failure(code::UNAVAILABLE, "down for now")
                .assert_fail(code::NOT_FOUND) // @expect_fail_code
                .then(|_| parigot::log!(Info, "not reached"));
        }
        "expect_fail_pass" => {
            return later_failure(code::NOT_FOUND, "no such order")
                .expect_fail(code::NOT_FOUND)
                .then(|r| {
                    assert_eq!(r.map(|st| st.code), Ok(code::NOT_FOUND));
                    parigot::exit(0);
                });
        }
        _ => panic!("unknown scenario {:?}", s),
    }
    parigot::exit(0);
}

parigot::guest! { declare: declare, start: start }
