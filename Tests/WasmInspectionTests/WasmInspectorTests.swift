import Foundation
import OrchestratorDomain
import Testing
import WasmFixtures
import WasmInspection

@Suite("WasmInspector")
struct WasmInspectorTests {
    @Test("a core module: kind, exports, memory limits, no WASI")
    func coreModule() throws {
        let interface = try inspect(WasmFixtures.hello())
        #expect(interface.kind == .module)
        #expect(interface.exports.map(\.name) == ["memory", "_start", "handle", "version"])
        #expect(interface.exports.first?.kind == .memory)
        #expect(interface.exports.last?.kind == .function)
        #expect(interface.memories == [MemoryLimits(minPages: 1, maxPages: 4)])
        #expect(interface.imports.isEmpty)
        #expect(!interface.requiresWasi)
    }

    @Test("a WASI command: its WASI imports are listed")
    func wasiCommand() throws {
        let interface = try inspect(WasmFixtures.wasiCommand())
        #expect(interface.requiresWasi)
        #expect(interface.wasiImports == ["wasi_snapshot_preview1.fd_write", "wasi_snapshot_preview1.proc_exit"])
        #expect(interface.imports.map(\.kind) == [.function, .function])
        #expect(interface.imports.first?.module == "wasi_snapshot_preview1")
    }

    @Test("a function body with a type error is refused by validation, not just decoding")
    func typeError() throws {
        let failure = try refusal(WasmFixtures.typeError())
        #expect(failure.reason == .invalid)
        #expect(!failure.detail.isEmpty)
    }

    @Test("a start function that never returns is not run during validation")
    func startFunctionIsNotRun() throws {
        let interface = try inspect(WasmFixtures.infiniteStart())
        #expect(interface.exports.map(\.name) == ["spin"])
    }

    @Test("a component is told apart and its embedded core module validated")
    func component() throws {
        let interface = try inspect(WasmFixtures.component())
        #expect(interface.kind == .component)
        #expect(interface.memories == [MemoryLimits(minPages: 1, maxPages: 4)])
        let broken = try refusal(WasmFixtures.component(embedding: WasmFixtures.typeError()))
        #expect(broken.reason == .invalid)
    }

    @Test("a component whose section overruns the file is malformed")
    func truncatedComponent() throws {
        let failure = try refusal(WasmFixtures.truncatedComponent())
        #expect(failure.reason == .malformed)
        #expect(failure.detail.contains("declares"))
    }

    @Test(
        "empty, short, wrong magic and unknown versions are refused at the header",
        arguments: [
            ([], InspectionFailure.Reason.empty),
            ([0x00, 0x61, 0x73], .header),
            (Array("hello world!".utf8), .header),
            ([0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00], .header),
        ] as [([UInt8], InspectionFailure.Reason)])
    func headerRefusals(bytes: [UInt8], reason: InspectionFailure.Reason) throws {
        #expect(try refusal(bytes).reason == reason)
    }

    @Test("a truncated module is malformed, with the parser's words")
    func truncated() throws {
        let hello = WasmFixtures.hello()
        let failure = try refusal(Array(hello.prefix(hello.count - 3)))
        #expect(failure.reason == .malformed)
        #expect(failure.detail.contains("offset") || failure.detail.contains("end"))
    }

    @Test("random bytes after a valid header never crash and are refused")
    func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let body = (0..<Int.random(in: 0...256, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00] + body
            switch result(bytes) {
            case .success: continue  // astronomically unlikely, but a valid module is not a failure
            // A random count can exceed a validation limit before the bytes run out: refused as `limits`.
            case .failure(let failure): #expect([.malformed, .invalid, .limits].contains(failure.reason), "\(failure)")
            }
        }
    }

    @Test("large custom sections are set aside for validation without changing the verdict")
    func largeCustomSections() throws {
        let interface = try inspect(WasmFixtures.withCustomSection(WasmFixtures.hello(), size: 3 << 20))
        #expect(interface.exports.map(\.name) == ["memory", "_start", "handle", "version"])
        #expect(try refusal(WasmFixtures.withCustomSection(WasmFixtures.typeError(), size: 3 << 20)).reason == .invalid)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
        #expect(!leftovers.contains { $0.hasPrefix("inspect-") && $0.hasSuffix(".stripped") })
    }

    @Test("a memory larger than 4 GiB is refused as a limit")
    func hugeMemory() throws {
        let failure = try refusal(WasmFixtures.wat("(module (memory i64 100000000))", memory64: true))
        #expect(failure.reason == .limits, "\(failure)")
    }

    // MARK: Helpers

    func write(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString).wasm").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func result(_ bytes: [UInt8]) -> Result<ModuleInterface, InspectionFailure> {
        guard let path = try? write(bytes) else { return .failure(InspectionFailure(.malformed, "could not write fixture")) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do throws(InspectionFailure) {
            return .success(try WasmInspector.inspect(filePath: path))
        } catch {
            return .failure(error)
        }
    }

    func inspect(_ bytes: [UInt8]) throws -> ModuleInterface {
        try result(bytes).get()
    }

    func refusal(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> InspectionFailure {
        switch result(bytes) {
        case .success(let interface):
            Issue.record("expected a refusal, got \(interface)", sourceLocation: sourceLocation)
            throw InspectionFailure(.invalid, "unexpectedly accepted")
        case .failure(let failure):
            return failure
        }
    }
}
