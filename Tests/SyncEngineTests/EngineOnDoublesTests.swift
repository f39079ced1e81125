import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning
import SyncTestKit
import Testing

/// The real engine on the in-memory doubles: seeded histories of CRM edits, Outlook habits and failed
/// writes, then passes without faults until quiet. (The doubles are held equal to the real adapters by the
/// contract suites, so what holds here holds for the engine's decisions over EWS and SQLite.)
@Suite("the engine on the in-memory doubles: seeded histories converge")
struct EngineOnDoublesTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30

    struct World {
        let store = InMemoryStore(clock: { EngineOnDoublesTests.now })
        let mailbox = InMemoryMailbox(address: SyncFixture.alice, instance: "test", clock: { EngineOnDoublesTests.now })
        var random: SystemRandomNumberGeneratorSeeded

        init(seed: UInt64) {
            random = SystemRandomNumberGeneratorSeeded(seed: seed)
            store.edit {
                $0.employees["E1"] = Employee(id: "E1", name: "Alice", mailbox: SyncFixture.alice, sync: true)
            }
        }

        var engine: MailboxSync {
            let mailbox = self.mailbox
            return MailboxSync(
                store: store,
                service: mailbox,
                services: { _ in mailbox },
                settings: SyncSettings(instance: "test", defaultZone: TimeZone(identifier: "Europe/Amsterdam")!),
                employee: Employee(id: "E1", name: "Alice", mailbox: SyncFixture.alice, sync: true),
                clock: { EngineOnDoublesTests.now },
                newPassID: { "pass" }
            )
        }

        mutating func step(_ n: Int) throws {
            let items = mailbox.snapshot.values.sorted { $0.id < $1.id }
            let activities = store.snapshot.activities.values.filter { !$0.deleted }.sorted { $0.id < $1.id }
            switch random.next() % 8 {
            case 0, 1:
                var task = Activity(id: "T\(n)", type: .task, subject: "Task \(n)", owner: "E1")
                task.due = "2026-12-0\(1 + Int(random.next() % 8))T16:00:00Z"
                try store.saveActivity(task)
            case 2:
                guard var a = activities.randomElement(using: &random) else { return }
                a.subject = "CRM edit \(n)"
                try store.saveActivity(a)
            case 3:
                guard let item = items.randomElement(using: &random) else { return }
                mailbox.userUpdate(item.id) {
                    $0.priority = .high
                    $0.percentComplete = 30
                }
            case 4:
                guard let item = items.randomElement(using: &random) else { return }
                mailbox.userUpdate(item.id) { $0.subject = "Outlook edit \(n)" }
            case 5:
                guard let item = items.randomElement(using: &random),
                    let moved = mailbox.userMove(item.id, to: item.folder)
                else { return }
                if random.next() % 2 == 0 { mailbox.userUpdate(moved) { $0.information = "moved \(n)" } }
            case 6:
                guard let item = items.randomElement(using: &random) else { return }
                mailbox.serverTouch(item.id)
            default:
                let faults: [WriteOutcome] = [.transient("reset"), .stale, .ambiguous, .throttled(until: now)]
                mailbox.failNextWrites([faults[Int(random.next() % 4)]])
            }
        }
    }

    @Test(
        "after faults stop, passes converge: one item per activity, equal values, a quiet last pass",
        arguments: 0..<40
    )
    func converges(seed: Int) async throws {
        var world = World(seed: UInt64(seed))
        for n in 0..<30 {
            try world.step(n)
            if world.random.next() % 3 == 0 { _ = try await world.engine.runPass() }
        }
        world.mailbox.failNextWrites([])
        var passes = 0
        var last: PassReport
        repeat {
            last = try await world.engine.runPass()
            passes += 1
        } while !last.plan.isEmpty && passes < 6
        #expect(last.plan.isEmpty, "seed \(seed): \(last.plan)")
        let items = world.mailbox.snapshot.values
        let state = world.store.snapshot
        #expect(
            state.activities.count >= 3 && state.audit.count > state.activities.count,
            "seed \(seed): a vacuous history"
        )
        for activity in state.activities.values where !activity.deleted {
            let copies = items.filter { $0.activityId == activity.id }
            #expect(copies.count == 1, "seed \(seed): \(activity.id) has \(copies.count) items")
            let expected = SyncFields(activity: activity, zone: TimeZone(identifier: "Europe/Amsterdam")!)
            #expect(copies.first?.fields == expected, "seed \(seed): \(activity.id) differs")
        }
        #expect(items.allSatisfy { $0.activityId != nil }, "seed \(seed): an item without identity")
    }
}

/// SplitMix64: a seeded generator, so every history can be replayed from its seed.
struct SystemRandomNumberGeneratorSeeded: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
