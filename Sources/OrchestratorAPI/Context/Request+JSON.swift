import Foundation
import Hummingbird
import NIOFoundationCompat

extension Request {
    /// Decodes a JSON body with the checks every write endpoint needs:
    /// `Content-Type` must be JSON (415), the body at most `limit` bytes (413),
    /// and well-formed (400 naming the field, never echoing the input).
    public func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw APIError.unsupportedMediaType(detail: "send the body as application/json")
        }
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest(detail: "the request body is empty") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.badRequest(detail: ErrorTranslation.describe(error))
        }
    }
}
