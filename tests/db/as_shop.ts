// tests/db/as_shop.ts: an AssemblyScript program that uses the parigot.db
// built-in through the stubs generated from parigot-sqlc's .proto, as the
// C client does: an artist, a record with NULLs and bytes, the record read
// back, a missing one, a constraint. It prints one line per answer for
// test_db_app.c and exits 0.
import { Status, exit, guest, print } from "parigot";
import {
  AddArtistRequest, AddArtistResponse, AddRecordRequest, AddRecordResponse,
  GetRecordRequest, GetRecordResponse, ShopQueries,
} from "shop/v1/shop_queries.pg";
export * from "parigot/exports";

function failed(st: Status, what: string): void {
  print(what + ": code " + st.code.toString() + ": " + st.message);
  if (what == "again") addRecord();
  else if (what == "missing") exit(0);
  else exit(1);
}

function getRecord(id: i64, what: string): void {
  const q = new GetRecordRequest();
  q.id = id;
  ShopQueries.getRecord(q, what,
    (r: GetRecordResponse, what: string): void => {
      print(what + ": " + r.id.toString() + " " + r.title + " by " +
            r.artist + ", year " + (r.hasYear ? r.year.toString() : "NULL") +
            ", cover " + (r.hasCover ? r.cover.length.toString() + " bytes"
                                     : "NULL") +
            ", sealed " + (r.isSealed ? "yes" : "no"));
      getRecord(99, "missing");
    }, failed);
}

function addRecord(): void {
  const q = new AddRecordRequest();
  q.artistId = 1;
  q.title = "Meat Is Murder";
  q.priceCents = 1999;
  q.quantity = 1;
  q.hasCover = true;
  const cover = new Uint8Array(4);
  cover[0] = 0x89;
  q.cover = cover;
  q.isSealed = true;
  ShopQueries.addRecord(q, "record",
    (r: AddRecordResponse, what: string): void => {
      print(what + ": " + r.lastInsertId.toString());
      getRecord(r.lastInsertId, "get");
    }, failed);
}

// The same artist twice: the second is refused (UNIQUE). The generator
// calls a field `name` name_ in AssemblyScript.
const smiths = new AddArtistRequest();

guest((): void => {
  ShopQueries.require();
}, (): void => {
  smiths.name_ = "The Smiths";
  ShopQueries.addArtist(smiths, "artist",
    (r: AddArtistResponse, what: string): void => {
      print(what + ": " + r.lastInsertId.toString());
      ShopQueries.addArtist(smiths, "again",
        (r: AddArtistResponse, what: string): void => {
          print(what + ": answered");
          exit(1);
        }, failed);
    }, failed);
});
