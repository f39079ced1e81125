import ActivityModel
import Bounds
import EWS
import EWSMailbox
import Foundation
import Graph
import SyncEngine
import SyncPlanning

extension GraphMailboxService {
    static let noTasks = "tasks of Graph mailboxes are not synced (graph.tasks: none)"

    public func create(_ items: [NewItem], in folder: FolderKind) async throws -> [WriteOutcome] {
        if folder == .tasks, case .todo = tasks { return try await todoCreate(items) }
        if folder == .tasks, tasks == .calendar, items.contains(where: { $0.fields.due == nil }) {
            // (A task without a due date has no day: refused alone, the others created.)
            return try await refusing(
                items,
                refuse: { $0.fields.due == nil ? GraphTaskEvent.refusedWithoutDue : nil },
                rest: { try await create($0, in: folder) }
            )
        }
        return try await send(items, kinds: items.map(\.kind)) { item in
            let values =
                item.kind == .task
                ? GraphTaskEvent.item(item.fields, activityId: item.activityId, line: item.crmLine, mapping: mapping)
                : nil
            var json = GraphEvent.json(
                values
                    ?? eventItem(
                        item.fields,
                        activityId: item.activityId,
                        line: item.crmLine,
                        names: item.attendeeNames
                    ),
                zone: mapping.zone,
                attendees: attendeesOnEvents && item.kind != .task
            )
            // Graph answers a resent create with the event the first one made.
            if let transaction = item.transaction { json["transactionId"] = transaction }
            return GraphRequest("POST", events, mailbox: address, body: try Self.body(json))
        } outcome: { _, response in
            response.status == 201 || response.status == 200 ? done(response) : nil
        }
    }

    public func update(_ updates: [ItemUpdate]) async throws -> [WriteOutcome] {
        if tasks == .calendar, updates.contains(where: { $0.kind == .task && $0.fields.due == nil }) {
            return try await refusing(
                updates,
                refuse: { $0.kind == .task && $0.fields.due == nil ? GraphTaskEvent.refusedWithoutDue : nil },
                rest: { try await update($0) }
            )
        }
        return try await send(updates, kinds: updates.map(\.kind)) { update in
            if update.kind == .task, let request = try todoUpdateRequest(update) { return request }
            if update.kind == .task, tasks == .calendar {
                guard
                    let values = GraphTaskEvent.item(
                        update.fields,
                        activityId: update.activityId,
                        line: update.crmLine,
                        mapping: mapping
                    )
                else { throw EWSError(.item, GraphTaskEvent.refusedWithoutDue) }  // (never: refused above)
                return GraphRequest(
                    "PATCH",
                    "\(events)/\(GraphRequest.segment(update.id))",
                    mailbox: address,
                    body: try Self.body(
                        GraphEvent.json(
                            values,
                            zone: mapping.zone,
                            only: taskEventProperties(update.changed),
                            attendees: false
                        )
                    ),
                    headers: Self.prefer + (update.version.map { [("If-Match", "W/\"\($0)\"")] } ?? [])
                )
            }
            let item = eventItem(
                update.fields,
                activityId: update.activityId,
                line: update.crmLine,
                names: update.attendeeNames
            )
            let json = GraphEvent.json(
                item,
                zone: mapping.zone,
                only: properties(update.changed),
                attendees: attendeesOnEvents
            )
            return GraphRequest(
                "PATCH",
                "\(events)/\(GraphRequest.segment(update.id))",
                mailbox: address,
                body: try Self.body(json),
                headers: Self.prefer + (update.version.map { [("If-Match", "W/\"\($0)\"")] } ?? [])
            )
        } outcome: { update, response in
            guard response.status == 200 else { return nil }
            guard update.kind == .task, let ref = TodoRef(update.id) else { return done(response) }
            return .done(id: ref.text, version: response.json.flatMap(GraphTodoTask.version))
        }
    }

    public func remove(_ removals: [ItemRemoval]) async throws -> [WriteOutcome] {
        // (Graph moves a deleted event to Deleted Items. Under `none` our events list no attendees, so no
        // cancellation goes out; under `all` Graph sends them, as the setting asks.)
        try await send(removals, kinds: removals.map { TodoRef($0.id) == nil ? .calendarItem : .task }) { removal in
            GraphRequest(
                "DELETE",
                TodoRef(removal.id).map(tasksPath) ?? "\(events)/\(GraphRequest.segment(removal.id))",
                mailbox: address,
                headers: removal.version.map { [("If-Match", "W/\"\($0)\"")] } ?? []
            )
        } outcome: { removal, response in
            response.status == 204 || response.status == 200 ? .done(id: removal.id, version: nil) : nil
        }
    }

