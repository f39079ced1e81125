import ActivityModel
import Foundation

/// One event of the fake Graph: its writable properties as JSON, its times as instants.
struct FakeGraphEvent {
    var id: String
    var changeKey: String
    var properties: [String: Any]
    var start: Date
    var end: Date
    var created: Date
    var modified: Date
    var extended: [String: String]
    /// The change number of its last change (delta).
    var seq: Int
}

/// What the fake Graph keeps of a mailbox beside the fake Exchange's model: when its delta tokens die.
struct FakeGraphMailbox {
    var address: String
    /// Bumped when delta tokens die.
    var generation = 0
}

extension FakeGraph {
    /// Snapshots of a mailbox's events as Graph would answer them (UTC), for assertions.
    public func events(mailbox: String) -> [[String: Any]] {
        exchange.lock.withLock { allEvents(mailbox.lowercased()).map { entity($0, expand: true) } }
    }

    /// An event a user made in Outlook; its id.
    @discardableResult
    public func userCreateEvent(
        mailbox: String,
        subject: String,
        start: Date,
        end: Date,
        extra: [String: Any] = [:]
    ) -> String {
        exchange.lock.withLock {
            var properties: [String: Any] = ["subject": subject, "type": "singleInstance"]
            for (key, value) in extra { properties[key] = value }
            return insert(mailbox.lowercased(), properties: properties, start: start, end: end, extended: [:]).id
        }
    }

    /// A user's edit in Outlook (properties replaced; `start`/`end` as instants).
    public func userUpdateEvent(
        mailbox: String,
        id: String,
        properties: [String: Any] = [:],
        start: Date? = nil,
        end: Date? = nil
    ) {
        exchange.lock.withLock {
            let key = mailbox.lowercased()
            guard var event = loadEvent(key, id) else { return }
            for (name, value) in properties { event.properties[name] = value }
            if let start { event.start = start }
            if let end { event.end = end }
            touch(&event, key)
        }
    }

    /// A user deletes the event (or moves it to another calendar: the primary calendar no longer has it).
    public func userDeleteEvent(mailbox: String, id: String) {
        exchange.lock.withLock { _ = removeEvent(mailbox.lowercased(), id) }
    }

    // MARK: - Routes

    func events(
        method: String,
        route: String,
        query: [String: String],
        headers: [String: String],
        body: [UInt8]
    ) -> Answer {
        guard let (mailbox, rest) = userRoute(route), exchange.lock.withLock({ calendarFolder(mailbox) }) != nil
        else { return Self.unknownUser(route) }
        switch (method, rest.count, rest.first) {
        case ("GET", 1, "calendar"):
            return Answer(status: 200, body: ["id": "AAMkCalendar-\(mailbox)", "name": "Calendar", "canEdit": true])
        case ("GET", 2, "calendarView") where rest[1] == "delta":
            return delta(mailbox, query: query, headers: headers)
        case (_, 2, "calendar") where rest[1] == "events":
            if method == "GET" { return list(mailbox, query: query) }
            if method == "POST" { return create(mailbox, body: body) }
        case (_, 3, "calendar") where rest[1] == "events":
            switch method {
            case "GET": return read(mailbox, rest[2], query: query)
            case "PATCH": return update(mailbox, rest[2], headers: headers, body: body)
            case "DELETE": return delete(mailbox, rest[2], headers: headers)
            default: break
            }
        default: break
        }
        return Self.response(405, Self.errorBody("BadRequest", "Unsupported \(method) \(route)."))
    }

    // MARK: - Reads

    func read(_ mailbox: String, _ id: String, query: [String: String]) -> Answer {
        exchange.lock.withLock {
            guard let event = loadEvent(mailbox, id) else { return Self.notFound }
            return Answer(status: 200, body: select(entity(event, expand: query["$expand"] != nil), query["$select"]))
        }
    }

    static var conflict: Answer {
        Answer(
            status: 412,
            body: errorBody(
                "ErrorIrresolvableConflict",
                "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item."
            )
        )
    }

