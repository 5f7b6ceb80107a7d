;; echo: answers with the event it was given, and logs one line.
;;
;; A WASI command module: the event arrives on stdin, the response goes to stdout,
;; and every line written to stderr is a log line.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 2)

  ;; 0..8: one iovec (pointer, length); 8: bytes read or written; 16: the log line;
  ;; 1024..: the event. Two pages hold a typical event without growing memory.
  (data (i32.const 16) "echo: returning the event\n")

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (local $end i32)
    (local.set $end (i32.const 1024))
    (block $done
      (loop $read
        ;; Keep 64 KiB free after the data read so far.
        (if (i32.gt_u (i32.add (local.get $end) (i32.const 65536))
                      (i32.mul (memory.size) (i32.const 65536)))
          (then
            (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
              (then unreachable))))
        (i32.store (i32.const 0) (local.get $end))
        (i32.store (i32.const 4) (i32.const 65536))
        ;; Stop on an error or at the end of stdin.
        (br_if $done (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (local.set $end (i32.add (local.get $end) (i32.load (i32.const 8))))
        (br $read)))
    (call $write (i32.const 2) (i32.const 16) (i32.const 26))
    (call $write (i32.const 1) (i32.const 1024) (i32.sub (local.get $end) (i32.const 1024)))))
