import Foundation
import Hummingbird
import OrchestratorDomain
import OrchestratorPorts

/// The JSON shape of a module version. Field names follow seed 004's camelCase.
struct ModuleVersionBody: ResponseEncodable {
    /// `name@version`, a stable handle for scripts.
    let id: String
    let name: String
    let version: String
    let digest: String
    let sizeBytes: Int
    let kind: String
    let status: String
    let exports: [WasmExternal]
    let imports: [WasmExternal]
    let memory: [MemoryLimits]
    let wasi: Wasi
    let createdBy: String
    let createdAt: String
    /// `true` once a deployment used it; such a version can never be deleted.
    let referenced: Bool
    let links: Links

    struct Wasi: Codable {
        let required: Bool
        let imports: [String]
    }

    struct Links: Codable {
        let `self`: String
        let content: String
    }

    init(_ record: ModuleVersionRecord) {
        id = "\(record.module)@\(record.version)"
        name = record.module.value
        version = record.version
        digest = record.digest.description
        sizeBytes = record.sizeBytes
        kind = record.interface.kind.rawValue
        status = record.status.rawValue
        exports = record.interface.exports
        imports = record.interface.imports
        memory = record.interface.memories
        wasi = Wasi(required: record.interface.requiresWasi, imports: record.interface.wasiImports)
        createdBy = record.createdBy
        createdAt = RFC3339.format(record.createdAt)
        referenced = record.firstReferencedAt != nil
        let path = ModulePaths.version(record.module.value, record.version)
        links = Links(self: path, content: path + "/content")
    }
}

struct ModuleBody: ResponseEncodable {
    let name: String
    let description: String
    let owner: String?
    let createdBy: String
    let createdAt: String
    let updatedAt: String
    let versionCount: Int
    let links: Links

    struct Links: Codable {
        let `self`: String
        let versions: String
    }

    init(_ record: ModuleRecord) {
        name = record.name.value
        description = record.description
        owner = record.owner
        createdBy = record.createdBy
        createdAt = RFC3339.format(record.createdAt)
        updatedAt = RFC3339.format(record.updatedAt)
        versionCount = record.versionCount
        links = Links(self: ModulePaths.module(record.name.value), versions: ModulePaths.module(record.name.value) + "/versions")
    }
}

enum ModulePaths {
    static let base = "/api/v1/wasm/modules"

    static func module(_ name: String) -> String {
        base + "/" + name
    }

    static func version(_ name: String, _ version: String) -> String {
        module(name) + "/versions/" + (version.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["+"])) ?? version)
    }
}
