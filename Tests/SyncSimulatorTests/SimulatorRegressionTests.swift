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
    ]

    @Test("fixed histories run clean", arguments: 0..<fixed.count)
    func fixedHistory(index: Int) async {
        let (name, history) = Self.fixed[index]
        let problems = await Self.problems(history)
        #expect(problems.isEmpty, "\(name): \(problems)")
    }
}
