#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// bench/peers/echo_server.mjs: the wire suite's grpc-js peer: the
// apptest.v1.Echo service with @grpc/grpc-js, its types read by
// @grpc/proto-loader from apptest.proto, as a node service would have it.
//
//   node echo_server.mjs PORT PROTO_DIR    (PORT 0: the system picks one)
//
// Listens on 127.0.0.1:PORT without TLS and prints "echo_server.mjs serves
// on 127.0.0.1:PORT" once it accepts calls. Say answers MODE_ECHO (0) with
// the request's value and text, as tests/app/echo.c does; any other mode
// fails with UNIMPLEMENTED. Runs until killed. The packages come from
// tools/npm (scripts/install-deps.sh).

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "tools", "npm",
                                   "package.json"));
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");

const [port, protoDir] = process.argv.slice(2, 4);
// The options grpc-js's examples use: int64 as strings, enums by name,
// absent fields as their defaults (so mode 0 reads "MODE_ECHO").
const def = loader.loadSync("apptest/v1/apptest.proto", {
  includeDirs: [protoDir], keepCase: true, longs: String, enums: String,
  defaults: true, oneofs: true,
});
const api = grpc.loadPackageDefinition(def).apptest.v1;

const server = new grpc.Server();
server.addService(api.Echo.service, {
  Say(call, callback) {
    const req = call.request;
    if (req.mode !== "MODE_ECHO") {
      callback({ code: grpc.status.UNIMPLEMENTED,
                 details: "this peer only echoes" });
      return;
    }
    callback(null, { value: req.value, text: req.text });
  },
});
server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(),
                 (err, bound) => {
  if (err) {
    console.error(`echo_server.mjs: cannot serve on 127.0.0.1:${port}: ` +
                  err.message);
    process.exit(1);
  }
  console.log(`echo_server.mjs serves on 127.0.0.1:${bound}`);
});
