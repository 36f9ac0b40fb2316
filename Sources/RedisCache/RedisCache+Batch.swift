import OrchestratorPorts

extension RedisCache {
    /// One `MGET` for every key. A key holding a non-string value reads as absent, as with `GET`.
    public func getMany(_ keys: [String]) async throws -> [String?] {
        guard !keys.isEmpty else { return [] }
        let reply = try await command(["MGET"] + keys.map(prefixed))
        guard case .array(let values) = reply, values.count == keys.count else {
            throw DependencyUnavailableError(dependency: healthName, reason: "unexpected MGET reply of \(keys.count) keys")
        }
        return values.map { value in
            if case .string(let text) = value { return text }
            return nil
        }
    }
}
