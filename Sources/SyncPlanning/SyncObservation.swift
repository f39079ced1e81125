import ActivityModel

/// What the CRM side holds for a pair.
public struct CRMSide: Sendable, Equatable {
    public var activityId: String
    /// The item class the activity maps to (SPEC §2; `sync.calls_as`).
    public var kind: ItemKind
    public var fields: SyncFields
    /// Tombstoned in the CRM.
    public var deleted: Bool
    /// The activity's `synchronize` flag (off: it must not be in Exchange).
    public var synchronize: Bool
    /// Inside the sync window (only such activities are created in Exchange).
    public var inWindow: Bool
    /// `updated_at`, canonical UTC text (newest-wins).
    public var updatedAt: String
    /// The attendees' answers the CRM holds, by lower-cased address.
    public var responses: [String: AttendeeResponse]
    /// The activity now belongs to another employee's mailbox (a new organizer or assignee).
    public var ownedElsewhere: Bool
    /// A call kept as a task: the task reminder that rings at the call's start. The CRM holds no reminder after
    /// its start (one later rings at the start), so no later one is merged.
    public var reminderAtStart: Int?

    public init(
        activityId: String,
        kind: ItemKind = .task,
        fields: SyncFields,
        deleted: Bool = false,
        synchronize: Bool = true,
        inWindow: Bool = true,
        updatedAt: String = "",
        responses: [String: AttendeeResponse] = [:],
        ownedElsewhere: Bool = false,
        reminderAtStart: Int? = nil
    ) {
        self.activityId = activityId
        self.reminderAtStart = reminderAtStart
        self.kind = kind
        self.responses = responses
        self.ownedElsewhere = ownedElsewhere
        self.fields = fields
        self.deleted = deleted
        self.synchronize = synchronize
        self.inWindow = inWindow
        self.updatedAt = updatedAt
    }
}

/// The item class on the Exchange side.
public enum ItemKind: String, Sendable, Equatable, Codable {
    case task
    case calendarItem
}

/// What the mailbox holds for a pair.
public struct ExchangeSide: Sendable, Equatable {
    public var itemId: String
    public var changeKey: String?
    public var kind: ItemKind
    public var fields: SyncFields
    /// `LastModifiedTime`, canonical UTC text (newest-wins).
    public var lastModified: String
    /// `DateTimeCreated`, canonical UTC text (a copy is created anew; a move keeps it).
    public var created: String
    /// The `ActivityId` identity property (of this instance; items of other instances never get here).
    public var activityId: String?
    /// Carries the configured category (the `sync.import: category` rule).
    public var hasCategory: Bool
    /// A recurring series: never imported (counted instead).
    public var isRecurring: Bool
    /// Inside the sync window (only such items are imported).
    public var inWindow: Bool
    /// The attendees' answers on the organizer's item, by lower-cased address (empty when not read this pass).
    public var responses: [String: AttendeeResponse]
    /// Fields the item holds in a form never written for their value (an older release's all-day bounds off
    /// midnight): written again, once, with the pair's value.
    public var misaligned: Set<SyncFields.Field> = []

    public init(
        itemId: String,
        changeKey: String? = nil,
        kind: ItemKind,
        fields: SyncFields,
        lastModified: String = "",
        created: String = "",
        activityId: String? = nil,
        hasCategory: Bool = false,
        isRecurring: Bool = false,
        inWindow: Bool = true,
        responses: [String: AttendeeResponse] = [:],
        misaligned: Set<SyncFields.Field> = []
    ) {
        self.responses = responses
        self.misaligned = misaligned
        self.itemId = itemId
        self.changeKey = changeKey
        self.kind = kind
        self.fields = fields
        self.lastModified = lastModified
        self.created = created
        self.activityId = activityId
        self.hasCategory = hasCategory
        self.isRecurring = isRecurring
        self.inWindow = inWindow
    }
}

