// SPDX-License-Identifier: Apache-2.0
//! examples/records/catalog/main.rs: records.v1.Catalog in Rust, in front
//! of the parigot.db built-in: Stock checks an album's fields and adds it
//! (AddAlbum), Sell looks the album's price up (GetAlbum) and records the
//! sale at it (RecordSale). The database's service, records.db.v1.ShopDb,
//! is the one parigot-sqlc generated from db/queries.sql.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::{code, Call, Status};
use pb::records::db::v1 as db;
use pb::records::v1 as p;

/// The database's failure, passed on with what was being done.
fn failed(what: &str, st: Status) -> Status {
    Status {
        code: st.code,
        app_error: 0,
        message: format!("{}: {}", what, st.message),
    }
}

fn check(req: &p::StockRequest) -> Result<(), &'static str> {
    if req.artist.trim().is_empty() || req.title.trim().is_empty() {
        return Err("an album needs an artist and a title");
    }
    if req.price_cents < 0 {
        return Err("a price cannot be negative");
    }
    if req.year != 0 && !(1877..=2100).contains(&req.year) {
        return Err("records were not made that year");
    }
    Ok(())
}

struct Catalog;

impl p::Catalog for Catalog {
    fn stock(&mut self, call: Call<p::StockResponse>, req: p::StockRequest) {
        if let Err(why) = check(&req) {
            let _ = call.fail(code::INVALID_ARGUMENT, 0, why);
            return;
        }
        let add = db::AddAlbumRequest {
            artist: req.artist,
            title: req.title,
            year: if req.year != 0 { Some(req.year) } else { None },
            price_cents: req.price_cents,
            ..Default::default()
        };
        db::ShopDbClient.add_album(&add).then(move |r| {
            let _ = match r {
                Ok(added) => call.respond(&p::StockResponse {
                    album_id: added.last_insert_id,
                    ..Default::default()
                }),
                Err(st) => call.fail_with(&failed("the database", st)),
            };
        });
    }

    fn sell(&mut self, call: Call<p::SellResponse>, req: p::SellRequest) {
        let get = db::GetAlbumRequest {
            id: req.album_id,
            ..Default::default()
        };
        db::ShopDbClient.get_album(&get).then(move |r| {
            let album = match r {
                Ok(album) => album,
                Err(st) if st.code == code::NOT_FOUND => {
                    let why = format!("no album {}", req.album_id);
                    let _ = call.fail(code::NOT_FOUND, 0, &why);
                    return;
                }
                Err(st) => {
                    let _ = call.fail_with(&failed("the database", st));
                    return;
                }
            };
            let sale = db::RecordSaleRequest {
                album_id: album.id,
                cents: album.price_cents,
                ..Default::default()
            };
            db::ShopDbClient.record_sale(&sale).then(move |r| {
                let _ = match r {
                    Ok(sold) => call.respond(&p::SellResponse {
                        sale_id: sold.last_insert_id,
                        cents: album.price_cents,
                        ..Default::default()
                    }),
                    Err(st) => call.fail_with(&failed("the database", st)),
                };
            });
        });
    }
}

fn declare() {
    db::ShopDbClient::require();
    p::export_catalog(Catalog);
}

fn start() {
    parigot::log!(Info, "ready");
}

parigot::guest! { declare: declare, start: start }
