import EWSTestServer
import Foundation

// A stand-alone fake Exchange for benchmarks, the soak and manual tries:
//   ews-test-server [--port N] [--user U --password P] [--mailbox ADDR]...
//                   [--hostile KIND [--hostile-mailbox ADDR] [--hostile-operation OP]]
//                   [--no-validation] [--stats FILE] [--control] [--write-log FILE]
//                   [--hanging-connection-limit N]
// --no-validation skips the schema check of each request (benchmarks: the fake's CPU is not the client's);
// --stats writes the requests served, by operation, as JSON to FILE on SIGUSR1, and when SIGTERM or SIGINT ends
// the fake.
// --hostile answers every matching request (SyncFolderItems of every mailbox unless told otherwise) with the
// hostile answer of a kind (FakeExchange.Hostile: entity-bomb, tiny-elements, silent, …).
// --control opens POST /control/outlook-edit (Outlook edits at a distance, FakeExchange+Control.swift);
// --write-log appends "SECONDS<TAB>MAILBOX<TAB>SUBJECT" for every item a client's CreateItem or UpdateItem wrote
// (benchmarks time a CRM change's arrival by it); --hanging-connection-limit sets HangingConnectionLimit (default
// 10, Exchange Online's; Exchange 2013: 3).
var port = 0
var hostile: FakeExchange.Hostile?
var hostileMailbox: String?
var hostileOperation: String? = "SyncFolderItems"
var user = "svc-crm"
var password = "secret"
var mailboxes: [String] = []
var validate = true
var statsFile: String?
var control = false
var writeLog: String?
var hangingConnectionLimit: Int?
var arguments = CommandLine.arguments.dropFirst().makeIterator()

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ews-test-server: \(message)\n".utf8))
    exit(64)
}

while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--user": user = arguments.next() ?? user
    case "--password": password = arguments.next() ?? password
    case "--mailbox": if let mailbox = arguments.next() { mailboxes.append(mailbox) }
    case "--hostile":
        let name = arguments.next() ?? ""
        guard let kind = FakeExchange.Hostile(rawValue: name) else {
            usage("--hostile: one of " + FakeExchange.Hostile.allCases.map(\.rawValue).joined(separator: ", "))
        }
        hostile = kind
    case "--no-validation": validate = false
    case "--stats": statsFile = arguments.next()
    case "--control": control = true
    case "--write-log": writeLog = arguments.next()
    case "--hanging-connection-limit":
        guard let limit = Int(arguments.next() ?? ""), limit > 0 else {
            usage("--hanging-connection-limit: a positive number")
        }
        hangingConnectionLimit = limit
    case "--hostile-mailbox": hostileMailbox = arguments.next()
    case "--hostile-operation":
        let operation = arguments.next()
        hostileOperation = operation == "any" ? nil : operation
    default:
        usage(
            "usage: ews-test-server [--port N] [--user U --password P] [--mailbox ADDR]... "
                + "[--hostile KIND [--hostile-mailbox ADDR] [--hostile-operation OP|any]] [--no-validation] [--stats FILE] "
                + "[--control] [--write-log FILE] [--hanging-connection-limit N]"
        )
    }
}
do {
    let fake = try FakeExchange(validateSchema: validate)
    fake.addAccount(.init(username: user, password: password))
    for mailbox in mailboxes.isEmpty ? ["alice@contoso.test", "bob@contoso.test"] : mailboxes {
        fake.addMailbox(mailbox)
    }
    if let hostile { fake.serveHostile(hostile, operation: hostileOperation, mailbox: hostileMailbox) }
    fake.controlEnabled = control
    if let hangingConnectionLimit { fake.hangingConnectionLimit = hangingConnectionLimit }
    if let writeLog {
        guard FileManager.default.createFile(atPath: writeLog, contents: nil),
            let handle = FileHandle(forWritingAtPath: writeLog)
        else { usage("--write-log: cannot write \(writeLog)") }
        fake.onClientWrite = { mailbox, subject in
            let seconds = Date().timeIntervalSince1970
            handle.write(Data("\(seconds)\t\(mailbox)\t\(subject)\n".utf8))
        }
    }
    try fake.start(port: port)
    FileHandle.standardOutput.write(Data("listening \(fake.url) (Basic \(user))\n".utf8))
    // The requests served by operation (and the schema violations) to --stats: on SIGUSR1 (and going on), and on
    // SIGTERM/SIGINT (then exit 0).
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGTERM, SIGINT, SIGUSR1] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
        source.setEventHandler {
            if let statsFile {
                var counts: [String: Int] = [:]
                for request in fake.requests { counts[request.operation, default: 0] += 1 }
                counts["schema_violations"] = fake.schemaViolations.count
                counts["streaming_connections_open"] = fake.openStreamingConnections.values.reduce(0, +)
                let data = (try? JSONSerialization.data(withJSONObject: counts, options: [.sortedKeys])) ?? Data()
                _ = FileManager.default.createFile(atPath: statsFile, contents: data)
            }
            if number != SIGUSR1 { exit(0) }
        }
        source.resume()
        sources.append(source)
    }
    withExtendedLifetime(sources) { dispatchMain() }
} catch {
    FileHandle.standardError.write(Data("ews-test-server: \(error)\n".utf8))
    exit(1)
}
