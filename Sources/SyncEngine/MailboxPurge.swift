import Foundation

/// What `purge --mailbox M` found and did.
public struct PurgeReport: Sendable, Equatable {
    public var mailbox: String
    /// Items this instance created there (moved to Deleted Items unless a dry run).
    public var created: [String] = []
    /// Items a user made in Outlook and the CRM imported: theirs, so left in place (still stamped, so a
    /// later sync re-links them instead of importing them twice).
    public var imported: [String] = []
    /// Links removed.
    public var unlinked: Int = 0
    /// Items that could not be deleted (the error per item).
    public var failures: [String] = []
}

extension MailboxSync {
    /// Removes every item this instance created in the mailbox's synced folders and unlinks everything:
    /// items are found by the identity property (so also ones the store no longer knows), moved to
    /// Deleted Items (recoverable) without meeting mail, and the bookkeeping of the mailbox is reset. The
    /// caller pauses the mailbox; `resume` then re-creates the CRM's activities as on a first sync.
    public func purge(dryRun: Bool) async throws -> PurgeReport {
        var report = PurgeReport(mailbox: mailbox)
        // Items that came from Outlook: their CRM activity says so (origin `exchange`); the audit log's
        // `create-local` covers activities that are gone since.
        let imported = try store.importedItems(mailbox: mailbox)
        var doomed: [String] = []
        for folder in FolderKind.allCases {
            for item in try await service.listOwn(in: folder) {
                let activity = try item.activityId.flatMap { try store.activity($0) }
                if imported.contains(item.id) || activity?.origin == .exchange {
                    report.imported.append(item.id)
                } else {
                    report.created.append(item.id)
                    doomed.append(item.id)
                }
            }
        }
        let links = try store.links(mailbox: mailbox)
        report.unlinked = links.count
        if dryRun { return report }
        for chunk in doomed.chunks(of: settings.batchSize) {
            let batch = Array(chunk)
            let outcomes = try await service.remove(batch.map { ItemRemoval(id: $0, cancellations: false) })
            var deleted: [String] = []
            for (id, outcome) in zip(batch, outcomes) {
                if outcome.isDone || outcome == .notFound {
                    deleted.append(id)
                } else {
                    report.failures.append("\(id): \(outcome)")
                }
            }
            try store.transaction { tx in
                for id in deleted {
                    try tx.audit(
                        AuditEntry(mailbox: mailbox, itemId: id, action: "purge", reason: "activity-sync purge")
                    )
                }
            }
        }
        let open = try store.openJournal(mailbox: mailbox)
        try store.transaction { tx in
            for entry in open { try tx.markJournal(entry.id, .done, itemId: nil) }
            try Self.unlinkAll(links, mailbox: mailbox, reason: "activity-sync purge", in: tx)
        }
        return report
    }
}
