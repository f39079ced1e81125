/// Fixes the simulator must prove it would miss without: each is switched off only in a build made with its
/// flag (`scripts/simulate-defects`), never in the product. A fixed defect stays fixed only if its class is
/// still found when its fix is taken out.
public enum Defects {
    #if DEFECT_STAMP_JOURNAL_CLOSED
    /// Issue 10 (1): a failed identity stamp closes its journal entry (the item is never read again).
    public static let stampJournalClosed = true
    #else
    public static let stampJournalClosed = false
    #endif
    #if DEFECT_LOCAL_ACTIONS_APART
    /// A pair's local actions land one transaction each (a crash between a re-link and its merge).
    public static let localActionsApart = true
    #else
    public static let localActionsApart = false
    #endif
    #if DEFECT_UNLISTED_LINKS_TRUSTED
    /// Issue 15 (the soak): a link whose item no saved cursor knows is trusted like any other (never read by id).
    public static let unlistedLinksTrusted = true
    #else
    public static let unlistedLinksTrusted = false
    #endif
    #if DEFECT_COPIES_KEPT
    /// Issue 10 (5b): two items carrying one identity are not told apart (the link flips between them).
    public static let copiesKept = true
    #else
    public static let copiesKept = false
    #endif
}