    static var notFound: Answer {
        Answer(status: 404, body: errorBody("ErrorItemNotFound", "The specified object was not found in the store."))
    }

    /// `$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`, the one filter used.
    func list(_ mailbox: String, query: [String: String]) -> Answer {
        guard let filter = query["$filter"] else {
            // (No filter: the first events, `$top` of them.)
            let top = Int(query["$top"] ?? "") ?? 10
            return exchange.lock.withLock {
                let events = allEvents(mailbox).prefix(max(0, top))
                return Answer(
                    status: 200,
                    body: [
                        "value": events.map { select(entity($0, expand: query["$expand"] != nil), query["$select"]) }
                    ]
                )
            }
        }
        let pattern = #"^singleValueExtendedProperties/Any\(ep: ep/id eq '(.+)' and ep/value eq '(.*)'\)$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: filter, range: NSRange(filter.startIndex..., in: filter)),
            let idRange = Range(match.range(at: 1), in: filter), let valueRange = Range(match.range(at: 2), in: filter)
        else { return Self.response(400, Self.errorBody("BadRequest", "Invalid filter clause.")) }
        let property = String(filter[idRange]).lowercased()
        let value = String(filter[valueRange]).replacingOccurrences(of: "''", with: "'")
        return exchange.lock.withLock {
            let found = allEvents(mailbox).filter { event in
                event.extended.contains { $0.key.lowercased() == property && $0.value == value }
            }
            return Answer(status: 200, body: ["value": found.map { entity($0, expand: query["$expand"] != nil) }])
        }
    }

    /// calendarView delta: a round lists what changed since its token (current state), in id order, paged; an
    /// event out of the window or gone is `@removed` (not on a chain's first round).
    func delta(_ mailbox: String, query: [String: String], headers: [String: String]) -> Answer {
        if query["$expand"] != nil || query["$select"] != nil || query["$filter"] != nil {
            return Self.response(400, Self.errorBody("BadRequest", "The query option is not supported with delta."))
        }
        let pageSize =
            Int(
                headers["prefer"]?.components(separatedBy: "odata.maxpagesize=").dropFirst().first?
                    .prefix { $0.isNumber } ?? ""
            ) ?? 100
        guard let generation = lock.withLock({ mailboxes[mailbox]?.generation }) else { return Self.notFound }
        return exchange.lock.withLock {
            guard let folder = calendarFolder(mailbox) else { return Self.notFound }
            var state: DeltaState
            if let token = query["$deltatoken"] ?? query["$skiptoken"] {
                guard let decoded = DeltaState(token), decoded.mailbox == mailbox else {
                    return Self.response(
                        400,
                        Self.errorBody("ErrorInvalidIdMalformed", "The delta token is malformed.")
                    )
                }
                guard decoded.generation == generation else {
                    return Self.response(
                        410,
                        Self.errorBody("syncStateNotFound", "The sync state generation is not valid.")
                    )
                }
                state = decoded
                if query["$deltatoken"] != nil {
                    state.offset = 0
                    state.cut = folder.seq
                }
            } else {
                guard let start = query["startDateTime"].flatMap(FakeGraph.instant),
                    let end = query["endDateTime"].flatMap(FakeGraph.instant), start < end,
                    end.timeIntervalSince(start) <= 1825 * 86_400
                else {
                    return Self.response(
                        400,
                        Self.errorBody(
                            "ErrorInvalidParameter",
                            "startDateTime and endDateTime are required (at most 1825 days)."
                        )
                    )
                }
                state = DeltaState(
                    mailbox: mailbox,
                    generation: generation,
                    start: start,
                    end: end,
                    since: 0,
                    cut: folder.seq,
                    offset: 0
                )
            }
            var entries: [[String: Any]] = []
            for (id, record) in folder.records.sorted(by: { $0.key < $1.key }) where record.lastSeq > state.since {
                if let item = folder.items[id], !record.deleted, item.kind == "CalendarItem" {
                    let event = Self.event(item)
                    if event.start < state.end && event.end > state.start {
                        entries.append(entity(event, expand: false))
                    } else if state.since > 0 {
                        entries.append(["id": event.id, "@removed": ["reason": "deleted"]])
                    }
                } else if record.deleted, state.since > 0 {
                    entries.append(["id": Self.eventId(id), "@removed": ["reason": "deleted"]])
                }
            }
            let page = Array(entries.dropFirst(state.offset).prefix(max(1, pageSize)))
            var body: [String: Any] = ["value": page]
            let base = "http://127.0.0.1:\(port)/v1.0/users/\(mailbox)/calendarView/delta"
            if state.offset + page.count < entries.count {
                var next = state
                next.offset += page.count
                body["@odata.nextLink"] = "\(base)?$skiptoken=\(next.token)"
            } else {
                var following = state
                following.since = state.cut
                following.offset = 0
                body["@odata.deltaLink"] = "\(base)?$deltatoken=\(following.token)"
            }
            return Answer(status: 200, body: body)
        }
    }

