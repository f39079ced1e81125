import Foundation
import Logging

/// swift-log for systemd. Under the journal (`$JOURNAL_STREAM` set by systemd) each entry goes over the
/// journal's native protocol: `MESSAGE=`, `PRIORITY=`, `SYSLOG_IDENTIFIER=` and one field per metadata key
/// (`MAILBOX=`, `ACTIVITY=`, `PASS=`, `MESSAGE_ID=`…), so `journalctl MAILBOX=alice@contoso.com` finds a
/// mailbox's entries. When the journal's socket cannot take an entry (absent, full, too large), the entry goes to
/// stdout as `<6>info message key=value…` — the priority prefix journald reads from a stream — so nothing is lost.
/// On a terminal the line starts with a UTC time instead. Each line is one write(2), unbuffered, so a kill loses
/// nothing that was logged.
public struct JournalLogHandler: LogHandler {
    /// The level every logger of the process shares: a reload (SIGHUP) that changes `log.level` sets it here, and
    /// each logger reads it on each call.
    public let level: Protected<Logger.Level>
    public var metadata: Logger.Metadata = [:]
    let journal: Bool
    let socket: JournalSocket?

    public var logLevel: Logger.Level {
        get { level.value }
        set { level.value = newValue }
    }

    /// Where the journal listens for native entries (`ACTIVITY_SYNC_JOURNAL_SOCKET` points a test at its own).
    public static func socketPath(_ environment: [String: String]) -> String {
        environment["ACTIVITY_SYNC_JOURNAL_SOCKET"] ?? "/run/systemd/journal/socket"
    }

    public init(level: Protected<Logger.Level>, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.level = level
        journal = environment["JOURNAL_STREAM"] != nil
        socket = journal ? JournalSocket.shared(path: Self.socketPath(environment)) : nil
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let sorted = merged.sorted { $0.key < $1.key }
        let fields = sorted.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
        let text = (["\(event.message)"] + fields).joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
        if let socket {
            var entry = [
                ("MESSAGE", text), ("PRIORITY", "\(Self.priority(event.level))"),
                ("SYSLOG_IDENTIFIER", "activity-sync"),
            ]
            entry += sorted.compactMap { key, value in Self.fieldName(key).map { ($0, "\(value)") } }
            if socket.send(Self.datagram(entry)) { return }
        }
        let head = journal ? "<\(Self.priority(event.level))>" : ISO8601DateFormatter().string(from: Date()) + " "
        FileHandle.standardOutput.write(Data((head + "\(event.level) " + text + "\n").utf8))
    }

    /// A metadata key as a journal field name: upper case letters, digits and `_`, not starting with `_` (those
    /// are the journal's own) or a digit; nil when nothing is left.
    static func fieldName(_ key: String) -> String? {
        let name = String(key.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
            .drop { $0 == "_" || $0.isNumber }
        guard !name.isEmpty, ![Substring("MESSAGE"), "PRIORITY", "SYSLOG_IDENTIFIER"].contains(name) else {
            return nil
        }
        return String(name.prefix(64))
    }

    /// The native protocol's datagram: `NAME=value\n` per field (values kept to one line).
    static func datagram(_ fields: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in fields {
            bytes += Array(name.utf8) + [UInt8(ascii: "=")]
            bytes += Array(value.replacingOccurrences(of: "\n", with: " ").utf8) + [UInt8(ascii: "\n")]
        }
        return bytes
    }

    /// syslog priorities as sd-daemon(3) defines the prefixes.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Values with spaces or quotes are quoted, so lines stay machine-readable.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || value.isEmpty else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// The journal's native socket: one datagram per entry, never waiting (a full socket means stdout instead).
final class JournalSocket: Sendable {
    let fd: Int32
    let address: sockaddr_un

    private static let sockets = Protected<[String: JournalSocket]>([:])

    /// One socket per path for the whole process (every logger shares it).
    static func shared(path: String) -> JournalSocket? {
        sockets.withLock { sockets in
            if let socket = sockets[path] { return socket }
            guard let socket = JournalSocket(path: path) else { return nil }
            sockets[path] = socket
            return socket
        }
    }

    private init?(path: String) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard FileManager.default.fileExists(atPath: path), bytes.count < MemoryLayout.size(ofValue: address.sun_path)
        else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.address = address
    }

    deinit { close(fd) }

    func send(_ datagram: [UInt8]) -> Bool {
        var address = self.address
        let sent = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(
                        fd,
                        bytes.baseAddress,
                        bytes.count,
                        Int32(MSG_NOSIGNAL | MSG_DONTWAIT),
                        $0,
                        socklen_t(MemoryLayout<sockaddr_un>.size)
                    )
                }
            }
        }
        return sent == datagram.count
    }
}
