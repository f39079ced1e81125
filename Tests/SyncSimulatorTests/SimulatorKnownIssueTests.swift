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
        ),
        (
            "a restore of an unsynchronized activity's deleted item, then the CRM's delete: an Outlook edit of the restored item is lost",
            SimHistory(
                seed: 67086,
                policy: 1,
                batchSize: 2,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 5),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookDelete(mailbox: 1, pick: 45276),
                    .crmEdit(pick: 4898, edit: SimEdit(field: .subject, value: 49)),
                    .crmCreate(type: 0, owner: 0, day: 5),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmCreate(type: 0, owner: 1, day: 9),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 7),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 3, kind: .goneMeanwhile, value: 139, onWrites: true)],
                        crash: nil
                    ),
                    .outlookRestore(mailbox: 1, pick: 17720),
                    .crmCreate(type: 2, owner: 1, day: 10),
                    .crmSynchronize(pick: 9499),
                    .crmDelete(pick: 30088),
                    .outlookEdit(mailbox: 1, pick: 35739, edit: SimEdit(field: .due, value: 858)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookDelete(mailbox: 1, pick: 13709),
                ]
            )
        ),
        (
            "an old copy restored while the engine's own write to the original raced a user's delete: an Outlook edit is lost",
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
