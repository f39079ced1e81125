import Foundation

/// A Unix datagram socket the tests listen on, standing in for systemd's: `$NOTIFY_SOCKET` (sd_notify) and the
/// journal's native socket (structured log entries). Like systemd it reads the socket all the time (a thread keeps
/// what arrives): the kernel queues only `net.unix.max_dgram_qlen` (10) datagrams, and the daemon drops what finds
/// the queue full rather than block — a listener that read only when asked lost STOPPING=1 behind stale STATUS=.
public final class DatagramListener: @unchecked Sendable {
    /// The socket's path, for the environment of the process under test.
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var arrived: [[UInt8]] = []

    public init() throws {
        path = NSTemporaryDirectory() + "datagrams-\(UUID().uuidString.prefix(8))"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw FakeExchangeError("bind \(path) failed") }
        let thread = Thread { [weak self] in
            while let listener = self {
                guard listener.drain() else { return }
            }
        }
        thread.start()
    }

    /// Waits up to 100 ms for datagrams and keeps them; false once the socket is gone.
    private func drain() -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 100) >= 0 else { return errno == EINTR }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return count == 0 || errno == EAGAIN || errno == EINTR }
            lock.withLock { arrived.append(Array(buffer[..<count])) }
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram that arrived, without waiting for one.
    public func receive() -> [UInt8]? {
        lock.withLock { arrived.isEmpty ? nil : arrived.removeFirst() }
    }

    /// Waits up to `seconds` for a datagram containing `text`.
    public func wait(for text: String, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let datagram = receive() {
                if String(decoding: datagram, as: UTF8.self).contains(text) { return true }
            } else {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        return false
    }
}
