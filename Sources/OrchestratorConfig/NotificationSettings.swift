import Foundation
import OrchestratorDomain

/// The event stream's limits and the outgoing webhooks (`docs/notifications.md`).
public struct NotificationSettings: Sendable {
    /// Per environment `E` (one of `deployments.environments`): `webhooks.E.url` (https; http only to a loopback host unless
    /// `webhooks.allowInsecureHTTP`), `webhooks.E.secret` (required with a url, at least 16 characters), `webhooks.E.types`
    /// (comma-separated short types such as `deployment.completed,node.offline`; default ``WebhookEndpoint/defaultTypes``).
    public var webhooks: [String: WebhookEndpoint]
    /// `webhooks.allowInsecureHTTP` — allow plain http to any host (tests only). Default false.
    public var allowInsecureHTTP: Bool
    /// `webhooks.maxAttempts` — attempts per delivery before it is given up. Default 6.
    public var maxAttempts: Int
    /// `webhooks.initialBackoffMilliseconds` — the delay before the first retry; it doubles per attempt (with jitter). Default 1000.
    public var initialBackoffMilliseconds: Int
    /// `webhooks.maxBackoffMilliseconds` — the longest delay between attempts. Default 60000.
    public var maxBackoffMilliseconds: Int
    /// `webhooks.timeoutMilliseconds` — one attempt's deadline (connect, send, answer). Default 10000.
    public var timeoutMilliseconds: Int
    /// `webhooks.queueCapacity` — deliveries waiting to be sent, per endpoint; past it new ones are dropped and counted. Default 1000.
    public var queueCapacity: Int
    /// `webhooks.concurrency` — deliveries in flight at once, per endpoint. Default 8.
    public var concurrency: Int
    /// `events.keepAliveMilliseconds` — how often an idle event stream gets a `: keep-alive` comment. Default 15000.
    public var keepAliveMilliseconds: Int
    /// `events.maxStreamsPerPrincipal` — open event streams per token subject; past it 429. Default 5.
    public var maxStreamsPerPrincipal: Int
    /// `events.maxStreams` — open event streams on this replica; past it 503. Default 500.
    public var maxStreams: Int

    init(_ values: ConfigValues, environments: [String]) throws {
        allowInsecureHTTP = try values.bool("webhooks.allowInsecureHTTP", default: false)
        maxAttempts = try values.int("webhooks.maxAttempts", default: 6, range: 1...20)
        initialBackoffMilliseconds = try values.int("webhooks.initialBackoffMilliseconds", default: 1000, range: 10...600_000)
        maxBackoffMilliseconds = try values.int("webhooks.maxBackoffMilliseconds", default: 60_000, range: 10...3_600_000)
        timeoutMilliseconds = try values.int("webhooks.timeoutMilliseconds", default: 10_000, range: 100...120_000)
        queueCapacity = try values.int("webhooks.queueCapacity", default: 1000, range: 1...100_000)
        concurrency = try values.int("webhooks.concurrency", default: 8, range: 1...64)
        keepAliveMilliseconds = try values.int("events.keepAliveMilliseconds", default: 15_000, range: 100...300_000)
        maxStreamsPerPrincipal = try values.int("events.maxStreamsPerPrincipal", default: 5, range: 1...1000)
        maxStreams = try values.int("events.maxStreams", default: 500, range: 1...100_000)
        var webhooks: [String: WebhookEndpoint] = [:]
        for environment in environments {
            let prefix = "webhooks.\(environment)."
            guard let url = values.string(prefix + "url") else { continue }
            try Self.check(url: url, key: prefix + "url", allowInsecureHTTP: allowInsecureHTTP)
            guard let secret = values.string(prefix + "secret", secret: true), secret.count >= 16 else {
                throw ConfigurationError(key: prefix + "secret", problem: "a webhook needs a signing secret of at least 16 characters")
            }
            let types = try Self.types(values.string(prefix + "types"), prefix + "types")
            webhooks[environment] = WebhookEndpoint(url: url, secret: secret, types: types)
        }
        self.webhooks = webhooks
    }

    static func check(url text: String, key: String, allowInsecureHTTP: Bool) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty, url.user == nil else {
            throw ConfigurationError(key: key, problem: "'\(text)' is not an absolute URL without credentials")
        }
        let loopback = ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
        guard scheme == "https" || (scheme == "http" && (loopback || allowInsecureHTTP)) else {
            throw ConfigurationError(
                key: key, problem: "webhooks go over https (plain http only to a loopback host, or with webhooks.allowInsecureHTTP)")
        }
    }

    static func types(_ text: String?, _ key: String) throws -> Set<EventType> {
        guard let text else { return WebhookEndpoint.defaultTypes }
        var types: Set<EventType> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let type = EventType(name) else {
                throw ConfigurationError(key: key, problem: "'\(name)' is not an event type (see docs/notifications.md)")
            }
            types.insert(type)
        }
        guard !types.isEmpty else { throw ConfigurationError(key: key, problem: "must name at least one event type") }
        return types
    }
}
