;; call_indirect to a function of another type.
(module
  (memory (export "memory") 1)
  (type $void (func))
  (table 1 funcref)
  (func $takes_i32 (param i32))
  (elem (i32.const 0) $takes_i32)
  (func (export "_start")
    (call_indirect (type $void) (i32.const 0))))
