import ActivityModel
import EWS
import Foundation
import SyncEngine
import SyncPlanning

extension EWSMailboxService {
    public func create(_ items: [NewItem], in folder: FolderKind) async throws -> [WriteOutcome] {
        // SendMeetingInvitations is one attribute per request: a batch is sent in runs of one setting.
        try await inRuns(items, by: \.invitations) { run, invitations in
            let results = try await client.createItems(
                run.map {
                    mapping.item(
                        kind: $0.kind,
                        activityId: $0.activityId,
                        fields: $0.fields,
                        crmLine: $0.crmLine,
                        names: $0.attendeeNames
                    )
                },
                in: Self.folder(folder),
                mailbox: address,
                timeZoneId: timeZoneId,
                meetingMail: invitations ? .all : .none
            )
            return results.map { outcome($0.map { ($0.id, $0.changeKey) }) }
        }
    }

    public func update(_ updates: [ItemUpdate]) async throws -> [WriteOutcome] {
        try await inRuns(updates, by: \.meetingMail) { run, mail in
            let changes = run.map { update in
                EWSItemChange(
                    itemId: EWSItemId(id: update.id, changeKey: update.version),
                    item: mapping.item(
                        kind: update.kind,
                        activityId: update.activityId,
                        fields: update.fields,
                        crmLine: update.crmLine,
                        names: update.attendeeNames
                    ),
                    updates: Self.fieldUpdates(update.changed, kind: update.kind)
                )
            }
            let results = try await client.updateItems(
                changes,
                mailbox: address,
                timeZoneId: timeZoneId,
                meetingMail: mail ? .changed : .none
            )
            return results.map { outcome($0.map { ($0.id, $0.changeKey) }) }
        }
    }

    public func remove(_ removals: [ItemRemoval]) async throws -> [WriteOutcome] {
        try await inRuns(removals, by: \.cancellations) { run, cancellations in
            // Cancellations only under send_invitations: all (EWS ignores them for tasks).
            let results = try await client.deleteItems(
                run.map { EWSItemId(id: $0.id) },
                mailbox: address,
                sendCancellations: cancellations
            )
            return zip(run, results).map { removal, result in outcome(result.map { (removal.id, nil) }) }
        }
    }

    public func stamp(_ stamps: [IdentityStamp]) async throws -> [WriteOutcome] {
        // Stamps send no meeting mail: one run.
        let send: ([IdentityStamp], Bool) async throws -> [WriteOutcome] = { run, _ in
            let changes = run.map { stamp in
                var item = EWSItem(kind: stamp.kind == .task ? .task : .calendarItem)
                guard let activityId = stamp.activityId else {
                    // A user's copy: the identity comes off, and the item is the user's own.
                    return EWSItemChange(
                        itemId: EWSItemId(id: stamp.id, changeKey: stamp.version),
                        item: item,
                        updates: [.deleteExtended(ItemMapping.activityId), .deleteExtended(ItemMapping.instanceId)]
                    )
                }
                item.extendedProperties = [
                    ItemMapping.activityId: activityId, ItemMapping.instanceId: mapping.instance,
                ]
                return EWSItemChange(
                    itemId: EWSItemId(id: stamp.id, changeKey: stamp.version),
                    item: item,
                    updates: [.setExtended(ItemMapping.activityId), .setExtended(ItemMapping.instanceId)]
                )
            }
            let results = try await client.updateItems(changes, mailbox: address)
            return results.map { outcome($0.map { ($0.id, $0.changeKey) }) }
        }
        return try await inRuns(stamps, by: { _ in false }, send: send)
    }

    // MARK: - Outcomes

    static let staleCodes: Set<String> = [
        "ErrorIrresolvableConflict", "ErrorStaleObject", "ErrorChangeKeyRequiredForWriteOperations",
    ]

    func outcome(_ result: Result<(String, String?), EWSError>) -> WriteOutcome {
        switch result {
        case .success(let (id, version)): return .done(id: id, version: version)
        case .failure(let error): return outcome(error)
        }
    }

