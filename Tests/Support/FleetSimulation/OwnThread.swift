import Foundation

/// Runs blocking work (waiting for a child process) on a thread of its own.
///
/// Swift concurrency's cooperative pool has one thread per core: on a 2-core
/// CI machine two tests blocked in `waitUntilExit` would stall every other
/// test's timers and make timing-based assertions fail spuriously.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port that was free a moment ago (bound to port 0, then released).
/// Better than a random port, which can collide with the test services' ports.
public func freeLoopbackPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : Int.random(in: 40_000...50_000)
}
