import ActivityModel
import EWS
import EWSTestServer
import Foundation
import Store
import SyncEngine
import Testing

@Suite("throttling and faults at random converge to the same end state as without faults")
struct SyncFaultConvergenceTests {
    /// The same story on two fixtures: creates, then edits on both sides, then deletes.
    static func story(_ f: SyncFixture, faults: Bool, seed: UInt64) async throws {
        var state = seed
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func injectSome() {
            guard faults else { return }
            let kinds: [FakeExchange.Fault] = [
                .serverBusy(backOffMilliseconds: 20), .httpStatus(503), .httpStatus(429), .dropConnection,
                .dropAfterApplying, .malformedXML, .delay(seconds: 0.05),
            ]
            for _ in 0..<3 { f.fake.inject(kinds[random(kinds.count)], skip: random(6)) }
        }
        /// Passes until one completes cleanly with nothing left to do (faults make some fail part-way).
        func converge() async throws {
            for _ in 0..<12 {
                injectSome()
                if let report = try? await f.pass(), report.failures.isEmpty, report.ambiguous == 0, report.plan.isEmpty
                {
                    f.fake.clearFaults()
                    if try await f.pass().plan.isEmpty { return }
                }
            }
            f.fake.clearFaults()
            for _ in 0..<3 { _ = try await f.pass() }
        }
        for index in 0..<12 { try f.addTask("T\(index)", subject: "Task \(index)") }
        try f.addAppointment("AP1")
        try await converge()
        for index in 0..<4 { _ = try f.store.updateActivity("T\(index)") { $0.subject = "CRM edit \(index)" } }
        for item in f.tasks where ["T4", "T5", "T6"].contains(item.extended["ActivityId"] ?? "") {
            f.outlookEdit(item, ["Status": "Completed", "PercentComplete": "100"])
        }
        try f.store.deleteActivity("T7")
        if let item = f.tasks.first(where: { $0.extended["ActivityId"] == "T8" }) {
            f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item.id)
        }
        try await converge()
    }

    /// What both sides hold, independent of ids and ChangeKeys.
    static func endState(_ f: SyncFixture) throws -> [String] {
        let crm = try f.store.activities(includeDeleted: true).map {
            "crm \($0.id) \($0.subject) \($0.status) deleted=\($0.deleted)"
        }
        let exchange = (f.tasks + f.calendar).map {
            "ews \($0.extended["ActivityId"] ?? "?") \($0.fields["Subject"] ?? "") \($0.fields["Status"] ?? "")"
        }
        return (crm + exchange).sorted()
    }

    @Test("random faults (fixed seeds)", arguments: [1, 2, 3] as [UInt64])
    func converges(seed: UInt64) async throws {
        let clean = try SyncFixture()
        try await Self.story(clean, faults: false, seed: seed)
        let faulty = try SyncFixture()
        try await Self.story(faulty, faults: true, seed: seed)
        #expect(try Self.endState(faulty) == Self.endState(clean))
        let identities = (faulty.tasks + faulty.calendar).compactMap { $0.extended["ActivityId"] }
        #expect(Set(identities).count == identities.count, "duplicates in Exchange")
        #expect(faulty.fake.requests.contains { $0.fault != nil })
        #expect(faulty.fake.schemaViolations == [])
    }
}
