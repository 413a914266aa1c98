;; tests/fuel/count.wat: a parigot program whose START does a fixed amount
;; of work, then exits 0. Metered (kernel/engine/meter.h), its event costs
;; 10 units outside the loop (i32.const, local.set, 4 nops, loop, then
;; i32.const, call and the function's end) and 7 per iteration (local.get,
;; i32.const, i32.sub, local.set, local.get, br_if, end): 10 + 1000000 * 7
;; = 7000010 units, that is 0.700001ms of max_handler_time at 10 units per
;; ns.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "parigot_abi_v2"))
  (func (export "parigot_main"))
  (func (export "parigot_event") (local $n i32)
    (local.set $n (i32.const 1000000))
    nop nop nop nop
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (call $exit (i32.const 0))))
