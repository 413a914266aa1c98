;; tests/app/abi_v3.wat: a guest built for parigot ABI 3, a version this
;; parigot does not speak yet. It has every export a version-2 guest has
;; except the version marker, which says 3, so the kernel must refuse it
;; for the version alone.
(module
  (memory (export "memory") 1)
  (func (export "parigot_abi_v3"))
  (func (export "parigot_main"))
  (func (export "parigot_event")))
