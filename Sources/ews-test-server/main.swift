import EWSTestServer
import Foundation

// A stand-alone fake Exchange for benchmarks and manual tries:
//   ews-test-server [--port N] [--user U --password P] [--mailbox ADDR]... [--hostile KIND]
// --hostile answers every SyncFolderItems with the worst answer of a kind, just within the client's
// 16 MiB answer limit (tiny-elements: 15 MB of <a/>; big-text: 15 MB of text) or past it (huge-body:
// 200 MB), for memory bounds.
var port = 0
var hostile: FakeExchange.Fault?
var user = "svc-crm"
var password = "secret"
var mailboxes: [String] = []
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--user": user = arguments.next() ?? user
    case "--password": password = arguments.next() ?? password
    case "--mailbox": if let mailbox = arguments.next() { mailboxes.append(mailbox) }
    case "--hostile":
        switch arguments.next() {
        case "tiny-elements": hostile = .tinyElements(megabytes: 15)
        case "big-text": hostile = .bigText(megabytes: 15)
        case "huge-body": hostile = .hugeBody(megabytes: 200)
        default:
            FileHandle.standardError.write(Data("--hostile: tiny-elements, big-text or huge-body\n".utf8))
            exit(64)
        }
    default:
        FileHandle.standardError.write(
            Data("usage: ews-test-server [--port N] [--user U --password P] [--mailbox ADDR]...\n".utf8)
        )
        exit(64)
    }
}
do {
    let fake = try FakeExchange()
    fake.addAccount(.init(username: user, password: password))
    for mailbox in mailboxes.isEmpty ? ["alice@contoso.test", "bob@contoso.test"] : mailboxes {
        fake.addMailbox(mailbox)
    }
    if let hostile { fake.inject(hostile, operation: "SyncFolderItems", times: Int.max) }
    try fake.start(port: port)
    FileHandle.standardOutput.write(Data("listening \(fake.url) (Basic \(user))\n".utf8))
    while true { sleep(3600) }
} catch {
    FileHandle.standardError.write(Data("ews-test-server: \(error)\n".utf8))
    exit(1)
}
