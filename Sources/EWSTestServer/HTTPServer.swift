import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A request as the fake's HTTP layer received it.
public struct HTTPServerRequest: Sendable {
    /// `POST`, `GET`…
    public var method: String
    /// The request target, e.g. `/EWS/Exchange.asmx`.
    public var path: String
    /// Headers by lower-cased name.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]
}

/// What the fake's HTTP layer sends back.
public enum HTTPServerReply: Sendable {
    /// A complete answer.
    case respond(status: Int, headers: [(String, String)], body: [UInt8])
    /// Close the connection without answering (a lost answer, as far as the client can tell).
    case drop
    /// A chunked answer whose chunks come from `produce`; it returns when the stream is done.
    case stream(headers: [(String, String)], produce: @Sendable (_ write: ([UInt8]) -> Bool) -> Void)
}

/// A small HTTP/1.1 server on 127.0.0.1: a thread accepts, a thread per connection answers (with
/// keep-alive). Enough for a test double, and in full control of what goes on the wire, which fault
/// injection (dropped connections, slow answers) needs.
final class HTTPServer: @unchecked Sendable {
    private let listener: Int32
    /// The port the server listens on.
    let port: Int
    private let handler: @Sendable (HTTPServerRequest) -> HTTPServerReply
    private let lock = NSLock()
    private var connections: Set<Int32> = []
    private var stopped = false
    private var notHTTP = 0

    /// Connections whose first bytes were no HTTP request (answered 400 and closed): TLS to this plain port.
    var notHTTPConnections: Int { lock.withLock { notHTTP } }

    init(port: Int = 0, handler: @escaping @Sendable (HTTPServerRequest) -> HTTPServerReply) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeExchangeError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw FakeExchangeError("bind/listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "fake-exchange-accept"
        thread.start()
    }

    /// Stops accepting and closes every open connection.
    func stop() {
        // Only shut sockets down here: the threads that own them close them. Closing here would let the
        // kernel hand the same descriptor number to another server while a thread still uses it.
        lock.lock()
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let fd = accept(listener, nil, nil)
            lock.lock()
            let done = stopped
            lock.unlock()
            if done {
                if fd >= 0 { close(fd) }
                return
            }
            if fd < 0 {
                if errno != EINTR && errno != ECONNABORTED { return }
                continue
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            lock.lock()
            connections.insert(fd)
            lock.unlock()
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.lock()
            connections.remove(fd)
            close(fd)
            lock.unlock()
        }
        var reader = SocketReader(fd: fd)
        while true {
            let request: HTTPServerRequest
            switch reader.readRequest() {
            case .closed: return
            case .notHTTP:
                lock.withLock { notHTTP += 1 }
                // What IIS (http.sys) does with bytes that are no request — a TLS ClientHello sent to its plain
                // port included: 400 and close, so the client fails at once instead of waiting out its timeout.
                _ = writeAll(
                    fd,
                    Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
                )
                return
            case .request(let read): request = read
            }
            let reply = handler(request)
            switch reply {
            case .drop:
                return
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "\r\n"
                guard writeAll(fd, Array(head.utf8)), writeAll(fd, body) else { return }
            case .stream(let headers, let produce):
                var head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "\r\n"
                guard writeAll(fd, Array(head.utf8)) else { return }
                produce { chunk in
                    chunk.isEmpty
                        || writeAll(fd, Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10])
                }
                guard writeAll(fd, Array("0\r\n\r\n".utf8)) else { return }
            }
            if request.headers["connection"]?.lowercased() == "close" { return }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Reads HTTP/1.1 requests (Content-Length bodies) from a socket.
private struct SocketReader {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    enum Read {
        case request(HTTPServerRequest)
        /// The peer closed (or sent more than a request may hold).
        case closed
        /// The first bytes are no HTTP request line.
        case notHTTP
    }

    mutating func readRequest() -> Read {
        if buffer.isEmpty, !fill() { return .closed }
        // A request line starts with a method token (upper-case letters); a TLS record starts with 0x16.
        guard let first = buffer.first, (65...90).contains(first) else { return .notHTTP }
        guard let request = readHeadAndBody() else { return .closed }
        return .request(request)
    }

    private mutating func readHeadAndBody() -> HTTPServerRequest? {
        guard let headerEnd = readUntilHeaderEnd() else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard length >= 0, length <= 256 << 20 else { return nil }
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return HTTPServerRequest(
            method: String(requestLine[0]),
            path: String(requestLine[1]),
            headers: headers,
            body: body
        )
    }

    private mutating func readUntilHeaderEnd() -> Int? {
        var searchFrom = 0
        while true {
            if buffer.count >= 4 {
                for index in max(0, searchFrom - 3)..<(buffer.count - 3)
                where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13
                    && buffer[index + 3] == 10
                {
                    return index
                }
                searchFrom = buffer.count
            }
            guard buffer.count < 1 << 20, fill() else { return nil }
        }
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }
}

/// A failure of the fake itself (not an EWS answer).
public struct FakeExchangeError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
