;; The fuel metering pass (kernel/engine/meter.c) on code wasm2c runs:
;; loops (nested, with br_if), calls and recursion, br_table, call_indirect,
;; a data segment, bulk memory, a typed select and a multi-value block. It
;; exits with a checksum, which must be the same metered or not.
(module
  (type $ii (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "parigot meters fuel")
  (table 2 funcref)
  (elem (i32.const 0) $double $inc)
  (global $acc (mut i32) (i32.const 7))
  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  ;; the sum of the data segment's bytes
  (func $sum (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
                             (i32.load8_u offset=16 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 19))))
    (local.get $s))
  ;; 3, 5 or 11 by i mod 3
  (func $pick (param $i i32) (result i32)
    (block $c
      (block $b
        (block $a
          (br_table $a $b $c (i32.rem_u (local.get $i) (i32.const 3))))
        (return (i32.const 3)))
      (return (i32.const 5)))
    (i32.const 11))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $nested (result i32) (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s
          (i32.add (local.get $s)
                   (select (result i32) (call $pick (local.get $j))
                           (i32.const 1)
                           (i32.and (local.get $i) (i32.const 1)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 10))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 10))))
    (block (result i32 i32) (local.get $s) (i32.const 3))
    (i32.add))
  (func (export "_start") (local $x i32)
    (memory.fill (i32.const 100) (i32.const 9) (i32.const 10))
    (memory.copy (i32.const 200) (i32.const 100) (i32.const 10))
    (local.set $x (i32.add (call $sum) (call $nested)))
    (local.set $x (i32.add (local.get $x) (call $fib (i32.const 15))))
    (local.set $x (call_indirect (type $ii) (local.get $x) (i32.const 0)))
    (local.set $x (call_indirect (type $ii) (local.get $x) (i32.const 1)))
    (local.set $x (i32.add (local.get $x) (i32.load8_u (i32.const 205))))
    (global.set $acc (i32.add (global.get $acc) (local.get $x)))
    (call $exit (global.get $acc))))
