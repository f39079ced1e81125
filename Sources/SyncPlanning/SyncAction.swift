import ActivityModel

/// Which side a value came from.
public enum SyncSide: String, Sendable, Equatable, Codable {
    case crm
    case exchange
}

/// A field changed on both sides to different values, and how the policy settled it.
public struct SyncConflict: Sendable, Equatable {
    public var activityId: String
    public var field: SyncFields.Field
    public var crmValue: String?
    public var exchangeValue: String?
    public var baseValue: String?
    public var winner: SyncSide
    public var policy: SyncPolicy.ConflictPolicy

    public init(
        activityId: String,
        field: SyncFields.Field,
        crmValue: String?,
        exchangeValue: String?,
        baseValue: String?,
        winner: SyncSide,
        policy: SyncPolicy.ConflictPolicy
    ) {
        self.activityId = activityId
        self.field = field
        self.crmValue = crmValue
        self.exchangeValue = exchangeValue
        self.baseValue = baseValue
        self.winner = winner
        self.policy = policy
    }
}

/// Why an item is removed from a mailbox.
public enum RemovalReason: Sendable, Equatable {
    /// Deleted in the CRM (or deleted in Exchange while the CRM deleted it too).
    case deleted
    /// The activity's `synchronize` flag was turned off.
    case unsynchronized
    /// The activity has a new organizer or assignee: the item moves to their mailbox. Nothing is lost,
    /// so the circuit breaker does not count it (SPEC §2), but it shows in plans.
    case ownerChanged

    var label: String {
        switch self {
        case .deleted: return ""
        case .unsynchronized: return " (synchronize off)"
        case .ownerChanged: return " (owner changed)"
        }
    }
}

/// One step of a plan. The executor runs exactly these and reports what happened; nothing is decided there.
public enum SyncAction: Sendable, Equatable, CustomStringConvertible {
    /// Create the item in Exchange with the CRM values (journalled before the request); `invitations`
    /// sends meeting requests (`send_invitations: all`, calendar items only).
    case createRemote(activity: String, kind: ItemKind, fields: SyncFields, invitations: Bool)
    /// Write the changed fields to the item, conditional on the version read; `meetingMail` sends an
    /// update to the attendees (only when something they see changed).
    case updateRemote(
        activity: String,
        item: String,
        ifVersion: String?,
        fields: SyncFields,
        changed: [SyncFields.Field],
        meetingMail: Bool
    )
    /// Remove the item (MoveToDeletedItems) and forget the link. `mailbox` is nil for the pass's own
    /// mailbox, else the previous owner's (an ownership move seen from the new owner's pass).
    case deleteRemote(activity: String, item: String, mailbox: String?, reason: RemovalReason, cancellations: Bool)
    /// Import an Outlook item as a new CRM activity (its identity is stamped by the `stampIdentity` after it).
    case createLocal(item: String, kind: ItemKind, fields: SyncFields)
    /// Write this instance's identity on an item: `activity` nil means the activity the `createLocal` of
    /// the same item just made.
    case stampIdentity(item: String, activity: String?)
    /// Write the changed fields to the CRM activity; `restore` undeletes a tombstone (edit beats delete).
    case updateLocal(activity: String, fields: SyncFields, changed: [SyncFields.Field], restore: Bool)
    /// Copy the attendees' answers from the organizer's item (Exchange's; never merged or written back).
    case copyResponses(activity: String, responses: [String: AttendeeResponse])
    /// The item was deleted in Exchange: tombstone the activity (restorable) and forget the link.
    case tombstoneLocal(activity: String)
    /// Forget the link, touching neither side.
    case unlink(activity: String)
    /// Link the activity to this item (found by identity: after a move, or bookkeeping lost).
    case relink(activity: String, item: String)
    /// Both sides agree: record these values as the new base.
    case setBase(activity: String, fields: SyncFields)
    /// Record a conflict and how it was settled.
    case recordConflict(SyncConflict)
    /// Left alone on purpose (counted for `status`).
    case skip(item: String, reason: String)
    /// A user's copy of a synced item: this instance's identity comes off it, and it is then the user's own
    /// item (the import rule decides whether it comes into the CRM).
    case releaseCopy(item: String, activity: String)
    /// A second import of one item (an older version's failed stamp): its CRM edits since its base go to the
    /// original, and it is tombstoned and unlinked, audited.
    case retireDuplicate(activity: String, into: String, fields: SyncFields, changed: [SyncFields.Field])

