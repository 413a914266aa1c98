# SPDX-License-Identifier: Apache-2.0
"""tests/door/grpc_who.py: calls doortest.v1 services of a unit with Python
grpcio (Debian's python3-grpcio, run by /usr/bin/python3), as an outside
client, logged in or not, and prints one line per call: the user the last
service saw and the path, or the status the call failed with.

    grpc_who.py PORT [USER:PASSWORD|-] SERVICE...

SERVICE is Front, Middle, Back, Vault or Lobby. The messages are two
strings and a repeated string: read by hand, so nothing is generated.
"""
import base64
import sys

import grpc


def fields(data):
    """(number, bytes) of each length-delimited field of a message."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        if key & 7 != 2:
            raise ValueError("unexpected wire type %d" % (key & 7))
        n, i = varint(data, i)
        yield key >> 3, data[i:i + n]
        i += n


def varint(data, i):
    v, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def main():
    port, login, services = sys.argv[1], sys.argv[2], sys.argv[3:]
    metadata = []
    if login != "-":
        token = base64.b64encode(login.encode()).decode()
        metadata.append(("authorization", "Basic " + token))
    with grpc.insecure_channel("127.0.0.1:" + port) as channel:
        for service in services:
            who = channel.unary_unary("/doortest.v1.%s/Who" % service,
                                      request_serializer=lambda b: b,
                                      response_deserializer=lambda b: b)
            try:
                answer = who(b"", metadata=metadata, timeout=20)
            except grpc.RpcError as e:
                print("%s: %s: %s" % (service, e.code().name, e.details()))
                continue
            got = {1: "", 2: "", 3: "", 5: ""}
            path = []
            for num, value in fields(answer):
                if num == 4:
                    path.append(value.decode())
                else:
                    got[num] = value.decode()
            print("%s: user=%s roles=%s path=%s" %
                  (service, got[1], got[3], "<".join(path)))


if __name__ == "__main__":
    main()
