#!/usr/bin/env node
// tests/wire/node_clients.mjs: clients from npm, written elsewhere, call a
// parigot unit at 127.0.0.1:PORT; test_wire.c compares what they print.
//
//   node node_clients.mjs grpc-js PORT PROTO_DIR
//     @grpc/grpc-js, with @grpc/proto-loader reading apptest.proto.
//   node node_clients.mjs connect PORT FDS HTTP JSON
//     @connectrpc/connect-node over HTTP/1.1 or 2 (HTTP: "1.1" or "2"), in
//     binary protobuf or JSON (JSON: "json" or "binary"); the service's
//     descriptor comes from FDS (protoc --descriptor_set_out).
//
// The packages come from tools/npm (scripts/install-deps.sh).

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "..", "tools", "npm",
                                   "package.json"));
const [mode, port] = process.argv.slice(2, 4);

function grpcJs(protoDir) {
  const grpc = require("@grpc/grpc-js");
  const loader = require("@grpc/proto-loader");
  const def = loader.loadSync("apptest/v1/apptest.proto",
                              { includeDirs: [protoDir], enums: String,
                                longs: String });
  const api = grpc.loadPackageDefinition(def).apptest.v1;
  const creds = grpc.credentials.createInsecure();
  const echo = new api.Echo(`127.0.0.1:${port}`, creds);
  const relay = new api.Relay(`127.0.0.1:${port}`, creds);
  const call = (client, method, req, ms = 10000) =>
    new Promise((resolve) => {
      client[method](req, { deadline: Date.now() + ms }, (err, resp) =>
        resolve({ err, resp }));
    });
  const show = (what, { err, resp }, fmt) => {
    if (err && err.code === grpc.status.DEADLINE_EXCEEDED) {
      console.log(`${what}: DEADLINE_EXCEEDED`); /* its text tells times */
    } else if (err) {
      const appError = err.metadata?.get("parigot-app-error")[0] ?? "0";
      console.log(`${what}: ${grpc.status[err.code]}: ${err.details} ` +
                  `(app_error ${appError})`);
    } else {
      console.log(`${what}: ${fmt(resp)}`);
    }
  };
  return (async () => {
    show("echo", await call(echo, "Say", { value: 5, text: "hi" }),
         (r) => `${r.value} ${r.text}`);
    show("forward", await call(relay, "Forward", { value: 10 }),
         (r) => `${r.value} after ${r.hops} hops`);
    show("refused", await call(echo, "Say", { mode: "MODE_FAIL", text: "no",
                                              appError: 7 }), () => "ok");
    show("held", await call(echo, "Say", { mode: "MODE_HOLD" }, 300),
         () => "answered");
    echo.close();
    relay.close();
  })();
}

async function connect(fdsPath, http, format) {
  const { fromBinary } = require("@bufbuild/protobuf");
  const { FileDescriptorSetSchema } = require("@bufbuild/protobuf/wkt");
  const { createFileRegistry } = require("@bufbuild/protobuf");
  const { createClient, ConnectError, Code } = require("@connectrpc/connect");
  const { createConnectTransport } = require("@connectrpc/connect-node");
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(fdsPath));
  const registry = createFileRegistry(set);
  const transport = createConnectTransport({
    baseUrl: `http://127.0.0.1:${port}`,
    httpVersion: http,
    useBinaryFormat: format === "binary",
  });
  const echo = createClient(registry.getService("apptest.v1.Echo"),
                            transport);
  const relay = createClient(registry.getService("apptest.v1.Relay"),
                             transport);
  const show = async (what, promise, fmt) => {
    try {
      console.log(`${what}: ${fmt(await promise)}`);
    } catch (e) {
      const err = ConnectError.from(e);
      const appError = err.metadata.get("parigot-app-error") ?? "0";
      if (err.code === Code.DeadlineExceeded) /* the client's timer or */
        console.log(`${what}: ${Code[err.code]}`); /* the unit's: a race */
      else
        console.log(`${what}: ${Code[err.code]}: ${err.rawMessage} ` +
                    `(app_error ${appError})`);
    }
  };
  await show("echo", echo.say({ value: 5n, text: "hi" }),
             (r) => `${r.value} ${r.text}`);
  await show("forward", relay.forward({ value: 10n }),
             (r) => `${r.value} after ${r.hops} hops`);
  await show("refused", echo.say({ mode: 1, text: "no", appError: 7 }),
             () => "ok");
  await show("held", echo.say({ mode: 2 }, { timeoutMs: 300 }),
             () => "answered");
}

const run = mode === "grpc-js" ? grpcJs(process.argv[4])
                               : connect(...process.argv.slice(4, 7));
run.catch((e) => {
  console.error(`node_clients.mjs: ${e.stack}`);
  process.exitCode = 1;
});
