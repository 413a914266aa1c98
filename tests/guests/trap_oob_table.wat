;; table.get past the end of a table.
(module
  (memory (export "memory") 1)
  (table 2 funcref)
  (global $i (mut i32) (i32.const 5))
  (func (export "_start")
    (drop (table.get 0 (global.get $i)))))
