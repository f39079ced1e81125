import SyncSimulator
import Testing

/// Histories under Graph's windowed listings (issue 13) the simulator found failing, shrunk, kept as regressions.
@Suite("simulator: windowed (Graph) histories stay fixed")
struct SimulatorWindowedRegressionTests {
    static let fixed: [(String, SimHistory)] = [
        (
            "a linked meeting an Outlook edit moved out of the window is not listed from the start: read, not deleted",
            SimHistory(
                seed: 161,
                policy: 1,
                batchSize: 4,
                windowed: true,
                events: [
                    .crmCreate(type: 2, owner: 1, day: 2),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 26802, edit: SimEdit(field: .status, value: 415)),
                ]
            )
        ),
        (
            "an Outlook edit the window hid, then a CRM delete: the delete is conditional (If-Match), the edit is read",
            SimHistory(
                seed: 1803,
                policy: 1,
                batchSize: 4,
                windowed: true,
                events: [
                    .outlookCreate(mailbox: 1, task: false, category: true, day: 0),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 47704, edit: SimEdit(field: .status, value: 292)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .crmDelete(pick: 48982),
                    .outlookEdit(mailbox: 1, pick: 56830, edit: SimEdit(field: .showAs, value: 879)),
                    .pass(mailbox: 1, faults: [], crash: nil),
                ]
            )
        ),
        (
            "a meeting moved out of the window and moved in Outlook keeps its id (ImmutableId): found by id, not deleted",
            SimHistory(
                seed: 2397,
                policy: 2,
                batchSize: 1,
                windowed: true,
                events: [
                    .employeeSync(employee: 1),
                    .crmCreate(type: 1, owner: 1, day: 3),
                    .crmEdit(pick: 37561, edit: SimEdit(field: .priority, value: 951)),
                    .employeeSync(employee: 1),
                    .pass(mailbox: 1, faults: [], crash: nil),
                    .outlookEdit(mailbox: 1, pick: 9017, edit: SimEdit(field: .status, value: 119)),
                    .outlookMove(mailbox: 1, pick: 24176),
                ]
            )
        ),
        (
            "a To Do task reopened (To Do keeps no percentage): read at the percentage it answers, not the base's 100 %",
            SimHistory(
                seed: 4466,
                policy: 0,
                batchSize: 3,
                windowed: true,
                events: [
                    .outlookCreate(mailbox: 0, task: true, category: true, day: 3),
                    .pass(
                        mailbox: 0,
                        faults: [SimFault(step: 3, kind: .answerLost, value: 271, onWrites: true)],
                        crash: nil
                    ),
                    .crmEdit(pick: 57133, edit: SimEdit(field: .status, value: 492)),
                    .pass(mailbox: 0, faults: [SimFault(step: 8, kind: .answerLost, value: 113)], crash: nil),
                    .outlookEdit(mailbox: 0, pick: 44108, edit: SimEdit(field: .status, value: 373)),
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
