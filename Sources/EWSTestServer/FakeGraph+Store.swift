import ActivityModel
import Foundation
import XMLKit

/// Events of the fake Graph are the fake Exchange's calendar items (one mailbox model: a meeting made over EWS is
/// the event Graph shows, and back). An event is read out of its item's fields into Graph's JSON and written back
/// into them; its Graph id is not its EWS ItemId (as Graph's ImmutableId is not), but one the fake maps back.
extension FakeGraph {
    static func eventId(_ ewsId: String) -> String { "AAMkEv" + base64URL(Data(ewsId.utf8)) }

    static func ewsId(event id: String) -> String? {
        guard id.hasPrefix("AAMkEv"), let data = base64URLDecode(String(id.dropFirst(6))) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// The mailbox's calendar folder. Call with the exchange's lock held.
    func calendarFolder(_ mailbox: String) -> FakeFolder? { exchange.mailboxes[mailbox]?.folders["calendar"] }

    /// The event of a Graph id, read from its item. Call with the exchange's lock held.
    func loadEvent(_ mailbox: String, _ id: String) -> FakeGraphEvent? {
        guard let ewsId = Self.ewsId(event: id), let item = exchange.findItem(ewsId, mailbox: mailbox),
            item.kind == "CalendarItem", item.folder == "calendar"
        else { return nil }
        return Self.event(item)
    }

    /// Every event of the calendar, in the folder's order. Call with the exchange's lock held.
    func allEvents(_ mailbox: String) -> [FakeGraphEvent] {
        guard let folder = calendarFolder(mailbox) else { return [] }
        return folder.order.compactMap { folder.items[$0] }.filter { $0.kind == "CalendarItem" }.map(Self.event)
    }

    /// Writes an event into its item (a new item when its id is empty): a new ChangeKey, listed as a change over
    /// EWS and Graph alike. Answers the event as stored. Call with the exchange's lock held.
    @discardableResult
    func storeEvent(_ event: FakeGraphEvent, in mailbox: String) -> FakeGraphEvent? {
        guard let folder = calendarFolder(mailbox) else { return nil }
        var item: FakeItem
        if event.id.isEmpty {
            item = exchange.storeNew(
                XMLElement(name: "CalendarItem", namespace: SOAPNamespace.types),
                in: folder,
                mailbox: mailbox
            )
        } else {
            guard let ewsId = Self.ewsId(event: event.id), let existing = exchange.findItem(ewsId, mailbox: mailbox)
            else { return nil }
            item = existing
        }
        Self.write(event, into: &item)
        exchange.save(&item)
        return Self.event(item)
    }

    /// Deletes an event's item (into Deleted Items). Call with the exchange's lock held.
    func removeEvent(_ mailbox: String, _ id: String) -> FakeGraphEvent? {
        guard let ewsId = Self.ewsId(event: id), let item = exchange.findItem(ewsId, mailbox: mailbox) else {
            return nil
        }
        exchange.remove(item)
        return Self.event(item)
    }

    // MARK: - Item fields ↔ Graph's event

    static let showAs = [
        "free": "Free", "tentative": "Tentative", "busy": "Busy", "oof": "OOF", "workingElsewhere": "WorkingElsewhere",
        "unknown": "NoData",
    ]
    static let types = [
        "singleInstance": "Single", "occurrence": "Occurrence", "exception": "Exception",
        "seriesMaster": "RecurringMaster",
    ]
    static let responses = [
        "Accept": "accepted", "Tentative": "tentativelyAccepted", "Decline": "declined", "Organizer": "organizer",
        "NoResponseReceived": "notResponded", "Unknown": "none",
    ]
    static let attendeeLists = [
        ("required", "RequiredAttendees"), ("optional", "OptionalAttendees"), ("resource", "Resources"),
    ]

    /// The event an item holds.
    static func event(_ item: FakeItem) -> FakeGraphEvent {
        func text(_ name: String) -> String? { item.fields[name]?.text }
        var properties: [String: Any] = [:]
        properties["subject"] = text("Subject") ?? ""
        properties["body"] = ["contentType": "text", "content": text("Body") ?? ""]
        properties["categories"] = item.fields["Categories"]?.children.map(\.text) ?? []
        properties["importance"] = (text("Importance") ?? "Normal").lowercased()
        properties["sensitivity"] = (text("Sensitivity") ?? "Normal").lowercased()
        properties["isReminderOn"] = text("ReminderIsSet").map { $0 == "true" } ?? true
        properties["reminderMinutesBeforeStart"] = text("ReminderMinutesBeforeStart").flatMap(Double.init) ?? 15
        properties["isAllDay"] = text("IsAllDayEvent") == "true"
        properties["location"] = ["displayName": text("Location") ?? ""]
        properties["showAs"] = showAs.first { $0.value == text("LegacyFreeBusyStatus") }?.key ?? "busy"
        properties["type"] = types.first { $0.value == text("CalendarItemType") }?.key ?? "singleInstance"
        if let zone = item.fields["StartTimeZone"]?.attributes["Id"] { properties["originalStartTimeZone"] = zone }
        if let zone = item.fields["EndTimeZone"]?.attributes["Id"] { properties["originalEndTimeZone"] = zone }
        var attendees: [[String: Any]] = []
        for (type, list) in attendeeLists {
            for attendee in item.fields[list]?.children ?? [] {
                let mailbox = attendee.child("Mailbox")
                var address: [String: String] = ["address": mailbox?.childText("EmailAddress") ?? ""]
                if let name = mailbox?.childText("Name") { address["name"] = name }
                let answer = attendee.childText("ResponseType").flatMap { responses[$0] } ?? "none"
                attendees.append(["emailAddress": address, "type": type, "status": ["response": answer]])
            }
        }
        properties["attendees"] = attendees
        var extended: [String: String] = [:]
        for (key, value) in item.extended {
            extended["String {\(key.propertySet)} Name \(key.name)"] = value
        }
        return FakeGraphEvent(
            id: eventId(item.id),
            changeKey: item.changeKey,
            properties: properties,
            start: text("Start").flatMap(instant) ?? Date(timeIntervalSince1970: 0),
            end: text("End").flatMap(instant) ?? Date(timeIntervalSince1970: 0),
            created: text("DateTimeCreated").flatMap(instant) ?? item.lastModified,
            modified: item.lastModified,
            extended: extended,
            seq: 0
        )
    }

    /// Writes an event's properties into its item's fields (what Graph and EWS both keep).
    static func write(_ event: FakeGraphEvent, into item: inout FakeItem) {
        let p = event.properties
        func set(_ name: String, _ text: String?, attributes: [String: String] = [:]) {
            item.fields[name] = text.map {
                attributes.isEmpty
                    ? FakeExchange.field(name, $0)
                    : XMLElement(name: name, namespace: SOAPNamespace.types, attributes: attributes, text: $0)
            }
        }
        set("Subject", p["subject"] as? String)
        set("Body", (p["body"] as? [String: Any])?["content"] as? String)
        set("Categories", (p["categories"] as? [String])?.joined(separator: ","))
        set("Importance", (p["importance"] as? String)?.capitalized)
        set("Sensitivity", (p["sensitivity"] as? String)?.capitalized)
        set("ReminderIsSet", (p["isReminderOn"] as? Bool).map { $0 ? "true" : "false" })
        set("ReminderMinutesBeforeStart", (p["reminderMinutesBeforeStart"] as? Double).map { String(Int($0)) })
        set("Start", XSDateTime.format(event.start))
        set("End", XSDateTime.format(event.end))
        set("IsAllDayEvent", (p["isAllDay"] as? Bool).map { $0 ? "true" : "false" })
        let place = (p["location"] as? [String: Any])?["displayName"] as? String
        set("Location", place?.isEmpty == false ? place : nil)
        set("LegacyFreeBusyStatus", (p["showAs"] as? String).flatMap { showAs[$0] })
        set("CalendarItemType", (p["type"] as? String).flatMap { types[$0] })
        for (name, key) in [("StartTimeZone", "originalStartTimeZone"), ("EndTimeZone", "originalEndTimeZone")] {
            if let zone = p[key] as? String {
                item.fields[name] = XMLElement(name: name, namespace: SOAPNamespace.types, attributes: ["Id": zone])
            }
        }
        if item.fields["DateTimeCreated"] == nil { set("DateTimeCreated", XSDateTime.format(event.created)) }
        let attendees = p["attendees"] as? [[String: Any]] ?? []
        for (type, list) in attendeeLists {
            let entries = attendees.filter { ($0["type"] as? String ?? "required") == type }.map { entry in
                let address = entry["emailAddress"] as? [String: Any]
                var mailbox: [XMLElement] = []
                if let name = address?["name"] as? String {
                    mailbox.append(XMLElement(name: "Name", namespace: SOAPNamespace.types, text: name))
                }
                mailbox.append(
                    XMLElement(
                        name: "EmailAddress",
                        namespace: SOAPNamespace.types,
                        text: address?["address"] as? String ?? ""
                    )
                )
                return XMLElement(
                    name: "Attendee",
                    namespace: SOAPNamespace.types,
                    children: [XMLElement(name: "Mailbox", namespace: SOAPNamespace.types, children: mailbox)]
                )
            }
            item.fields[list] =
                entries.isEmpty ? nil : XMLElement(name: list, namespace: SOAPNamespace.types, children: entries)
        }
        for (id, value) in event.extended {
            // `String {guid} Name X`: the MAPI named property EWS reads as an ExtendedProperty.
            let parts = id.split(separator: " ", maxSplits: 3).map(String.init)
            guard parts.count == 4, parts[0] == "String", parts[2] == "Name" else { continue }
            let set = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "{}")).lowercased()
            item.extended[FakePropertyKey(propertySet: set, name: parts[3])] = value
        }
    }
}
