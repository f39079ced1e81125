import Foundation
/// What one simulated history came to.
public struct SimOutcome: Sendable {
    public var history: SimHistory
    /// Invariants broken (empty: the history ran clean).
    public var problems: [String]
    public var coverage: SimCoverage

    public var failed: Bool { !problems.isEmpty }

    /// A problem with its ids and values blanked, to count failures by class.
    public static func problemClass(_ problem: String) -> String {
        String(problem.split(separator: "|").first ?? Substring(problem)).trimmingCharacters(in: .whitespaces)
    }
}

/// Runs histories: the real engine on the in-memory doubles, every step of the history, then fault-free
/// passes until quiet, then the invariants.
public enum SimRunner {
    public static func run(_ history: SimHistory, trace: Bool = false) async -> SimOutcome {
        let world = SimWorld(history: history)
        world.trace = trace
        for event in history.events { await world.apply(event) }
        if trace { print("  -- settle") }
        var problems = await world.settle()
        problems += world.invariants()
        return SimOutcome(history: history, problems: problems, coverage: world.coverage)
    }

    /// The smallest history found that still fails (delta debugging over its steps, then each pass's faults
    /// and crash dropped where the failure stays).
    public static func shrink(_ history: SimHistory, keeping problemClass: String? = nil) async -> SimHistory {
        await shrink(history) { candidate in
            let outcome = await run(candidate)
            guard let problemClass else { return outcome.failed }
            return outcome.problems.contains { SimOutcome.problemClass($0) == problemClass }
        }
    }

    /// The smallest history found for which `fails` still holds (any property of a history: the shrinker is
    /// tested on one that needs no defect).
    public static func shrink(
        _ history: SimHistory,
        while fails: (SimHistory) async -> Bool
    ) async -> SimHistory {
        var best = history
        var chunk = max(best.events.count / 2, 1)
        while chunk >= 1 {
            var start = 0
            var removed = false
            while start < best.events.count {
                var candidate = best
                candidate.events.removeSubrange(start..<min(start + chunk, best.events.count))
                if await fails(candidate) {
                    best = candidate
                    removed = true
                } else {
                    start += chunk
                }
            }
            if !removed { chunk /= 2 }
        }
        for index in best.events.indices {
            guard case .pass(let m, let faults, let crash) = best.events[index] else { continue }
            var simpler: [SimEvent] = []
            if crash != nil { simpler.append(.pass(mailbox: m, faults: faults, crash: nil)) }
            for drop in faults.indices {
                var fewer = faults
                fewer.remove(at: drop)
                simpler.append(.pass(mailbox: m, faults: fewer, crash: crash))
            }
            for event in simpler {
                var candidate = best
                candidate.events[index] = event
                if await fails(candidate) {
                    best = candidate
                    break
                }
            }
        }
        return best
    }
}
