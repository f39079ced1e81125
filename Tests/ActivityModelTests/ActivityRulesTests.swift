import ActivityModel
import Foundation
import Testing

/// In-memory references for the rule tables.
struct MemoryReferences: CRMReferences {
    var employees: [String: Employee] = [
        "E1": Employee(id: "E1", name: "Alice"), "E2": Employee(id: "E2", name: "Bob"),
    ]
    var partners: [String: BusinessPartner] = [
        "BP1": BusinessPartner(id: "BP1", name: "Fabrikam", internalRep: "E1", externalRep: "E2"),
        "BP2": BusinessPartner(id: "BP2", name: "Northwind"),
    ]
    var contactList: [Contact] = [
        Contact(id: "C1", name: "Pat", partner: "BP1", email: "pat@fabrikam.test"),
        Contact(id: "C2", name: "Sam", partner: "BP1", email: "Sam@Fabrikam.test", optedOut: true),
    ]
    var opportunities: [String: Opportunity] = ["O1": Opportunity(id: "O1", name: "Renewal", partner: "BP1")]
    var activities: [String: Activity] = [:]
    var templates: [String: ActivityTemplate] = [:]

    func employee(_ id: String) -> Employee? { employees[id] }
    func partner(_ id: String) -> BusinessPartner? { partners[id] }
    func contact(_ id: String) -> Contact? { contactList.first { $0.id == id } }
    func opportunity(_ id: String) -> Opportunity? { opportunities[id] }
    func activity(_ id: String) -> Activity? { activities[id] }
    func template(_ id: String) -> ActivityTemplate? { templates[id] }
    func contacts(withEmail email: String) -> [Contact] {
        contactList.filter { $0.email?.lowercased() == email.lowercased() }
    }
}

@Suite("activity rules")
struct ActivityRulesTests {
    static let refs = MemoryReferences()

    static func issues(_ activity: Activity, previous: Activity? = nil) -> [String] {
        switch ActivityRules.validated(activity, previous: previous, references: refs) {
        case .success: return []
        case .failure(let error): return error.issues.map(\.description)
        }
    }

    static func appointment() -> Activity {
        var a = Activity(id: "A1", type: .appointment, subject: "Visit", owner: "E1")
        a.start = "2026-12-04T09:00:00Z"
        a.end = "2026-12-04T10:00:00Z"
        return a
    }

    @Test("every status of every type is valid for it and for no type that lacks it")
    func statuses() {
        for type in ActivityType.allCases {
            for status in Set(ActivityType.allCases.flatMap(\.statuses)) {
                var a = Activity(id: "X", type: type, subject: "s", owner: "E1", status: status)
                a.start = "2026-12-04T09:00:00Z"
                a.end = "2026-12-04T10:00:00Z"
                let refused = Self.issues(a).contains {
                    $0.hasPrefix("status '\(status)': not valid for \(type.rawValue)")
                }
                #expect(refused == !type.statuses.contains(status), "\(type) \(status)")
            }
        }
    }

    @Test("the initial status is the first of the type's list")
    func initialStatus() {
        #expect(ActivityType.task.initialStatus == "not_started")
        #expect(ActivityType.email.initialStatus == "draft")
        #expect(Activity(id: "x", type: .call, subject: "s", owner: "E1").status == "planned")
    }

    /// One broken rule per row: the change made to a valid appointment, and the message it must produce.
    static let brokenRuleTable: [String: String] = [
        "owner": "owner 'E9': unknown employee",
        "partner": "partner 'BP9': unknown business partner",
        "contact": "contact 'C9': unknown contact",
        "opportunity": "opportunity 'O9': unknown opportunity",
        "linked": "linked_activity 'A1': unknown activity",
        "endBeforeStart": "end '2026-12-04T08:00:00Z': end before start",
        "noZone": "start '2026-12-04T09:00:00': a time needs a zone",
        "notATime": "start 'tomorrow': not an RFC 3339 time",
        "dateForTime": "start '2026-12-04': a date where a time is needed",
        "emptySubject": "subject ' ': must not be empty",
        "assigned": "assigned_to 'E2': only tasks and mailings are assigned",
        "optedOut": "attendees 'sam@fabrikam.test': contact C2 opted out and may not be invited",
        "badEmail": "attendees 'nobody': not an e-mail address",
        "reminder": "reminder_minutes '-5': must be between 0 and 527040",
        "due": "due '2026-12-04T09:00:00Z': only tasks have a due time",
    ]

    static func breakRule(_ name: String, _ a: inout Activity) {
        switch name {
        case "owner": a.owner = "E9"
        case "partner": a.partner = "BP9"
        case "contact": a.contact = "C9"
        case "opportunity": a.opportunity = "O9"
        case "linked": a.linkedActivity = "A1"
        case "endBeforeStart": a.end = "2026-12-04T08:00:00Z"
        case "noZone": a.start = "2026-12-04T09:00:00"
        case "notATime": a.start = "tomorrow"
        case "dateForTime": a.start = "2026-12-04"
        case "emptySubject": a.subject = " "
        case "assigned": a.assignedTo = "E2"
        case "optedOut": a.attendees = [Attendee(email: "sam@fabrikam.test")]
        case "badEmail": a.attendees = [Attendee(email: "nobody")]
        case "reminder": a.reminderMinutes = -5
        default: a.due = "2026-12-04T09:00:00Z"
        }
    }

