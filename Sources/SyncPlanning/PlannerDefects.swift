/// Planner fixes the simulator must prove it would miss without (see `Defects` in SyncEngine): switched off
/// only in a build made with the flag, by `scripts/simulate-defects`.
public enum PlannerDefects {
    #if DEFECT_RESTORE_DELETED_AGAIN
    /// Issue 10 (5a): an item the user restores after its activity was deleted is deleted again.
    public static let restoreDeletedAgain = true
    #else
    public static let restoreDeletedAgain = false
    #endif
    #if DEFECT_NO_CARRY_OVER
    /// Issue 10 (5c): an item leaving its mailbox (new owner, synchronize off) drops its unsynced edits.
    public static let noCarryOver = true
    #else
    public static let noCarryOver = false
    #endif
}
