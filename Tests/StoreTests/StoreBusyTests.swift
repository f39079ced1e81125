import ActivityModel
import Foundation
import GRDB
import Store
import Testing

/// Issue 11: a long writer in another process (an import) makes a write wait at most the busy timeout, then
/// give up with its own code — a pass yields on it instead of failing.
@Suite("another process's long write: a bounded wait, then StoreError.busy")
struct StoreBusyTests {
    @Test("a write meeting a held write lock gives up with .busy after the busy timeout; afterwards it works")
    func busy() throws {
        let folder = NSTemporaryDirectory() + "activity-sync-busy-" + UUID().uuidString
        let store = try Store(path: folder + "/s.sqlite", busySeconds: 0.2)
        try StoreFixture.seed(store)
        let other = try DatabaseQueue(path: folder + "/s.sqlite")
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            try? other.inTransaction(.immediate) { db in
                try db.execute(sql: "UPDATE counters SET value = value WHERE name = 'change_seq'")
                holding.signal()
                release.wait()
                return .commit
            }
        }.start()
        holding.wait()
        #expect {
            _ = try store.addActivity(StoreFixture.task("A1"))
        } throws: {
            ($0 as? StoreError)?.code == .busy && "\($0)".contains("another process")
        }
        release.signal()
        // (The other connection commits and lets go; the write goes through.)
        var added: Activity?
        for _ in 0..<50 where added == nil {
            added = try? store.addActivity(StoreFixture.task("A1"))
            if added == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(added?.id == "A1")
    }
}
