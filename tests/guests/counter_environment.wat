;; A WAT execution environment for the tests (DESIGN.md's environment mode): counts its
;; invocations in a global (state kept between them), logs the count, echoes the event
;; (the request after its context line), and answers a function error for the event
;; "fail".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $count (mut i32) (i32.const 0))
  ;; 0: the iovec; 32: the count line; 64: the error; 128: Init's line.
  (data (i32.const 32) "count 0\n")
  (data (i32.const 64) "{\"errorType\":\"Boom\",\"errorMessage\":\"failed\"}")
  (data (i32.const 128) "init\n")
  (func $write (param $fd i32) (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "lambdesk_init") (result i32)
    (call $write (i32.const 2) (i32.const 128) (i32.const 5))
    (i32.const 0))
  ;; Requests are written from 64 KiB on; memory grows to hold a larger one.
  (func (export "lambdesk_alloc") (param $len i32) (result i32)
    (local $pages i32)
    (local.set $pages
      (i32.shr_u (i32.add (local.get $len) (i32.const 131071)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then (return (i32.const -1))))))
    (i32.const 65536))
  (func (export "lambdesk_invoke") (param $request i32) (param $len i32) (result i32)
    (local $at i32)
    (local $end i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store8 (i32.const 38) (i32.add (i32.const 48) (global.get $count)))
    (call $write (i32.const 2) (i32.const 32) (i32.const 8))
    (local.set $end (i32.add (local.get $request) (local.get $len)))
    (local.set $at (local.get $request))
    ;; The event follows the first newline.
    (block $found
      (loop $scan
        (br_if $found (i32.ge_u (local.get $at) (local.get $end)))
        (br_if $found (i32.eq (i32.load8_u (local.get $at)) (i32.const 10)))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $scan)))
    (local.set $at (i32.add (local.get $at) (i32.const 1)))
    (if (i32.and
          (i32.eq (i32.load8_u (local.get $at)) (i32.const 34))
          (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 1))) (i32.const 102)))
      (then
        (call $write (i32.const 1) (i32.const 64) (i32.const 44))
        (return (i32.const 1))))
    (call $write (i32.const 1) (local.get $at) (i32.sub (local.get $end) (local.get $at)))
    (i32.const 0)))
