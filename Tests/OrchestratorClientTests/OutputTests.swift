import Foundation
import OrchestratorClient
import Testing

@Suite("Client output and exit codes")
struct OutputTests {
    @Test("tables align columns, read dotted paths, and show maps and lists compactly")
    func table() throws {
        let items = try JSONValue.parse(
            Data(#"[{"id":"a","n":{"x":3},"labels":{"b":"2","a":"1"}},{"id":"longer-id","n":{"x":12},"labels":{}}]"#.utf8)
        ).arrayValue!
        let text = TextTable([("ID", "id"), ("X", "n.x"), ("LABELS", "labels")], items: items).rendered()
        #expect(text == "ID         X   LABELS\na          3   a=1,b=2\nlonger-id  12  \n")
    }

    @Test("control characters from the server (ESC, CR, DEL, C1) reach the terminal as spaces, in cells and in errors")
    func controlCharacters() throws {
        let items = try JSONValue.parse(Data(#"[{"m":"ok\u001b[2J\rgone\u007f\u009bx"}]"#.utf8)).arrayValue!
        #expect(TextTable([("M", "m")], items: items).rendered() == "M\nok [2J gone  x\n")
        let hostile = Problem(title: "Bad\u{1b}]0;owned\u{07}", detail: "a\rb")
        #expect(ClientError.refused(status: 400, problem: hostile).message == "Bad ]0;owned  (400): a b")
        #expect(TerminalText.printable("café ✓") == "café ✓")
    }

    @Test("each error has its documented exit code, and a refusal shows title, detail, type and request id")
    func exitCodes() {
        let problem = Problem(
            type: "urn:wasm-orchestrator:problem:no-target-nodes", title: "Unprocessable Content", detail: "no node", instance: "r1")
        #expect(ClientError.refused(status: 422, problem: problem).exitCode == 1)
        #expect(ClientError.refused(status: 401, problem: problem).exitCode == 3)
        #expect(ClientError.refused(status: 403, problem: problem).exitCode == 3)
        #expect(ClientError.refused(status: 503, problem: problem).exitCode == 4)
        #expect(ClientError.unreachable("x").exitCode == 4)
        #expect(ClientError.notLoggedIn("x").exitCode == 3)
        #expect(ClientError.unsuccessful(status: "Failed", reason: nil).exitCode == 5)
        #expect(
            ClientError.refused(status: 422, problem: problem).message
                == "Unprocessable Content (422): no node\n  type urn:wasm-orchestrator:problem:no-target-nodes, request r1")
    }

    @Test("a body that is not a problem document (a proxy's page) still gives a short detail")
    func foreignBody() {
        let problem = Problem.from(body: Data("<html>Bad Gateway</html>".utf8), status: 502)
        #expect(problem.title == "HTTP 502" && problem.detail == "<html>Bad Gateway</html>")
    }
}
