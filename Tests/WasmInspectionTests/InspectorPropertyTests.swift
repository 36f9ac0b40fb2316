import PropertyBased
import Testing
import WasmFixtures
import WasmInspection

/// Whatever bytes arrive, the inspector returns: an interface or a refusal
/// with one of its reasons, never a trap, and never slowly.
///
/// Each case yields first: hundreds of synchronous inspections in a row held a cooperative thread for seconds
/// (two of these suites held both of a two-core machine's), and starved unrelated tests' timers (a token-bucket
/// refill test failed in CI on exactly that).
@Suite("Inspector properties")
struct InspectorPropertyTests {
    static let seeds: [[UInt8]] = [
        WasmFixtures.hello(), WasmFixtures.wasiCommand(), WasmFixtures.typeError(), WasmFixtures.tableBomb(tables: 2, entries: 3),
        WasmFixtures.dataSegments(3), WasmFixtures.locals(functions: 2, each: 3), WasmFixtures.component(),
    ]
    /// Bytes that change meaning in WebAssembly framing: LEB continuation, limits flags, `end`, reference types, `i32.const`.
    static let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x0B, 0x70, 0x63, 0x41, 0x03, 0x05]
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
    static let componentHeader: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00]

    @Test("arbitrary bytes after a module or component header never trap and are refused or accepted")
    func arbitraryBytes() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...300), Gen.bool) { body, component in
            await Task.yield()
            let verdict = Self.verdict((component ? Self.componentHeader : Self.header) + body)
            #expect(verdict.acceptable, "\(verdict)")
        }
    }

    @Test("valid modules with bytes overwritten (counts, sizes, limits become anything) never trap")
    func mutatedModules() async {
        let positions = Gen.int(in: 8...4096).array(of: 1...6)
        let values = Gen.int(in: 0..<Self.interesting.count).array(of: 6)
        await propertyCheck(count: 300, input: Gen.int(in: 0..<Self.seeds.count), positions, values) { seed, positions, values in
            await Task.yield()
            var bytes = Self.seeds[seed]
            for (position, value) in zip(positions, values) { bytes[position % bytes.count] = Self.interesting[value] }
            let (verdict, cpu) = ThreadCPUTime.measure { Self.verdict(bytes) }
            #expect(verdict.acceptable, "\(verdict)")
            #expect(cpu < .seconds(5), "validation burned \(cpu) of CPU")
        }
    }

    @Test("valid modules cut anywhere never trap")
    func truncatedModules() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0..<Self.seeds.count), Gen.int(in: 0...4096)) { seed, cut in
            await Task.yield()
            let bytes = Self.seeds[seed]
            #expect(Self.verdict(Array(bytes.prefix(cut % (bytes.count + 1)))).acceptable)
        }
    }

    enum Verdict: CustomStringConvertible {
        case accepted
        case refused(InspectionFailure)

        /// Accepted, or refused for a reason that is the binary's: never a deadline on inputs this small.
        var acceptable: Bool {
            if case .refused(let failure) = self { return failure.reason != .deadline && !failure.detail.isEmpty }
            return true
        }

        var description: String {
            switch self {
            case .accepted: "accepted"
            case .refused(let failure): "refused: \(failure)"
            }
        }
    }

    static func verdict(_ bytes: [UInt8]) -> Verdict {
        do throws(InspectionFailure) {
            _ = try WasmInspector.inspect(bytes: bytes, deadline: ValidationDeadline(after: .seconds(10)))
            return .accepted
        } catch {
            return .refused(error)
        }
    }
}
