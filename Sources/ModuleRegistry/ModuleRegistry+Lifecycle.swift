import Logging
import OrchestratorDomain
import OrchestratorPorts

extension ModuleRegistry {
    /// The version, or ``RegistryError/notFound(_:)``.
    public func version(module: String, version: String) async throws -> ModuleVersionRecord {
        let (name, semver) = try Self.parse(name: module, version: version)
        guard let record = try await catalog.version(of: name, key: semver.identityKey) else {
            throw RegistryError.notFound("module '\(module)' has no version \(version)")
        }
        return record
    }

    /// Applies `deprecate`, `yank` or `restore`. Already in the target status
    /// is an idempotent success. `authorize` is asked for the action the
    /// change needs given the current status (restoring a yanked version is
    /// admin-only) and throws to refuse.
    public func change(
        _ change: VersionStatusPolicy.Change, module: String, version: String, actor: String, requestID: String?,
        authorize: (Action) throws -> Void
    ) async throws -> ModuleVersionRecord {
        let (name, semver) = try Self.parse(name: module, version: version)
        for _ in 0..<3 {  // compare-and-set; retried only if the status changed under us
            guard let current = try await catalog.version(of: name, key: semver.identityKey) else {
                throw RegistryError.notFound("module '\(module)' has no version \(version)")
            }
            try authorize(change.requiredAction(from: current.status))
            switch VersionStatusPolicy.decide(change, current: current.status) {
            case .unchanged:
                return current
            case .illegal(let from):
                throw RegistryError.illegalStatusChange(version: current.version, from: from, change: change.rawValue)
            case .apply(let status):
                let audit = AuditEvent(
                    actor: actor, action: "module.version.\(change.rawValue)", target: current.auditTarget,
                    outcome: .success, requestID: requestID, occurredAt: now())
                if let updated = try await catalog.setStatus(
                    module: name, key: semver.identityKey, expected: current.status, to: status, audit: audit)
                {
                    return updated
                }
            }
        }
        // Three concurrent changes in a row won the race against this one: report where it stands now.
        let current = try await catalog.version(of: name, key: semver.identityKey)
        guard let current else { throw RegistryError.notFound("module '\(module)' has no version \(version)") }
        throw RegistryError.illegalStatusChange(version: current.version, from: current.status, change: change.rawValue)
    }

    /// Deletes a version nothing ever referenced. The blob stays until `gc`
    /// finds no version naming it.
    public func delete(module: String, version: String, actor: String, requestID: String?) async throws -> ModuleVersionRecord {
        let (name, semver) = try Self.parse(name: module, version: version)
        let audit = AuditEvent(
            actor: actor, action: "module.version.delete", target: "module:\(name)@\(version)",
            outcome: .success, requestID: requestID, occurredAt: now())
        switch try await catalog.deleteVersion(module: name, key: semver.identityKey, audit: audit) {
        case .deleted(let record):
            return record
        case .notFound:
            throw RegistryError.notFound("module '\(module)' has no version \(version)")
        case .referenced(let record):
            throw RegistryError.versionReferenced(record.version)
        }
    }

    /// Records a refused write (validation, conflict, permission) in the audit
    /// log. Best effort: a failing audit store must not hide the original error.
    public func auditRefusal(actor: String, action: String, target: String, denied: Bool, requestID: String?) async {
        let event = AuditEvent(
            actor: actor, action: action, target: target, outcome: denied ? .denied : .failure, requestID: requestID, occurredAt: now())
        do {
            try await catalog.appendAudit(event)
        } catch {
            logger.warning("could not record audit event", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }
}
