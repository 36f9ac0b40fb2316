import Foundation
import Logging
import NIOConcurrencyHelpers
import OrchestratorPorts

/// Receives published messages on one dedicated thread and fans them out to local subscribers.
///
/// It holds a single `PSUBSCRIBE <prefix>*` connection, so subscribing to a
/// new channel needs no round trip to Redis: local subscribers register in
/// a table and the thread routes by channel name. If the connection drops,
/// the thread reconnects with capped backoff; messages published meanwhile
/// are lost, which is acceptable because wake-ups are only hints (long-poll
/// handlers re-read the database on timeout).
final class RedisSubscriber: Sendable {
    typealias Continuation = AsyncStream<String>.Continuation

    private struct State {
        var subscribers: [String: [UUID: Continuation]] = [:]
        var connection: RedisConnection?
        var stopped = false
        var isConnected = false
    }

    private let endpoint: RedisEndpoint
    private let prefix: String
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(endpoint: RedisEndpoint, prefix: String, logger: Logger) {
        self.endpoint = endpoint
        self.prefix = prefix
        self.logger = logger
    }

    /// Whether the subscription connection is currently established.
    var isConnected: Bool { state.withLockedValue { $0.isConnected } }

    /// Starts the dedicated thread. Call once.
    func start() {
        let thread = Thread { [self] in self.loop() }
        thread.name = "redis-subscriber"
        thread.start()
    }

    /// Stops the thread by shutting its socket down, and finishes every stream.
    func stop() {
        let (connection, continuations) = state.withLockedValue { state -> (RedisConnection?, [Continuation]) in
            state.stopped = true
            let all = state.subscribers.values.flatMap { $0.values }
            state.subscribers.removeAll()
            return (state.connection, all)
        }
        if let connection { shutdown(connection.fileDescriptor, Int32(SHUT_RDWR)) }
        continuations.forEach { $0.finish() }
    }

    /// Registers a local subscriber for `channel` (already prefixed).
    func subscribe(channel: String) -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(PubSubBuffer.messages))
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.subscribers[channel, default: [:]][id] = continuation
            return true
        }
        guard accepted else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { state in
                state.subscribers[channel]?[id] = nil
                if state.subscribers[channel]?.isEmpty == true { state.subscribers[channel] = nil }
            }
        }
        return stream
    }

    private func loop() {
        var backoff: Double = 0.1
        while !state.withLockedValue({ $0.stopped }) {
            do {
                let connection = try RedisConnection(endpoint: endpoint, timeout: .seconds(5))
                let reply = try connection.command(["PSUBSCRIBE", prefix + "*"])
                if case .error(let message) = reply { throw RedisConnectionError(message: message) }
                connection.disableReadTimeout()
                let stillRunning = state.withLockedValue { state -> Bool in
                    guard !state.stopped else { return false }
                    state.connection = connection
                    state.isConnected = true
                    return true
                }
                guard stillRunning else { return }
                backoff = 0.1
                while true {
                    let message = try connection.nextReply()
                    dispatch(message)
                }
            } catch {
                let stopped = state.withLockedValue { state -> Bool in
                    state.connection = nil
                    state.isConnected = false
                    return state.stopped
                }
                if stopped { return }
                logger.warning("redis subscriber disconnected; reconnecting", metadata: ["reason": "\(error)"])
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
    }

    /// Routes a `pmessage` reply (`["pmessage", pattern, channel, payload]`) to local subscribers.
    private func dispatch(_ reply: RedisReply) {
        guard case .array(let parts) = reply, parts.count == 4,
            case .string(let kind) = parts[0], kind == "pmessage",
            case .string(let channel) = parts[2], case .string(let payload) = parts[3]
        else { return }
        let targets = state.withLockedValue { Array(($0.subscribers[channel] ?? [:]).values) }
        targets.forEach { $0.yield(payload) }
    }
}
