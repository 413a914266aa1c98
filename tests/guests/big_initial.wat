;; Asks for 100 pages (6.25 MiB) up front.
(module
  (memory (export "memory") 100)
  (func (export "_start")))
