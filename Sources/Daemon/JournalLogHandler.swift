import Foundation
import Logging

/// swift-log lines on stdout for journald: `<6>info message key=value…`. The `<N>` syslog priority
/// prefix (which journald turns into the entry's priority) is written only when stdout is the journal
/// (`$JOURNAL_STREAM` set by systemd); on a terminal the line starts with a UTC time instead. Each
/// line is one write(2), unbuffered, so a kill loses nothing that was logged.
public struct JournalLogHandler: LogHandler {
    /// The level every logger of the process shares: a reload (SIGHUP) that changes `log.level` sets it here, and
    /// each logger reads it on each call.
    public let level: Protected<Logger.Level>
    public var metadata: Logger.Metadata = [:]
    let journal: Bool

    public var logLevel: Logger.Level {
        get { level.value }
        set { level.value = newValue }
    }

    public init(level: Protected<Logger.Level>, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.level = level
        journal = environment["JOURNAL_STREAM"] != nil
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
        let head = journal ? "<\(Self.priority(event.level))>" : ISO8601DateFormatter().string(from: Date()) + " "
        let line = ([head + "\(event.level)", "\(event.message)"] + fields).joined(separator: " ")
        FileHandle.standardOutput.write(Data((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
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
