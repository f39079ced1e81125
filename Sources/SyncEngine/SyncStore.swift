import ActivityModel
import SyncPlanning

/// What the sync engine asks of the CRM store, whatever holds it (SQLite today, PostgreSQL next).
/// Reads outside a transaction see committed data; every write goes through `transaction`, and the
/// engine reads links and bases inside the transaction that writes them, never from a pass-start copy.
public protocol SyncStore: Sendable {
    /// The synchronisable activities whose mailbox is this employee's, tombstones included.
    func activities(ofMailboxEmployee employee: String) throws -> [Activity]
    func activity(_ id: String) throws -> Activity?
    func links(mailbox: String) throws -> [SyncLink]
    func link(activityId: String) throws -> SyncLink?
    /// A folder's saved cursor.
    func cursor(mailbox: String, folder: FolderKind) throws -> String?
    /// Journal entries of a mailbox not yet done.
    func openJournal(mailbox: String) throws -> [JournalEntry]
    /// Journal entries of one action not yet done, whichever mailbox journalled them (an ownership move's
    /// delete half reaches another mailbox; a create whose answer was lost may hold a moving activity's item).
    func openJournal(action: String) throws -> [JournalEntry]
    /// Items of the mailbox the engine imported from Outlook (the audit's `create-local`), for `purge`.
    func importedItems(mailbox: String) throws -> Set<String>
    /// Names of the activity's partner, contact and opportunity (their ids when a name is missing).
    func referenceNames(of activity: Activity) throws -> [String]
    /// Runs writes in one transaction: all land, or none.
    func transaction<T>(_ body: (any SyncStoreTransaction) throws -> T) throws -> T
}

/// The writes (and the reads that decide them) of one store transaction.
public protocol SyncStoreTransaction {
    func activity(_ id: String) throws -> Activity?
    func link(activityId: String) throws -> SyncLink?
    /// Saves a link; its `listed` is the store's: kept while the item stays the same, false for a new item.
    func saveLink(_ link: SyncLink) throws
    func removeLink(activityId: String) throws
    /// The links of the mailbox to these items are known to the cursors saved with them (see `SyncLink.listed`).
    func markListed(mailbox: String, itemIds: Set<String>) throws
    /// Records a linked item's creation time (`SyncLink.created`) when the activity's link is to that item and has
    /// none yet; anything else is left as it is. (One statement, not a read and a save: a first sync records it for
    /// every item it created.)
    func noteLinkCreated(activityId: String, itemId: String, created: String) throws
    func saveCursor(mailbox: String, folder: FolderKind, cursor: String?) throws
    /// Journals an intended remote write before its request is sent; returns the entry's id.
    func journal(
        pass: String,
        mailbox: String,
        activityId: String?,
        itemId: String?,
        action: String,
        payload: String?
    ) throws -> Int64
    func markJournal(_ id: Int64, _ state: JournalEntry.State, itemId: String?) throws
    /// Replaces an open entry's payload (a lost create's values, once edits carried from its item moved the base
    /// it is judged by).
    func rejournal(_ id: Int64, payload: String) throws
    func recordConflict(_ conflict: SyncConflict, mailbox: String) throws
    func audit(_ entry: AuditEntry) throws
    /// Writes an activity as the sync engine (validated; tagged so it is not sent back). Throws
    /// `RecordRefused` when the CRM's rules refuse it.
    @discardableResult func writeActivity(_ activity: Activity) throws -> Activity
    /// Adds an imported activity (an empty id gets the next free one); `RecordRefused` when refused.
    func addActivity(_ activity: Activity) throws -> Activity
    /// Takes the next free activity id for an import (its stamp goes out before the activity is added).
    func reserveActivityId() throws -> String
    func contacts(withEmail email: String) throws -> [Contact]
}

/// The CRM's rules refused a record the engine wrote (an Outlook value it cannot hold).
public struct RecordRefused: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
