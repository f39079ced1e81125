import ActivityModel
import SyncPlanning
import Testing

@Suite("planner: field-level merge, policies, window, import rule, moves, breaker")
struct PlannerMergeTests {
    static func pair(
        crm: SyncFields,
        exchange: SyncFields,
        crmUpdated: String = "2026-12-01T10:00:00Z",
        exchangeModified: String = "2026-12-01T09:00:00Z"
    ) -> PairObservation {
        PairObservation(
            crm: CRMSide(activityId: "A1", fields: crm, updatedAt: crmUpdated),
            exchange: ExchangeSide(
                itemId: "I1",
                changeKey: "K1",
                kind: .task,
                fields: exchange,
                lastModified: exchangeModified,
                activityId: "A1"
            ),
            base: Values.base,
            linkedItemId: "I1"
        )
    }

    @Test("different fields changed on both sides: both kept, no conflict")
    func differentFields() throws {
        let plan = SyncPlanner.makePlan(
            [Self.pair(crm: Values.crmEdit, exchange: Values.exchangeEdit)],
            policy: SyncPolicy()
        )
        let merged = Values.with(Values.crmEdit) { $0.status = "in_process" }
        #expect(
            plan.actions == [
                .updateRemote(
                    activity: "A1",
                    item: "I1",
                    ifVersion: "K1",
                    fields: merged,
                    changed: [.subject],
                    meetingMail: false
                ),
                .updateLocal(activity: "A1", fields: merged, changed: [.status], restore: false),
            ]
        )
    }

    @Test(
        "a call kept as a task: an Outlook reminder after the call's start merges as the CRM keeps it, at the start, both ways"
    )
    func reminderAfterCallStart() throws {
        // (A call at 10:00 on its day: the task reminder that rings at the start is -600; -1020 rings at 17:00.)
        var base = Values.base
        base.reminderDueBy = -540
        var outlook = base
        outlook.reminderDueBy = -1020
        var pair = Self.pair(crm: base, exchange: outlook)
        pair.base = base
        pair.crm?.reminderAtStart = -600
        var merged = base
        merged.reminderDueBy = -600
        #expect(
            SyncPlanner.plan(pair, policy: SyncPolicy()) == [
                .updateRemote(
                    activity: "A1",
                    item: "I1",
                    ifVersion: "K1",
                    fields: merged,
                    changed: [.reminderDueBy],
                    meetingMail: false
                ),
                .updateLocal(activity: "A1", fields: merged, changed: [.reminderDueBy], restore: false),
            ]
        )
        // (One before the start is the call's as it is.)
        outlook.reminderDueBy = 60
        pair.exchange?.fields = outlook
        #expect(
            SyncPlanner.plan(pair, policy: SyncPolicy()) == [
                .updateLocal(activity: "A1", fields: outlook, changed: [.reminderDueBy], restore: false)
            ]
        )
    }

    @Test(
        "start and end changed on both sides merge as one schedule: the winner's range, never one end from each",
        arguments: [SyncPolicy.ConflictPolicy.crmWins, .exchangeWins]
    )
    func scheduleAsOne(policy: SyncPolicy.ConflictPolicy) throws {
        let base = SyncFields(
            subject: "Visit",
            status: "planned",
            start: "2026-12-06T13:00:00Z",
            end: "2026-12-06T14:00:00Z"
        )
        // The CRM moved the end only; Outlook moved the whole meeting twelve days later.
        let crm = Values.with(base) { $0.end = "2026-12-06T13:45:00Z" }
        let exchange = Values.with(base) {
            $0.start = "2026-12-18T09:30:00Z"
            $0.end = "2026-12-18T10:30:00Z"
        }
        var pair = Self.pair(crm: crm, exchange: exchange)
        pair.base = base
        var rules = SyncPolicy()
        rules.conflictPolicy = policy
        let plan = SyncPlanner.makePlan([pair], policy: rules)
        let conflicts = plan.actions.compactMap { if case .recordConflict(let c) = $0 { c.field } else { nil } }
        #expect(Set(conflicts) == [.start, .end])
        let winner = policy == .crmWins ? crm : exchange
        let written = plan.actions.compactMap { action -> SyncFields? in
            switch action {
            case .updateRemote(_, _, _, let fields, _, _), .updateLocal(_, let fields, _, _): fields
            default: nil
            }
        }
        #expect(!written.isEmpty && written.allSatisfy { $0.start == winner.start && $0.end == winner.end })
    }

    @Test("the same field changed to the same value: nothing to write but the new base")
    func sameValue() {
        let plan = SyncPlanner.makePlan(
            [Self.pair(crm: Values.crmEdit, exchange: Values.crmEdit)],
            policy: SyncPolicy()
        )
        #expect(plan.actions == [.setBase(activity: "A1", fields: Values.crmEdit)])
    }

    @Test(
        "the same field changed to different values: the policy decides and both values are recorded",
        arguments: [
            (SyncPolicy.ConflictPolicy.crmWins, "2026-12-01T09:00:00Z", SyncSide.crm),
            (.exchangeWins, "2026-12-01T09:00:00Z", .exchange),
            (.newestWins, "2026-12-01T09:00:00Z", .crm),
            (.newestWins, "2026-12-01T11:00:00Z", .exchange),
        ]
    )
    func conflict(policy: SyncPolicy.ConflictPolicy, exchangeModified: String, winner: SyncSide) throws {
        let exchange = Values.with(Values.base) { $0.subject = "Call back (Outlook)" }
        let plan = SyncPlanner.makePlan(
            [Self.pair(crm: Values.crmEdit, exchange: exchange, exchangeModified: exchangeModified)],
            policy: SyncPolicy(conflictPolicy: policy)
        )
        guard case .recordConflict(let conflict) = plan.actions.first else {
            Issue.record("no conflict recorded: \(plan)")
            return
        }
        #expect(
            conflict
                == SyncConflict(
                    activityId: "A1",
                    field: .subject,
                    crmValue: "Call back (CRM)",
                    exchangeValue: "Call back (Outlook)",
                    baseValue: "Call back",
                    winner: winner,
                    policy: policy
                )
        )
        let written = winner == .crm ? "update-remote A1 I1 [subject]" : "update-local A1 [subject]"
        #expect(plan.actions.dropFirst().map(\.description) == [written])
    }

    @Test("an Outlook move (delete + create with the same identity) re-links instead of deleting")
    func moveRelinks() {
        var pair = Self.pair(crm: Values.base, exchange: Values.base)
        pair.exchange?.itemId = "I2"
        #expect(SyncPlanner.makePlan([pair], policy: SyncPolicy()).description == "relink A1 I2")
    }

    @Test("remote delete with remote_delete: unlink only forgets the link")
    func remoteDeleteUnlink() {
        let pair = PairObservation(
            crm: CRMSide(activityId: "A1", fields: Values.base),
            exchange: nil,
            base: Values.base,
            linkedItemId: "I1"
        )
        #expect(SyncPlanner.makePlan([pair], policy: SyncPolicy(remoteDelete: .unlink)).description == "unlink A1")
    }

    @Test("synchronize turned off on a linked activity deletes its item; outside the window nothing is created")
    func synchronizeAndWindow() {
        var off = Self.pair(crm: Values.base, exchange: Values.base)
        off.crm?.synchronize = false
        #expect(
            SyncPlanner.makePlan([off], policy: SyncPolicy()).description == "delete-remote A1 I1 (synchronize off)"
        )
        let outside = PairObservation(
            crm: CRMSide(activityId: "A2", fields: Values.base, inWindow: false),
            exchange: nil
        )
        #expect(SyncPlanner.makePlan([outside], policy: SyncPolicy()).isEmpty)
        // Linked items stay linked whatever their date.
        var linkedOutside = Self.pair(crm: Values.crmEdit, exchange: Values.base)
        linkedOutside.crm?.inWindow = false
        #expect(
            SyncPlanner.makePlan([linkedOutside], policy: SyncPolicy()).description == "update-remote A1 I1 [subject]"
        )
    }

    @Test(
        "Outlook items are imported per the import rule, inside the window; recurring series are skipped",
        arguments: [
            (SyncPolicy.ImportRule.category, true, true), (.category, false, false), (.all, false, true),
            (.none, true, false),
        ]
    )
    func importRule(rule: SyncPolicy.ImportRule, hasCategory: Bool, imported: Bool) {
        let item = ExchangeSide(itemId: "I9", kind: .calendarItem, fields: Values.base, hasCategory: hasCategory)
        let plan = SyncPlanner.makePlan(
            [PairObservation(crm: nil, exchange: item)],
            policy: SyncPolicy(importRule: rule)
        )
        #expect(
            plan.actions
                == (imported
                    ? [
                        .createLocal(item: "I9", kind: .calendarItem, fields: Values.base),
                        .stampIdentity(item: "I9", activity: nil),
                    ] : [])
        )
        var outside = item
        outside.inWindow = false
        #expect(
            SyncPlanner.makePlan([PairObservation(crm: nil, exchange: outside)], policy: SyncPolicy(importRule: .all))
                .isEmpty
        )
        var recurring = item
        recurring.isRecurring = true
        #expect(
            SyncPlanner.makePlan([PairObservation(crm: nil, exchange: recurring)], policy: SyncPolicy(importRule: .all))
                .description == "skip I9: recurring series"
        )
    }

    @Test("the circuit breaker pauses on too many deletes, absolute or as a share of the linked items")
    func circuitBreaker() {
        func deletes(_ count: Int) -> SyncPlan { SyncPlan((0..<count).map { .tombstoneLocal(activity: "A\($0)") }) }
        let policy = SyncPolicy(maxDeletes: 50, maxDeleteRatio: 0.2)
        #expect(SyncSafety.check(deletes(50), linkedCount: 1000, policy: policy) == .proceed)
        #expect(
            SyncSafety.check(deletes(51), linkedCount: 1000, policy: policy)
                == .pause(reason: "51 deletes exceed sync.max_deletes (50)")
        )
        #expect(SyncSafety.check(deletes(5), linkedCount: 10, policy: policy) == .proceed)  // not more than 5
        #expect(
            SyncSafety.check(deletes(6), linkedCount: 10, policy: policy)
                == .pause(reason: "6 deletes of 10 linked items exceed sync.max_delete_ratio (0.2)")
        )
        #expect(SyncSafety.check(deletes(6), linkedCount: 30, policy: policy) == .proceed)
    }
}
