import Foundation
import WasmKit

/// The agent's own `wasi_snapshot_preview1.poll_oneoff`, replacing WasmKit's:
/// a WASI sleep is not counted as fuel, so a module could otherwise block its
/// thread for ever (issue 11, item 8). Here a clock subscription sleeps on the
/// run's ``RunControl``: never past the run's deadline, and woken at once
/// when the agent stops the run, which then fails with ``DeadlineExceeded``.
///
/// Descriptor subscriptions (`fd_read`, `fd_write`) are reported ready at
/// once without waiting: the module's stdin is `/dev/null` and its stdout and
/// stderr are the agent's. Every guest pointer is bounds-checked (a bad one
/// answers `EFAULT`, never a host trap).
enum DeadlinePoll {
    /// Thrown out of the module when its run must end.
    struct DeadlineExceeded: Error, CustomStringConvertible {
        var description: String { "deadline exceeded" }
    }

    static let subscriptionSize = 48
    static let eventSize = 32
    static let maxSubscriptions = 1024
    static let errnoFault: UInt32 = 21, errnoInvalid: UInt32 = 28

    static func function(store: Store, control: RunControl) -> Function {
        Function(store: store, parameters: [.i32, .i32, .i32, .i32], results: [.i32]) { caller, arguments in
            guard case .memory(let memory) = caller.instance?.export("memory") else { return [.i32(errnoInvalid)] }
            return [.i32(try poll(memory: memory, arguments.map(\.i32), control: control))]
        }
    }

    struct Subscription {
        var userdata: UInt64
        var tag: UInt8
        var clockID: UInt32
        var timeout: UInt64
        var absolute: Bool
    }

    /// `poll_oneoff(in, out, nsubscriptions, nevents)`; returns the errno.
    static func poll(memory: Memory, _ arguments: [UInt32], control: RunControl) throws -> UInt32 {
        guard arguments.count == 4 else { return errnoInvalid }
        let (input, output, count, eventsCount) = (UInt(arguments[0]), UInt(arguments[1]), Int(arguments[2]), UInt(arguments[3]))
        guard (1...maxSubscriptions).contains(count) else { return errnoInvalid }
        let size = UInt(memory.byteCount)
        guard input + UInt(count * subscriptionSize) <= size, output + UInt(count * eventSize) <= size, eventsCount + 4 <= size else {
            return errnoFault
        }
        let subscriptions = memory.withUnsafeBufferPointer(offset: input, count: count * subscriptionSize) { raw in
            (0..<count).map { index -> Subscription in
                let base = index * subscriptionSize
                return Subscription(
                    userdata: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self).littleEndian,
                    tag: raw[base + 8],
                    clockID: raw.loadUnaligned(fromByteOffset: base + 16, as: UInt32.self).littleEndian,
                    timeout: raw.loadUnaligned(fromByteOffset: base + 24, as: UInt64.self).littleEndian,
                    absolute: raw.loadUnaligned(fromByteOffset: base + 40, as: UInt16.self).littleEndian & 1 == 1)
            }
        }
        // Descriptors and unknown tags are answered at once; otherwise wait for the nearest clock.
        var ready = subscriptions.filter { $0.tag != 0 }
        if ready.isEmpty {
            let waits = subscriptions.map(relativeNanoseconds)
            let nearest = waits.min() ?? 0
            guard control.sleep(nanoseconds: nearest) else { throw DeadlineExceeded() }
            ready = zip(subscriptions, waits).filter { $0.1 == nearest }.map(\.0)
        } else if control.mustEnd {
            throw DeadlineExceeded()
        }
        memory.withUnsafeMutableBufferPointer(offset: output, count: ready.count * eventSize) { raw in
            for (index, subscription) in ready.enumerated() {
                let base = index * eventSize
                for offset in 0..<eventSize { raw[base + offset] = 0 }
                raw.storeBytes(of: subscription.userdata.littleEndian, toByteOffset: base, as: UInt64.self)
                let error: UInt16 = subscription.tag <= 2 ? 0 : UInt16(errnoInvalid)
                raw.storeBytes(of: error.littleEndian, toByteOffset: base + 8, as: UInt16.self)
                raw[base + 10] = min(subscription.tag, 2)
            }
        }
        memory.withUnsafeMutableBufferPointer(offset: eventsCount, count: 4) { raw in
            raw.storeBytes(of: UInt32(ready.count).littleEndian, as: UInt32.self)
        }
        return 0
    }

    /// How long a clock subscription waits from now (absolute times against the named clock).
    static func relativeNanoseconds(_ subscription: Subscription) -> UInt64 {
        guard subscription.absolute else { return subscription.timeout }
        let now: UInt64
        if subscription.clockID == 0 {
            let seconds = Date().timeIntervalSince1970
            now = seconds > 0 && seconds < 1.8e10 ? UInt64(seconds * 1e9) : 0
        } else {
            now = DispatchTime.now().uptimeNanoseconds
        }
        return subscription.timeout > now ? subscription.timeout - now : 0
    }
}
