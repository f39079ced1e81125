import EWSTestServer
import Foundation
import Testing

/// The Python NTLM double (`Resources/ntlm_double.py`, pyspnego as the acceptor) as a child process.
final class NTLMDouble {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The interpreter with pyspnego: `$ACTIVITY_SYNC_TEST_PYTHON`, else the venv `scripts/test-venv.sh` makes.
    /// Found by looking at files, not by running Python: this is evaluated while tests are discovered.
    static let python: String? = {
        if let configured = ProcessInfo.processInfo.environment["ACTIVITY_SYNC_TEST_PYTHON"] { return configured }
        let venv = packageRoot.appendingPathComponent(".venv-test")
        let lib = venv.appendingPathComponent("lib").path
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        let hasSpnego = versions.contains { version in
            FileManager.default.fileExists(atPath: "\(lib)/\(version)/site-packages/spnego/__init__.py")
        }
        let interpreter = venv.appendingPathComponent("bin/python3").path
        return hasSpnego && FileManager.default.isExecutableFile(atPath: interpreter) ? interpreter : nil
    }()

    /// Why the NTLM tests cannot run here, if they cannot.
    static var missing: String? {
        python == nil
            ? "NTLM tests need Python with pyspnego: run scripts/test-venv.sh (or set ACTIVITY_SYNC_TEST_PYTHON)" : nil
    }

    private let process: ChildProcess
    /// Kept open while the double runs: it writes a line per request, and a closed pipe would end it.
    private let output = Pipe()
    let port: Int

    init(user: String, password: String, tls: TestCertificates? = nil) throws {
        var arguments = [
            Self.packageRoot.appendingPathComponent("Tests/EWSTests/Resources/ntlm_double.py").path,
            "--user", user, "--password", password,
        ]
        if let tls { arguments += ["--cert", tls.serverCert, "--key", tls.serverKey] }
        process = try ChildProcess(
            executable: try #require(Self.python),
            arguments: arguments,
            environment: ProcessInfo.processInfo.environment,
            output: output.fileHandleForWriting.fileDescriptor
        )
        try output.fileHandleForWriting.close()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        port = try #require(
            Int(line.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "port ", with: ""))
        )
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in folder: String? = nil) throws -> Int32 {
        let process = try ChildProcess(
            executable: executable,
            arguments: arguments,
            environment: ProcessInfo.processInfo.environment,
            directory: folder
        )
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command.
struct TestCertificates {
    let folder: String
    var caFile: String { folder + "/ca.pem" }
    var serverCert: String { folder + "/server.pem" }
    var serverKey: String { folder + "/server.key" }

    init() throws {
        folder = NSTemporaryDirectory() + "activity-sync-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n".write(
            toFile: folder + "/ext.cnf",
            atomically: true,
            encoding: .utf8
        )
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=activity-sync test CA",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
                "/CN=127.0.0.1",
            ],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2", "-extfile", "ext.cnf",
            ],
        ]
        for step in steps {
            guard try NTLMDouble.run("/usr/bin/openssl", step, in: folder) == 0 else {
                throw CertificateError(description: "openssl \(step[0]) failed")
            }
        }
    }

    struct CertificateError: Error, CustomStringConvertible { var description: String }
}
