import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Standard output and error, and whether each is a terminal (`isatty`): decorations (progress bars, redraws)
/// only go to a terminal, so piped output stays plain lines.
public struct Terminal: Sendable {
    public let stdoutIsTerminal: Bool
    public let stderrIsTerminal: Bool

    public init(stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) == 1, stderrIsTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
    }

    public func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Reads a secret from the terminal without echo (`getpass`), or the first line of a piped standard input.
    public static func readSecret(prompt: String) -> String? {
        if isatty(STDIN_FILENO) == 1 {
            guard let typed = getpass(prompt) else { return nil }
            return String(cString: typed)
        }
        return readLine(strippingNewline: true)
    }
}
