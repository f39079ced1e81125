import SyncSimulator
import Testing

/// CI's fixed seed set: the simulator's histories, each run clean (issue 10).
@Suite("simulator: a fixed seed set of histories runs clean")
struct SimulatorFixedSetTests {
    @Test("seeds 0..<200", arguments: 0..<8)
    func fixedSet(block: Int) async {
        for seed in UInt64(block * 25)..<UInt64(block * 25 + 25) {
            let outcome = await SimRunner.run(SimHistory.generate(seed: seed))
            #expect(outcome.problems.isEmpty, "seed \(seed): \(outcome.problems)")
        }
    }
}
