import Foundation
import SyncEngine

/// The daemon was killed here (the simulation abandons the pass and starts over from the store).
struct SimCrashed: Error {}

/// A request failed as a whole (HTTP 500, a reset, `ErrorServerBusy` on a read).
struct SimRequestFailed: Error, CustomStringConvertible {
    var description: String
}

/// What one pass runs into: its faults and crash, counted over the pass's steps, and what the mailboxes
/// saw (back-off violations, how many requests besides change reads).
final class SimPassContext: @unchecked Sendable {
    private let lock = NSLock()
    let faults: [Int: SimFault]
    let writeFaults: [Int: SimFault]
    private var writes = 0
    let crash: SimCrash?
    let clock: @Sendable () -> Date
    /// Per mailbox (lower-cased), no request before this time (shared by the world across passes).
    let throttle: SimThrottleBook
    /// A user acting between the pass's read and its write: (fault, operation, mailbox address, item id).
    let race: @Sendable (SimFault, String, String, String) -> Void
    /// Prints each step as it happens (`--trace`).
    var trace = false
    private(set) var step = 0
    private(set) var requests = 0
    private(set) var otherThanChangeReads = 0
    private(set) var committed = 0
    private(set) var violations: [String] = []
    /// The operation the crash hit (coverage), and the faults that fired.
    private(set) var crashedAt: String?
    private(set) var fired: [SimFault.Kind] = []

    init(
        faults: [SimFault],
        crash: SimCrash?,
        clock: @escaping @Sendable () -> Date,
        throttle: SimThrottleBook,
        race: @escaping @Sendable (SimFault, String, String, String) -> Void
    ) {
        self.faults = Dictionary(faults.filter { !$0.onWrites }.map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
        self.writeFaults = Dictionary(faults.filter(\.onWrites).map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
        self.crash = crash
        self.clock = clock
        self.throttle = throttle
        self.race = race
    }

    /// Per operation, how many have begun.
    private(set) var seen: [String: Int] = [:]

    /// Whether the crash is due at this step, of this operation.
    private func due(_ operation: String) -> Bool {
        guard let crash else { return false }
        if let target = crash.operation {
            if target == "write" && SimCrash.writes.contains(operation) {
                return SimCrash.writes.reduce(0) { $0 + seen[$1, default: 0] } == crash.step
            }
            guard target == operation else { return false }
            return seen[operation, default: 0] == crash.step
        }
        return crash.step == step
    }

    /// A store transaction begins: a step the daemon may die at.
    func transaction() throws {
        try lock.withLock {
            step += 1
            defer { seen["store-transaction", default: 0] += 1 }
            if trace { print("      · store transaction") }
            if due("store-transaction") {
                crashedAt = "store-transaction"
                throw SimCrashed()
            }
        }
    }

    /// A store transaction committed.
    func commit() { lock.withLock { committed += 1 } }

    /// A request begins: checks the back-off, maybe dies, and answers the fault to inject (and the step).
    func request(_ operation: String, mailbox: String) throws -> (fault: SimFault?, step: Int) {
        try lock.withLock {
            step += 1
            if let until = throttle.until(mailbox), clock() < until {
                violations.append("\(operation) to \(mailbox) during its back-off")
            }
            if operation != "changes" { otherThanChangeReads += 1 }
            let crashHere = due(operation)
            seen[operation, default: 0] += 1
            if crashHere, let crash, !crash.afterApplying {
                crashedAt = operation
                throw SimCrashed()
            }
            var fault = faults[requests]
            requests += 1
            if SimCrash.writes.contains(operation) {
                fault = fault ?? writeFaults[writes]
                writes += 1
            }
            if let fault { fired.append(fault.kind) }
            if trace {
                print("      · \(operation)" + (fault.map { " [\($0.kind)]" } ?? "") + (crashHere ? " (dies)" : ""))
            }
            return (fault, crashHere ? -step : step)
        }
    }

    /// A request's answer arrives: the daemon may have died after the server applied it.
    func answered(_ operation: String, step: Int) throws {
        try lock.withLock {
            if step < 0, let crash, crash.afterApplying {
                crashedAt = operation + "+applied"
                throw SimCrashed()
            }
        }
    }
}

/// The back-offs Exchange asked for, per mailbox.
final class SimThrottleBook: @unchecked Sendable {
    private let lock = NSLock()
    private var until: [String: Date] = [:]

    func until(_ mailbox: String) -> Date? { lock.withLock { until[mailbox.lowercased()] } }

    func set(_ mailbox: String, _ date: Date) {
        lock.withLock { until[mailbox.lowercased()] = max(until[mailbox.lowercased()] ?? date, date) }
    }
}
