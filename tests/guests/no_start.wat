;; A reactor-like module with no _start.
(module
  (memory (export "memory") 1)
  (func (export "hello")))