    public var description: String {
        switch self {
        case .createRemote(let activity, let kind, _, let invitations):
            return "create-remote \(activity) (\(kind.rawValue))\(invitations ? " with invitations" : "")"
        case .updateRemote(let activity, let item, _, _, let changed, let mail):
            return "update-remote \(activity) \(item) [\(Self.list(changed))]\(mail ? " with meeting mail" : "")"
        case .deleteRemote(let activity, let item, let mailbox, let reason, let cancellations):
            return "delete-remote \(activity) \(item)\(mailbox.map { " in \($0)" } ?? "")\(reason.label)"
                + (cancellations ? " with cancellations" : "")
        case .createLocal(let item, let kind, _): return "create-local \(item) (\(kind.rawValue))"
        case .stampIdentity(let item, let activity): return "stamp-identity \(item) \(activity ?? "(imported)")"
        case .updateLocal(let activity, _, let changed, let restore):
            return "update-local \(activity) [\(Self.list(changed))]\(restore ? " restore" : "")"
        case .copyResponses(let activity, let responses):
            return "copy-responses \(activity) [\(responses.keys.sorted().joined(separator: ","))]"
        case .tombstoneLocal(let activity): return "tombstone-local \(activity)"
        case .unlink(let activity): return "unlink \(activity)"
        case .relink(let activity, let item): return "relink \(activity) \(item)"
        case .setBase(let activity, _): return "set-base \(activity)"
        case .recordConflict(let c):
            return
                "conflict \(c.activityId) \(c.field.rawValue): crm=\(c.crmValue ?? "null") exchange=\(c.exchangeValue ?? "null") → \(c.winner.rawValue) (\(c.policy.rawValue))"
        case .skip(let item, let reason): return "skip \(item): \(reason)"
        case .releaseCopy(let item, let activity): return "release-copy \(item) (a copy of \(activity))"
        case .retireDuplicate(let activity, let original, _, let changed):
            return "retire-duplicate \(activity) into \(original) [\(Self.list(changed))]"
        }
    }

    private static func list(_ fields: [SyncFields.Field]) -> String { fields.map(\.rawValue).joined(separator: ",") }

    /// The activity and the item the action concerns, as far as it names them (log metadata).
    public var subjects: (activity: String?, item: String?) {
        switch self {
        case .createRemote(let activity, _, _, _), .updateLocal(let activity, _, _, _), .tombstoneLocal(let activity),
            .unlink(let activity), .setBase(let activity, _), .copyResponses(let activity, _):
            return (activity, nil)
        case .updateRemote(let activity, let item, _, _, _, _), .deleteRemote(let activity, let item, _, _, _),
            .relink(let activity, let item):
            return (activity, item)
        case .stampIdentity(let item, let activity): return (activity, item)
        case .releaseCopy(let item, let activity): return (activity, item)
        case .retireDuplicate(let activity, _, _, _): return (activity, nil)
        case .createLocal(let item, _, _), .skip(let item, _): return (nil, item)
        case .recordConflict(let conflict): return (conflict.activityId, nil)
        }
    }

    /// Whether the action deletes something on either side (for the circuit breaker): the delete half
    /// of an ownership move loses nothing and does not count.
    public var isDelete: Bool {
        switch self {
        case .deleteRemote(_, _, _, let reason, _): return reason != .ownerChanged
        case .tombstoneLocal: return true
        default: return false
        }
    }

    /// Whether the action writes to Exchange.
    public var isRemoteWrite: Bool {
        switch self {
        case .createRemote, .updateRemote, .deleteRemote, .stampIdentity, .releaseCopy: return true
        default: return false
        }
    }
}

/// A plan: the actions of one pass, in order; printable one action a line.
public struct SyncPlan: Sendable, Equatable, CustomStringConvertible {
    public var actions: [SyncAction]

    public init(_ actions: [SyncAction] = []) { self.actions = actions }

    /// True when the plan changes nothing (skips only record what was left alone).
    public var isEmpty: Bool {
        actions.allSatisfy {
            guard case .skip = $0 else { return false }
            return true
        }
    }

    public var description: String { actions.map(\.description).joined(separator: "\n") }
}
