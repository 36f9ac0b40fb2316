/// The lifecycle of a module version. Content never changes; only this does.
public enum VersionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Usable by new deployments.
    case active
    /// Still usable, but new deployments are warned away from it.
    case deprecated
    /// Refused by new deployments; existing deployments keep running it.
    case yanked

    /// Whether a new deployment may pick this version.
    public var acceptsNewDeployments: Bool { self != .yanked }
}

/// Which status changes are allowed, and by whom.
///
/// `deprecate` and `yank` move a version towards retirement; `restore`
/// brings it back to `active` (undoing a mistaken yank is an admin act).
public enum VersionStatusPolicy {
    public enum Change: String, Sendable, Hashable, CaseIterable {
        case deprecate, yank, restore

        public var target: VersionStatus {
            switch self {
            case .deprecate: .deprecated
            case .yank: .yanked
            case .restore: .active
            }
        }

        /// The action this change needs: `restore` of a yanked version is admin-only.
        public func requiredAction(from current: VersionStatus) -> Action {
            self == .restore && current == .yanked ? .administer : .deploy
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Apply the change.
        case apply(VersionStatus)
        /// Already in the target status: answer with the version unchanged (idempotent).
        case unchanged
        /// Not allowed from the current status.
        case illegal(from: VersionStatus)
    }

    public static func decide(_ change: Change, current: VersionStatus) -> Decision {
        if current == change.target { return .unchanged }
        switch (change, current) {
        case (.deprecate, .active), (.yank, .active), (.yank, .deprecated), (.restore, .deprecated), (.restore, .yanked):
            return .apply(change.target)
        default:
            // Only `deprecate` of a yanked version: yanked is stronger; restore first.
            return .illegal(from: current)
        }
    }
}
