import ActivityModel
import EWS
import EWSMailbox
import Foundation

/// A Graph `event` ↔ the item values `ItemMapping` maps: one mapping (SPEC §2) for both backends, so an
/// appointment reads and writes alike over EWS and Graph, and its identity is the same MAPI named property.
enum GraphEvent {
    /// The extended property ids of the identity, as Graph names the MAPI properties EWS writes.
    static func propertyId(_ property: EWSExtendedProperty) -> String {
        "String {\(property.propertySetId)} Name \(property.name)"
    }
    static let activityIdProperty = propertyId(ItemMapping.activityId)
    static let instanceIdProperty = propertyId(ItemMapping.instanceId)
    /// `ActivityKind`: `task` on an event that keeps a task (`graph.tasks: calendar`, `GraphTaskEvent`).
    static let activityKind = EWSExtendedProperty(propertySetId: ItemMapping.propertySet, name: "ActivityKind")
    static let activityKindProperty = propertyId(activityKind)

    /// `$expand` that brings the identity with an event.
    static let expandIdentity =
        "singleValueExtendedProperties($filter=id eq '\(activityIdProperty)' or id eq '\(instanceIdProperty)' or id eq "
        + "'\(activityKindProperty)')"

    // MARK: - To Graph

    /// The JSON of an item's values: the whole event for a create, or only `changed` properties for a PATCH.
    /// `attendees: false` leaves the attendee list off (Graph mails everyone listed; see `GraphMailboxService`).
    static func json(
        _ item: EWSItem,
        zone: TimeZone,
        only changed: Set<String>? = nil,
        attendees: Bool
    ) -> [String: Any] {
        var json: [String: Any] = [:]
        func put(_ name: String, _ value: @autoclosure () -> Any) {
            if changed?.contains(name) ?? true { json[name] = value() }
        }
        put("subject", item.subject ?? "")
        put("body", ["contentType": "text", "content": item.body ?? ""])
        put("categories", item.categories ?? [])
        put("importance", (item.importance ?? .normal).rawValue.lowercased())
        put("sensitivity", (item.sensitivity ?? .normal).rawValue.lowercased())
        put("isReminderOn", item.reminderIsSet == true)
        if item.reminderIsSet == true, let minutes = item.reminderMinutesBeforeStart {
            put("reminderMinutesBeforeStart", minutes)
        }
        let windowsZone = item.startTimeZone ?? "UTC"
        if let start = item.start { put("start", dateTimeTimeZone(start, zone: zone, windows: windowsZone)) }
        if let end = item.end { put("end", dateTimeTimeZone(end, zone: zone, windows: windowsZone)) }
        put("isAllDay", item.isAllDayEvent == true)
        put("location", ["displayName": item.location ?? ""])
        put("showAs", showAs(item.legacyFreeBusyStatus ?? .busy))
        if attendees {
            let listed =
                (item.requiredAttendees ?? []).map { attendee($0, "required") }
                + (item.optionalAttendees ?? []).map { attendee($0, "optional") }
                + (item.resources ?? []).map { attendee($0, "resource") }
            put("attendees", listed)
        }
        if changed?.contains("singleValueExtendedProperties") ?? true {
            let properties = item.extendedProperties.sorted { $0.key.name < $1.key.name }.map {
                ["id": propertyId($0.key), "value": $0.value]
            }
            if !properties.isEmpty { json["singleValueExtendedProperties"] = properties }
        }
        return json
    }

