import Crypto
import NIOCore
import OrchestratorDomain

/// The web console's static files, ready to serve: bytes, content type and a strong `ETag` per file.
///
/// Built once at start-up from the files compiled into the binary, so a request only looks a path up.
struct ConsoleAssets: Sendable {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        /// The first 32 hex digits of the content's SHA-256, quoted: changes exactly when the file does.
        let etag: String
    }

    private let assets: [String: Asset]

    /// - Parameter files: text by path below `/console/` (`index.html`, `js/app.js`).
    init(files: [String: String]) {
        var assets: [String: Asset] = [:]
        for (path, text) in files {
            guard let type = Self.contentType(of: path) else { continue }
            let hex = ContentDigest(bytes: SHA256.hash(data: Array(text.utf8))).hex
            assets[path] = Asset(body: ByteBuffer(string: text), contentType: type, etag: "\"\(hex.prefix(32))\"")
        }
        self.assets = assets
    }

    /// The file at `path` (below `/console/`); `nil` for an unknown path or a type the console does not serve.
    func asset(_ path: String) -> Asset? { assets[path] }

    var isEmpty: Bool { assets.isEmpty }

    /// Only the types the console is made of; any other file under `console/` is not served.
    static func contentType(of path: String) -> String? {
        switch path.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: nil
        }
    }
}
