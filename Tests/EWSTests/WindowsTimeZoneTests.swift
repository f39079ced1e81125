import EWS
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
}
