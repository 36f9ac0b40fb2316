import Foundation
import OrchestratorDomain
import Testing
import WasmFixtures
import WasmInspection

/// Modules that declare more than validation may allocate are refused,
/// quickly and without allocating it, naming the limit.
@Suite("Validation limits")
struct ValidationLimitsTests {
    @Test("10 tables of 10 million initialized entries: refused naming maxTableEntries, fast, without filling them")
    func tableBomb() throws {
        let bomb = WasmFixtures.tableBomb()
        #expect(bomb.count < 200)
        let (failure, cpu) = try ThreadCPUTime.measure { try refusal(bomb) }
        #expect(cpu < .seconds(1), "validation burned \(cpu) of CPU")
        #expect(failure.reason == .limits)
        #expect(
            failure.detail
                == "the module declares 10 tables with 100000000 entries in total; the limit is 1000000 (modules.validation.maxTableEntries)")
    }

    @Test("the table bomb's validation does not raise peak RSS by more than a few MB (745 MB before the fix)")
    func tableBombPeakMemory() throws {
        #if os(Linux)
            let before = try #require(PeakMemory.resetAndRead())
            _ = try refusal(WasmFixtures.tableBomb())
            let growth = try #require(PeakMemory.read()) - before
            #expect(growth < 64 << 20, "peak RSS grew by \(growth >> 20) MiB")
        #endif
    }

    @Test("a data segment declaring 4 GiB in a 28-byte file is refused as malformed without allocating the declared length")
    func declaredLength() throws {
        #if os(Linux)
            let before = try #require(PeakMemory.resetAndRead())
            let failure = try refusal(WasmFixtures.declaredLengthBomb())
            let growth = try #require(PeakMemory.read()) - before
            #expect(failure.reason == .malformed, "\(failure)")
            #expect(growth < 64 << 20, "peak RSS grew by \(growth >> 20) MiB")
        #endif
    }

    @Test("memories above 4 GiB in total (two of 4 GiB, multi-memory) are refused naming maxMemoryBytes")
    func memoryBomb() throws {
        let failure = try refusal(WasmFixtures.memories(2, pages: 65536))
        #expect(failure.reason == .limits)
        #expect(
            failure.detail
                == "the module declares 2 memories with a minimum of 8589934592 bytes in total; "
                + "the limit is 4294967296 (modules.validation.maxMemoryBytes)"
        )
    }

    @Test("a memory64 minimum whose byte size overflows 64 bits is refused, not trapped")
    func memory64Overflow() throws {
        let failure = try refusal(WasmFixtures.wat("(module (memory i64 0x1000000000000))", memory64: true))
        #expect(failure.reason == .limits)
        #expect(failure.detail.contains("modules.validation.maxMemoryBytes"))
    }

    @Test("nine memories are refused naming maxMemories")
    func manyMemories() throws {
        let failure = try refusal(WasmFixtures.memories(9, pages: 1))
        #expect(failure.detail == "the module declares 9 memories; the limit is 8 (modules.validation.maxMemories)")
    }

    @Test("10,001 data segments are refused naming maxDataSegments")
    func dataSegments() throws {
        #expect(try inspect(WasmFixtures.dataSegments(100)).kind == .module)
        let failure = try refusal(WasmFixtures.dataSegments(10_001))
        #expect(failure.detail == "the module declares 10001 data segments; the limit is 10000 (modules.validation.maxDataSegments)")
    }

    @Test("200,001 functions are refused naming maxFunctions, before any is compiled")
    func functions() throws {
        #expect(try inspect(WasmFixtures.functions(1000)).kind == .module)
        let (failure, cpu) = try ThreadCPUTime.measure { try refusal(WasmFixtures.functions(200_001)) }
        #expect(cpu < .seconds(2), "validation burned \(cpu) of CPU")
        #expect(failure.detail == "the module declares 200001 functions; the limit is 200000 (modules.validation.maxFunctions)")
    }

    @Test("locals are counted over all bodies: 30 × 99,999 is refused naming maxLocals")
    func locals() throws {
        #expect(try inspect(WasmFixtures.locals(functions: 2, each: 99_999)).kind == .module)
        let failure = try refusal(WasmFixtures.locals(functions: 30, each: 99_999))
        #expect(failure.reason == .limits)
        #expect(failure.detail.hasSuffix("the limit is 2000000 (modules.validation.maxLocals)"))
    }

    @Test("configured limits apply, e.g. a lower maxTables")
    func configuredLimits() throws {
        var limits = ValidationLimits.defaults
        limits.maxTables = 1
        let failure = try refusal(WasmFixtures.tableBomb(tables: 2, entries: 1), limits: limits)
        #expect(failure.detail == "the module declares 2 tables; the limit is 1 (modules.validation.maxTables)")
        #expect(try inspect(WasmFixtures.tableBomb(tables: 2, entries: 1)).kind == .module)
    }

    @Test("the limits hold for core modules embedded in a component")
    func component() throws {
        let failure = try refusal(WasmFixtures.component(embedding: WasmFixtures.tableBomb()))
        #expect(failure.detail.contains("modules.validation.maxTableEntries"))
    }

    @Test("a validation past its deadline is stopped and refused as such")
    func deadline() throws {
        let failure = try refusal(WasmFixtures.hello(), deadline: ValidationDeadline(after: .zero))
        #expect(failure.reason == .deadline)
        #expect(failure.detail.contains("modules.validation.deadlineMillis"))
        #expect(try inspect(WasmFixtures.hello(), deadline: ValidationDeadline(after: .seconds(30))).kind == .module)
    }

    @Test("a normal module under the default limits is still accepted")
    func normalModule() throws {
        let interface = try inspect(WasmFixtures.hello())
        #expect(interface.memories == [MemoryLimits(minPages: 1, maxPages: 4)])
        #expect(try inspect(WasmFixtures.tableBomb(tables: 1, entries: 1000)).kind == .module)
    }

    // MARK: Helpers

    func result(
        _ bytes: [UInt8], limits: ValidationLimits = .defaults, deadline: ValidationDeadline = .none
    ) -> Result<ModuleInterface, InspectionFailure> {
        // Through a file, as the registry calls it.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString).wasm").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            return .failure(InspectionFailure(.malformed, "could not write fixture"))
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do throws(InspectionFailure) {
            return .success(try WasmInspector.inspect(filePath: path, limits: limits, deadline: deadline))
        } catch {
            return .failure(error)
        }
    }

    func inspect(_ bytes: [UInt8], deadline: ValidationDeadline = .none) throws -> ModuleInterface {
        try result(bytes, deadline: deadline).get()
    }

    func refusal(
        _ bytes: [UInt8], limits: ValidationLimits = .defaults, deadline: ValidationDeadline = .none,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> InspectionFailure {
        switch result(bytes, limits: limits, deadline: deadline) {
        case .success(let interface):
            Issue.record("expected a refusal, got \(interface)", sourceLocation: sourceLocation)
            throw InspectionFailure(.invalid, "unexpectedly accepted")
        case .failure(let failure):
            return failure
        }
    }
}

/// The process's peak resident set (VmHWM), which Linux lets a process reset
/// by writing 5 to /proc/self/clear_refs.
enum PeakMemory {
    static func resetAndRead() -> Int? {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return nil }
        defer { try? handle.close() }
        guard (try? handle.write(contentsOf: Data("5".utf8))) != nil else { return nil }
        return read()
    }

    static func read() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}

/// CPU time spent by the calling thread. Validation is synchronous on the
/// caller's thread, so "fast" is measured in the CPU time it burns, not in wall
/// time that a loaded CI machine stretches by seconds while the thread waits
/// for a core (a 1 s wall-clock bound failed that way).
enum ThreadCPUTime {
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
        let before = now()
        let result = try body()
        return (result, now() - before)
    }

    static func now() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }
}
