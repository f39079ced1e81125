import ActivityModel
import EWS
import EWSMailbox
import Foundation
import SyncPlanning
import Testing

/// Issue 12's property tests: over every zone with DST the system accepts (aliases included) and every
/// transition day of 2026–2030 with the days next to it, CRM → Exchange → CRM is the identity for all-day and
/// timed appointments, task due dates and reminders, and an all-day item Outlook makes on such a day imports
/// with the days the user saw. The times of day and reminders are drawn from a fixed seed
/// (`ACTIVITY_SYNC_PROPERTY_SEED`, `ACTIVITY_SYNC_PROPERTY_DRAWS` per day for more).
@Suite("mapping properties on every DST transition day of 2026–2030")
struct MappingPropertyTests {
    /// SplitMix64: small, seedable, the same on every machine.
    struct Draws {
        var state: UInt64
        mutating func next(_ below: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(below))
        }
    }

    static let environment = ProcessInfo.processInfo.environment
    static let seed = UInt64(environment["ACTIVITY_SYNC_PROPERTY_SEED"] ?? "") ?? 12_026
    static let draws = Int(environment["ACTIVITY_SYNC_PROPERTY_DRAWS"] ?? "") ?? 2

    /// Every mappable zone name with a DST transition in 2026–2030, and the local dates of those transitions.
    static func transitionDays() -> [(zone: TimeZone, dates: [String])] {
        let names = Set(TimeZone.knownTimeZoneIdentifiers).union(WindowsTimeZone.links.keys)
        let from = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        let to = Date(timeIntervalSince1970: 1_924_992_000)  // 2031-01-01
        return names.sorted().compactMap { name in
            guard WindowsTimeZone.problem(with: name) == nil, let zone = TimeZone(identifier: name) else { return nil }
            var dates: [String] = []
            var cursor = from
            while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < to {
                dates.append(SyncFields.date(of: CRMTime.format(next), in: zone)!)
                cursor = next
            }
            return dates.isEmpty ? nil : (zone, dates)
        }
    }

    static func day(_ date: String, plus days: Int, in zone: TimeZone) -> String {
        SyncFields.date(of: CRMTime.format(SyncFields.startOfDay(date, zone: zone, plusDays: days)!), in: zone)!
    }

    @Test("CRM → Exchange → CRM is the identity; Outlook's all-day items keep their days")
    func roundTrips() {
        let zones = Self.transitionDays()
        #expect(zones.count > 100)
        var draws = Draws(state: Self.seed)
        var checked = 0
        for (zone, transitions) in zones {
            let mapping = ItemMapping(instance: "prod", category: "CRM", zone: zone)
            let days = Set(transitions.flatMap { d in (-1...1).map { Self.day(d, plus: $0, in: zone) } })
            for day in days.sorted() {
                let start = SyncFields.startOfDay(day, zone: zone)!
                let next = SyncFields.startOfDay(day, zone: zone, plusDays: 1)!
                let dayMinutes = Int(next.timeIntervalSince(start) / 60)
                let context = "\(zone.identifier) \(day)"

                // All-day, one day and two: Exchange gets the day's first instant to the next day's.
                for last in [day, Self.day(day, plus: 1, in: zone)] {
                    var a = Activity(id: "A1", type: .appointment, subject: "s", owner: "E1")
                    (a.start, a.end, a.allDay) = (day, last, true)
                    let fields = SyncFields(activity: a, zone: zone)
                    let item = mapping.item(kind: .calendarItem, activityId: "A1", fields: fields, crmLine: nil)
                    #expect(item.start == start, "\(context)")
                    #expect(item.end == SyncFields.startOfDay(last, zone: zone, plusDays: 1), "\(context)")
                    #expect(mapping.fields(of: item, carrying: fields) == fields, "\(context)")
                    checked += 1
                }
                // An all-day item Outlook made on the day.
                var outlook = EWSItem(kind: .calendarItem)
                (outlook.isAllDayEvent, outlook.start, outlook.end) = (true, start, next)
                let read = mapping.fields(of: outlook, carrying: nil)
                #expect(read.start == day && read.end == day, "\(context)")

                for _ in 0..<Self.draws {
                    // A timed appointment starting at any minute of the day.
                    let at = start.addingTimeInterval(Double(draws.next(dayMinutes)) * 60)
                    var a = Activity(id: "A1", type: .appointment, subject: "s", owner: "E1")
                    (a.start, a.end) = (CRMTime.format(at), CRMTime.format(at.addingTimeInterval(1800)))
                    let timed = SyncFields(activity: a, zone: zone)
                    let timedItem = mapping.item(kind: .calendarItem, activityId: "A1", fields: timed, crmLine: nil)
                    #expect(mapping.fields(of: timedItem, carrying: timed) == timed, "\(context)")

                    // A task due at any minute of the day, with or without a reminder up to two days before.
                    var task = Activity(id: "T1", type: .task, subject: "s", owner: "E1")
                    task.due = CRMTime.format(start.addingTimeInterval(Double(draws.next(dayMinutes)) * 60))
                    task.reminderMinutes = draws.next(4) == 0 ? nil : draws.next(2 * 1440)
                    let fields = SyncFields(activity: task, zone: zone)
                    #expect(fields.due == day, "\(context)")
                    let item = mapping.item(kind: .task, activityId: "T1", fields: fields, crmLine: nil)
                    if let minutes = task.reminderMinutes, let due = CRMTime.parse(task.due!).value?.instant {
                        #expect(item.reminderDueBy == due.addingTimeInterval(-Double(minutes) * 60), "\(context)")
                    }
                    let back = mapping.fields(of: item, carrying: fields)
                    #expect(back == fields, "\(context) \(task.due!) \(String(describing: task.reminderMinutes))")
                    var applied = task
                    back.apply(to: &applied, zone: zone)
                    #expect(applied.due == task.due && applied.reminderMinutes == task.reminderMinutes, "\(context)")
                    checked += 3
                }
            }
        }
        #expect(checked > 10_000)
        print("mapping properties: \(zones.count) zones, \(checked) round trips (seed \(Self.seed))")
    }
}

extension Result {
    fileprivate var value: Success? { try? get() }
}
