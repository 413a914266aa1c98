# SPDX-License-Identifier: Apache-2.0
"""tests/wire/zero_window.py: an HTTP/2 client that asks for an answer and
never lets it come (its flow-control window is 0). The unit must reset the
stream after its request_timeout rather than hold it for ever. Usage:
zero_window.py PORT. Prints what the unit did, and roughly when."""
import socket
import sys
import time


def frame(kind, flags, stream, payload):
    return (len(payload).to_bytes(3, "big") + bytes([kind, flags]) +
            stream.to_bytes(4, "big") + payload)


def literal(name, value):  # HPACK: literal, not indexed, new name
    return (b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) +
            value)


headers = b"".join(literal(n, v) for n, v in (
    (b":method", b"POST"), (b":scheme", b"http"),
    (b":path", b"/apptest.v1.Echo/Say"), (b":authority", b"x"),
    (b"content-type", b"application/grpc"), (b"te", b"trailers")))
body = b"\x00\x00\x00\x00\x02\x10\x05"  # EchoRequest{value: 5}
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
          frame(4, 0, 0, b"\x00\x04\x00\x00\x00\x00") +  # window 0
          frame(1, 4, 1, headers) + frame(0, 1, 1, body))
t0, got, seen = time.monotonic(), b"", []
while time.monotonic() - t0 < 4 and 3 not in seen:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    if not chunk:
        break
    got += chunk
    while len(got) >= 9 and len(got) >= 9 + int.from_bytes(got[:3], "big"):
        n = int.from_bytes(got[:3], "big")
        seen.append(got[3])
        if got[3] == 4 and not got[4] & 1:  # their SETTINGS: ack them
            s.sendall(frame(4, 1, 0, b""))
        got = got[9 + n:]
waited = time.monotonic() - t0
print("stream reset" if 3 in seen else f"no reset: {seen}",
      "in time" if 3 in seen and 0.25 < waited < 3 else f"{waited:.2f}s")
