/// HTTP listener settings.
public struct ServerSettings: Sendable {
    /// `server.host` — bind address. Default `127.0.0.1`; containers set `0.0.0.0`.
    public var host: String
    /// `server.port` — default `5000` (seed 004).
    public var port: Int
    /// `server.idleTimeoutSeconds` — close idle keep-alive connections after this long. Default 75.
    public var idleTimeoutSeconds: Int
    /// `server.maxBodyBytes` — limit for JSON request bodies. Default 1 MiB.
    public var maxBodyBytes: Int
    /// `server.maxHeaderBytes` — limit for all request header fields together. Default 16 KiB.
    public var maxHeaderBytes: Int
    /// `server.tls.certificatePath` / `server.tls.keyPath` — PEM files; both or neither.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?

    init(_ values: ConfigValues) throws {
        host = values.string("server.host") ?? "127.0.0.1"
        port = try values.int("server.port", default: 5000, range: 0...65535)
        idleTimeoutSeconds = try values.int("server.idleTimeoutSeconds", default: 75, range: 1...3600)
        maxBodyBytes = try values.int("server.maxBodyBytes", default: 1 << 20, range: 1024...(64 << 20))
        maxHeaderBytes = try values.int("server.maxHeaderBytes", default: 16 * 1024, range: 1024...(1 << 20))
        tlsCertificatePath = values.string("server.tls.certificatePath")
        tlsKeyPath = values.string("server.tls.keyPath")
        switch (tlsCertificatePath, tlsKeyPath) {
        case (nil, nil), (.some, .some): break
        case (.some, nil): throw ConfigurationError(key: "server.tls.keyPath", problem: "required when server.tls.certificatePath is set")
        case (nil, .some): throw ConfigurationError(key: "server.tls.certificatePath", problem: "required when server.tls.keyPath is set")
        }
    }
}
