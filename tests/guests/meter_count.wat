;; A loop of a known cost for the fuel metering pass (kernel/engine/meter.h):
;; 4 instructions outside the loop (i32.const, local.set, loop, and the
;; function's end), 7 in it (local.get, i32.const, i32.sub, local.set,
;; local.get, br_if, end), 1000 iterations: 7004 units.
(module
  (memory (export "memory") 1)
  (func (export "_start") (local $n i32)
    (local.set $n (i32.const 1000))
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))))
