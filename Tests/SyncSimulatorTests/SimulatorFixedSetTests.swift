import SyncSimulator
import Testing

/// CI's fixed seed set: the simulator's first 400 histories (up to 100 steps each, with faults and crashes),
/// each run clean. Wider exploration: `scripts/simulate --histories N --seed S` (figures in the README).
@Suite("simulator: a fixed seed set of histories runs clean")
struct SimulatorFixedSetTests {
    @Test("seeds 0..<400", arguments: 0..<8)
    func fixedSet(block: Int) async {
        for seed in UInt64(block * 50)..<UInt64(block * 50 + 50) {
            let outcome = await SimRunner.run(SimHistory.generate(seed: seed))
            #expect(outcome.problems.isEmpty, "seed \(seed): \(outcome.problems)")
        }
    }

    @Test("the generator is deterministic: a seed is a history")
    func deterministic() {
        #expect(SimHistory.generate(seed: 42) == SimHistory.generate(seed: 42))
        #expect(SimHistory.generate(seed: 42) != SimHistory.generate(seed: 43))
    }

    @Test("shrinking keeps the failure and drops what does not matter to it")
    func shrinks() async {
        // A failure that needs no defect: a history "fails" while it copies an item and later runs a pass that
        // crashes. The shrunk history must keep exactly that: one copy, then one crashing pass with no faults.
        func copiesThenCrashes(_ history: SimHistory) -> Bool {
            guard let copy = history.events.firstIndex(where: { if case .outlookCopy = $0 { true } else { false } })
            else { return false }
            return history.events[copy...].contains { if case .pass(_, _, _?) = $0 { true } else { false } }
        }
        let history = (0..<1000).lazy.map { SimHistory.generate(seed: $0) }.first {
            copiesThenCrashes($0) && $0.events.count > 20
        }
        guard let history else {
            Issue.record("no seed below 1000 copies and then crashes")
            return
        }
        let shrunk = await SimRunner.shrink(history) { copiesThenCrashes($0) }
        #expect(copiesThenCrashes(shrunk))
        #expect(shrunk.events.count == 2, "\(shrunk.events)")
        if case .pass(_, let faults, _?) = shrunk.events.last { #expect(faults.isEmpty) }
    }
}
