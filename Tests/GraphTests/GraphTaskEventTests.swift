import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
import SyncEngine
import SyncPlanning
import Testing

/// `graph.tasks: calendar` over HTTP against the fake Graph: a task is an all-day event on its due date, marked as
/// a task, its status in our line; the event's day comes back as the due date; the calendar folder never sees it.
@Suite("Graph: tasks kept as calendar events (graph.tasks: calendar)")
struct GraphTaskEventTests {
    static let now: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_796_000_000) }  // 2026-11-30
    static let task = GraphTodoTests.task

    @Test("a task is an all-day free event on its due date, marked; read back in the tasks folder only")
    func createRead() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(tasks: .calendar, clock: Self.now)
        let created = try await GraphTodoTests.create(service, "A1")
        let event = try #require(fixture.fake.events(mailbox: GraphFixture.alice).first)
        #expect(event["isAllDay"] as? Bool == true && event["showAs"] as? String == "free")
        #expect((event["start"] as? [String: String])?["dateTime"] == "2026-12-02T23:00:00.0000000")  // Amsterdam
        #expect(
            ((event["body"] as? [String: Any])?["content"] as? String)
                == "Prefers mornings\nCRM: Fabrikam · Task: in progress, 50 %"
        )
        let kind = (event["singleValueExtendedProperties"] as? [[String: String]] ?? []).first {
            $0["id"]?.hasSuffix("Name ActivityKind") == true
        }
        #expect(kind?["value"] == "task")
        let read = try #require(try await service.read([created.id], in: .tasks).first)
        #expect(read.kind == .task && read.folder == .tasks && read.activityId == "A1" && read.crmLine == "Fabrikam")
        #expect(read.unkept == [.status, .percentComplete, .reminderDueBy])
        var held = read.fields
        for field in read.unkept { held.take(field, from: Self.task) }
        #expect(held == Self.task)
        #expect(try await service.read([created.id], in: .calendar).isEmpty)
        #expect(try await service.find(activityIds: ["A1"], in: .calendar).isEmpty)
        #expect(try await service.find(activityIds: ["A1"], in: .tasks).map(\.id) == [created.id])
        #expect(try await service.listOwn(in: .calendar).isEmpty)
        #expect(try await service.listOwn(in: .tasks).count == 1)
        #expect(fixture.fake.violations.isEmpty && fixture.fake.meetingMail.isEmpty)
    }

    @Test("moving the event to another day moves the due date; a CRM status change rewrites our line only")
    func bothWays() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(tasks: .calendar, clock: Self.now)
        let created = try await GraphTodoTests.create(service, "A1")
        let start = Date(timeIntervalSince1970: 1_796_857_200)  // 2026-12-09T23:00Z: Dec 10 in Amsterdam
        fixture.fake.userUpdateEvent(mailbox: GraphFixture.alice, id: created.id, start: start, end: start + 86_400)
        let moved = try #require(try await service.read([created.id], in: .tasks).first)
        #expect(moved.fields.due == "2026-12-10")
        var fields = Self.task
        fields.status = "completed"
        fields.percentComplete = 100
        let outcome = try await service.update([
            ItemUpdate(
                id: created.id,
                version: moved.version,
                activityId: "A1",
                kind: .task,
                fields: fields,
                changed: [.status, .percentComplete],
                crmLine: "Fabrikam",
                meetingMail: false
            )
        ])
        #expect(outcome.first?.isDone == true)
        let event = try #require(fixture.fake.events(mailbox: GraphFixture.alice).first)
        #expect(((event["body"] as? [String: Any])?["content"] as? String)?.hasSuffix("Task: completed") == true)
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("a task without a due date has no day: refused, named; the others are created")
    func noDueDate() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(tasks: .calendar, clock: Self.now)
        var undated = Self.task
        undated.due = nil
        undated.reminderDueBy = nil
        let outcomes = try await service.create(
            [
                NewItem(activityId: "A1", kind: .task, fields: undated, crmLine: nil, invitations: false),
                NewItem(activityId: "A2", kind: .task, fields: Self.task, crmLine: nil, invitations: false),
            ],
            in: .tasks
        )
        #expect(
            outcomes.first
                == .refused(
                    "a task without a due date has no day in the calendar (graph.tasks: calendar): give it one in the CRM"
                )
        )
        #expect(outcomes.last?.isDone == true)
        #expect(fixture.fake.events(mailbox: GraphFixture.alice).count == 1)
    }
}
