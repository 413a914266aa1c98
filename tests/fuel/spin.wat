;; tests/fuel/spin.wat: a parigot program whose START loops for ever
;; without a single host call.
(module
  (memory (export "memory") 1)
  (func (export "parigot_abi_v2"))
  (func (export "parigot_main"))
  (func (export "parigot_event")
    (loop $l (br $l))))
