import JWTKit

/// The algorithms a key may be pinned to.
public enum TokenAlgorithm: String, Sendable, CaseIterable {
    case hs256 = "HS256"
    case es256 = "ES256"
    case rs256 = "RS256"
}

/// One verification key with the single algorithm it accepts.
struct PinnedKey: Sendable {
    let algorithm: TokenAlgorithm
    let keys: JWTKeyCollection
}

/// Every key this server verifies with, indexed by `kid`.
///
/// A token with a `kid` must name a key here. A token without one is
/// accepted only when a default key is configured (the single local key);
/// there is no fallback from an unknown `kid` to the default.
public actor KeyRing {
    private var keysByID: [String: PinnedKey] = [:]
    private var defaultKey: PinnedKey?
    private var defaultKeyID: String?

    public init() {}

    /// Adds the local key. With a `keyID`, tokens must name it in their `kid`.
    func setLocalKey(_ key: PinnedKey, keyID: String?) {
        defaultKey = key
        defaultKeyID = keyID
        if let keyID { keysByID[keyID] = key }
    }

    /// Replaces all keys that came from a JWKS with `keys`, keeping the local key.
    func replaceRemoteKeys(_ keys: [String: PinnedKey]) {
        keysByID = keys
        if let defaultKeyID, let defaultKey { keysByID[defaultKeyID] = defaultKey }
    }

    /// A token without `kid` gets the local key only when that key has no id;
    /// a configured `auth.jwt.keyId` makes the `kid` mandatory.
    func key(for kid: String?) -> PinnedKey? {
        guard let kid else { return defaultKeyID == nil ? defaultKey : nil }
        return keysByID[kid]
    }

    /// How many keys can verify tokens (for logs and readiness).
    public var count: Int { Set(keysByID.keys).count + (defaultKeyID == nil && defaultKey != nil ? 1 : 0) }
}
