// SPDX-License-Identifier: Apache-2.0
//
// bench/peers/echo_server.cc: the wire suite's gRPC C++ peer: the
// apptest.v1.Echo service (tests/app/proto/apptest/v1/apptest.proto) on
// Debian's libgrpc++, with the callback API (grpc::CallbackService), so
// that h2load drives the same unary call here as against a parigot unit.
//
//   bench-wire-grpc-cpp PORT     (0: the system picks one)
//
// Listens on 127.0.0.1:PORT without TLS and prints "echo_server.cc serves
// on 127.0.0.1:PORT" once it accepts calls. Say answers MODE_ECHO (0) as
// tests/app/echo.c does, with the request's value and text; any other mode
// fails with UNIMPLEMENTED: the benchmark only echoes. Runs until killed;
// the threads are gRPC's own.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "apptest/v1/apptest.grpc.pb.h"

namespace {

namespace v1 = apptest::v1;

class EchoService final : public v1::Echo::CallbackService {
  grpc::ServerUnaryReactor *Say(grpc::CallbackServerContext *ctx,
                                const v1::EchoRequest *req,
                                v1::EchoResponse *resp) override {
    grpc::ServerUnaryReactor *reactor = ctx->DefaultReactor();
    if (req->mode() != v1::MODE_ECHO) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                   "this peer only echoes"));
      return reactor;
    }
    resp->set_value(req->value());
    resp->set_text(req->text());
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  std::string address = std::string("127.0.0.1:") + argv[1];
  EchoService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "echo_server.cc: cannot serve on %s\n",
                 address.c_str());
    return 1;
  }
  std::printf("echo_server.cc serves on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
