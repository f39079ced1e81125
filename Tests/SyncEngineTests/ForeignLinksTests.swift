import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning
import Testing

/// The pure rule that finds links made over another backend (`ForeignLinks.match`).
@Suite("sync: links made over another backend are found by identity, else by their values one to one")
struct ForeignLinksTests {
    static func link(_ id: String, _ subject: String, due: String? = "2026-12-04") -> SyncLink {
        SyncLink(
            activityId: id,
            mailbox: "alice@contoso.test",
            folder: .tasks,
            itemId: "old-\(id)",
            changeKey: nil,
            base: SyncFields(subject: subject, status: "not_started", percentComplete: 0, due: due),
            syncedSeq: 1
        )
    }

    static func item(
        _ id: String,
        _ subject: String,
        due: String? = "2026-12-04",
        identity: String? = nil
    ) -> RemoteItem {
        RemoteItem(
            id: id,
            version: "v",
            kind: .task,
            folder: .tasks,
            fields: SyncFields(subject: subject, status: "not_started", percentComplete: 0, due: due),
            activityId: identity
        )
    }

    @Test("identity first; then subject and due date among unclaimed items, only where one link meets one item")
    func rule() {
        let links = [
            Self.link("A1", "Call back"), Self.link("A2", "Offer"), Self.link("A3", "Twice"), Self.link("A4", "Twice"),
            Self.link("A5", "Same"), Self.link("A6", "Renamed"), Self.link("A7", "Dated", due: "2026-12-05"),
        ]
        let items = [
            Self.item("i1", "Something else", identity: "A1"), Self.item("i2", "Offer"), Self.item("i3", "Twice"),
            Self.item("i5a", "Same"), Self.item("i5b", "Same"), Self.item("i6", "Renamed in Outlook"),
            Self.item("i7", "Dated", due: "2026-12-06"), Self.item("i8", "Call back"),
        ]
        let found = ForeignLinks.match(links, in: items)
        #expect(found["A1"] == .identity(items[0]))
        #expect(found["A2"] == .values(items[1]))
        // Two links of one key, two items of one key, a renamed item, another day: held.
        for held in ["A3", "A4", "A5", "A6", "A7"] { #expect(found[held] == nil, "\(held)") }
        #expect(found.count == 2)
    }

    @Test("an item another instance claims, or a recurring series, is never taken")
    func others() {
        var other = Self.item("i1", "Call back")
        other.otherInstance = true
        var series = Self.item("i2", "Offer")
        series.isRecurring = true
        #expect(
            ForeignLinks.match([Self.link("A1", "Call back"), Self.link("A2", "Offer")], in: [other, series]).isEmpty
        )
    }
}
