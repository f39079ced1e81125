import ActivityModel
import SyncEngine
import SyncTestKit

/// The in-memory store as a pass sees it from a daemon that may die: every transaction is a step of the
/// pass, and a death before it commits leaves the store as it was (SQLite's rollback on a killed process).
struct SimStore: SyncStore {
    let inner: InMemoryStore
    let context: SimPassContext

    func activities(ofMailboxEmployee employee: String) throws -> [Activity] {
        try inner.activities(ofMailboxEmployee: employee)
    }
    func activity(_ id: String) throws -> Activity? { try inner.activity(id) }
    func links(mailbox: String) throws -> [SyncLink] { try inner.links(mailbox: mailbox) }
    func link(activityId: String) throws -> SyncLink? { try inner.link(activityId: activityId) }
    func cursor(mailbox: String, folder: FolderKind) throws -> String? {
        try inner.cursor(mailbox: mailbox, folder: folder)
    }
    func openJournal(mailbox: String) throws -> [JournalEntry] { try inner.openJournal(mailbox: mailbox) }
    func openJournal(action: String) throws -> [JournalEntry] { try inner.openJournal(action: action) }
    func importedItems(mailbox: String) throws -> Set<String> { try inner.importedItems(mailbox: mailbox) }
    func referenceNames(of activity: Activity) throws -> [String] { try inner.referenceNames(of: activity) }

    func transaction<T>(_ body: (any SyncStoreTransaction) throws -> T) throws -> T {
        try context.transaction()
        let result = try inner.transaction(body)
        context.commit()
        return result
    }
}
