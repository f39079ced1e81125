import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
import SyncEngine
import SyncPlanning
import Testing

/// Tasks in Microsoft To Do over HTTP against the fake Graph (every body checked against Graph's metadata; the
/// tests assert no violation): the identity in an open extension and a linkedResource, delta per list, the
/// documented date quirks, moves between lists, flaggedEmails left out, the missing permission.
@Suite("Graph: tasks in Microsoft To Do")
struct GraphTodoTests {
    static let now: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_796_000_000) }  // 2026-11-30
    static let task = SyncFields(
        subject: "Call back",
        information: "Prefers mornings",
        priority: .high,
        status: "in_process",
        percentComplete: 50,
        due: "2026-12-03",
        reminderDueBy: -540
    )

    static func create(
        _ service: GraphMailboxService,
        _ id: String,
        _ fields: SyncFields = task
    ) async throws
        -> (id: String, version: String?)
    {
        let new = NewItem(activityId: id, kind: .task, fields: fields, crmLine: "Fabrikam", invitations: false)
        let outcome = try await service.create([new], in: .tasks).first
        guard case .done(let item, let version) = outcome else {
            throw GraphTestFailure("create answered \(String(describing: outcome))")
        }
        return (item, version)
    }

    @Test("a task goes to the default list with its identity in an extension and a link; it reads back as written")
    func createRead() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1")
        let stored = try #require(fixture.fake.todoTasks(mailbox: GraphFixture.alice).first)
        let identity = try #require((stored["extensions"] as? [[String: Any]])?.first)
        #expect(identity["ActivityId"] as? String == "A1" && identity["InstanceId"] as? String == "test")
        let link = try #require((stored["linkedResources"] as? [[String: String]])?.first)
        #expect(link["externalId"] == "A1" && link["applicationName"] == "activity-sync")
        #expect(link["displayName"] == "CRM activity A1")
        // The due date at the owner's midnight (Amsterdam), answered in UTC; the reminder at 09:00 on the day.
        #expect((stored["dueDateTime"] as? [String: String])?["dateTime"] == "2026-12-02T23:00:00.0000000")
        #expect((stored["reminderDateTime"] as? [String: String])?["dateTime"] == "2026-12-03T08:00:00.0000000")
        #expect(stored["categories"] as? [String] == ["CRM"] && stored["status"] as? String == "inProgress")
        let read = try #require(try await service.read([created.id], in: .tasks).first)
        #expect(read.activityId == "A1" && read.hasCategory && read.version == created.version)
        #expect(read.unkept == [.sensitivity, .percentComplete])
        var held = read.fields
        for field in read.unkept { held.take(field, from: Self.task) }
        #expect(held == Self.task)
        #expect(read.crmLine == "Fabrikam")
        let listed = try await service.changes(in: .tasks, from: nil).flatMap(\.changes)
        #expect(
            listed.count == 1 && listed.first.map { if case .changed(let h) = $0 { h.id } else { "" } } == created.id
        )
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("To Do drops a due date's time; a due at UTC midnight is its date west of Greenwich too; completed is 100 %")
    func dateQuirks() async throws {
        let fixture = try GraphFixture()
        let id = fixture.fake.userCreateTodoTask(
            mailbox: GraphFixture.alice,
            title: "Mine",
            extra: [
                "dueDateTime": ["dateTime": "2026-12-05T17:30:00", "timeZone": "UTC"], "status": "completed",
                "categories": ["CRM"],
            ]
        )
        let ref = try #require(fixture.fake.todoRef(mailbox: GraphFixture.alice, id: id))
        let stored = try #require(fixture.fake.todoTasks(mailbox: GraphFixture.alice).first)
        #expect((stored["dueDateTime"] as? [String: String])?["dateTime"] == "2026-12-05T00:00:00.0000000")
        #expect((stored["completedDateTime"] as? [String: String])?["dateTime"]?.hasSuffix("T00:00:00.0000000") == true)
        for zone in ["Europe/Amsterdam", "America/New_York", "Pacific/Auckland"] {
            let read = try #require(try await fixture.service(zone: zone).read([ref], in: .tasks).first)
            #expect(read.fields.due == "2026-12-05", "\(zone)")
            #expect(
                read.fields.status == "completed" && read.fields.percentComplete == 100 && read.unkept == [.sensitivity]
            )
        }
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("a task moved to another list is removed from its list and listed in the other, a new id with its identity")
    func moveBetweenLists() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        fixture.fake.userCreateTodoList(mailbox: GraphFixture.alice, name: "Customers")
        let created = try await Self.create(service, "A1")
        let cursor = try #require(try await service.changes(in: .tasks, from: nil).last?.cursor)
        let task = try #require(TodoTaskId(created.id))
        let moved = try #require(
            fixture.fake.userMoveTodoTask(mailbox: GraphFixture.alice, id: task.task, toList: "Customers")
        )
        let changes = try await service.changes(in: .tasks, from: cursor).flatMap(\.changes)
        #expect(changes.contains(.removed(created.id)))
        let arrived = changes.compactMap { if case .changed(let header) = $0 { header.id } else { nil } }
        #expect(arrived.count == 1 && arrived.first?.hasSuffix("|" + moved) == true)
        let read = try #require(try await service.read(arrived, in: .tasks).first)
        #expect(read.activityId == "A1" && read.id != created.id)
        #expect(try await service.find(activityIds: ["A1"], in: .tasks).map(\.id) == arrived)
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("flagged e-mail is no task; graph.todo_list names the list new tasks go to (a missing one refuses, named)")
    func lists() async throws {
        let fixture = try GraphFixture()
        fixture.fake.userCreateTodoList(mailbox: GraphFixture.alice, name: "CRM")
        fixture.fake.userCreateTodoTask(mailbox: GraphFixture.alice, list: "Flagged Emails", title: "Re: offer")
        let service = fixture.service(tasks: .todo(list: "CRM"), clock: Self.now)
        #expect(try await service.changes(in: .tasks, from: nil).flatMap(\.changes).isEmpty)
        _ = try await Self.create(service, "A1")
        #expect(fixture.fake.todoTasks(mailbox: GraphFixture.alice, list: "CRM").count == 1)
        #expect(fixture.fake.todoTasks(mailbox: GraphFixture.alice).isEmpty)
        let missing = fixture.service(tasks: .todo(list: "Sales"), clock: Self.now)
        let outcome = try await missing.create(
            [NewItem(activityId: "A2", kind: .task, fields: Self.task, crmLine: nil, invitations: false)],
            in: .tasks
        )
        #expect(outcome == [.refused("no To Do list is named Sales (graph.todo_list)")])
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("updates carry the version (If-Match); a stamp gives a user's task our identity, a release takes it off")
    func updateAndStamp() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1")
        var fields = Self.task
        fields.status = "completed"
        fields.percentComplete = 100
        let update = ItemUpdate(
            id: created.id,
            version: created.version,
            activityId: "A1",
            kind: .task,
            fields: fields,
            changed: [.status, .percentComplete],
            crmLine: nil,
            meetingMail: false
        )
        guard case .done(_, let version) = try await service.update([update]).first else {
            throw GraphTestFailure("update refused")
        }
        #expect(version != created.version)
        #expect(try await service.update([update]) == [.stale])
        #expect(fixture.fake.todoTasks(mailbox: GraphFixture.alice).first?["status"] as? String == "completed")
        let mine = fixture.fake.userCreateTodoTask(mailbox: GraphFixture.alice, title: "Mine")
        let ref = try #require(fixture.fake.todoRef(mailbox: GraphFixture.alice, id: mine))
        let read = try #require(try await service.read([ref], in: .tasks).first)
        #expect(read.activityId == nil)
        let stamped = try await service.stamp([
            IdentityStamp(id: ref, version: read.version, kind: .task, activityId: "A2")
        ])
        #expect(stamped == [.done(id: ref, version: nil)])
        #expect(try await service.find(activityIds: ["A2"], in: .tasks).map(\.id) == [ref])
        #expect(try await service.listOwn(in: .tasks).count == 2)
        let released = try await service.stamp([IdentityStamp(id: ref, version: nil, kind: .task, activityId: nil)])
        #expect(released == [.done(id: ref, version: nil)])
        let after = fixture.fake.todoTasks(mailbox: GraphFixture.alice).first { $0["title"] as? String == "Mine" }
        #expect(
            (after?["extensions"] as? [Any])?.isEmpty == true && (after?["linkedResources"] as? [Any])?.isEmpty == true
        )
        #expect(
            try await service.stamp([IdentityStamp(id: ref, version: "old", kind: .task, activityId: "A3")]) == [.stale]
        )
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("without Tasks.ReadWrite.All To Do answers 403: the listing fails naming the permission and the way out")
    func noPermission() async throws {
        let fixture = try GraphFixture()
        fixture.fake.todoPermission = false
        let service = fixture.service(clock: Self.now)
        await #expect {
            _ = try await service.changes(in: .tasks, from: nil)
        } throws: { error in
            "\(error)".contains("Tasks.ReadWrite.All") && "\(error)".contains("graph.tasks: calendar or none")
        }
        #expect(service.folders == [.calendar, .tasks])
        #expect(fixture.service(tasks: .none).folders == [.calendar])
    }
}

