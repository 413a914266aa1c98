// SPDX-License-Identifier: Apache-2.0
//! tests/rust/pbtool.rs: the generated Rust codec, run as a WASI program by
//! `parigot exec`:
//!
//!   rs_pbtool check      known values against the bytes protoc gives them,
//!                        the merge rules, unknown fields, hostile input and
//!                        the nesting limit; prints each failure, exits 1
//!                        if there is one
//!   rs_pbtool reencode   a parigot.test.v1.Batch on stdin, decoded and
//!                        encoded again on stdout (test_rust compares it
//!                        with the C codec's canonical bytes)

mod pb {
    include!(env!("PARIGOT_PROTOS"));
}

use std::collections::BTreeMap;
use std::io::{Read, Write};

use parigot::pb::{DecodeError, DecodeOptions, EncodeError, Message};
use pb::parigot::test::v1::{self as t, rich, Color};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{:02x}", x)).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Checks {
    failed: u32,
}

impl Checks {
    fn expect(&mut self, what: &str, ok: bool, detail: String) {
        if !ok {
            println!("FAIL {}: {}", what, detail);
            self.failed += 1;
        }
    }

    /// `m` encodes to `want` (hex, from protoc) and `want` decodes to `m`.
    fn bytes<M: Message + PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        m: &M,
        want: &str,
    ) {
        let got = m.encode().map(|b| hex(&b));
        self.expect(
            what,
            got.as_deref() == Ok(want),
            format!("encoded {:?}, want {}", got, want),
        );
        let back = M::decode(&unhex(want));
        self.expect(
            what,
            back.as_ref() == Ok(m),
            format!("decoded {:?}", back),
        );
    }

    /// `input` (hex) decodes to a message that encodes to `want`.
    fn canon<M: Message>(&mut self, what: &str, input: &str, want: &str) {
        let got = M::decode(&unhex(input))
            .and_then(|m| Ok(m.encode().map(|b| hex(&b))));
        self.expect(
            what,
            got == Ok(Ok(want.to_string())),
            format!("got {:?}, want {}", got, want),
        );
    }

    fn error<M: Message + std::fmt::Debug>(
        &mut self,
        what: &str,
        input: &[u8],
        want: DecodeError,
    ) {
        let got = M::decode(input);
        self.expect(
            what,
            matches!(&got, Err(e) if *e == want),
            format!("got {:?}, want {:?}", got, want),
        );
    }
}

fn scalars() -> t::Scalars {
    t::Scalars {
        f_double: -0.0,
        f_int32: -1,
        f_uint64: u64::MAX,
        f_sint32: -1,
        f_sint64: i64::MIN,
        f_fixed32: u32::MAX,
        f_sfixed64: -2,
        f_bool: true,
        f_string: "é".into(),
        f_bytes: vec![0, 0xff],
        f_enum: Color::COLOR_NEGATIVE,
        ..Default::default()
    }
}

fn repeateds() -> t::Repeateds {
    t::Repeateds {
        f_int32: vec![1, -1, 300],
        f_sint64: vec![-1, 1],
        f_double: vec![1.5],
        f_string: vec!["a".into(), String::new()],
        f_enum: vec![Color::COLOR_NEGATIVE, Color::COLOR_RED],
        unpacked_int32: vec![1, 2],
        unpacked_bool: vec![true, false],
        f_bool: vec![true],
        ..Default::default()
    }
}

fn maps() -> t::Maps {
    let mut m = t::Maps::default();
    m.string_int32.insert("b".into(), 0);
    m.string_int32.insert("a".into(), 1);
    m.int32_string.insert(2, String::new());
    m.int32_string.insert(-1, "m".into());
    m.bool_string.insert(true, "t".into());
    m.bool_string.insert(false, "f".into());
    m.string_inner.insert(String::new(), rich::Inner::default());
    m.sint32_color.insert(-3, Color::COLOR_NEGATIVE);
    m
}

fn rich_value() -> t::Rich {
    t::Rich {
        inner: Some(rich::Inner {
            a: 1,
            child: Some(Box::new(rich::Inner {
                b: "x".into(),
                ..Default::default()
            })),
            ..Default::default()
        }),
        choice: Some(rich::Choice::ChoiceEmpty(rich::Empty::default())),
        second: Some(rich::Second::SecondBool(false)),
        default: 5,
        register: "r".into(),
        signed: vec![1, 2],
        near_max: "n".into(),
        past_two_byte_tag: 7,
        max_field_number: -1,
        ..Default::default()
    }
}

