import Synchronization

/// Whether the schema has been migrated, so the API may use the database.
///
/// Until it opens, `/api` answers 503 with `Retry-After` and readiness
/// reports the metadata store as unhealthy.
public final class SchemaGate: Sendable {
    private let state = Atomic<Bool>(false)

    public init(open: Bool = false) {
        state.store(open, ordering: .releasing)
    }

    public var isOpen: Bool { state.load(ordering: .acquiring) }

    public func open() { state.store(true, ordering: .releasing) }
}
