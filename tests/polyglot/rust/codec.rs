// SPDX-License-Identifier: Apache-2.0
//! tests/polyglot/rust/codec.rs: codec.v1.CodecRust: answers each Rich
//! with the value it decoded (unknown fields dropped), encoded by the
//! generated Rust code, for the cross-language codec test.

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use parigot::Call;
use pb::codec::v1 as codec;
use pb::parigot::test::v1::Rich;

struct Reencoder;

impl codec::CodecRust for Reencoder {
    fn reencode(&mut self, call: Call<Rich>, req: Rich) {
        let _ = call.respond(&req);
    }
}

fn declare() {
    codec::export_codec_rust(Reencoder);
}

fn start() {}

parigot::guest! { declare: declare, start: start }
