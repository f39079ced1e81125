import ActivityModel

/// The pure sync planner: observations and policy in, a plan out. No I/O, no clock, no logger.
///
/// Per pair it decides on the cell of {unchanged, changed, deleted, absent} × {CRM, Exchange} ×
/// {base present, absent}: a side is *unchanged* when its values equal the base (which is also how the
/// engine's own writes are recognised when they come back), *changed* otherwise, *deleted* when it was
/// linked and is gone or tombstoned, *absent* when it never was. Changed on both sides means a
/// three-way merge field by field; only the same field changed to different values is a conflict.
public enum SyncPlanner {
    /// Plans every pair.
    public static func makePlan(_ observations: [PairObservation], policy: SyncPolicy) -> SyncPlan {
        SyncPlan(observations.flatMap { plan($0, policy: policy) })
    }

    /// Plans one pair.
    public static func plan(_ pair: PairObservation, policy: SyncPolicy) -> [SyncAction] {
        if pair.base != nil { return planLinked(pair, policy: policy) }
        return planUnlinked(pair, policy: policy)
    }

    // MARK: - Linked pairs (base present)

    private static func planLinked(_ pair: PairObservation, policy: SyncPolicy) -> [SyncAction] {
        guard let base = pair.base else { return [] }
        var actions: [SyncAction] = []
        let crm = pair.crm
        let exchange = pair.exchange
        let activityId = crm?.activityId ?? exchange?.activityId ?? ""
        // The activity moved to another employee's mailbox: this copy goes (its delete loses nothing).
        if let crm, crm.ownedElsewhere {
            guard let exchange else { return [.unlink(activity: activityId)] }
            return [removal(crm, item: exchange.itemId, reason: crm.deleted ? .deleted : .ownerChanged, policy)]
        }
        // An Outlook move (or a lost link) shows the same identity under a new ItemId: re-link, then merge.
        if let exchange, let linked = pair.linkedItemId, exchange.itemId != linked {
            actions.append(.relink(activity: activityId, item: exchange.itemId))
        }
        // Linked by its ItemId but without our identity (a stamp that never landed): stamp it again.
        if let exchange, exchange.activityId == nil {
            actions.append(.stampIdentity(item: exchange.itemId, activity: activityId))
        }
        let crmGone = crm == nil || crm!.deleted
        let crmChanged = crm.map { $0.fields != base } ?? false
        let exchangeChanged = exchange.map { $0.fields != base } ?? false

        // Synchronisation turned off on a linked activity: its item goes.
        if let crm, !crm.deleted, !crm.synchronize {
            if let exchange {
                actions.append(removal(crm, item: exchange.itemId, reason: .unsynchronized, policy))
            } else {
                actions.append(.unlink(activity: activityId))
            }
            return actions
        }
        switch (crmGone, exchange) {
        case (true, nil):
            actions.append(.unlink(activity: activityId))
        case (true, .some(let item)):
            if exchangeChanged || policy.restoreDeletes, let crm {
                // Edit beats delete: the Outlook edit brings the activity back.
                actions.append(
                    .updateLocal(
                        activity: crm.activityId,
                        fields: item.fields,
                        changed: item.fields.changedFields(from: crm.fields),
                        restore: true
                    )
                )
            } else {
                actions.append(
                    .deleteRemote(
                        activity: activityId,
                        item: item.itemId,
                        mailbox: nil,
                        reason: .deleted,
                        cancellations: policy.sendInvitations && item.kind == .calendarItem
                    )
                )
            }
        case (false, nil):
            guard let crm else { break }
            if crmChanged || policy.restoreDeletes {
                // Edit beats delete: the CRM edit re-creates the item (same identity).
                actions.append(create(crm, policy))
            } else if policy.remoteDelete == .unlink {
                actions.append(.unlink(activity: crm.activityId))
            } else {
                actions.append(.tombstoneLocal(activity: crm.activityId))
            }
        case (false, .some(let item)):
            guard let crm else { break }
            actions += merge(crm: crm, exchange: item, base: base, policy: policy)
        }
        return actions
    }

