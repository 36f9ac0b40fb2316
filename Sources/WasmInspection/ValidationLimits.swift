/// Aggregate limits on what a module may *declare*, checked while its
/// sections are read and before anything is allocated in proportion to a
/// declared size or count.
///
/// A few bytes of WebAssembly can declare gigabytes (a table minimum, a
/// memory minimum, a vector count, a run of locals). Validation by
/// instantiation (see ``WasmInspector``) allocates those declarations, so
/// every one of them is bounded here. Each limit names its configuration
/// key (``Limit/key``) so that a refusal tells the operator what to raise.
///
/// The defaults fit what real toolchains emit (Rust, C/C++, TinyGo, AssemblyScript:
/// one memory, one table of address-taken functions, tens of thousands of
/// functions) with a wide margin; see docs/modules.md#validation-limits.
public struct ValidationLimits: Sendable, Equatable {
    /// Total of all memories' declared minimum, in bytes (pages × 64 KiB).
    /// Default 4 GiB, the largest wasm32 memory: validation allocates it
    /// lazily (zero pages, address space only), and the edge agent caps a
    /// running module by `resources.memory` anyway.
    public var maxMemoryBytes: UInt64 = 1 << 32
    /// Memories, imported and defined (multi-memory). Default 8.
    public var maxMemories: UInt64 = 8
    /// Total of all tables' declared minimum entries. Validation allocates
    /// and (with an initializer) fills 8 bytes per entry, so the default of
    /// 1,000,000 costs at most 8 MB.
    public var maxTableEntries: UInt64 = 1_000_000
    /// Tables, imported and defined. Default 100.
    public var maxTables: UInt64 = 100
    /// Functions, imported and defined. Default 200,000.
    public var maxFunctions: UInt64 = 200_000
    /// Locals declared by all function bodies together (each costs a
    /// parsed entry even if never used). Default 2,000,000.
    public var maxLocals: UInt64 = 2_000_000
    /// Globals, imported and defined. Default 100,000.
    public var maxGlobals: UInt64 = 100_000
    /// Entries of the type section. Default 100,000.
    public var maxTypes: UInt64 = 100_000
    /// Imports. Default 10,000.
    public var maxImports: UInt64 = 10_000
    /// Exports. Default 100,000.
    public var maxExports: UInt64 = 100_000
    /// Data segments. Each active segment touches at least one page of a
    /// memory during validation, so the default of 10,000 bounds that to
    /// about 80 MB in the worst case (two 4 KiB pages per segment).
    public var maxDataSegments: UInt64 = 10_000
    /// Element segments. Default 10,000.
    public var maxElementSegments: UInt64 = 10_000
    /// Tags (exception handling). Default 10,000.
    public var maxTags: UInt64 = 10_000

    public init() {}

    /// The defaults above.
    public static let defaults = ValidationLimits()

    /// One limit: what it counts and its configuration key.
    public enum Limit: String, Sendable, CaseIterable {
        case maxMemoryBytes, maxMemories, maxTableEntries, maxTables, maxFunctions, maxLocals
        case maxGlobals, maxTypes, maxImports, maxExports, maxDataSegments, maxElementSegments, maxTags

        /// The configuration key, e.g. `modules.validation.maxTableEntries`.
        public var key: String { "modules.validation.\(rawValue)" }
    }

    public subscript(limit: Limit) -> UInt64 {
        get { self[keyPath: Self.keyPath(limit)] }
        set { self[keyPath: Self.keyPath(limit)] = newValue }
    }

    private static func keyPath(_ limit: Limit) -> WritableKeyPath<ValidationLimits, UInt64> {
        switch limit {
        case .maxMemoryBytes: \.maxMemoryBytes
        case .maxMemories: \.maxMemories
        case .maxTableEntries: \.maxTableEntries
        case .maxTables: \.maxTables
        case .maxFunctions: \.maxFunctions
        case .maxLocals: \.maxLocals
        case .maxGlobals: \.maxGlobals
        case .maxTypes: \.maxTypes
        case .maxImports: \.maxImports
        case .maxExports: \.maxExports
        case .maxDataSegments: \.maxDataSegments
        case .maxElementSegments: \.maxElementSegments
        case .maxTags: \.maxTags
        }
    }

    /// Refuses `declared` above the limit, naming what was counted and the key.
    /// `what` reads as "the module declares <what>", e.g. "10 tables with 100000000 entries in total".
    func check(_ limit: Limit, _ declared: UInt64, _ what: @autoclosure () -> String) throws(InspectionFailure) {
        let allowed = self[limit]
        guard declared > allowed else { return }
        throw InspectionFailure(.limits, "the module declares \(what()); the limit is \(allowed) (\(limit.key))")
    }
}

/// When validation must stop. Checked between phases and sections (WasmKit's
/// compiler cannot be interrupted mid-way, so the longest uninterruptible
/// step is bounded by the limits above and the upload size).
public struct ValidationDeadline: Sendable {
    public let instant: ContinuousClock.Instant
    public let budget: Duration

    public init(after budget: Duration) {
        self.budget = budget
        self.instant = ContinuousClock.now.advanced(by: budget)
    }

    /// No deadline (tools and tests that validate trusted input).
    public static var none: ValidationDeadline { ValidationDeadline(after: .seconds(86400 * 365)) }

    func check(_ phase: @autoclosure () -> String) throws(InspectionFailure) {
        guard ContinuousClock.now >= instant else { return }
        let millis = budget.components.seconds * 1000 + budget.components.attoseconds / 1_000_000_000_000_000
        throw InspectionFailure(
            .deadline, "validation took longer than \(millis) ms and was stopped \(phase()); the limit is modules.validation.deadlineMillis")
    }
}
