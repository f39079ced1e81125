import ActivityModel
import Bounds
import EWS
import EWSMailbox
import Foundation
import Graph
import SyncEngine
import SyncPlanning

/// The sync engine's `MailboxService` over Microsoft Graph v1.0 for a mailbox's primary calendar: calendarView
/// delta for changes, `$batch`ed GETs for reads, `$filter` on the identity property for lookups, and
/// POST/PATCH/DELETE for writes, with `ItemMapping` between synced values and items (`GraphEvent` between
/// items and events). Tasks as `tasks` says (`graph.tasks`): in Microsoft To Do (`GraphTodoTask`, every list a
/// part of the one tasks folder), or not at all.
public struct GraphMailboxService: MailboxService {
    public let client: GraphClient
    public let address: String
    public let mapping: ItemMapping
    /// `sync.window`: the delta chain covers it, plus `margin` ahead.
    public var window: (pastDays: Int, futureDays: Int)
    /// How far the chain reaches past the window's end: when today's window leaves it (after `margin`), the
    /// chain restarts — at most one full read of the calendar per margin.
    public var marginDays = 7
    /// Attendees are written on events (`sync.send_invitations: all`). Graph has no switch for meeting mail: an
    /// event listing attendees mails them on create, update and delete, so under `none` they are never on
    /// the event — they are named in its `CRM:` line instead, and not compared.
    public var attendeesOnEvents: Bool
    /// Delta pages per pass (the next pass goes on from the last one).
    public var maxPages = 200
    /// Events (and To Do tasks) per delta page (`Prefer: odata.maxpagesize`).
    public var pageSize = 50
    /// Where tasks are kept (`graph.tasks`).
    public var tasks: GraphTaskMode
    let clock: @Sendable () -> Date

    public init(
        client: GraphClient,
        mailbox: String,
        mapping: ItemMapping,
        window: (pastDays: Int, futureDays: Int),
        attendeesOnEvents: Bool,
        tasks: GraphTaskMode = .todo(list: nil),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.address = mailbox
        self.mapping = mapping
        self.window = window
        self.attendeesOnEvents = attendeesOnEvents
        self.tasks = tasks
        self.clock = clock
    }

    /// Over Graph a listing from the start covers the window only: a linked event outside it is not gone. (To Do's
    /// delta has no window; a linked task not listed is read by id too — at a chain's restart only.)
    public var listsWholeFolders: Bool { false }
    /// The calendar, and tasks unless `graph.tasks: none`.
    public var folders: [FolderKind] { tasks == .none ? [.calendar] : [.calendar, .tasks] }
    /// A task id is a To Do task's (`list|task`); an EWS ItemId is not. (Events: ids cannot be told apart.)
    public func recognises(itemId: String, in folder: FolderKind) -> Bool {
        folder == .calendar || Self.isTodoId(itemId) == servesTodo
    }
    /// Tasks are Microsoft To Do's.
    var servesTodo: Bool {
        if case .todo = tasks { return true }
        return false
    }

    var user: String { GraphRequest.user(address) }
    var events: String { user + "/calendar/events" }

    /// Answers in UTC with text bodies, and ids that survive moves inside the mailbox.
    static let prefer: [(String, String)] = [
        ("Prefer", "outlook.timezone=\"UTC\""), ("Prefer", "outlook.body-content-type=\"text\""),
        ("Prefer", "IdType=\"ImmutableId\""),
    ]

    func get(_ path: String, extra: [(String, String)] = []) -> GraphRequest {
        GraphRequest("GET", path, mailbox: address, headers: Self.prefer + extra)
    }

