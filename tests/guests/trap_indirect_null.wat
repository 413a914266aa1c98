;; call_indirect through a null table slot.
(module
  (memory (export "memory") 1)
  (type $void (func))
  (table 4 funcref)
  (func (export "_start")
    (call_indirect (type $void) (i32.const 3))))
