;; Unbounded recursion exhausts the call stack. The recursive call goes
;; through the table so that no C compiler can turn it into a loop.
(module
  (memory (export "memory") 1)
  (type $t (func (param i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $down)
  (func $down (type $t) (param i64) (result i64)
    (i64.add
      (call_indirect (type $t) (i64.add (local.get 0) (i64.const 1))
                     (i32.const 0))
      (local.get 0)))
  (func (export "_start") (drop (call $down (i64.const 0)))))
