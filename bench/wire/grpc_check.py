# SPDX-License-Identifier: Apache-2.0
"""bench/wire/grpc_check.py: one call of apptest.v1.Echo/Say by a real gRPC
client (Debian's python3-grpcio) before the wire suite drives a server
with h2load, which counts HTTP statuses but cannot read grpc-status.

Usage: grpc_check.py PORT REQUEST_HEX RESPONSE_HEX. Sends the request's
bytes (an encoded EchoRequest, the same h2load sends) as they are and
prints "ok" when the call ends with grpc-status 0 (OK) and the response's
bytes are RESPONSE_HEX; otherwise prints what came back and exits 1.
"""
import sys

import grpc

port, request, response = sys.argv[1], sys.argv[2], sys.argv[3]
with grpc.insecure_channel("127.0.0.1:" + port) as channel:
    say = channel.unary_unary("/apptest.v1.Echo/Say")
    try:
        got = say(bytes.fromhex(request), timeout=10)
    except grpc.RpcError as e:
        print(f"grpc-status {e.code().value[0]} ({e.code().name}): "
              f"{e.details()}")
        sys.exit(1)
if got.hex() != response:
    print(f"grpc-status 0 but response {got.hex()}, not {response}")
    sys.exit(1)
print("ok")
