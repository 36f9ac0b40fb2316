/// Why a new event stream was not opened.
public enum EventStreamRefusal: Error, Sendable, Hashable {
    /// The caller already holds ``EventStreamLimits/maxPerPrincipal`` streams (429).
    case tooManyForPrincipal(limit: Int)
    /// This replica already serves ``EventStreamLimits/maxStreams`` streams (503).
    case tooManyStreams(limit: Int)
    /// The server is shutting down (503).
    case shuttingDown
}

/// How many event streams may be open, and how far one may fall behind.
public struct EventStreamLimits: Sendable, Hashable {
    public var maxPerPrincipal: Int
    public var maxStreams: Int
    /// Events buffered per stream for a slow reader; past it the oldest are dropped (and counted).
    public var bufferPerStream: Int
    /// Events waiting to be published to the cache; past it the oldest are dropped (and counted).
    public var publishBuffer: Int

    /// How often an idle stream gets a keep-alive comment (it also notices a client that went away).
    public var keepAlive: Duration

    public init(
        maxPerPrincipal: Int = 5, maxStreams: Int = 500, bufferPerStream: Int = 256, publishBuffer: Int = 4096, keepAlive: Duration = .seconds(15)
    ) {
        self.keepAlive = keepAlive
        self.maxPerPrincipal = maxPerPrincipal
        self.maxStreams = maxStreams
        self.bufferPerStream = bufferPerStream
        self.publishBuffer = publishBuffer
    }
}
