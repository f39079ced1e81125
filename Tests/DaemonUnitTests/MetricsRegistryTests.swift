import Daemon
import Foundation
import Testing

@Suite("MetricsRegistry and MetricsServer: the Prometheus text format over HTTP")
struct MetricsRegistryTests {
    @Test("counters, gauges and histograms render in the exposition format, labels escaped and sorted")
    func render() {
        let registry = MetricsRegistry()
        registry.describe("x_total", .counter, "Things.")
        registry.describe("lag", .gauge, "Lag.")
        registry.describe("d", .histogram, "Durations.", buckets: [1, 0.5])
        registry.increment("x_total", ["outcome": "ok", "operation": "GetItem"])
        registry.increment("x_total", ["operation": "GetItem", "outcome": "ok"], by: 2)
        registry.set("lag", ["mailbox": "a\"b"], to: 1.5)
        registry.observe("d", [:], 0.2)
        registry.observe("d", [:], 0.7)
        registry.observe("d", [:], 3)
        registry.increment("undeclared")
        #expect(
            registry.render() == """
                # HELP d Durations.
                # TYPE d histogram
                d_bucket{le="0.5"} 1
                d_bucket{le="1"} 2
                d_bucket{le="+Inf"} 3
                d_sum 3.9
                d_count 3
                # HELP lag Lag.
                # TYPE lag gauge
                lag{mailbox="a\\"b"} 1.5
                # HELP x_total Things.
                # TYPE x_total counter
                x_total{operation="GetItem",outcome="ok"} 3

                """
        )
    }

    @Test(
        "GET /metrics answers the registry, /healthz and / answer too, other paths 404; a bad listen address is refused"
    )
    func server() throws {
        let registry = MetricsRegistry()
        registry.describe("up", .gauge, "Up.")
        registry.set("up", to: 1)
        let server = try MetricsServer(listen: "127.0.0.1:0", registry: registry)
        let body = try fetch(port: server.port, path: "/metrics")
        #expect(body.hasPrefix("HTTP/1.1 200 OK"))
        #expect(body.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(body.hasSuffix("# HELP up Up.\n# TYPE up gauge\nup 1\n"))
        #expect(try fetch(port: server.port, path: "/healthz").hasSuffix("\r\n\r\nok\n"))
        #expect(try fetch(port: server.port, path: "/").contains("GET /metrics"))
        #expect(try fetch(port: server.port, path: "/nothing").hasPrefix("HTTP/1.1 404"))
        #expect(throws: MetricsServer.Failure.self) { try MetricsServer(listen: "localhost", registry: registry) }
        #expect(throws: MetricsServer.Failure.self) { try MetricsServer(listen: "example:80", registry: registry) }
    }

    @Test("a client dribbling its request is dropped at the whole-request limit; the endpoint answers the next")
    func slowClient() async throws {
        let registry = MetricsRegistry()
        registry.describe("up", .gauge, "Up.")
        registry.set("up", to: 1)
        let server = try MetricsServer(listen: "127.0.0.1:0", registry: registry)
        let fd = try dial(port: server.port)
        defer { close(fd) }
        // One byte each 100 ms: each read is quick, the request never ends (60 bytes would take 6 s).
        let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8)
        var sent = 0
        var dropped = false
        for byte in request {
            if [byte].withUnsafeBytes({ send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }) != 1 {
                dropped = true
                break
            }
            sent += 1
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&probe, 1, 100) == 1 {
                dropped = true  // (Closed by the server: readable, at end of file.)
                break
            }
        }
        #expect(dropped, "the whole request was let through, byte by byte")
        #expect(sent < request.count && sent <= MetricsServer.requestMilliseconds / 100 + 2, "\(sent) bytes")
        #expect(try fetch(port: server.port, path: "/metrics").hasSuffix("up 1\n"))
    }

    @Test("accept() errors that pass (no descriptors, no memory, a client gone) keep the endpoint serving")
    func acceptErrors() {
        for error in [EMFILE, ENFILE, ENOBUFS, ENOMEM, ECONNABORTED, EINTR, EPROTO, EPERM] {
            #expect(MetricsServer.keepsServing(afterAcceptError: error), "errno \(error)")
        }
        for error in [EBADF, EINVAL, ENOTSOCK] {
            #expect(!MetricsServer.keepsServing(afterAcceptError: error), "errno \(error)")
        }
    }

    func dial(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        return fd
    }

    func fetch(port: Int, path: String) throws -> String {
        let fd = try dial(port: port)
        defer { close(fd) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
