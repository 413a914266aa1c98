// sdk/assemblyscript/parigot/abi.ts: the host functions of docs/abi.md
// (import module "parigot") and the few WASI functions the SDK uses.
//
// Every pointer is an offset into this guest's memory and every function
// returns 0 or a negative parigot error (include/parigot/error.h). Only
// the SDK calls these; programs use guest.ts.

@external("parigot", "export_service")
export declare function abi_export(name: usize, len: u32): i32;

@external("parigot", "require_service")
export declare function abi_require(name: usize, len: u32): i32;

@external("parigot", "locate")
export declare function abi_locate(name: usize, len: u32, handle: usize): i32;

@external("parigot", "dispatch")
export declare function abi_dispatch(handle: u32, method: usize,
  method_len: u32, req: usize, req_len: u32, timeout_ns: u64,
  call_id: usize): i32;

@external("parigot", "event_read")
export declare function abi_event_read(buf: usize, cap: u32,
  len: usize): i32;

@external("parigot", "respond")
export declare function abi_respond(call_id: u64, status: u32,
  app_error: i32, resp: usize, len: u32): i32;

@external("parigot", "log")
export declare function abi_log(level: u32, msg: usize, len: u32): i32;

@external("parigot", "now")
export declare function abi_now(ns: usize): i32;

@external("parigot", "event_buffer")
export declare function abi_event_buffer(buf: usize, cap: u32): i32;

@external("parigot", "describe")
export declare function abi_describe(fdp: usize, len: u32): i32;

@external("parigot", "context_read")
export declare function abi_context_read(buf: usize, cap: u32,
  len: usize): i32;

@external("parigot", "context_set_user")
export declare function abi_context_set_user(id: usize, id_len: u32,
  name: usize, name_len: u32, roles: usize, roles_len: u32): i32;

@external("wasi_snapshot_preview1", "proc_exit")
export declare function wasi_proc_exit(code: u32): void;

@external("wasi_snapshot_preview1", "fd_write")
export declare function wasi_fd_write(fd: u32, iovs: usize, n: u32,
  written: usize): u32;

@external("wasi_snapshot_preview1", "args_sizes_get")
export declare function wasi_args_sizes_get(argc: usize, size: usize): u32;

@external("wasi_snapshot_preview1", "args_get")
export declare function wasi_args_get(argv: usize, buf: usize): u32;

@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function wasi_environ_sizes_get(n: usize, size: usize): u32;

@external("wasi_snapshot_preview1", "environ_get")
export declare function wasi_environ_get(env: usize, buf: usize): u32;
