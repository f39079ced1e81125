import Bounds
import Foundation
import Testing
import XMLKit

@Suite("xs:dateTime written by hand")
struct XSDateTimeTests {
    @Test("the same text String(format:) wrote, over the bounded range and its edges")
    func sameAsFormat() {
        var dates = [Bounded.earliest, Bounded.latest, Date(timeIntervalSince1970: 0), .distantPast, .distantFuture]
        var seconds = Bounded.earliest.timeIntervalSince1970
        let step = (Bounded.latest.timeIntervalSince1970 - seconds) / 997
        for _ in 0..<997 {
            dates.append(Date(timeIntervalSince1970: seconds))
            seconds += step
        }
        for date in dates {
            var time = time_t(Bounded.epochSeconds(date))
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
                Int(parts.tm_year) + 1900,
                Int(parts.tm_mon) + 1,
                Int(parts.tm_mday),
                Int(parts.tm_hour),
                Int(parts.tm_min),
                Int(parts.tm_sec)
            )
            #expect(XSDateTime.format(date) == expected, "\(date)")
        }
    }
}
