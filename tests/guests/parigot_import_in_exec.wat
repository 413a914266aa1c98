;; A WASI command that calls a parigot host function: under parigot exec
;; there is no app, so the call must fail with PARIGOT_ENOTSUP (-8) rather
;; than reach a missing app. Traps if it gets anything else.
(module
  (import "parigot" "log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (i32.ne (call $log (i32.const 1) (i32.const 0) (i32.const 0))
                (i32.const -8))
      (then unreachable))))
