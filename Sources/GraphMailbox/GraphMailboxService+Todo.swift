import ActivityModel
import EWS
import EWSMailbox
import Foundation
import Graph
import SyncEngine
import SyncPlanning

/// Where a Graph mailbox keeps tasks (`graph.tasks`).
public enum GraphTaskMode: Sendable, Equatable {
    /// Microsoft To Do: created in the default list, or the list of this display name; every list but
    /// `flaggedEmails` is read, so a task moved between lists stays linked.
    case todo(list: String?)
    /// Tasks (and calls kept as tasks) are all-day events in the calendar (`GraphTaskEvent`).
    case calendar
    /// Tasks of Graph mailboxes are not synced.
    case none
}

/// A To Do task's id as the engine holds it: its list's and its own (To Do addresses a task through its list).
struct TodoRef: Hashable {
    var list: String
    var task: String

    init(list: String, task: String) {
        self.list = list
        self.task = task
    }

    /// `list|task` (neither holds a `|`: Graph's ids are base64).
    init?(_ text: String) {
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(list: parts[0], task: parts[1])
    }

    var text: String { "\(list)|\(task)" }
}

/// A To Do list as `GET /todo/lists` names it.
struct TodoList {
    var id: String
    var name: String
    var wellknown: String
}

extension GraphMailboxService {
    /// Whether an item id is a To Do task's as this adapter hands them out (`list|task`): a task link made over EWS
    /// is not (and one made over Graph is not an EWS ItemId).
    public static func isTodoId(_ id: String) -> Bool { TodoRef(id) != nil }

    var todo: String { user + "/todo/lists" }

    func tasksPath(_ ref: TodoRef) -> String {
        "\(todo)/\(GraphRequest.segment(ref.list))/tasks/\(GraphRequest.segment(ref.task))"
    }

    /// The mailbox's lists, `flaggedEmails` left out (flagged mail, not tasks).
    func todoLists() async throws -> [TodoList] {
        let response = try await client.send(get(todo))
        if response.status == 403 {
            throw response.error(
                .authentication,
                "Microsoft To Do refused the app (is Tasks.ReadWrite.All granted? Else set graph.tasks: calendar or none)"
            )
        }
        guard response.status == 200, let values = response.json?["value"] as? [[String: Any]] else {
            throw response.error(.http, "the To Do lists refused")
        }
        return values.compactMap { value in
            guard let id = value["id"] as? String, !id.isEmpty, !id.contains("|") else { return nil }
            let wellknown = value["wellknownListName"] as? String ?? "none"
            guard wellknown != "flaggedEmails" else { return nil }
            return TodoList(id: id, name: value["displayName"] as? String ?? "", wellknown: wellknown)
        }
    }

    /// The list new tasks go to: `graph.todo_list` by display name, else the default list.
    func targetList() async throws -> TodoList? {
        guard case .todo(let name) = tasks else { return nil }
        let lists = try await todoLists()
        return lists.first { name == nil ? $0.wellknown == "defaultList" : $0.name == name }
    }

    // MARK: - Reads

    /// Delta of every list, one after another; the cursor holds each list's link (`todo1` and JSON). A list gone
    /// since is `CursorExpired` (its tasks are gone without a word: the folder is read again by identity).
    func todoChanges(from cursor: String?) async throws -> [ChangePage] {
        var links: [String: String] = [:]
        if let cursor {
            guard cursor.hasPrefix("todo1 "), let data = cursor.dropFirst(6).data(using: .utf8),
                let saved = (try? JSONSerialization.jsonObject(with: data)) as? [String: String]
            else { throw CursorExpired("not a To Do delta cursor") }
            links = saved
        }
        let lists = try await todoLists()
        let ids = Set(lists.map(\.id))
        if let gone = links.keys.first(where: { !ids.contains($0) }) {
            throw CursorExpired("the To Do list \(gone) is gone")
        }
        var pages: [ChangePage] = []
        var budget = maxPages
        for list in lists.sorted(by: { $0.id < $1.id }) {
            var link = links[list.id] ?? "\(todo)/\(GraphRequest.segment(list.id))/tasks/delta"
            while budget > 0 {
                budget -= 1
                let response = try await client.send(get(link, extra: [("Prefer", "odata.maxpagesize=\(pageSize)")]))
                try Self.checkDelta(response)
                guard let json = response.json, let values = json["value"] as? [[String: Any]] else {
                    throw Self.malformed("To Do delta answered no value list")
                }
                var changes: [RemoteChange] = []
                for value in values {
                    guard let id = value["id"] as? String, !id.isEmpty, !id.contains("|") else { continue }
                    let ref = TodoRef(list: list.id, task: id).text
                    if value["@removed"] != nil {
                        changes.append(.removed(ref))
                    } else {
                        let created = (value["createdDateTime"] as? String).flatMap(GraphEvent.instant)
                        changes.append(
                            .changed(
                                RemoteHeader(
                                    id: ref,
                                    version: GraphTodoTask.version(value),
                                    activityId: nil,
                                    created: created.map(CRMTime.format) ?? ""
                                )
                            )
                        )
                    }
                }
                let next = json["@odata.nextLink"] as? String
                guard let following = next ?? json["@odata.deltaLink"] as? String else {
                    throw Self.malformed("To Do delta gave no next or delta link")
                }
                link = following
                links[list.id] = link
                let text = String(
                    decoding: try JSONSerialization.data(withJSONObject: links, options: [.sortedKeys]),
                    as: UTF8.self
                )
                pages.append(ChangePage(changes: changes, cursor: "todo1 " + text))
                if next == nil { break }
            }
            if budget == 0 { break }
        }
        if pages.isEmpty {
            let text = String(
                decoding: try JSONSerialization.data(withJSONObject: links, options: [.sortedKeys]),
                as: UTF8.self
            )
            pages.append(ChangePage(changes: [], cursor: "todo1 " + text))
        }
        if budget == 0 { pages[pages.count - 1].more = true }
        return pages
    }

