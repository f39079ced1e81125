import XMLKit

/// The properties a request asked for (`m:ItemShape`), and how the fake writes an item with them.
struct FakeItemShape {
    var all: Bool
    var fields: Set<String>
    var extended: Set<FakePropertyKey>
    /// `MaximumBodySize` (kilobytes) in bytes: a longer body comes back cut there, `IsTruncated="true"`.
    var maxBodyBytes: Int?

    init(_ element: XMLElement?) {
        let base = element?.childText("BaseShape") ?? "IdOnly"
        all = base != "IdOnly"
        maxBodyBytes = element?.childText("MaximumBodySize").flatMap { Int($0) }.map { $0 * 1024 }
        var fields: Set<String> = []
        var extended: Set<FakePropertyKey> = []
        for path in element?.child("AdditionalProperties")?.children ?? [] {
            if let key = Self.propertyKey(path) {
                extended.insert(key)
            } else if let uri = path.attributes["FieldURI"] {
                fields.insert(Self.localName(uri))
            }
        }
        self.fields = fields
        self.extended = extended
    }

    static func localName(_ fieldURI: String) -> String {
        String(fieldURI.split(separator: ":").last ?? "")
    }

    static func propertyKey(_ path: XMLElement) -> FakePropertyKey? {
        guard path.name == "ExtendedFieldURI", let name = path.attributes["PropertyName"] else { return nil }
        let set = path.attributes["PropertySetId"] ?? path.attributes["DistinguishedPropertySetId"] ?? ""
        return FakePropertyKey(propertySet: set.lowercased(), name: name)
    }

    static let itemOrder = [
        "Subject", "Sensitivity", "Body", "Categories", "Importance", "DateTimeCreated", "ReminderDueBy",
        "ReminderIsSet", "ReminderMinutesBeforeStart",
    ]
    static let taskOrder = ["CompleteDate", "DueDate", "IsRecurring", "PercentComplete", "StartDate", "Status"]
    static let calendarOrder = [
        "Start", "End", "IsAllDayEvent", "LegacyFreeBusyStatus", "Location", "IsRecurring",
        "CalendarItemType", "RequiredAttendees", "OptionalAttendees", "Resources",
        "StartTimeZone", "EndTimeZone",
    ]

    /// The item as `<t:Task>`/`<t:CalendarItem>` in schema order, with the requested properties.
    func xml(_ item: FakeItem) -> String {
        func wanted(_ name: String) -> Bool { all || fields.contains(name) }
        var out = "<t:\(item.kind)><t:ItemId Id=\"\(item.id)\" ChangeKey=\"\(item.changeKey)\"/>"
        for name in Self.itemOrder where wanted(name) {
            guard var value = item.fields[name] else { continue }
            if name == "Body", let limit = maxBodyBytes, value.text.utf8.count > limit {
                // (Cut at a character boundary, as Exchange does.)
                var cut = ""
                var bytes = 0
                for character in value.text {
                    bytes += character.utf8.count
                    guard bytes <= limit else { break }
                    cut.append(character)
                }
                value.text = cut
                value.attributes["IsTruncated"] = "true"
            }
            out += value.xmlString(prefix: "t")
        }
        for (key, value) in item.extended.sorted(by: { $0.key.name < $1.key.name }) where all || extended.contains(key)
        {
            out +=
                "<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId=\"\(key.propertySet)\""
                + " PropertyName=\"\(XMLEscaping.escape(key.name))\" PropertyType=\"String\"/>"
                + "<t:Value>\(XMLEscaping.escape(value))</t:Value></t:ExtendedProperty>"
        }
        if wanted("LastModifiedTime") {
            out += "<t:LastModifiedTime>\(FakeExchange.format(item.lastModified))</t:LastModifiedTime>"
        }
        for name in item.kind == "Task" ? Self.taskOrder : Self.calendarOrder where wanted(name) {
            if let value = item.fields[name] { out += value.xmlString(prefix: "t") }
        }
        return out + "</t:\(item.kind)>"
    }
}
