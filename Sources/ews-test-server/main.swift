import EWSTestServer
import Foundation

// A stand-alone fake Exchange for benchmarks and manual tries:
//   ews-test-server [--port N] [--user U --password P] [--mailbox ADDR]...
var port = 0
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
    try fake.start(port: port)
    FileHandle.standardOutput.write(Data("listening \(fake.url) (Basic \(user))\n".utf8))
    while true { sleep(3600) }
} catch {
    FileHandle.standardError.write(Data("ews-test-server: \(error)\n".utf8))
    exit(1)
}