    // MARK: - Writes

    func create(_ mailbox: String, body: [UInt8]) -> Answer {
        guard let checked = checkedBody(body) else { return invalidBody(body) }
        guard let start = checked.start, let end = checked.end else {
            return Self.response(400, Self.errorBody("ErrorInvalidRequest", "start and end are required."))
        }
        if let problem = allDayProblem(checked) { return problem }
        let transaction = checked.properties["transactionId"] as? String
        return exchange.lock.withLock {
            if let transaction, let existing = lock.withLock({ transactions[mailbox + "|" + transaction] }),
                let event = loadEvent(mailbox, existing)
            {
                return Answer(status: 201, body: entity(event, expand: false))
            }
            var properties = checked.properties
            properties["type"] = "singleInstance"
            properties["transactionId"] = nil
            let event = insert(mailbox, properties: properties, start: start, end: end, extended: checked.extended)
            lock.withLock {
                if let transaction { transactions[mailbox + "|" + transaction] = event.id }
                for address in Self.attendees(event.properties) {
                    mail.append(
                        FakeMeetingMail(
                            from: mailbox,
                            to: address,
                            kind: .request,
                            subject: event.properties["subject"] as? String ?? ""
                        )
                    )
                }
            }
            return Answer(status: 201, body: entity(event, expand: false))
        }
    }

    func update(_ mailbox: String, _ id: String, headers: [String: String], body: [UInt8]) -> Answer {
        guard let checked = checkedBody(body) else { return invalidBody(body) }
        return exchange.lock.withLock {
            guard var event = loadEvent(mailbox, id) else { return Self.notFound }
            if let match = headers["if-match"], match != "W/\"\(event.changeKey)\"" { return Self.conflict }
            let before = Self.attendees(event.properties)
            let visible: Set<String> = ["subject", "body", "start", "end", "isAllDay", "location", "attendees"]
            for (name, value) in checked.properties { event.properties[name] = value }
            if let start = checked.start { event.start = start }
            if let end = checked.end { event.end = end }
            for (name, value) in checked.extended { event.extended[name] = value }
            touch(&event, mailbox)
            // Graph mails an update with no switch: attendees added get the request, removed ones a cancellation.
            let after = Self.attendees(event.properties)
            let subject = event.properties["subject"] as? String ?? ""
            if !Set(checked.properties.keys).intersection(visible).isEmpty || checked.start != nil {
                lock.withLock {
                    for address in after {
                        mail.append(
                            FakeMeetingMail(
                                from: mailbox,
                                to: address,
                                kind: before.contains(address) ? .update : .request,
                                subject: subject
                            )
                        )
                    }
                    for address in before where !after.contains(address) {
                        mail.append(FakeMeetingMail(from: mailbox, to: address, kind: .cancellation, subject: subject))
                    }
                }
            }
            return Answer(status: 200, body: entity(event, expand: false))
        }
    }

