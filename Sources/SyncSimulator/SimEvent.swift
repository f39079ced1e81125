import SyncPlanning

/// One step of a simulated history. Entities are picked by number at the time the step runs (modulo what
/// exists then), so a history stays meaningful when the shrinker removes steps before it.
public enum SimEvent: Sendable, Equatable, Hashable {
    // The CRM side (a CRM user).
    case crmCreate(type: Int, owner: Int, day: Int)
    case crmEdit(pick: Int, edit: SimEdit)
    case crmDelete(pick: Int)
    case crmRestore(pick: Int)
    /// A new assignee (task) or organizer (appointment, call): the item moves mailbox.
    case crmReassign(pick: Int)
    /// Toggles an activity's `synchronize`.
    case crmSynchronize(pick: Int)
    /// Toggles an employee's `sync`.
    case employeeSync(employee: Int)
    // The Outlook side (a user in a mailbox).
    case outlookCreate(mailbox: Int, task: Bool, category: Bool, day: Int)
    case outlookEdit(mailbox: Int, pick: Int, edit: SimEdit)
    /// Into Deleted Items.
    case outlookDelete(mailbox: Int, pick: Int)
    /// Back from Deleted Items (or from a folder outside the synced ones).
    case outlookRestore(mailbox: Int, pick: Int)
    /// A move that keeps the item in the synced folder set (a new ItemId).
    case outlookMove(mailbox: Int, pick: Int)
    /// A copy, in the same mailbox (`into == mailbox`) or into another one.
    case outlookCopy(mailbox: Int, pick: Int, into: Int)
    /// Toggles the CRM category.
    case outlookCategory(mailbox: Int, pick: Int)
    // The server on its own.
    case serverTouch(mailbox: Int, pick: Int)
    case cursorsExpire(mailbox: Int)
    /// Toggles whether the mailbox's tasks folder is served (`graph.tasks: none`, or tasks held after a backend
    /// switch): what lives there is left alone meanwhile.
    case tasksServed(mailbox: Int)
    /// The daemon runs a pass, with these faults and maybe a crash.
    case pass(mailbox: Int, faults: [SimFault], crash: SimCrash?)

    /// The kind, for coverage counts.
    public var kind: String {
        switch self {
        case .crmCreate: "crm-create"
        case .crmEdit: "crm-edit"
        case .crmDelete: "crm-delete"
        case .crmRestore: "crm-restore"
        case .crmReassign: "crm-reassign"
        case .crmSynchronize: "crm-synchronize"
        case .employeeSync: "employee-sync"
        case .outlookCreate: "outlook-create"
        case .outlookEdit: "outlook-edit"
        case .outlookDelete: "outlook-delete"
        case .outlookRestore: "outlook-restore"
        case .outlookMove: "outlook-move"
        case .outlookCopy(let m, _, let into): m == into ? "outlook-copy" : "outlook-copy-other-mailbox"
        case .outlookCategory: "outlook-category"
        case .serverTouch: "server-touch"
        case .cursorsExpire: "cursors-expire"
        case .tasksServed: "tasks-served-toggle"
        case .pass: "pass"
        }
    }
}

/// An edit of one synced value (two for a status and its percentage, or a start and its end).
public struct SimEdit: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Field: String, Sendable, CaseIterable, Hashable {
        case subject, information, priority, sensitivity, status, due, time, location, showAs, reminder
        /// Outlook only: a value the CRM's rules refuse (an empty subject).
        case emptySubject
    }
    public var field: Field
    public var value: Int

    public init(field: Field, value: Int) {
        self.field = field
        self.value = value
    }

    public var description: String { "\(field.rawValue)=\(value)" }
}

