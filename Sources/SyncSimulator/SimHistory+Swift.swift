extension SimHistory {
    /// The history as Swift source, to paste into the regression suite.
    public var swiftSource: String {
        "SimHistory(seed: \(seed), policy: \(policy), batchSize: \(batchSize)\(windowed ? ", windowed: true" : "")\(callsAsTasks ? ", callsAsTasks: true" : ""), events: [\n"
            + events.map { "    " + $0.swiftSource + "," }.joined(separator: "\n") + "\n])"
    }
}

extension SimEvent {
    var swiftSource: String {
        switch self {
        case .crmCreate(let type, let owner, let day): ".crmCreate(type: \(type), owner: \(owner), day: \(day))"
        case .crmEdit(let pick, let edit): ".crmEdit(pick: \(pick), edit: \(edit.swiftSource))"
        case .crmDelete(let pick): ".crmDelete(pick: \(pick))"
        case .crmRestore(let pick): ".crmRestore(pick: \(pick))"
        case .crmReassign(let pick): ".crmReassign(pick: \(pick))"
        case .crmSynchronize(let pick): ".crmSynchronize(pick: \(pick))"
        case .employeeSync(let e): ".employeeSync(employee: \(e))"
        case .outlookCreate(let m, let task, let category, let day):
            ".outlookCreate(mailbox: \(m), task: \(task), category: \(category), day: \(day))"
        case .outlookEdit(let m, let pick, let edit):
            ".outlookEdit(mailbox: \(m), pick: \(pick), edit: \(edit.swiftSource))"
        case .outlookDelete(let m, let pick): ".outlookDelete(mailbox: \(m), pick: \(pick))"
        case .outlookRestore(let m, let pick): ".outlookRestore(mailbox: \(m), pick: \(pick))"
        case .outlookMove(let m, let pick): ".outlookMove(mailbox: \(m), pick: \(pick))"
        case .outlookCopy(let m, let pick, let into): ".outlookCopy(mailbox: \(m), pick: \(pick), into: \(into))"
        case .outlookCategory(let m, let pick): ".outlookCategory(mailbox: \(m), pick: \(pick))"
        case .serverTouch(let m, let pick): ".serverTouch(mailbox: \(m), pick: \(pick))"
        case .cursorsExpire(let m): ".cursorsExpire(mailbox: \(m))"
        case .tasksServed(let m): ".tasksServed(mailbox: \(m))"
        case .pass(let m, let faults, let crash):
            ".pass(mailbox: \(m), faults: [\(faults.map(\.swiftSource).joined(separator: ", "))], crash: "
                + (crash.map {
                    "SimCrash(step: \($0.step), afterApplying: \($0.afterApplying)"
                        + ($0.operation.map { ", operation: \"\($0)\"" } ?? "") + ")"
                } ?? "nil") + ")"
        }
    }
}

extension SimEdit {
    var swiftSource: String { "SimEdit(field: .\(field.rawValue), value: \(value))" }
}

extension SimFault {
    var swiftSource: String {
        "SimFault(step: \(step), kind: .\(kind.rawValue), value: \(value)\(onWrites ? ", onWrites: true" : ""))"
    }
}
