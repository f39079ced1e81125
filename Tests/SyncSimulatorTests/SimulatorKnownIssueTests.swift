import SyncSimulator
import Testing

/// Defect classes the simulator still finds (about 1 in 1,000 histories of up to 100 steps), each as its
/// shrunk history. Known issues: they are recorded, not hidden; fixing one turns its test into a failure that
/// says to move it to the regression suite.
@Suite("simulator: open defect classes, shrunk")
struct SimulatorKnownIssueTests {
    static let open: [(String, SimHistory)] = [
        (
            "restores, moves and a copy into the new owner's mailbox around ownership moves, faults and crashes: an item left in the old owner's mailbox",
            SimHistory(
                seed: 31541,
                policy: 1,
                batchSize: 1,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 13),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 12),
                    .outlookEdit(mailbox: 0, pick: 62537, edit: SimEdit(field: .information, value: 69)),
                    .outlookDelete(mailbox: 0, pick: 58713),
                    .crmReassign(pick: 35447),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .inBandBusy, value: 378, onWrites: true)],
                        crash: nil
                    ),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 17),
                    .crmReassign(pick: 58129),
                    .outlookRestore(mailbox: 0, pick: 29803),
                    .outlookMove(mailbox: 0, pick: 55560),
                    .outlookCopy(mailbox: 1, pick: 3072, into: 0),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .goneMeanwhile, value: 27, onWrites: true)],
                        crash: SimCrash(step: 16, afterApplying: true)
                    ),
                    .outlookCategory(mailbox: 0, pick: 25103),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 15),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .inBandBusy, value: 310, onWrites: true)],
                        crash: nil
                    ),
                    .outlookDelete(mailbox: 0, pick: 31062),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 3, kind: .serverBusy, value: 56, onWrites: true)],
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
