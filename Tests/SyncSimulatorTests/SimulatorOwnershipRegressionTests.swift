import SyncSimulator
import Testing

/// Histories the simulator found failing in ownership moves, lost creates and copies once calls kept as tasks and
/// unserved tasks folders were generated (issue 14's last 21 of 10^6). Each failed before its fix; the shrunk
/// history is what `scripts/simulate --histories 1 --seed SEED --swift` printed on the commit before.
@Suite("simulator: ownership moves, lost creates and copies lose no edit and leave one item")
struct SimulatorOwnershipRegressionTests {
    static let fixed: [(String, SimHistory)] = [
        (
            "a call moved back to its first owner, with an Outlook edit in the old item after a throttled move: its edit reaches the CRM (the doubles' ItemIds now name their mailbox, as Exchange's do: one pass's items of two mailboxes no longer shared an id)",
            SimHistory(
                seed: 225553,
                policy: 2,
                batchSize: 1,
                windowed: true,
                callsAsTasks: true,
                events: [
                    .outlookCreate(mailbox: 1, task: false, category: false, day: 14),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 18),
                    .serverTouch(mailbox: 1, pick: 48583),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 14),
                    .outlookDelete(mailbox: 0, pick: 64933),
                    .serverTouch(mailbox: 1, pick: 61039),
                    .crmCreate(type: 0, owner: 1, day: 0),
                    .outlookEdit(mailbox: 1, pick: 21407, edit: SimEdit(field: .location, value: 8)),
                    .crmReassign(pick: 49973),
                    .outlookEdit(mailbox: 1, pick: 43229, edit: SimEdit(field: .time, value: 67)),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 56712),
                    .outlookEdit(mailbox: 0, pick: 1964, edit: SimEdit(field: .status, value: 499)),
                    .pass(mailbox: 1, faults: [SimFault(step: 6, kind: .serverBusy, value: 702)], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 50767, into: 0),
                    .outlookEdit(mailbox: 0, pick: 59140, edit: SimEdit(field: .information, value: 517)),
                ]
            )
        ),
        (
            "an Outlook reminder after the start of the call a task keeps, carried from the old owner's item: the merge is what the CRM keeps (at the start), so the new item gets that too, not the later one",
            SimHistory(
                seed: 451531,
                policy: 0,
                batchSize: 4,
                callsAsTasks: true,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 7),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 38371),
                    .outlookEdit(mailbox: 0, pick: 62294, edit: SimEdit(field: .reminder, value: 874)),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 8),
                    .crmCreate(type: 0, owner: 0, day: 6),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .answerLost, value: 382, onWrites: true)],
                        crash: nil
                    ),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 1, kind: .editRace, value: 873),
                            SimFault(step: 1, kind: .answerLost, value: 251, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .outlookRestore(mailbox: 0, pick: 46988),
                ]
            )
        ),
        (
            "an old owner's reminder after a call's start lost, as a recorded conflict, to a user's copy in the new owner's mailbox (the checker knows the CRM holds it at the start)",
            SimHistory(
                seed: 734803,
                policy: 1,
                batchSize: 3,
                callsAsTasks: true,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 13),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookCopy(mailbox: 0, pick: 60712, into: 1),
                    .crmReassign(pick: 42255),
                    .outlookEdit(mailbox: 0, pick: 38538, edit: SimEdit(field: .reminder, value: 26)),
                ]
            )
        ),
        (
            "a lost create's item in the old owner's mailbox: an edit carried from it, then undone there before the move lands, is carried too (the create's entry judges by the carried base)",
            SimHistory(
                seed: 307014,
                policy: 1,
                batchSize: 1,
                callsAsTasks: true,
                events: [
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 14),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmCreate(type: 2, owner: 0, day: 12),
                    .outlookDelete(mailbox: 0, pick: 25041),
                    .crmEdit(pick: 25591, edit: SimEdit(field: .status, value: 494)),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 4, kind: .answerLost, value: 398),
                            SimFault(step: 0, kind: .answerLost, value: 383, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 19346, edit: SimEdit(field: .priority, value: 824)),
                    .crmCreate(type: 1, owner: 1, day: 8),
                    .crmReassign(pick: 49307),
                    .outlookDelete(mailbox: 0, pick: 34591),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .serverBusy, value: 683, onWrites: true)],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 63623, edit: SimEdit(field: .priority, value: 312)),
                ]
            )
        ),
        (
            "an ownership move's delete half of a calendar item, journalled while the new owner's tasks folder is not served: it is seen through (a move-out names no folder; the activity's kind does)",
            SimHistory(
                seed: 998795,
                policy: 2,
                batchSize: 4,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 15),
                    .employeeSync(employee: 1),
                    .crmReassign(pick: 6416),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 9, kind: .editRace, value: 575),
                            SimFault(step: 1, kind: .goneMeanwhile, value: 442, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .tasksServed(mailbox: 1),
                    .tasksServed(mailbox: 1),
                    .employeeSync(employee: 1),
                    .tasksServed(mailbox: 1),
                    .outlookCopy(mailbox: 0, pick: 55464, into: 0),
                    .crmReassign(pick: 65166),
                    .outlookCreate(mailbox: 0, task: true, category: false, day: 3),
                    .outlookEdit(mailbox: 0, pick: 14739, edit: SimEdit(field: .reminder, value: 784)),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "remove")),
                    .pass(mailbox: 1, faults: [], crash: nil),
                ]
            )
        ),
        (
            "a move-out waiting in a mailbox whose tasks are not served never leaves its activity tombstoned",
            SimHistory(
                seed: 446663,
                policy: 0,
                batchSize: 2,
                events: [
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 19),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 18),
                    .crmCreate(type: 1, owner: 1, day: 13),
                    .outlookCopy(mailbox: 0, pick: 32844, into: 0),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 16),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .goneMeanwhile, value: 322, onWrites: true)],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 42550, edit: SimEdit(field: .emptySubject, value: 864)),
                    .tasksServed(mailbox: 1),
                    .crmReassign(pick: 24835),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "remove")),
                    .crmReassign(pick: 16040),
                    .pass(mailbox: 1, faults: [], crash: nil),
                ]
            )
        ),
        (
            "a create cut off twice: its item is judged by the attempt that sent what it holds, so a later CRM edit is not taken back",
            SimHistory(
                seed: 731496,
                policy: 0,
                batchSize: 2,
                callsAsTasks: true,
                events: [
                    .crmCreate(type: 1, owner: 0, day: 7),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 2, kind: .inBandBusy, value: 109, onWrites: true)],
                        crash: nil
                    ),
                    .outlookCreate(mailbox: 1, task: true, category: false, day: 12),
                    .outlookCategory(mailbox: 1, pick: 34750),
                    .crmCreate(type: 0, owner: 1, day: 14),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmDelete(pick: 36560),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 12),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmCreate(type: 1, owner: 0, day: 7),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 3, kind: .answerLost, value: 169, onWrites: true)],
                        crash: SimCrash(step: 0, afterApplying: false, operation: "create")
                    ),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 8),
                    .crmEdit(pick: 11378, edit: SimEdit(field: .location, value: 251)),
                    .tasksServed(mailbox: 1),
                    .crmEdit(pick: 40877, edit: SimEdit(field: .reminder, value: 675)),
                    .outlookEdit(mailbox: 1, pick: 41314, edit: SimEdit(field: .reminder, value: 645)),
                    .tasksServed(mailbox: 1),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 9, afterApplying: false)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmDelete(pick: 12524),
                    .crmEdit(pick: 42548, edit: SimEdit(field: .reminder, value: 744)),
                ]
            )
        ),
        (
            "a CRM edit back to what a lost create sent is no edit to a state-based sync (the checker takes that create's values as last synced)",
            SimHistory(
                seed: 31959,
                policy: 0,
                batchSize: 1,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 3),
                    .crmCreate(type: 2, owner: 0, day: 5),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "create")),
                    .crmDelete(pick: 46719),
                    .crmEdit(pick: 43593, edit: SimEdit(field: .reminder, value: 859)),
                    .crmCreate(type: 2, owner: 1, day: 16),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 60082),
                    .crmRestore(pick: 18220),
                    .crmDelete(pick: 49760),
                    .outlookEdit(mailbox: 1, pick: 55761, edit: SimEdit(field: .showAs, value: 269)),
                    .crmEdit(pick: 18529, edit: SimEdit(field: .reminder, value: 124)),
                ]
            )
        ),
        (
            "a copy released as the user's own is no longer taken along by a move-out journalled while it carried the identity (its old values are no edit; it is not removed)",
            SimHistory(
                seed: 311288,
                policy: 2,
                batchSize: 3,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 0),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 13),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 1, kind: .editRace, value: 545, onWrites: true)],
                        crash: nil
                    ),
                    .outlookCategory(mailbox: 1, pick: 3300),
                    .tasksServed(mailbox: 0),
                    .crmCreate(type: 0, owner: 0, day: 17),
                    .crmEdit(pick: 28765, edit: SimEdit(field: .priority, value: 417)),
                    .outlookEdit(mailbox: 1, pick: 45929, edit: SimEdit(field: .status, value: 359)),
                    .crmCreate(type: 2, owner: 1, day: 9),
                    .outlookEdit(mailbox: 1, pick: 51371, edit: SimEdit(field: .subject, value: 750)),
                    .crmCreate(type: 2, owner: 1, day: 2),
                    .crmSynchronize(pick: 15175),
                    .outlookEdit(mailbox: 1, pick: 45704, edit: SimEdit(field: .information, value: 790)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .editRace, value: 635, onWrites: true)],
                        crash: nil
                    ),
                    .crmSynchronize(pick: 33519),
                    .crmCreate(type: 1, owner: 1, day: 18),
                    .tasksServed(mailbox: 1),
                    .pass(mailbox: 1, faults: [SimFault(step: 5, kind: .staleVersion, value: 979)], crash: nil),
                    .crmDelete(pick: 37775),
                    .crmCreate(type: 1, owner: 0, day: 14),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 10936),
                    .tasksServed(mailbox: 1),
                    .crmDelete(pick: 20632),
                    .crmCreate(type: 2, owner: 1, day: 18),
                    .outlookRestore(mailbox: 1, pick: 40026),
                    .crmEdit(pick: 36184, edit: SimEdit(field: .time, value: 55)),
                    .serverTouch(mailbox: 0, pick: 7342),
                    .outlookCreate(mailbox: 1, task: false, category: false, day: 1),
                    .outlookDelete(mailbox: 1, pick: 50201),
                    .crmReassign(pick: 16934),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 10, afterApplying: true)),
                    .outlookEdit(mailbox: 1, pick: 54046, edit: SimEdit(field: .due, value: 289)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .notApplied, value: 338, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "a crash right after a re-link that chose one of two items carrying the identity: the other's release was journalled with it, so it is released next pass, not left a second item",
            SimHistory(
                seed: 128970,
                policy: 2,
                batchSize: 1,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 11),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmCreate(type: 0, owner: 1, day: 19),
                    .outlookCopy(mailbox: 0, pick: 58057, into: 1),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCreate(mailbox: 1, task: false, category: false, day: 16),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 10),
                    .outlookCopy(mailbox: 1, pick: 12357, into: 1),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 19),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmReassign(pick: 33020),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .editRace, value: 131, onWrites: true)],
                        crash: SimCrash(step: 1, afterApplying: false, operation: "store-transaction")
                    ),
                ]
            )
        ),
        (
            "a lost create's item and a user's older copy of a deleted item both carry the identity: the one holding what the create sent is the activity's, the copy is released",
            SimHistory(
                seed: 565287,
                policy: 1,
                batchSize: 3,
                windowed: true,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 6),
                    .crmCreate(type: 0, owner: 1, day: 13),
                    .crmCreate(type: 1, owner: 1, day: 11),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmCreate(type: 1, owner: 1, day: 2),
                    .crmEdit(pick: 23788, edit: SimEdit(field: .time, value: 805)),
                    .outlookEdit(mailbox: 1, pick: 28266, edit: SimEdit(field: .reminder, value: 742)),
                    .crmEdit(pick: 8390, edit: SimEdit(field: .information, value: 814)),
                    .pass(mailbox: 1, faults: [SimFault(step: 3, kind: .staleVersion, value: 553)], crash: nil),
                    .outlookDelete(mailbox: 1, pick: 61102),
                    .outlookEdit(mailbox: 1, pick: 60614, edit: SimEdit(field: .showAs, value: 51)),
                    .crmDelete(pick: 64295),
                    .crmReassign(pick: 25735),
                    .outlookCopy(mailbox: 1, pick: 36581, into: 1),
                    .crmReassign(pick: 27691),
                    .employeeSync(employee: 1),
                    .employeeSync(employee: 1),
                    .cursorsExpire(mailbox: 1),
                    .outlookDelete(mailbox: 1, pick: 57236),
                    .outlookEdit(mailbox: 1, pick: 32837, edit: SimEdit(field: .time, value: 89)),
                    .crmEdit(pick: 30714, edit: SimEdit(field: .time, value: 418)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .answerLost, value: 916, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
    ]

    @Test("fixed histories run clean", arguments: 0..<fixed.count)
    func fixedHistory(index: Int) async {
        let (name, history) = Self.fixed[index]
        let problems = await SimRunner.run(history).problems
        #expect(problems.isEmpty, "\(name): \(problems)")
    }
}
