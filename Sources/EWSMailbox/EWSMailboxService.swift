import ActivityModel
import EWS
import Foundation
import SyncEngine
import SyncPlanning

/// The sync engine's `MailboxService` over EWS: SyncFolderItems for changes, GetItem for reads, FindItem
/// (ids and identity only: Exchange refuses bodies and recipient lists there) for lookups, and
/// Create/Update/DeleteItem for writes, with `ItemMapping` between synced values and items.
public struct EWSMailboxService: MailboxService {
    public let client: EWSClient
    public let address: String
    public let mapping: ItemMapping
    /// When the service speaks for the engine (the throttle's "until" is counted from it).
    let clock: @Sendable () -> Date
    /// SyncFolderItems pages per folder per pass: past it, the next pass goes on.
    public var maxPages = 200
    /// Changes per SyncFolderItems page (Exchange's maximum is 512).
    public var pageChanges = 512

    public init(
        client: EWSClient,
        mailbox: String,
        mapping: ItemMapping,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.address = mailbox
        self.mapping = mapping
        self.clock = clock
    }

    /// SyncFolderItems lists a whole folder.
    public var listsWholeFolders: Bool { true }
    /// Tasks are synced (false: the folder is not served, and what lives there is left alone — `SyncUnservedFolderTests`).
    public var servesTasks = true
    public var folders: [FolderKind] { servesTasks ? FolderKind.allCases : [.calendar] }

    /// A task id with a `|` is a To Do task's (`list|task`, handed out over Graph); an ItemId is base64 and has none.
    public func recognises(itemId: String, in folder: FolderKind) -> Bool {
        folder == .calendar || !itemId.contains("|")
    }

    static func folder(_ folder: FolderKind) -> EWSFolder { folder == .tasks ? .tasks : .calendar }

    /// Ids and identity: enough to recognise echoes and moves without reading every item.
    static let headerShape = EWSItemShape(
        fields: [.dateTimeCreated],
        extendedProperties: [ItemMapping.activityId, ItemMapping.instanceId]
    )

    var timeZoneId: String? { WindowsTimeZone.id(forIANA: mapping.zone.identifier) }

    // MARK: - Reads

    public func changes(in folder: FolderKind, from cursor: String?) async throws -> [ChangePage] {
        var pages: [ChangePage] = []
        do {
            let complete = try await client.syncFolder(
                Self.folder(folder),
                mailbox: address,
                from: cursor,
                shape: Self.headerShape,
                maxChanges: pageChanges,
                maxPages: maxPages
            ) { page in
                pages.append(ChangePage(changes: page.changes.compactMap(change), cursor: page.syncState))
            }
            if !complete, !pages.isEmpty { pages[pages.count - 1].more = true }
        } catch let error as EWSError where error.responseCode == "ErrorInvalidSyncStateData" {
            throw CursorExpired(error.description)
        }
        return pages
    }

    func change(_ change: EWSSyncChange) -> RemoteChange? {
        switch change {
        case .created(let item), .updated(let item):
            guard let id = item.itemId else { return nil }
            return .changed(header(item, id))
        case .deleted(let id): return .removed(id.id)
        case .readFlagChanged: return nil
        }
    }

    func header(_ item: EWSItem, _ id: EWSItemId) -> RemoteHeader {
        RemoteHeader(
            id: id.id,
            version: id.changeKey,
            activityId: mapping.identity(of: item),
            created: item.dateTimeCreated.map(CRMTime.format) ?? ""
        )
    }

    /// GetItem takes ten items a request: full items are large, and a failure costs little.
    static let readBatch = 10

    public func read(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        var found: [RemoteItem] = []
        for start in stride(from: 0, to: ids.count, by: Self.readBatch) {
            found += try await readBatch(Array(ids[start..<min(start + Self.readBatch, ids.count)]), in: folder)
        }
        return found
    }

    func readBatch(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        let kind = folder.itemKind
        var found: [RemoteItem] = []
        var otherKind: [EWSItemId] = []
        let shape = ItemMapping.shape(for: kind)
        for result in try await client.getItems(ids.map { EWSItemId(id: $0) }, mailbox: address, shape: shape) {
            // A gone item is left out; its removal shows in the next changes.
            guard case .success(let item) = result, let id = item.itemId else { continue }
            // A task moved into the calendar (or back) keeps its class: read it again with its own shape.
            if (item.kind == .task) != (kind == .task) {
                otherKind.append(id)
            } else {
                found.append(remote(item, id, folder: folder))
            }
        }
        let other: ItemKind = kind == .task ? .calendarItem : .task
        for result in try await client.getItems(otherKind, mailbox: address, shape: ItemMapping.shape(for: other)) {
            if case .success(let item) = result, let id = item.itemId { found.append(remote(item, id, folder: folder)) }
        }
        return found
    }

    func remote(_ item: EWSItem, _ id: EWSItemId, folder: FolderKind) -> RemoteItem {
        let kind: ItemKind = item.kind == .task ? .task : .calendarItem
        let ours = mapping.crmLine(of: item)
        return RemoteItem(
            id: id.id,
            version: id.changeKey,
            kind: kind,
            folder: folder,
            fields: mapping.fields(of: item, carrying: nil),
            // Exchange keeps no status for calendar items: the engine carries the base's.
            unkept: kind == .calendarItem ? [.status] : [],
            activityId: mapping.identity(of: item),
            otherInstance: mapping.belongsToOtherInstance(item),
            hasCategory: mapping.hasCategory(item),
            isRecurring: item.isRecurring == true || item.calendarItemType == "RecurringMaster",
            lastModified: item.lastModifiedTime.map(CRMTime.format) ?? "",
            created: item.dateTimeCreated.map(CRMTime.format) ?? "",
            responses: ItemMapping.responses(of: item),
            unstrippedInformation: ours?.unstripped,
            misaligned: mapping.misaligned(item),
            crmLine: ours?.line
        )
    }

    public func find(activityIds: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        guard !activityIds.isEmpty else { return [] }
        let headers = try await client.findItems(
            in: Self.folder(folder),
            mailbox: address,
            restriction: .or(activityIds.map { .isEqualTo(ItemMapping.activityId, $0) }),
            shape: Self.headerShape
        )
        return try await read(
            headers.filter { mapping.identity(of: $0) != nil }.compactMap { $0.itemId?.id },
            in: folder
        )
    }

    public func listOwn(in folder: FolderKind) async throws -> [RemoteHeader] {
        try await client.findItems(
            in: Self.folder(folder),
            mailbox: address,
            restriction: .isEqualTo(ItemMapping.instanceId, mapping.instance),
            shape: Self.headerShape
        ).compactMap { item in item.itemId.map { header(item, $0) } }
    }
}
