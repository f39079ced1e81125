import ActivityModel
import Foundation
import SyncPlanning

/// How an activity is compared with its item: in its mailbox owner's zone, each in the form its item keeps — a
/// call in the tasks folder (`sync.calls_as: task`) as the task it is kept in (`SyncFields(call:zone:)`).
public struct ComparedForm: Sendable {
    public var zone: TimeZone
    public var callsAsTasks: Bool

    public init(zone: TimeZone, callsAsTasks: Bool) {
        self.zone = zone
        self.callsAsTasks = callsAsTasks
    }

    /// The item class and folder an activity lives in (SPEC §2; `sync.calls_as`).
    public func kind(of activity: Activity) -> ItemKind {
        activity.type == .task || (activity.type == .call && callsAsTasks) ? .task : .calendarItem
    }

    /// The activity's values in the form its item keeps.
    public func fields(of activity: Activity) -> SyncFields {
        SyncFields(activity: activity, zone: zone, kind: kind(of: activity))
    }

    /// Writes an item's values into the activity.
    public func apply(_ fields: SyncFields, to activity: inout Activity) {
        fields.apply(to: &activity, zone: zone, kind: kind(of: activity))
    }
}
