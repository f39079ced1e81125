import Daemon
import Foundation
import Testing

/// sd_notify must never hold a thread: the daemon's passes share two.
@Suite("notifications to systemd never block the daemon")
struct SystemdNotifierTests {
    @Test("a manager that stops reading: messages are dropped (false), the sender goes on")
    func fullSocketDropsMessages() async throws {
        let path = NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8))"
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer {
            close(receiver)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        // On a thread of its own: were a send to block, only this thread would, and the test says so.
        let outcome = Protected<(sent: Int, dropped: Int)?>(nil)
        Thread {
            var sent = 0
            var dropped = 0
            for index in 0..<5_000 {
                if notifier.notify("STATUS=pass \(index) of a daemon whose manager is not reading") {
                    sent += 1
                } else {
                    dropped += 1
                }
            }
            outcome.value = (sent, dropped)
        }.start()
        for _ in 0..<600 where outcome.value == nil { try await Task.sleep(for: .milliseconds(50)) }
        let result = try #require(outcome.value, "the sender blocked on a full notify socket")
        #expect(result.sent > 0 && result.dropped > 0, "\(result)")
    }
}