    @Test("broken rules are named with field and value", arguments: brokenRuleTable.keys.sorted())
    func brokenRules(rule: String) {
        var a = Self.appointment()
        Self.breakRule(rule, &a)
        let issues = Self.issues(a)
        #expect(issues.contains { $0.hasPrefix(Self.brokenRuleTable[rule]!) }, "\(issues)")
    }

    @Test("an opted-out contact may be listed without an invitation")
    func optedOutWithoutInvite() {
        var a = Self.appointment()
        a.attendees = [Attendee(email: "sam@fabrikam.test", invite: false)]
        #expect(Self.issues(a) == [])
    }

    @Test("times are canonicalised to UTC with Z; all-day appointments keep dates")
    func canonicalTimes() throws {
        var a = Self.appointment()
        a.start = "2026-12-04T10:00:00+01:00"
        a.end = "2026-12-04T11:30:00.250+01:00"
        let valid = try ActivityRules.validated(a, references: Self.refs).get()
        #expect(valid.start == "2026-12-04T09:00:00Z")
        #expect(valid.end == "2026-12-04T10:30:00Z")
        var allDay = Self.appointment()
        allDay.allDay = true
        allDay.start = "2026-12-04"
        allDay.end = "2026-12-05"
        #expect(try ActivityRules.validated(allDay, references: Self.refs).get().start == "2026-12-04")
        allDay.end = "2026-12-05T10:00:00Z"
        #expect(Self.issues(allDay).contains { $0.contains("an all-day appointment takes dates") })
    }

    @Test("task rules: percent within 0…100, due not before start")
    func taskRules() {
        var t = Activity(id: "T1", type: .task, subject: "s", owner: "E1")
        t.percentComplete = 120
        t.start = "2026-12-05T00:00:00Z"
        t.due = "2026-12-04T00:00:00Z"
        let issues = Self.issues(t)
        #expect(issues.contains { $0.hasPrefix("percent_complete '120'") })
        #expect(issues.contains { $0.hasPrefix("due '2026-12-04T00:00:00Z': due before start") })
    }

    @Test("only draft e-mails may be edited")
    func emailFrozen() {
        var sent = Activity(id: "M1", type: .email, subject: "Offer", owner: "E1", status: "sent")
        sent.to = ["pat@fabrikam.test"]
        var edited = sent
        edited.subject = "Offer v2"
        #expect(Self.issues(edited, previous: sent) == ["status 'sent': only draft e-mails may be edited"])
        var draft = sent
        draft.status = "draft"
        #expect(Self.issues(edited, previous: draft) == [])
    }
}

@Suite("global addition and follow-ups (pure)")
struct GlobalAdditionTests {
    static let template = ActivityTemplate(id: "T1", type: .task, subject: "Send price list", dueInDays: 7)
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func plan(
        _ targets: GlobalAddition.Targets,
        _ assign: GlobalAddition.AssignRule
    ) -> Result<[Activity], ValidationError> {
        var refs = MemoryReferences()
        var origin = Activity(id: "A7", type: .call, subject: "Call", owner: "E1")
        origin.partner = "BP1"
        origin.contact = "C1"
        refs.activities["A7"] = origin
        return GlobalAddition.plan(
            template: template,
            targets: targets,
            assign: assign,
            owner: "E1",
            now: now,
            references: refs
        ) { "G\($0 + 1)" }
    }

    @Test(
        "each assign-to rule",
        arguments: [
            (GlobalAddition.AssignRule.nobody, nil as String?),
            (.internalRep, "E1"),
            (.externalRep, "E2"),
            (.employee("E2"), "E2"),
        ]
    )
    func assignRules(rule: GlobalAddition.AssignRule, expected: String?) throws {
        let activities = try Self.plan(.partners(["BP1"]), rule).get()
        #expect(activities.map(\.assignedTo) == [expected])
        #expect(activities[0].due == "2026-12-07T00:53:20Z")
        #expect(activities[0].origin == .template && activities[0].template == "T1")
    }

    @Test("one activity per object, linked to what the object links to")
    func perObject() throws {
        let contacts = try Self.plan(.contacts(["C1", "C2"]), .nobody).get()
        #expect(contacts.map(\.id) == ["G1", "G2"])
        #expect(contacts.map(\.contact) == ["C1", "C2"])
        #expect(contacts.allSatisfy { $0.partner == "BP1" })
        let opportunity = try Self.plan(.opportunities(["O1"]), .nobody).get()
        #expect(opportunity[0].opportunity == "O1" && opportunity[0].partner == "BP1")
        let followOn = try Self.plan(.activities(["A7"]), .internalRep).get()
        #expect(followOn[0].linkedActivity == "A7" && followOn[0].contact == "C1" && followOn[0].assignedTo == "E1")
    }

    @Test("a missing representative or an unknown object stops the whole generation")
    func refusals() {
        guard case .failure(let error) = Self.plan(.partners(["BP1", "BP2", "BP9"]), .externalRep) else {
            Issue.record("generation should be refused")
            return
        }
        #expect(
            error.issues.map(\.description) == [
                "partners 'BP9': unknown business partner",
                "assign_to 'partner BP2': has no external sales representative",
            ]
        )
    }

    @Test("assign-to rules parse from the command line")
    func parseRule() {
        #expect(GlobalAddition.AssignRule("none") == .nobody)
        #expect(GlobalAddition.AssignRule("internal-rep") == .internalRep)
        #expect(GlobalAddition.AssignRule("employee:E5") == .employee("E5"))
        #expect(GlobalAddition.AssignRule("employee:") == nil)
        #expect(GlobalAddition.AssignRule("boss") == nil)
    }
}
