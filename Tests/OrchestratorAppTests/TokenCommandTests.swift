import Foundation
import Testing

/// `token issue`, the break-glass path: its help says so, and its TTL is capped by `auth.jwt.maxLifetimeSeconds`.
@Suite("token issue: break-glass help and lifetime cap")
struct TokenCommandTests {
    typealias CLI = CommandLineTests

    @Test("--help calls it break-glass for whoever holds the signing secret")
    func helpSaysBreakGlass() async throws {
        let directory = try CLI.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let help = try await CLI.run(["token", "issue", "--help"], in: directory)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Break-glass"))
        #expect(help.stdout.contains("signing secret"))
        #expect(help.stdout.contains("auth.jwt.maxLifetimeSeconds"))
    }

    @Test("a --ttl beyond the maximum lifetime is refused with a message naming the setting; within it a token is printed")
    func ttlCapped() async throws {
        let directory = try CLI.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = ["token", "issue", "--subject", "alice", "--role", "admin", "--data-dir", "state"]
        let tooLong = try await CLI.run(base + ["--ttl", "31d"], in: directory)
        #expect(tooLong.status != 0)
        #expect(tooLong.stdout.isEmpty)
        #expect(tooLong.stderr.contains("auth.jwt.maxLifetimeSeconds"))
        let configured = try await CLI.run(base + ["--ttl", "2h"], environment: ["AUTH_JWT_MAX_LIFETIME_SECONDS": "3600"], in: directory)
        #expect(configured.status != 0 && configured.stderr.contains("3600"))
        let fine = try await CLI.run(base + ["--ttl", "30d"], in: directory)
        #expect(fine.status == 0, "\(fine.stderr)")
        #expect(fine.stdout.split(separator: ".").count == 3)
    }

    @Test("a subject outside the charset is refused", arguments: ["bob smith", "bob\nadmin", "<x>", ""])
    func subjectCharset(subject: String) async throws {
        let directory = try CLI.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await CLI.run(["token", "issue", "--subject", subject, "--role", "viewer", "--data-dir", "state"], in: directory)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
    }
}