    // MARK: - Unlinked pairs (no base)

    private static func planUnlinked(_ pair: PairObservation, policy: SyncPolicy) -> [SyncAction] {
        switch (pair.crm, pair.exchange) {
        case (nil, nil):
            return []
        case (.some(let crm), nil):
            guard !crm.deleted, crm.synchronize, !crm.ownedElsewhere else { return [] }
            if let previous = pair.linkedElsewhere {
                // A new organizer or assignee: out of the previous owner's mailbox, into this one (linked
                // items stay linked whatever their date, so the window does not apply).
                return [moveOut(crm, previous), create(crm, policy)]
            }
            guard crm.inWindow else { return [] }
            return [create(crm, policy)]
        case (nil, .some(let item)):
            if let activity = item.activityId {
                // Ours by identity, but the CRM has no such activity: never guessed away.
                return [.skip(item: item.itemId, reason: "carries activity \(activity), which the CRM does not have")]
            }
            if item.isRecurring { return [.skip(item: item.itemId, reason: "recurring series")] }
            let wanted: Bool
            switch policy.importRule {
            case .none: wanted = false
            case .all: wanted = true
            case .category: wanted = item.hasCategory
            }
            guard wanted, item.inWindow else { return [] }
            return [
                .createLocal(item: item.itemId, kind: item.kind, fields: item.fields),
                .stampIdentity(item: item.itemId, activity: nil),
            ]
        case (.some(let crm), .some(let item)):
            if crm.ownedElsewhere {
                // A copy left in the previous owner's mailbox.
                return [removal(crm, item: item.itemId, reason: crm.deleted ? .deleted : .ownerChanged, policy)]
            }
            // Matched by identity without a link (bookkeeping lost, or an ambiguous create): re-link.
            var actions: [SyncAction] = pair.linkedElsewhere.map { [moveOut(crm, $0)] } ?? []
            actions.append(.relink(activity: crm.activityId, item: item.itemId))
            if crm.deleted && policy.restoreDeletes {
                return actions + [
                    .updateLocal(
                        activity: crm.activityId,
                        fields: item.fields,
                        changed: item.fields.changedFields(from: crm.fields),
                        restore: true
                    )
                ]
            }
            if crm.deleted || !crm.synchronize {
                return actions + [
                    removal(crm, item: item.itemId, reason: crm.deleted ? .deleted : .unsynchronized, policy)
                ]
            }
            return actions + merge(crm: crm, exchange: item, base: nil, policy: policy)
        }
    }

    private static func create(_ crm: CRMSide, _ policy: SyncPolicy) -> SyncAction {
        .createRemote(
            activity: crm.activityId,
            kind: crm.kind,
            fields: crm.fields,
            invitations: policy.sendInvitations && crm.kind == .calendarItem
        )
    }

    private static func removal(_ crm: CRMSide, item: String, reason: RemovalReason, _ policy: SyncPolicy) -> SyncAction
    {
        .deleteRemote(
            activity: crm.activityId,
            item: item,
            mailbox: nil,
            reason: reason,
            cancellations: reason == .deleted && policy.sendInvitations && crm.kind == .calendarItem
        )
    }

    private static func moveOut(_ crm: CRMSide, _ previous: ForeignLink) -> SyncAction {
        .deleteRemote(
            activity: crm.activityId,
            item: previous.itemId,
            mailbox: previous.mailbox,
            reason: .ownerChanged,
            cancellations: false
        )
    }

    // MARK: - Three-way merge

    /// What attendees see of a meeting: an update of these sends them meeting mail (under `send_invitations: all`).
    static let attendeeVisible: Set<SyncFields.Field> = [
        .subject, .information, .start, .end, .allDay, .location, .attendees,
    ]

