import ActivityModel
import Foundation
import GRDB
import Store
import SyncEngine
import SyncPlanning
import Testing

/// Issue 17: a link's base is written by hand (JSONEncoder was an eighth of a bulk first sync's CPU). Whatever it
/// holds comes back equal, and bases written by the earlier JSONEncoder form read the same.
@Suite("a link's base: written by hand, read back equal, older bases still read")
struct SyncBaseCodecTests {
    @Test("what the fast reader does not expect is nil (the JSONDecoder fallback, then an empty base, takes it)")
    func unexpected() {
        for text in [
            "", "{", "[]", "{\"subject\":1,\"status\":\"x\"}", "{\"subject\":\"a\"}",
            "{\"subject\":\"a\",\"status\":\"b\"} x",
            "{\"subject\":\"\\ud800\",\"status\":\"b\"}",
            "{\"subject\":\"a\",\"status\":\"b\",\"priority\":\"urgent\"}",
        ] {
            #expect(BaseDocument.decode(text) == nil, "\(text)")
        }
        #expect(BaseDocument.decode("{ \"status\" : \"s\", \"subject\" : \"\\u00fc\\ud83d\\ude42\" }")?.subject == "ü🙂")
    }

    static let texts = [
        "", "Call back", "quote \" backslash \\ slash / tab \t newline \n bell \u{7}", "Müller · 東京 · 🙂",
        String(repeating: "x", count: 3000),
    ]

    /// Field values drawn from a seed: every optional both ways, the texts above, numbers at their edges.
    static func fields(_ seed: Int) -> SyncFields {
        var random = SplitMix(seed)
        func text() -> String { texts[random.next(texts.count)] }
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { random.next(2) == 0 ? nil : value() }
        return SyncFields(
            subject: text(),
            information: maybe(text()),
            priority: Priority.allCases[random.next(3)],
            sensitivity: Sensitivity.allCases[random.next(3)],
            status: text(),
            percentComplete: maybe([0, 12.5, 99.99, 100, 1e-7][random.next(5)]),
            start: maybe("2027-01-0\(1 + random.next(9))T08:00:00Z"),
            end: maybe("2027-01-02T09:30:00Z"),
            due: maybe("2027-02-28"),
            allDay: random.next(2) == 0,
            location: maybe(text()),
            showAs: maybe(ShowAs.allCases[random.next(ShowAs.allCases.count)]),
            reminderMinutes: maybe([0, 15, -945, Int(Int32.max), Int.min + 1][random.next(5)]),
            reminderDueBy: maybe([-945, 0, 1_440][random.next(3)]),
            attendees: (0..<random.next(4)).map { "a\($0)@contoso.test;optional" } + (maybe([text()]) ?? [])
        )
    }

    @Test("500 drawn bases round-trip through the store, and each older JSONEncoder form reads the same")
    func roundTrip() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.addActivity(StoreFixture.task("T1"))
        let queue = try DatabaseQueue(path: fixture.folder + "/activity-sync.sqlite")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for seed in 0..<500 {
            let base = Self.fields(seed)
            let link = SyncLink(
                activityId: "T1",
                mailbox: "alice@contoso.test",
                folder: .tasks,
                itemId: "AAMk1",
                changeKey: "CK",
                base: base,
                syncedSeq: 1
            )
            try fixture.store.inSyncTransaction { try $0.saveLink(link) }
            #expect(try fixture.store.link(activityId: "T1")?.base == base, "seed \(seed)")
            // The fast reader itself takes both forms (JSONDecoder stays only as the fallback for the unexpected).
            let stored = try queue.read {
                try String.fetchOne($0, sql: "SELECT base FROM links WHERE activity_id = 'T1'")
            }
            #expect(BaseDocument.decode(try #require(stored)) == base, "seed \(seed)")
            let older = String(decoding: try encoder.encode(base), as: UTF8.self)
            #expect(BaseDocument.decode(older) == base, "seed \(seed), older form")
            try queue.write {
                try $0.execute(sql: "UPDATE links SET base = ? WHERE activity_id = 'T1'", arguments: [older])
            }
            #expect(try fixture.store.link(activityId: "T1")?.base == base, "seed \(seed), older form")
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing seed is the same on every machine.
struct SplitMix {
    private var state: UInt64
    init(_ seed: Int) { state = UInt64(bitPattern: Int64(seed)) &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(max(bound, 1)))
    }
}

/// Issue 17: the per-pass reads use an index whatever the store's size (a scan of the journal made an idle pass of
/// 1,000 mailboxes cost 56 CPU seconds).
@Suite("every pass's reads are index lookups, not scans")
struct StoreQueryPlanTests {
    @Test("open journal entries by action or mailbox, links by mailbox and activity, activities by mailbox owner")
    func indexed() throws {
        let fixture = try StoreFixture()
        let queue = try DatabaseQueue(path: fixture.folder + "/activity-sync.sqlite")
        let queries = [
            "SELECT * FROM journal WHERE action = ? AND state <> 'done' ORDER BY id",
            "SELECT * FROM journal WHERE mailbox = ? AND state <> 'done' ORDER BY id",
            "SELECT * FROM links WHERE mailbox = ? ORDER BY activity_id",
            "SELECT * FROM links WHERE activity_id = ?",
            "SELECT * FROM activities WHERE 1 AND deleted = 0 AND mailbox_employee = ? ORDER BY id",
        ]
        for query in queries {
            let plan = try queue.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query, arguments: ["x"]).map {
                    $0["detail"] as String
                }
            }
            #expect(plan.contains { $0.hasPrefix("SEARCH") && $0.contains("USING INDEX") }, "\(query): \(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(query): \(plan)")
        }
    }
}
