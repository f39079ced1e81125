import ActivityModel
import Foundation
import Testing

@Suite("IANA → Windows time zones (CLDR windowsZones)")
struct WindowsTimeZoneTests {
    @Test(
        "common zones map to the ids Exchange knows",
        arguments: [
            ("Europe/Amsterdam", "W. Europe Standard Time"), ("Europe/Berlin", "W. Europe Standard Time"),
            ("Europe/London", "GMT Standard Time"), ("Europe/Paris", "Romance Standard Time"),
            ("America/New_York", "Eastern Standard Time"), ("America/Los_Angeles", "Pacific Standard Time"),
            ("Asia/Kolkata", "India Standard Time"), ("Australia/Sydney", "AUS Eastern Standard Time"),
            ("UTC", "UTC"), ("Etc/UTC", "UTC"), ("Asia/Tokyo", "Tokyo Standard Time"),
        ]
    )
    func common(iana: String, windows: String) {
        #expect(WindowsTimeZone.id(forIANA: iana) == windows)
    }

    @Test("unknown zones are not guessed")
    func unknown() {
        #expect(WindowsTimeZone.id(forIANA: "Mars/Olympus_Mons") == nil)
        #expect(WindowsTimeZone.primaryIANA(forWindows: "W. Europe Standard Time") == "Europe/Berlin")
    }

    @Test("every zone of a row keeps the same UTC offset as the row's primary zone, winter and summer 2026")
    func rowsAreConsistent() {
        let instants = [Date(timeIntervalSince1970: 1_768_478_400), Date(timeIntervalSince1970: 1_784_116_800)]
        var checked = 0
        for row in WindowsTimeZone.allRows {
            let zones = row.zones.compactMap(TimeZone.init(identifier:))
            guard let primary = zones.first else {
                Issue.record("\(row.windows): primary zone \(row.zones.first ?? "") unknown to this system")
                continue
            }
            for zone in zones.dropFirst() {
                for instant in instants {
                    #expect(
                        zone.secondsFromGMT(for: instant) == primary.secondsFromGMT(for: instant),
                        "\(row.windows): \(zone.identifier) vs \(primary.identifier)"
                    )
                    checked += 1
                }
            }
        }
        #expect(checked > 400)
    }

    /// Zones with no Windows zone of the same rules: refused wherever they are set.
    static let unmappable: Set<String> = ["Antarctica/Troll"]

    /// Every zone name this system accepts: its list, and tzdata's aliases (`US/Eastern`) and their zones.
    static var everyName: [String] {
        let names = Set(TimeZone.knownTimeZoneIdentifiers).union(WindowsTimeZone.links.keys).union(
            WindowsTimeZone.links.values
        )
        return names.filter { TimeZone(identifier: $0) != nil }.sorted()
    }

    @Test("every zone the system knows, aliases included, maps to a Windows zone with its offsets, 2026 to 2030")
    func everyZoneMaps() {
        #expect(Self.everyName.count > 500)
        #expect(WindowsTimeZone.id(forIANA: "US/Eastern") == "Eastern Standard Time")
        #expect(WindowsTimeZone.id(forIANA: "Asia/Calcutta") == "India Standard Time")
        #expect(WindowsTimeZone.id(forIANA: "US/Samoa") == "UTC-11")
        // (Mid-January and mid-July of each year: both sides of every northern and southern DST rule.)
        let instants = (2026...2030).flatMap { year in
            [1, 7].map { month in
                Calendar(identifier: .gregorian).date(
                    from: DateComponents(timeZone: .gmt, year: year, month: month, day: 15)
                )!
            }
        }
        var unmapped: [String] = []
        for name in Self.everyName where !Self.unmappable.contains(name) {
            guard let windows = WindowsTimeZone.id(forIANA: name) else {
                unmapped.append(name)
                continue
            }
            let zone = TimeZone(identifier: name)!
            let primary = TimeZone(identifier: WindowsTimeZone.primaryIANA(forWindows: windows)!)!
            for instant in instants {
                #expect(
                    zone.secondsFromGMT(for: instant) == primary.secondsFromGMT(for: instant),
                    "\(name) → \(windows) (\(primary.identifier)) at \(instant)"
                )
            }
        }
        #expect(unmapped == [], "no Windows zone for \(unmapped)")
    }

    @Test("a zone without a Windows one, or none at all, is refused with the reason")
    func refused() {
        #expect(WindowsTimeZone.problem(with: "Antarctica/Troll")?.contains("no Windows time zone") == true)
        #expect(WindowsTimeZone.problem(with: "Mars/Olympus_Mons")?.contains("not an IANA time zone") == true)
        #expect(WindowsTimeZone.problem(with: "US/Eastern") == nil)
        #expect(WindowsTimeZone.problem(with: "UTC") == nil)
    }
}
