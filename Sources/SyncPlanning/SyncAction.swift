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

/// One step of a plan. Executing it and recording the new base is the executor's job.
public enum SyncAction: Sendable, Equatable, CustomStringConvertible {
    /// Create the item in Exchange with the CRM values (journalled before the request).
    case createRemote(activity: String, fields: SyncFields)
    /// Write the changed fields to the item, conditional on the ChangeKey read.
    case updateRemote(
        activity: String,
        item: String,
        ifChangeKey: String?,
        fields: SyncFields,
        changed: [SyncFields.Field]
    )
    /// Delete the item (MoveToDeletedItems) and forget the link.
    case deleteRemote(activity: String, item: String)
    /// Import an Outlook item as a new CRM activity.
    case createLocal(item: String, kind: ItemKind, fields: SyncFields)
    /// Write the changed fields to the CRM activity; `restore` undeletes a tombstone (edit beats delete).
    case updateLocal(activity: String, fields: SyncFields, changed: [SyncFields.Field], restore: Bool)
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

    public var description: String {
        switch self {
        case .createRemote(let activity, _): return "create-remote \(activity)"
        case .updateRemote(let activity, let item, _, _, let changed):
            return "update-remote \(activity) \(item) [\(changed.map(\.rawValue).joined(separator: ","))]"
        case .deleteRemote(let activity, let item): return "delete-remote \(activity) \(item)"
        case .createLocal(let item, let kind, _): return "create-local \(item) (\(kind.rawValue))"
        case .updateLocal(let activity, _, let changed, let restore):
            return
                "update-local \(activity) [\(changed.map(\.rawValue).joined(separator: ","))]\(restore ? " restore" : "")"
        case .tombstoneLocal(let activity): return "tombstone-local \(activity)"
        case .unlink(let activity): return "unlink \(activity)"
        case .relink(let activity, let item): return "relink \(activity) \(item)"
        case .setBase(let activity, _): return "set-base \(activity)"
        case .recordConflict(let c):
            return
                "conflict \(c.activityId) \(c.field.rawValue): crm=\(c.crmValue ?? "null") exchange=\(c.exchangeValue ?? "null") → \(c.winner.rawValue) (\(c.policy.rawValue))"
        case .skip(let item, let reason): return "skip \(item): \(reason)"
        }
    }

    /// The activity and the item the action concerns, as far as it names them (log metadata).
    public var subjects: (activity: String?, item: String?) {
        switch self {
        case .createRemote(let activity, _), .updateLocal(let activity, _, _, _), .tombstoneLocal(let activity),
            .unlink(let activity), .setBase(let activity, _):
            return (activity, nil)
        case .updateRemote(let activity, let item, _, _, _), .deleteRemote(let activity, let item),
            .relink(let activity, let item):
            return (activity, item)
        case .createLocal(let item, _, _), .skip(let item, _): return (nil, item)
        case .recordConflict(let conflict): return (conflict.activityId, nil)
        }
    }

    /// Whether the action deletes something on either side (for the circuit breaker).
    public var isDelete: Bool {
        switch self {
        case .deleteRemote, .tombstoneLocal: return true
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
