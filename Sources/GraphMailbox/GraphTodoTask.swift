import ActivityModel
import EWS
import EWSMailbox
import Foundation
import SyncPlanning

/// A Microsoft To Do `todoTask` ↔ the task values `ItemMapping` maps (as `GraphEvent` does for events), so a task
/// reads and writes alike over EWS and To Do. To Do keeps no extended properties: the identity is an open
/// extension (`extensionName`, holding `ActivityId` and `InstanceId`), with a linkedResource naming the CRM
/// activity for the user. To Do keeps no percentage and no sensitivity (`unkept`), and a due date only.
enum GraphTodoTask {
    /// The open extension carrying the identity (one fixed name: each extension name is a named property of the
    /// mailbox, a finite quota).
    static let extensionName = "net.activitysync.identity"
    /// `$expand` that brings the identity and the links with a task.
    static let expand = "extensions($filter=id eq '\(extensionName)'),linkedResources"
    /// The linkedResource's application name (ours is told from a user's own links by it).
    static let applicationName = "activity-sync"

    static let statuses: [EWSTaskStatus: String] = [
        .notStarted: "notStarted", .inProgress: "inProgress", .completed: "completed",
        .waitingOnOthers: "waitingOnOthers", .deferred: "deferred",
    ]

    // MARK: - To Graph

    /// The JSON of a task's values: the whole task for a create, or only `changed` properties for a PATCH. The due
    /// date goes out as its midnight in the owner's zone with the zone's Windows name (as To Do writes it).
    static func json(_ item: EWSItem, zone: TimeZone, only changed: Set<String>? = nil) -> [String: Any] {
        var json: [String: Any] = [:]
        func put(_ name: String, _ value: @autoclosure () -> Any) {
            if changed?.contains(name) ?? true { json[name] = value() }
        }
        put("title", item.subject ?? "")
        put("body", ["contentType": "text", "content": item.body ?? ""])
        put("importance", (item.importance ?? .normal).rawValue.lowercased())
        put("status", statuses[item.status ?? .notStarted] ?? "notStarted")
        let windows = WindowsTimeZone.id(forIANA: zone.identifier) ?? "UTC"
        put(
            "dueDateTime",
            item.dueDate.map { GraphEvent.dateTimeTimeZone($0, zone: zone, windows: windows) as Any } ?? NSNull()
        )
        put("isReminderOn", item.reminderIsSet == true)
        put(
            "reminderDateTime",
            item.reminderIsSet == true
                ? item.reminderDueBy.map { GraphEvent.dateTimeTimeZone($0, zone: zone, windows: "UTC") as Any }
                    ?? NSNull() : NSNull()
        )
        if changed == nil { json["categories"] = item.categories ?? [] }
        return json
    }

    /// The identity as written on a create (and by a stamp): the extension and the link the user sees.
    static func identity(activityId: String, instance: String) -> (extension: [String: Any], link: [String: Any]) {
        (
            [
                "@odata.type": "microsoft.graph.openTypeExtension", "extensionName": extensionName,
                "ActivityId": activityId, "InstanceId": instance,
            ],
            ["applicationName": applicationName, "displayName": "CRM activity \(activityId)", "externalId": activityId]
        )
    }

    // MARK: - From Graph

