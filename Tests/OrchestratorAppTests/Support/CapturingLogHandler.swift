import Logging
import NIOConcurrencyHelpers

/// Keeps every line logged through it, with its metadata merged as swift-log's own handlers merge it
/// (provider, then the logger's, then the call's).
struct CapturingLogHandler: LogHandler {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    final class Lines: Sendable {
        private let box = NIOLockedValueBox<[Line]>([])
        var all: [Line] { box.withLockedValue { $0 } }
        func append(_ line: Line) { box.withLockedValue { $0.append(line) } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        merged.merge(event.metadata ?? [:]) { _, new in new }
        lines.append(Line(level: event.level, message: event.message.description, metadata: merged))
    }

    /// A logger whose lines land in `lines`, with the server's metadata provider.
    static func logger(into lines: Lines, provider: Logger.MetadataProvider?) -> Logger {
        Logger(label: "test.capture", factory: { _, _ in CapturingLogHandler(lines: lines, metadataProvider: provider) })
    }
}
