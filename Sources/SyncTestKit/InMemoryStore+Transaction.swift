import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning

extension InMemoryStore {
    /// One transaction: a private copy of the state, committed by the store when the body returns.
    final class Transaction: SyncStoreTransaction {
        var state: State
        let now: String

        init(state: State, now: String) {
            self.state = state
            self.now = now
        }

        func activity(_ id: String) throws -> Activity? { state.activities[id] }
        func link(activityId: String) throws -> SyncLink? { state.links[activityId] }
        /// One item, one link (SQLite's unique index on mailbox and item).
        func saveLink(_ link: SyncLink) throws {
            if let other = state.links.values.first(where: {
                $0.activityId != link.activityId && $0.itemId == link.itemId
                    && $0.mailbox.lowercased() == link.mailbox.lowercased()
            }) {
                throw LinkTaken(itemId: link.itemId, activityId: other.activityId)
            }
            // (`listed` is the store's: kept while the item stays the same, false for a new one — as SQLite does.)
            var saved = link
            let previous = state.links[link.activityId]
            let sameItem =
                previous.map { $0.itemId == link.itemId && $0.mailbox.lowercased() == link.mailbox.lowercased() }
                ?? false
            saved.listed = sameItem && previous?.listed == true
            state.links[link.activityId] = saved
        }
        func removeLink(activityId: String) throws { state.links[activityId] = nil }
        func markListed(mailbox: String, itemIds: Set<String>) throws {
            for (activity, link) in state.links
            where link.mailbox.lowercased() == mailbox.lowercased() && itemIds.contains(link.itemId) {
                state.links[activity]?.listed = true
            }
        }

        func noteLinkCreated(activityId: String, itemId: String, created: String) throws {
            guard let link = state.links[activityId], link.itemId == itemId, link.created == nil else { return }
            state.links[activityId]?.created = created
        }

        func saveCursor(mailbox: String, folder: FolderKind, cursor: String?) throws {
            state.cursors[InMemoryStore.cursorKey(mailbox, folder)] = cursor
        }

        func journal(
            pass: String,
            mailbox: String,
            activityId: String?,
            itemId: String?,
            action: String,
            payload: String?
        ) throws -> Int64 {
            let id = Int64(state.journal.count + 1)
            state.journal.append(
                JournalEntry(
                    id: id,
                    pass: pass,
                    mailbox: mailbox,
                    activityId: activityId,
                    action: action,
                    itemId: itemId,
                    state: .intended,
                    payload: payload
                )
            )
            return id
        }

        func markJournal(_ id: Int64, _ newState: JournalEntry.State, itemId: String?) throws {
            guard let index = state.journal.firstIndex(where: { $0.id == id }) else { return }
            state.journal[index].state = newState
            if let itemId { state.journal[index].itemId = itemId }
        }

        func rejournal(_ id: Int64, payload: String) throws {
            guard let index = state.journal.firstIndex(where: { $0.id == id }) else { return }
            state.journal[index].payload = payload
        }

        func recordConflict(_ conflict: SyncConflict, mailbox: String) throws {
            state.conflicts.append((conflict, mailbox))
        }

        func audit(_ entry: AuditEntry) throws {
            var entry = entry
            entry.at = now
            state.audit.append(entry)
        }

        @discardableResult
        func writeActivity(_ activity: Activity) throws -> Activity {
            try write(activity, origin: "sync")
        }

        func addActivity(_ activity: Activity) throws -> Activity {
            var new = activity
            if new.id.isEmpty {
                while state.activities["A\(state.nextActivity)"] != nil { state.nextActivity += 1 }
                new.id = "A\(state.nextActivity)"
            }
            return try writeActivity(new)
        }

        func reserveActivityId() throws -> String {
            while state.activities["A\(state.nextActivity)"] != nil { state.nextActivity += 1 }
            defer { state.nextActivity += 1 }
            return "A\(state.nextActivity)"
        }

        func contacts(withEmail email: String) throws -> [Contact] {
            state.contacts.values.filter { $0.email?.lowercased() == email.lowercased() }.sorted { $0.id < $1.id }
        }

        /// Validates and writes with the next change number; a write that changes nothing takes none.
        func write(_ activity: Activity, origin: String) throws -> Activity {
            let previous = state.activities[activity.id]
            if let previous, previous.content == activity.content { return previous }
            var valid: Activity
            switch ActivityRules.validated(activity, previous: previous, references: References(state: state)) {
            case .success(let checked): valid = checked
            case .failure(let error): throw RecordRefused("\(error)")
            }
            state.changeSeq += 1
            valid.changeSeq = state.changeSeq
            valid.createdAt = previous?.createdAt ?? now
            valid.updatedAt = now
            state.activities[valid.id] = valid
            state.origins[valid.id] = origin
            return valid
        }
    }

    /// The CRM's records, for the rules' reference checks.
    struct References: CRMReferences {
        let state: State
        func employee(_ id: String) -> Employee? { state.employees[id] }
        func partner(_ id: String) -> BusinessPartner? { state.partners[id] }
        func contact(_ id: String) -> Contact? { state.contacts[id] }
        func opportunity(_ id: String) -> Opportunity? { state.opportunities[id] }
        func activity(_ id: String) -> Activity? { state.activities[id] }
        func template(_ id: String) -> ActivityTemplate? { nil }
        func contacts(withEmail email: String) -> [Contact] {
            state.contacts.values.filter { $0.email?.lowercased() == email.lowercased() }
        }
    }
}

/// A link to an item another activity is linked to (the SQLite store refuses it by its unique index).
public struct LinkTaken: Error, CustomStringConvertible {
    public var itemId: String
    public var activityId: String
    public var description: String { "UNIQUE constraint failed: item \(itemId) is linked to \(activityId)" }
}
