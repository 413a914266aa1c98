#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# tests/http/health_server.py: a grpcio server of grpc.health.v1.Health, for
# test_http.c to prove tests/http/health.py on its own, without parigot. Its
# messages are protoc's (proto/grpc/health/v1/health.proto, generated at
# build time), not health.py's hand-made bytes.
#
#   /usr/bin/python3 health_server.py HEALTH_PB2 USER:PASSWORD
#
# HEALTH_PB2 is the path of the generated health_pb2.py; it is loaded by that
# path, since the folder protoc writes it in is named grpc/ and would hide
# grpcio's package on sys.path. Listens on a free loopback port and says so
# on stderr ("health_server: listening on 127.0.0.1:PORT"); then answers
#   ""                  SERVING
#   "shop.v1.Shop"      NOT_SERVING
#   "locked.v1.Locked"  SERVING with `authorization: Basic` for USER:PASSWORD,
#                       UNAUTHENTICATED otherwise
#   anything else       the call fails with NOT_FOUND
# and logs each call on stderr: "health_server: Check service='NAME'".
import base64
import importlib.util
import sys
import time
from concurrent import futures

import grpc

spec = importlib.util.spec_from_file_location("health_pb2", sys.argv[1])
pb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pb)
Resp = pb.HealthCheckResponse
GOOD = "Basic " + base64.b64encode(sys.argv[2].encode()).decode()


def check(request, context):
    name = request.service
    sys.stderr.write("health_server: Check service=%r\n" % name)
    sys.stderr.flush()
    if name == "":
        return Resp(status=Resp.SERVING)
    if name == "shop.v1.Shop":
        return Resp(status=Resp.NOT_SERVING)
    if name == "locked.v1.Locked":
        auth = dict(context.invocation_metadata()).get("authorization")
        if auth != GOOD:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "log in first")
        return Resp(status=Resp.SERVING)
    context.abort(grpc.StatusCode.NOT_FOUND, "unknown service %s" % name)


def main():
    handler = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(
            check, request_deserializer=pb.HealthCheckRequest.FromString,
            response_serializer=Resp.SerializeToString)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stderr.write("health_server: listening on 127.0.0.1:%d\n" % port)
    sys.stderr.flush()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
