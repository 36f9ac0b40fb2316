/// The route classes that have a token bucket of their own (see `docs/rate-limits.md`).
///
/// Every request under `/api` falls into exactly one class; its bucket is keyed by
/// the principal (subject and role), by the node for agent credentials, or by the
/// source address for ``enrollment``.
public enum RateLimitClass: String, Sendable, CaseIterable, Hashable {
    /// Module uploads (`POST /modules`, `PUT /modules/{name}/versions/{version}`); seed 004's `ModuleRegistration`.
    case moduleRegistration
    /// Deployment operations (create, approve, reject, execute, pause, resume, promote, cancel, rollback); seed 004's `ModuleExecution`.
    case moduleExecution
    /// Requests no principal vouches for, per source address: enrollment-token registrations
    /// and failed authentications. Consulted before any token is verified.
    case enrollment
    /// Every other `POST`, `PUT`, `PATCH` and `DELETE` of a person or CI identity.
    case writes
    /// `GET` and `HEAD` of a person or CI identity.
    case reads
    /// Everything an edge node does with its credential (polls, heartbeats, status, downloads), per node.
    case agent
}

/// The bucket a request is charged to: its class and whose bucket it is.
public struct RateLimitKey: Sendable, Hashable {
    public let limitClass: RateLimitClass
    /// `address:<ip>`, `node:<id>` or `principal:<role>:<subject>`.
    public let owner: String

    public init(_ limitClass: RateLimitClass, owner: String) {
        self.limitClass = limitClass
        self.owner = owner
    }

    /// The per-node bucket of an agent, or the per-principal bucket of anyone else.
    public static func principal(_ principal: Principal, limitClass: RateLimitClass) -> RateLimitKey {
        if principal.role == .agent, let node = principal.nodeID {
            return RateLimitKey(.agent, owner: "node:" + node)
        }
        return RateLimitKey(limitClass, owner: "principal:\(principal.callerKey)")
    }

    /// The per-source-address bucket: one per IPv4 address, one per IPv6 /64 (a single
    /// host usually holds a whole /64, so per-/128 buckets would be free to multiply).
    public static func address(_ address: String) -> RateLimitKey {
        RateLimitKey(.enrollment, owner: "address:" + (ipv6Prefix64(address) ?? address))
    }

    /// `2001:db8:1:2::/64` for any IPv6 address text in `2001:db8:1:2:…`; `nil` for IPv4,
    /// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) and anything that does not parse.
    static func ipv6Prefix64(_ text: String) -> String? {
        guard text.contains(":"), !text.contains("."), text.utf8.count <= 45 else { return nil }
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(text)  // drop a zone id
        let halves = address.split(separator: "::", omittingEmptySubsequences: false)
        guard (1...2).contains(halves.count) else { return nil }
        let head = halves[0].isEmpty ? [] : halves[0].split(separator: ":", omittingEmptySubsequences: false)
        let tail = halves.count == 2 && !halves[1].isEmpty ? halves[1].split(separator: ":", omittingEmptySubsequences: false) : []
        guard (head + tail).allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let groups = head + Array(repeating: "0", count: missing) + tail
        let prefix = groups.prefix(4).map { String(UInt16($0, radix: 16) ?? 0, radix: 16) }
        return prefix.joined(separator: ":") + "::/64"
    }

    /// The cache key: `ratelimit:<class>:<owner>`.
    public var storageKey: String { "ratelimit:\(limitClass.rawValue):\(owner)" }
}
