import Foundation
import SyncEngine
import SyncTestKit

/// The in-memory mailbox as a pass sees it through a faulty network and a daemon that may die: each
/// request is a step of the pass's `SimPassContext`, which decides its fault or crash.
struct SimMailbox: MailboxService {
    let inner: InMemoryMailbox
    let context: SimPassContext

    var address: String { inner.address }

    func changes(in folder: FolderKind, from cursor: String?) async throws -> [ChangePage] {
        try await readRequest("changes", ids: []) { try await inner.changes(in: folder, from: cursor) }
    }

    func read(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        guard !ids.isEmpty else { return [] }
        return try await readRequest("read", ids: ids) { try await inner.read(ids, in: folder) }
    }

    func find(activityIds: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        try await readRequest("find", ids: []) { try await inner.find(activityIds: activityIds, in: folder) }
    }

    var listsWholeFolders: Bool { inner.listsWholeFolders }
    var folders: [FolderKind] { inner.folders }
    func recognises(itemId: String, in folder: FolderKind) -> Bool { inner.recognises(itemId: itemId, in: folder) }

    func listOwn(in folder: FolderKind) async throws -> [RemoteHeader] {
        try await readRequest("list-own", ids: []) { try await inner.listOwn(in: folder) }
    }

    func create(_ items: [NewItem], in folder: FolderKind) async throws -> [WriteOutcome] {
        try await writeRequest("create", items, id: \.noItem) { try await inner.create($0, in: folder) }
    }

    func update(_ updates: [ItemUpdate]) async throws -> [WriteOutcome] {
        try await writeRequest("update", updates, id: \.id) { try await inner.update($0) }
    }

    func remove(_ removals: [ItemRemoval]) async throws -> [WriteOutcome] {
        try await writeRequest("remove", removals, id: \.id) { try await inner.remove($0) }
    }

    func stamp(_ stamps: [IdentityStamp]) async throws -> [WriteOutcome] {
        try await writeRequest("stamp", stamps, id: \.id) { try await inner.stamp($0) }
    }

    // MARK: - Faults

    /// A read fails as a whole on a transport fault or a busy server; a user's race happens before it.
    private func readRequest<T>(_ operation: String, ids: [String], _ body: () async throws -> T) async throws -> T {
        let (fault, step) = try context.request(operation, mailbox: address)
        if let fault {
            switch fault.kind {
            case .notApplied, .answerLost: throw SimRequestFailed(description: "\(operation): HTTP 500")
            case .serverBusy, .inBandBusy:
                context.throttle.set(address, backOff(fault))
                throw SimRequestFailed(description: "\(operation): ErrorServerBusy")
            case .staleVersion, .goneMeanwhile, .editRace:
                if let id = ids.first { context.race(fault, operation, address, id) }
            }
        }
        let result = try await body()
        try context.answered(operation, step: step)
        return result
    }

    /// A write answers per item: not applied (HTTP 500), busy (as a whole, or in the answer after the first
    /// half was applied), applied with the answer lost, or applied after a user's race on its first item.
    private func writeRequest<Request>(
        _ operation: String,
        _ requests: [Request],
        id: (Request) -> String?,
        _ send: ([Request]) async throws -> [WriteOutcome]
    ) async throws -> [WriteOutcome] {
        let (fault, step) = try context.request(operation, mailbox: address)
        var outcomes: [WriteOutcome]
        switch fault?.kind {
        case nil:
            outcomes = try await send(requests)
        case .notApplied?:
            outcomes = requests.map { _ in .transient("HTTP 500") }
        case .serverBusy?:
            let until = backOff(fault!)
            context.throttle.set(address, until)
            outcomes = requests.map { _ in .throttled(until: until) }
        case .inBandBusy?:
            let until = backOff(fault!)
            let applied = requests.count / 2
            outcomes = try await send(Array(requests.prefix(applied)))
            outcomes += requests.dropFirst(applied).map { _ in .throttled(until: until) }
            context.throttle.set(address, until)
        case .answerLost?:
            outcomes = try await send(requests).map { _ in .ambiguous }
        case .staleVersion?, .goneMeanwhile?, .editRace?:
            if let first = requests.first.flatMap(id) { context.race(fault!, operation, address, first) }
            outcomes = try await send(requests)
        }
        try context.answered(operation, step: step)
        return outcomes
    }

    private func backOff(_ fault: SimFault) -> Date {
        context.clock().addingTimeInterval(Double(1 + fault.value % 60))
    }
}

extension NewItem {
    /// A create names no item yet (a race has nothing to act on).
    var noItem: String? { nil }
}
