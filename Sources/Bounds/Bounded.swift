import Foundation

/// Total conversions at the edges. Numbers a server, a file or a user sends end up as integers, durations and
/// dates; Swift traps on a conversion out of range (NaN, ±infinity, 1e300, a type's extremes), and a trap in a
/// daemon is a restart loop that stops every mailbox. These clamp instead; where a value must be refused, the
/// rules that read it say so first (`ActivityLimits`, the configuration's ranges).
public enum Bounded {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what RFC 3339 and xs:dateTime write with four digits.
    public static let earliest = Date(timeIntervalSince1970: -62_135_596_800)
    public static let latest = Date(timeIntervalSince1970: 253_402_300_799)

    /// Whole milliseconds of `seconds`, within 0 … `limit` seconds (NaN and negatives are 0).
    public static func milliseconds(_ seconds: Double, atMost limit: Double) -> Int {
        guard seconds > 0 else { return 0 }  // (NaN compares false)
        return Int((min(seconds, limit) * 1000).rounded())
    }

    /// `seconds` as a duration, within 0 … `limit` seconds.
    public static func duration(seconds: Double, atMost limit: Double) -> Duration {
        .milliseconds(milliseconds(seconds, atMost: limit))
    }

    /// `seconds` within 0 … `limit` (NaN is 0).
    public static func seconds(_ seconds: Double, atMost limit: Double) -> Double {
        seconds > 0 ? min(seconds, limit) : 0
    }

    /// The date within `earliest` … `latest`.
    public static func date(_ date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        guard seconds == seconds else { return Date(timeIntervalSince1970: 0) }
        return min(max(date, earliest), latest)
    }

    /// Whole seconds since 1970 of the date within `earliest` … `latest` (rounded down).
    public static func epochSeconds(_ date: Date) -> Int {
        Int(Self.date(date).timeIntervalSince1970.rounded(.down))
    }

    /// A number as text: integral values without a fraction ("100", not "100.0"), others as Swift writes them
    /// ("12.5", "inf", "nan") — never a trap.
    public static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
