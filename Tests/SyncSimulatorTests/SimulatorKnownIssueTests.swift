import SyncSimulator
import Testing

/// Defect classes the simulator still finds (1 in 10⁶ histories of up to 100 steps, seeds 0–999,999), each as its
/// shrunk history. Known issues: they are recorded, not hidden; fixing one turns its test into a failure that
/// says to move it to the regression suite.
@Suite("simulator: open defect classes, shrunk")
struct SimulatorKnownIssueTests {
    static let open: [(String, SimHistory)] = [
        (
            "employee sync off and on around an Outlook move, a restore and an ownership move, with a crash: the moved item is left in the old owner's mailbox (the restored older one is taken for the original)",
            SimHistory(
                seed: 279718,
                policy: 1,
                batchSize: 4,
                events: [
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 14),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .notApplied, value: 740, onWrites: true)],
                        crash: nil
                    ),
                    .outlookDelete(mailbox: 1, pick: 13178),
                    .crmEdit(pick: 59979, edit: SimEdit(field: .time, value: 163)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .employeeSync(employee: 1),
                    .outlookMove(mailbox: 1, pick: 53619),
                    .outlookRestore(mailbox: 1, pick: 7933),
                    .crmReassign(pick: 30475),
                    .employeeSync(employee: 1),
                    .pass(
                        mailbox: 1,
                        faults: [],
                        crash: SimCrash(step: 1, afterApplying: true, operation: "store-transaction")
                    ),
                ]
            )
        )
    ]

    @Test("still failing (known)", arguments: 0..<open.count)
    func openClass(index: Int) async {
        let (name, history) = Self.open[index]
        let problems = await SimRunner.run(history).problems
        withKnownIssue("\(name)") {
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
