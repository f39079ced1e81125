import Foundation
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
    /// The linked item's DateTimeCreated (Exchange's clock), once seen: a move keeps it, so with the linked
    /// ItemId gone, the item carrying the identity with this creation time is the linked one moved — not an
    /// older one restored from Deleted Items, nor a user's copy.
    public var created: String?
    /// Whether a saved folder cursor knows the linked item: kept by the store, which sets it false whenever a
    /// link gets a new item and true when a pass that listed the item saves its cursor (`markListed`). An item
    /// made (or moved in) after the saved cursor and deleted before the next listing is never reported by it
    /// (Exchange leaves out what was created and deleted since a sync state): such a link's item is read by id.
    public var listed: Bool

    public init(
        activityId: String,
        mailbox: String,
        folder: FolderKind,
        itemId: String,
        changeKey: String?,
        base: SyncFields,
        syncedSeq: Int64,
        created: String? = nil,
        listed: Bool = false
    ) {
        self.activityId = activityId
        self.mailbox = mailbox
        self.folder = folder
        self.itemId = itemId
        self.changeKey = changeKey
        self.base = base
        self.syncedSeq = syncedSeq
        self.created = created
        self.listed = listed
    }
}

/// One intended remote write, journalled before the request is sent.
public struct JournalEntry: Sendable, Equatable {
    /// `intended` (written, request not yet answered), `done`, `ambiguous` (answer lost: reconcile by
    /// identity), or `held` (an import the CRM's rules refused after its stamp landed: finished when the user
    /// next changes the item).
    public enum State: String, Sendable { case intended, done, ambiguous, held }

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

extension JournalEntry {
    /// What a create or an update sent: the values, and (updates) the fields written.
    struct Sent: Codable {
        var fields: SyncFields
        var changed: [SyncFields.Field]?
    }

    /// The payload of a remote write: its folder, and for a create or an update the values sent (a write
    /// whose answer was lost, or whose confirmation a crash cut off, is judged by them next pass: an item
    /// holding what we sent holds our write, not a user's edit).
    public static func payload(
        folder: FolderKind,
        sent: SyncFields? = nil,
        changed: [SyncFields.Field]? = nil
    ) -> String {
        guard let sent, let json = try? JSONEncoder().encode(Sent(fields: sent, changed: changed)) else {
            return folder.rawValue
        }
        return folder.rawValue + "\n" + String(decoding: json, as: UTF8.self)
    }

    /// The payload of an ownership move's delete half, one per line: the old mailbox, the base its item is
    /// judged by, the judged item's LastModifiedTime and DateTimeCreated (Exchange's clock), and the CRM's
    /// values once that item's edits were carried (what a later CRM edit is told apart from).
    public static func moveOutPayload(
        mailbox: String,
        base: SyncFields?,
        judged: JudgedItem? = nil,
        crm: SyncFields? = nil
    ) -> String {
        guard let base, let json = try? JSONEncoder().encode(base) else { return mailbox }
        var lines = [mailbox, String(decoding: json, as: UTF8.self)]
        if let judged, !judged.modified.isEmpty { lines += [judged.modified, judged.created] }
        if let crm, let json = try? JSONEncoder().encode(crm) {
            if lines.count == 2 { lines += ["", ""] }
            lines.append(String(decoding: json, as: UTF8.self))
        }
        return lines.joined(separator: "\n")
    }

    /// An ownership move's delete half: the old mailbox, the base, the old item as judged, and the CRM's
    /// values then.
    public var moveOut: (mailbox: String, base: SyncFields?, judged: JudgedItem?, crm: SyncFields?)? {
        guard action == "move-out", let payload else { return nil }
        let parts = payload.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let decode = { (index: Int) in
            parts.count > index ? try? JSONDecoder().decode(SyncFields.self, from: Data(parts[index].utf8)) : nil
        }
        let judged =
            parts.count >= 3 && !parts[2].isEmpty
            ? JudgedItem(modified: parts[2], created: parts.count > 3 ? parts[3] : "") : nil
        return (parts[0], decode(1), judged, decode(4))
    }

    /// The payload of a copy's release: its folder, and its DateTimeCreated (a move keeps it, so the copy is
    /// known again under the new ItemId an Outlook move gives it).
    public static func releasePayload(folder: FolderKind, created: String) -> String {
        created.isEmpty ? folder.rawValue : folder.rawValue + "\n" + created
    }

    /// The released copy's DateTimeCreated (nil when the server did not say, or for entries from before).
    public var releasedCreated: String? {
        guard action == "release", let payload else { return nil }
        let parts = payload.split(separator: "\n", omittingEmptySubsequences: false)
        return parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
    }

    /// The folder the write went to (entries from before the payload held more than the folder included). A
    /// move-out's payload names its old mailbox instead: its folder is its activity's (`MailboxSync.placement`).
    public var folder: FolderKind {
        FolderKind(rawValue: String((payload ?? "").prefix { $0 != "\n" })) ?? .tasks
    }

    /// The values a create or an update sent, and the fields an update wrote (nil: all of them).
    public var sent: (fields: SyncFields, changed: [SyncFields.Field]?)? {
        guard let payload, let newline = payload.firstIndex(of: "\n"),
            let sent = try? JSONDecoder().decode(Sent.self, from: Data(payload[payload.index(after: newline)...].utf8))
        else { return nil }
        return (sent.fields, sent.changed)
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
    /// Who acted: nil for the sync's own decisions, the user for ops' commands ("alice (uid 1000)").
    public var actor: String?

    public init(
        at: String = "",
        pass: String? = nil,
        mailbox: String? = nil,
        activityId: String? = nil,
        itemId: String? = nil,
        action: String,
        fields: String? = nil,
        winner: String? = nil,
        reason: String? = nil,
        actor: String? = nil
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
        self.actor = actor
    }
}

/// An old owner's item as an ownership move judged it (its edits carried into the CRM then).
public struct JudgedItem: Sendable, Equatable {
    public var modified: String
    /// Empty when the server did not say.
    public var created: String

    public init(modified: String, created: String = "") {
        self.modified = modified
        self.created = created
    }

    /// Two judgements of one move-out's items as one: the latest of each time.
    public func spanning(_ other: JudgedItem) -> JudgedItem {
        JudgedItem(modified: max(modified, other.modified), created: max(created, other.created))
    }

    /// Whether an item carrying the identity may be the one judged (moved since: a move keeps DateTimeCreated),
    /// rather than a user's copy made of it later (a copy is created anew).
    public func mayBe(created other: String) -> Bool {
        created.isEmpty || other.isEmpty || other <= created
    }

    /// Whether this item (the judged one, or one found by its identity when that is gone) holds no edit made
    /// since: not modified since (the same item, or an older copy whose older values are no edit).
    public func holdsNothingNew(_ item: ExchangeSide) -> Bool {
        !item.lastModified.isEmpty && item.lastModified <= modified
    }
}
