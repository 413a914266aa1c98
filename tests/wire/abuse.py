# SPDX-License-Identifier: Apache-2.0
"""tests/wire/abuse.py: malformed and oversized requests at a unit's port,
on raw sockets; each must get its protocol's error, and the unit must go
on serving. Usage: abuse.py PORT PYDIR. Prints one line per case."""
import socket
import sys

import grpc

port, pydir = int(sys.argv[1]), sys.argv[2]
sys.path.insert(0, pydir)
from apptest.v1 import apptest_pb2 as pb  # noqa: E402


def exchange(data, read_all=True):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if not read_all:
                break
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return out


def status_line(resp):
    return resp.split(b"\r\n", 1)[0].decode()


print("garbage:", status_line(exchange(b"GARBAGE\r\n\r\n")))
print("long url:", status_line(exchange(
    b"POST /" + b"a" * 600 + b" HTTP/1.1\r\nHost: x\r\n\r\n")))
print("big header:", status_line(exchange(
    b"POST /apptest.v1.Echo/Say HTTP/1.1\r\nHost: x\r\nX-Big: " +
    b"b" * 20000 + b"\r\n\r\n")))
big = b"x" * (5 << 20)
resp = exchange(b"POST /apptest.v1.Echo/Say HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n"
                b"Content-Type: application/proto\r\nContent-Length: " +
                str(len(big)).encode() + b"\r\n\r\n" + big)
print("big body:", status_line(resp), resp.split(b"\r\n\r\n", 1)[1].decode())
resp = exchange(b"POST /apptest.v1.Echo/Say HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n"
                b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
print("wrong type:", status_line(resp))

# Pipelined HTTP/1.1: many requests in one write, each answered at once
# (GET is not a call), in order, on one connection.
resp = exchange(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 300 +
                b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print("pipelined:", resp.count(b"HTTP/1.1 405 "), "answers")


# (a 5-byte PING, which must be 8): the answer ends with a GOAWAY.
frames = exchange(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
                  b"\x00\x00\x05\x06\x00\x00\x00\x00\x00hello")
types, i = [], 0
while i + 9 <= len(frames):
    length = int.from_bytes(frames[i:i + 3], "big")
    types.append(frames[i + 3])
    i += 9 + length
print("bad frame: goaway" if 7 in types else f"bad frame: {types}")

channel = grpc.insecure_channel(f"127.0.0.1:{port}")
say = channel.unary_unary("/apptest.v1.Echo/Say",
                          request_serializer=pb.EchoRequest.SerializeToString,
                          response_deserializer=pb.EchoResponse.FromString)
print("still serving:", say(pb.EchoRequest(value=3, text="ok"),
                            timeout=10).value)
