import SyncSimulator
import Testing

/// Defect classes the simulator still finds (about 1 in 1,000 histories of up to 100 steps), each as its
/// shrunk history. Known issues: they are recorded, not hidden; fixing one turns its test into a failure that
/// says to move it to the regression suite.
@Suite("simulator: open defect classes, shrunk")
struct SimulatorKnownIssueTests {
    static let open: [(String, SimHistory)] = [
        (
            "an old copy restored while the engine's own write to the original raced a user's delete",
            SimHistory(
                seed: 403,
                policy: 0,
                batchSize: 4,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 17),
                    .crmReassign(pick: 21726),
                    .crmEdit(pick: 15444, edit: SimEdit(field: .reminder, value: 175)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .notApplied, value: 437, onWrites: true)],
                        crash: nil
                    ),
                    .outlookDelete(mailbox: 1, pick: 28013),
                    .crmCreate(type: 2, owner: 1, day: 0),
                    .crmEdit(pick: 40261, edit: SimEdit(field: .reminder, value: 4)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 2633, edit: SimEdit(field: .reminder, value: 472)),
                    .outlookCategory(mailbox: 1, pick: 2448),
                    .serverTouch(mailbox: 1, pick: 49228),
                    .outlookRestore(mailbox: 1, pick: 33768),
                    .outlookEdit(mailbox: 1, pick: 47004, edit: SimEdit(field: .showAs, value: 548)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .goneMeanwhile, value: 201, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "an item moved and restored in the old owner's mailbox around ownership moves is left behind",
            SimHistory(
                seed: 14296,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 7),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmEdit(pick: 61537, edit: SimEdit(field: .due, value: 211)),
                    .outlookDelete(mailbox: 0, pick: 19840),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .staleVersion, value: 27, onWrites: true)],
                        crash: nil
                    ),
                    .crmReassign(pick: 6810),
                    .crmReassign(pick: 5590),
                    .outlookMove(mailbox: 0, pick: 64788),
                    .crmReassign(pick: 42551),
                    .outlookRestore(mailbox: 0, pick: 40070),
                    .pass(mailbox: 1, faults: [], crash: nil),
                ]
            )
        ),
        (
            "an item created with its answer lost, then the activity moved while the user copied and edited the item into the new owner's mailbox",
            SimHistory(
                seed: 64077,
                policy: 0,
                batchSize: 2,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 2),
                    .employeeSync(employee: 1),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 0, kind: .answerLost, value: 179, onWrites: true),
                            SimFault(step: 0, kind: .staleVersion, value: 119, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .employeeSync(employee: 1),
                    .outlookEdit(mailbox: 0, pick: 4438, edit: SimEdit(field: .reminder, value: 488)),
                    .crmReassign(pick: 46214),
                    .outlookCopy(mailbox: 0, pick: 7863, into: 1),
                    .outlookEdit(mailbox: 1, pick: 463, edit: SimEdit(field: .reminder, value: 931)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                ]
            )
        ),
        (
            "copies and a restore around ownership moves and a delete: an edit of the restored item is lost",
            SimHistory(
                seed: 52937,
                policy: 1,
                batchSize: 3,
                events: [
                    .crmCreate(type: 1, owner: 1, day: 16),
                    .crmCreate(type: 0, owner: 1, day: 9),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 6),
                    .crmCreate(type: 2, owner: 1, day: 11),
                    .outlookMove(mailbox: 1, pick: 29591),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookMove(mailbox: 1, pick: 6599),
                    .outlookCopy(mailbox: 1, pick: 64545, into: 1),
                    .crmReassign(pick: 3711),
                    .outlookCopy(mailbox: 1, pick: 32475, into: 1),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookRestore(mailbox: 1, pick: 15896),
                    .crmDelete(pick: 6757),
                    .crmReassign(pick: 51469),
                    .outlookEdit(mailbox: 1, pick: 5304, edit: SimEdit(field: .showAs, value: 206)),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .inBandBusy, value: 893, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
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
