import Foundation

/// Scheme, host and port of a URL (RFC 6454), compared to decide where the node
/// credential may go.
public struct Origin: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int

    /// `nil` unless `url` is an absolute `http` or `https` URL with a host.
    public init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65_535).contains(port) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public var description: String { "\(scheme)://\(host):\(port)" }
}

/// Where the agent may send requests, and where its credential may go
/// (issue 11, item 8):
/// - the node credential is attached **only** to URLs of the orchestrator's own
///   origin (scheme, host and port of the configured URL); a download URL or
///   redirect to any other origin (a presigned S3 URL) is fetched without it;
/// - only `http` and `https` URLs are fetched, never `file:` or others;
/// - with an `https` orchestrator, a plain `http` URL (download or redirect) is
///   refused unless `insecure` is set; an `http` orchestrator needs `insecure`.
public struct RequestPolicy: Sendable {
    public let orchestrator: Origin
    public let insecure: Bool

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Refuses an unreadable orchestrator URL, and an `http` one without `insecure`.
    public init(orchestratorURL: String, insecure: Bool) throws(Refusal) {
        guard let url = URL(string: orchestratorURL), let origin = Origin(url) else {
            throw Refusal(
                description: "the orchestrator URL '\(ReportText.sanitize(String(orchestratorURL.prefix(200))))' is not an absolute http(s) URL")
        }
        guard origin.scheme == "https" || insecure else {
            throw Refusal(
                description: "the orchestrator URL \(origin) is plain http: the node credential would travel unencrypted; "
                    + "use https, or give --insecure (Insecure: true in the config file, or WASM_AGENT_INSECURE=1) to allow it")
        }
        self.orchestrator = origin
        self.insecure = insecure
    }

    /// `text` resolved against `base` (for a relative `Location`), checked: an
    /// absolute http(s) URL that this policy allows fetching.
    public func resolve(_ text: String, against base: URL? = nil) throws(Refusal) -> URL {
        guard text.utf8.count <= 8192, !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }),
            let url = URL(string: text, relativeTo: base)?.absoluteURL, let origin = Origin(url)
        else { throw Refusal(description: "refused URL: not an absolute http(s) URL") }
        if origin.scheme == "http" && orchestrator.scheme == "https" && !insecure {
            throw Refusal(description: "refused URL: plain http to \(origin) while the orchestrator is https (give --insecure to allow it)")
        }
        return url
    }

    /// Whether the node credential may be sent to `url`: only to the orchestrator's origin.
    public func mayCarryCredential(_ url: URL) -> Bool {
        Origin(url) == orchestrator
    }
}
