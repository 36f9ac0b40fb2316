import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately naive HTTP/1.1 client over a blocking socket, for tests of how
/// the server treats clients that do not read while they write (Python `urllib`,
/// `requests`): it sends the head, then the whole body, and only then reads.
/// Every socket call has a timeout, so a server that stops reading fails the test
/// instead of hanging it.
struct BlockingHTTPClient {
    let port: Int
    var timeoutSeconds = 15

    struct Answer {
        /// Every status line received, in order (interim `100 Continue` included).
        var statusLines: [String]
        var headers: [String: String]
        var body: String
        /// The body was written completely before the answer was read.
        var wroteWholeBody: Bool
        var finalStatus: Int? { statusLines.last.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } }
    }

    /// Sends `head` (without the terminating blank line) and `body`; with `awaitInterim`,
    /// reads an answer before the body is sent and sends it only after a `100 Continue`.
    func send(head: String, body: [UInt8], awaitInterim: Bool = false) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try sendBlocking(head: head, body: body, awaitInterim: awaitInterim) })
            }
        }
    }

    private func sendBlocking(head: String, body: [UInt8], awaitInterim: Bool) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        guard writeAll(fd, Array((head + "\r\n\r\n").utf8)) else { throw POSIXError(.EPIPE) }
        var received: [UInt8] = []
        if awaitInterim {
            received = readUntilHead(fd)
            let text = String(decoding: received, as: UTF8.self)
            guard text.hasPrefix("HTTP/1.1 100") else { return parse(readToEnd(fd, after: received), wroteWholeBody: false) }
        }
        let wrote = writeAll(fd, body)
        return parse(readToEnd(fd, after: received), wroteWholeBody: wrote)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private func readUntilHead(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual([13, 10, 13, 10]), recv(fd, &byte, 1, 0) == 1 { data.append(byte) }
        return data
    }

    private func readToEnd(_ fd: Int32, after received: [UInt8]) -> [UInt8] {
        var data = received
        if let answer = complete(data) { return answer }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            data += chunk[..<count]
            // A complete answer with Content-Length is enough; keep-alive connections stay open.
            if let answer = complete(data) { return answer }
        }
        return data
    }

    private func complete(_ data: [UInt8]) -> [UInt8]? {
        let text = String(decoding: data, as: UTF8.self)
        guard let final = text.range(of: "\r\n\r\n", options: .backwards), !text[..<final.lowerBound].hasSuffix("100 Continue") else { return nil }
        let head = text[..<final.lowerBound].lowercased()
        let finalStatusLine = head.components(separatedBy: "\r\n\r\n").last?.prefix(12) ?? ""
        if finalStatusLine.hasSuffix(" 304") || finalStatusLine.hasSuffix(" 204") { return data }  // no body by definition
        guard let lengthLine = head.split(separator: "\r\n").last(where: { $0.hasPrefix("content-length:") }),
            let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return text[final.upperBound...].utf8.count >= length ? data : nil
    }

    private func parse(_ data: [UInt8], wroteWholeBody: Bool) -> Answer {
        let text = String(decoding: data, as: UTF8.self)
        var statusLines: [String] = []
        var headers: [String: String] = [:]
        var rest = Substring(text)
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].split(separator: "\r\n")
            statusLines.append(String(lines.first ?? ""))
            rest = rest[end.upperBound...]
            guard !(lines.first ?? "").contains(" 100 ") else { continue }
            for line in lines.dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            break
        }
        return Answer(statusLines: statusLines, headers: headers, body: String(rest), wroteWholeBody: wroteWholeBody)
    }
}