    func todoRead(_ ids: [String]) async throws -> [RemoteItem] {
        let refs = ids.compactMap(TodoRef.init)
        guard !refs.isEmpty else { return [] }
        let results = try await client.batch(
            refs.map { get("\(tasksPath($0))?$expand=\(Self.query(GraphTodoTask.expand))") }
        )
        var found: [RemoteItem] = []
        for (ref, result) in zip(refs, results) {
            let response = try result.get()
            switch response.status {
            case 200:
                guard let json = response.json, let item = GraphTodoTask.item(json, zone: mapping.zone) else {
                    throw Self.malformed("a To Do task could not be read")
                }
                found.append(remoteTask(item, list: ref.list))
            case 404: continue
            default:
                throw response.error(response.status == 403 ? .authentication : .http, "To Do task read refused")
            }
        }
        return found
    }

    func remoteTask(_ item: EWSItem, list: String) -> RemoteItem {
        let ours = mapping.crmLine(of: item)
        var unkept: Set<SyncFields.Field> = [.sensitivity]
        if item.status != .completed { unkept.insert(.percentComplete) }
        return RemoteItem(
            id: TodoRef(list: list, task: item.itemId?.id ?? "").text,
            version: item.itemId?.changeKey,
            kind: .task,
            folder: .tasks,
            fields: mapping.fields(of: item, carrying: nil),
            unkept: unkept,
            activityId: mapping.identity(of: item),
            otherInstance: mapping.belongsToOtherInstance(item),
            hasCategory: mapping.hasCategory(item),
            lastModified: item.lastModifiedTime.map(CRMTime.format) ?? "",
            created: item.dateTimeCreated.map(CRMTime.format) ?? "",
            unstrippedInformation: ours?.unstripped,
            crmLine: ours?.line
        )
    }

    /// Every task of every list, read with its identity (To Do has no filter on an extension: the lists are read
    /// whole, a page of 100 at a time).
    func todoAll() async throws -> [RemoteItem] {
        var found: [RemoteItem] = []
        for list in try await todoLists() {
            var request = get(
                "\(todo)/\(GraphRequest.segment(list.id))/tasks?$top=100&$expand=\(Self.query(GraphTodoTask.expand))"
            )
            var pages = 0
            while true {
                pages += 1
                guard pages <= 10_000 else { throw Self.malformed("listing a To Do list did not end") }
                let response = try await client.send(request)
                guard response.status == 200, let json = response.json, let values = json["value"] as? [[String: Any]]
                else { throw response.error(.http, "listing a To Do list refused") }
                found += values.compactMap { GraphTodoTask.item($0, zone: mapping.zone) }.map {
                    remoteTask($0, list: list.id)
                }
                guard let next = json["@odata.nextLink"] as? String else { break }
                request = get(next)
            }
        }
        return found
    }

    // MARK: - Writes

    func todoCreate(_ items: [NewItem]) async throws -> [WriteOutcome] {
        guard let list = try await targetList() else {
            let name: String
            if case .todo(let named?) = tasks {
                name = "no To Do list is named \(named) (graph.todo_list)"
            } else {
                name = "the mailbox has no default To Do list"
            }
            return items.map { _ in .refused(name) }
        }
        return try await send(items, kinds: items.map(\.kind)) { item in
            let task = mapping.item(
                kind: .task,
                activityId: item.activityId,
                fields: item.fields,
                crmLine: item.crmLine
            )
            var json = GraphTodoTask.json(task, zone: mapping.zone)
            let identity = GraphTodoTask.identity(activityId: item.activityId, instance: mapping.instance)
            json["extensions"] = [identity.extension]
            json["linkedResources"] = [identity.link]
            return GraphRequest(
                "POST",
                "\(todo)/\(GraphRequest.segment(list.id))/tasks",
                mailbox: address,
                body: try Self.body(json)
            )
        } outcome: { _, response in
            guard response.status == 201 || response.status == 200, let json = response.json,
                let id = json["id"] as? String, !id.contains("|")
            else { return nil }
            return .done(id: TodoRef(list: list.id, task: id).text, version: GraphTodoTask.version(json))
        }
    }

