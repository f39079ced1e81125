import EWSTestServer
import Foundation
import Store

/// The soak's world: a temporary folder with the configuration and store, the fake Exchange on loopback with the
/// mailboxes, the CRM's sync users imported, and the activity-sync processes started in it.
final class SoakWork {
    let folder: String
    let binary: String
    let fake: FakeExchange
    let mailboxes: [String]
    private(set) var store: Store!

    init(binary: String, mailboxes count: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw SoakError("no activity-sync binary at \(binary) (build it, or pass --binary)")
        }
        self.binary = binary
        folder = NSTemporaryDirectory() + "activity-sync-soak-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        mailboxes = (1...count).map { "user\($0)@contoso.test" }
        fake = try FakeExchange()
        fake.addAccount(.init(username: "svc", password: "pw"))
        for mailbox in mailboxes { fake.addMailbox(mailbox) }
        try fake.start()
        try "pw\n".write(toFile: folder + "/exchange-password", atomically: true, encoding: .utf8)
        chmod(folder + "/exchange-password", 0o600)
        // The breaker is opened wide: the soak's users delete a fifth of a small mailbox now and then, which would
        // pause it for ops (the breaker has its own tests).
        try """
        store:
          path: soak.sqlite
        exchange:
          url: \(fake.url)
          auth: { method: basic, username: svc, password_file: exchange-password }
          timeout_seconds: 5
        sync:
          interval_seconds: 10
          concurrency: 4
          max_deletes: 1000000
          max_delete_ratio: 1
        log:
          level: info
        """.write(toFile: folder + "/activity-sync.yaml", atomically: true, encoding: .utf8)
        let employees = mailboxes.enumerated().map { index, mailbox in
            ["id": "E\(index + 1)", "name": "User \(index + 1)", "mailbox": mailbox, "sync": true] as [String: Any]
        }
        let document = try JSONSerialization.data(withJSONObject: ["employees": employees])
        try document.write(to: URL(fileURLWithPath: folder + "/crm.json"))
        let imported = try cli(["import", "crm.json"])
        guard imported.status == 0 else { throw SoakError("import failed: \(imported.output)") }
        store = try Store(path: folder + "/soak.sqlite")
    }

    func remove() {
        fake.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ACTIVITY_SYNC_") }
    }

    /// `activity-sync run`, its journal appended to `daemon.log`. (Spawned with `ChildProcess`: Foundation's
    /// `Process.run()` crashes now and then on Linux.)
    func startDaemon() throws -> ChildProcess {
        let log = folder + "/daemon.log"
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        return try ChildProcess(
            executable: binary,
            arguments: ["run"],
            environment: environment,
            directory: folder,
            output: handle.fileDescriptor,
            error: handle.fileDescriptor
        )
    }

    /// Runs a command to its end: its exit status and output (stdout and stderr together).
    func cli(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let pipe = Pipe()
        let command = try ChildProcess(
            executable: binary,
            arguments: arguments,
            environment: environment,
            directory: folder,
            output: pipe.fileHandleForWriting.fileDescriptor,
            error: pipe.fileHandleForWriting.fileDescriptor
        )
        try pipe.fileHandleForWriting.close()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        command.waitUntilExit()
        return (command.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Mailboxes `status --json` shows in any state but enabled, or with an error left.
    func failingMailboxes() throws -> [String] {
        let status = try cli(["status", "--json"])
        let rows = (try? JSONSerialization.jsonObject(with: Data(status.output.utf8))) as? [[String: Any]] ?? []
        if rows.count != mailboxes.count { return ["status --json listed \(rows.count) mailboxes:\n\(status.output)"] }
        return rows.compactMap { row in
            let state = row["state"] as? String ?? "?"
            let error = row["last_error"] as? String
            return state == "enabled" && error == nil
                ? nil : "\(row["mailbox"] ?? "?") left \(state): \(error ?? row["reason"] as? String ?? "")"
        }
    }

    /// What happened, for reading a failure: the users' edits (`edits.tsv`), the server's misbehaviour and the
    /// users' creates (`events.tsv`) and the requests the fake served (`requests.tsv`), each with its time.
    func writeTrail(_ driver: SoakDriver) {
        let time = ISO8601DateFormatter()
        time.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let edits = driver.log.map {
            "\(time.string(from: $0.at))\t\($0.side)\t\($0.activity)\t\($0.field)\t\($0.value)\t\($0.synced ?? "-")"
        }
        let events = driver.events.map { "\(time.string(from: $0.at))\t\($0.what)" }
        let requests = fake.requests.map {
            "\(time.string(from: $0.at))\t\($0.operation)\t\($0.mailbox ?? "-")\t\($0.fault.map { "\($0)" } ?? "-")"
        }
        for (name, lines) in [("edits", edits), ("events", events), ("requests", requests)] {
            try? (lines.joined(separator: "\n") + "\n").write(
                toFile: "\(folder)/\(name).tsv",
                atomically: true,
                encoding: .utf8
            )
        }
    }

    /// A process's resident set, kB (0 when it is gone).
    static func rss(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }
}

struct SoakError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
