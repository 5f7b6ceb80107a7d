;; The HTTP benchmark's WAT hello as an execution environment (DESIGN.md's environment
;; mode, which any guest may opt into): instantiated and initialised once, then every
;; request is one call of `lambdesk_invoke`, as a warm Lambda environment serves them.
;; Answers the same fixed API Gateway response as hello.wat, without reading the event.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 64) "{\"statusCode\":200,\"headers\":{\"content-type\":\"application/json\"},\"body\":\"{\\\"message\\\":\\\"Hello, ada!\\\"}\"}")
  (func (export "lambdesk_init") (result i32) (i32.const 0))
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
  (func (export "lambdesk_invoke") (param i32 i32) (result i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 103))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.const 0)))