    /// Merges field by field; without a base every differing field counts as changed on both sides.
    static func merge(crm: CRMSide, exchange: ExchangeSide, base: SyncFields?, policy: SyncPolicy) -> [SyncAction] {
        var merged = crm.fields
        var conflicts: [SyncAction] = []
        for field in SyncFields.Field.allCases {
            let c = crm.fields.text(field)
            let e = exchange.fields.text(field)
            guard c != e else { continue }
            let b = base?.text(field)
            if base != nil && c == b {
                merged.take(field, from: exchange.fields)  // only Exchange changed it
            } else if base != nil && e == b {
                continue  // only the CRM changed it
            } else {
                let winner = winner(crm: crm, exchange: exchange, policy: policy)
                if winner == .exchange { merged.take(field, from: exchange.fields) }
                conflicts.append(
                    .recordConflict(
                        SyncConflict(
                            activityId: crm.activityId,
                            field: field,
                            crmValue: c,
                            exchangeValue: e,
                            baseValue: b,
                            winner: winner,
                            policy: policy.conflictPolicy
                        )
                    )
                )
            }
        }
        var actions = conflicts
        let toExchange = merged.changedFields(from: exchange.fields)
        let toCRM = merged.changedFields(from: crm.fields)
        if !toExchange.isEmpty {
            actions.append(
                .updateRemote(
                    activity: crm.activityId,
                    item: exchange.itemId,
                    ifVersion: exchange.changeKey,
                    fields: merged,
                    changed: toExchange,
                    meetingMail: policy.sendInvitations && exchange.kind == .calendarItem
                        && !attendeeVisible.isDisjoint(with: toExchange)
                )
            )
        }
        if !toCRM.isEmpty {
            actions.append(.updateLocal(activity: crm.activityId, fields: merged, changed: toCRM, restore: false))
        }
        if toExchange.isEmpty && toCRM.isEmpty && base != merged {
            actions.append(.setBase(activity: crm.activityId, fields: merged))
        }
        // The attendees' answers come from the organizer's item as they are: Exchange's alone.
        var responses = crm.responses
        for (email, answer) in exchange.responses where responses[email] != nil { responses[email] = answer }
        if responses != crm.responses {
            actions.append(.copyResponses(activity: crm.activityId, responses: responses))
        }
        return actions
    }

    static func winner(crm: CRMSide, exchange: ExchangeSide, policy: SyncPolicy) -> SyncSide {
        switch policy.conflictPolicy {
        case .crmWins: return .crm
        case .exchangeWins: return .exchange
        // Ties go to the CRM: it is the system of record.
        case .newestWins: return exchange.lastModified > crm.updatedAt ? .exchange : .crm
        }
    }
}

/// The pure safety check run on a plan before anything executes.
public enum SyncSafety {
    /// The verdict on a plan.
    public enum Verdict: Sendable, Equatable {
        case proceed
        /// Too many deletes: pause the mailbox until ops decide (`resync --allow-deletes|--restore-deletes`).
        case pause(reason: String)
    }

    /// The mass-delete circuit breaker: deletes of both directions together above `max_deletes`, or
    /// above `max_delete_ratio` of the linked items while numbering more than 5.
    public static func check(_ plan: SyncPlan, linkedCount: Int, policy: SyncPolicy) -> Verdict {
        let deletes = plan.actions.filter(\.isDelete).count
        if deletes > policy.maxDeletes {
            return .pause(reason: "\(deletes) deletes exceed sync.max_deletes (\(policy.maxDeletes))")
        }
        if deletes > 5, linkedCount > 0, Double(deletes) > policy.maxDeleteRatio * Double(linkedCount) {
            return .pause(
                reason:
                    "\(deletes) deletes of \(linkedCount) linked items exceed sync.max_delete_ratio (\(policy.maxDeleteRatio))"
            )
        }
        return .proceed
    }
}
