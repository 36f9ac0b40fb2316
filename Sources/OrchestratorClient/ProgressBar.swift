import Foundation

/// An upload progress bar on standard error, redrawn in place with `\r`; silent unless standard error is a
/// terminal, so logs and pipes never get control characters.
public final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let label: String
    private var lastDrawn = -1
    private let lock = NSLock()

    public init(label: String, terminal: Terminal = Terminal()) {
        self.enabled = terminal.stderrIsTerminal
        self.label = label
    }

    /// Draws `sent` of `total` bytes; redraws only when the whole percentage changes.
    public func update(sent: Int, total: Int) {
        guard enabled else { return }
        let percent = total > 0 ? min(100, sent * 100 / total) : 100
        lock.lock()
        defer { lock.unlock() }
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        FileHandle.standardError.write(Data(Self.line(label: label, sent: sent, total: total).utf8))
    }

    /// Ends the bar's line.
    public func finish() {
        guard enabled, lastDrawn >= 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// `\r<label> [#########.........]  45%  2.3/5.0 MB`
    static func line(label: String, sent: Int, total: Int) -> String {
        let percent = total > 0 ? min(100, sent * 100 / total) : 100
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        let megabytes = { (bytes: Int) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        return "\r\(label) [\(bar)] \(String(format: "%3d", percent))%  \(megabytes(sent))/\(megabytes(total)) MB"
    }
}