    func delete(_ mailbox: String, _ id: String, headers: [String: String]) -> Answer {
        exchange.lock.withLock {
            guard let current = loadEvent(mailbox, id) else { return Self.notFound }
            if let match = headers["if-match"], match != "W/\"\(current.changeKey)\"" { return Self.conflict }
            guard let event = removeEvent(mailbox, id) else { return Self.notFound }
            lock.withLock {
                for address in Self.attendees(event.properties) {
                    mail.append(
                        FakeMeetingMail(
                            from: mailbox,
                            to: address,
                            kind: .cancellation,
                            subject: event.properties["subject"] as? String ?? ""
                        )
                    )
                }
            }
            return Answer(status: 204)
        }
    }

    // MARK: - Bodies

    struct CheckedBody {
        var properties: [String: Any]
        var start: Date?
        var end: Date?
        var extended: [String: String]
    }

    /// The body, when it is JSON that Graph's metadata accepts for an event (else nil; the violation recorded).
    func checkedBody(_ body: [UInt8]) -> CheckedBody? {
        guard let object = checkedJSON(body, as: "graph.event") else { return nil }
        var checked = CheckedBody(properties: [:], extended: [:])
        for (key, member) in object {
            switch key {
            case "start": checked.start = Self.instant(member)
            case "end": checked.end = Self.instant(member)
            case "singleValueExtendedProperties":
                for property in member as? [[String: Any]] ?? [] {
                    if let id = property["id"] as? String, let value = property["value"] as? String {
                        checked.extended[id] = value
                    }
                }
            default: checked.properties[key] = member
            }
            if key == "start" || key == "end", let zone = (member as? [String: Any])?["timeZone"] as? String {
                checked.properties["original" + key.prefix(1).uppercased() + key.dropFirst() + "TimeZone"] = zone
            }
        }
        if (object["start"] != nil && checked.start == nil) || (object["end"] != nil && checked.end == nil) {
            lock.withLock {
                violationLog.append(
                    "a dateTimeTimeZone Graph cannot read: \(object["start"] ?? ""), \(object["end"] ?? "")"
                )
            }
            return nil
        }
        return checked
    }

    func invalidBody(_ body: [UInt8]) -> Answer {
        let last = lock.withLock { violationLog.last ?? "" }
        return Self.response(400, Self.errorBody("RequestBodyRead", "Invalid request body: \(last)"))
    }

    /// Graph refuses an all-day event whose bounds are not midnights of its zone.
    func allDayProblem(_ checked: CheckedBody) -> Answer? {
        guard checked.properties["isAllDay"] as? Bool == true else { return nil }
        let zoneName = checked.properties["originalStartTimeZone"] as? String ?? "UTC"
        guard let zone = Self.zone(zoneName), let start = checked.start, let end = checked.end else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard calendar.startOfDay(for: start) == start, calendar.startOfDay(for: end) == end, end > start else {
            return Self.response(
                400,
                Self.errorBody(
                    "ErrorPropertyValidationFailure",
                    "The start and end of an all-day event must be midnights of its time zone."
                )
            )
        }
        return nil
    }