    static func query(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: - Reads

    public func changes(in folder: FolderKind, from cursor: String?) async throws -> [ChangePage] {
        guard folder == .calendar else {
            switch tasks {
            case .todo: return try await todoChanges(from: cursor)
            // (The calendar's own chain, a second one: its events that keep tasks are the folder's.)
            case .calendar: return try await calendarChanges(from: cursor)
            case .none: return [ChangePage(changes: [], cursor: "graph-no-tasks")]
            }
        }
        return try await calendarChanges(from: cursor)
    }

    /// calendarView delta over the window (and the margin), page by page.
    func calendarChanges(from cursor: String?) async throws -> [ChangePage] {
        let now = clock()
        let needEnd = now.addingTimeInterval(Double(window.futureDays) * 86_400)
        var chain: DeltaCursor
        if let cursor {
            guard let saved = DeltaCursor(cursor) else { throw CursorExpired("not a Graph delta cursor") }
            // The window's end moved past the chain's: a new chain (the engine re-reads the window by identity).
            guard saved.end >= needEnd else { throw CursorExpired("the sync window moved past the delta chain") }
            chain = saved
        } else {
            let start = now.addingTimeInterval(-Double(window.pastDays) * 86_400)
            let end = needEnd.addingTimeInterval(Double(marginDays) * 86_400)
            chain = DeltaCursor(start: start, end: end, link: "")
            chain.link =
                "\(user)/calendarView/delta?startDateTime=\(CRMTime.format(start))&endDateTime=\(CRMTime.format(end))"
        }
        var pages: [ChangePage] = []
        for _ in 0..<maxPages {
            let response = try await client.send(
                get(chain.link, extra: [("Prefer", "odata.maxpagesize=\(pageSize)")])
            )
            try Self.checkDelta(response)
            guard let json = response.json, let values = json["value"] as? [[String: Any]] else {
                throw Self.malformed("calendarView delta answered no value list")
            }
            var changes: [RemoteChange] = []
            var removed: [String] = []
            for value in values {
                guard let id = value["id"] as? String, !id.isEmpty else { continue }
                if value["@removed"] != nil {
                    removed.append(id)
                } else {
                    changes.append(.changed(header(value, id: id)))
                }
            }
            changes += try await resolveRemoved(removed)
            let next = json["@odata.nextLink"] as? String
            let delta = json["@odata.deltaLink"] as? String
            guard let link = next ?? delta else {
                throw Self.malformed("calendarView delta gave no next or delta link")
            }
            chain.link = link
            pages.append(ChangePage(changes: changes, cursor: chain.text))
            if next == nil { return pages }
        }
        if !pages.isEmpty { pages[pages.count - 1].more = true }
        return pages
    }

    /// A dead delta token (gone, `syncStateNotFound`, a malformed id) is `CursorExpired`: reconciliation by
    /// identity. A 401 never gets here (the client throws it as an auth failure).
    static func checkDelta(_ response: GraphResponse) throws {
        if response.status == 200 { return }
        let dead: Set<String> = ["syncStateNotFound", "SyncStateNotFound", "resyncRequired", "ErrorInvalidIdMalformed"]
        if response.status == 410 || dead.contains(response.errorCode ?? "") {
            throw CursorExpired("Graph: \(response.errorCode ?? "HTTP \(response.status)")")
        }
        throw response.error(response.status == 403 ? .authentication : .http, "calendarView delta refused")
    }

    /// `@removed` means deleted, or only out of the chain's window (a meeting moved far ahead): each is looked
    /// up, and one still in the calendar is a change, not a removal (SPEC: linked items stay linked).
    func resolveRemoved(_ ids: [String]) async throws -> [RemoteChange] {
        guard !ids.isEmpty else { return [] }
        let results = try await client.batch(
            ids.map { get("\(events)/\(GraphRequest.segment($0))?$select=id,changeKey,createdDateTime") }
        )
        var changes: [RemoteChange] = []
        for (id, result) in zip(ids, results) {
            let response = try result.get()
            switch response.status {
            case 200:
                if let json = response.json { changes.append(.changed(header(json, id: id))) }
            case 404: changes.append(.removed(id))
            default: throw response.error(.http, "event lookup refused")
            }
        }
        return changes
    }

    /// Delta entries carry no extended properties (no `$expand` there): the identity comes with the read.
    func header(_ json: [String: Any], id: String) -> RemoteHeader {
        RemoteHeader(
            id: id,
            version: json["changeKey"] as? String,
            activityId: nil,
            created: (json["createdDateTime"] as? String).flatMap(GraphEvent.instant).map(CRMTime.format) ?? ""
        )
    }

    public func read(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        if folder == .tasks, case .todo = tasks { return try await todoRead(ids) }
        guard folder == .calendar || tasks == .calendar, !ids.isEmpty else { return [] }
        let results = try await client.batch(ids.map { readRequest($0) })
        var found: [RemoteItem] = []
        for result in results {
            let response = try result.get()
            switch response.status {
            case 200:
                guard let json = response.json, let item = GraphEvent.item(json) else {
                    throw Self.malformed("an event could not be read")
                }
                if let kept = remote(item, in: folder) { found.append(kept) }
            case 404: continue  // Gone (or in another calendar): its removal shows in the next changes.
            // (An id Graph cannot read — an EWS ItemId a link kept from before the mailbox moved to Graph — is no
            // item here: the engine looks for the identity.)
            case 400 where response.errorCode == "ErrorInvalidIdMalformed": continue
            default: throw response.error(response.status == 403 ? .authentication : .http, "event read refused")
            }
        }
        return found
    }

    func readRequest(_ id: String) -> GraphRequest {
        get("\(events)/\(GraphRequest.segment(id))?$expand=\(Self.query(GraphEvent.expandIdentity))")
    }

    /// An event as an item of the folder: one that keeps a task is the tasks folder's, any other the calendar's
    /// (nil: not this folder's).
    func remote(_ item: EWSItem, in folder: FolderKind) -> RemoteItem? {
        let keepsTask = GraphTaskEvent.keepsTask(item, mapping: mapping)
        guard keepsTask == (folder == .tasks) else { return nil }
        guard keepsTask else { return remote(item) }
        let ours = mapping.crmLine(of: item)
        return RemoteItem(
            id: item.itemId?.id ?? "",
            version: item.itemId?.changeKey,
            kind: .task,
            folder: .tasks,
            fields: GraphTaskEvent.fields(of: item, mapping: mapping),
            unkept: GraphTaskEvent.unkept,
            activityId: mapping.identity(of: item),
            hasCategory: mapping.hasCategory(item),
            lastModified: item.lastModifiedTime.map(CRMTime.format) ?? "",
            created: item.dateTimeCreated.map(CRMTime.format) ?? "",
            unstrippedInformation: ours?.unstripped,
            crmLine: ours.flatMap { GraphTaskEvent.lineWithoutStatus($0.line) }
        )
    }

    func remote(_ item: EWSItem) -> RemoteItem {
        let ours = mapping.crmLine(of: item)
        var fields = mapping.fields(of: item, carrying: nil)
        var unkept: Set<SyncFields.Field> = [.status]
        if !attendeesOnEvents {
            // Never written here: what a user lists in Outlook is theirs (and their Outlook mails them).
            unkept.insert(.attendees)
            fields.attendees = []
        }
        return RemoteItem(
            id: item.itemId?.id ?? "",
            version: item.itemId?.changeKey,
            kind: .calendarItem,
            folder: .calendar,
            fields: fields,
            unkept: unkept,
            activityId: mapping.identity(of: item),
            otherInstance: mapping.belongsToOtherInstance(item),
            hasCategory: mapping.hasCategory(item),
            isRecurring: item.isRecurring == true,
            lastModified: item.lastModifiedTime.map(CRMTime.format) ?? "",
            created: item.dateTimeCreated.map(CRMTime.format) ?? "",
            responses: ItemMapping.responses(of: item),
            unstrippedInformation: ours?.unstripped,
            misaligned: mapping.misaligned(item),
            crmLine: ours.map { Self.lineWithoutAttendees($0.line) }
        )
    }

    public func find(activityIds: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        if folder == .tasks, case .todo = tasks, !activityIds.isEmpty {
            let wanted = Set(activityIds)
            return try await todoAll().filter { $0.activityId.map(wanted.contains) == true }
        }
        guard folder == .calendar || tasks == .calendar, !activityIds.isEmpty else { return [] }
        var found: [RemoteItem] = []
        let requests = activityIds.map { filtered(GraphEvent.activityIdProperty, equals: $0) }
        for result in try await client.batch(requests) {
            let response = try result.get()
            guard response.status == 200, let values = response.json?["value"] as? [[String: Any]] else {
                throw response.error(.http, "event lookup by identity refused")
            }
            found += values.compactMap(GraphEvent.item).filter { mapping.identity(of: $0) != nil }.compactMap {
                remote($0, in: folder)
            }
        }
        return found
    }

    public func listOwn(in folder: FolderKind) async throws -> [RemoteHeader] {
        if folder == .tasks, case .todo = tasks {
            return try await todoAll().compactMap { item in
                item.activityId.map {
                    RemoteHeader(id: item.id, version: item.version, activityId: $0, created: item.created)
                }
            }
        }
        guard folder == .calendar || tasks == .calendar else { return [] }
        var headers: [RemoteHeader] = []
        var request = filtered(GraphEvent.instanceIdProperty, equals: mapping.instance)
        for _ in 0..<10_000 {
            let response = try await client.send(request)
            guard response.status == 200, let json = response.json, let values = json["value"] as? [[String: Any]]
            else { throw response.error(.http, "listing this instance's events refused") }
            for item in values.compactMap(GraphEvent.item)
            where mapping.identity(of: item) != nil
                && GraphTaskEvent.keepsTask(item, mapping: mapping) == (folder == .tasks)
            {
                if let id = item.itemId?.id {
                    headers.append(
                        RemoteHeader(
                            id: id,
                            version: item.itemId?.changeKey,
                            activityId: mapping.identity(of: item),
                            created: item.dateTimeCreated.map(CRMTime.format) ?? ""
                        )
                    )
                }
            }
            guard let next = json["@odata.nextLink"] as? String else { return headers }
            request = get(next)
        }
        throw Self.malformed("listing this instance's events did not end")
    }

    /// Events of the primary calendar whose identity property holds `value`, read with their identity.
    func filtered(_ property: String, equals value: String) -> GraphRequest {
        let escaped = value.replacingOccurrences(of: "'", with: "''")
        let filter = "singleValueExtendedProperties/Any(ep: ep/id eq '\(property)' and ep/value eq '\(escaped)')"
        return get("\(events)?$filter=\(Self.query(filter))&$expand=\(Self.query(GraphEvent.expandIdentity))")
    }

    static func malformed(_ what: String) -> EWSError {
        var error = EWSError(.malformedResponse, what)
        error.backend = "Graph"
        return error
    }

    // MARK: - The attendees' line

    static let attendeesMarker = " · Attendees: "

    /// Our `CRM:` line as the engine knows it (the attendees we name there are the adapter's).
    static func lineWithoutAttendees(_ line: String) -> String {
        line.range(of: attendeesMarker).map { String(line[..<$0.lowerBound]) } ?? line
    }
}

/// A delta chain: its window (fixed into the chain by Graph) and the link to go on from.
struct DeltaCursor {
    var start: Date
    var end: Date
    var link: String

    init(start: Date, end: Date, link: String) {
        self.start = start
        self.end = end
        self.link = link
    }

    /// `graph1 <start> <end> <link>` (epoch seconds).
    init?(_ text: String) {
        let parts = text.split(separator: " ", maxSplits: 3).map(String.init)
        guard parts.count == 4, parts[0] == "graph1", let start = Double(parts[1]), let end = Double(parts[2]),
            start.isFinite, end.isFinite
        else { return nil }
        self.init(
            start: Date(timeIntervalSince1970: start),
            end: Date(timeIntervalSince1970: end),
            link: parts[3]
        )
    }

    var text: String {
        "graph1 \(Bounded.epochSeconds(start)) \(Bounded.epochSeconds(end)) \(link)"
    }
}
