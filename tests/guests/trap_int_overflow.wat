;; INT32_MIN / -1 overflows.
(module
  (memory (export "memory") 1)
  (global $m1 (mut i32) (i32.const -1))
  (func (export "_start")
    (drop (i32.div_s (i32.const 0x80000000) (global.get $m1)))))
