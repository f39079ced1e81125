import SyncPlanning

/// Users' copies judged so by any mailbox's pass whose release (taking our identity off) has not landed yet.
/// A copy stays a copy while its release is pending, even after an Outlook move gave it a new ItemId: it is
/// known again by the identity it carries and its DateTimeCreated, which a move keeps and a copy gets anew.
struct PendingReleases {
    /// "mailbox|item", mailbox lower-cased (journal mailboxes match case-insensitively).
    private var items: Set<String> = []
    /// "mailbox|activity|created".
    private var made: Set<String> = []

    mutating func add(_ entry: JournalEntry) {
        let mailbox = entry.mailbox.lowercased()
        if let item = entry.itemId { items.insert("\(mailbox)|\(item)") }
        if let activity = entry.activityId, let created = entry.releasedCreated {
            made.insert("\(mailbox)|\(activity)|\(created)")
        }
    }

    /// Whether this item, carrying the activity's identity in that mailbox, is a copy awaiting its release.
    func contains(_ item: RemoteItem, carrying activity: String, in mailbox: String) -> Bool {
        let mailbox = mailbox.lowercased()
        return items.contains("\(mailbox)|\(item.id)")
            || (!item.created.isEmpty && made.contains("\(mailbox)|\(activity)|\(item.created)"))
    }
}
