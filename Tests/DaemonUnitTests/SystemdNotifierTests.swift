import Daemon
import EWSTestServer
import Foundation
import Testing

/// sd_notify must never hold a thread: the daemon's passes share two.
@Suite("notifications to systemd never block the daemon")
struct SystemdNotifierTests {
    @Test("a manager that stops reading: messages are dropped (false), the sender goes on")
    func fullSocketDropsMessages() async throws {
        let manager = try DatagramListener()  // never read from
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": manager.path])
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
