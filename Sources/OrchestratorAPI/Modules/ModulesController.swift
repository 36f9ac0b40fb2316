import EdgeFleet
import Foundation
import HTTPTypes
import Hummingbird
import ModuleRegistry
import NIOCore
import OrchestratorDomain
import OrchestratorPorts

/// `/api/v1/wasm/modules/...`: upload (raw and seed 004's JSON form), list,
/// read, download, deprecate/yank/restore and delete module versions.
struct ModulesController {
    let registry: ModuleRegistry
    /// For the agent-download rule: an agent may fetch only what its node's desired state names.
    let nodes: NodeService
    let downloads: DownloadPolicy
    let idempotency: IdempotentWrites

    var endpoints: RouteCollection<OrchestratorRequestContext> {
        let group = RouteCollection(context: OrchestratorRequestContext.self)
        group.post("/modules", use: uploadJSON)
        group.put("/modules/:name/versions/:version", use: uploadRaw)
        group.get("/modules", use: listModules)
        group.get("/modules/:name", use: getModule)
        group.get("/modules/:name/versions", use: listVersions)
        group.get("/modules/:name/versions/:version", use: getVersion)
        group.get("/modules/:name/versions/:version/content", use: download)
        group.delete("/modules/:name/versions/:version", use: deleteVersion)
        for change in VersionStatusPolicy.Change.allCases {
            group.post("/modules/:name/versions/:version/\(change.rawValue)") { request, context in
                try await changeStatus(change, request: request, context: context)
            }
        }
        return group
    }

    // MARK: Upload

    /// `PUT …/versions/{version}` with `Content-Type: application/wasm`, streamed.
    @Sendable func uploadRaw(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let name = try context.pathParameter("name")
        let version = try context.pathParameter("version")
        return try await audited("module.version.upload", target: Self.auditTarget(name, version), context: context) {
            let principal = try context.authorize(.deploy)
            let mediaType = request.mediaType
            guard mediaType == "application/wasm" || mediaType == "application/octet-stream" else {
                throw APIError.unsupportedMediaType(detail: "send the module as application/wasm (or use POST /api/v1/wasm/modules with JSON)")
            }
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > registry.settings.maxModuleBytes {
                throw APIError.payloadTooLarge(limit: registry.settings.maxModuleBytes)
            }
            let metadata = try UploadMetadata(request)
            return try await idempotency.respond(
                to: request, context: context, scope: .principal(principal), bodyLimit: registry.settings.maxModuleBytes
            ) { request in
                let upload = UploadRequest(
                    moduleName: name, version: version, description: metadata.description, owner: metadata.owner,
                    requiredExports: metadata.requiredExports, actor: principal.subject, requestID: context.requestID)
                let result = try await registry.upload(upload, body: request.body)
                return try Self.uploaded(result, request: request, context: context)
            }
        }
    }

    struct JSONUpload: Decodable {
        let name: String
        let version: String
        let description: String?
        let owner: String?
        /// Standard base64 (RFC 4648 §4) of the binary.
        let wasmBinary: String
        let requiredExports: [String]?
    }

    /// Seed 004's `POST /api/v1/wasm/modules` with the binary as base64 in JSON.
    /// The body is buffered (bounded by the module limit plus base64 overhead);
    /// the raw `PUT` is the streaming path.
    @Sendable func uploadJSON(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try await audited("module.version.upload", target: "module", context: context) {
            let principal = try context.authorize(.deploy)
            let maxBytes = registry.settings.maxModuleBytes
            let envelopeLimit = (maxBytes / 3 + 1) * 4 + 64 * 1024
            return try await idempotency.respond(to: request, context: context, scope: .principal(principal), bodyLimit: envelopeLimit) {
                request in
                try await uploadJSON(request, context: context, by: principal, envelopeLimit: envelopeLimit)
            }
        }
    }

