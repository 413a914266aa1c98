// SPDX-License-Identifier: Apache-2.0
//! tests/mock/rust/cart_test/cart_test.rs: a Rust test program that tests
//! the C Cart service (tests/mock/cart.c) with the generated Rust mock of
//! mockdemo.v1.Prices (`PricesMock`, on sdk/rust/src/mock.rs).
//!
//! One program, several tests: the manifest runs it once per scenario,
//! named by its first argument, each in an app of its own (fresh Cart,
//! fresh mock). The mock is exported in the declare function, since the
//! manifest entry says `mocks = ["prices"]`; each scenario sets its
//! expectations in start, asks Cart for a total, checks the answer and
//! verifies the mock. `unmet`, `too_many` and `unexpected` are meant to
//! FAIL, and
//! test_cart_test.c checks that their reason names what went wrong.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{code, Status};
use pb::mockdemo::v1 as m;

const MS: u64 = 1_000_000;

fn price(sku: &str) -> m::PriceRequest {
    m::PriceRequest {
        sku: sku.into(),
        ..Default::default()
    }
}

fn cents(c: i64) -> m::PriceReply {
    m::PriceReply {
        cents: c,
        ..Default::default()
    }
}

/// A basket of (sku, quantity).
fn basket(items: &[(&str, u32)]) -> m::TotalRequest {
    m::TotalRequest {
        items: items
            .iter()
            .map(|(sku, quantity)| m::Item {
                sku: (*sku).into(),
                quantity: *quantity,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// Asks Cart for the total of `items` and runs `check` with the answer,
/// then verifies the mock and exits 0.
fn total(
    items: &[(&str, u32)],
    check: impl FnOnce(Result<m::TotalReply, Status>) + 'static,
) {
    m::CartClient.total(&basket(items)).then(move |r| {
        check(r);
        m::PricesMock::get().verify();
        parigot::log!(Info, "{}: passed", scenario());
        parigot::exit(0)
    });
}

fn ok(r: Result<m::TotalReply, Status>) -> m::TotalReply {
    match r {
        Ok(t) => t,
        Err(st) => panic!("Total failed: {}", st),
    }
}

fn skus(reqs: Vec<m::PriceRequest>) -> Vec<String> {
    reqs.into_iter().map(|r| r.sku).collect()
}

/// Canned prices for equal requests, each asked once.
fn canned(prices: m::PricesMock) {
    prices
        .expect_price()
        .with_request(price("apple"))
        .returns(cents(50));
    prices
        .expect_price()
        .with_request(price("bread"))
        .returns(cents(250));
    total(&[("apple", 2), ("bread", 1)], move |r| {
        let t = ok(r);
        assert_eq!(t.cents, 2 * 50 + 250);
        assert_eq!(t.prices_asked, 2);
        assert_eq!(skus(prices.price_calls()), ["apple", "bread"]);
    });
}

/// A predicate with times, an answer made from the request, and the
/// record of the calls.
fn predicate(prices: m::PricesMock) {
    prices
        .expect_price()
        .with(|req| req.sku.starts_with("ch"))
        .times(2)
        .returning(|req| Ok(cents(100 * req.sku.len() as i64)));
    // Later expectations take what the ones before did not.
    prices.expect_price().any_times().returns(cents(1));
    total(&[("cheese", 1), ("pear", 5), ("cheddar", 2)], move |r| {
        let t = ok(r);
        assert_eq!(t.cents, 600 + 5 + 2 * 700);
        assert_eq!(t.prices_asked, 3);
        let calls = prices.calls();
        assert_eq!(calls.len(), 3);
        for c in &calls {
            assert_eq!(c.method, "Price");
            assert_eq!(c.caller, "cart");
            assert!(c.expected);
        }
        assert_eq!(calls[1].request, "PriceRequest { sku: \"pear\" }");
        assert!(prices.unexpected_calls().is_empty());
    });
}

/// A full expectation lets the next one take the calls after it.
fn times(prices: m::PricesMock) {
    let first = prices
        .expect_price()
        .with_request(price("egg"))
        .times(2)
        .returns(cents(30));
    prices
        .expect_price()
        .with_request(price("egg"))
        .returns(cents(40));
    total(&[("egg", 1), ("egg", 1), ("egg", 1)], move |r| {
        assert_eq!(ok(r).cents, 30 + 30 + 40);
        assert_eq!(first.calls(), 2);
    });
}

/// An error with its code, app error and message goes through Total.
fn error(prices: m::PricesMock) {
    prices
        .expect_price()
        .with_request(price("apple"))
        .returns(cents(50));
    prices.expect_price().with_request(price("bread")).fail(
        code::NOT_FOUND,
        0,
        "no bread today",
    );
    prices.expect_price().with_request(price("truffle")).fail(
        code::UNKNOWN,
        7,
        "sold out",
    );
    m::CartClient
        .total(&basket(&[("apple", 1), ("bread", 1)]))
        .then(move |r| {
            let st = r.expect_err("a total with no bread");
            assert_eq!(st.code, code::NOT_FOUND);
            assert_eq!(st.message, "price of bread: no bread today");
            total(&[("truffle", 1)], |r| {
                let st = r.expect_err("a total with no truffle");
                assert_eq!(st.code, code::UNKNOWN);
                assert_eq!(st.app_error, 7);
                assert_eq!(st.message, "price of truffle: sold out");
            });
        });
}

/// Delayed answers, timed on the app's clock: Cart asks one price after
/// the other, so the total takes both delays.
fn delay(prices: m::PricesMock) {
    prices
        .expect_price()
        .with_request(price("slow"))
        .delay_ns(250 * MS)
        .returns(cents(10));
    prices
        .expect_price()
        .with_request(price("slower"))
        .delay(std::time::Duration::from_millis(400))
        .returns(cents(20));
    let t0 = parigot::now();
    total(&[("slow", 1), ("slower", 1)], move |r| {
        let took = parigot::now() - t0;
        assert_eq!(ok(r).cents, 30);
        assert!(took >= 650 * MS, "the total took {} ns", took);
        // Deterministic: the clock only moves a tick per reading besides.
        assert!(took < 651 * MS, "the total took {} ns", took);
        let calls = prices.calls();
        let apart = calls[1].at_ns - calls[0].at_ns;
        assert!(
            apart >= 250 * MS,
            "the second price came {} ns later",
            apart
        );
        parigot::log!(Info, "delay: {} ms", took / MS);
    });
}

/// Meant to FAIL: apple is expected twice, Cart asks once.
fn unmet(prices: m::PricesMock) {
    let twice = prices.expect_price(); // the line the report names
    twice
        .with_request(price("apple"))
        .times(2)
        .returns(cents(50));
    total(&[("apple", 3)], |r| assert_eq!(ok(r).cents, 150));
}

/// Meant to FAIL: apple is expected once and asked twice; the second
/// call still goes to the full expectation (answered, counted) and at
/// least two others are not called at all.
fn too_many(prices: m::PricesMock) {
    prices
        .expect_price()
        .with_request(price("apple"))
        .returns(cents(50));
    prices
        .expect_price()
        .with_request(price("plum"))
        .at_least(2);
    prices.expect_price().with_request(price("fig")).at_most(1);
    total(&[("apple", 1), ("apple", 2)], |r| {
        assert_eq!(ok(r).cents, 150)
    });
}

/// Meant to FAIL: nothing expects "zz", which the mock fails UNIMPLEMENTED
/// naming the method, counts, and verify reports.
fn unexpected(prices: m::PricesMock) {
    prices
        .expect_price()
        .with_request(price("apple"))
        .returns(cents(50));
    total(&[("apple", 1), ("zz", 1)], move |r| {
        let st = r.expect_err("a total with an unexpected price");
        assert_eq!(st.code, code::UNIMPLEMENTED);
        assert_eq!(
            st.message,
            "price of zz: unexpected call of mockdemo.v1.Prices/Price"
        );
        assert_eq!(prices.unexpected_calls().len(), 1);
        assert_eq!(skus(prices.price_calls()), ["apple", "zz"]);
    });
}

fn scenario() -> String {
    std::env::args().nth(1).unwrap_or_default()
}

fn declare() {
    m::PricesMock::export();
    m::CartClient::require();
}

fn start() {
    let prices = m::PricesMock::get();
    match scenario().as_str() {
        "canned" => canned(prices),
        "predicate" => predicate(prices),
        "times" => times(prices),
        "error" => error(prices),
        "delay" => delay(prices),
        "unmet" => unmet(prices),
        "unexpected" => unexpected(prices),
        "too_many" => too_many(prices),
        other => {
            parigot::log!(Error, "no scenario '{}'", other);
            parigot::exit(2)
        }
    }
}

parigot::guest! { declare: declare, start: start }
