import SyncPlanning

/// The link of a CRM activity to its Exchange item, with the last-synced base values.
public struct SyncLink: Sendable, Equatable {
    public var activityId: String
    public var mailbox: String
    public var folder: FolderKind
    public var itemId: String
    /// The item's version (EWS ChangeKey) after our last confirmed write or read.
    public var changeKey: String?
    /// Per field, the last value both sides were confirmed to hold (SPEC §3).
    public var base: SyncFields
    /// The activity's change sequence the base corresponds to.
    public var syncedSeq: Int64

    public init(
        activityId: String,
        mailbox: String,
        folder: FolderKind,
        itemId: String,
        changeKey: String?,
        base: SyncFields,
        syncedSeq: Int64
    ) {
        self.activityId = activityId
        self.mailbox = mailbox
        self.folder = folder
        self.itemId = itemId
        self.changeKey = changeKey
        self.base = base
        self.syncedSeq = syncedSeq
    }
}

/// One intended remote write, journalled before the request is sent.
public struct JournalEntry: Sendable, Equatable {
    /// `intended` (written, request not yet answered), `done`, or `ambiguous` (answer lost: reconcile by identity).
    public enum State: String, Sendable { case intended, done, ambiguous }

    public var id: Int64
    public var pass: String
    public var mailbox: String
    public var activityId: String?
    public var action: String
    public var itemId: String?
    public var state: State
    public var payload: String?

    public init(
        id: Int64,
        pass: String,
        mailbox: String,
        activityId: String?,
        action: String,
        itemId: String?,
        state: State,
        payload: String?
    ) {
        self.id = id
        self.pass = pass
        self.mailbox = mailbox
        self.activityId = activityId
        self.action = action
        self.itemId = itemId
        self.state = state
        self.payload = payload
    }
}

/// One sync decision in the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var at: String
    public var pass: String?
    public var mailbox: String?
    public var activityId: String?
    public var itemId: String?
    public var action: String
    public var fields: String?
    public var winner: String?
    public var reason: String?

    public init(
        at: String = "",
        pass: String? = nil,
        mailbox: String? = nil,
        activityId: String? = nil,
        itemId: String? = nil,
        action: String,
        fields: String? = nil,
        winner: String? = nil,
        reason: String? = nil
    ) {
        self.at = at
        self.pass = pass
        self.mailbox = mailbox
        self.activityId = activityId
        self.itemId = itemId
        self.action = action
        self.fields = fields
        self.winner = winner
        self.reason = reason
    }
}
