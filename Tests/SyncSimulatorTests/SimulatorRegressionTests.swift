import SyncSimulator
import Testing

/// Histories the simulator found failing, shrunk, kept as regressions (each names the defect class it found).
@Suite("simulator: shrunk failing histories stay fixed")
struct SimulatorRegressionTests {
    static func run(_ events: [SimEvent], policy: Int = 0, batch: Int = 3, trace: Bool = false) async -> [String] {
        await SimRunner.run(SimHistory(seed: 0, policy: policy, batchSize: batch, events: events), trace: trace)
            .problems
    }

    static func run(_ history: SimHistory, trace: Bool = false) async -> [String] {
        await SimRunner.run(history, trace: trace).problems
    }

    @Test("a user's copy in the same mailbox loses the identity; the CRM's next edit still reaches the original")
    func copyThenEdits() async {
        let problems = await Self.run(
            [
                .crmCreate(type: 0, owner: 1, day: 18),
                .pass(mailbox: 1, faults: [], crash: nil),
                .outlookCopy(mailbox: 1, pick: 6033, into: 1),
                .crmEdit(pick: 30350, edit: SimEdit(field: .status, value: 452)),
                .pass(mailbox: 1, faults: [], crash: nil),
                .crmEdit(pick: 44497, edit: SimEdit(field: .status, value: 440)),
            ],
            policy: 1,
            trace: true
        )
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("an item deleted while a pass writes to it: the delete is seen next pass, and the CRM edit re-creates it")
    func goneMeanwhile() async {
        let problems = await Self.run(
            [
                .crmCreate(type: 0, owner: 0, day: 3),
                .pass(mailbox: 0, faults: [], crash: nil),
                .crmEdit(pick: 59946, edit: SimEdit(field: .time, value: 416)),
                .outlookEdit(mailbox: 0, pick: 31384, edit: SimEdit(field: .sensitivity, value: 649)),
                .pass(
                    mailbox: 0,
                    faults: [SimFault(step: 7, kind: .notApplied), SimFault(step: 3, kind: .goneMeanwhile)],
                    crash: nil
                ),
                .pass(mailbox: 0, faults: [SimFault(step: 2, kind: .notApplied)], crash: nil),
            ],
            policy: 2,
            trace: true
        )
        #expect(problems.isEmpty, "\(problems)")
    }
}
