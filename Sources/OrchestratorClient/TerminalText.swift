/// Text from the server made safe for a terminal.
///
/// Server answers carry text that agents and users chose (a node's status message, a deployment's reason, a
/// problem's detail). Printed raw, an ESC or CR in it could move the cursor, rewrite earlier lines of a
/// `--watch` view or change the terminal's settings. Every C0 and C1 control character and DEL becomes a space.
public enum TerminalText {
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
