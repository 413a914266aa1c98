# SPDX-License-Identifier: Apache-2.0
"""tests/wire/slow.py: a client that starts an HTTP/1.1 request and never
finishes it; the unit must answer 408 after its request_timeout and close.
Usage: slow.py PORT. Prints what it got and roughly when."""
import socket
import sys
import time

s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /apptest.v1.Echo/Say HTTP/1.1\r\nHost: x\r\nX-Slow: ")
t0 = time.monotonic()
got = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
waited = time.monotonic() - t0
print(got.split(b"\r\n", 1)[0].decode(), "then closed,",
      "in time" if 0.25 < waited < 3 else f"after {waited:.2f}s")
