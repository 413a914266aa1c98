;; Grows memory one page at a time until memory.grow returns -1, then exits
;; with the final page count (so a 4 MiB limit exits 64).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (block $done
      (loop $more
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (call $exit (memory.size))))
