// SPDX-License-Identifier: Apache-2.0
// bench/engine/run-wasi.mjs: runs one WASI preview 1 command under V8.
//
// The benchmark runner's V8 peer: `node run-wasi.mjs MODULE.wasm [ARGS...]`
// compiles the module with V8's WebAssembly engine, gives it node:wasi with
// the caller's environment and no preopened directories, and exits with the
// guest's exit code. Single-threaded, like the guest.
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import v8 from 'node:v8';

// Node 20's WASI imports use V8 fast API calls, and a fast call that makes
// V8 collect garbage (after the guest grew its memory) crashes node at random
// with SIGSEGV (nodejs/node#46777, #53087). Slow calls cost nothing here:
// the programs make a handful of WASI calls. Set before node:wasi loads.
v8.setFlagsFromString('--no-turbo-fast-api-calls');
const { WASI } = await import('node:wasi');

const [path, ...args] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node run-wasi.mjs MODULE.wasm [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [path, ...args],
  env: process.env,
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(path));
// wasiImport, not getImportObject(): the latter is Node 20's, and Debian 12
// has Node 18.
const instance = await WebAssembly.instantiate(module, {
  wasi_snapshot_preview1: wasi.wasiImport,
});
process.exitCode = wasi.start(instance);