    /// Wall-clock time in the owner's zone with its Windows name (as Outlook writes it), so an all-day event
    /// starts at the owner's midnight and Outlook shows the owner's zone.
    static func dateTimeTimeZone(_ date: Date, zone: TimeZone, windows: String) -> [String: String] {
        // (Calendar fields, not a DateFormatter per event: a bulk create writes thousands.)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = windows == "UTC" ? TimeZone(identifier: "UTC")! : zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.0000000",
            c.year ?? 0,
            c.month ?? 0,
            c.day ?? 0,
            c.hour ?? 0,
            c.minute ?? 0,
            c.second ?? 0
        )
        return ["dateTime": text, "timeZone": windows]
    }

    static func attendee(_ attendee: EWSAttendee, _ type: String) -> [String: Any] {
        var address: [String: String] = ["address": attendee.email]
        if let name = attendee.name { address["name"] = name }
        return ["emailAddress": address, "type": type]
    }

    static func showAs(_ status: EWSFreeBusy) -> String {
        switch status {
        case .free: return "free"
        case .tentative: return "tentative"
        case .busy: return "busy"
        case .oof: return "oof"
        case .workingElsewhere: return "workingElsewhere"
        case .noData: return "unknown"
        }
    }

    // MARK: - From Graph

    /// The item values of an event read with `Prefer: outlook.timezone="UTC"` and text bodies.
    static func item(_ json: [String: Any]) -> EWSItem? {
        guard let id = json["id"] as? String, !id.isEmpty else { return nil }
        var item = EWSItem(kind: .calendarItem, itemId: EWSItemId(id: id, changeKey: json["changeKey"] as? String))
        item.subject = json["subject"] as? String
        item.body = (json["body"] as? [String: Any])?["content"] as? String
        item.categories = json["categories"] as? [String]
        item.importance = (json["importance"] as? String).flatMap { EWSImportance(rawValue: $0.capitalized) }
        item.sensitivity = (json["sensitivity"] as? String).flatMap { EWSSensitivity(rawValue: $0.capitalized) }
        item.reminderIsSet = json["isReminderOn"] as? Bool
        item.reminderMinutesBeforeStart = (json["reminderMinutesBeforeStart"] as? Double).map {
            Int(max(min($0, 1e9), -1e9))  // (bounded: a hostile number must not trap)
        }
        item.start = date(json["start"])
        item.end = date(json["end"])
        item.isAllDayEvent = json["isAllDay"] as? Bool
        item.location = ((json["location"] as? [String: Any])?["displayName"] as? String).flatMap {
            $0.isEmpty ? nil : $0
        }
        item.legacyFreeBusyStatus = (json["showAs"] as? String).map(freeBusy)
        let type = json["type"] as? String
        item.calendarItemType = type
        item.isRecurring = type.map { $0 != "singleInstance" } ?? false
        var required: [EWSAttendee] = []
        var optional: [EWSAttendee] = []
        var resources: [EWSAttendee] = []
        for entry in json["attendees"] as? [[String: Any]] ?? [] {
            let address = entry["emailAddress"] as? [String: Any]
            guard let email = address?["address"] as? String else { continue }
            let answer = ((entry["status"] as? [String: Any])?["response"] as? String).map(response)
            let attendee = EWSAttendee(email: email, name: address?["name"] as? String, response: answer)
            switch entry["type"] as? String {
            case "optional": optional.append(attendee)
            case "resource": resources.append(attendee)
            default: required.append(attendee)
            }
        }
        item.requiredAttendees = required
        item.optionalAttendees = optional
        item.resources = resources
        for property in json["singleValueExtendedProperties"] as? [[String: Any]] ?? [] {
            guard let id = property["id"] as? String, let value = property["value"] as? String else { continue }
            // Graph answers ids in its own spelling (e.g. `String {…} Name ActivityId`, the GUID's case may differ).
            if id.caseInsensitiveCompare(activityIdProperty) == .orderedSame {
                item.extendedProperties[ItemMapping.activityId] = value
            } else if id.caseInsensitiveCompare(instanceIdProperty) == .orderedSame {
                item.extendedProperties[ItemMapping.instanceId] = value
            } else if id.caseInsensitiveCompare(activityKindProperty) == .orderedSame {
                item.extendedProperties[activityKind] = value
            }
        }
        item.lastModifiedTime = (json["lastModifiedDateTime"] as? String).flatMap(instant)
        item.dateTimeCreated = (json["createdDateTime"] as? String).flatMap(instant)
        return item
    }

    /// A `dateTimeTimeZone` in UTC (as asked with `Prefer: outlook.timezone="UTC"`).
    static func date(_ value: Any?) -> Date? {
        guard let object = value as? [String: Any], let text = object["dateTime"] as? String else { return nil }
        let zone = object["timeZone"] as? String ?? "UTC"
        guard zone == "UTC" || zone == "Etc/UTC" else { return nil }
        // "2026-12-04T09:00:00.0000000": seven fraction digits, no offset.
        let whole = text.split(separator: ".").first.map(String.init) ?? text
        return instant(whole + "Z")
    }

    /// An RFC 3339 instant (`createdDateTime` carries fractions and a `Z`).
    static func instant(_ text: String) -> Date? {
        let trimmed = text.split(separator: ".").first.map(String.init) ?? text
        return try? CRMTime.parse(trimmed.hasSuffix("Z") ? trimmed : trimmed + "Z").get().instant
    }

    static func freeBusy(_ text: String) -> EWSFreeBusy {
        switch text {
        case "free": return .free
        case "tentative": return .tentative
        case "oof": return .oof
        case "workingElsewhere": return .workingElsewhere
        case "unknown": return .noData
        default: return .busy
        }
    }

    static func response(_ text: String) -> EWSResponseType {
        switch text {
        case "organizer": return .organizer
        case "accepted": return .accept
        case "tentativelyAccepted": return .tentative
        case "declined": return .decline
        // ("none": no answer yet, as Outlook shows a fresh invitation.)
        case "notResponded", "none": return .noResponseReceived
        default: return .unknown
        }
    }
}
