import ActivityModel
import SyncPlanning

extension SimEdit {
    static let statuses: [(String, Double)] = [
        ("not_started", 0), ("in_process", 50), ("completed", 100), ("deferred", 0), ("waiting_on_someone_else", 25),
    ]
    static let priorities: [Priority] = [.low, .normal, .high]
    static let sensitivities: [Sensitivity] = [.normal, .private, .confidential]
    static let showAs: [ShowAs] = [.free, .tentative, .busy, .oof]
    static let reminders: [Int?] = [nil, 15, 30, 60]
    /// Outlook's reminder choices differ from the CRM's: a value both sides could send by coincidence makes an
    /// unconfirmed write and a user's edit indistinguishable (which no sync can tell apart).
    static let outlookReminders: [Int?] = [nil, 5, 10, 120]
    static let outlookTaskReminders: [Int?] = [nil, 600, -540, -1020]

    var date: String { "2026-12-\(String(format: "%02d", 1 + value % 20))" }
    var hour: String { String(format: "%02d", 8 + value % 8) }

    /// Applies the edit as a CRM user would (the fields it moved are read off the compared form after).
    func applyCRM(to a: inout Activity) {
        let task = a.type == .task
        switch field {
        case .subject, .emptySubject:
            a.subject = "C\(value)"
        case .information:
            a.information = value % 4 == 0 ? nil : "crm note \(value)"
        case .priority:
            a.priority = Self.priorities[value % 3]
        case .sensitivity:
            a.sensitivity = Self.sensitivities[value % 3]
        case .status:
            if task {
                (a.status, a.percentComplete) = Self.statuses[value % Self.statuses.count]
            } else {
                a.status = a.type.statuses[value % 3]
            }
        case .due, .time:
            if task {
                a.due = date + "T\(hour):00:00Z"
            } else {
                a.start = date + "T\(hour):00:00Z"
                if a.type != .call { a.end = date + "T\(hour):45:00Z" }
            }
        case .location:
            a.location = value % 3 == 0 ? nil : "room \(value)"
        case .showAs:
            if task { fallthrough }
            a.showAs = Self.showAs[value % 4]
        case .reminder:
            a.reminderMinutes = Self.reminders[value % 4]
        }
    }

    /// Applies the edit as an Outlook user would; answers the synced fields it touched.
    func applyOutlook(to f: inout SyncFields, kind: ItemKind) -> [SyncFields.Field] {
        let task = kind == .task
        switch field {
        case .subject:
            f.subject = "O\(value)"
            return [.subject]
        case .emptySubject:
            f.subject = ""
            return [.subject]
        case .information:
            f.information = value % 4 == 0 ? nil : "outlook note \(value)"
            return [.information]
        case .priority:
            f.priority = Self.priorities[(value + 1) % 3]
            return [.priority]
        case .sensitivity:
            f.sensitivity = Self.sensitivities[(value + 1) % 3]
            return [.sensitivity]
        case .status where task:
            (f.status, f.percentComplete) = Self.statuses[(value + 2) % Self.statuses.count]
            return [.status, .percentComplete]
        case .due where task, .time where task:
            f.due = date
            return [.due]
        case .status, .due, .time:
            f.start = date + "T\(hour):30:00Z"
            f.end = date + "T\(hour):50:00Z"
            return [.start, .end]
        case .location:
            f.location = value % 3 == 0 ? nil : "outlook room \(value)"
            return [.location]
        case .showAs where !task:
            f.showAs = Self.showAs[(value + 1) % 4]
            return [.showAs]
        case .showAs, .reminder:
            if task {
                // (A task's reminder is an instant Outlook keeps, here minutes before the due day's start: 14:00 the
                // day before, 09:00 and 17:00 on the day — the last often after the CRM's due time, which then moves.)
                f.reminderDueBy = f.due == nil ? nil : Self.outlookTaskReminders[(value + 1) % 4]
                return [.reminderDueBy]
            }
            f.reminderMinutes = Self.outlookReminders[(value + 1) % 4]
            return [.reminderMinutes]
        }
    }
}
