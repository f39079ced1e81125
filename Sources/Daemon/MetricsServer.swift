import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The Prometheus text endpoint (`metrics.listen: HOST:PORT`, IPv4 or `[IPv6]`): `GET /metrics`, one request per
/// connection, answered on one thread. A client gets two seconds for its whole request and answer (not per
/// read: one dribbling a byte a second would otherwise hold the endpoint for hours), and running out of file
/// descriptors for a moment never ends the endpoint.
public final class MetricsServer: @unchecked Sendable {
    private let listener: Int32
    /// The port bound (useful with port 0).
    public let port: Int
    private let registry: MetricsRegistry

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds `listen` (`127.0.0.1:9464`, `[::1]:9464`) and starts answering.
    public init(listen address: String, registry: MetricsRegistry) throws {
        guard let parsed = ListenAddress(address) else {
            throw Failure(description: "metrics.listen must be IPV4:PORT or [IPV6]:PORT, got \(address)")
        }
        let (fd, port): (Int32, Int)
        do { (fd, port) = try parsed.bindListening() } catch {
            throw Failure(description: "metrics.listen \(address): \(error.description)")
        }
        self.listener = fd
        self.port = port
        self.registry = registry
        let thread = Thread { [self] in serve() }
        thread.name = "metrics"
        thread.start()
    }

    /// The time one client gets for its request and the answer, in milliseconds.
    public static let requestMilliseconds = 2000

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                let error = errno
                guard Self.keepsServing(afterAcceptError: error) else { return }
                // (Out of descriptors or memory: wait a little rather than spin; the scraper retries.)
                if error != EINTR { usleep(100_000) }
                continue
            }
            answer(client)
            close(client)
        }
    }

    /// Whether an `accept()` error is passing (out of descriptors, memory or buffers; a client gone before it
    /// was accepted) rather than the listener itself being gone.
    public static func keepsServing(afterAcceptError error: Int32) -> Bool {
        ![EBADF, EINVAL, ENOTSOCK, EOPNOTSUPP].contains(error)
    }

    /// Waits until the client may be read (`POLLIN`) or written (`POLLOUT`) before the deadline.
    private static func ready(_ client: Int32, _ events: Int16, before deadline: DispatchTime) -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard deadline.uptimeNanoseconds > now else { return false }
        var descriptor = pollfd(fd: client, events: events, revents: 0)
        let milliseconds = Int32(min((deadline.uptimeNanoseconds - now) / 1_000_000 + 1, 60_000))
        return poll(&descriptor, 1, milliseconds) == 1
    }

    private func answer(_ client: Int32) {
        let deadline = DispatchTime.now() + .milliseconds(Self.requestMilliseconds)
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while request.count < 8192, !request.containsHeaderEnd {
            guard Self.ready(client, Int16(POLLIN), before: deadline) else { return }
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
            request += buffer[..<count]
        }
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let (status, body): (String, String)
        let path = parts.count >= 2 && parts[0] == "GET" ? String(parts[1].prefix { $0 != "?" }) : nil
        switch path {
        case "/metrics": (status, body) = ("200 OK", registry.render())
        // A liveness probe: this thread answers while the process lives (the loop's progress is systemd's watchdog).
        case "/healthz": (status, body) = ("200 OK", "ok\n")
        case "/":
            (status, body) = ("200 OK", "activity-sync: GET /metrics (Prometheus text), GET /healthz (liveness)\n")
        default: (status, body) = ("404 Not Found", "served here: GET /metrics, GET /healthz, GET /\n")
        }
        let bytes = Array(body.utf8)
        let head =
            "HTTP/1.1 \(status)\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "Content-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
        let reply = Array(head.utf8) + bytes
        var sent = 0
        while sent < reply.count {
            guard Self.ready(client, Int16(POLLOUT), before: deadline) else { return }
            let count = reply[sent...].withUnsafeBytes {
                send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if count <= 0 { return }
            sent += count
        }
    }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        let end: [UInt8] = [13, 10, 13, 10]
        guard count >= 4 else { return false }
        return (0...(count - 4)).contains { self[$0..<$0 + 4].elementsEqual(end) }
    }
}