/// One pair as gathered: either side may be missing, and the base is there when the pair is linked.
public struct PairObservation: Sendable, Equatable {
    /// The CRM activity; nil when the CRM has none (an Outlook item, or an activity purged since).
    public var crm: CRMSide?
    /// The Exchange item; nil when the mailbox has none (never created, or deleted there).
    public var exchange: ExchangeSide?
    /// The last-synced values; nil when not linked.
    public var base: SyncFields?
    /// The item id of the link, when linked (it differs from `exchange.itemId` after an Outlook move).
    public var linkedItemId: String?
    /// The activity is linked to an item in another mailbox: its previous owner's (an ownership move).
    public var linkedElsewhere: ForeignLink?
    /// The item is a user's copy of the activity's item (it carries the identity, and another item is the
    /// original: the linked one, else the earliest made).
    public var copyOf: String?
    /// The item is one this instance created whose answer was lost (found by the journalled identity): the
    /// values that create sent. It is linked with them as its base, so a user's edit made since is theirs.
    public var journalled: SyncFields?
    /// The item carries the id of an import whose stamp went out but whose activity was never added (a crash,
    /// a lost answer): the import finishes under that id.
    public var importing: Bool
    /// The base was moved by a write of ours confirmed only now (its answer lost, or a crash before its
    /// bookkeeping): saved even when nothing else changes.
    public var rebased: Bool
    /// Fields whose base is unknown: an update of ours whose answer was lost, on an item that changed since
    /// and does not hold what was sent. A difference there is a conflict, settled by the policy and recorded.
    public var uncertain: Set<SyncFields.Field>
    /// The linked item carries another activity's identity: this activity is a second import of that item
    /// (left by a failed identity stamp in an older version). Its CRM edits go to the original; it retires.
    public var duplicateOf: String?
    /// The linked item is gone because this instance removed it (the confirmation was cut off): not a user's
    /// delete, so nothing is tombstoned for it; the pair is as if never created.
    public var removedByUs: Bool

    public init(
        crm: CRMSide?,
        exchange: ExchangeSide?,
        base: SyncFields? = nil,
        linkedItemId: String? = nil,
        linkedElsewhere: ForeignLink? = nil,
        copyOf: String? = nil,
        journalled: SyncFields? = nil,
        importing: Bool = false,
        rebased: Bool = false,
        uncertain: Set<SyncFields.Field> = [],
        duplicateOf: String? = nil,
        removedByUs: Bool = false
    ) {
        self.crm = crm
        self.exchange = exchange
        self.base = base
        self.linkedItemId = linkedItemId
        self.linkedElsewhere = linkedElsewhere
        self.copyOf = copyOf
        self.journalled = journalled
        self.importing = importing
        self.rebased = rebased
        self.uncertain = uncertain
        self.duplicateOf = duplicateOf
        self.removedByUs = removedByUs
    }
}

/// A link held by another mailbox.
public struct ForeignLink: Sendable, Equatable {
    public var mailbox: String
    /// The item there (empty: none to remove — the one linked carries another identity now).
    public var itemId: String
    /// The pair's base there.
    public var base: SyncFields?
    /// The CRM's values when that item's edits were last carried (a move-out retried), where they differ from
    /// the item's base: a later CRM edit is told apart from the item's. Nil: the base stands for both sides.
    public var crmBase: SyncFields?
    /// The item there as read this pass (nil: gone, or not read): its unsynced Outlook edits move along.
    public var item: ExchangeSide?
    /// Further items carrying the identity there, none made later than that one (a deleted one the user
    /// restored, say): they go too, their edits carried first. (A user's copy made later is the user's.)
    public var others: [ExchangeSide]

    public init(
        mailbox: String,
        itemId: String,
        base: SyncFields? = nil,
        crmBase: SyncFields? = nil,
        item: ExchangeSide? = nil,
        others: [ExchangeSide] = []
    ) {
        self.mailbox = mailbox
        self.itemId = itemId
        self.base = base
        self.crmBase = crmBase
        self.item = item
        self.others = others
    }
}

/// How conflicts, imports and remote deletes are settled, and the mass-delete limits.
public struct SyncPolicy: Sendable, Equatable {
    public enum ConflictPolicy: String, Sendable, Codable {
        case crmWins = "crm-wins"
        case exchangeWins = "exchange-wins"
        case newestWins = "newest-wins"
    }
    public enum ImportRule: String, Sendable { case category, all, none }
    public enum RemoteDelete: String, Sendable { case tombstone, unlink }

    public var conflictPolicy: ConflictPolicy
    public var importRule: ImportRule
    public var remoteDelete: RemoteDelete
    public var maxDeletes: Int
    public var maxDeleteRatio: Double
    /// `resync --restore-deletes`: instead of propagating a delete, put the deleted side back from the
    /// other (ops' answer to a paused mailbox whose deletes were a mistake).
    public var restoreDeletes: Bool = false
    /// `sync.send_invitations: all`: meeting mail on calendar creates, on updates of what attendees see,
    /// and cancellations on deletes.
    public var sendInvitations: Bool = false

    public init(
        conflictPolicy: ConflictPolicy = .crmWins,
        importRule: ImportRule = .category,
        remoteDelete: RemoteDelete = .tombstone,
        maxDeletes: Int = 50,
        maxDeleteRatio: Double = 0.2,
        sendInvitations: Bool = false
    ) {
        self.sendInvitations = sendInvitations
        self.conflictPolicy = conflictPolicy
        self.importRule = importRule
        self.remoteDelete = remoteDelete
        self.maxDeletes = maxDeletes
        self.maxDeleteRatio = maxDeleteRatio
    }
}
