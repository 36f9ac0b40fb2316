import OrchestratorPorts

extension RedisCache {
    /// Keys per `MGET` or `MSET`: a whole fleet's heartbeats in one command would be one unbounded
    /// request or reply that holds a pooled connection (and Redis's single thread) for its whole length.
    static let keysPerCommand = 1_000

    /// One `MSET` per 1,000 entries (each `MSET` is atomic; the batch as a whole need not be).
    public func setMany(_ entries: [(key: String, value: String)]) async throws {
        for start in stride(from: 0, to: entries.count, by: Self.keysPerCommand) {
            let chunk = entries[start..<min(start + Self.keysPerCommand, entries.count)]
            _ = try await command(["MSET"] + chunk.flatMap { [prefixed($0.key), $0.value] })
        }
    }

    /// One `MGET` per 1,000 keys, in order. A key holding a non-string value reads as absent, as with `GET`.
    public func getMany(_ keys: [String]) async throws -> [String?] {
        var values: [String?] = []
        values.reserveCapacity(keys.count)
        for start in stride(from: 0, to: keys.count, by: Self.keysPerCommand) {
            let chunk = keys[start..<min(start + Self.keysPerCommand, keys.count)]
            let reply = try await command(["MGET"] + chunk.map(prefixed))
            guard case .array(let replies) = reply, replies.count == chunk.count else {
                throw DependencyUnavailableError(dependency: healthName, reason: "unexpected MGET reply of \(chunk.count) keys")
            }
            values += replies.map { value in
                if case .string(let text) = value { return text }
                return nil
            }
        }
        return values
    }
}
