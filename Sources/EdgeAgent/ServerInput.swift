/// Checks on everything the orchestrator sends before the agent uses it: a
/// module name becomes a directory under the state directory, a digest a file
/// name, and all of them end up in logs and status reports. The agent trusts
/// none of it (issue 11, item 8): a desired-state entry that fails a check is
/// refused with a `failed` report naming the reason, and nothing touches the
/// file system.
public enum ServerInput {
    /// A module name as the orchestrator defines it (a DNS label): 1–63 of
    /// `a-z`, `0-9` and `-`, not starting or ending with `-`. This rules out
    /// `.`, `..`, `/`, NUL, control characters and overlong names, so a name is
    /// always a single, harmless path component.
    public static func isModuleName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (1...63).contains(bytes.count) && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-")
    }

    /// A version: 1–128 of SemVer's characters (`0-9A-Za-z`, `.`, `-`, `+`).
    public static func isVersion(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (1...128).contains(bytes.count)
            && bytes.allSatisfy {
                isLowerAlphanumeric($0) || (65...90).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
            }
    }

    /// The lowercase hex of a `sha256:<64 hex>` digest; `nil` for anything else.
    public static func sha256Hex(_ digest: String) -> String? {
        let bytes = Array(digest.utf8)
        guard bytes.count == 71, digest.hasPrefix("sha256:") else { return nil }
        let hex = bytes.dropFirst(7)
        guard hex.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }) else { return nil }
        return String(decoding: hex, as: UTF8.self).lowercased()
    }

    /// An identifier that is only echoed back (entrypoint, deployment id): 1–`max`
    /// bytes of printable ASCII without spaces.
    public static func isPrintableToken(_ text: String, max: Int) -> Bool {
        let bytes = Array(text.utf8)
        return (1...max).contains(bytes.count) && bytes.allSatisfy { (33...126).contains($0) }
    }

    /// Why `module` must not be used, or `nil` when every field is acceptable.
    public static func problem(_ module: Wire.Module) -> String? {
        if !isModuleName(module.name) { return "refused: the module name is not a DNS label (1-63 of a-z, 0-9, '-')" }
        if !isVersion(module.version) { return "refused: the version is not 1-128 SemVer characters" }
        if sha256Hex(module.digest) == nil { return "refused: the digest is not sha256:<64 hex digits>" }
        if !isPrintableToken(module.entrypoint, max: 256) { return "refused: the entrypoint is not 1-256 printable characters" }
        if let id = module.deploymentId, !isPrintableToken(id, max: 64) { return "refused: the deploymentId is not 1-64 printable characters" }
        if module.downloadUrl.utf8.count > 8192 { return "refused: the downloadUrl is longer than 8192 bytes" }
        if let env = module.env {
            if env.count > 256 { return "refused: more than 256 env entries" }
            for (key, value) in env where !isPrintableToken(key, max: 256) || key.contains("=") || value.utf8.count > 8192 || value.utf8.contains(0) {
                return "refused: an env entry has a bad name or value"
            }
        }
        if case .failure(let failure) = ResourceQuantity.memoryBytes(module.resources.memory) { return "refused: resources.memory: \(failure)" }
        if case .failure(let failure) = ResourceQuantity.cpuMillicores(module.resources.cpu) { return "refused: resources.cpu: \(failure)" }
        return nil
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (97...122).contains(byte) || (48...57).contains(byte)
    }
}
