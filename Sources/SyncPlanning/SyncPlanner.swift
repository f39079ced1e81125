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
        if let original = pair.duplicateOf, let crm = pair.crm, let base = pair.base {
            return [
                .retireDuplicate(
                    activity: crm.activityId,
                    into: original,
                    fields: crm.fields,
                    changed: crm.deleted ? [] : crm.fields.changedFields(from: base)
                )
            ]
        }
        if let original = pair.copyOf, let copy = pair.exchange {
            // Two items carry one identity: this one is the user's copy, and becomes the user's own.
            return [.releaseCopy(item: copy.itemId, activity: original)]
        }
        if let sent = pair.journalled, pair.base == nil, let crm = pair.crm, let item = pair.exchange {
            // Our create did happen (its answer was lost): linked as created, then planned as a linked pair.
            var linked = pair
            linked.base = sent
            linked.linkedItemId = item.itemId
            // (Not linked here when the activity has moved to another mailbox meanwhile: it only goes.)
            let relink: [SyncAction] = crm.ownedElsewhere ? [] : [.relink(activity: crm.activityId, item: item.itemId)]
            return relink + planLinked(linked, policy: policy)
        }
        if pair.base != nil { return planLinked(pair, policy: policy) }
        return planUnlinked(pair, policy: policy)
    }

    // MARK: - Linked pairs (base present)

    private static func planLinked(_ pair: PairObservation, policy: SyncPolicy) -> [SyncAction] {
        guard let base = pair.base else { return [] }
        var actions: [SyncAction] = []
        let exchange = pair.exchange
        let activityId = pair.crm?.activityId ?? exchange?.activityId ?? ""
        // The delete half of an ownership move that has not landed yet: sent again, after what was edited
        // there meanwhile comes into the CRM.
        var crm = pair.crm
        if let moving = crm, !moving.ownedElsewhere, let previous = pair.linkedElsewhere {
            let left = leave(moving, previous, editBeatsDelete: true, policy: policy)
            actions += left.actions
            crm = left.crm
        }
        // An Outlook move (or a lost link) shows the same identity under a new ItemId: re-link, then merge.
        if let exchange, let linked = pair.linkedItemId, exchange.itemId != linked {
            actions.append(.relink(activity: activityId, item: exchange.itemId))
        }
        // The activity moved to another employee's mailbox: this item goes (its delete loses nothing: an
        // Outlook edit not yet synced comes into the CRM first, and from there into the new owner's item).
        if let crm, crm.ownedElsewhere {
            guard let exchange else { return [.unlink(activity: activityId)] }
            guard crm.deleted else {
                let carried = carryOver(crm: crm, from: exchange, base: base, policy: policy).actions
                return actions + carried + [removal(crm, item: exchange.itemId, reason: .ownerChanged, policy)]
            }
            guard exchange.fields != base else {
                return actions + [removal(crm, item: exchange.itemId, reason: .deleted, policy)]
            }
            // Edit beats delete: the old owner's edit brings the activity back (into its new owner's mailbox).
            return actions + [
                .updateLocal(
                    activity: crm.activityId,
                    fields: exchange.fields,
                    changed: exchange.fields.changedFields(from: crm.fields),
                    restore: true
                ),
                removal(crm, item: exchange.itemId, reason: .ownerChanged, policy),
            ]
        }
        // Linked by its ItemId but without our identity (a stamp that never landed): stamp it again.
        if let exchange, exchange.activityId == nil {
            actions.append(.stampIdentity(item: exchange.itemId, activity: activityId))
        }
        let crmGone = crm == nil || crm!.deleted
        let crmChanged = crm.map { $0.fields != base } ?? false
        let exchangeChanged = exchange.map { $0.fields != base } ?? false

        // Synchronisation turned off on a linked activity: its item goes (an Outlook edit not yet synced comes
        // into the CRM first).
        if let crm, !crm.deleted, !crm.synchronize {
            if let exchange {
                actions += carryOver(crm: crm, from: exchange, base: base, policy: policy).actions
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
                // Edit beats delete: the Outlook edit brings the activity back, merged with what the CRM
                // changed before it deleted the activity.
                var restored = crm
                restored.deleted = false
                actions.append(.updateLocal(activity: crm.activityId, fields: crm.fields, changed: [], restore: true))
                actions += merge(crm: restored, exchange: item, base: base, policy: policy)
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
            if pair.removedByUs {
                // Our own delete (synchronize was off, say), its bookkeeping cut off: the link goes; the CRM's
                // state decides afresh (created again when it is to be synced).
                actions.append(.unlink(activity: crm.activityId))
                if crm.synchronize && crm.inWindow { actions.append(create(crm, policy)) }
            } else if crmChanged || policy.restoreDeletes {
                // Edit beats delete: the CRM edit re-creates the item (same identity). The link to the deleted
                // item goes first: should the create fail, the next pass still knows there is none.
                actions += [.unlink(activity: crm.activityId), create(crm, policy)]
            } else if policy.remoteDelete == .unlink {
                actions.append(.unlink(activity: crm.activityId))
            } else {
                actions.append(.tombstoneLocal(activity: crm.activityId))
            }
        case (false, .some(let item)):
            guard let crm else { break }
            actions += merge(
                crm: crm,
                exchange: item,
                base: base,
                policy: policy,
                rebased: pair.rebased,
                uncertain: pair.uncertain
            )
        }
        return actions
    }

    // MARK: - Unlinked pairs (no base)

    private static func planUnlinked(_ pair: PairObservation, policy: SyncPolicy) -> [SyncAction] {
        switch (pair.crm, pair.exchange) {
        case (nil, nil):
            return []
        case (.some(let crm), nil):
            if let previous = pair.linkedElsewhere, !crm.ownedElsewhere, crm.deleted || !crm.synchronize {
                // Deleted or no longer synced while its move-out was pending: the old owner's items still go
                // (an edit made there since comes in first, and brings a deleted activity back).
                let left = leave(crm, previous, editBeatsDelete: true, policy: policy)
                let back = !left.crm.deleted && left.crm.synchronize
                return left.actions + (back ? [create(left.crm, policy)] : [])
            }
            guard !crm.deleted, crm.synchronize, !crm.ownedElsewhere else { return [] }
            if let previous = pair.linkedElsewhere {
                // A new organizer or assignee: out of the previous owner's mailbox, into this one (linked
                // items stay linked whatever their date, so the window does not apply). An edit made in the
                // old owner's Outlook and not yet synced comes along.
                let left = leave(crm, previous, policy: policy)
                return left.actions + [create(left.crm, policy)]
            }
            guard crm.inWindow else { return [] }
            return [create(crm, policy)]
        case (nil, .some(let item)):
            if item.activityId != nil && pair.importing {
                return [.createLocal(item: item.itemId, kind: item.kind, fields: item.fields)]
            }
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
                // Not linked here, and the activity lives in another mailbox: someone's copy of it (an
                // attendee's, a delegate's, a user's copy across mailboxes). Never re-linked nor deleted.
                return [.skip(item: item.itemId, reason: "a copy of \(crm.activityId), which lives in another mailbox")]
            }
            // Matched by identity without a link (bookkeeping lost, or an item in the new owner's mailbox
            // already): re-link.
            var actions: [SyncAction] = []
            var crm = crm
            if let previous = pair.linkedElsewhere {
                // Its old owner's item goes; an edit made there and not yet synced comes along first.
                let left = leave(crm, previous, policy: policy)
                actions += left.actions
                crm = left.crm
            }
            actions.append(.relink(activity: crm.activityId, item: item.itemId))
            if crm.deleted && PlannerDefects.restoreDeletedAgain {
                return actions + [removal(crm, item: item.itemId, reason: .deleted, policy)]
            }
            if crm.deleted {
                // Not linked, yet carrying the identity of a deleted activity: the user restored the item after
                // a pass deleted the pair (from Deleted Items, or moved back into a synced folder). It brings
                // its activity back, whichever side deleted it. (Edits carried from an old owner's item come
                // back with it; the restored item is then merged like any unlinked match.)
                var restored = crm
                restored.deleted = false
                return actions + [
                    .updateLocal(activity: crm.activityId, fields: crm.fields, changed: [], restore: true)
                ]
                    + merge(crm: restored, exchange: item, base: nil, policy: policy)
            }
            if !crm.synchronize {
                // (A restored item of an activity no longer synced: what it holds that the CRM does not comes
                // in first, every difference a conflict settled and recorded, as there is no base.)
                return actions + carryOver(crm: crm, from: item, base: nil, policy: policy).actions + [
                    removal(crm, item: item.itemId, reason: .unsynchronized, policy)
                ]
            }
            // Without a base, every difference is a conflict, settled by the policy and recorded (the item may
            // be a user's copy of any age).
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

    /// An ownership move's delete half: every item of the activity in the previous owner's mailbox goes,
    /// after what was edited there and not yet synced comes into the CRM (each one's edits in turn, so two
    /// items holding different edits of a field make a recorded conflict). With `editBeatsDelete`, such an
    /// edit also brings back an activity the CRM deleted meanwhile (otherwise the caller's rules decide what
    /// a deleted one's carried edits do). Answers the actions and the CRM side as it will be.
    static func leave(
        _ crm: CRMSide,
        _ previous: ForeignLink,
        editBeatsDelete: Bool = false,
        policy: SyncPolicy
    ) -> (actions: [SyncAction], crm: CRMSide) {
        var actions: [SyncAction] = []
        var moving = crm
        if let linkedBase = previous.base {
            // (The base is the linked item's: the others — a restored one of any age — have none, so every
            // difference of theirs is a conflict, settled by the policy and recorded.)
            let olds =
                [previous.item].compactMap { $0 }.map { ($0, Optional(linkedBase)) }
                + previous.others.map { ($0, SyncFields?.none) }
            for (old, base) in olds {
                if moving.deleted && editBeatsDelete {
                    // Edit beats delete: an edit in the old owner's Outlook after the CRM's delete brings the
                    // activity back (into its new owner's mailbox).
                    guard old.fields != base else { continue }
                    moving.deleted = false
                    actions.append(
                        .updateLocal(activity: moving.activityId, fields: moving.fields, changed: [], restore: true)
                    )
                }
                let carried = carryOver(
                    crm: moving,
                    from: old,
                    base: base.map { judged(old, $0, previous.crmBase) },
                    policy: policy
                )
                actions += carried.actions
                moving.fields = carried.merged
            }
        }
        for item in [previous.itemId] + previous.others.map(\.itemId) where !item.isEmpty {
            actions.append(
                .deleteRemote(
                    activity: crm.activityId,
                    item: item,
                    mailbox: previous.mailbox,
                    reason: .ownerChanged,
                    cancellations: false
                )
            )
        }
        return (actions, moving)
    }

    /// The base an old item's carried edits are merged by, when the CRM's values then differed from the item's
    /// (a move-out retried): a field the item changed since is its edit, against the CRM's value then (so a
    /// later CRM edit of it is a conflict, never overwritten); a field it did not change carries nothing.
    static func judged(_ old: ExchangeSide, _ held: SyncFields, _ crmThen: SyncFields?) -> SyncFields {
        guard var base = crmThen else { return held }
        // (The schedule is one value: changed in any of its fields, it is the item's edit as a whole.)
        let unchanged = { (field: SyncFields.Field) in old.fields.text(field) == held.text(field) }
        let scheduleUnchanged = schedule.allSatisfy(unchanged)
        for field in SyncFields.Field.allCases
        where schedule.contains(field) ? scheduleUnchanged : unchanged(field) {
            base.take(field, from: old.fields)
        }
        return base
    }

    // MARK: - Three-way merge

    /// What an item about to leave (its activity has a new owner) holds that the CRM does not: its fields
    /// changed since the base come into the CRM (conflicts settled by the policy). The merged values, and the
    /// actions that record them.
    static func carryOver(
        crm: CRMSide,
        from item: ExchangeSide,
        base: SyncFields?,
        policy: SyncPolicy
    ) -> (
        merged: SyncFields, actions: [SyncAction]
    ) {
        if PlannerDefects.noCarryOver { return (crm.fields, []) }
        let actions = merge(crm: crm, exchange: item, base: base, policy: policy).filter {
            switch $0 {
            case .recordConflict, .updateLocal: return true
            default: return false
            }
        }
        var merged = crm.fields
        for case .updateLocal(_, let fields, _, _) in actions { merged = fields }
        return (merged, actions)
    }

    /// What attendees see of a meeting: an update of these sends them meeting mail (under `send_invitations: all`).
    static let attendeeVisible: Set<SyncFields.Field> = [
        .subject, .information, .start, .end, .allDay, .location, .attendees,
    ]

    /// The fields that make up when an activity happens.
    static let schedule: Set<SyncFields.Field> = [.start, .end, .due, .allDay]

    /// The fields that make up how far a task is: Exchange holds 100 % as Completed (`[R:percentcomplete]`), so
    /// a status from one side and a percent from the other can make a pair it cannot hold.
    static let completion: Set<SyncFields.Field> = [.status, .percentComplete]

    /// Fields that are one value: changed on both sides, every differing field of a group goes to one winner.
    static let groups = [schedule, completion]

    /// Merges field by field; without a base every differing field counts as changed on both sides.
    static func merge(
        crm: CRMSide,
        exchange: ExchangeSide,
        base: SyncFields?,
        policy: SyncPolicy,
        rebased: Bool = false,
        uncertain: Set<SyncFields.Field> = []
    ) -> [SyncAction] {
        var merged = crm.fields
        var conflicts: [SyncAction] = []
        func changed(_ side: SyncFields, _ field: SyncFields.Field) -> Bool {
            guard let base, !uncertain.contains(field) else { return true }
            return side.text(field) != base.text(field)
        }
        // The schedule is one value: a start taken from one side and an end from the other can make a range
        // neither side holds (an end before its start, which both sides refuse); so is a task's completion.
        // Changed on both sides, every differing field of such a group goes to the one winner.
        let clashing = groups.filter { group in
            group.contains { changed(crm.fields, $0) } && group.contains { changed(exchange.fields, $0) }
        }
        for field in SyncFields.Field.allCases {
            let c = crm.fields.text(field)
            let e = exchange.fields.text(field)
            guard c != e else { continue }
            let b = base?.text(field)
            let clash = clashing.contains { $0.contains(field) }
            if !clash && !changed(crm.fields, field) {
                merged.take(field, from: exchange.fields)  // only Exchange changed it
            } else if !clash && !changed(exchange.fields, field) {
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
        // What the CRM keeps of the merge is what both sides get: a reminder after a call's start rings at it.
        if let atStart = crm.reminderAtStart, let reminder = merged.reminderDueBy, reminder < atStart {
            merged.reminderDueBy = atStart
        }
        var actions = conflicts
        // (A field the item holds misaligned is written with the pair's value even when the values compare equal.)
        let differing = Set(merged.changedFields(from: exchange.fields)).union(exchange.misaligned)
        let toExchange = SyncFields.Field.allCases.filter(differing.contains)
        let toCRM = merged.changedFields(from: crm.fields)
        if !toExchange.isEmpty {
            actions.append(
                .updateRemote(
                    activity: crm.activityId,
                    item: exchange.itemId,
                    ifVersion: exchange.changeKey,
                    fields: merged,
                    changed: toExchange,
                    // (Not for a rewrite of what the attendees already see: a misaligned form, our refreshed line.)
                    meetingMail: policy.sendInvitations && exchange.kind == .calendarItem
                        && !attendeeVisible.isDisjoint(with: merged.changedFields(from: exchange.fields))
                )
            )
        }
        if !toCRM.isEmpty {
            actions.append(.updateLocal(activity: crm.activityId, fields: merged, changed: toCRM, restore: false))
        }
        if toExchange.isEmpty && toCRM.isEmpty && (base != merged || rebased) {
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
