# SPDX-License-Identifier: Apache-2.0
"""tests/wire/door_grpc.py: Python grpcio at a unit's door
(test_wire_door.c).

Usage: door_grpc.py PORT MODE. Calls t.v1.Echo/Who with the bytes "x" (no
message types needed: bytes in, bytes out) and prints one line per call:
the answer's text, or the status code's name.
  forged: identity headers with a signature that is wrong.
  basic:  Authorization: Basic right, wrong, and none.
  signed SECRET: signed as docs/auth.md says a unit signs (computed here,
          apart from the wire's code), then the same call again (a
          replay), then with another user under the same signature.
"""
import base64
import hashlib
import hmac
import sys
import time

import grpc

port, mode = sys.argv[1], sys.argv[2]
channel = grpc.insecure_channel("127.0.0.1:" + port)
who = channel.unary_unary("/t.v1.Echo/Who")


def call(label, metadata):
    try:
        out = who(b"x", metadata=metadata, timeout=10)
        print("%s: %s" % (label, out.decode()))
    except grpc.RpcError as e:
        print("%s: %s" % (label, e.code().name))


def basic(creds):
    return ("authorization", "Basic " + base64.b64encode(creds).decode())




def signed(secret, user, ts):
    body = b"\x00\x00\x00\x00\x01x"  # the gRPC frame of b"x"
    fields = ["a", "/t.v1.Echo/Who", "a/42", "py-guest", user, "Carol",
              "staff", "", ts, hashlib.sha256(body).hexdigest()]
    text = b"parigot-sig-v1\n"
    for f in fields:
        b = f.encode()
        text += str(len(b)).encode() + b":" + b + b"\n"
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


if mode == "signed":
    ts = str(int(time.time()))
    sig = signed(sys.argv[3], "carol", ts)
    md = [("parigot-caller", "py-guest"), ("parigot-call-id", "a/42"),
          ("parigot-user", "carol"), ("parigot-user-name", "Carol"),
          ("parigot-roles", "staff"), ("parigot-timestamp", ts),
          ("parigot-signature", sig)]
    call("signed", md)
    call("again", md)
    md[2] = ("parigot-user", "root")
    call("other user", md)
    old = str(int(time.time()) - 120)
    md = md[:2] + [("parigot-user", "carol")] + md[3:5] + [
        ("parigot-timestamp", old),
        ("parigot-signature", signed(sys.argv[3], "carol", old))]
    call("old", md)
elif mode == "forged":
    call("forged", [("parigot-caller", "evil"), ("parigot-user", "root"),
                    ("parigot-call-id", "a/1"),
                    ("parigot-timestamp", str(int(time.time()))),
                    ("parigot-signature", "ab" * 32)])
else:
    call("right", [basic(b"alice:right horse")])
    call("wrong", [basic(b"alice:wrong horse")])
    call("none", [])
