#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# tests/http/health.py: asks a gRPC server how it is, as a load balancer or
# Kubernetes' grpc probe would: /grpc.health.v1.Health/Check over gRPC with
# Debian's grpcio. The end-to-end tests of issue 18 run it against units.
#
#   /usr/bin/python3 health.py HOST:PORT [options]
#
#   --service NAME      the service to ask about (default "": the server)
#   --user U --password P
#                       send `authorization: Basic ...` metadata
#   --expect STATUS     what the answer must be (default SERVING): one of
#                       the response's UNKNOWN, SERVING, NOT_SERVING,
#                       SERVICE_UNKNOWN, or the gRPC status code the call
#                       failed with (NOT_FOUND, UNAUTHENTICATED,
#                       PERMISSION_DENIED, UNAVAILABLE, DEADLINE_EXCEEDED, ...)
#   --timeout-ms N      the call's deadline (default 10000)
#   --wait              wait (within the deadline) for the server to come up,
#                       rather than failing at once with UNAVAILABLE
#
# It prints one line on stdout, the answer's name (SERVING, NOT_FOUND, ...),
# and exits 0 only when that is the one expected; otherwise 1, with one line
# on stderr saying what was expected and the server's message; 2 for a bad
# command line or no grpcio. (UNKNOWN is both ServingStatus 0 and gRPC's code
# 2; that line tells them apart: "answered UNKNOWN", "failed with UNKNOWN".)
#
# Run it with /usr/bin/python3: grpcio is Debian's python3-grpcio (another
# python3 on PATH may lack it). The request and the answer are built and read
# by hand (HealthCheckRequest: field 1, string service; HealthCheckResponse:
# field 1, enum ServingStatus; proto/grpc/health/v1/health.proto), so no
# generated module is needed.
import base64
import sys

STATUSES = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}
METHOD = "/grpc.health.v1.Health/Check"
USAGE = ("usage: /usr/bin/python3 health.py HOST:PORT [--service NAME] "
         "[--user U --password P] [--expect STATUS] [--timeout-ms N] [--wait]")


def die(code, msg):
    sys.stderr.write("health.py: %s\n" % msg)
    sys.exit(code)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def encode_request(service):
    """HealthCheckRequest{service}: field 1, length-delimited; proto3
    leaves an empty string out."""
    data = service.encode("utf-8")
    return b"\x0a" + varint(len(data)) + data if data else b""


def read_varint(buf, i):
    n = shift = 0
    while True:
        if i >= len(buf):
            raise ValueError("varint runs past the end")
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def decode_response(buf):
    """The status number of a HealthCheckResponse (0 when absent, as proto3
    says); other fields are skipped. Raises ValueError on bad bytes."""
    status, i = 0, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        field, wt = key >> 3, key & 7
        if field == 0:
            raise ValueError("field number 0")
        if wt == 0:
            v, i = read_varint(buf, i)
            if field == 1:
                status = v
        elif wt == 1:
            i += 8
        elif wt == 2:
            n, i = read_varint(buf, i)
            i += n
        elif wt == 5:
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        if i > len(buf):
            raise ValueError("field %d runs past the end" % field)
    return status


def parse_args(argv):
    o = {"target": None, "service": "", "user": None, "password": None,
         "expect": "SERVING", "timeout_ms": 10000, "wait": False}
    valued = {"--service": "service", "--user": "user",
              "--password": "password", "--expect": "expect",
              "--timeout-ms": "timeout_ms"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(USAGE)
            sys.exit(0)
        if a == "--wait":
            o["wait"] = True
        elif a in valued:
            if i + 1 >= len(argv):
                die(2, "%s needs a value" % a)
            i += 1
            o[valued[a]] = argv[i]
        elif a.startswith("-"):
            die(2, "unknown option %s; %s" % (a, USAGE))
        elif o["target"] is None:
            o["target"] = a
        else:
            die(2, "one HOST:PORT only, not also %s" % a)
        i += 1
    if o["target"] is None:
        die(2, "HOST:PORT is required; " + USAGE)
    host, sep, port = o["target"].rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        die(2, "%s is not HOST:PORT" % o["target"])
    t = str(o["timeout_ms"])
    if not t.isdigit() or int(t) == 0:
        die(2, "--timeout-ms wants a positive whole number, not \"%s\"" % t)
    o["timeout_ms"] = int(t)
    if (o["user"] is None) != (o["password"] is None):
        die(2, "--user and --password go together")
    return o


def main():
    o = parse_args(sys.argv[1:])
    try:
        import grpc
    except ImportError:
        die(2, "needs Debian's python3-grpcio (scripts/install-deps.sh); run "
            "it with /usr/bin/python3, not %s" % sys.executable)
    known = set(STATUSES.values()) | {
        c.name for c in grpc.StatusCode if c != grpc.StatusCode.OK}
    if o["expect"] not in known:
        die(2, "--expect %s is none of %s" % (o["expect"],
                                              " ".join(sorted(known))))
    metadata = []
    if o["user"] is not None:
        cred = ("%s:%s" % (o["user"], o["password"])).encode("utf-8")
        metadata.append(("authorization",
                         "Basic " + base64.b64encode(cred).decode("ascii")))
    what = "%s service %r" % (o["target"], o["service"])
    with grpc.insecure_channel(o["target"]) as ch:
        check = ch.unary_unary(METHOD, request_serializer=None,
                               response_deserializer=None)
        detail, how = "", "answered"
        try:
            raw = check(encode_request(o["service"]),
                        timeout=o["timeout_ms"] / 1000.0,
                        metadata=metadata or None,
                        wait_for_ready=o["wait"])
        except grpc.RpcError as e:
            got, how = e.code().name, "failed with"
            detail = e.details() or ""
        else:
            try:
                n = decode_response(raw)
            except ValueError as e:
                die(1, "%s: a malformed HealthCheckResponse (%s): %s" %
                    (what, e, raw.hex()))
            got = STATUSES.get(n, "UNRECOGNIZED_%d" % n)
    print(got)
    sys.stdout.flush()
    if got != o["expect"]:
        die(1, "%s %s %s, expected %s%s" % (what, how, got, o["expect"],
                                            ": %s" % detail if detail else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
