;; tests/app/abi_v1.wat: a program built for parigot ABI 1, which this
;; parigot still runs (docs/abi.md, "Versions"): it imports a function of
;; version 1 (now) and none of version 2, and its START exits 4.
(module
  (import "parigot" "now" (func $now (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "parigot_abi_v1"))
  (func (export "parigot_main"))
  (func (export "parigot_event")
    (drop (call $now (i32.const 0)))
    (call $exit (i32.const 4))))
