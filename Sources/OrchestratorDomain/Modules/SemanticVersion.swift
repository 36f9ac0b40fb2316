/// A Semantic Versioning 2.0.0 version, e.g. `1.4.0-rc.1+build.7`.
///
/// Module versions are immutable and named by semver; ordering follows the
/// spec's precedence rules (build metadata is ignored for ordering).
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// Dot-separated pre-release identifiers (`rc`, `1`), empty for a release.
    public let preRelease: [String]
    /// Dot-separated build metadata identifiers.
    public let build: [String]

    /// Parses the strict semver grammar: no leading `v`, no leading zeros in numbers, at most 128 characters.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 128 else { return nil }
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard build.allSatisfy({ !$0.isEmpty && Self.isIdentifier($0) }) else { return nil }
            rest = rest[..<plus]
        }
        var preRelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            preRelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard preRelease.allSatisfy({ !$0.isEmpty && Self.isIdentifier($0) && !Self.hasLeadingZero($0) }) else { return nil }
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, core.allSatisfy({ Self.isNumeric($0) && !Self.hasLeadingZero($0) }),
            let major = Int(core[0]), let minor = Int(core[1]), let patch = Int(core[2])
        else { return nil }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.preRelease = preRelease
        self.build = build
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !preRelease.isEmpty { text += "-" + preRelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    /// Semver precedence (§11): numeric core, then a release above its pre-releases,
    /// then identifiers left to right (numeric below alphanumeric, shorter list first).
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        switch (lhs.preRelease.isEmpty, rhs.preRelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.preRelease, rhs.preRelease) where left != right {
            // Numeric identifiers compare as numbers of any length: without leading zeros,
            // a shorter one is smaller (no `Int` conversion, so `-1` stays alphanumeric and
            // a 100-digit identifier cannot overflow).
            switch (isNumeric(Substring(left)), isNumeric(Substring(right))) {
            case (true, true): return (left.utf8.count, left) < (right.utf8.count, right)
            case (true, false): return true
            case (false, true): return false
            case (false, false): return left < right
            }
        }
        return lhs.preRelease.count < rhs.preRelease.count
    }

    /// Equality ignores build metadata, as precedence does.
    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.preRelease == rhs.preRelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(preRelease)
    }

    private static func isIdentifier(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }
    }

    private static func isNumeric(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.count <= 9 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    private static func hasLeadingZero(_ text: some StringProtocol) -> Bool {
        isNumeric(text) && text.count > 1 && text.hasPrefix("0")
    }
}
