import Hummingbird

// Usage: bench-hello PORT  (binds 127.0.0.1:PORT, GET / -> "ok")
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : 8080

let router = Router()
router.get("/") { _, _ in "ok" }

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port))
)
try await app.runService()
