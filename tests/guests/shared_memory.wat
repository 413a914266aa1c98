;; Shared memory needs the threads proposal, which parigot does not run.
(module
  (memory 1 1 shared)
  (func (export "_start")))