    private func uploadJSON(
        _ request: Request, context: OrchestratorRequestContext, by principal: Principal, envelopeLimit: Int
    ) async throws -> Response {
        let maxBytes = registry.settings.maxModuleBytes
        let body: JSONUpload
        do {
            body = try await request.decodeJSON(JSONUpload.self, limit: envelopeLimit)
        } catch let error as APIError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: maxBytes)  // name the module limit, not the base64 envelope's
        }
        guard body.wasmBinary.utf8.count <= (maxBytes / 3 + 1) * 4 else { throw APIError.payloadTooLarge(limit: maxBytes) }
        guard let binary = Data(base64Encoded: body.wasmBinary) else {
            throw APIError(
                status: .badRequest, slug: "invalid-base64",
                detail: "'wasmBinary' is not valid standard base64 (RFC 4648 §4: A–Z a–z 0–9 + /, '=' padding, no line breaks)")
        }
        guard binary.count <= maxBytes else { throw APIError.payloadTooLarge(limit: maxBytes) }
        try UploadMetadata.check(description: body.description, owner: body.owner, requiredExports: body.requiredExports ?? [])
        let upload = UploadRequest(
            moduleName: body.name, version: body.version, description: body.description, owner: body.owner,
            requiredExports: body.requiredExports ?? [], actor: principal.subject, requestID: context.requestID)
        let chunks = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(ByteBuffer(bytes: binary))
            continuation.finish()
        }
        let result = try await registry.upload(upload, body: chunks)
        return try Self.uploaded(result, request: request, context: context)
    }

    /// 201 with `Location` for a new version; 200 with the same body for an identical re-upload.
    static func uploaded(_ result: UploadResult, request: Request, context: OrchestratorRequestContext) throws -> Response {
        let body = ModuleVersionBody(result.version)
        var response = try body.response(from: request, context: context)
        response.status = result.created ? .created : .ok
        response.headers[.location] = body.links.`self`
        response.headers[.eTag] = "\"\(result.version.digest)\""
        return response
    }

    // MARK: Read

    @Sendable func listModules(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let listing = try ListingQuery(request)
        let page = try await registry.modules(
            ModuleQuery(
                namePrefix: listing.namePrefix, kind: listing.kind, status: listing.status,
                afterName: try listing.decodeCursor(tag: "m"), limit: listing.limit))
        let next = page.next.map { ListingQuery.encodeCursor(tag: "m", $0) }
        return try ListBody(items: page.items.map(ModuleBody.init), nextCursor: next).response(request: request, context: context)
    }

    @Sendable func getModule(_ request: Request, context: OrchestratorRequestContext) async throws -> ModuleBody {
        try context.authorize(.readFleet)
        let name = try context.pathParameter("name")
        guard let moduleName = ModuleName(name) else { throw RegistryError.invalidModuleName(name) }
        guard let record = try await registry.module(named: moduleName) else {
            throw APIError.notFound(detail: "no module named '\(name)'")
        }
        return ModuleBody(record)
    }

    @Sendable func listVersions(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        try context.authorize(.readFleet)
        let name = try context.pathParameter("name")
        let listing = try ListingQuery(request)
        guard let moduleName = ModuleName(name) else { throw RegistryError.invalidModuleName(name) }
        guard try await registry.module(named: moduleName) != nil else {
            throw APIError.notFound(detail: "no module named '\(name)'")
        }
        let after = try listing.decodeCursor(tag: "v").map { text -> Int64 in
            guard let position = Int64(text) else { throw APIError.badRequest(detail: "'cursor' is not a cursor returned by this listing") }
            return position
        }
        let page = try await registry.versions(
            VersionQuery(
                module: moduleName, kind: listing.kind, status: listing.status, afterPosition: after, limit: listing.limit))
        let next = page.next.map { ListingQuery.encodeCursor(tag: "v", String($0)) }
        return try ListBody(items: page.items.map(ModuleVersionBody.init), nextCursor: next).response(request: request, context: context)
    }

    @Sendable func getVersion(_ request: Request, context: OrchestratorRequestContext) async throws -> ModuleVersionBody {
        try context.authorize(.readFleet)
        let record = try await registry.version(
            module: try context.pathParameter("name"), version: try context.pathParameter("version"))
        return ModuleVersionBody(record)
    }

    /// Streams the bytes (`ETag` = digest, `If-None-Match` → 304), or
    /// redirects to a presigned URL when so configured and the store can.
    @Sendable func download(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        if principal.role != .agent { try context.authorize(.readFleet) }
        let record: ModuleVersionRecord
        if principal.role == .agent {
            let refusal = APIError.forbidden(detail: "this module version is not in node '\(principal.nodeID ?? "?")'s desired state")
            guard let node = principal.nodeID.flatMap(NodeID.init) else { throw refusal }
            // An unknown version is refused like a version not in the desired state: the agent learns nothing else.
            guard
                let found = try? await registry.version(
                    module: try context.pathParameter("name"), version: try context.pathParameter("version")),
                try await nodes.agentMayDownload(found.digest, node: node, admission: context.nodeAdmission)
            else { throw refusal }
            record = found
        } else {
            record = try await registry.version(module: try context.pathParameter("name"), version: try context.pathParameter("version"))
        }
        let etag = "\"\(record.digest)\""
        var headers: HTTPFields = [.eTag: etag, .cacheControl: "private, max-age=31536000, immutable"]
        if request.ifNoneMatch(etag) {
            return Response(status: .notModified, headers: headers)
        }
        switch try await registry.content(of: record, policy: downloads) {
        case .redirect(let url):
            headers[.location] = url
            headers[.cacheControl] = "no-store"
            return Response(status: .temporaryRedirect, headers: headers)
        case .stream(let blob):
            headers[.contentType] = "application/wasm"
            headers[.contentLength] = String(blob.info.sizeBytes)
            headers[.contentDisposition] = "attachment; filename=\"\(record.module)-\(record.identitySafeVersion).wasm\""
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: blob.body))
        case nil:
            throw Self.blobMissing(record)
        }
    }

    // MARK: Lifecycle

    func changeStatus(_ change: VersionStatusPolicy.Change, request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let name = try context.pathParameter("name")
        let version = try context.pathParameter("version")
        return try await audited("module.version.\(change.rawValue)", target: Self.auditTarget(name, version), context: context) {
            let principal = try context.authorize(.deploy)
            return try await idempotency.respond(
                to: request, context: context, scope: .principal(principal), bodyLimit: IdempotentWrites.smallBodyLimit
            ) { request in
                let record = try await registry.change(
                    change, module: name, version: version, actor: principal.subject, requestID: context.requestID,
                    authorize: { action in try context.authorize(action) })
                return try ModuleVersionBody(record).response(from: request, context: context)
            }
        }
    }

    @Sendable func deleteVersion(_ request: Request, context: OrchestratorRequestContext) async throws -> Response {
        let name = try context.pathParameter("name")
        let version = try context.pathParameter("version")
        return try await audited("module.version.delete", target: Self.auditTarget(name, version), context: context) {
            let principal = try context.authorize(.administer)
            return try await idempotency.respond(
                to: request, context: context, scope: .principal(principal), bodyLimit: IdempotentWrites.smallBodyLimit
            ) { _ in
                _ = try await registry.delete(module: name, version: version, actor: principal.subject, requestID: context.requestID)
                return Response(status: .noContent)
            }
        }
    }

    // MARK: Helpers

    /// Runs a write through the registry, which records a refusal in the audit log (`denied` or `failure`).
    func audited(
        _ action: String, target: String, context: OrchestratorRequestContext, _ body: () async throws -> Response
    ) async throws -> Response {
        try await registry.recordingRefusals(
            action, target: target, actor: context.principal?.subject ?? "anonymous", requestID: context.requestID, body)
    }

    /// The audit target for a module version named in a path: only validated names
    /// reach the audit log; anything else is recorded as `module:invalid`.
    static func auditTarget(_ name: String, _ version: String) -> String {
        guard ModuleName(name) != nil, SemanticVersion(version) != nil else { return "module:invalid" }
        return "module:\(name)@\(version)"
    }

    /// A version row whose blob is gone: an operator problem (restore from backup), not the client's.
    static func blobMissing(_ record: ModuleVersionRecord) -> APIError {
        APIError(
            status: .serviceUnavailable, slug: "blob-missing",
            detail: "the content of \(record.module)@\(record.version) is missing from blob storage; an operator must restore it",
            headers: [.retryAfter: "60"])
    }
}

extension ModuleVersionRecord {
    /// The version with characters unsafe in a file name replaced.
    var identitySafeVersion: String {
        String(version.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
    }
}