    /// The To Do properties an update of these synced fields writes (never `categories`, as over EWS).
    func todoProperties(_ changed: [SyncFields.Field]) -> Set<String> {
        var names: Set<String> = []
        for field in changed {
            switch field {
            case .subject: names.insert("title")
            case .information: names.insert("body")
            case .priority: names.insert("importance")
            case .status, .percentComplete: names.insert("status")
            case .due: names.formUnion(["dueDateTime", "isReminderOn", "reminderDateTime"])
            case .reminderDueBy: names.formUnion(["isReminderOn", "reminderDateTime"])
            // (A call's time and duration are named in the body's line.)
            case .start, .end: names.insert("body")
            case .sensitivity, .allDay, .location, .showAs, .reminderMinutes, .attendees: break
            }
        }
        return names.isEmpty ? ["title"] : names
    }

    func todoUpdateRequest(_ update: ItemUpdate) throws -> GraphRequest? {
        guard let ref = TodoRef(update.id) else { return nil }
        let task = mapping.item(
            kind: .task,
            activityId: update.activityId,
            fields: update.fields,
            crmLine: update.crmLine
        )
        return GraphRequest(
            "PATCH",
            tasksPath(ref),
            mailbox: address,
            body: try Self.body(GraphTodoTask.json(task, zone: mapping.zone, only: todoProperties(update.changed))),
            headers: update.version.map { [("If-Match", "W/\"\($0)\"")] } ?? []
        )
    }

    /// Writes (or takes off) the identity of one task: the extension, then the link the user sees. Not atomic with
    /// the version: a task changed since it was read is `.stale`; the new version is not known (the next pass reads
    /// the task again, so an edit made meanwhile is merged, never taken for our echo).
    func todoStamp(_ stamp: IdentityStamp) async throws -> WriteOutcome {
        guard let ref = TodoRef(stamp.id) else { return .notFound }
        let current = try await client.send(get("\(tasksPath(ref))?$expand=\(Self.query(GraphTodoTask.expand))"))
        guard current.status == 200, let json = current.json else { return outcome(current) }
        if let version = stamp.version, GraphTodoTask.version(json) != version { return .stale }
        let extensions = "\(tasksPath(ref))/extensions"
        let hasOurs = (json["extensions"] as? [[String: Any]] ?? []).contains {
            ($0["extensionName"] as? String) == GraphTodoTask.extensionName
                || ($0["id"] as? String)?.hasSuffix(GraphTodoTask.extensionName) == true
        }
        guard let activityId = stamp.activityId else {
            // A user's copy made their own: the identity and our link taken off.
            if hasOurs {
                let deleted = try await client.send(
                    GraphRequest("DELETE", "\(extensions)/\(GraphTodoTask.extensionName)", mailbox: address)
                )
                guard deleted.status == 204 || deleted.status == 404 else { return outcome(deleted) }
            }
            for link in json["linkedResources"] as? [[String: Any]] ?? []
            where link["applicationName"] as? String == GraphTodoTask.applicationName {
                guard let id = link["id"] as? String else { continue }
                _ = try await client.send(
                    GraphRequest(
                        "DELETE",
                        "\(tasksPath(ref))/linkedResources/\(GraphRequest.segment(id))",
                        mailbox: address
                    )
                )
            }
            return .done(id: stamp.id, version: nil)
        }
        let identity = GraphTodoTask.identity(activityId: activityId, instance: mapping.instance)
        let written =
            hasOurs
            ? try await client.send(
                GraphRequest(
                    "PATCH",
                    "\(extensions)/\(GraphTodoTask.extensionName)",
                    mailbox: address,
                    body: try Self.body(identity.extension)
                )
            )
            : try await client.send(
                GraphRequest("POST", extensions, mailbox: address, body: try Self.body(identity.extension))
            )
        guard written.status == 200 || written.status == 201 else { return outcome(written) }
        let linked = (json["linkedResources"] as? [[String: Any]] ?? []).contains {
            $0["applicationName"] as? String == GraphTodoTask.applicationName
                && $0["externalId"] as? String == activityId
        }
        if !linked {
            // (The link is for the user: a failure to add it leaves the identity, which is what counts.)
            _ = try? await client.send(
                GraphRequest(
                    "POST",
                    "\(tasksPath(ref))/linkedResources",
                    mailbox: address,
                    body: try Self.body(identity.link)
                )
            )
        }
        return .done(id: stamp.id, version: nil)
    }
}
