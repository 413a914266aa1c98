;; Float operations that wasm2c turns into libm calls (sqrt, ceil, floor,
;; nearest): exits with sqrt(49) + ceil(2.5) + floor(-0.5) + nearest(2.5),
;; that is 7 + 3 - 1 + 2 = 11.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $a (mut f64) (f64.const 49))
  (global $b (mut f32) (f32.const 2.5))
  (global $c (mut f64) (f64.const -0.5))
  (func (export "_start")
    (call $exit
      (i32.add
        (i32.add (i32.trunc_f64_s (f64.sqrt (global.get $a)))
                 (i32.trunc_f32_s (f32.ceil (global.get $b))))
        (i32.add (i32.trunc_f64_s (f64.floor (global.get $c)))
                 (i32.trunc_f32_s (f32.nearest (global.get $b))))))))