    public func stamp(_ stamps: [IdentityStamp]) async throws -> [WriteOutcome] {
        if case .todo = tasks, stamps.contains(where: { $0.kind == .task }) {
            // (A task's identity is two requests, read first: one task at a time; the events batched.)
            var outcomes: [Int: WriteOutcome] = [:]
            for (index, stamp) in stamps.enumerated() where stamp.kind == .task {
                do {
                    outcomes[index] = try await todoStamp(stamp)
                } catch let error as EWSError {
                    if error.kind == .authentication || error.kind == .configuration { throw error }
                    outcomes[index] = outcome(error)
                }
            }
            let events = stamps.indices.filter { stamps[$0].kind != .task }
            for (index, result) in zip(events, try await stamp(events.map { stamps[$0] })) { outcomes[index] = result }
            return stamps.indices.map { outcomes[$0] ?? .transient("no answer for this item") }
        }
        return try await send(stamps, kinds: stamps.map(\.kind)) { stamp in
            // Graph cannot delete an extended property: a released copy gets empty values, which no instance
            // claims (`ItemMapping.identity` wants our instance id).
            let values = [
                (GraphEvent.activityIdProperty, stamp.activityId ?? ""),
                (GraphEvent.instanceIdProperty, stamp.activityId == nil ? "" : mapping.instance),
            ]
            let json: [String: Any] = ["singleValueExtendedProperties": values.map { ["id": $0.0, "value": $0.1] }]
            return GraphRequest(
                "PATCH",
                "\(events)/\(GraphRequest.segment(stamp.id))",
                mailbox: address,
                body: try Self.body(json),
                headers: Self.prefer + (stamp.version.map { [("If-Match", "W/\"\($0)\"")] } ?? [])
            )
        } outcome: { _, response in
            response.status == 200 ? done(response) : nil
        }
    }

    // MARK: - Shared

    /// The item values to write: the mapping's, with the attendees named in our line when they stay off the event.
    func eventItem(_ fields: SyncFields, activityId: String, line: String?, names: [String: String]) -> EWSItem {
        var line = line
        if !attendeesOnEvents, !fields.attendees.isEmpty {
            let named = fields.attendees.map(SyncFields.attendee).map { attendee in
                names[attendee.email].map { "\($0) <\(attendee.email)>" } ?? attendee.email
            }
            line = (line ?? "") + Self.attendeesMarker + named.joined(separator: ", ")
        }
        return mapping.item(kind: .calendarItem, activityId: activityId, fields: fields, crmLine: line, names: names)
    }

    /// The event properties an update of these synced fields writes. Never `categories` (the user's to change
    /// after the create, as over EWS).
    func properties(_ changed: [SyncFields.Field]) -> Set<String> {
        var names: Set<String> = []
        for field in changed {
            switch field {
            case .subject: names.insert("subject")
            case .information: names.insert("body")
            case .priority: names.insert("importance")
            case .sensitivity: names.insert("sensitivity")
            // (The body too: a call's `CRM: ` line names its duration.)
            case .start, .end, .allDay: names.formUnion(["start", "end", "isAllDay", "body"])
            case .location: names.insert("location")
            case .showAs: names.insert("showAs")
            case .reminderMinutes: names.formUnion(["isReminderOn", "reminderMinutesBeforeStart"])
            case .attendees: names.insert(attendeesOnEvents ? "attendees" : "body")
            case .status, .percentComplete, .due, .reminderDueBy: break
            }
        }
        // (A change the event does not hold, e.g. an appointment's held/not held: the subject written as it is, so
        // the update is one and the version moves as the engine expects.)
        return names.isEmpty ? ["subject"] : names
    }

    /// The event properties an update of a task's fields writes (`graph.tasks: calendar`): the status and
    /// percentage are in the body's line.
    func taskEventProperties(_ changed: [SyncFields.Field]) -> Set<String> {
        var names: Set<String> = []
        for field in changed {
            switch field {
            case .subject: names.insert("subject")
            case .information, .status, .percentComplete, .start, .end: names.insert("body")
            case .priority: names.insert("importance")
            case .sensitivity: names.insert("sensitivity")
            case .due: names.formUnion(["start", "end", "isAllDay"])
            case .reminderDueBy: names.formUnion(["isReminderOn", "reminderMinutesBeforeStart"])
            case .allDay, .location, .showAs, .reminderMinutes, .attendees: break
            }
        }
        return names.isEmpty ? ["subject"] : names
    }

