import Foundation
import Store
import SyncEngine

/// Who runs an ops command, for the audit (issue 18): the user name and uid, and under sudo the user who ran
/// sudo — a shared root shell still names a person.
enum Operator {
    static var current: String {
        let uid = getuid()
        let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "unknown"
        var text = "\(name) (uid \(uid))"
        if let sudo = ProcessInfo.processInfo.environment["SUDO_USER"], !sudo.isEmpty, sudo != name {
            text += " via sudo from \(sudo)"
        }
        return text
    }

    /// Appends an ops decision to the audit, naming who made it. A store that cannot take it fails the command:
    /// an unaudited ops action is what the audit exists to rule out.
    static func audit(
        _ store: Store,
        action: String,
        mailbox: String? = nil,
        activity: String? = nil,
        fields: String? = nil,
        winner: String? = nil,
        reason: String? = nil
    ) {
        let entry = AuditEntry(
            mailbox: mailbox,
            activityId: activity,
            action: action,
            fields: fields,
            winner: winner,
            reason: reason,
            actor: current
        )
        CLI.run { try store.inSyncTransaction { try $0.audit(entry) } }
    }
}
