# SPDX-License-Identifier: Apache-2.0
"""tests/wire/door_grpc.py: Python grpcio at a unit's door
(test_wire_door.c).

Usage: door_grpc.py PORT MODE. Calls t.v1.Echo/Who with the bytes "x" (no
message types needed: bytes in, bytes out) and prints one line per call:
the answer's text, or the status code's name.
  forged: identity headers with a signature that is wrong.
  basic:  Authorization: Basic right, wrong, and none.
"""
import base64
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


if mode == "forged":
    call("forged", [("parigot-caller", "evil"), ("parigot-user", "root"),
                    ("parigot-call-id", "a/1"),
                    ("parigot-timestamp", str(int(time.time()))),
                    ("parigot-signature", "ab" * 32)])
else:
    call("right", [basic(b"alice:right horse")])
    call("wrong", [basic(b"alice:wrong horse")])
    call("none", [])
