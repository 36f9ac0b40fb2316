/// The `audit_events.actor_chain` column: the actor chain as a JSON array, `NULL` when empty.
public enum AuditActors {
    public static func encode(_ actors: [String]) -> String? {
        actors.isEmpty ? nil : try? NodeCoding.encode(actors)
    }

    public static func decode(_ text: String?) -> [String] {
        NodeCoding.decode([String].self, text) ?? []
    }
}
