import Daemon
import Foundation
import Testing

@Suite("PassScheduler: due mailboxes, the concurrency limit, one pass per mailbox")
struct PassSchedulerTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    @Test("new mailboxes are due at once; at most `limit` run; the most overdue go first")
    func limit() {
        var scheduler = PassScheduler()
        scheduler.setMailboxes(["a", "b", "c"], now: t0)
        scheduler.wake("c", at: at(-5))
        #expect(scheduler.takeDue(now: t0, limit: 2) == ["c", "a"])
        #expect(scheduler.runningCount == 2)
        #expect(scheduler.takeDue(now: t0, limit: 2) == [])  // full
        scheduler.finished("c", next: at(60))
        #expect(scheduler.takeDue(now: t0, limit: 2) == ["b"])
        #expect(scheduler.takeDue(now: at(59), limit: 5) == [])  // a, b running; c not due yet
        #expect(scheduler.takeDue(now: at(60), limit: 5) == ["c"])
    }

    @Test("a mailbox woken by a change goes before a backlog due only by the interval, once")
    func changesFirst() {
        var scheduler = PassScheduler()
        scheduler.setMailboxes(["a", "b", "c", "d"], now: t0)
        #expect(scheduler.takeDue(now: t0, limit: 4).count == 4)
        for mailbox in ["a", "b", "c"] { scheduler.finished(mailbox, next: at(300)) }
        scheduler.finished("d", next: at(305))
        // d's change comes while a, b and c are overdue by their interval: d goes first.
        scheduler.wake("d", at: at(310.3))
        #expect(scheduler.takeDue(now: at(320), limit: 1) == ["d"])
        scheduler.finished("d", next: at(620))
        // The change is served: the backlog follows in due order.
        #expect(scheduler.takeDue(now: at(320), limit: 1) == ["a"])
        scheduler.finished("a", next: at(620))
        #expect(scheduler.takeDue(now: at(321), limit: 3) == ["b", "c"])
        // A wake-up during the pass (a change) puts the next pass first; a reload's rescheduling does not.
        scheduler.wake("b", at: at(322))
        scheduler.wake("c", at: at(322), change: false)
        for mailbox in ["b", "c"] { scheduler.finished(mailbox, next: at(330)) }
        scheduler.wake("a", at: at(321), change: false)
        #expect(scheduler.takeDue(now: at(340), limit: 4) == ["b", "a", "c"])
    }

    @Test("never two passes on one mailbox: a wake-up during its pass is kept for when it ends")
    func wakeWhileRunning() {
        var scheduler = PassScheduler()
        scheduler.setMailboxes(["a"], now: t0)
        #expect(scheduler.takeDue(now: t0, limit: 4) == ["a"])
        scheduler.wake("a", at: at(1))
        scheduler.wake("a", at: at(0.5))
        #expect(scheduler.takeDue(now: at(2), limit: 4) == [])
        scheduler.finished("a", next: at(60))
        #expect(scheduler.nextDue("a") == at(0.5))
        #expect(scheduler.takeDue(now: at(2), limit: 4) == ["a"])
        // Without a wake-up the interval holds.
        scheduler.finished("a", next: at(62))
        #expect(scheduler.nextDue("a") == at(62))
    }

    @Test("wake never postpones; notifications debounce to the first event's deadline")
    func wakeEarliestWins() {
        var scheduler = PassScheduler()
        scheduler.setMailboxes(["a"], now: t0)
        _ = scheduler.takeDue(now: t0, limit: 1)
        scheduler.finished("a", next: at(60))
        scheduler.wake("a", at: at(10.3))  // first event at 10.0 + 0.3 s debounce
        scheduler.wake("a", at: at(10.5))  // later events of the same edit
        scheduler.wake("a", at: at(10.6))
        #expect(scheduler.nextDue("a") == at(10.3))
        #expect(scheduler.takeDue(now: at(10.2), limit: 1) == [])
        #expect(scheduler.takeDue(now: at(10.3), limit: 1) == ["a"])
        scheduler.wake("b", at: t0)  // unknown mailbox: ignored
        #expect(scheduler.entries["b"] == nil)
    }

    @Test("a dropped mailbox is forgotten, a running one after its pass")
    func dropping() {
        var scheduler = PassScheduler()
        scheduler.setMailboxes(["a", "b"], now: t0)
        #expect(scheduler.takeDue(now: t0, limit: 1) == ["a"])
        scheduler.setMailboxes(["b"], now: t0)
        #expect(scheduler.entries["a"]?.running == true)
        scheduler.finished("a", next: at(60))
        #expect(scheduler.entries["a"] == nil)
        scheduler.setMailboxes([], now: t0)
        #expect(scheduler.entries.isEmpty)
        #expect(scheduler.earliestDue == nil)
    }

    @Test("property: under random wakes and finishes, never more than the limit, never a mailbox twice")
    func property() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var scheduler = PassScheduler()
            let mailboxes = Set((0..<Int.random(in: 1...8, using: &generator)).map { "m\($0)" })
            let limit = Int.random(in: 1...4, using: &generator)
            scheduler.setMailboxes(mailboxes, now: t0)
            var running: Set<String> = []
            var clock = 0.0
            for _ in 0..<100 {
                clock += Double.random(in: 0...2, using: &generator)
                switch Int.random(in: 0...2, using: &generator) {
                case 0: scheduler.wake(mailboxes.randomElement()!, at: at(clock))
                case 1:
                    if let done = running.randomElement() {
                        running.remove(done)
                        scheduler.finished(done, next: at(clock + 5))
                    }
                default:
                    let started = scheduler.takeDue(now: at(clock), limit: limit)
                    #expect(running.isDisjoint(with: started))
                    running.formUnion(started)
                }
                #expect(running.count <= limit)
                #expect(scheduler.runningCount == running.count)
            }
        }
    }
}
