# SPDX-License-Identifier: Apache-2.0
"""tests/wire/py_echo_server.py: apptest.v1.Echo written in Python with
grpcio (Debian's python3-grpcio): a real gRPC service outside parigot,
which a guest calls as if it were a unit (unit.serves in the manifest).

Usage: py_echo_server.py PYDIR. Prints "serving on PORT" once it serves on
127.0.0.1 (a port the system picks), then serves until killed. Answers as
tests/app/echo.c does for the modes it knows: echo, fail (UNKNOWN with the
request's app_error in parigot-app-error), hold (never answers), context
(the caller parigot says it is, and the time left)."""
import sys
import threading
from concurrent import futures

import grpc

sys.path.insert(0, sys.argv[1])
from apptest.v1 import apptest_pb2 as pb  # noqa: E402


def say(req, ctx):
    if req.mode == pb.MODE_FAIL:
        ctx.set_trailing_metadata((("parigot-app-error",
                                    str(req.app_error)),))
        ctx.abort(grpc.StatusCode.UNKNOWN, "refused: " + req.text)
    if req.mode == pb.MODE_HOLD:
        done = threading.Event()
        ctx.add_callback(done.set)
        done.wait(ctx.time_remaining())
        ctx.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "held")
    if req.mode == pb.MODE_CONTEXT:
        caller = dict(ctx.invocation_metadata()).get("parigot-caller", "?")
        return pb.EchoResponse(value=int(ctx.time_remaining() * 1e9),
                               text=caller)
    return pb.EchoResponse(value=req.value, text=req.text)


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
    "apptest.v1.Echo", {"Say": grpc.unary_unary_rpc_method_handler(
        say, request_deserializer=pb.EchoRequest.FromString,
        response_serializer=pb.EchoResponse.SerializeToString)}),))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(f"serving on {port}", file=sys.stderr, flush=True)
server.wait_for_termination()
