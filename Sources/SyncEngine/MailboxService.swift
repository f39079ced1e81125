import ActivityModel
import Foundation
import SyncPlanning

/// The synced folders of a mailbox.
public enum FolderKind: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case tasks
    case calendar

    /// The item class that lives in the folder.
    public var itemKind: ItemKind { self == .tasks ? .task : .calendarItem }

    /// The folder an item class lives in.
    public init(_ kind: ItemKind) { self = kind == .task ? .tasks : .calendar }
}

/// What the sync engine asks of one mailbox, whatever speaks to it (EWS today, Microsoft Graph next).
/// Item ids and versions are opaque: the engine compares them, never reads them. Reads throw when the
/// mailbox cannot be read at all (auth, network, throttling: the pass fails and backs off); writes
/// answer one `WriteOutcome` per item and throw only when the mailbox cannot be reached at all.
public protocol MailboxService: Sendable {
    /// The mailbox's address.
    var address: String { get }

    /// Changes since `cursor` (nil: everything, from the start), page by page; a page's cursor may be
    /// saved once its changes are applied. Throws `CursorExpired` when the server no longer knows it.
    func changes(in folder: FolderKind, from cursor: String?) async throws -> [ChangePage]

    /// Reads items whole, in as many requests as the backend needs (ids the mailbox no longer has are left
    /// out). `folder` is where they were listed.
    func read(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem]

    /// Items carrying one of these activity ids as this instance's identity, read whole.
    func find(activityIds: [String], in folder: FolderKind) async throws -> [RemoteItem]

    /// Every item carrying this instance's identity (for `purge`).
    func listOwn(in folder: FolderKind) async throws -> [RemoteHeader]

    /// Creates items, one outcome per item, in order.
    func create(_ items: [NewItem], in folder: FolderKind) async throws -> [WriteOutcome]

    /// Updates items conditionally on their version, one outcome per item, in order.
    func update(_ updates: [ItemUpdate]) async throws -> [WriteOutcome]

    /// Removes items (recoverably: into Deleted Items), one outcome per item, in order.
    func remove(_ removals: [ItemRemoval]) async throws -> [WriteOutcome]

    /// Writes this instance's identity on items a user made (or takes it off a user's copy), one outcome per
    /// item, in order.
    func stamp(_ stamps: [IdentityStamp]) async throws -> [WriteOutcome]

    /// Whether a listing from the start holds every item of the folder (EWS) or only those of a date window
    /// (Graph's calendarView delta): then a linked item not listed is read by id before it counts as gone.
    /// (No default: a wrapper that forgot to forward it would turn a window into deletes.)
    var listsWholeFolders: Bool { get }

    /// The folders the backend serves (Graph under `graph.tasks: none`: the calendar only). Activities that belong
    /// in a folder it does not serve are not planned for the mailbox: never created, never taken for deleted; their
    /// links and journal entries wait as they are.
    var folders: [FolderKind] { get }

    /// Whether an item id is one this backend hands out for the folder (false: a link made over another backend,
    /// after the mailbox moved between EWS and Graph — `ForeignLinks`). True where the backends' ids cannot be
    /// told apart (events: they re-link by their identity property, the same over both).
    func recognises(itemId: String, in folder: FolderKind) -> Bool
}

/// The server no longer knows the saved cursor: the folder is read from the start (identities re-link).
public struct CursorExpired: Error, Sendable, CustomStringConvertible {
    public var detail: String
    public init(_ detail: String) { self.detail = detail }
    public var description: String { "the folder's sync state expired: \(detail)" }
}

/// What happened to one item of a write batch.
public enum WriteOutcome: Sendable, Equatable {
    /// Applied; the item's id (new for a create or a stamp that moved it) and its new version.
    case done(id: String, version: String?)
    /// The server refused this item (its reason); retrying the same write will not help.
    case refused(String)
    /// The item changed since the version read: re-read and plan again.
    case stale
    /// The item is gone.
    case notFound
    /// Throttled: nothing for this mailbox before the time.
    case throttled(until: Date)
    /// Not applied (a passing fault, before the request was processed): planned again next pass.
    case transient(String)
    /// The answer was lost: maybe applied, maybe not. Never resent; reconciled next pass.
    case ambiguous

    /// Whether the write is known to have happened.
    public var isDone: Bool {
        if case .done = self { return true }
        return false
    }
}

/// One entry of a change listing: enough to tell our own echoes and moves without reading the item.
public struct RemoteHeader: Sendable, Equatable {
    public var id: String
    public var version: String?
    /// This instance's identity on the item (nil for a user's own item or another instance's).
    public var activityId: String?
    /// DateTimeCreated (Exchange's clock; empty when not said): a move keeps it, a copy or a create gets its own.
    public var created: String

    public init(id: String, version: String?, activityId: String?, created: String = "") {
        self.id = id
        self.version = version
        self.activityId = activityId
        self.created = created
    }
}

/// One change of a folder.
public enum RemoteChange: Sendable, Equatable {
    /// The item appeared or changed.
    case changed(RemoteHeader)
    /// The item left the folder (deleted, or moved out).
    case removed(String)
}

/// One page of changes, with the cursor that follows it.
public struct ChangePage: Sendable, Equatable {
    public var changes: [RemoteChange]
    public var cursor: String
    /// The listing stopped at its page bound with more to come (the next pass goes on from `cursor`).
    public var more: Bool

    public init(changes: [RemoteChange], cursor: String, more: Bool = false) {
        self.changes = changes
        self.cursor = cursor
        self.more = more
    }
}