extension GraphTodoTests {
    @Test("the fake refuses what Graph refuses on a task: a property To Do lacks, an extension without its type")
    func strictness() async throws {
        let fixture = try GraphFixture()
        let lists = try await fixture.client.send(
            GraphRequest("GET", "/users/\(GraphFixture.alice)/todo/lists", mailbox: GraphFixture.alice)
        )
        let list = try #require((lists.json?["value"] as? [[String: Any]])?.first?["id"] as? String)
        let path = "/users/\(GraphFixture.alice)/todo/lists/\(GraphRequest.segment(list))/tasks"
        for body in [
            #"{"title":"x","percentComplete":5}"#, #"{"title":"x","sensitivity":"private"}"#,
            #"{"title":"x","extensions":[{"extensionName":"a","ActivityId":"A1"}]}"#,
            #"{"title":"x","status":"done"}"#,
        ] {
            let answer = try await fixture.client.send(
                GraphRequest("POST", path, mailbox: GraphFixture.alice, body: Array(body.utf8))
            )
            #expect(answer.status == 400, "\(body)")
        }
        #expect(fixture.fake.violations.count == 4)
        #expect(fixture.fake.todoTasks(mailbox: GraphFixture.alice).isEmpty)
    }
}

/// A To Do task id as the adapter hands it out (`list|task`).
struct TodoTaskId {
    var list: String
    var task: String
    init?(_ text: String) {
        let parts = text.split(separator: "|").map(String.init)
        guard parts.count == 2 else { return nil }
        (list, task) = (parts[0], parts[1])
    }
}