/// A fault on one request of a pass (counted over the pass's mailbox requests, reads and writes).
public struct SimFault: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        /// HTTP 500 / a reset before the server applied anything.
        case notApplied
        /// Applied, but the answer never arrived.
        case answerLost
        /// `ErrorServerBusy` for the whole request, with a back-off.
        case serverBusy
        /// `ErrorServerBusy` inside the answer, per item (not applied).
        case inBandBusy
        /// The server touched the item between the pass's read and its write (a stale version).
        case staleVersion
        /// The user deleted the item between the pass's read and its write.
        case goneMeanwhile
        /// The user edited the item between the pass's read and its write.
        case editRace
    }
    /// The request it hits: counted over all the pass's requests, or (`onWrites`) over its writes only.
    public var step: Int
    public var kind: Kind
    public var value: Int
    public var onWrites: Bool

    public init(step: Int, kind: Kind, value: Int = 0, onWrites: Bool = false) {
        self.step = step
        self.kind = kind
        self.value = value
        self.onWrites = onWrites
    }

    public var description: String { "\(kind.rawValue)@\(onWrites ? "write#" : "")\(step)" }
}

/// The daemon killed at one step of a pass (SIGKILL): every request and every store transaction is a step;
/// a request may be killed before it is sent or after the server applied it.
public struct SimCrash: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The step of the pass (counting every request and transaction), or with `operation` the how-manieth
    /// of those (0: the first).
    public var step: Int
    public var afterApplying: Bool
    /// `changes`, `read`, `find`, `create`, `update`, `remove`, `stamp`, `write` (any of the four) or
    /// `store-transaction`; nil: any step.
    public var operation: String?

    public init(step: Int, afterApplying: Bool, operation: String? = nil) {
        self.step = step
        self.afterApplying = afterApplying
        self.operation = operation
    }

    /// What aimed crashes aim at (updates and removes weighted up: a pass has them only when there is such work).
    public static let operations = [
        "changes", "read", "find", "create", "update", "update", "update", "update", "update", "remove", "remove",
        "remove", "remove", "stamp", "stamp", "stamp", "write", "store-transaction",
    ]
    static let writes: Set<String> = ["create", "update", "remove", "stamp"]

    public var description: String {
        "crash@\(operation.map { "\($0)#" } ?? "")\(step)\(afterApplying ? "+applied" : "")"
    }
}

extension SimEvent: CustomStringConvertible {
    public var description: String {
        switch self {
        case .crmCreate(let type, let owner, let day): "crm-create type \(type) owner E\(owner + 1) day \(day)"
        case .crmEdit(let pick, let edit): "crm-edit #\(pick) \(edit)"
        case .crmDelete(let pick): "crm-delete #\(pick)"
        case .crmRestore(let pick): "crm-restore #\(pick)"
        case .crmReassign(let pick): "crm-reassign #\(pick)"
        case .crmSynchronize(let pick): "crm-synchronize-toggle #\(pick)"
        case .employeeSync(let e): "employee-sync-toggle E\(e + 1)"
        case .outlookCreate(let m, let task, let category, let day):
            "outlook-create m\(m) \(task ? "task" : "appointment")\(category ? " +category" : "") day \(day)"
        case .outlookEdit(let m, let pick, let edit): "outlook-edit m\(m) #\(pick) \(edit)"
        case .outlookDelete(let m, let pick): "outlook-delete m\(m) #\(pick)"
        case .outlookRestore(let m, let pick): "outlook-restore m\(m) #\(pick)"
        case .outlookMove(let m, let pick): "outlook-move m\(m) #\(pick)"
        case .outlookCopy(let m, let pick, let into): "outlook-copy m\(m) #\(pick) into m\(into)"
        case .outlookCategory(let m, let pick): "outlook-category-toggle m\(m) #\(pick)"
        case .serverTouch(let m, let pick): "server-touch m\(m) #\(pick)"
        case .cursorsExpire(let m): "cursors-expire m\(m)"
        case .tasksServed(let m): "tasks-served-toggle m\(m)"
        case .pass(let m, let faults, let crash):
            "pass m\(m)" + (faults.isEmpty ? "" : " faults \(faults)") + (crash.map { " \($0)" } ?? "")
        }
    }
}
