import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning

/// The engine's `SyncStore` in memory, for simulations and fast engine tests. It keeps the real store's
/// contract (validation by the CRM's rules, change numbers, tagged sync writes, transactions that land
/// whole or not at all, case-insensitive mailboxes); `SyncStoreContract` runs against both.
public final class InMemoryStore: SyncStore, @unchecked Sendable {
    /// Everything the store holds; a transaction works on a copy and commits it whole.
    public struct State: Sendable {
        public var employees: [String: Employee] = [:]
        public var partners: [String: BusinessPartner] = [:]
        public var contacts: [String: Contact] = [:]
        public var opportunities: [String: Opportunity] = [:]
        public var activities: [String: Activity] = [:]
        /// Who wrote each activity last (`sync` for the engine), by id.
        public var origins: [String: String] = [:]
        public var links: [String: SyncLink] = [:]
        public var cursors: [String: String] = [:]
        public var journal: [JournalEntry] = []
        public var audit: [AuditEntry] = []
        public var conflicts: [(SyncConflict, String)] = []
        public var changeSeq: Int64 = 0
        public var nextActivity = 1
    }

    private let lock = NSLock()
    private var state = State()
    let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) { self.clock = clock }

    /// A consistent copy of everything (for assertions).
    public var snapshot: State { lock.withLock { state } }

    /// Changes the CRM side as a CRM user would (validated; tagged `local`).
    @discardableResult
    public func edit(_ body: (inout State) throws -> Void) rethrows -> State {
        try lock.withLock {
            try body(&state)
            return state
        }
    }

    /// Adds or changes an activity as a CRM user would: validated, a new change number, tagged `local`.
    @discardableResult
    public func saveActivity(_ activity: Activity) throws -> Activity {
        try lock.withLock {
            let tx = Transaction(state: state, now: CRMTime.format(clock()))
            let written = try tx.write(activity, origin: "local")
            state = tx.state
            return written
        }
    }

    public func activities(ofMailboxEmployee employee: String) throws -> [Activity] {
        lock.withLock {
            state.activities.values.filter { $0.type.isSynchronisable && $0.mailboxEmployee == employee }
                .sorted { $0.id < $1.id }
        }
    }

    public func activity(_ id: String) throws -> Activity? { lock.withLock { state.activities[id] } }

    public func links(mailbox: String) throws -> [SyncLink] {
        lock.withLock {
            state.links.values.filter { $0.mailbox.lowercased() == mailbox.lowercased() }.sorted {
                $0.activityId < $1.activityId
            }
        }
    }

    public func link(activityId: String) throws -> SyncLink? { lock.withLock { state.links[activityId] } }

    public func cursor(mailbox: String, folder: FolderKind) throws -> String? {
        lock.withLock { state.cursors[Self.cursorKey(mailbox, folder)] }
    }

    public func openJournal(mailbox: String) throws -> [JournalEntry] {
        lock.withLock {
            state.journal.filter { $0.mailbox.lowercased() == mailbox.lowercased() && $0.state != .done }
        }
    }

    public func openJournal(action: String) throws -> [JournalEntry] {
        lock.withLock { state.journal.filter { $0.action == action && $0.state != .done } }
    }

    public func importedItems(mailbox: String) throws -> Set<String> {
        lock.withLock {
            Set(
                state.audit.filter { $0.mailbox?.lowercased() == mailbox.lowercased() && $0.action == "create-local" }
                    .compactMap(\.itemId)
            )
        }
    }

    public func referenceNames(of activity: Activity) throws -> [String] {
        lock.withLock {
            var names: [String] = []
            if let id = activity.partner { names.append(state.partners[id]?.name ?? id) }
            if let id = activity.contact { names.append(state.contacts[id]?.name ?? id) }
            if let id = activity.opportunity { names.append(state.opportunities[id]?.name ?? id) }
            return names
        }
    }

    public func transaction<T>(_ body: (any SyncStoreTransaction) throws -> T) throws -> T {
        try lock.withLock {
            let tx = Transaction(state: state, now: CRMTime.format(clock()))
            let result = try body(tx)
            state = tx.state
            return result
        }
    }

    static func cursorKey(_ mailbox: String, _ folder: FolderKind) -> String {
        "\(mailbox.lowercased())/\(folder.rawValue)"
    }
}
