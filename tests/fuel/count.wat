;; tests/fuel/count.wat: a parigot program whose START does a fixed amount
;; of work, then exits 0. Metered (kernel/engine/meter.h), its event costs
;; 10 units before the loop (i32.const, local.set, 7 nops, loop) and 10 per
;; iteration (local.get, i32.const, i32.sub, local.set, local.get, br_if,
;; end; then i32.const, call and the function's end, which follow the loop
;; in its region): 10 + 1000000 * 10 = 10000010 units, that is 1.000001ms
;; of max_handler_time at 10 units per ns.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "parigot_abi_v1"))
  (func (export "parigot_main"))
  (func (export "parigot_event") (local $n i32)
    (local.set $n (i32.const 1000000))
    nop nop nop nop nop nop nop
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (call $exit (i32.const 0))))
