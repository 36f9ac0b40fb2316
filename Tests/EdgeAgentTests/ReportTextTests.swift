import EdgeAgent
import Foundation
import Testing

/// Issue 11, items 4 and 8: what the agent sends contains no control characters and stays bounded.
@Suite("Status report text")
struct ReportTextTests {
    @Test("C0, DEL, C1 and line separators become spaces; the length is bounded on a character boundary")
    func sanitize() {
        #expect(ReportText.sanitize("a\u{0}b\nc\r\td\u{7F}e\u{85}f\u{9F}g\u{2028}h") == "a b c  d e f g h")
        let long = ReportText.sanitize(String(repeating: "é", count: 2000))
        #expect(long.utf8.count <= ReportText.maxReasonBytes && long.allSatisfy { $0 == "é" })
    }

    @Test("a failure whose server text holds control characters is reported without them")
    func reportsAreClean() async throws {
        let fake = FakeOrchestrator()
        try await fake.serve { base in
            let bytes = AgentFixtures.hello()
            fake.update { $0.blobProblem = #"{"detail":"no such blob\r\nX-Injected: yes\u0000\u0085"}"# }
            fake.setModules([TestModule(name: "greeter", version: "1.0.0", digest: digest(bytes), downloadUrl: base + "/blobs/missing")])
            try await withAgent(base: base) {
                try await fake.until("the failure is reported") { $0.reports.contains { $0.state == "failed" } }
            }
            let reason = try #require(fake.reports(of: "greeter").first { $0.state == "failed" }?.reason)
            #expect(reason.contains("no such blob"))
            #expect(!reason.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(reason.debugDescription)")
        }
    }
}
