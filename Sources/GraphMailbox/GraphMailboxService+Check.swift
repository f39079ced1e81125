import EWS
import EWSMailbox
import Foundation
import Graph

/// What `activity-sync check` found for a mailbox on Graph.
public struct GraphAccessCheck: Sendable {
    /// The token endpoint and Graph answered (`ok`; `failed`: network, TLS, a URL that is no Graph).
    public var endpoint = "-"
    /// A token for the app (`ok`, `failed`).
    public var authentication = "-"
    /// The app may open the mailbox's calendar (`ok`, `denied`: RBAC for Applications or an access policy
    /// leaves it out; `no such mailbox`).
    public var access = "-"
    /// The primary calendar, and Microsoft To Do under `graph.tasks: todo` (`ok`; `To Do denied`: the app lacks
    /// `Tasks.ReadWrite.All`).
    public var folders = "-"
    /// The identity property: `readable` (read-only check), `ok` (a probe written, read back and deleted).
    public var extendedProperty = "-"
    public var error: String?

    public var ok: Bool {
        endpoint == "ok" && authentication == "ok" && access == "ok" && folders == "ok"
            && ["ok", "readable"].contains(extendedProperty)
    }
}

extension GraphMailboxService {
    /// Proves the app can reach the mailbox: read-only, unless `write` (then one probe event outside the sync
    /// window is created with the identity properties, read back and deleted — into Deleted Items).
    public func checkAccess(write: Bool) async -> GraphAccessCheck {
        var result = GraphAccessCheck()
        do {
            _ = try await client.token()
            result.authentication = "ok"
            let calendar = try await client.send(get("\(user)/calendar?$select=id"))
            result.endpoint = "ok"
            switch (calendar.status, calendar.errorCode) {
            case (200, _): result.access = "ok"
            case (403, _), (_, "ErrorAccessDenied"):
                result.access = "denied"
                result.error = calendar.error(.authentication, "the app may not open this mailbox").description
                return result
            case (404, _):
                result.access = "no such mailbox"
                result.error = calendar.error(.http, "mailbox not found").description
                return result
            default:
                result.access = "failed"
                result.error = calendar.error(.http, "calendar refused").description
                return result
            }
            if servesTodo {
                let lists = try await client.send(get(todo))
                guard lists.status == 200 else {
                    result.folders = lists.status == 403 ? "To Do denied" : "To Do failed"
                    result.error =
                        lists.error(
                            .authentication,
                            "Microsoft To Do refused the app: grant Tasks.ReadWrite.All (it cannot be limited to some "
                                + "mailboxes), or set graph.tasks: calendar or none"
                        ).description
                    return result
                }
            }
            result.folders = "ok"
            let read = try await client.send(
                get("\(events)?$top=1&$select=id&$expand=\(Self.query(GraphEvent.expandIdentity))")
            )
            guard read.status == 200 else {
                result.extendedProperty = "failed"
                result.error = read.error(.http, "reading the identity property refused").description
                return result
            }
            result.extendedProperty = "readable"
            guard write else { return result }
            result.extendedProperty = try await probe()
        } catch let error as EWSError {
            if result.endpoint == "-" { result.endpoint = error.reachedService ? "ok" : "failed" }
            if error.kind == .authentication { result.authentication = "failed" }
            result.error = error.description
        } catch {
            result.error = "\(error)"
        }
        return result
    }

    /// One event outside the window with the identity properties: created, read back, deleted.
    func probe() async throws -> String {
        let start = clock().addingTimeInterval(Double(window.futureDays + 60) * 86_400)
        var item = EWSItem(kind: .calendarItem)
        item.subject = "activity-sync access check (deleted at once)"
        item.start = start
        item.end = start.addingTimeInterval(900)
        item.startTimeZone = "UTC"
        item.legacyFreeBusyStatus = .free
        item.extendedProperties = [ItemMapping.activityId: "check", ItemMapping.instanceId: mapping.instance]
        var json = GraphEvent.json(item, zone: mapping.zone, attendees: false)
        json["isReminderOn"] = false
        let created = try await client.send(GraphRequest("POST", events, mailbox: address, body: try Self.body(json)))
        guard created.status == 201, let id = created.json?["id"] as? String else {
            throw created.error(.item, "the probe event was refused")
        }
        let back = try await client.send(readRequest(id))
        let carried = back.json.flatMap(GraphEvent.item).map { mapping.identity(of: $0) } ?? nil
        let deleted = try await client.send(
            GraphRequest("DELETE", "\(events)/\(GraphRequest.segment(id))", mailbox: address)
        )
        guard carried == "check" else { throw back.error(.item, "the probe event did not keep the identity property") }
        guard deleted.status == 204 else { throw deleted.error(.item, "the probe event could not be deleted") }
        return "ok"
    }
}
