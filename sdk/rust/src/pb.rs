// SPDX-License-Identifier: Apache-2.0
//! The protobuf runtime that code from `protoc-gen-parigot
//! --parigot_opt=lang=rust` runs on.
//!
//! It follows the C codec (`sdk/c/pb.c`, `docs/protobuf.md`) rule for rule,
//! so a message encoded here has the bytes the C code gives it:
//! - encoding writes fields in field-number order, repeated scalars packed
//!   (unless `[packed = false]`), map entries with both key and value,
//!   then any kept unknown fields; an implicit-presence field is written
//!   when it is not its default, a float counting as default only when all
//!   its bits are zero (so `-0.0` is written);
//! - decoding merges as protobuf does (last scalar wins, messages merge, a
//!   oneof keeps its last member, a map keeps the last value of a key) and
//!   maps are `BTreeMap`s, whose order is the C decoder's (strings by
//!   bytes, signed keys numerically, `false` before `true`);
//! - hostile input gets a [`DecodeError`], never a panic: every length is
//!   checked against the bytes left, nesting is limited (100 by default,
//!   unknown groups and map entries included, as in C), input above 4 MiB
//!   and allocations above 16 x that + 1 MiB are refused, strings must be
//!   UTF-8.
//!
//! Encoding runs backwards, from the end of a buffer sized by
//! [`Message::encoded_len`], so a sub-message is written before its length
//! prefix and no size is computed twice (as in C).
//!
//! Generated code names each field's protobuf type with a *kind* ([`Int32`],
//! [`Sint64`], [`Str`], [`Msg`], [`Enum`]...), a zero-sized type whose
//! [`Kind`] implementation reads, sizes and writes that type's values.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Wire type of varints.
pub const WT_VARINT: u32 = 0;
/// Wire type of 8-byte values.
pub const WT_I64: u32 = 1;
/// Wire type of length-delimited values.
pub const WT_LEN: u32 = 2;
/// Wire type that starts a group (skipped, never generated).
pub const WT_SGROUP: u32 = 3;
/// Wire type that ends a group.
pub const WT_EGROUP: u32 = 4;
/// Wire type of 4-byte values.
pub const WT_I32: u32 = 5;

/// The largest field number protobuf allows.
pub const MAX_FIELD_NUMBER: u32 = 536_870_911;
/// Nesting allowed below the top message, as in C.
pub const DEFAULT_MAX_DEPTH: u32 = 100;
/// The largest input decode takes by default (4 MiB, as in C).
pub const DEFAULT_MAX_SIZE: usize = 4 << 20;

/// Why bytes could not be decoded; each is a `PARIGOT_E*` code of C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ends inside a value (`PARIGOT_ETRUNCATED`).
    Truncated,
    /// A varint longer than 10 bytes (`PARIGOT_EVARINT`).
    Varint,
    /// A length past the end of the input (`PARIGOT_ELENGTH`).
    Length,
    /// A wire type that does not match the field, or is invalid
    /// (`PARIGOT_EWIRETYPE`).
    WireType,
    /// Field number 0 or above 2^29-1 (`PARIGOT_EFIELD`).
    Field,
    /// Messages nested deeper than the limit (`PARIGOT_EDEPTH`).
    Depth,
    /// Input or allocations above the limits (`PARIGOT_ETOOBIG`).
    TooBig,
    /// A string field that is not UTF-8 (`PARIGOT_EUTF8`).
    Utf8,
}

impl DecodeError {
    /// The `PARIGOT_E*` code of C for this error.
    pub fn code(self) -> i32 {
        match self {
            DecodeError::Truncated => -40,
            DecodeError::Varint => -41,
            DecodeError::Length => -42,
            DecodeError::WireType => -43,
            DecodeError::Field => -44,
            DecodeError::Depth => -45,
            DecodeError::TooBig => -46,
            DecodeError::Utf8 => -47,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::error::strerror(self.code()))
    }
}

/// Why a message could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// Nested deeper than [`DEFAULT_MAX_DEPTH`] (`PARIGOT_EDEPTH`).
    Depth,
    /// The buffer was smaller than the size computed first: the message
    /// changed in between (`PARIGOT_ENOSPC`).
    Space,
}

impl EncodeError {
    /// The `PARIGOT_E*` code of C for this error.
    pub fn code(self) -> i32 {
        match self {
            EncodeError::Depth => -45,
            EncodeError::Space => -48,
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::error::strerror(self.code()))
    }
}

