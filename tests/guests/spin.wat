;; A tight loop that never calls the host: only an interrupt can stop it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l (br $l))))
