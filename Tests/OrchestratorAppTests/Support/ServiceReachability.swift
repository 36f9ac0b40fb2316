import ServiceLifecycle

/// Finds every `Service` reachable from a value through stored properties: of this package's
/// types, and of the standard containers (optionals, arrays, dictionaries, sets, tuples) between them.
/// Other libraries' types are not entered (a `PostgresClient` is found, its internals are not).
enum ServiceReachability {
    static let packageModules: Set<String> = [
        "BlobSpooling", "Deployments", "EdgeFleet", "FileBlobStore", "InProcessCache", "ModuleRegistry", "OrchestratorAPI", "OrchestratorApp",
        "OrchestratorAuth", "OrchestratorPorts", "PostgresMetadataStore", "RedisCache", "S3BlobStore", "SQLiteMetadataStore",
    ]
    private static let containers: Set<Mirror.DisplayStyle> = [.optional, .collection, .dictionary, .set, .tuple]

    /// A service's identity: the object for a class, else its type.
    static func key(_ service: any Service) -> String {
        if type(of: service) is AnyClass { return "\(ObjectIdentifier(service as AnyObject))" }
        return String(reflecting: type(of: service))
    }

    /// Type names of the services reachable from `root` (children labelled in `skipping` are not entered)
    /// that are not in `listed`.
    static func unlisted(from root: Any, skipping: Set<String> = [], listed: [any Service]) -> [String] {
        let known = Set(listed.map(key))
        return services(reachableFrom: root, skipping: skipping).filter { !known.contains(key($0)) }.map { String(reflecting: type(of: $0)) }
    }

    static func services(reachableFrom root: Any, skipping: Set<String> = []) -> [any Service] {
        var found: [any Service] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ value: Any, depth: Int) {
            guard depth < 16 else { return }
            let mirror = Mirror(reflecting: value)
            if type(of: value) is AnyClass {
                guard seen.insert(ObjectIdentifier(value as AnyObject)).inserted else { return }
            }
            if let service = value as? any Service { found.append(service) }
            let module = String(reflecting: type(of: value)).split(separator: ".").first.map(String.init) ?? ""
            guard packageModules.contains(module) || mirror.displayStyle.map({ containers.contains($0) }) == true else { return }
            var level: Mirror? = mirror
            while let current = level {
                for child in current.children where depth > 0 || !skipping.contains(child.label ?? "") {
                    visit(child.value, depth: depth + 1)
                }
                level = current.superclassMirror
            }
        }
        visit(root, depth: 0)
        return found
    }
}