/// Limits and choices of one decode; `Default` gives C's defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct DecodeOptions {
    /// Largest input (0: [`DEFAULT_MAX_SIZE`]).
    pub max_size: usize,
    /// Nesting allowed (0: [`DEFAULT_MAX_DEPTH`]).
    pub max_depth: u32,
    /// Most bytes decode may allocate (0: 16 x max_size + 1 MiB).
    pub max_alloc: usize,
    /// Keep unknown fields (in `_unknown`, written back last) instead of
    /// skipping them.
    pub keep_unknown: bool,
}

// ---- reading ---------------------------------------------------------------

/// Where decoding reads: the whole input, the current position and the
/// end of the message being read, with the limits of the decode.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
    depth_left: u32,
    budget: usize,
    keep_unknown: bool,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], o: &DecodeOptions) -> Reader<'a> {
        let max_size = if o.max_size == 0 {
            DEFAULT_MAX_SIZE
        } else {
            o.max_size
        };
        let budget = if o.max_alloc != 0 {
            o.max_alloc
        } else {
            max_size.saturating_mul(16).saturating_add(1 << 20)
        };
        Reader {
            buf,
            pos: 0,
            end: buf.len(),
            depth_left: if o.max_depth == 0 {
                DEFAULT_MAX_DEPTH
            } else {
                o.max_depth
            },
            budget,
            keep_unknown: o.keep_unknown,
        }
    }

    /// Counts @n bytes of memory against the decode's budget.
    #[inline]
    pub fn charge(&mut self, n: usize) -> Result<(), DecodeError> {
        if n > self.budget {
            return Err(DecodeError::TooBig);
        }
        self.budget -= n;
        Ok(())
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, DecodeError> {
        if self.pos >= self.end {
            return Err(DecodeError::Truncated);
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    /// One varint; the tenth byte may hold bit 63 only.
    #[inline]
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let b = self.byte()?;
        if b < 0x80 {
            return Ok(b as u64);
        }
        let mut v = (b & 0x7f) as u64;
        let mut shift = 7;
        loop {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(DecodeError::Varint);
            }
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    /// `n` raw bytes.
    #[inline]
    pub fn raw(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.end - self.pos < n {
            return Err(DecodeError::Truncated);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// A length prefix, checked against the bytes that remain.
    #[inline]
    pub fn len_prefix(&mut self) -> Result<usize, DecodeError> {
        let n = self.varint()?;
        if n > (self.end - self.pos) as u64 {
            return Err(DecodeError::Length);
        }
        Ok(n as usize)
    }

    /// A length-delimited value's bytes.
    #[inline]
    pub fn len_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.len_prefix()?;
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads one sub-message (its length prefix, then its fields) into `m`,
    /// one nesting level down.
    pub fn message<M: Message>(
        &mut self,
        m: &mut M,
    ) -> Result<(), DecodeError> {
        let n = self.len_prefix()?;
        let end = self.pos + n;
        self.nested(|r| merge_until(m, r, end))
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        if self.depth_left == 0 {
            return Err(DecodeError::Depth);
        }
        self.depth_left -= 1;
        let r = f(self);
        self.depth_left += 1;
        r
    }

    fn skip_group(&mut self, number: u32) -> Result<(), DecodeError> {
        self.nested(|r| loop {
            let tag = r.varint()?;
            if tag > u32::MAX as u64 || tag >> 3 == 0 {
                return Err(DecodeError::Field);
            }
            if (tag & 7) as u32 == WT_EGROUP {
                if (tag >> 3) as u32 != number {
                    return Err(DecodeError::WireType);
                }
                return Ok(());
            }
            r.skip((tag & 7) as u32, (tag >> 3) as u32)?;
        })
    }

    /// Skips one value of wire type `wt` (of field `number`, for groups).
    pub fn skip(&mut self, wt: u32, number: u32) -> Result<(), DecodeError> {
        match wt {
            WT_VARINT => self.varint().map(|_| ()),
            WT_I64 => self.raw(8).map(|_| ()),
            WT_I32 => self.raw(4).map(|_| ()),
            WT_LEN => self.len_bytes().map(|_| ()),
            WT_SGROUP => self.skip_group(number),
            _ => Err(DecodeError::WireType),
        }
    }
}

/// Fails unless a field's wire type is the one its type needs.
#[inline]
pub fn check(wt: u32, expected: u32) -> Result<(), DecodeError> {
    if wt == expected {
        Ok(())
    } else {
        Err(DecodeError::WireType)
    }
}

/// Reads fields into `m` until `end`; unknown ones are skipped, or kept
/// when the decode asked for it.
pub fn merge_until<M: Message>(
    m: &mut M,
    r: &mut Reader<'_>,
    end: usize,
) -> Result<(), DecodeError> {
    let outer = r.end;
    r.end = end;
    while r.pos < end {
        let start = r.pos;
        let tag = r.varint()?;
        let number = (tag >> 3) as u32;
        if tag > u32::MAX as u64 || number == 0 || number > MAX_FIELD_NUMBER {
            return Err(DecodeError::Field);
        }
        let wt = (tag & 7) as u32;
        if !m.merge_field(number, wt, r)? {
            r.skip(wt, number)?;
            if r.keep_unknown {
                let n = r.pos - start;
                r.charge(n)?;
                let bytes = &r.buf[start..r.pos];
                m.unknown_fields_mut().extend_from_slice(bytes);
            }
        }
    }
    r.end = outer;
    Ok(())
}

// ---- writing ---------------------------------------------------------------

/// Where encoding writes: backwards, from the end of a buffer.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    p: usize,
}

impl<'a> Writer<'a> {
    /// Bytes in front of the position.
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        if bytes.len() > self.p {
            return Err(EncodeError::Space);
        }
        self.p -= bytes.len();
        self.buf[self.p..self.p + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// One varint in front of the position.
    #[inline]
    pub fn varint(&mut self, mut v: u64) -> Result<(), EncodeError> {
        if v < 0x80 && self.p > 0 {
            self.p -= 1;
            self.buf[self.p] = v as u8;
            return Ok(());
        }
        let mut tmp = [0u8; 10];
        let mut n = 0;
        while v >= 0x80 {
            tmp[n] = (v as u8) | 0x80;
            v >>= 7;
            n += 1;
        }
        tmp[n] = v as u8;
        self.raw(&tmp[..n + 1])
    }

    /// The position: bytes not yet written in front of what was.
    #[inline]
    pub fn mark(&self) -> usize {
        self.p
    }
}

/// Bytes a varint takes.
#[inline]
pub fn varint_len(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize;
    (bits + 6) / 7
}

/// The zigzag form of a sint32.
#[inline]
pub fn zigzag32(v: i32) -> u64 {
    (((v as u32) << 1) ^ ((v >> 31) as u32)) as u64
}

/// The zigzag form of a sint64.
#[inline]
pub fn zigzag64(v: i64) -> u64 {
    ((v as u64) << 1) ^ ((v >> 63) as u64)
}

// ---- messages --------------------------------------------------------------

/// A generated message: its fields, what it does with unknown ones, and
/// the entry points built on them.
pub trait Message: Default {
    /// Bytes of its fields at nesting `depth` (0 beyond the limit, where
    /// [`Message::write`] fails).
    fn encoded_len_at(&self, depth: u32) -> usize;
    /// Writes its fields, backwards; fails past the nesting limit.
    fn write(&self, w: &mut Writer<'_>, depth: u32) -> Result<(), EncodeError>;
    /// Reads field `number` of wire type `wt`; false for a field it does
    /// not know (the reader has not moved then).
    fn merge_field(
        &mut self,
        number: u32,
        wt: u32,
        r: &mut Reader<'_>,
    ) -> Result<bool, DecodeError>;
    /// Where decode keeps unknown fields when asked to.
    fn unknown_fields_mut(&mut self) -> &mut Vec<u8>;

    /// Bytes of its encoding.
    fn encoded_len(&self) -> usize {
        self.encoded_len_at(0)
    }

    /// Encodes into `buf`, which it clears first.
    fn encode_into(&self, buf: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = self.encoded_len();
        // Every byte is written below: only new room is zeroed, so a
        // buffer reused for each call is not cleared each time.
        if buf.len() < n {
            buf.resize(n, 0);
        } else {
            buf.truncate(n);
        }
        let mut w = Writer {
            buf: &mut buf[..],
            p: n,
        };
        self.write(&mut w, 0)?;
        if w.p != 0 {
            // The message shrank between sizing and writing (only a
            // writer bug could do it): move the bytes to the front.
            let p = w.p;
            buf.drain(..p);
        }
        Ok(())
    }

    /// Its encoding, in a new vector.
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::new();
        self.encode_into(&mut v)?;
        Ok(v)
    }

    /// Merges `buf` into this message, with the limits of `o`.
    fn merge_with(
        &mut self,
        buf: &[u8],
        o: &DecodeOptions,
    ) -> Result<(), DecodeError> {
        let max = if o.max_size == 0 {
            DEFAULT_MAX_SIZE
        } else {
            o.max_size
        };
        if buf.len() > max {
            return Err(DecodeError::TooBig);
        }
        let mut r = Reader::new(buf, o);
        merge_until(self, &mut r, buf.len())
    }

    /// Decodes `buf` with C's default limits, unknown fields skipped.
    fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        Self::decode_with(buf, &DecodeOptions::default())
    }

    /// Decodes `buf` with the limits of `o`.
    fn decode_with(buf: &[u8], o: &DecodeOptions) -> Result<Self, DecodeError> {
        let mut m = Self::default();
        m.merge_with(buf, o)?;
        Ok(m)
    }
}

// ---- kinds -----------------------------------------------------------------

/// How one protobuf type is read, sized and written.
pub trait Kind {
    /// The Rust type of its values.
    type V: Default;
    /// Its wire type.
    const WT: u32;
    /// Reads one value (after the tag) into `v`: scalars and strings
    /// replace it, messages merge into it.
    fn merge(r: &mut Reader<'_>, v: &mut Self::V) -> Result<(), DecodeError>;
    /// Bytes of one value (with its length prefix for length-delimited
    /// types), at nesting `depth`.
    fn len(v: &Self::V, depth: u32) -> usize;
    /// Writes one value (with its length prefix), backwards.
    fn put(
        v: &Self::V,
        w: &mut Writer<'_>,
        depth: u32,
    ) -> Result<(), EncodeError>;
    /// Whether an implicit-presence field holding `v` is left out.
    fn is_default(v: &Self::V) -> bool;
    /// Fixed width of a packed element, or 0 for varints.
    const WIDTH: usize = 0;
}

macro_rules! varint_kind {
    ($(#[$doc:meta])* $name:ident, $t:ty,
     |$r:ident| $from:expr, |$v:ident| $to:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl Kind for $name {
            type V = $t;
            const WT: u32 = WT_VARINT;
            #[inline]
            fn merge(
                r: &mut Reader<'_>,
                v: &mut $t,
            ) -> Result<(), DecodeError> {
                let $r = r.varint()?;
                *v = $from;
                Ok(())
            }
            #[inline]
            fn len(v: &$t, _depth: u32) -> usize {
                let $v = *v;
                varint_len($to)
            }
            #[inline]
            fn put(
                v: &$t,
                w: &mut Writer<'_>,
                _depth: u32,
            ) -> Result<(), EncodeError> {
                let $v = *v;
                w.varint($to)
            }
            #[inline]
            fn is_default(v: &$t) -> bool {
                *v == <$t>::default()
            }
        }
    };
}

varint_kind!(
    /// `int32`: negatives take 10 bytes.
    Int32, i32, |x| x as u32 as i32, |v| v as i64 as u64);
varint_kind!(
    /// `int64`.
    Int64, i64, |x| x as i64, |v| v as u64);
varint_kind!(
    /// `uint32`.
    Uint32, u32, |x| x as u32, |v| v as u64);
varint_kind!(
    /// `uint64`.
    Uint64, u64, |x| x, |v| v);
varint_kind!(
    /// `sint32`: zigzag.
    Sint32, i32,
    |x| ((x as u32 >> 1) ^ (0u32.wrapping_sub(x as u32 & 1))) as i32,
    |v| zigzag32(v));
varint_kind!(
    /// `sint64`: zigzag.
    Sint64, i64, |x| ((x >> 1) ^ (0u64.wrapping_sub(x & 1))) as i64,
    |v| zigzag64(v));
varint_kind!(
    /// `bool`: any non-zero varint is true.
    Bool, bool, |x| x != 0, |v| v as u64);

macro_rules! fixed_kind {
    ($(#[$doc:meta])* $name:ident, $t:ty, $n:expr, $wt:expr, $bits:ty) => {
        $(#[$doc])*
        pub struct $name;
        impl Kind for $name {
            type V = $t;
            const WT: u32 = $wt;
            const WIDTH: usize = $n;
            #[inline]
            fn merge(
                r: &mut Reader<'_>,
                v: &mut $t,
            ) -> Result<(), DecodeError> {
                let b = r.raw($n)?;
                let mut a = [0u8; $n];
                a.copy_from_slice(b);
                *v = <$t>::from_le_bytes(a);
                Ok(())
            }
            #[inline]
            fn len(_v: &$t, _depth: u32) -> usize {
                $n
            }
            #[inline]
            fn put(
                v: &$t,
                w: &mut Writer<'_>,
                _depth: u32,
            ) -> Result<(), EncodeError> {
                w.raw(&v.to_le_bytes())
            }
            #[inline]
            fn is_default(v: &$t) -> bool {
                // Floats count as default only when every bit is zero:
                // -0.0 is written, as the C encoder does.
                <$bits>::from_le_bytes(v.to_le_bytes()) == 0
            }
        }
    };
}

fixed_kind!(
    /// `fixed32`.
    Fixed32, u32, 4, WT_I32, u32);
fixed_kind!(
    /// `fixed64`.
    Fixed64, u64, 8, WT_I64, u64);
fixed_kind!(
    /// `sfixed32`.
    Sfixed32, i32, 4, WT_I32, u32);
fixed_kind!(
    /// `sfixed64`.
    Sfixed64, i64, 8, WT_I64, u64);
fixed_kind!(
    /// `float`.
    Float, f32, 4, WT_I32, u32);
fixed_kind!(
    /// `double`.
    Double, f64, 8, WT_I64, u64);

/// `string`: UTF-8, checked on decode.
pub struct Str;
impl Kind for Str {
    type V = String;
    const WT: u32 = WT_LEN;
    #[inline]
    fn merge(r: &mut Reader<'_>, v: &mut String) -> Result<(), DecodeError> {
        let b = r.len_bytes()?;
        let s = std::str::from_utf8(b).map_err(|_| DecodeError::Utf8)?;
        r.charge(b.len() + 1)?;
        v.clear();
        v.push_str(s);
        Ok(())
    }
    #[inline]
    fn len(v: &String, _depth: u32) -> usize {
        varint_len(v.len() as u64) + v.len()
    }
    #[inline]
    fn put(
        v: &String,
        w: &mut Writer<'_>,
        _depth: u32,
    ) -> Result<(), EncodeError> {
        w.raw(v.as_bytes())?;
        w.varint(v.len() as u64)
    }
    #[inline]
    fn is_default(v: &String) -> bool {
        v.is_empty()
    }
}

/// `bytes`.
pub struct Bytes;
impl Kind for Bytes {
    type V = Vec<u8>;
    const WT: u32 = WT_LEN;
    #[inline]
    fn merge(r: &mut Reader<'_>, v: &mut Vec<u8>) -> Result<(), DecodeError> {
        let b = r.len_bytes()?;
        r.charge(b.len() + 1)?;
        v.clear();
        v.extend_from_slice(b);
        Ok(())
    }
    #[inline]
    fn len(v: &Vec<u8>, _depth: u32) -> usize {
        varint_len(v.len() as u64) + v.len()
    }
    #[inline]
    fn put(
        v: &Vec<u8>,
        w: &mut Writer<'_>,
        _depth: u32,
    ) -> Result<(), EncodeError> {
        w.raw(v)?;
        w.varint(v.len() as u64)
    }
    #[inline]
    fn is_default(v: &Vec<u8>) -> bool {
        v.is_empty()
    }
}

/// A generated open enum: an `i32` newtype.
pub trait EnumValue: Copy + Default {
    /// The enum of a number (any number: proto3 enums are open).
    fn from_i32(v: i32) -> Self;
    /// Its number.
    fn to_i32(self) -> i32;
}

/// A field of enum type `E`, written as an `int32`.
pub struct Enum<E>(PhantomData<E>);
impl<E: EnumValue> Kind for Enum<E> {
    type V = E;
    const WT: u32 = WT_VARINT;
    #[inline]
    fn merge(r: &mut Reader<'_>, v: &mut E) -> Result<(), DecodeError> {
        *v = E::from_i32(r.varint()? as u32 as i32);
        Ok(())
    }
    #[inline]
    fn len(v: &E, _depth: u32) -> usize {
        varint_len(v.to_i32() as i64 as u64)
    }
    #[inline]
    fn put(v: &E, w: &mut Writer<'_>, _depth: u32) -> Result<(), EncodeError> {
        w.varint(v.to_i32() as i64 as u64)
    }
    #[inline]
    fn is_default(v: &E) -> bool {
        v.to_i32() == 0
    }
}

/// A field of message type `M`.
pub struct Msg<M>(PhantomData<M>);
impl<M: Message> Kind for Msg<M> {
    type V = M;
    const WT: u32 = WT_LEN;
    #[inline]
    fn merge(r: &mut Reader<'_>, v: &mut M) -> Result<(), DecodeError> {
        r.message(v)
    }
    #[inline]
    fn len(v: &M, depth: u32) -> usize {
        let n = v.encoded_len_at(depth + 1);
        varint_len(n as u64) + n
    }
    #[inline]
    fn put(v: &M, w: &mut Writer<'_>, depth: u32) -> Result<(), EncodeError> {
        let mark = w.mark();
        v.write(w, depth + 1)?;
        let n = mark - w.mark();
        w.varint(n as u64)
    }
    #[inline]
    fn is_default(_v: &M) -> bool {
        false
    }
}

// ---- helpers of generated fields -------------------------------------------

/// Charges one new message of type `M` to the decode's budget (C
/// allocates each sub-message).
#[inline]
pub fn charge_message<M>(r: &mut Reader<'_>) -> Result<(), DecodeError> {
    r.charge(std::mem::size_of::<M>())
}

/// Reads a singular field of kind `K` into `v`.
#[inline]
pub fn merge_one<K: Kind>(
    r: &mut Reader<'_>,
    wt: u32,
    v: &mut K::V,
) -> Result<(), DecodeError> {
    check(wt, K::WT)?;
    K::merge(r, v)
}

/// Reads a field of message type `M` held in an `Option<Box<M>>`.
#[inline]
pub fn merge_boxed<M: Message>(
    r: &mut Reader<'_>,
    wt: u32,
    v: &mut Option<Box<M>>,
) -> Result<(), DecodeError> {
    check(wt, WT_LEN)?;
    if v.is_none() {
        charge_message::<M>(r)?;
    }
    r.message(&mut **v.get_or_insert_with(Default::default))
}

/// Reads an optional field of kind `K` (or a message field held inline).
#[inline]
pub fn merge_option<K: Kind>(
    r: &mut Reader<'_>,
    wt: u32,
    v: &mut Option<K::V>,
) -> Result<(), DecodeError> {
    check(wt, K::WT)?;
    if v.is_none() && K::WT == WT_LEN {
        r.charge(std::mem::size_of::<K::V>())?;
    }
    K::merge(r, v.get_or_insert_with(Default::default))
}

/// Reads one element of a repeated field: a packed run (scalars, when the
/// wire type says so) or one value.
pub fn merge_repeated<K: Kind>(
    r: &mut Reader<'_>,
    wt: u32,
    v: &mut Vec<K::V>,
) -> Result<(), DecodeError> {
    let size = std::mem::size_of::<K::V>();
    if wt == WT_LEN && K::WT != WT_LEN {
        let n = r.len_prefix()?;
        let end = r.pos + n;
        if K::WIDTH != 0 && n % K::WIDTH != 0 {
            return Err(DecodeError::Length);
        }
        let count = if K::WIDTH != 0 {
            n / K::WIDTH
        } else {
            r.buf[r.pos..end].iter().filter(|b| **b < 0x80).count()
        };
        if count == 0 && n != 0 {
            return Err(DecodeError::Truncated); // varints that never end
        }
        r.charge(count.saturating_mul(size))?;
        v.reserve(count);
        let outer = r.end;
        r.end = end;
        while r.pos < end {
            let mut x = K::V::default();
            K::merge(r, &mut x)?;
            v.push(x);
        }
        r.end = outer;
        return Ok(());
    }
    check(wt, K::WT)?;
    r.charge(size)?;
    let mut x = K::V::default();
    K::merge(r, &mut x)?;
    v.push(x);
    Ok(())
}

/// Reads one map entry (a message of key 1 and value 2, one nesting
/// level down, as in C); the last value of a key wins.
pub fn merge_map<KK: Kind, VK: Kind>(
    r: &mut Reader<'_>,
    wt: u32,
    map: &mut BTreeMap<KK::V, VK::V>,
) -> Result<(), DecodeError>
where
    KK::V: Ord,
{
    check(wt, WT_LEN)?;
    let n = r.len_prefix()?;
    let end = r.pos + n;
    r.charge(std::mem::size_of::<(KK::V, VK::V)>())?;
    let (k, v) = r.nested(|r| {
        let mut k = KK::V::default();
        let mut v = VK::V::default();
        let outer = r.end;
        r.end = end;
        while r.pos < end {
            let tag = r.varint()?;
            let number = (tag >> 3) as u32;
            if tag > u32::MAX as u64 || number == 0 || number > MAX_FIELD_NUMBER
            {
                return Err(DecodeError::Field);
            }
            let wt = (tag & 7) as u32;
            match number {
                1 => merge_one::<KK>(r, wt, &mut k)?,
                2 => merge_one::<VK>(r, wt, &mut v)?,
                _ => r.skip(wt, number)?,
            }
        }
        r.end = outer;
        Ok((k, v))
    })?;
    map.insert(k, v);
    Ok(())
}

/// Bytes of a field of kind `K` with a tag of `tag_len` bytes.
#[inline]
pub fn field_len<K: Kind>(tag_len: usize, v: &K::V, depth: u32) -> usize {
    tag_len + K::len(v, depth)
}

/// Writes a field of kind `K` with its tag bytes, backwards.
#[inline]
pub fn put_field<K: Kind>(
    w: &mut Writer<'_>,
    tag: &[u8],
    v: &K::V,
    depth: u32,
) -> Result<(), EncodeError> {
    K::put(v, w, depth)?;
    w.raw(tag)
}

fn packed_body_len<K: Kind>(v: &[K::V]) -> usize {
    if K::WIDTH != 0 {
        return v.len() * K::WIDTH;
    }
    v.iter().map(|x| K::len(x, 0)).sum()
}

/// Bytes of a packed repeated field (nothing when empty).
pub fn packed_len<K: Kind>(tag_len: usize, v: &[K::V]) -> usize {
    if v.is_empty() {
        return 0;
    }
    let n = packed_body_len::<K>(v);
    tag_len + varint_len(n as u64) + n
}

/// Writes a packed repeated field, backwards.
pub fn put_packed<K: Kind>(
    w: &mut Writer<'_>,
    tag: &[u8],
    v: &[K::V],
) -> Result<(), EncodeError> {
    if v.is_empty() {
        return Ok(());
    }
    let mark = w.mark();
    for x in v.iter().rev() {
        K::put(x, w, 0)?;
    }
    w.varint((mark - w.mark()) as u64)?;
    w.raw(tag)
}

/// Bytes of an unpacked repeated field: a tag per element.
pub fn unpacked_len<K: Kind>(tag_len: usize, v: &[K::V], depth: u32) -> usize {
    v.iter().map(|x| tag_len + K::len(x, depth)).sum()
}

/// Writes an unpacked repeated field, backwards.
pub fn put_unpacked<K: Kind>(
    w: &mut Writer<'_>,
    tag: &[u8],
    v: &[K::V],
    depth: u32,
) -> Result<(), EncodeError> {
    for x in v.iter().rev() {
        K::put(x, w, depth)?;
        w.raw(tag)?;
    }
    Ok(())
}

/// Bytes of a map field: per entry its tag, length, key and value (both
/// always written, as in C).
pub fn map_len<KK: Kind, VK: Kind>(
    tag_len: usize,
    m: &BTreeMap<KK::V, VK::V>,
    depth: u32,
) -> usize {
    m.iter()
        .map(|(k, v)| {
            let e = 2 + KK::len(k, depth) + VK::len(v, depth);
            tag_len + varint_len(e as u64) + e
        })
        .sum()
}

/// Writes a map field in key order, backwards.
pub fn put_map<KK: Kind, VK: Kind>(
    w: &mut Writer<'_>,
    tag: &[u8],
    m: &BTreeMap<KK::V, VK::V>,
    depth: u32,
) -> Result<(), EncodeError> {
    for (k, v) in m.iter().rev() {
        let mark = w.mark();
        VK::put(v, w, depth)?;
        w.raw(&[(2 << 3) as u8 | VK::WT as u8])?;
        KK::put(k, w, depth)?;
        w.raw(&[(1 << 3) as u8 | KK::WT as u8])?;
        w.varint((mark - w.mark()) as u64)?;
        w.raw(tag)?;
    }
    Ok(())
}

/// Fails the write of a message nested deeper than the limit.
#[inline]
pub fn check_depth(depth: u32) -> Result<(), EncodeError> {
    if depth > DEFAULT_MAX_DEPTH {
        Err(EncodeError::Depth)
    } else {
        Ok(())
    }
}
