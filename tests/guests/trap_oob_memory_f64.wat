;; A double load one page past the end of a one-page memory, its value
;; dropped: it must trap all the same (floats take the float-register
;; barrier of kernel/compile.c's load prelude).
(module
  (memory (export "memory") 1)
  (global $addr (mut i32) (i32.const 65536))
  (func (export "_start")
    (drop (f64.load (global.get $addr)))))
