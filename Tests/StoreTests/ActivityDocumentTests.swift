import ActivityModel
import Foundation
import Store
import Testing

/// Issue 17: every pass reads every activity of its mailbox; `JSONDecoder` was a sixth of a quiet pass over 1,000
/// linked items. The hand reader must agree with the `Decodable` conformance on everything: what it reads, it reads
/// the same; what it does not expect, it leaves to `JSONDecoder` (nil).
@Suite("an activity's doc: the hand reader agrees with the Decodable conformance")
struct ActivityDocumentTests {
    static let texts = SyncBaseCodecTests.texts

    /// An activity drawn from a seed: every type, optionals both ways, enumerations across their cases.
    static func activity(_ seed: Int) -> Activity {
        var random = SplitMix(seed)
        func text() -> String { texts[random.next(texts.count)] }
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { random.next(2) == 0 ? nil : value() }
        let type = ActivityType.allCases[random.next(ActivityType.allCases.count)]
        var a = Activity(
            id: "A\(seed)",
            type: type,
            subject: text(),
            owner: "E\(random.next(5))",
            status: maybe(text())
        )
        a.priority = Priority.allCases[random.next(Priority.allCases.count)]
        a.sensitivity = Sensitivity.allCases[random.next(Sensitivity.allCases.count)]
        a.information = maybe(text())
        a.partner = maybe("P1")
        a.contact = maybe("C\(random.next(3))")
        a.opportunity = maybe("O1")
        a.linkedActivity = maybe("A1")
        a.assignedTo = maybe("E2")
        a.organizer = maybe("E3")
        a.start = maybe("2027-01-0\(1 + random.next(9))T08:00:00Z")
        a.end = maybe("2027-01-02T09:30:00Z")
        a.due = maybe("2027-02-28")
        a.allDay = random.next(2) == 0
        a.durationMinutes = maybe([0, 15, Int(Int32.max), Int.max, Int.min][random.next(5)])
        a.direction = maybe(["inbound", "outbound"][random.next(2)])
        a.location = maybe(text())
        a.showAs = maybe(ShowAs.allCases[random.next(ShowAs.allCases.count)])
        a.reminderMinutes = maybe([0, 15, -945, 40_320][random.next(4)])
        a.percentComplete = maybe([0, 12.5, 99.99, 100, 1e-7, 0.1 + 0.2][random.next(6)])
        a.attendees = (0..<random.next(3)).map { index in
            Attendee(
                email: "a\(index)@contoso.test",
                name: maybe(text()),
                attendance: Attendance.allCases[random.next(Attendance.allCases.count)],
                invite: random.next(2) == 0,
                response: AttendeeResponse.allCases[random.next(AttendeeResponse.allCases.count)]
            )
        }
        a.synchronize = random.next(3) != 0
        a.origin = ActivityOrigin.allCases[random.next(ActivityOrigin.allCases.count)]
        a.template = maybe("TPL1")
        a.date = maybe("2027-03-01T10:00:00Z")
        a.from = maybe("x@contoso.test")
        a.to = (0..<random.next(3)).map { "t\($0)@contoso.test" }
        a.cc = maybe([text()]) ?? []
        return a
    }

    static func decoded(_ doc: String) -> Activity? {
        try? JSONDecoder().decode(Activity.self, from: Data(doc.utf8))
    }

    @Test("2,000 drawn activities: the hand reader returns what was written, as JSONDecoder does")
    func drawn() {
        for seed in 0..<2_000 {
            let activity = Self.activity(seed)
            let doc = ActivityDocument.encode(activity)
            let fast = ActivityDocument.fastDecode(doc)
            #expect(fast == activity, "seed \(seed): \(doc)")
            #expect(fast == Self.decoded(doc), "seed \(seed)")
        }
    }

    @Test("odd documents: read the same as JSONDecoder reads them, or left to it")
    func odd() {
        let docs = [
            #"{"id":"A1","type":"task","subject":"s","owner":"E1"}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","status":null,"priority":null,"to":null}"#,
            #"{ "id" : "A1", "type" : "call", "subject" : "\u00fc\ud83d\ude42", "owner" : "E1", "unknown" : [1, {"a": 2}] }"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","created_at":"2027-01-01T00:00:00Z","change_seq":4}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","attendees":[{"email":"a@b.c"}]}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","duration_minutes":15.0}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","duration_minutes":1e2}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","percent_complete":5}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","all_day":1}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","priority":"urgent"}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","show_as":"busy","origin":"template"}"#,
            #"{"id":"A1","type":"meeting","subject":"s","owner":"E1"}"#,
            #"{"id":"A1","type":"task","subject":"s"}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","subject":"t"}"#,
            #"{"id":"A1","type":"task","subject":"\ud800","owner":"E1"}"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1"} x"#,
            #"{"id":"A1","type":"task","subject":"s","owner":"E1","to":["a",1]}"#,
            "", "[]", "{",
        ]
        for doc in docs {
            let fast = ActivityDocument.fastDecode(doc)
            let slow = Self.decoded(doc)
            #expect(fast == nil || fast == slow, "\(doc)")
            if slow == nil { #expect(fast == nil, "\(doc)") }
        }
        // The common shapes are read by hand, not left to JSONDecoder.
        #expect(ActivityDocument.fastDecode(docs[0])?.status == ActivityType.task.initialStatus)
        #expect(ActivityDocument.fastDecode(docs[2])?.subject == "ü🙂")
        #expect(ActivityDocument.fastDecode(docs[4])?.attendees == [Attendee(email: "a@b.c")])
    }
}
