import Daemon
import Foundation
import Testing

@Suite("a failure many mailboxes share is said once, reminded, and said cleared")
struct SharedFailureLogTests {
    @Test("first, then quiet for the others, a reminder with the count after the period, cleared when none has it")
    func lifecycle() {
        var log = SharedFailureLog(reminderSeconds: 600)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let refused = "EWS authentication HTTP 401: refused"
        #expect(log.failed(refused, mailbox: "a", now: start) == .first)
        for mailbox in ["b", "c", "a"] { #expect(log.failed(refused, mailbox: mailbox, now: start) == .quiet) }
        #expect(log.failed(refused, mailbox: "b", now: start.addingTimeInterval(599)) == .quiet)
        #expect(log.failed(refused, mailbox: "b", now: start.addingTimeInterval(600)) == .reminder(mailboxes: 3))
        #expect(log.failed(refused, mailbox: "c", now: start.addingTimeInterval(601)) == .quiet)
        #expect(log.succeeded(mailbox: "a") == [])
        #expect(log.succeeded(mailbox: "b") == [])
        #expect(log.succeeded(mailbox: "c") == [refused])
        #expect(log.succeeded(mailbox: "c") == [])
        // Said anew when it comes back.
        #expect(log.failed(refused, mailbox: "a", now: start.addingTimeInterval(700)) == .first)
    }

    @Test("a mailbox that now fails another way leaves the first failure")
    func changedFailure() {
        var log = SharedFailureLog()
        let now = Date()
        #expect(log.failed("unreachable", mailbox: "a", now: now) == .first)
        #expect(log.failed("refused", mailbox: "a", now: now) == .first)
        #expect(log.succeeded(mailbox: "a") == ["refused"])  // "unreachable" had already lost its only mailbox
    }
}