    /// The task values of a `todoTask` read with its extension; `zone` is the owner's (due dates are dates there).
    static func item(_ json: [String: Any], zone: TimeZone) -> EWSItem? {
        guard let id = json["id"] as? String, !id.isEmpty else { return nil }
        var item = EWSItem(kind: .task, itemId: EWSItemId(id: id, changeKey: version(json)))
        item.subject = json["title"] as? String
        if let body = json["body"] as? [String: Any], let content = body["content"] as? String {
            item.body = (body["contentType"] as? String)?.lowercased() == "html" ? Self.text(ofHTML: content) : content
        }
        item.categories = json["categories"] as? [String]
        item.importance = (json["importance"] as? String).flatMap { EWSImportance(rawValue: $0.capitalized) }
        let status = (json["status"] as? String).flatMap { text in statuses.first { $0.value == text }?.key }
        item.status = status ?? .notStarted
        // (No percentage in To Do: a completed task is at 100 %, any other's percentage is the base's — unkept.)
        item.percentComplete = status == .completed ? 100 : nil
        item.dueDate = (json["dueDateTime"]).flatMap { dueDate($0, zone: zone) }
        item.reminderIsSet = json["isReminderOn"] as? Bool
        item.reminderDueBy = json["reminderDateTime"].flatMap(instant)
        for extensionJSON in json["extensions"] as? [[String: Any]] ?? [] {
            let name = extensionJSON["extensionName"] as? String ?? (extensionJSON["id"] as? String ?? "")
            guard name == extensionName || name.hasSuffix("." + extensionName) else { continue }
            if let value = extensionJSON["ActivityId"] as? String {
                item.extendedProperties[ItemMapping.activityId] = value
            }
            if let value = extensionJSON["InstanceId"] as? String {
                item.extendedProperties[ItemMapping.instanceId] = value
            }
        }
        item.lastModifiedTime = (json["lastModifiedDateTime"] as? String).flatMap(GraphEvent.instant)
        item.dateTimeCreated = (json["createdDateTime"] as? String).flatMap(GraphEvent.instant)
        return item
    }

    /// The version of an answer: its `@odata.etag`'s change key (`W/"…"`).
    static func version(_ json: [String: Any]) -> String? {
        guard let tag = json["@odata.etag"] as? String else { return nil }
        let inner = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
        return inner.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// A due date as an instant whose date in the owner's zone is the task's. To Do drops the time of day: a value
    /// at midnight of its own zone is that date whatever the zone (UTC midnight included — read in the owner's zone
    /// it would be the day before, west of Greenwich); any other instant is the owner's date of that instant (the
    /// owner's midnight answered in UTC).
    static func dueDate(_ value: Any, zone: TimeZone) -> Date? {
        guard let (text, given) = parts(value) else { return nil }
        let time = text.dropFirst(11).prefix(8)
        if time == "00:00:00" || time.isEmpty {
            return SyncFields.startOfDay(String(text.prefix(10)), zone: zone)
        }
        return local(text, zone: given)
    }

    /// An instant from a `dateTimeTimeZone` (UTC, an IANA or a Windows zone name).
    static func instant(_ value: Any) -> Date? {
        guard let (text, zone) = parts(value) else { return nil }
        return local(text, zone: zone)
    }

    static func parts(_ value: Any) -> (String, TimeZone)? {
        guard let object = value as? [String: Any], let text = object["dateTime"] as? String, text.count >= 10 else {
            return nil
        }
        let name = object["timeZone"] as? String ?? "UTC"
        guard let zone = TimeZone(identifier: WindowsTimeZone.primaryIANA(forWindows: name) ?? name) else { return nil }
        return (text, zone)
    }

    /// Wall-clock text (`2026-12-04T09:00:00.0000000`) in a zone as an instant.
    static func local(_ text: String, zone: TimeZone) -> Date? {
        let digits = text.prefix(19)
        let fields = digits.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard fields.count == 6 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(
            from: DateComponents(
                year: fields[0],
                month: fields[1],
                day: fields[2],
                hour: fields[3],
                minute: fields[4],
                second: fields[5]
            )
        )
    }

    /// An HTML body as text (To Do answers text; a body a user pasted may come back as HTML): tags dropped, the
    /// common entities decoded, paragraph and line breaks kept.
    static func text(ofHTML html: String) -> String {
        var text = html.replacingOccurrences(of: "<br>", with: "\n", options: .caseInsensitive)
            .replacingOccurrences(of: "</p>", with: "\n", options: .caseInsensitive)
        while let open = text.range(of: "<"), let close = text.range(of: ">", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " ")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