fn optionals() -> t::Optionals {
    t::Optionals {
        f_double: Some(0.0),
        f_float: Some(-0.0),
        f_int32: Some(0),
        f_string: Some(String::new()),
        f_enum: Some(Color::COLOR_UNSPECIFIED),
        f_status: Some(
            pb::parigot::test::common::v1::Status::STATUS_UNSPECIFIED,
        ),
        f_bool: Some(false),
        ..Default::default()
    }
}

/// Rich bytes with `n` messages nested below the top one (inner, then
/// child after child).
fn nested(n: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for i in (0..n).rev() {
        let mut w = vec![if i == 0 { 0x2a } else { 0x1a }];
        let mut len = b.len();
        while len >= 0x80 {
            w.push((len as u8) | 0x80);
            len >>= 7;
        }
        w.push(len as u8);
        w.extend_from_slice(&b);
        b = w;
    }
    b
}

fn check() -> u32 {
    let mut c = Checks { failed: 0 };
    c.bytes(
        "scalars",
        &scalars(),
        concat!(
            "09000000000000008018ffffffffffffffffff0130ffffffffffffff",
            "ffff01380140ffffffffffffffffff014dffffffff61feffffffffff",
            "ffff68017202c3a97a0200ff8001ffffffffffffffffff01"
        ),
    );
    c.bytes(
        "repeateds",
        &repeateds(),
        concat!(
            "0a08000000000000f83f1a0d01ffffffffffffffffff01ac02420201",
            "026a0101720161720082010bffffffffffffffffff01019001019001",
            "02b00101b00100"
        ),
    );
    c.bytes(
        "maps",
        &maps(),
        concat!(
            "0a050a016110010a050a01621000120e08ffffffffffffffffff0112",
            "016d120408021200320d080510ffffffffffffffffff016205080012",
            "0166620508011201746a040a001200"
        ),
    );
    c.bytes(
        "rich",
        &rich_value(),
        concat!(
            "2a0708011a03120178da0100e80100c00205ca020172d202020102fa",
            "7f016e85800107000000f8ffffff0f01"
        ),
    );
    c.bytes(
        "optionals at their defaults",
        &optionals(),
        "0900000000000000001500000080180068007200800100880100",
    );
    c.bytes("empty message", &t::Rich::default(), "");

    // Merging, as the C decoder does.
    c.canon::<t::Maps>(
        "map: last value of a key, sorted by bytes",
        "0a050a016210010a050a016110020a050a01621003",
        "0a050a016110020a050a01621003",
    );
    c.canon::<t::Maps>(
        "map: signed keys sorted numerically",
        "120408021200120e08ffffffffffffffffff0112016d",
        "120e08ffffffffffffffffff0112016d120408021200",
    );
    c.canon::<t::Maps>(
        "map: entry without key or value",
        "6a00",
        "6a040a001200",
    );
    c.canon::<t::Rich>(
        "oneof: the last member wins",
        "a00105aa010178",
        "aa010178",
    );
    c.canon::<t::Rich>(
        "oneof: a message member merges",
        "b2010208 01b20103120178".replace(' ', "").as_str(),
        "b20105080112 0178".replace(' ', "").as_str(),
    );
    c.canon::<t::Rich>(
        "message fields merge",
        "2a0208012a03120178",
        "2a050801120178",
    );
    c.canon::<t::Scalars>("scalar: the last value wins", "18011802", "1802");
    c.canon::<t::Repeateds>(
        "packed field read unpacked",
        "18011802",
        "1a020102",
    );
    c.canon::<t::Repeateds>(
        "unpacked field read packed",
        "9201020102",
        "9001019001 02".replace(' ', "").as_str(),
    );
    c.canon::<t::Scalars>(
        "int32 read from 5 bytes",
        "18ffffffff0f",
        "18ffffffffffffffffff01",
    );
    c.canon::<t::Scalars>("bool from any non-zero", "6802", "6801");
    c.canon::<t::Scalars>("unknown fields dropped", "a006051801", "1801");
    c.canon::<t::Scalars>("unknown group skipped", "a3060801a4061801", "1801");

    let kept = t::Scalars::decode_with(
        &unhex("a006051801"),
        &DecodeOptions {
            keep_unknown: true,
            ..Default::default()
        },
    );
    let kept_hex = kept.as_ref().map(|m| m.encode().map(|b| hex(&b)));
    c.expect(
        "unknown fields kept go last",
        kept_hex == Ok(Ok("1801a00605".into())),
        format!("{:?}", kept_hex),
    );

    // Hostile input.
    c.error::<t::Scalars>("truncated", &unhex("18"), DecodeError::Truncated);
    c.error::<t::Scalars>(
        "eleven-byte varint",
        &unhex("18ffffffffffffffffff7f"),
        DecodeError::Varint,
    );
    c.error::<t::Scalars>(
        "length past the end",
        &unhex("720561"),
        DecodeError::Length,
    );
    c.error::<t::Scalars>("field 0", &unhex("0001"), DecodeError::Field);
    c.error::<t::Scalars>(
        "field past 2^29-1",
        &unhex("80808080800101"),
        DecodeError::Field,
    );
    c.error::<t::Scalars>(
        "LEN for an int32",
        &unhex("1a00"),
        DecodeError::WireType,
    );
    c.error::<t::Scalars>(
        "wire type 7",
        &unhex("a70601"),
        DecodeError::WireType,
    );
    c.error::<t::Scalars>(
        "group ended by another",
        &unhex("a3060801ac06"),
        DecodeError::WireType,
    );
    c.error::<t::Scalars>(
        "string not UTF-8",
        &unhex("7201ff"),
        DecodeError::Utf8,
    );
    c.error::<t::Scalars>(
        "surrogate in a string",
        &unhex("7203eda080"),
        DecodeError::Utf8,
    );
    c.error::<t::Repeateds>(
        "packed fixed of odd length",
        &unhex("0a03000000"),
        DecodeError::Length,
    );
    c.error::<t::Repeateds>(
        "packed varint never ends",
        &unhex("1a0180"),
        DecodeError::Truncated,
    );
    c.error::<t::Maps>(
        "map entry with a wrong key type",
        &unhex("0a020801"),
        DecodeError::WireType,
    );
    let too_big = t::Scalars::decode_with(
        &unhex("1801"),
        &DecodeOptions {
            max_size: 1,
            ..Default::default()
        },
    );
    c.expect(
        "input above max_size",
        too_big == Err(DecodeError::TooBig),
        format!("{:?}", too_big),
    );

    // Nesting: 100 levels below the top message, as in C, not 101.
    let ok = t::Rich::decode(&nested(100));
    c.expect(
        "100 levels decode",
        ok.is_ok(),
        format!("{:?}", ok.as_ref().err()),
    );
    c.error::<t::Rich>("101 levels", &nested(101), DecodeError::Depth);
    let again = ok.map(|m| m.encode().map(|b| b == nested(100)));
    c.expect(
        "100 levels encode back",
        again == Ok(Ok(true)),
        format!("{:?}", again),
    );
    let mut deep = rich::Inner::default();
    for _ in 0..101 {
        deep = rich::Inner {
            child: Some(Box::new(deep)),
            ..Default::default()
        };
    }
    let too_deep = t::Rich {
        inner: Some(deep),
        ..Default::default()
    }
    .encode();
    c.expect(
        "102 levels do not encode",
        too_deep == Err(EncodeError::Depth),
        format!("{:?}", too_deep),
    );

    // Names and values of the generated enums and maps.
    c.expect(
        "enum names",
        Color::COLOR_NEGATIVE.name() == Some("COLOR_NEGATIVE")
            && Color(42).name().is_none(),
        String::new(),
    );
    let m: BTreeMap<i32, String> = maps().int32_string;
    c.expect(
        "map order",
        m.keys().copied().collect::<Vec<_>>() == vec![-1, 2],
        String::new(),
    );
    c.failed
}

fn reencode() -> i32 {
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        return 2;
    }
    let o = DecodeOptions {
        max_size: 1 << 30,
        ..Default::default()
    };
    let batch = match t::Batch::decode_with(&input, &o) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rs_pbtool: cannot decode the batch: {}", e);
            return 1;
        }
    };
    match batch.encode() {
        Ok(b) => {
            let mut out = std::io::stdout();
            if out.write_all(&b).and_then(|_| out.flush()).is_err() {
                return 2;
            }
            0
        }
        Err(e) => {
            eprintln!("rs_pbtool: cannot encode the batch: {}", e);
            1
        }
    }
}

fn main() {
    let cmd = std::env::args().nth(1).unwrap_or_default();
    let code = match cmd.as_str() {
        "check" => {
            let failed = check();
            println!("{} failed", failed);
            if failed == 0 {
                0
            } else {
                1
            }
        }
        "reencode" => reencode(),
        _ => {
            eprintln!("usage: rs_pbtool check | reencode < batch > batch");
            2
        }
    };
    std::process::exit(code);
}
