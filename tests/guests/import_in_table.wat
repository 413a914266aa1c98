;; tests/guests/import_in_table.wat: imported functions called through a
;; table, from an element segment (which wasm2c 1.0.32 got wrong: the host
;; function was given a wrong instance and the host crashed) and from
;; ref.func. Each call writes argc; exits with the sum of the two.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (type $sizes (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $args_sizes_get)
  (elem declare func $args_sizes_get)
  (func (export "_start")
    (table.set $t (i32.const 1) (ref.func $args_sizes_get))
    (drop (call_indirect $t (type $sizes)
      (i32.const 0) (i32.const 4) (i32.const 0)))
    (drop (call_indirect $t (type $sizes)
      (i32.const 8) (i32.const 12) (i32.const 1)))
    (call $exit (i32.add (i32.load (i32.const 0))
                         (i32.load (i32.const 8))))))
