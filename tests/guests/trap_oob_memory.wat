;; A load one page past the end of a one-page memory.
(module
  (memory (export "memory") 1)
  (global $addr (mut i32) (i32.const 65536))
  (func (export "_start")
    (drop (i32.load (global.get $addr)))))
