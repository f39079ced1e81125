/// A folder as GetFolder reports it.
public struct EWSFolderInfo: Sendable, Equatable {
    /// The immutable folder id.
    public var id: String
    /// Display name.
    public var displayName: String?
    /// Item count.
    public var totalCount: Int?
}

/// One change reported by SyncFolderItems.
public enum EWSSyncChange: Sendable, Equatable {
    /// An item appeared in the folder (new, or moved in).
    case created(EWSItem)
    /// An item changed.
    case updated(EWSItem)
    /// An item left the folder (deleted, or moved out).
    case deleted(EWSItemId)
    /// Only the read flag changed (handled locally, never fetched).
    case readFlagChanged(EWSItemId)
}

/// One page of SyncFolderItems.
public struct EWSSyncPage: Sendable, Equatable {
    /// The state to send next time; save it only once this page's changes are applied.
    public var syncState: String
    /// True when no further page follows.
    public var includesLastItemInRange: Bool
    /// The changes, newest first as Exchange sends them.
    public var changes: [EWSSyncChange]
}

/// A search condition for FindItem.
public indirect enum EWSRestriction: Sendable, Equatable {
    /// An extended String property equals a value.
    case isEqualTo(EWSExtendedProperty, String)
    /// Any of the conditions.
    case or([EWSRestriction])
    /// All of the conditions.
    case and([EWSRestriction])
}

/// One change to one field of an UpdateItem.
public enum EWSFieldUpdate: Sendable, Equatable {
    /// Set the field to the item's value (a nil or empty value deletes the field instead).
    case set(EWSField)
    /// Remove the field.
    case delete(EWSField)
    /// Set an extended property to the item's value.
    case setExtended(EWSExtendedProperty)
    /// Remove an extended property.
    case deleteExtended(EWSExtendedProperty)
}

/// The changes to one item in an UpdateItem.
public struct EWSItemChange: Sendable, Equatable {
    /// The item with the ChangeKey the change is based on.
    public var itemId: EWSItemId
    /// The new values, read for each `.set`.
    public var item: EWSItem
    /// The field operations, applied in order.
    public var updates: [EWSFieldUpdate]

    /// Creates a change.
    public init(itemId: EWSItemId, item: EWSItem, updates: [EWSFieldUpdate]) {
        self.itemId = itemId
        self.item = item
        self.updates = updates
    }
}

/// `ConflictResolution` of UpdateItem.
public enum EWSConflictResolution: String, Sendable {
    /// Fail with ErrorIrresolvableConflict when the ChangeKey is stale: the sync engine re-reads and merges.
    case neverOverwrite = "NeverOverwrite"
    /// Let the server merge.
    case autoResolve = "AutoResolve"
    /// Overwrite whatever changed meanwhile (activity-sync never uses this).
    case alwaysOverwrite = "AlwaysOverwrite"
}

/// Whether calendar writes send meeting mail.
public enum EWSMeetingMail: Sendable {
    /// No mail.
    case none
    /// Mail to all attendees, copy saved.
    case all
    /// Mail to changed attendees only (updates).
    case changed
}

/// `DeleteType` of DeleteItem.
public enum EWSDeleteType: String, Sendable {
    /// Into Deleted Items, so a person can recover the item (what activity-sync uses).
    case moveToDeletedItems = "MoveToDeletedItems"
    /// Into the dumpster.
    case softDelete = "SoftDelete"
    /// Gone.
    case hardDelete = "HardDelete"
}

/// A subscription created by Subscribe.
public struct EWSSubscription: Sendable, Equatable {
    /// The subscription id.
    public var id: String
    /// The starting watermark (pull subscriptions).
    public var watermark: String?
    /// `X-BackEndOverrideCookie=…` from the Subscribe answer: replayed on GetStreamingEvents so the
    /// group's connection reaches the server holding its subscriptions.
    public var affinityCookie: String?

    public init(id: String, watermark: String? = nil, affinityCookie: String? = nil) {
        self.id = id
        self.watermark = watermark
        self.affinityCookie = affinityCookie
    }
}

/// A notification event (they carry no ChangeKey: SyncFolderItems tells what changed).
public struct EWSEvent: Sendable, Equatable {
    /// `CreatedEvent`, `ModifiedEvent`, `DeletedEvent`, `MovedEvent`, `CopiedEvent`, `NewMailEvent`,
    /// `FreeBusyChangedEvent` or `StatusEvent`.
    public var type: String
    /// The subscription the event belongs to.
    public var subscriptionId: String
    /// The item concerned, if any.
    public var itemId: String?
    /// The folder concerned, if any.
    public var folderId: String?
    /// The event's watermark (pull).
    public var watermark: String?
}

/// One GetEvents answer.
public struct EWSEventBatch: Sendable, Equatable {
    /// Events in order.
    public var events: [EWSEvent]
    /// The watermark to continue from.
    public var watermark: String?
    /// True when GetEvents should be called again at once.
    public var moreEvents: Bool
}
