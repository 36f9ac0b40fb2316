import CHiredis
import Foundation

/// One blocking hiredis connection.
///
/// Every method blocks the calling thread, so callers run them on the
/// cache's own `NIOThreadPool` or on the dedicated subscriber thread, never
/// on an event loop or in the cooperative pool. Not thread-safe: one user at a time.
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, authenticates and selects the database, each bounded by `timeout`.
    init(endpoint: RedisEndpoint, timeout: Duration) throws(RedisConnectionError) {
        let tv = Self.timeval(timeout)
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), tv) else {
            throw RedisConnectionError(message: "cannot allocate a hiredis context")
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisConnectionError(message: "connect to \(endpoint.host):\(endpoint.port) failed: \(message)")
        }
        _ = redisSetTimeout(context, tv)
        self.context = context
        if let password = endpoint.password {
            try expectOK(try command(["AUTH", password]), during: "AUTH")
        }
        if endpoint.database != 0 {
            try expectOK(try command(["SELECT", String(endpoint.database)]), during: "SELECT")
        }
    }

    deinit {
        redisFree(context)
    }

    /// The socket, so another thread can `shutdown(2)` it to interrupt a blocking read.
    var fileDescriptor: Int32 { context.pointee.fd }

    /// Sends one command and waits for its reply. A transport failure leaves the
    /// connection unusable; callers discard it.
    func command(_ arguments: [String]) throws(RedisConnectionError) -> RedisReply {
        let raw = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else { throw RedisConnectionError(message: Self.errorText(context)) }
        defer { freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Blocks until the server pushes the next reply (used by the subscriber).
    func nextReply() throws(RedisConnectionError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw RedisConnectionError(message: Self.errorText(context))
        }
        defer { freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Clears the read timeout so a subscriber can wait indefinitely for messages.
    func disableReadTimeout() {
        _ = redisSetTimeout(context, Foundation.timeval(tv_sec: 0, tv_usec: 0))
    }

    private func expectOK(_ reply: RedisReply, during step: String) throws(RedisConnectionError) {
        if case .error(let message) = reply {
            throw RedisConnectionError(message: "\(step) refused: \(message)")
        }
    }

    private static func timeval(_ duration: Duration) -> Foundation.timeval {
        let (seconds, attoseconds) = duration.components
        return Foundation.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafePointer(to: context.pointee.errstr) {
            $0.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
    }

    /// Lays out `arguments` as C strings with explicit lengths (binary-safe).
    private static func withArgv<T>(
        _ arguments: [String],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T
    ) -> T {
        let utf8 = arguments.map { Array($0.utf8) + [0] }
        let lengths = utf8.map { $0.count - 1 }
        let pointers = utf8.map { bytes -> UnsafeMutablePointer<CChar> in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { pointer.initialize(from: $0.baseAddress!, count: bytes.count) }
            }
            return pointer
        }
        defer { pointers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = pointers.map { UnsafePointer($0) }
        return argv.withUnsafeMutableBufferPointer { argvBuffer in
            lengths.withUnsafeBufferPointer { lengthBuffer in
                body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
            }
        }
    }
}

/// A transport-level hiredis failure (connect, I/O, protocol).
struct RedisConnectionError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
