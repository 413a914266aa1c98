;; fd_write with an iovec array outside linear memory: the host must return
;; EFAULT (21), which the guest passes to proc_exit.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; iovec at 0 says: 100 bytes at address 65500, which runs off the end.
    (i32.store (i32.const 0) (i32.const 65500))
    (i32.store (i32.const 4) (i32.const 100))
    (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
                                (i32.const 16)))))
