/// Filters and paging for listing modules.
public struct ModuleQuery: Sendable, Hashable {
    /// Only names starting with this text.
    public var namePrefix: String?
    /// Only modules with at least one version of this kind.
    public var kind: WasmBinaryKind?
    /// Only modules with at least one version in this status.
    public var status: VersionStatus?
    /// Continue after this module name (exclusive).
    public var afterName: String?
    public var limit: Int

    public init(namePrefix: String? = nil, kind: WasmBinaryKind? = nil, status: VersionStatus? = nil, afterName: String? = nil, limit: Int = 50) {
        self.namePrefix = namePrefix
        self.kind = kind
        self.status = status
        self.afterName = afterName
        self.limit = limit
    }
}

/// Filters and paging for listing one module's versions, newest first.
public struct VersionQuery: Sendable, Hashable {
    public var module: ModuleName
    public var kind: WasmBinaryKind?
    public var status: VersionStatus?
    /// Continue after this position (exclusive), as returned in ``Page/nextPosition``.
    public var afterPosition: Int64?
    public var limit: Int

    public init(module: ModuleName, kind: WasmBinaryKind? = nil, status: VersionStatus? = nil, afterPosition: Int64? = nil, limit: Int = 50) {
        self.module = module
        self.kind = kind
        self.status = status
        self.afterPosition = afterPosition
        self.limit = limit
    }
}

/// One page of a listing. `next` is the position to continue from, `nil` on the last page.
public struct Page<Item: Sendable, Position: Sendable & Hashable>: Sendable {
    public var items: [Item]
    public var next: Position?

    public init(items: [Item], next: Position?) {
        self.items = items
        self.next = next
    }
}
