import SyncSimulator
import Testing

/// Histories the simulator found failing once its mailboxes kept only what Exchange's items keep (issue 14):
/// values an item class does not hold, calls kept as tasks (`sync.calls_as: task`), and a tasks folder not served
/// for a while (`graph.tasks: none`, tasks held after a backend switch). Each failed before its fix.
@Suite("simulator: what an item does not hold is neither lost nor taken for an edit")
struct SimulatorKeptFieldsRegressionTests {
    static let fixed: [(String, SimHistory)] = [
        (
            "a CRM task's place: a task holds none, so it is not compared (it was a difference for ever, and an Outlook edit of the task took it off)",
            SimHistory(
                seed: 30,
                policy: 2,
                batchSize: 2,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 11),
                    .crmEdit(pick: 39445, edit: SimEdit(field: .location, value: 889)),
                ]
            )
        ),
        (
            "a call kept as a task keeps the CRM's reminder (compared as the task's, before the call's start)",
            SimHistory(
                seed: 156,
                policy: 0,
                batchSize: 2,
                callsAsTasks: true,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 11),
                    .crmEdit(pick: 27445, edit: SimEdit(field: .reminder, value: 719)),
                    .pass(
                        mailbox: 1,
                        faults: [SimFault(step: 0, kind: .staleVersion, value: 0)],
                        crash: SimCrash(step: 1, afterApplying: true, operation: "store-transaction")
                    ),
                ]
            )
        ),
        (
            "a call kept as a task moved to another day in Outlook moves the call, at its time",
            SimHistory(
                seed: 648,
                policy: 0,
                batchSize: 2,
                callsAsTasks: true,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 12),
                    .crmEdit(pick: 56590, edit: SimEdit(field: .due, value: 330)),
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 9),
                    .crmReassign(pick: 19397),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookDelete(mailbox: 0, pick: 3358),
                    .outlookEdit(mailbox: 0, pick: 23314, edit: SimEdit(field: .time, value: 386)),
                ]
            )
        ),
        (
            "a task edited in Outlook while its mailbox's tasks are not served: its link is left alone, not taken for moved (its item was deleted and the edit lost)",
            SimHistory(
                seed: 405,
                policy: 1,
                batchSize: 4,
                events: [
                    .crmCreate(type: 0, owner: 0, day: 5),
                    .pass(mailbox: 0, faults: [SimFault(step: 0, kind: .goneMeanwhile, value: 44)], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 16147, edit: SimEdit(field: .information, value: 653)),
                    .tasksServed(mailbox: 0),
                    .pass(mailbox: 0, faults: [SimFault(step: 7, kind: .notApplied, value: 427)], crash: nil),
                ]
            )
        ),
        (
            "an import whose stamp answer was lost waits, open, while its folder is not served (it was settled unfinished)",
            SimHistory(
                seed: 5143,
                policy: 2,
                batchSize: 4,
                callsAsTasks: true,
                events: [
                    .outlookCreate(mailbox: 0, task: false, category: true, day: 15),
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 13),
                    .pass(
                        mailbox: 0,
                        faults: [
                            SimFault(step: 0, kind: .serverBusy, value: 230, onWrites: true),
                            SimFault(step: 4, kind: .answerLost, value: 231),
                        ],
                        crash: nil
                    ),
                    .tasksServed(mailbox: 0),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 1, kind: .notApplied, value: 685, onWrites: true)],
                        crash: nil
                    ),
                ]
            )
        ),
        (
            "a move-out not yet landed waits, open, while the old mailbox's folder is not served (its item was left behind)",
            SimHistory(
                seed: 13813,
                policy: 2,
                batchSize: 2,
                callsAsTasks: true,
                events: [
                    .crmCreate(type: 0, owner: 1, day: 5),
                    .crmReassign(pick: 40225),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 19),
                    .crmReassign(pick: 17472),
                    .pass(
                        mailbox: 1,
                        faults: [
                            SimFault(step: 0, kind: .answerLost, value: 928, onWrites: true),
                            SimFault(step: 1, kind: .notApplied, value: 498, onWrites: true),
                        ],
                        crash: nil
                    ),
                    .tasksServed(mailbox: 0),
                    .crmReassign(pick: 20516),
                    .pass(mailbox: 0, faults: [], crash: nil),
                    .crmReassign(pick: 15735),
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