/// An item read whole, in the engine's terms.
public struct RemoteItem: Sendable, Equatable {
    public var id: String
    public var version: String?
    public var kind: ItemKind
    /// The folder it was listed in.
    public var folder: FolderKind
    /// The synced values. Fields the backend does not keep (`unkept`, e.g. an appointment's status) hold
    /// placeholders the engine replaces with the base's or the CRM's value.
    public var fields: SyncFields
    public var unkept: Set<SyncFields.Field>
    /// This instance's identity (nil: a user's own item).
    public var activityId: String?
    /// Another CRM instance's item: never touched.
    public var otherInstance: Bool
    /// Carries the configured category.
    public var hasCategory: Bool
    /// A recurring series (never imported).
    public var isRecurring: Bool
    /// Last modified, canonical UTC text (newest-wins).
    public var lastModified: String
    /// Made when (`DateTimeCreated`), canonical UTC text: of two items carrying one identity, the
    /// earlier is the original (SPEC §3, copies).
    public var created: String
    /// `created`, or nil when the server did not say (what a link records).
    public var knownCreated: String? { created.isEmpty ? nil : created }
    /// The attendees' answers (calendar items), by lower-cased address.
    public var responses: [String: AttendeeResponse]
    /// The information with its last `CRM: ` line kept, when reading stripped one: a line the user wrote
    /// (an item we never wrote a line of ours to), which the engine keeps when the CRM holds it so.
    public var unstrippedInformation: String?
    /// Fields the item holds in a form never written for their value (all-day bounds off the owner's midnights).
    public var misaligned: Set<SyncFields.Field> = []
    /// Our `CRM: ` line on the item of ours (without the prefix; nil: none), to tell whether it still names
    /// what the CRM has (a partner renamed, a contact changed).
    public var crmLine: String?

    public init(
        id: String,
        version: String?,
        kind: ItemKind,
        folder: FolderKind,
        fields: SyncFields,
        unkept: Set<SyncFields.Field> = [],
        activityId: String? = nil,
        otherInstance: Bool = false,
        hasCategory: Bool = false,
        isRecurring: Bool = false,
        lastModified: String = "",
        created: String = "",
        responses: [String: AttendeeResponse] = [:],
        unstrippedInformation: String? = nil,
        misaligned: Set<SyncFields.Field> = [],
        crmLine: String? = nil
    ) {
        self.id = id
        self.version = version
        self.kind = kind
        self.folder = folder
        self.fields = fields
        self.unkept = unkept
        self.activityId = activityId
        self.otherInstance = otherInstance
        self.hasCategory = hasCategory
        self.isRecurring = isRecurring
        self.lastModified = lastModified
        self.created = created
        self.responses = responses
        self.unstrippedInformation = unstrippedInformation
        self.misaligned = misaligned
        self.crmLine = crmLine
    }
}

/// An item to create.
public struct NewItem: Sendable, Equatable {
    public var activityId: String
    public var kind: ItemKind
    public var fields: SyncFields
    /// The body's `CRM: ` line (partner, contact, opportunity…), without the prefix.
    public var crmLine: String?
    /// Send meeting requests.
    public var invitations: Bool
    /// The attendees' display names by lower-cased address (Outlook shows the address where none is sent).
    public var attendeeNames: [String: String]
    /// Names this create among every create ever sent (the activity and its journal entry): a backend that
    /// deduplicates resent creates (Graph's `transactionId`) is given it.
    public var transaction: String?

    public init(
        activityId: String,
        kind: ItemKind,
        fields: SyncFields,
        crmLine: String?,
        invitations: Bool,
        attendeeNames: [String: String] = [:]
    ) {
        self.activityId = activityId
        self.kind = kind
        self.fields = fields
        self.crmLine = crmLine
        self.invitations = invitations
        self.attendeeNames = attendeeNames
    }
}

/// Fields to write to an item, conditional on its version.
public struct ItemUpdate: Sendable, Equatable {
    public var id: String
    public var version: String?
    public var activityId: String
    public var kind: ItemKind
    /// The values; only `changed` are written.
    public var fields: SyncFields
    public var changed: [SyncFields.Field]
    public var crmLine: String?
    /// Send the attendees an update.
    public var meetingMail: Bool
    /// The attendees' display names by lower-cased address.
    public var attendeeNames: [String: String]

    public init(
        id: String,
        version: String?,
        activityId: String,
        kind: ItemKind,
        fields: SyncFields,
        changed: [SyncFields.Field],
        crmLine: String?,
        meetingMail: Bool,
        attendeeNames: [String: String] = [:]
    ) {
        self.id = id
        self.version = version
        self.activityId = activityId
        self.kind = kind
        self.fields = fields
        self.changed = changed
        self.crmLine = crmLine
        self.meetingMail = meetingMail
        self.attendeeNames = attendeeNames
    }
}

/// An item to remove.
public struct ItemRemoval: Sendable, Equatable {
    public var id: String
    /// Send cancellations to the attendees.
    public var cancellations: Bool
    /// The version the decision was made on: a backend that can delete conditionally (Graph's If-Match) answers
    /// `.stale` when the item changed since — an Outlook edit the listing did not show is then read, not lost.
    public var version: String?

    public init(id: String, cancellations: Bool, version: String? = nil) {
        self.id = id
        self.cancellations = cancellations
        self.version = version
    }
}

/// This instance's identity to write on an item, or to take off it.
public struct IdentityStamp: Sendable, Equatable {
    public var id: String
    public var version: String?
    public var kind: ItemKind
    /// The activity; nil takes this instance's identity off the item (a user's copy becomes their own).
    public var activityId: String?

    public init(id: String, version: String?, kind: ItemKind, activityId: String?) {
        self.id = id
        self.version = version
        self.kind = kind
        self.activityId = activityId
    }
}
