import Foundation
import OrchestratorDomain
import Testing

/// The wave rules of docs/deployments.md ("Waves by topology"), one table row per rule.
@Suite("Rollout waves by region or zone")
struct RolloutWavesTests {
    /// `"eu:3"` is three nodes `eu-0`… in region `eu`, zone `eu-a` (even index) or `eu-b` (odd).
    static func fleet(_ layout: [String]) -> [NodeRecord] {
        layout.flatMap { entry -> [NodeRecord] in
            let parts = entry.split(separator: ":")
            let region = String(parts[0])
            return (0..<Int(parts[1])!).map { index in
                var node = Rollout.node("\(region)-\(index)")
                node.spec.region = region
                node.spec.zone = "\(region)-\(index % 2 == 0 ? "a" : "b")"
                return node
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let layout: [String]
        let strategy: RolloutStrategy
        /// Per wave in rollout order: its key and its cohorts' sizes.
        let expected: [(String?, [Int])]
        var testDescription: String { rule }
    }

    static let region = RolloutWaves(key: .region)

    static let cases: [Case] = [
        Case(
            rule: "without waves: one wave of every target, no key", layout: ["eu:4", "us:2", "ap:3"],
            strategy: .rolling(batch: .count(4), pause: .none), expected: [(nil, [4, 4, 1])]),
        Case(
            rule: "waves ordered by name; a rolling batch count is cut inside each wave", layout: ["us:2", "eu:4", "ap:3"],
            strategy: .rolling(batch: .count(2), pause: .none, waves: region), expected: [("ap", [2, 1]), ("eu", [2, 2]), ("us", [2])]),
        Case(
            rule: "a batch percentage is of the wave, rounded up", layout: ["eu:4", "us:2", "ap:3"],
            strategy: .rolling(batch: .percent(50), pause: .none, waves: region), expected: [("ap", [2, 1]), ("eu", [2, 2]), ("us", [1, 1])]),
        Case(
            rule: "canary percentages apply within each wave", layout: ["eu:8", "us:4"],
            strategy: .canary(steps: [25, 50], pause: .manual, waves: region), expected: [("eu", [2, 2, 4]), ("us", [1, 1, 2])]),
        Case(
            rule: "waveOrder first as listed, then the rest by name", layout: ["eu:2", "us:2", "ap:2", "sa:1"],
            strategy: .rolling(batch: .count(5), pause: .none, waves: RolloutWaves(key: .region, order: ["us", "eu"])),
            expected: [("us", [2]), ("eu", [2]), ("ap", [2]), ("sa", [1])]),
        Case(
            rule: "a waveOrder name without target nodes is passed over", layout: ["eu:2", "us:1"],
            strategy: .rolling(batch: .count(1), pause: .none, waves: RolloutWaves(key: .region, order: ["mars", "us"])),
            expected: [("us", [1]), ("eu", [1, 1])]),
        Case(
            rule: "waves by zone group by zone, byte order", layout: ["eu:4", "us:3"],
            strategy: .rolling(batch: .count(5), pause: .none, waves: RolloutWaves(key: .zone)),
            expected: [("eu-a", [2]), ("eu-b", [2]), ("us-a", [2]), ("us-b", [1])]),
        Case(
            rule: "one wave: the same cohorts as without waves", layout: ["eu:5"],
            strategy: .canary(steps: [20], pause: .none, waves: region), expected: [("eu", [1, 4])]),
    ]

    @Test("wave keys and cohort sizes", arguments: cases)
    func shapes(_ row: Case) {
        let waves = RolloutPlan.waves(Self.fleet(row.layout), seed: "production/hello@2.0.0", strategy: row.strategy)
        #expect(waves.map(\.key) == row.expected.map(\.0))
        #expect(waves.map { $0.cohorts.map(\.count) } == row.expected.map(\.1))
    }

    @Test("a cohort never mixes two waves, and every target is in exactly one cohort", arguments: cases)
    func cohortsStayInTheirWave(_ row: Case) {
        let fleet = Self.fleet(row.layout)
        let waves = RolloutPlan.waves(fleet, seed: "s", strategy: row.strategy)
        let byID = Dictionary(uniqueKeysWithValues: fleet.map { ($0.id, $0) })
        for wave in waves {
            guard let key = wave.key, let grouping = row.strategy.waves?.key else { continue }
            #expect(wave.cohorts.joined().allSatisfy { grouping.wave(of: byID[$0]!) == key })
        }
        let placed = waves.flatMap(\.cohorts).joined().map(\.value)
        #expect(placed.sorted() == fleet.map(\.id.value).sorted())
    }

    @Test("inside a wave the order is the stable hash order of that wave's nodes, whatever the input order", arguments: cases)
    func stableHashingInsideEachWave(_ row: Case) {
        let fleet = Self.fleet(row.layout)
        let waves = RolloutPlan.waves(fleet, seed: "s", strategy: row.strategy)
        #expect(waves == RolloutPlan.waves(fleet.reversed(), seed: "s", strategy: row.strategy))
        for wave in waves {
            let members = fleet.filter { node in wave.key.map { row.strategy.waves!.key.wave(of: node) == $0 } ?? true }
            #expect(wave.cohorts == RolloutPlan.cohorts(members.map(\.id), deploymentID: "s", strategy: row.strategy))
        }
    }

    @Test("the seed is the request's environment and module version, so a preview and the creation agree")
    func seedIsTheRequest() {
        let spec = Rollout.spec(.rolling(batch: .count(1), pause: .none, waves: Self.region))
        #expect(RolloutPlan.seed(for: spec) == "production/hello@2.0.0")
        var next = spec
        next.moduleVersion = "2.0.1"
        #expect(RolloutPlan.seed(for: next) != RolloutPlan.seed(for: spec))
        #expect(RolloutPlan.waves([], seed: "s", strategy: spec.strategy).isEmpty)
    }

    @Test(
        "waveOrder bounds are invalid-deployment problems naming the field",
        arguments: [["eu", "eu"], ["bad name"], (0...RolloutWaves.maxOrder).map { "r\($0)" }])
    func waveOrderProblems(order: [String]) {
        let spec = Rollout.spec(.canary(steps: [10], pause: .none, waves: RolloutWaves(key: .zone, order: order)))
        let problem = DeploymentSpecRules.problem(spec, environments: ["production"])
        #expect(problem?.contains("'strategy.waveOrder'") == true, "\(problem ?? "nil")")
        var valid = spec
        valid.strategy = .canary(steps: [10], pause: .none, waves: RolloutWaves(key: .zone, order: ["eu-a", "us-b"]))
        #expect(DeploymentSpecRules.problem(valid, environments: ["production"]) == nil)
    }

    @Test("a deployment stored before waves existed still decodes, and one without waves encodes as before")
    func storedStrategiesStayReadable() throws {
        let old = #"{"rolling":{"batch":{"count":{"_0":2}},"pause":{"manual":{}}}}"#
        let decoded = try JSONDecoder().decode(RolloutStrategy.self, from: Data(old.utf8))
        #expect(decoded == .rolling(batch: .count(2), pause: .manual))
        #expect(decoded.waves == nil)
        let encoded = String(decoding: try JSONEncoder().encode(RolloutStrategy.canary(steps: [5], pause: .none)), as: UTF8.self)
        #expect(!encoded.contains("waves"))
        let withWaves = RolloutStrategy.canary(steps: [5], pause: .none, waves: RolloutWaves(key: .zone, order: ["eu-a"]))
        #expect(try JSONDecoder().decode(RolloutStrategy.self, from: JSONEncoder().encode(withWaves)) == withWaves)
    }
}
