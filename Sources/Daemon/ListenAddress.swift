import Foundation

/// `metrics.listen`: `IPV4:PORT` (`127.0.0.1:9464`, `0.0.0.0:9464`) or `[IPV6]:PORT` (`[::1]:9464`, `[::]:9464`,
/// which on Linux takes IPv4 too unless `net.ipv6.bindv6only` is set).
public struct ListenAddress: Sendable, Equatable {
    public enum Host: Sendable, Equatable {
        case v4(UInt32)
        case v6([UInt8])
    }

    public let host: Host
    public let port: UInt16

    /// Parses the text; nil when it is neither form.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        let name = text[..<colon]
        if name.hasPrefix("[") && name.hasSuffix("]") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(name.dropFirst().dropLast()), &address) == 1 else { return nil }
            host = .v6(withUnsafeBytes(of: &address) { Array($0) })
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, String(name), &address) == 1 else { return nil }
            host = .v4(address.s_addr)
        }
        self.port = port
    }

    /// Creates, binds and listens on a TCP socket; the descriptor and the port bound (useful with port 0).
    func bindListening(backlog: Int32 = 16) throws(MetricsServer.Failure) -> (fd: Int32, port: Int) {
        let (storage, length, family): (sockaddr_storage, socklen_t, Int32)
        switch host {
        case .v4(let raw):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(port.bigEndian)
            address.sin_addr.s_addr = raw
            (storage, length) = Self.storage(address)
            family = AF_INET
        case .v6(let raw):
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(port.bigEndian)
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: raw) }
            (storage, length) = Self.storage(address)
            family = AF_INET6
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var bindable = storage
        let bound = withUnsafePointer(to: &bindable) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0, listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw MetricsServer.Failure(description: reason)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        // (sin_port and sin6_port sit at the same offset, right after the family.)
        let bytes = withUnsafeBytes(of: &actual) { Array($0[2..<4]) }
        return (fd, Int(UInt16(bytes[0]) << 8 | UInt16(bytes[1])))
    }

    /// A socket address of either family in the storage `bind` takes, with its length.
    private static func storage<Address>(_ address: Address) -> (sockaddr_storage, socklen_t) {
        var storage = sockaddr_storage()
        var copy = address
        withUnsafeBytes(of: &copy) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        return (storage, socklen_t(MemoryLayout<Address>.size))
    }
}
