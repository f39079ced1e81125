import Bounds
import Foundation

/// xs:dateTime as EWS (client and fake) writes and reads it. Written in UTC with `Z`; read with `Z`, an offset, or no
/// zone (then UTC, which is what Exchange means for values it returns without one).
public enum XSDateTime {
    /// Formats a date as `2026-12-03T16:00:00Z` (whole seconds: Exchange stores no finer).
    public static func format(_ date: Date) -> String {
        var seconds = time_t(Bounded.epochSeconds(date))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // (Digits by hand: `String(format:)` was most of the cost of writing an item's dates in a bulk sync.)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T"
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "Z"
    }

    /// Parses xs:dateTime; nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            switch bytes[index] {
            case 90: index += 1  // Z
            case 43, 45:  // + or -
                guard let h = number(index + 1, 2), let m = number(index + 4, 2) else { return nil }
                offset = (h * 3600 + m * 60) * (bytes[index] == 43 ? 1 : -1)
                index += 6
            default: return nil
            }
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
