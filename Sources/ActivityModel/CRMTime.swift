import Bounds
import Foundation

/// Times as the CRM takes them: RFC 3339 with a zone (`Z` or an offset), or a plain date for all-day
/// appointments. A time without a zone is refused: its meaning would depend on the machine.
public enum CRMTime: Sendable, Equatable {
    /// An instant.
    case instant(Date)
    /// A calendar date (year, month, day).
    case date(year: Int, month: Int, day: Int)

    /// Why a text is not a CRM time.
    public enum ParseError: Error, Equatable {
        case noZone
        case invalid
    }

    /// Parses `2026-12-03T17:00:00+01:00`, `2026-12-03T16:00:00Z` or `2026-12-03`.
    public static func parse(_ text: String) -> Result<CRMTime, ParseError> {
        let bytes = Array(text.utf8)
        if bytes.count == 10 {
            guard let (year, month, day) = parseDate(bytes) else { return .failure(.invalid) }
            return .success(.date(year: year, month: month, day: day))
        }
        guard bytes.count >= 19, parseDate(Array(bytes[0..<10])) != nil, bytes[10] == UInt8(ascii: "T") else {
            return .failure(.invalid)
        }
        let zone = bytes[19...].drop { $0 == UInt8(ascii: ".") || (48...57).contains($0) }
        if zone.isEmpty { return .failure(.noZone) }
        guard let date = parseInstant(text) else { return .failure(.invalid) }
        return .success(.instant(date))
    }

    /// The canonical text: UTC with `Z` for instants, `YYYY-MM-DD` for dates.
    public var text: String {
        switch self {
        case .instant(let date): return Self.format(date)
        case .date(let year, let month, let day):
            func pad(_ value: Int, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }
    }

    /// Formats an instant as RFC 3339 in UTC with `Z`, whole seconds. Written out digit by digit:
    /// `String(format:)` was the largest single cost of a bulk import.
    public static func format(_ date: Date) -> String {
        var seconds = time_t(Bounded.epochSeconds(date))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, at offset: Int, width: Int) {
            var rest = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, at: 0, width: 4)
        put(Int(parts.tm_mon) + 1, at: 5, width: 2)
        put(Int(parts.tm_mday), at: 8, width: 2)
        put(Int(parts.tm_hour), at: 11, width: 2)
        put(Int(parts.tm_min), at: 14, width: 2)
        put(Int(parts.tm_sec), at: 17, width: 2)
        for (index, byte) in [(4, 45), (7, 45), (10, 84), (13, 58), (16, 58), (19, 90)] { bytes[index] = UInt8(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The instant of a timed value (nil for dates).
    public var instant: Date? {
        if case .instant(let date) = self { return date }
        return nil
    }

    private static func parseDate(_ bytes: [UInt8]) -> (Int, Int, Int)? {
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        return (year, month, day)
    }

    private static func parseInstant(_ text: String) -> Date? {
        var normalized = text
        if let dot = normalized.firstIndex(of: ".") {
            // Fractions are dropped: Exchange keeps whole seconds.
            let rest = normalized[dot...].drop { $0 == "." || $0.isNumber }
            normalized = String(normalized[..<dot]) + rest
        }
        let bytes = Array(normalized.utf8)
        guard bytes.count == 20 || bytes.count == 25 else { return nil }
        var parts = tm()
        guard let (year, month, day) = parseDate(Array(bytes[0..<10])) else { return nil }
        let fields = [11..<13, 14..<16, 17..<19].map { range -> Int? in
            Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let hour = fields[0], let minute = fields[1], let second = fields[2], hour < 24, minute < 60, second < 61
        else { return nil }
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        var offset = 0
        if bytes.count == 25 {
            guard bytes[19] == 43 || bytes[19] == 45, bytes[22] == 58,
                let h = Int(String(decoding: bytes[20..<22], as: UTF8.self)),
                let m = Int(String(decoding: bytes[23..<25], as: UTF8.self))
            else { return nil }
            offset = (h * 3600 + m * 60) * (bytes[19] == 43 ? 1 : -1)
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        return Date(timeIntervalSince1970: Double(timegm(&parts) - offset))
    }
}
