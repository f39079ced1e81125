import ActivityModel
import SyncPlanning
import Testing

/// Ownership moves whose delete half has not landed yet (a move-out retried): found by the simulator, pinned here
/// as planner rules.
@Suite("planner: move-outs retried after a delete, and judged against both sides")
struct PlannerMoveTests {
    static func oldItem(_ fields: SyncFields) -> ExchangeSide {
        ExchangeSide(itemId: "OLD", changeKey: "K9", kind: .task, fields: fields, activityId: "A1")
    }

    static func moving(
        crm: CRMSide,
        old: SyncFields,
        held: SyncFields = Values.base,
        crmThen: SyncFields? = nil
    ) -> PairObservation {
        PairObservation(
            crm: crm,
            exchange: nil,
            linkedElsewhere: ForeignLink(
                mailbox: "bob@contoso.test",
                itemId: "OLD",
                base: held,
                crmBase: crmThen,
                item: oldItem(old)
            )
        )
    }

    static let moveOut = SyncAction.deleteRemote(
        activity: "A1",
        item: "OLD",
        mailbox: "bob@contoso.test",
        reason: .ownerChanged,
        cancellations: false
    )

    @Test("deleted while its move-out was pending: the old owner's item still goes, and nothing is created")
    func deletedStillMovesOut() {
        let crm = CRMSide(activityId: "A1", fields: Values.base, deleted: true)
        let plan = SyncPlanner.makePlan([Self.moving(crm: crm, old: Values.base)], policy: SyncPolicy())
        #expect(plan.actions == [Self.moveOut])
    }

    @Test("no longer synchronized while its move-out was pending: the old item's edit comes in, then it goes")
    func unsynchronizedStillMovesOut() {
        let crm = CRMSide(activityId: "A1", fields: Values.base, synchronize: false)
        let plan = SyncPlanner.makePlan([Self.moving(crm: crm, old: Values.exchangeEdit)], policy: SyncPolicy())
        #expect(
            plan.actions == [
                .updateLocal(activity: "A1", fields: Values.exchangeEdit, changed: [.status], restore: false),
                Self.moveOut,
            ]
        )
    }

    @Test("deleted while moving, but edited in the old owner's Outlook since: restored, and created in the new mailbox")
    func editInOldItemRestores() {
        let crm = CRMSide(activityId: "A1", fields: Values.base, deleted: true)
        let plan = SyncPlanner.makePlan([Self.moving(crm: crm, old: Values.exchangeEdit)], policy: SyncPolicy())
        #expect(plan.actions.first == .updateLocal(activity: "A1", fields: Values.base, changed: [], restore: true))
        #expect(plan.actions.contains(Self.moveOut))
        #expect(
            plan.actions.last
                == .createRemote(activity: "A1", kind: .task, fields: Values.exchangeEdit, invitations: false)
        )
    }

    // A move-out retried: when journalled, the old item held no reminder and the CRM 30 minutes (the item's
    // unchanged value was no edit); since, the user set 10 minutes in the old item.
    static let held = Values.with(Values.base) { $0.reminderMinutes = nil }
    static let crmThen = Values.with(Values.base) { $0.reminderMinutes = 30 }
    static let retried = Values.with(held) { $0.reminderMinutes = 10 }

    static func retry(crm: SyncFields) -> SyncPlan {
        let pair = moving(crm: CRMSide(activityId: "A1", fields: crm), old: retried, held: held, crmThen: crmThen)
        return SyncPlanner.makePlan([pair], policy: SyncPolicy())
    }

    @Test("a retried move-out: the old item's edit of a field the CRM changed since it was journalled is a conflict")
    func retriedJudgedAgainstCRMThen() {
        // (The CRM cleared its reminder since.)
        let plan = Self.retry(crm: Self.held)
        let conflicts = plan.actions.compactMap { if case .recordConflict(let c) = $0 { c.field } else { nil } }
        #expect(conflicts == [.reminderMinutes])
        // (crm-wins: the CRM keeps its cleared reminder.)
        #expect(!plan.actions.contains { if case .updateLocal = $0 { true } else { false } })
    }

    @Test("a retried move-out: the old item's edit of a field the CRM left alone since comes in")
    func retriedTakesItemEdit() {
        let plan = Self.retry(crm: Self.crmThen)
        let taken = Values.with(Self.crmThen) { $0.reminderMinutes = 10 }
        #expect(
            plan.actions.contains(
                .updateLocal(activity: "A1", fields: taken, changed: [.reminderMinutes], restore: false)
            )
        )
        #expect(!plan.actions.contains { if case .recordConflict = $0 { true } else { false } })
    }
}
