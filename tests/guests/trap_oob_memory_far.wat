;; A store at the top of the 32-bit space plus a large offset.
(module
  (memory (export "memory") 1)
  (global $addr (mut i32) (i32.const 0xfffffff0))
  (func (export "_start")
    (i64.store offset=0x7fffffff (global.get $addr) (i64.const 1))))
