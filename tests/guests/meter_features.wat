;; What the fuel metering pass must decode beyond meter_mix.wat, though
;; Debian's wasm2c 1.0.32 cannot run it (SIMD, exceptions, tail calls):
;; tests/engine metes it and validates the result with wasm-validate.
;; Imported globals come before the module's own in the index space.
(module
  (import "env" "g0" (global $g0 i32))
  (import "env" "g1" (global $g1 (mut i64)))
  (import "env" "f" (func $f (param i32)))
  (tag $e (param i32))
  (memory 1)
  (table $t 4 funcref)
  (elem $seg func $f2)
  (global $mine (mut i32) (i32.const 0))
  (func $f2 (param i32) (result i32) (local.get 0))
  (func $tail (param i32) (result i32) (return_call $f2 (local.get 0)))
  (func (export "run") (result i32) (local $v v128)
    (local.set $v (v128.const i32x4 1 2 3 4))
    (local.set $v (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                                 (local.get $v) (local.get $v)))
    (local.set $v (v128.load32_lane 1 (i32.const 0) (local.get $v)))
    (v128.store offset=16 align=8 (i32.const 0) (local.get $v))
    (drop (i32x4.extract_lane 2 (local.get $v)))
    (drop (i64x2.extmul_low_i32x4_s (local.get $v) (local.get $v)))
    (drop (table.grow $t (ref.null func) (i32.const 1)))
    (table.init $t $seg (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $seg)
    (drop (table.size $t))
    (drop (ref.is_null (ref.func $f2)))
    (global.set $mine (i32.add (global.get $g0)
                               (i32.wrap_i64 (global.get $g1))))
    (try
      (do (call $f (i32.const 1)) (throw $e (i32.const 2)))
      (catch $e (drop))
      (catch_all))
    (loop $l (br_if $l (i32.eqz (global.get $mine))))
    (drop (i32.trunc_sat_f32_s (f32.const 1.5)))
    (call $tail (i32.const 4))))
