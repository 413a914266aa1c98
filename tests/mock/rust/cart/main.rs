// SPDX-License-Identifier: Apache-2.0
//! tests/mock/rust/cart/main.rs: mockdemo.v1.Cart in Rust, the same
//! service as tests/mock/cart.c. Total asks mockdemo.v1.Prices for each
//! item's price, one after the other in the request's order, and answers
//! the sum of price times quantity with the number of prices asked; a
//! price that fails fails the total with the same code and app error and
//! the message "price of SKU: MESSAGE".

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{Call, Status};
use pb::mockdemo::v1 as p;

/// A Total in progress: its items, the one being priced, the sum so far.
struct Basket {
    call: Call<p::TotalReply>,
    items: Vec<p::Item>,
    next: usize,
    cents: i64,
}

/// Asks the price of the next item, or answers the total after the last.
fn ask_next(mut b: Basket) {
    if b.next == b.items.len() {
        let reply = p::TotalReply {
            cents: b.cents,
            prices_asked: b.items.len() as u32,
            ..Default::default()
        };
        let _ = b.call.respond(&reply);
        return;
    }
    let req = p::PriceRequest {
        sku: b.items[b.next].sku.clone(),
        ..Default::default()
    };
    p::PricesClient.price(&req).then(move |r| match r {
        Ok(price) => {
            let quantity = b.items[b.next].quantity as i64;
            b.cents += price.cents * quantity;
            b.next += 1;
            ask_next(b);
        }
        Err(st) => {
            let failed = Status {
                code: st.code,
                app_error: st.app_error,
                message: format!("price of {}: {}", b.items[b.next].sku, st.message),
            };
            let _ = b.call.fail_with(&failed);
        }
    });
}

struct Cart;

impl p::Cart for Cart {
    fn total(&mut self, call: Call<p::TotalReply>, req: p::TotalRequest) {
        ask_next(Basket {
            call,
            items: req.items,
            next: 0,
            cents: 0,
        });
    }
}

fn declare() {
    p::PricesClient::require();
    p::export_cart(Cart);
}

fn start() {
    parigot::log!(Info, "ready");
}

parigot::guest! { declare: declare, start: start }
