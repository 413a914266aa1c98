;; tests/app/abi_v2.wat: a guest built for parigot ABI 2. It has every
;; export a version-1 guest has except the version marker, which says 2, so
;; the kernel must refuse it for the version alone.
(module
  (memory (export "memory") 1)
  (func (export "parigot_abi_v2"))
  (func (export "parigot_main"))
  (func (export "parigot_event")))
