;; Imports fd_write with the wrong signature.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $f (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $f (i32.const 1))))
