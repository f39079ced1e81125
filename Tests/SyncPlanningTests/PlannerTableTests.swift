import ActivityModel
import SyncPlanning
import Testing

/// Field values for the tables: `base`, and one change on each side.
enum Values {
    static let base = SyncFields(subject: "Call back", status: "not_started", due: "2026-12-03", reminderMinutes: 15)
    static let crmEdit = with(base) { $0.subject = "Call back (CRM)" }
    static let exchangeEdit = with(base) { $0.status = "in_process" }

    static func with(_ fields: SyncFields, _ change: (inout SyncFields) -> Void) -> SyncFields {
        var copy = fields
        change(&copy)
        return copy
    }
}

/// The state of one side in a table row.
enum SideState: String, CaseIterable, CustomTestStringConvertible {
    case unchanged, changed, deleted, absent
    var testDescription: String { rawValue }
}

@Suite("planner: every cell of {unchanged, changed, deleted, absent} × {CRM, Exchange} × {base, no base}")
struct PlannerTableTests {
    static let policy = SyncPolicy()

    static func observation(crm: SideState, exchange: SideState, linked: Bool) -> PairObservation {
        let crmSide: CRMSide?
        switch crm {
        case .unchanged: crmSide = CRMSide(activityId: "A1", fields: Values.base)
        case .changed: crmSide = CRMSide(activityId: "A1", fields: Values.crmEdit)
        case .deleted: crmSide = CRMSide(activityId: "A1", fields: Values.base, deleted: true)
        case .absent: crmSide = nil
        }
        let exchangeSide: ExchangeSide?
        switch exchange {
        case .unchanged:
            exchangeSide = ExchangeSide(
                itemId: "I1",
                changeKey: "K1",
                kind: .task,
                fields: Values.base,
                activityId: "A1"
            )
        case .changed:
            exchangeSide = ExchangeSide(
                itemId: "I1",
                changeKey: "K1",
                kind: .task,
                fields: Values.exchangeEdit,
                activityId: "A1"
            )
        case .deleted, .absent: exchangeSide = nil
        }
        return PairObservation(
            crm: crmSide,
            exchange: exchangeSide,
            base: linked ? Values.base : nil,
            linkedItemId: linked ? "I1" : nil
        )
    }

    /// The expected plan per cell, one action a line (as `SyncPlan.description` prints it).
    static let linked: [String: String] = [
        "unchanged/unchanged": "",
        "unchanged/changed": "update-local A1 [status]",
        "unchanged/deleted": "tombstone-local A1",
        "unchanged/absent": "tombstone-local A1",
        "changed/unchanged": "update-remote A1 I1 [subject]",
        "changed/changed": "update-remote A1 I1 [subject]\nupdate-local A1 [status]",
        "changed/deleted": "unlink A1\ncreate-remote A1 (task)",
        "changed/absent": "unlink A1\ncreate-remote A1 (task)",
        "deleted/unchanged": "delete-remote A1 I1",
        "deleted/changed": "update-local A1 [] restore\nupdate-local A1 [status]",
        "deleted/deleted": "unlink A1",
        "deleted/absent": "unlink A1",
        "absent/unchanged": "delete-remote A1 I1",
        "absent/changed": "delete-remote A1 I1",
        "absent/deleted": "unlink ",
        "absent/absent": "unlink ",
    ]

    /// Without a base, "unchanged" and "changed" both just mean "present"; deleted is a tombstone (CRM)
    /// or nothing there (Exchange).
    static let unlinked: [String: String] = [
        "unchanged/unchanged": "relink A1 I1\nset-base A1",
        "unchanged/changed":
            "conflict A1 status: crm=not_started exchange=in_process → crm (crm-wins)\nrelink A1 I1\nupdate-remote A1 I1 [status]",
        "unchanged/deleted": "create-remote A1 (task)",
        "unchanged/absent": "create-remote A1 (task)",
        "changed/unchanged":
            "conflict A1 subject: crm=Call back (CRM) exchange=Call back → crm (crm-wins)\nrelink A1 I1\nupdate-remote A1 I1 [subject]",
        "changed/changed":
            "conflict A1 subject: crm=Call back (CRM) exchange=Call back → crm (crm-wins)\nconflict A1 status: crm=not_started exchange=in_process → crm (crm-wins)\nrelink A1 I1\nupdate-remote A1 I1 [subject,status]",
        "changed/deleted": "create-remote A1 (task)",
        "changed/absent": "create-remote A1 (task)",
        // An unlinked item carrying a deleted activity's identity is one the user restored: it brings the
        // activity back (SPEC §3); without a base, every difference is a conflict settled by the policy.
        "deleted/unchanged": "relink A1 I1\nupdate-local A1 [] restore\nset-base A1",
        "deleted/changed":
            "relink A1 I1\nupdate-local A1 [] restore\nconflict A1 status: crm=not_started exchange=in_process → crm (crm-wins)\nupdate-remote A1 I1 [status]",
        "deleted/deleted": "",
        "deleted/absent": "",
        "absent/unchanged": "skip I1: carries activity A1, which the CRM does not have",
        "absent/changed": "skip I1: carries activity A1, which the CRM does not have",
        "absent/deleted": "",
        "absent/absent": "",
    ]

    @Test("linked pairs (base present)", arguments: SideState.allCases, SideState.allCases)
    func linkedCells(crm: SideState, exchange: SideState) {
        let plan = SyncPlanner.makePlan(
            [Self.observation(crm: crm, exchange: exchange, linked: true)],
            policy: Self.policy
        )
        #expect(plan.description == Self.linked["\(crm)/\(exchange)"], "\(crm)/\(exchange)")
    }

    @Test("unlinked pairs (no base)", arguments: SideState.allCases, SideState.allCases)
    func unlinkedCells(crm: SideState, exchange: SideState) {
        let plan = SyncPlanner.makePlan(
            [Self.observation(crm: crm, exchange: exchange, linked: false)],
            policy: Self.policy
        )
        let expected = Self.unlinked["\(crm)/\(exchange)"]!
        // Relink comes before the merge's actions; compare as a set of lines to keep the table readable.
        #expect(
            Set(plan.description.split(separator: "\n")) == Set(expected.split(separator: "\n")),
            "\(crm)/\(exchange)"
        )
    }
}
