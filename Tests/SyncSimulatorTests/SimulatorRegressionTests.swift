import SyncSimulator
import Testing

/// Histories the simulator found failing, shrunk, kept as regressions (each names the defect class it found).
@Suite("simulator: shrunk failing histories stay fixed")
struct SimulatorRegressionTests {
    static func problems(_ history: SimHistory) async -> [String] { await SimRunner.run(history).problems }

    static let fixed: [(String, SimHistory)] = [
        (
            "a user's copy in the same mailbox takes no part in the pair's base; the CRM's next edit reaches the original",
            SimHistory(
                seed: 6839,
                policy: 1,
                batchSize: 3,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 18),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 6033, into: 1),
                    .crmEdit(pick: 30350, edit: SimEdit(field: .status, value: 452)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmEdit(pick: 44497, edit: SimEdit(field: .status, value: 440)),
                ]
            )
        ),
        (
            "an item deleted while a pass writes to it, the re-create failing: the link goes first, the next pass creates",
            SimHistory(
                seed: 7404,
                policy: 2,
                batchSize: 3,
                events: [
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
                ]
            )
        ),
        (
            "an old owner's edit and a cross-mailbox copy of a deleted activity: the edit is carried, then merged",
            SimHistory(
                seed: 8119,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 16),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmReassign(pick: 461),
                    .outlookCopy(mailbox: 1, pick: 988, into: 0),
                    .crmDelete(pick: 1296),
                    .outlookEdit(mailbox: 1, pick: 3694, edit: SimEdit(field: .subject, value: 312)),
                ]
            )
        ),
        (
            "synchronize turned off: an Outlook edit not yet synced comes into the CRM before the item goes",
            SimHistory(
                seed: 10567,
                policy: 1,
                batchSize: 3,
                events: [
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 16),
                    .pass(mailbox: 0, faults: [SimFault(step: 8, kind: .staleVersion, value: 260)], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 36849, edit: SimEdit(field: .due, value: 965)),
                    .crmSynchronize(pick: 14547),
                    .pass(mailbox: 0, faults: [SimFault(step: 6, kind: .inBandBusy, value: 364)], crash: nil),
                    .crmSynchronize(pick: 21684),
                ]
            )
        ),
        (
            "a crash between a re-link and its merge: a pair's local decisions land in one transaction",
            SimHistory(
                seed: 11194,
                policy: 1,
                batchSize: 1,
                events: [
                    .crmCreate(type: 1, owner: 1, day: 16),
                    .crmCreate(type: 1, owner: 0, day: 18),
                    .crmCreate(type: 0, owner: 0, day: 13),
                    .crmCreate(type: 1, owner: 0, day: 19),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 14),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookMove(mailbox: 1, pick: 53432),
                    .crmEdit(pick: 5986, edit: SimEdit(field: .subject, value: 484)),
                    .outlookEdit(mailbox: 1, pick: 40146, edit: SimEdit(field: .sensitivity, value: 945)),
                    .crmCreate(type: 0, owner: 1, day: 0),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 6, afterApplying: true)),
                ]
            )
        ),
        (
            "the delete half of an ownership move fails, then the old owner moves the item: it is found by identity",
            SimHistory(
                seed: 17941,
                policy: 2,
                batchSize: 1,
                events: [
                    .employeeSync(employee: 1),
                    .crmCreate(type: 0, owner: 0, day: 6),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 37787),
                    .employeeSync(employee: 1),
                    .pass(mailbox: 1, faults: [SimFault(step: 4, kind: .notApplied, value: 957)], crash: nil),
                    .outlookMove(mailbox: 0, pick: 14870),
                ]
            )
        ),
        (
            "an ownership move half done before a crash: the carried edit moved the old link's base, not carried twice",
            SimHistory(
                seed: 2666,
                policy: 1,
                batchSize: 2,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 9),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 1969, edit: SimEdit(field: .sensitivity, value: 606)),
                    .employeeSync(employee: 0),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 5),
                    .employeeSync(employee: 0),
                    .crmReassign(pick: 16627),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "stamp")),
                    .crmEdit(pick: 23812, edit: SimEdit(field: .sensitivity, value: 522)),
                ]
            )
        ),
        (
            "a user's edits to their copy belong to the copy, whatever identity it carried then",
            SimHistory(
                seed: 1219,
                policy: 2,
                batchSize: 4,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 18),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 33015, into: 1),
                    .outlookEdit(mailbox: 1, pick: 52225, edit: SimEdit(field: .subject, value: 666)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookDelete(mailbox: 1, pick: 57571),
                ]
            )
        ),
        (
            "an import whose stamp landed, then copied and refused: the copy is told apart, never a second item",
            SimHistory(
                seed: 107890,
                policy: 2,
                batchSize: 3,
                events: [
                    .employeeSync(employee: 1),
                    .outlookCreate(mailbox: 1, task: true, category: false, day: 14),
                    .outlookCategory(mailbox: 1, pick: 1413),
                    .employeeSync(employee: 1),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 2, kind: .staleVersion, value: 101, onWrites: true),
                            SimFault(step: 0, kind: .answerLost, value: 92, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .outlookCopy(mailbox: 1, pick: 21246, into: 1),
                    .outlookDelete(mailbox: 1, pick: 62873),
                    .outlookEdit(mailbox: 1, pick: 30468, edit: SimEdit(field: .emptySubject, value: 633)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookRestore(mailbox: 1, pick: 16659),
                ]
            )
        ),
        (
            "a crash right after our own delete (synchronize off): the gone item is not taken for a user's delete",
            SimHistory(
                seed: 8224,
                policy: 0,
                batchSize: 2,
                events: [
                    .outlookCreate(mailbox: 0, task: false, category: false, day: 14),
                    .crmCreate(type: 2, owner: 0, day: 12),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 17),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 6),
                    .outlookCopy(mailbox: 0, pick: 25118, into: 0),
                    .crmDelete(pick: 18729),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookCopy(mailbox: 0, pick: 44233, into: 0),
                    .crmEdit(pick: 62097, edit: SimEdit(field: .subject, value: 54)),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmSynchronize(pick: 44193),
                    .pass(
                        mailbox: 0,
                        faults: [],
                        crash: SimCrash(step: 0, afterApplying: true, operation: "store-transaction")
                    ),
                    .crmSynchronize(pick: 51034),
                ]
            )
        ),
        (
            "an old copy in the new owner's mailbox, restored after the CRM's delete, does not overwrite the edit carried from the old owner (a restore without a base merges as conflicts)",
            SimHistory(
                seed: 7761,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 1, owner: 0, day: 16),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookCopy(mailbox: 0, pick: 60392, into: 1),
                    .outlookEdit(mailbox: 0, pick: 38076, edit: SimEdit(field: .due, value: 208)),
                    .crmReassign(pick: 21637),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmDelete(pick: 23698),
                ]
            )
        ),
        (
            "start and end changed on both sides merge as one schedule (never an end before its start that both sides refuse)",
            SimHistory(
                seed: 38420,
                policy: 0,
                batchSize: 3,
                events: [
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 5),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .serverBusy, value: 550, onWrites: true)],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 54598, edit: SimEdit(field: .due, value: 377)),
                    .crmEdit(pick: 6402, edit: SimEdit(field: .due, value: 125)),
                ]
            )
        ),
        (
            "an ownership move whose delete landed before a crash, then moved back: the old owner's pass knows the delete was ours",
            SimHistory(
                seed: 17139,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 1, owner: 0, day: 17),
                    .crmCreate(type: 1, owner: 0, day: 17),
                    .crmCreate(type: 2, owner: 0, day: 0),
                    .crmEdit(pick: 15230, edit: SimEdit(field: .showAs, value: 843)),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 40702),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "remove")),
                    .crmReassign(pick: 15384),
                ]
            )
        ),
        (
            "a move-out sent again after a crash finds an older copy of the item it judged: no edit carried from the copy's older values",
            SimHistory(
                seed: 47433,
                policy: 2,
                batchSize: 4,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 18),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 15507, into: 1),
                    .outlookEdit(mailbox: 1, pick: 46448, edit: SimEdit(field: .sensitivity, value: 558)),
                    .crmReassign(pick: 6845),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "remove")),
                ]
            )
        ),
        (
            "an edit in the old owner's Outlook after the CRM deleted the moving activity brings it back (edit beats delete)",
            SimHistory(
                seed: 72522,
                policy: 0,
                batchSize: 1,
                events: [
                    .crmCreate(type: 1, owner: 0, day: 14),
                    .crmReassign(pick: 56032),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmReassign(pick: 11104),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 2, kind: .goneMeanwhile, value: 294, onWrites: true),
                            SimFault(step: 0, kind: .notApplied, value: 925, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .crmDelete(pick: 29716),
                    .outlookEdit(mailbox: 1, pick: 6651, edit: SimEdit(field: .location, value: 196)),
                ]
            )
        ),
        (
            "an item of an unsynchronized activity restored and edited: its values come in as recorded conflicts before it goes again",
            SimHistory(
                seed: 23896,
                policy: 1,
                batchSize: 3,
                events: [
                    .crmCreate(type: 1, owner: 1, day: 1),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .goneMeanwhile, value: 170, onWrites: true)],
                        crash: nil
                    ),
                    .crmSynchronize(pick: 14814),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookRestore(mailbox: 1, pick: 56623),
                    .outlookEdit(mailbox: 1, pick: 32496, edit: SimEdit(field: .time, value: 971)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 3, kind: .editRace, value: 831, onWrites: true)],
                        crash: nil
                    ),
                    .crmSynchronize(pick: 2749),
                ]
            )
        ),
        (
            "a local merge whose update to the item did not land does not record the item's version as judged (the item is read again)",
            SimHistory(
                seed: 47939,
                policy: 2,
                batchSize: 3,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 10),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 24550, edit: SimEdit(field: .reminder, value: 524)),
                    .crmEdit(pick: 29840, edit: SimEdit(field: .reminder, value: 221)),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .staleVersion, value: 719, onWrites: true)],
                        crash: SimCrash(step: 0, afterApplying: false, operation: "read")
                    ),
                    .crmEdit(pick: 32245, edit: SimEdit(field: .reminder, value: 436)),
                ]
            )
        ),
        (
            "copies of an imported item and a CRM delete racing a user's delete: the edit made after the delete stands",
            SimHistory(
                seed: 4385,
                policy: 1,
                batchSize: 4,
                events: [
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 1),
                    .crmCreate(type: 2, owner: 1, day: 8),
                    .crmCreate(type: 0, owner: 0, day: 13),
                    .crmCreate(type: 1, owner: 1, day: 12),
                    .outlookCopy(mailbox: 0, pick: 62556, into: 0),
                    .crmDelete(pick: 5654),
                    .crmCreate(type: 2, owner: 1, day: 1),
                    .crmCreate(type: 2, owner: 0, day: 11),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 2, kind: .staleVersion, value: 515, onWrites: true)],
                        crash: nil
                    ),
                    .crmCreate(type: 2, owner: 1, day: 3),
                    .crmDelete(pick: 59193),
                    .outlookCopy(mailbox: 0, pick: 22447, into: 0),
                    .crmEdit(pick: 42956, edit: SimEdit(field: .priority, value: 615)),
                    .crmCreate(type: 0, owner: 1, day: 4),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .goneMeanwhile, value: 918, onWrites: true)],
                        crash: nil
                    ),
                    .crmEdit(pick: 3927, edit: SimEdit(field: .priority, value: 70)),
                ]
            )
        ),
        (
            "a pass's own delete of an item failing does not settle another mailbox's move-out whose item has the same id",
            SimHistory(
                seed: 65648,
                policy: 1,
                batchSize: 2,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 14),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 55461, into: 0),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 6),
                    .crmSynchronize(pick: 20382),
                    .crmReassign(pick: 3441),
                    .outlookCopy(mailbox: 1, pick: 60079, into: 0),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 4),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 2, kind: .serverBusy, value: 576, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "a move-out sent again finds only a user's copy made later of the item it judged: the copy is the user's, never taken for it",
            SimHistory(
                seed: 44675,
                policy: 1,
                batchSize: 1,
                events: [
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 13),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 0),
                    .outlookEdit(mailbox: 1, pick: 34266, edit: SimEdit(field: .information, value: 834)),
                    .serverTouch(mailbox: 1, pick: 25698),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 0),
                    .outlookDelete(mailbox: 1, pick: 8576),
                    .outlookCopy(mailbox: 1, pick: 37486, into: 1),
                    .outlookEdit(mailbox: 1, pick: 22527, edit: SimEdit(field: .status, value: 516)),
                    .crmReassign(pick: 20229),
                    .crmSynchronize(pick: 54264),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 15),
                    .crmSynchronize(pick: 21864),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .answerLost, value: 700, onWrites: true)],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 1, pick: 50559, edit: SimEdit(field: .priority, value: 187)),
                ]
            )
        ),
        (
            "an item moved and a deleted one restored in the old owner's mailbox around ownership moves: both go with the move",
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
            "copies and a restore around ownership moves and a delete: the restored item's edit stands",
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
        (
            "an item created with its answer lost, then its activity moved while the user copied and edited the item into the new owner's mailbox: the lost create's item is the previous owner's",
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
            "a deleted item restored beside its re-created one is a user's copy: released, then the user's own (its edits are the user's)",
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
            "an old copy restored while the engine's own write to the original raced a user's delete: the copy released is the user's own, its edits too",
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
            "a move-out throttled, then the activity deleted through the new owner's item: the old owner's item still goes",
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
            "an old item restored in the previous owner's mailbox while a move-out is pending: neither item there is a user's copy, both go with the move-out",
            SimHistory(
                seed: 132113,
                policy: 0,
                batchSize: 1,
                events: [
                    .crmCreate(type: 1, owner: 0, day: 9),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 53790, edit: SimEdit(field: .sensitivity, value: 540)),
                    .crmSynchronize(pick: 1531),
                    .crmCreate(type: 1, owner: 0, day: 6),
                    .outlookCreate(mailbox: 1, task: false, category: false, day: 13),
                    .serverTouch(mailbox: 0, pick: 49235),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 1),
                    .outlookCategory(mailbox: 0, pick: 13235),
                    .crmDelete(pick: 54025),
                    .outlookCopy(mailbox: 1, pick: 61944, into: 0),
                    .crmCreate(type: 1, owner: 0, day: 13),
                    .crmCreate(type: 0, owner: 0, day: 15),
                    .crmSynchronize(pick: 24723),
                    .outlookDelete(mailbox: 0, pick: 63258),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 9),
                    .crmDelete(pick: 53204),
                    .outlookCopy(mailbox: 1, pick: 61780, into: 0),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .editRace, value: 810, onWrites: true)],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 47658, edit: SimEdit(field: .information, value: 67)),
                    .outlookMove(mailbox: 0, pick: 36381),
                    .crmDelete(pick: 55934),
                    .outlookDelete(mailbox: 0, pick: 14635),
                    .outlookDelete(mailbox: 0, pick: 21210),
                    .outlookCopy(mailbox: 0, pick: 25405, into: 1),
                    .crmEdit(pick: 12621, edit: SimEdit(field: .sensitivity, value: 847)),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 1, kind: .goneMeanwhile, value: 908, onWrites: true),
                            SimFault(step: 1, kind: .editRace, value: 605, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 35461, edit: SimEdit(field: .subject, value: 975)),
                    .crmReassign(pick: 1753),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 0, afterApplying: false, operation: "remove")),
                    .outlookRestore(mailbox: 0, pick: 6590),
                    .pass(mailbox: 0, faults: [], crash: nil),
                ]
            )
        ),
        (
            "a user's copy released, then moved and edited: its edits are the user's own",
            SimHistory(
                seed: 151085,
                policy: 1,
                batchSize: 2,
                events: [
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 10),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 7),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookDelete(mailbox: 1, pick: 36272),
                    .crmCreate(type: 2, owner: 0, day: 0),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmEdit(pick: 11671, edit: SimEdit(field: .information, value: 201)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmDelete(pick: 30412),
                    .outlookEdit(mailbox: 1, pick: 36161, edit: SimEdit(field: .due, value: 667)),
                    .crmDelete(pick: 49141),
                    .crmReassign(pick: 21881),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 1),
                    .crmReassign(pick: 29092),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmReassign(pick: 28554),
                    .outlookRestore(mailbox: 1, pick: 11917),
                    .crmReassign(pick: 42422),
                    .outlookCopy(mailbox: 0, pick: 13105, into: 1),
                    .crmReassign(pick: 7273),
                    .outlookCopy(mailbox: 1, pick: 64618, into: 1),
                    .outlookEdit(mailbox: 1, pick: 22873, edit: SimEdit(field: .location, value: 484)),
                    .outlookCreate(mailbox: 1, task: true, category: false, day: 11),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookMove(mailbox: 1, pick: 23500),
                    .outlookDelete(mailbox: 1, pick: 14379),
                ]
            )
        ),
        (
            "a move-out not applied, then the activity moved back and deleted: whichever mailbox owns the activity sees the pending move-out through, and the item it left goes",
            SimHistory(
                seed: 692256,
                policy: 0,
                batchSize: 2,
                events: [
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 3),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 41158),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 2, kind: .notApplied, value: 466, onWrites: true),
                            SimFault(step: 0, kind: .notApplied, value: 208, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .crmReassign(pick: 40721),
                    .crmDelete(pick: 23853),
                ]
            )
        ),
        (
            "an old owner's edit and a later CRM edit of one field while a move-out is retried: judged against the CRM's value then, a conflict rather than the CRM's edit overwritten",
            SimHistory(
                seed: 9005,
                policy: 2,
                batchSize: 1,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 12),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .goneMeanwhile, value: 630, onWrites: true)],
                        crash: nil
                    ),
                    .crmReassign(pick: 55450),
                    .crmEdit(pick: 52415, edit: SimEdit(field: .reminder, value: 489)),
                    .outlookCreate(mailbox: 0, task: true, category: false, day: 8),
                    .outlookDelete(mailbox: 0, pick: 55079),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .notApplied, value: 57, onWrites: true)],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 0, pick: 23877, edit: SimEdit(field: .reminder, value: 201)),
                    .crmEdit(pick: 46846, edit: SimEdit(field: .showAs, value: 568)),
                ]
            )
        ),
        (
            "an activity deleted while moving into a mailbox that holds a user's copy of it: the old owner's edit brings it back into that copy, never into a second item",
            SimHistory(
                seed: 27945,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 1, owner: 1, day: 9),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 17021, into: 0),
                    .outlookEdit(mailbox: 1, pick: 6760, edit: SimEdit(field: .priority, value: 11)),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 7, kind: .answerLost, value: 520),
                            SimFault(step: 1, kind: .inBandBusy, value: 648, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .crmReassign(pick: 60812),
                    .crmDelete(pick: 54571),
                ]
            )
        ),
        (
            "a create cut off by a crash, the activity moved and created in its new owner's mailbox, then copied back by the user: the copy is never taken for that create (the new owner's pass settled it)",
            SimHistory(
                seed: 961261,
                policy: 2,
                batchSize: 1,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 18),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 0, afterApplying: false, operation: "create")),
                    .crmEdit(pick: 49158, edit: SimEdit(field: .information, value: 275)),
                    .crmReassign(pick: 18983),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookCopy(mailbox: 1, pick: 4102, into: 0),
                    .crmEdit(pick: 17380, edit: SimEdit(field: .information, value: 304)),
                ]
            )
        ),
        (
            "an Outlook move and a schedule edit on both sides, the pass cut off after the re-link: the link's version stays unknown until our update lands, so the schedule is written whole",
            SimHistory(
                seed: 406421,
                policy: 2,
                batchSize: 1,
                events: [
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 9),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookMove(mailbox: 1, pick: 21625),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 12),
                    .crmEdit(pick: 20409, edit: SimEdit(field: .due, value: 29)),
                    .outlookEdit(mailbox: 1, pick: 55214, edit: SimEdit(field: .time, value: 362)),
                    .crmEdit(pick: 61760, edit: SimEdit(field: .status, value: 568)),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 0, afterApplying: false, operation: "stamp")),
                ]
            )
        ),
        (
            "a re-link whose update did not land: the item is read again, never taken for what that pass judged",
            SimHistory(
                seed: 651647,
                policy: 0,
                batchSize: 2,
                events: [
                    .employeeSync(employee: 0),
                    .employeeSync(employee: 0),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 0),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmEdit(pick: 39532, edit: SimEdit(field: .sensitivity, value: 167)),
                    .pass(mailbox: 0, faults: [], crash: SimCrash(step: 5, afterApplying: true)),
                    .outlookCopy(mailbox: 0, pick: 32686, into: 0),
                    .outlookDelete(mailbox: 0, pick: 4322),
                    .crmEdit(pick: 19670, edit: SimEdit(field: .sensitivity, value: 138)),
                    .pass(
                        mailbox: 0,
                        faults: [],
                        crash: SimCrash(step: 1, afterApplying: false, operation: "store-transaction")
                    ),
                ]
            )
        ),
        (
            "a create cut off after it landed, then the activity moved, a deleted item restored and edits on both sides: no edit lost",
            SimHistory(
                seed: 333129,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 4),
                    .pass(mailbox: 1, faults: [], crash: SimCrash(step: 0, afterApplying: true, operation: "create")),
                    .crmSynchronize(pick: 57744),
                    .crmEdit(pick: 22334, edit: SimEdit(field: .reminder, value: 825)),
                    .crmReassign(pick: 12195),
                    .crmSynchronize(pick: 20289),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookRestore(mailbox: 1, pick: 12195),
                    .outlookEdit(mailbox: 1, pick: 16510, edit: SimEdit(field: .reminder, value: 630)),
                    .outlookEdit(mailbox: 0, pick: 64795, edit: SimEdit(field: .showAs, value: 91)),
                ]
            )
        ),
        (
            "an old owner's removal throttled after its edits were carried, then the activity moved back: the item is read again, never taken for the stale base",
            SimHistory(
                seed: 737815,
                policy: 2,
                batchSize: 2,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 10),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 23600),
                    .outlookEdit(mailbox: 0, pick: 43652, edit: SimEdit(field: .location, value: 670)),
                    .outlookEdit(mailbox: 0, pick: 5970, edit: SimEdit(field: .priority, value: 187)),
                    .crmEdit(pick: 34528, edit: SimEdit(field: .location, value: 782)),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 6, kind: .answerLost, value: 292),
                            SimFault(step: 0, kind: .inBandBusy, value: 748, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .crmEdit(pick: 50429, edit: SimEdit(field: .location, value: 735)),
                    .crmReassign(pick: 36893),
                ]
            )
        ),
        (
            "the old owner's pass removed a moving activity's item itself, then the user restored it: the new owner's pending move-out was settled by that delete, so the restored values are not carried over a later CRM edit",
            SimHistory(
                seed: 932669,
                policy: 1,
                batchSize: 4,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 12),
                    .crmCreate(type: 1, owner: 1, day: 7),
                    .crmReassign(pick: 40563),
                    .crmDelete(pick: 15115),
                    .pass(mailbox: 1, faults: [SimFault(step: 1, kind: .goneMeanwhile, value: 948)], crash: nil),
                    .crmReassign(pick: 14183),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 0, kind: .inBandBusy, value: 555, onWrites: true),
                            SimFault(step: 3, kind: .serverBusy, value: 541, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .outlookEdit(mailbox: 1, pick: 28691, edit: SimEdit(field: .status, value: 964)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookRestore(mailbox: 1, pick: 32566),
                    .crmEdit(pick: 50301, edit: SimEdit(field: .status, value: 108)),
                ]
            )
        ),
        (
            "a move-out's delete landed while its create's answer was lost, the old item moved before, and the activity moved back: the old link goes with that delete, never taken for a user's delete",
            SimHistory(
                seed: 345013,
                policy: 2,
                batchSize: 4,
                events: [
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 6),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 10),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmDelete(pick: 35682),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 17),
                    .crmEdit(pick: 45015, edit: SimEdit(field: .reminder, value: 134)),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 32438),
                    .outlookMove(mailbox: 0, pick: 19581),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .answerLost, value: 35, onWrites: true)],
                        crash: nil
                    ),
                    .crmReassign(pick: 13386),
                ]
            )
        ),
        (
            "a restored item released as a copy, edited, deleted and restored again: its edits follow the identity it carried when deleted",
            SimHistory(
                seed: 955038,
                policy: 2,
                batchSize: 2,
                events: [
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 4),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmEdit(pick: 55330, edit: SimEdit(field: .time, value: 641)),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 2, kind: .staleVersion, value: 790, onWrites: true),
                            SimFault(step: 0, kind: .goneMeanwhile, value: 231, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .pass(mailbox: 0, faults: [SimFault(step: 6, kind: .staleVersion, value: 749)], crash: nil),
                    .outlookRestore(mailbox: 0, pick: 62384),
                    .outlookEdit(mailbox: 0, pick: 16241, edit: SimEdit(field: .location, value: 968)),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookDelete(mailbox: 0, pick: 2531),
                    .outlookRestore(mailbox: 0, pick: 44571),
                ]
            )
        ),
        (
            "a create cut off after it landed, the activity moved back, and edits of one field in both mailboxes' items: the old item's edit is judged against what that create sent, so the two Outlook edits conflict",
            SimHistory(
                seed: 200121,
                policy: 0,
                batchSize: 1,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 7),
                    .crmCreate(type: 0, owner: 1, day: 9),
                    .crmCreate(type: 2, owner: 0, day: 14),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmDelete(pick: 51323),
                    .pass(mailbox: 0, faults: [SimFault(step: 8, kind: .editRace, value: 485)], crash: nil),
                    .crmReassign(pick: 5795),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .notApplied, value: 373, onWrites: true)],
                        crash: SimCrash(step: 11, afterApplying: true)
                    ),
                    .crmReassign(pick: 62018),
                    .outlookEdit(mailbox: 1, pick: 35000, edit: SimEdit(field: .location, value: 356)),
                    .outlookEdit(mailbox: 0, pick: 42021, edit: SimEdit(field: .location, value: 433)),
                ]
            )
        ),
        (
            "a move-out not applied and a create's answer lost, the activity moved back, then an Outlook edit there and a later CRM edit of the schedule: the CRM edit is not overwritten",
            SimHistory(
                seed: 469646,
                policy: 2,
                batchSize: 3,
                events: [
                    .employeeSync(employee: 1),
                    .crmCreate(type: 2, owner: 0, day: 6),
                    .crmCreate(type: 2, owner: 0, day: 1),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmCreate(type: 1, owner: 0, day: 19),
                    .crmReassign(pick: 32359),
                    .employeeSync(employee: 1),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 0, kind: .notApplied, value: 260, onWrites: true),
                            SimFault(step: 1, kind: .answerLost, value: 374, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .crmCreate(type: 1, owner: 1, day: 5),
                    .crmReassign(pick: 1193),
                    .crmCreate(type: 2, owner: 0, day: 13),
                    .outlookEdit(mailbox: 1, pick: 5124, edit: SimEdit(field: .status, value: 959)),
                    .crmCreate(type: 2, owner: 1, day: 10),
                    .crmEdit(pick: 23899, edit: SimEdit(field: .due, value: 529)),
                ]
            )
        ),
        (
            "a user's copy whose release was refused (edited meanwhile), then the original deleted and the activity moved: the copy is the user's, never carried over the newer CRM edit as the old item",
            SimHistory(
                seed: 217978,
                policy: 2,
                batchSize: 4,
                events: [
                    .crmCreate(type: 1, owner: 1, day: 5),
                    .crmCreate(type: 2, owner: 1, day: 16),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 27732, edit: SimEdit(field: .due, value: 181)),
                    .serverTouch(mailbox: 1, pick: 43415),
                    .outlookEdit(mailbox: 1, pick: 59652, edit: SimEdit(field: .reminder, value: 148)),
                    .crmCreate(type: 1, owner: 1, day: 11),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 2, kind: .notApplied, value: 604, onWrites: true)],
                        crash: nil
                    ),
                    .outlookCopy(mailbox: 1, pick: 26287, into: 1),
                    .crmDelete(pick: 48898),
                    .crmEdit(pick: 57233, edit: SimEdit(field: .due, value: 926)),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 0, kind: .editRace, value: 960, onWrites: true),
                            SimFault(step: 9, kind: .editRace, value: 192),
                        ],
                        crash: nil
                    ),
                    .outlookDelete(mailbox: 1, pick: 665),
                    .crmReassign(pick: 34851),
                ]
            )
        ),
        (
            "a restored item and the item moved since, both judged by a move-out that was throttled: the retry takes both, not only the entry's older one",
            SimHistory(
                seed: 703071,
                policy: 0,
                batchSize: 4,
                events: [
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 13),
                    .crmCreate(type: 1, owner: 0, day: 8),
                    .crmReassign(pick: 50954),
                    .crmEdit(pick: 13370, edit: SimEdit(field: .information, value: 983)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 1, kind: .goneMeanwhile, value: 144, onWrites: true)],
                        crash: nil
                    ),
                    .outlookDelete(mailbox: 1, pick: 6308),
                    .outlookCopy(mailbox: 0, pick: 50231, into: 1),
                    .crmReassign(pick: 47459),
                    .crmEdit(pick: 3180, edit: SimEdit(field: .information, value: 620)),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 6),
                    .crmReassign(pick: 58791),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmDelete(pick: 23703),
                    .outlookRestore(mailbox: 1, pick: 18407),
                    .outlookMove(mailbox: 1, pick: 13883),
                    .outlookCopy(mailbox: 1, pick: 64029, into: 0),
                    .crmReassign(pick: 8415),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .serverBusy, value: 424, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "a user's copy whose release has not landed, moved in Outlook after the original went: still the user's copy (known by its DateTimeCreated), never the activity's item with its older values",
            SimHistory(
                seed: 884026,
                policy: 1,
                batchSize: 1,
                events: [
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 13),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 8),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 12),
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 7),
                    .outlookDelete(mailbox: 1, pick: 30614),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 1339, edit: SimEdit(field: .emptySubject, value: 749)),
                    .crmDelete(pick: 11633),
                    .crmDelete(pick: 44530),
                    .crmEdit(pick: 11075, edit: SimEdit(field: .subject, value: 909)),
                    .outlookCopy(mailbox: 0, pick: 6149, into: 0),
                    .crmEdit(pick: 27538, edit: SimEdit(field: .time, value: 790)),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .editRace, value: 460, onWrites: true)],
                        crash: nil
                    ),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 1, kind: .goneMeanwhile, value: 676, onWrites: true),
                            SimFault(step: 0, kind: .notApplied, value: 839, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .outlookMove(mailbox: 0, pick: 32425),
                ]
            )
        ),
        (
            "employee sync off and on around an Outlook move, a restore and an ownership move, with a crash: the moved item is the original (the link keeps its DateTimeCreated), not the older one restored",
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
        ),
        (
            "a task completed in Outlook while the CRM deferred it: status and percent go to one winner together (a CRM status with Outlook's 100 % is a pair Exchange cannot hold)",
            SimHistory(
                seed: 22300,
                policy: 2,
                batchSize: 3,
                events: [
                    .outlookCreate(mailbox: 1, task: true, category: true, day: 9),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 43016, edit: SimEdit(field: .status, value: 635)),
                    .crmEdit(pick: 45569, edit: SimEdit(field: .status, value: 998)),
                ]
            )
        ),
        (
            "the same with a stale version and a lost answer on the CRM's create first",
            SimHistory(
                seed: 19463,
                policy: 0,
                batchSize: 1,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 15),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 2, kind: .staleVersion, value: 312, onWrites: true),
                            SimFault(step: 2, kind: .answerLost, value: 504, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .crmEdit(pick: 25818, edit: SimEdit(field: .status, value: 468)),
                    .outlookEdit(mailbox: 1, pick: 12355, edit: SimEdit(field: .status, value: 400)),
                ]
            )
        ),
        (
            "a call without information: our CRM line on its item is no user's line (nothing to rewrite each pass)",
            SimHistory(
                seed: 740672,
                policy: 1,
                batchSize: 3,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 11),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 15585, edit: SimEdit(field: .emptySubject, value: 362)),
                    .crmEdit(pick: 34145, edit: SimEdit(field: .subject, value: 511)),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .notApplied, value: 625, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "a call rescheduled in Outlook, then an Outlook value the CRM refuses beside a CRM edit: our line is rewritten only on an item that holds nothing new, so no rewrite stands beside the refused merge",
            SimHistory(
                seed: 740672,
                policy: 1,
                batchSize: 3,
                events: [
                    .crmCreate(type: 2, owner: 0, day: 11),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 35241, edit: SimEdit(field: .due, value: 847)),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 15585, edit: SimEdit(field: .emptySubject, value: 362)),
                    .crmEdit(pick: 34145, edit: SimEdit(field: .subject, value: 511)),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .notApplied, value: 625, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "an Outlook edit restoring a deleted task while its conflict's winner is throttled: the item is read again next pass, not taken as judged (an intermediate fix recorded its version and lost the CRM's due)",
            SimHistory(
                seed: 519116,
                policy: 0,
                batchSize: 3,
                events: [
                    .crmCreate(type: 1, owner: 0, day: 2),
                    .crmCreate(type: 0, owner: 0, day: 13),
                    .crmCreate(type: 1, owner: 0, day: 3),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 3),
                    .outlookEdit(mailbox: 0, pick: 28812, edit: SimEdit(field: .time, value: 820)),
                    .crmReassign(pick: 39207),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmDelete(pick: 36284),
                    .crmDelete(pick: 24148),
                    .crmCreate(type: 0, owner: 0, day: 9),
                    .crmEdit(pick: 51877, edit: SimEdit(field: .due, value: 582)),
                    .crmEdit(pick: 59406, edit: SimEdit(field: .information, value: 382)),
                    .crmDelete(pick: 29440),
                    .outlookEdit(mailbox: 0, pick: 55284, edit: SimEdit(field: .due, value: 647)),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 0, kind: .inBandBusy, value: 105, onWrites: true)],
                        crash: nil
                    ),
                    .crmEdit(pick: 14726, edit: SimEdit(field: .time, value: 160)),
                ]
            )
        ),
    ]

    @Test("fixed histories run clean", arguments: 0..<fixed.count)
    func fixedHistory(index: Int) async {
        let (name, history) = Self.fixed[index]
        let problems = await Self.problems(history)
        #expect(problems.isEmpty, "\(name): \(problems)")
    }
}
