import ActivityModel
import Foundation
import Store

// Store benchmarks (not tests): run in release, see Benchmarks/README.md.
//   store-benchmark import N FILE      write an import document of N tasks to FILE (time `activity-sync import` on it)
//   store-benchmark changes N CHANGED  fill a store with N activities, change CHANGED of them, time changes(since:)

func document(count: Int) -> CRMDocument {
    var document = CRMDocument(
        employees: (1...50).map {
            Employee(id: "E\($0)", name: "Employee \($0)", mailbox: "e\($0)@contoso.test", sync: true)
        },
        partners: (1...500).map {
            BusinessPartner(id: "BP\($0)", name: "Partner \($0)", internalRep: "E\($0 % 50 + 1)")
        }
    )
    document.activities.reserveCapacity(count)
    for index in 0..<count {
        var task = Activity(
            id: "B\(index)",
            type: .task,
            subject: "Benchmark task \(index)",
            owner: "E\(index % 50 + 1)"
        )
        task.partner = "BP\(index % 500 + 1)"
        task.due = "2026-12-\(String(format: "%02d", index % 28 + 1))T16:00:00Z"
        task.information = "Generated for the import benchmark"
        task.reminderMinutes = 15
        document.activities.append(task)
    }
    return document
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = Int(arguments[2]) else {
    print("usage: store-benchmark import N FILE | changes N CHANGED")
    exit(64)
}
switch arguments[1] {
case "import":
    let encoder = JSONEncoder()
    try encoder.encode(document(count: count)).write(to: URL(fileURLWithPath: arguments[3]))
    print("wrote \(count) activities to \(arguments[3])")
case "changes":
    guard let changed = Int(arguments[3]) else { exit(64) }
    let path = NSTemporaryDirectory() + "store-benchmark-\(UUID().uuidString).sqlite"
    let store = try Store(path: path)
    let fill = try seconds {
        // In chunks, so the document in memory stays small.
        var seed = document(count: 0)
        _ = try store.importDocument(seed)
        seed.employees = []
        seed.partners = []
        let all = document(count: count).activities
        for chunk in stride(from: 0, to: count, by: 100_000) {
            seed.activities = Array(all[chunk..<min(chunk + 100_000, count)])
            _ = try store.importDocument(seed)
        }
    }
    print(String(format: "filled %d activities in %.1f s (%.0f/s)", count, fill, Double(count) / fill))
    let mark = try store.changeSequence()
    for index in stride(from: 0, to: count, by: max(1, count / changed)).prefix(changed) {
        _ = try store.updateActivity("B\(index)") { $0.subject += " (changed)" }
    }
    var found = 0
    var timings: [Double] = []
    for _ in 0..<20 {
        timings.append(try seconds { found = try store.changes(since: mark).count })
    }
    timings.sort()
    print(
        String(
            format: "changes(since:) returned %d rows among %d: median %.2f ms, best %.2f ms, worst %.2f ms",
            found,
            count,
            timings[10] * 1000,
            timings[0] * 1000,
            timings[19] * 1000
        )
    )
    try? FileManager.default.removeItem(atPath: path)
case "phases":
    // Where an import's time goes: JSON decoding, then the store transaction.
    let data = try Data(contentsOf: URL(fileURLWithPath: arguments[3]))
    var decoded = CRMDocument()
    let decode = try seconds { decoded = try JSONDecoder().decode(CRMDocument.self, from: data) }
    let store = try Store(path: NSTemporaryDirectory() + "store-benchmark-\(UUID().uuidString).sqlite")
    let write = try seconds { _ = try store.importDocument(decoded) }
    print(String(format: "decode %.2f s, store %.2f s for %d activities", decode, write, decoded.activities.count))
default:
    print("usage: store-benchmark import N FILE | changes N CHANGED")
    exit(64)
}
