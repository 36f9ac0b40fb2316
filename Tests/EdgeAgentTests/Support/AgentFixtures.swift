import Foundation
import WasmFixtures

/// WebAssembly the agent tests run, from WAT.
enum AgentFixtures {
    /// A WASI command whose `_start` calls `poll_oneoff` with one relative
    /// monotonic-clock subscription of 2^63-1 ns (≈ 292 years): a sleep that
    /// costs no fuel. Subscription at 0 (clock id at 16, timeout at 24), event at 64, count at 128.
    static let sleepForeverWAT = """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 16) (i32.const 1))
            (i64.store (i32.const 24) (i64.const 9223372036854775807))
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
        """

    /// `_start` sleeps 10 ms through `poll_oneoff`, then returns (a well-behaved sleeper).
    static let shortSleepWAT = sleepForeverWAT.replacingOccurrences(of: "9223372036854775807", with: "10000000")

    /// A function that loops for ever: only fuel (or the deadline) ends it.
    static let spinWAT = """
        (module (memory (export "memory") 1) (func (export "spin") (loop $again br $again)))
        """

    /// `poll_oneoff` with pointers past the end of memory: answered EFAULT, never a host trap; then returns.
    static let badPointerPollWAT = """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (if (i32.ne (call $poll (i32.const 65530) (i32.const 64) (i32.const 1) (i32.const 128)) (i32.const 21)) (then unreachable))
            (if (i32.ne (call $poll (i32.const 0) (i32.const 64) (i32.const -1) (i32.const 128)) (i32.const 28)) (then unreachable))))
        """

    static func sleepForever() -> [UInt8] { WasmFixtures.wat(sleepForeverWAT) }
    static func shortSleep() -> [UInt8] { WasmFixtures.wat(shortSleepWAT) }
    static func spin() -> [UInt8] { WasmFixtures.wat(spinWAT) }
    static func badPointerPoll() -> [UInt8] { WasmFixtures.wat(badPointerPollWAT) }
    static func hello() -> [UInt8] { WasmFixtures.hello() }
}
