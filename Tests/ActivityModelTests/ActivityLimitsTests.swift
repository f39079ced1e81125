import ActivityModel
import Bounds
import Foundation
import Testing

/// Issue 11: every numeric field at its extremes, every text past its limit, every id with a control
/// character — refused with the field named, never a trap; formatting and date arithmetic are total.
@Suite("limits: extreme values are refused or clamped, never a trap")
struct ActivityLimitsTests {
    static let refs = MemoryReferences()

    static func issues(_ activity: Activity) -> [ValidationIssue] {
        switch ActivityRules.validated(activity, references: refs) {
        case .success: return []
        case .failure(let error): return error.issues
        }
    }

    static func call() -> Activity {
        var a = Activity(id: "A1", type: .call, subject: "Call", owner: "E1")
        a.start = "2026-12-04T09:00:00Z"
        return a
    }

    static let extremeInts = [Int.max, Int.min, -1, 527_041, Int(Int32.max)]
    static let extremeDoubles = [
        Double.nan, .infinity, -.infinity, 1e300, -1e300, -0.5, 100.5, .greatestFiniteMagnitude,
    ]

    @Test("whole-number fields at their extremes are refused, naming the field and the range")
    func wholeNumbers() {
        for value in Self.extremeInts {
            for (field, set) in [
                ("duration_minutes", { (a: inout Activity, v: Int) in a.durationMinutes = v }),
                ("reminder_minutes", { (a: inout Activity, v: Int) in a.reminderMinutes = v }),
            ] {
                var a = Self.call()
                set(&a, value)
                let found = Self.issues(a).filter { $0.field == field }
                #expect(found.count == 1, "\(field) \(value)")
                #expect(found.first?.message == "must be between 0 and 527040", "\(field) \(value)")
            }
        }
        var a = Self.call()
        a.durationMinutes = 527_040
        a.reminderMinutes = 0
        #expect(Self.issues(a).isEmpty)
    }

    @Test("percent complete at its extremes (NaN, ±inf, 1e300) is refused; 0 and 100 are fine")
    func percent() {
        for value in Self.extremeDoubles {
            var a = Activity(id: "A1", type: .task, subject: "Task", owner: "E1")
            a.percentComplete = value
            let found = Self.issues(a).filter { $0.field == "percent_complete" }
            #expect(found.map(\.message) == ["must be between 0 and 100"], "\(value)")
            #expect(!found.description.isEmpty)
        }
        for value in [0.0, 100, 12.5] {
            var a = Activity(id: "A1", type: .task, subject: "Task", owner: "E1")
            a.percentComplete = value
            #expect(Self.issues(a).isEmpty, "\(value)")
        }
    }

    @Test("a template's due_in_days at its extremes is refused")
    func templateDays() {
        for value in Self.extremeInts + [36_601] {
            let template = ActivityTemplate(id: "T1", type: .task, subject: "Follow up", dueInDays: value)
            #expect(RecordRules.validate(template)?.issues.map(\.field) == ["due_in_days"], "\(value)")
        }
        #expect(RecordRules.validate(ActivityTemplate(id: "T1", type: .task, subject: "s", dueInDays: 36_600)) == nil)
    }

    @Test("ids with a control character, surrounding space or past 128 characters are refused everywhere")
    func ids() {
        for id in [
            "A\u{0}1", "A1\u{0}", "\u{1B}[2J", "A\n1", "A\u{7F}", " A1", "A1 ", String(repeating: "A", count: 129),
        ] {
            var a = Self.call()
            a.id = id
            #expect(Self.issues(a).map(\.field) == ["id"], "\(id.debugDescription)")
            #expect(RecordRules.validate(Employee(id: id, name: "Alice")) != nil, "\(id.debugDescription)")
            #expect(RecordRules.validate(BusinessPartner(id: id, name: "P"), references: Self.refs) != nil)
            #expect(RecordRules.validate(Contact(id: id, name: "C"), references: Self.refs) != nil)
            #expect(RecordRules.validate(Opportunity(id: id, name: "O"), references: Self.refs) != nil)
        }
        var a = Self.call()
        a.id = String(repeating: "A", count: 128)
        #expect(Self.issues(a).isEmpty)
    }

    @Test("text past its limit is refused with the limit named; the message shows the value cut and escaped")
    func texts() throws {
        var a = Self.call()
        a.subject = String(repeating: "x", count: 10 << 20)
        let subject = try #require(Self.issues(a).first)
        #expect(subject.field == "subject" && subject.message == "longer than 255 characters")
        #expect(subject.description.count < 200, "the message names the value, not all 10 MB of it")
        #expect(subject.description.contains("(10485760 characters)"))

        a = Self.call()
        a.location = String(repeating: "l", count: 256)
        a.information = String(repeating: "i", count: (1 << 20) + 1)
        a.attendees = (0..<501).map { Attendee(email: "p\($0)@fabrikam.test") }
        #expect(Set(Self.issues(a).map(\.field)) == ["location", "information", "attendees"])

        a = Self.call()
        a.subject = "Call \u{1B}]0;pwned\u{7}"
        a.information = "line one\nline two\ttabbed"
        let escaped = try #require(Self.issues(a).first)
        #expect(escaped.field == "subject" && escaped.message == "control characters")
        #expect(!escaped.description.contains("\u{1B}") && escaped.description.contains("\\u{1B}"))
        #expect(Self.issues(a).count == 1, "line breaks and tabs are fine in the information text")
    }

    @Test("formatting and date arithmetic are total: any instant formats within years 0001–9999")
    func formatting() {
        let cases: [(Double, String)] = [
            (.infinity, "9999-12-31T23:59:59Z"), (-.infinity, "0001-01-01T00:00:00Z"), (.nan, "1970-01-01T00:00:00Z"),
            (1e300, "9999-12-31T23:59:59Z"), (-1e300, "0001-01-01T00:00:00Z"), (0, "1970-01-01T00:00:00Z"),
            (Double(Int.max) * 60, "9999-12-31T23:59:59Z"),
        ]
        for (seconds, text) in cases {
            #expect(CRMTime.format(Date(timeIntervalSince1970: seconds)) == text, "\(seconds)")
        }
        for value in Self.extremeDoubles {
            _ = Bounded.text(value)
            #expect(
                Bounded.milliseconds(value, atMost: 3600) >= 0 && Bounded.milliseconds(value, atMost: 3600) <= 3_600_000
            )
        }
        #expect(Bounded.text(100) == "100" && Bounded.text(12.5) == "12.5" && Bounded.text(.nan) == "nan")
    }
}
