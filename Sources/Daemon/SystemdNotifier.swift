import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// sd_notify without libsystemd: one datagram to `$NOTIFY_SOCKET` (a path, or `@name` for the abstract
/// namespace). Does nothing when systemd did not ask for notifications.
public struct SystemdNotifier: Sendable {
    let path: String?
    /// The watchdog interval systemd expects pings at (half of `$WATCHDOG_USEC`), if it set one.
    public let watchdogInterval: Double?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = environment["NOTIFY_SOCKET"]
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        // (Half the interval systemd set; a value that is no interval — NaN, ±inf, 0 — is none.)
        watchdogInterval = environment["WATCHDOG_USEC"].flatMap(Double.init).flatMap {
            pidMatches && $0.isFinite && $0 > 0 ? $0 / 2_000_000 : nil
        }
    }

    /// Sends `READY=1`, `STATUS=…`, `WATCHDOG=1`, `STOPPING=1` (newline-separated assignments). Never waits: when
    /// the manager's socket is full the message is dropped (false) — a blocked send would hold one of the few
    /// threads every pass runs on, and with them the whole daemon, SIGTERM included (found by a test that stopped
    /// reading its notify socket while a one-second interval kept sending STATUS=).
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path else { return false }
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return state.withCString { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL | MSG_DONTWAIT), $0, length)
                }
            }
        } >= 0
    }
}