    /// One outcome per value, in order: those `refuse` gives a reason for are refused with it, the rest are `rest`'s.
    func refusing<Value: Sendable>(
        _ values: [Value],
        refuse: (Value) -> String?,
        rest: ([Value]) async throws -> [WriteOutcome]
    ) async throws -> [WriteOutcome] {
        var outcomes: [WriteOutcome?] = values.map { refuse($0).map(WriteOutcome.refused) }
        let others = values.indices.filter { outcomes[$0] == nil }
        for (index, outcome) in zip(others, try await rest(others.map { values[$0] })) { outcomes[index] = outcome }
        return outcomes.map { $0 ?? .transient("no answer for this item") }
    }

    func done(_ response: GraphResponse) -> WriteOutcome? {
        guard let json = response.json, let id = json["id"] as? String else { return nil }
        return .done(id: id, version: json["changeKey"] as? String)
    }

    /// Sends one request per value in `$batch`es and answers one outcome per value, in order. Task writes are
    /// refused (not served yet); a request's failure is its outcome; errors about the mailbox (auth) end the pass.
    func send<Value: Sendable>(
        _ values: [Value],
        kinds: [ItemKind],
        request: (Value) throws -> GraphRequest,
        outcome: (Value, GraphResponse) -> WriteOutcome?
    ) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome?](repeating: nil, count: values.count)
        var requests: [GraphRequest] = []
        var indices: [Int] = []
        for (index, value) in values.enumerated() {
            if kinds[index] == .task, tasks == .none {
                outcomes[index] = .refused(Self.noTasks)
                continue
            }
            requests.append(try request(value))
            indices.append(index)
        }
        let results = try await client.batch(requests)
        for (slot, result) in zip(indices, results) {
            switch result {
            case .success(let response):
                outcomes[slot] = outcome(values[slot], response) ?? self.outcome(response)
            case .failure(let error):
                if error.kind == .authentication || error.kind == .configuration { throw error }
                outcomes[slot] = self.outcome(error)
            }
        }
        return outcomes.map { $0 ?? .transient("no answer for this item") }
    }

    func outcome(_ response: GraphResponse) -> WriteOutcome {
        switch response.status {
        case 404: return .notFound
        case 409, 412: return .stale  // ErrorIrresolvableConflict: re-read and plan again
        case 429, 503:
            // (Bounded: a hostile Retry-After — NaN, 1e300, negative — must neither trap nor park the mailbox.)
            let seconds = response.headers["retry-after"].flatMap(Double.init) ?? 30
            return .throttled(until: clock().addingTimeInterval(Bounded.seconds(seconds, atMost: 3600)))
        case 500...: return .transient(response.error(.http, "Graph failed").description)
        default: return .refused(response.error(.item, "Graph refused the write").description)
        }
    }

    func outcome(_ error: EWSError) -> WriteOutcome {
        switch error.kind {
        case .ambiguous: return .ambiguous
        case .throttled: return .throttled(until: clock().addingTimeInterval(60))
        case .http, .transport, .malformedResponse: return .transient(error.description)
        default: return .refused(error.description)
        }
    }

    static func body(_ json: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
    }
}

extension MailboxSync {
    /// The engine for an employee's mailbox over Microsoft Graph (the calendar; the delete half of an ownership
    /// move goes to the previous owner's mailbox over Graph too — `services` may route it elsewhere).
    public static func graph(
        store: any SyncStore,
        client: GraphClient,
        settings: SyncSettings,
        employee: Employee,
        services: (@Sendable (String) -> any MailboxService)? = nil,
        tasks: GraphTaskMode = .todo(list: nil),
        clock: @escaping @Sendable () -> Date = { Date() },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) -> MailboxSync {
        let mapping = ItemMapping(settings, for: employee)
        return MailboxSync(
            store: store,
            settings: settings,
            employee: employee,
            services: services,
            clock: clock,
            shouldStop: shouldStop
        ) {
            GraphMailboxService(
                client: client,
                mailbox: $0,
                mapping: mapping,
                window: (settings.pastDays, settings.futureDays),
                attendeesOnEvents: settings.sendInvitations,
                tasks: tasks,
                clock: clock
            )
        }
    }
}
