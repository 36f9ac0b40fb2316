import Crypto

/// AWS Signature Version 4, for request headers and presigned URLs.
///
/// Written against the SigV4 specification and checked in tests against
/// AWS's published vectors and botocore's output byte for byte.
public struct SigV4Signer: Sendable {
    /// `UNSIGNED-PAYLOAD`: S3 accepts it for payloads that are not hashed up front.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty string, the payload hash of bodiless requests.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public let credentials: SigV4Credentials
    public let region: String
    public let service: String

    public init(credentials: SigV4Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs `request` for the `Authorization` header.
    ///
    /// Adds `x-amz-date` (and `x-amz-content-sha256` for S3, and the session
    /// token when present) to the request's headers before signing, and returns
    /// the full list of headers to send including `Authorization`.
    public func signHeaders(
        _ request: SigV4Request,
        payloadHash: String,
        epochSeconds: Int
    ) -> [(String, String)] {
        let amzDate = SigV4Encoding.amzDate(epochSeconds: epochSeconds)
        var headers = request.headers
        headers.append(("x-amz-date", amzDate))
        if service == "s3" { headers.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        var signed = request
        signed.headers = headers
        let (canonical, signedHeaders) = canonicalRequest(signed, payloadHash: payloadHash)
        let scope = credentialScope(amzDate)
        let signature = self.signature(stringToSign: stringToSign(canonical, amzDate: amzDate), date: String(amzDate.prefix(8)))
        headers.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
            ))
        return headers
    }

    /// A presigned URL for `request` (normally a GET), valid for `expiresInSeconds`
    /// (1 s … 7 days). Only `host` is signed, as botocore does.
    ///
    /// - Parameter origin: scheme, host and port, e.g. `http://127.0.0.1:8333`.
    public func presignedURL(
        _ request: SigV4Request,
        origin: String,
        expiresInSeconds: Int,
        epochSeconds: Int
    ) -> String {
        let amzDate = SigV4Encoding.amzDate(epochSeconds: epochSeconds)
        var presigned = request
        if !presigned.headers.contains(where: { $0.0.lowercased() == "host" }) {
            presigned.headers.append(("host", Self.hostHeader(origin: origin)))
        }
        var query = request.query
        query.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        query.append(("X-Amz-Credential", "\(credentials.accessKey)/\(credentialScope(amzDate))"))
        query.append(("X-Amz-Date", amzDate))
        query.append(("X-Amz-Expires", String(min(max(expiresInSeconds, 1), 604_800))))
        query.append(("X-Amz-SignedHeaders", Self.signedHeaderNames(presigned.headers)))
        // botocore's order: the token after SignedHeaders (the signature is order-independent, the URL is not).
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        presigned.query = query
        let (canonical, _) = canonicalRequest(presigned, payloadHash: Self.unsignedPayload)
        let signature = self.signature(stringToSign: stringToSign(canonical, amzDate: amzDate), date: String(amzDate.prefix(8)))
        presigned.query.append(("X-Amz-Signature", signature))
        return origin + presigned.encodedPath + "?" + presigned.encodedQuery
    }

    // MARK: The four SigV4 steps (internal so tests can compare each one)

    /// Step 1: the canonical request and the `SignedHeaders` list.
    func canonicalRequest(_ request: SigV4Request, payloadHash: String) -> (String, String) {
        let encodedPairs: [(String, String)] = request.query.map { pair in
            (SigV4Encoding.encode(pair.0), SigV4Encoding.encode(pair.1))
        }
        let sortedPairs = encodedPairs.sorted { lhs, rhs in
            lhs.0 == rhs.0 ? lhs.1 < rhs.1 : lhs.0 < rhs.0
        }
        let query = sortedPairs.map { pair in pair.0 + "=" + pair.1 }.joined(separator: "&")
        let headers = Self.canonicalHeaders(request.headers)
        let signedHeaders = headers.map(\.0).joined(separator: ";")
        let headerBlock = headers.map { "\($0.0):\($0.1)\n" }.joined()
        let canonical = [
            request.method,
            request.encodedPath,
            query,
            headerBlock,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (canonical, signedHeaders)
    }

    /// Step 2: the string to sign.
    func stringToSign(_ canonicalRequest: String, amzDate: String) -> String {
        let hashed = SigV4Encoding.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return "AWS4-HMAC-SHA256\n\(amzDate)\n\(credentialScope(amzDate))\n\(hashed)"
    }

    /// Steps 3 and 4: derive the signing key and sign.
    func signature(stringToSign: String, date: String) -> String {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretKey)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return SigV4Encoding.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    func credentialScope(_ amzDate: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// Lowercased names, values trimmed with inner runs of spaces collapsed,
    /// duplicates joined with `,` in order, sorted by name.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(normalize(value))
        }
        return merged.map { ($0.key, $0.value.joined(separator: ",")) }.sorted { $0.0 < $1.0 }
    }

    static func signedHeaderNames(_ headers: [(String, String)]) -> String {
        let names = Set(headers.map { $0.0.lowercased() }).union(["host"])
        return names.sorted().joined(separator: ";")
    }

    /// The `Host` header for an origin: the authority, without the scheme's default port.
    public static func hostHeader(origin: String) -> String {
        let parts = origin.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return origin }
        let authority = parts[1].split(separator: "/", maxSplits: 1).first.map(String.init) ?? parts[1]
        if parts[0] == "http", authority.hasSuffix(":80") { return String(authority.dropLast(3)) }
        if parts[0] == "https", authority.hasSuffix(":443") { return String(authority.dropLast(4)) }
        return authority
    }

    private static func normalize(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }
}
