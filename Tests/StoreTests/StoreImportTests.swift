import ActivityModel
import Foundation
import Store
import Testing

@Suite("import, export and generation on the SQLite store")
struct StoreImportTests {
    typealias F = StoreFixture

    static func document(activities: Int, badAt: Int? = nil) -> CRMDocument {
        var document = CRMDocument(
            employees: [Employee(id: "E9", name: "Nina", mailbox: "nina@contoso.test", sync: true)],
            partners: [BusinessPartner(id: "BP9", name: "Contoso Ltd", internalRep: "E9")],
            contacts: [Contact(id: "C9", name: "Lee", partner: "BP9", email: "lee@contoso-ltd.test")]
        )
        for index in 0..<activities {
            var task = Activity(id: "I\(index)", type: .task, subject: "Imported \(index)", owner: "E9")
            task.partner = "BP9"
            task.due = "2026-12-10T12:00:00Z"
            if index == badAt { task.status = "open" }
            document.activities.append(task)
        }
        return document
    }

    @Test("a document may refer to its own records; everything lands in one transaction")
    func importsDocument() throws {
        let fixture = try F()
        let summary = try fixture.store.importDocument(Self.document(activities: 10))
        #expect(summary.written["activities"] == 10)
        #expect(try fixture.store.activities().count == 10)
        #expect(try fixture.store.partner("BP9")?.internalRep == "E9")
        #expect(try fixture.store.changeSequence() == 10)
    }

    @Test("one bad record in the middle: nothing is written, and the error names it")
    func atomic() throws {
        let fixture = try F()
        do {
            _ = try fixture.store.importDocument(Self.document(activities: 10, badAt: 5))
            Issue.record("imported")
        } catch let error as StoreError {
            #expect(error.message.contains("activities[5] (activity I5) refused: status 'open': not valid for task"))
        }
        #expect(try fixture.store.activities().isEmpty)
        #expect(try fixture.store.employee("E9") == nil)
        #expect(try fixture.store.changeSequence() == 0)
    }

    @Test("re-importing the same records changes nothing; a changed one is updated with a new sequence")
    func upsertById() throws {
        let fixture = try F()
        var document = Self.document(activities: 3)
        _ = try fixture.store.importDocument(document)
        let again = try fixture.store.importDocument(document)
        #expect(again.unchanged == 3 && again.written["activities"] == 0)
        document.activities[1].subject = "Changed"
        _ = try fixture.store.importDocument(document)
        #expect(try fixture.store.changes(since: 3).map(\.activity.id) == ["I1"])
    }

    @Test("export then import into an empty store reproduces every record, tombstones included")
    func roundTrip() throws {
        let fixture = try F()
        _ = try fixture.store.addActivity(F.task("T1"))
        _ = try fixture.store.addActivity(F.appointment("AP1"))
        try fixture.store.save(ActivityTemplate(id: "TP1", type: .mailing, subject: "Newsletter"))
        try fixture.store.deleteActivity("T1")
        let exported = try fixture.store.exportDocument()
        let json = try JSONEncoder().encode(exported)
        let decoded = try JSONDecoder().decode(CRMDocument.self, from: json)
        let empty = try F(seed: false)
        _ = try empty.store.importDocument(decoded)
        let reexported = try empty.store.exportDocument()
        func content(_ document: CRMDocument) -> CRMDocument {
            var copy = document
            copy.activities = copy.activities.map { activity in
                var stripped = activity
                stripped.createdAt = nil
                stripped.updatedAt = nil
                stripped.changeSeq = nil
                return stripped
            }
            return copy
        }
        #expect(content(reexported) == content(exported))
        #expect(try empty.store.activity("T1")?.deleted == true)
    }

    @Test("generate with --simulate writes nothing; without it writes exactly what was simulated")
    func generateSimulate() throws {
        let fixture = try F()
        try fixture.store.save(ActivityTemplate(id: "TP1", type: .task, subject: "Send price list", dueInDays: 7))
        let simulated = try fixture.store.generate(
            template: "TP1",
            targets: .partners(["BP1", "BP2"]),
            assign: .internalRep,
            owner: "E1",
            simulate: true
        )
        #expect(simulated.map(\.assignedTo) == ["E1", "E2"])
        #expect(try fixture.store.activities().isEmpty)
        #expect(try fixture.store.changeSequence() == 0)
        let generated = try fixture.store.generate(
            template: "TP1",
            targets: .partners(["BP1", "BP2"]),
            assign: .internalRep,
            owner: "E1",
            simulate: false
        )
        func strip(_ list: [Activity]) -> [Activity] {
            list.map {
                var a = $0
                a.createdAt = nil
                a.updatedAt = nil
                a.changeSeq = nil
                return a
            }
        }
        #expect(strip(generated) == strip(simulated))
        #expect(try fixture.store.activities().map(\.id) == ["A1", "A2"])
        #expect(try fixture.store.addActivity(F.task()).id == "A3")
    }
}
