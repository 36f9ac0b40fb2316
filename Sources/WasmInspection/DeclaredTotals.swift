import WasmParser

/// Running totals of what a module declares, imported and defined together,
/// in saturating 64-bit arithmetic (a memory64 minimum × 64 KiB can exceed
/// 64 bits; saturating keeps it above every limit instead of trapping).
struct DeclaredTotals {
    var memories: UInt64 = 0
    var memoryBytes: UInt64 = 0
    var tables: UInt64 = 0
    var tableEntries: UInt64 = 0
    var functions: UInt64 = 0
    var globals: UInt64 = 0

    static let pageSize: UInt64 = 65536

    mutating func add(_ descriptor: ImportDescriptor) {
        switch descriptor {
        case .function: functions += 1
        case .table(let type): addTable(type)
        case .memory(let type): addMemory(type)
        case .global: globals += 1
        case .tag: break
        }
    }

    mutating func addMemory(_ limits: Limits) {
        memories += 1
        let (bytes, overflow) = limits.min.multipliedReportingOverflow(by: Self.pageSize)
        memoryBytes = Self.saturatingSum(memoryBytes, overflow ? .max : bytes)
    }

    mutating func addTable(_ type: TableType) {
        tables += 1
        tableEntries = Self.saturatingSum(tableEntries, type.limits.min)
    }

    static func saturatingSum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    func check(against limits: ValidationLimits) throws(InspectionFailure) {
        try limits.check(.maxMemories, memories, "\(memories) memories")
        try limits.check(
            .maxMemoryBytes, memoryBytes,
            "\(memories) \(memories == 1 ? "memory" : "memories") with a minimum of \(Self.describe(memoryBytes)) bytes in total")
        try limits.check(.maxTables, tables, "\(tables) tables")
        try limits.check(
            .maxTableEntries, tableEntries, "\(tables) \(tables == 1 ? "table" : "tables") with \(Self.describe(tableEntries)) entries in total")
        try limits.check(.maxFunctions, functions, "\(functions) functions (imported and defined)")
        try limits.check(.maxGlobals, globals, "\(globals) globals (imported and defined)")
    }

    static func describe(_ value: UInt64) -> String {
        value == .max ? "more than \(UInt64.max - 1)" : "\(value)"
    }
}