    func outcome(_ error: EWSError) -> WriteOutcome {
        if error.responseCode == "ErrorItemNotFound" { return .notFound }
        if Self.staleCodes.contains(error.responseCode ?? "") { return .stale }
        if error.isThrottling {
            let wait = Double(min(max(error.backOffMilliseconds ?? 30_000, 0), 3_600_000)) / 1000
            return .throttled(until: clock().addingTimeInterval(wait))
        }
        switch error.kind {
        case .ambiguous: return .ambiguous
        case .http, .transport: return .transient(error.description)
        default: return .refused(error.description)
        }
    }

    /// Sends `values` in runs of equal `key` (order kept) and answers one outcome per value. A run that
    /// fails as a whole fails each of its values alike; errors that concern the mailbox rather than the
    /// request (authentication, access, configuration) end the pass.
    func inRuns<Value: Sendable, Key: Equatable & Sendable>(
        _ values: [Value],
        by key: (Value) -> Key,
        send: ([Value], Key) async throws -> [WriteOutcome]
    ) async throws -> [WriteOutcome] {
        var outcomes: [WriteOutcome] = []
        var start = 0
        while start < values.count {
            let runKey = key(values[start])
            var end = start
            while end < values.count && key(values[end]) == runKey { end += 1 }
            let run = Array(values[start..<end])
            do {
                let answered = try await send(run, runKey)
                outcomes +=
                    answered
                    + Array(repeating: .transient("no answer for this item"), count: max(0, run.count - answered.count))
            } catch let error as EWSError where [.ambiguous, .http, .transport, .throttled].contains(error.kind) {
                outcomes += Array(repeating: outcome(error), count: run.count)
            }
            start = end
        }
        return outcomes
    }

    /// The EWS fields an update of these synced fields writes. Never `Categories`: a create gives the item our
    /// category, and what the user adds (or removes) later is theirs — setting the list would wipe it
    /// (issue 12's 5; the link holds by identity, not by category).
    static func fieldUpdates(_ changed: [SyncFields.Field], kind: ItemKind) -> [EWSFieldUpdate] {
        var fields: [EWSField] = []
        for field in changed {
            switch field {
            case .subject: fields.append(.subject)
            case .information: fields.append(.body)
            case .priority: fields.append(.importance)
            case .sensitivity: fields.append(.sensitivity)
            case .status, .percentComplete: if kind == .task { fields += [.status, .percentComplete] }
            case .start, .end, .allDay:
                // (The body too: a call's `CRM: ` line names its duration — and, on a task that keeps it, its time.)
                if kind == .calendarItem {
                    fields += [.start, .end, .isAllDayEvent, .startTimeZone, .endTimeZone, .body]
                } else {
                    fields.append(.body)
                }
            case .due: if kind == .task { fields += [.dueDate, .reminderDueBy, .reminderIsSet] }
            case .location: fields.append(.location)
            case .showAs: fields.append(.legacyFreeBusyStatus)
            case .reminderMinutes: if kind == .calendarItem { fields += [.reminderIsSet, .reminderMinutesBeforeStart] }
            case .reminderDueBy: if kind == .task { fields += [.reminderIsSet, .reminderDueBy] }
            case .attendees: fields += [.requiredAttendees, .optionalAttendees, .resources]
            }
        }
        // (A change Exchange does not hold, e.g. an appointment's held/not held: the subject written as it is,
        // so the update is one, and its version moves as the engine expects.)
        if fields.isEmpty { fields = [.subject] }
        var seen: Set<EWSField> = []
        return fields.filter { seen.insert($0).inserted }.map(EWSFieldUpdate.set)
    }
}

extension MailboxSync {
    /// The engine for an employee's mailbox over EWS: one client for this mailbox and, for the delete half
    /// of an ownership move, for the previous owner's.
    public static func ews(
        store: any SyncStore,
        client: EWSClient,
        settings: SyncSettings,
        employee: Employee,
        services: (@Sendable (String) -> any MailboxService)? = nil,
        clock: @escaping @Sendable () -> Date = { Date() },
        shouldStop: @escaping @Sendable () -> Bool = { false },
        listing: (pages: Int, changes: Int) = (200, 512)
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
            var service = EWSMailboxService(client: client, mailbox: $0, mapping: mapping, clock: clock)
            service.maxPages = listing.pages
            service.pageChanges = listing.changes
            return service
        }
    }
}
