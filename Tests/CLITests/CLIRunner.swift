import EWSTestServer
import Foundation
import Testing

/// Runs the built `activity-sync` binary in a temporary folder with its own configuration and store.
struct CLIRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary sits next to the test bundle in the build folder.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("activity-sync").path

    let folder: String

    static let setpriv = "/usr/bin/setpriv"

    /// Whether tests may run the binary as another user: only root may switch, and only with setpriv.
    static var canSwitchUser: Bool { geteuid() == 0 && FileManager.default.isExecutableFile(atPath: setpriv) }

    init(config: String = "store:\n  path: crm.sqlite\n") throws {
        folder = NSTemporaryDirectory() + "activity-sync-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try config.write(toFile: folder + "/activity-sync.yaml", atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { folder + "/" + name }

    /// Runs with the folder as working directory (so `./activity-sync.yaml` is found).
    @discardableResult
    func run(_ arguments: String..., environment: [String: String] = [:], stdin: String? = nil) throws -> Output {
        try run(arguments, environment: environment, stdin: stdin)
    }

    /// Starts the binary without waiting (crash tests need its pid while it runs); stdout goes to
    /// `logFile` in the folder when given (the daemon's log).
    func start(
        _ arguments: [String],
        environment: [String: String] = [:],
        logFile: String? = nil
    ) throws
        -> ChildProcess
    {
        var output: FileHandle?
        if let logFile {
            _ = FileManager.default.createFile(atPath: path(logFile), contents: nil)
            output = FileHandle(forWritingAtPath: path(logFile))
        }
        defer { try? output?.close() }
        return try ChildProcess(
            executable: Self.binary,
            arguments: arguments,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ACTIVITY_SYNC_") }
                .merging(Self.hermetic) { $1 }.merging(environment) { $1 },
            directory: folder,
            output: output?.fileDescriptor
        )
    }

    /// What every run gets unless the test says otherwise: run as root, `config check` checks the store's access for
    /// the service user when the system has one — a host with the package installed has `activity-sync` (scripts/
    /// check-package.sh leaves it, as Debian leaves system users), which would fail every test's root-made store.
    static let hermetic = ["ACTIVITY_SYNC_SERVICE_USER": "activity-sync-test-absent"]

    func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: String? = nil,
        asUser user: uid_t? = nil
    ) throws -> Output {
        var executable = Self.binary
        var argv = arguments
        if let user {
            // Another user, as an admin running a command as the service user would (setpriv: util-linux).
            executable = Self.setpriv
            argv = ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", Self.binary] + arguments
        }
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("ACTIVITY_SYNC_") && $0.key != "STATE_DIRECTORY"
        }
        env.merge(Self.hermetic) { $1 }
        env.merge(environment) { $1 }
        let out = Pipe()
        let errorFile = path("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        let input = Pipe()
        let process = try ChildProcess(
            executable: executable,
            arguments: argv,
            environment: env,
            directory: folder,
            input: input.fileHandleForReading.fileDescriptor,
            output: out.fileHandleForWriting.fileDescriptor,
            error: errorHandle.fileDescriptor
        )
        // (The child holds its own copies: this side's ends close, so reading stdout ends when the child does.)
        try errorHandle.close()
        try out.fileHandleForWriting.close()
        try input.fileHandleForReading.close()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: stderr
        )
    }

    /// `run` off Swift's cooperative pool: the daemon tests run many at once on two cores, and a pool
    /// thread blocked while a process runs delays every other test's waits (and inflates what they time).
    func runAsync(_ arguments: String..., environment: [String: String] = [:]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.run(arguments, environment: environment) })
            }
        }
    }

    /// `ok` off the cooperative pool.
    @discardableResult
    func okAsync(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        try await okAsync(arguments, sourceLocation: sourceLocation)
    }

    /// `ok` off the cooperative pool, the arguments as a list.
    @discardableResult
    func okAsync(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let output = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try self.run(arguments) }) }
        }
        #expect(output.status == 0, "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        return output.stdout
    }

    /// Runs and expects exit 0; returns stdout.
    @discardableResult
    func ok(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try ok(arguments, sourceLocation: sourceLocation)
    }

    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let output = try run(arguments)
        #expect(output.status == 0, "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        return output.stdout
    }

    /// Seeds employees, a partner and contacts.
    func seed() throws {
        try ok(
            "employee",
            "add",
            "--id",
            "E1",
            "--name",
            "Alice Smith",
            "--mailbox",
            "alice@contoso.test",
            "--sync",
            "true"
        )
        try ok(
            "employee",
            "add",
            "--id",
            "E2",
            "--name",
            "Bob Jones",
            "--mailbox",
            "bob@contoso.test",
            "--sync",
            "true",
            "--time-zone",
            "Europe/Berlin"
        )
        try ok("partner", "add", "--id", "BP1", "--name", "Fabrikam", "--internal-rep", "E1", "--external-rep", "E2")
        try ok("contact", "add", "--id", "C1", "--name", "Pat Doe", "--partner", "BP1", "--email", "pat@fabrikam.test")
        try ok(
            "contact",
            "add",
            "--id",
            "C2",
            "--name",
            "Sam Roe",
            "--partner",
            "BP1",
            "--email",
            "sam@fabrikam.test",
            "--opted-out",
            "true"
        )
        try ok("opportunity", "add", "--id", "O1", "--name", "Fabrikam renewal", "--partner", "BP1")
    }
}