    /// A `dateTimeTimeZone` as an instant (Windows or IANA zone names, as Graph takes them).
    static func instant(_ value: Any) -> Date? {
        guard let object = value as? [String: Any], let text = object["dateTime"] as? String,
            let zone = zone(object["timeZone"] as? String ?? "UTC")
        else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: String(text.prefix(19)))
    }

    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text.hasSuffix("Z") || text.contains("+") ? text : text + "Z")
    }

    static func zone(_ name: String) -> TimeZone? {
        TimeZone(identifier: WindowsTimeZone.primaryIANA(forWindows: name) ?? name)
    }

    static func attendees(_ properties: [String: Any]) -> [String] {
        (properties["attendees"] as? [[String: Any]] ?? []).compactMap {
            ($0["emailAddress"] as? [String: Any])?["address"] as? String
        }.map { $0.lowercased() }
    }

    // MARK: - State (under the lock)

    func insert(
        _ mailbox: String,
        properties: [String: Any],
        start: Date,
        end: Date,
        extended: [String: String]
    ) -> FakeGraphEvent {
        let now = Date()
        var event = FakeGraphEvent(
            id: "",
            changeKey: "",
            properties: properties,
            start: start,
            end: end,
            created: now,
            modified: now,
            extended: extended,
            seq: 0
        )
        touch(&event, mailbox)
        return event
    }

    /// Writes the event through to its item (call with the exchange's lock held): a new ChangeKey.
    func touch(_ event: inout FakeGraphEvent, _ mailbox: String) {
        if let stored = storeEvent(event, in: mailbox) { event = stored }
    }

    /// An event as Graph answers it (UTC times; the identity properties only when expanded).
    func entity(_ event: FakeGraphEvent, expand: Bool) -> [String: Any] {
        var json: [String: Any] = [
            "subject": "", "body": ["contentType": "text", "content": ""], "categories": [String](),
            "importance": "normal", "sensitivity": "normal", "isReminderOn": true, "reminderMinutesBeforeStart": 15,
            "isAllDay": false, "location": ["displayName": ""], "showAs": "busy", "attendees": [[String: Any]](),
            "type": "singleInstance",
        ]
        for (key, value) in event.properties where key != "transactionId" { json[key] = value }
        json["attendees"] = (json["attendees"] as? [[String: Any]] ?? []).map { attendee -> [String: Any] in
            var copy = attendee
            // (An answer EWS recorded — the attendee's ResponseType — is Graph's status too.)
            let response = (attendee["status"] as? [String: Any])?["response"] as? String ?? "none"
            copy["status"] = ["response": response, "time": "0001-01-01T00:00:00Z"]
            return copy
        }
        json["id"] = event.id
        json["changeKey"] = event.changeKey
        json["@odata.etag"] = "W/\"\(event.changeKey)\""
        json["createdDateTime"] = Self.utc(event.created, fraction: true) + "Z"
        json["lastModifiedDateTime"] = Self.utc(event.modified, fraction: true) + "Z"
        json["start"] = ["dateTime": Self.utc(event.start, fraction: true), "timeZone": "UTC"]
        json["end"] = ["dateTime": Self.utc(event.end, fraction: true), "timeZone": "UTC"]
        if expand, !event.extended.isEmpty {
            json["singleValueExtendedProperties"] = event.extended.sorted { $0.key < $1.key }.map {
                ["id": $0.key, "value": $0.value]
            }
        }
        return json
    }

    func select(_ json: [String: Any], _ select: String?) -> [String: Any] {
        guard let select else { return json }
        let names = Set(select.split(separator: ",").map(String.init) + ["id", "@odata.etag"])
        return json.filter { names.contains($0.key) }
    }

    static func utc(_ date: Date, fraction: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = fraction ? "yyyy-MM-dd'T'HH:mm:ss'.0000000'" : "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: date)
    }
}

/// What a delta token stands for.
struct DeltaState {
    var mailbox: String
    var generation: Int
    var start: Date
    var end: Date
    var since: Int
    var cut: Int
    var offset: Int

    init(mailbox: String, generation: Int, start: Date, end: Date, since: Int, cut: Int, offset: Int) {
        self.mailbox = mailbox
        self.generation = generation
        self.start = start
        self.end = end
        self.since = since
        self.cut = cut
        self.offset = offset
    }

    init?(_ token: String) {
        guard let data = FakeGraph.base64URLDecode(token), let text = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = text.split(separator: "|").map(String.init)
        guard parts.count == 7, let generation = Int(parts[1]), let start = Double(parts[2]),
            let end = Double(parts[3]),
            let since = Int(parts[4]), let cut = Int(parts[5]), let offset = Int(parts[6])
        else { return nil }
        self.init(
            mailbox: parts[0],
            generation: generation,
            start: Date(timeIntervalSince1970: start),
            end: Date(timeIntervalSince1970: end),
            since: since,
            cut: cut,
            offset: offset
        )
    }

    var token: String {
        FakeGraph.base64URL(
            Data(
                "\(mailbox)|\(generation)|\(start.timeIntervalSince1970)|\(end.timeIntervalSince1970)|\(since)|\(cut)|\(offset)"
                    .utf8
            )
        )
    }
}
