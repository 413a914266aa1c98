# SPDX-License-Identifier: Apache-2.0
"""tests/polyglot/codec_chain.py: drives the cross-language codec test.

Usage: codec_chain.py PORT IN.bin OUTDIR

IN.bin is a parigot.test.v1.Batch of random Rich messages (pg-proto-tool
gen). Each Rich is sent, over gRPC with Python grpcio, to the Reencode
method of every language's codec service (C, C++, Rust, AssemblyScript),
which decodes it into its language's generated types and encodes it again.
Then each language's output is sent to every other language, so each
decoder reads bytes every other encoder wrote.

Writes OUTDIR/out-LANG.bin (a Batch of LANG's outputs, for
pg-proto-tool dump and protoc --decode) and prints one line per mismatch:
two encoders whose bytes differ for the same value, naming the message's
index and the languages. Bytes alone are compared here; test_polyglot.c
compares the values in the files.
"""
import sys

import grpc

LANGS = ["C", "Cpp", "Rust", "As"]

port, in_path, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
channel = grpc.insecure_channel("127.0.0.1:" + port)
reencode = {
    lang: channel.unary_unary(f"/codec.v1.Codec{lang}/Reencode")
    for lang in LANGS
}


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def put_varint(v):
    out = bytearray()
    while v > 0x7F:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def items(batch):
    """The Rich messages of a Batch (field 1, length-delimited)."""
    i = 0
    while i < len(batch):
        tag, i = varint(batch, i)
        if tag != 0x0A:
            sys.exit(f"codec_chain: unexpected tag {tag} in {in_path}")
        n, i = varint(batch, i)
        yield batch[i:i + n]
        i += n


def batch_of(msgs):
    return b"".join(b"\x0a" + put_varint(len(m)) + m for m in msgs)


with open(in_path, "rb") as f:
    msgs = list(items(f.read()))

outs = {lang: [] for lang in LANGS}
mismatches = 0
for n, msg in enumerate(msgs):
    first = {lang: reencode[lang](msg, timeout=10) for lang in LANGS}
    for lang in LANGS:
        outs[lang].append(first[lang])
        if first[lang] != first["C"]:
            mismatches += 1
            print(f"message {n}: {lang} encodes it otherwise than C")
    for writer in LANGS:
        for reader in LANGS:
            if reader == writer:
                continue
            again = reencode[reader](first[writer], timeout=10)
            if again != first[writer]:
                mismatches += 1
                print(f"message {n}: {reader} re-encodes {writer}'s bytes "
                      f"otherwise")

for lang in LANGS:
    with open(f"{outdir}/out-{lang}.bin", "wb") as f:
        f.write(batch_of(outs[lang]))
print(f"{len(msgs)} messages, {len(LANGS)} languages, "
      f"{mismatches} mismatches")
