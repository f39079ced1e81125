import Bounds

/// The largest value each CRM field takes (README "Limits"), checked on every entry path (`import`, the
/// `activity` commands, values coming from Outlook) before anything is written: a value past one is refused
/// with the field and the limit named, never cut, and never a trap further on.
public enum ActivityLimits {
    /// Ids of activities and of every CRM record: printable, no surrounding spaces.
    public static let idLength = 128
    /// Outlook's subject line (Exchange keeps more, but Outlook and To Do show 255).
    public static let subjectLength = 255
    /// Outlook's location field.
    public static let locationLength = 255
    /// Names of employees, partners, contacts, opportunities; attendees' display names.
    public static let nameLength = 255
    /// RFC 5321: 64 for the local part, 255 for the domain, and the "@".
    public static let emailLength = 320
    /// Phone numbers, directions and the other short words.
    public static let shortTextLength = 64
    /// The information text (the item's body), in UTF-8 bytes: far below Exchange's message size limits, and
    /// below what one answer may hold (`exchange` client limits).
    public static let informationBytes = 1 << 20
    /// Exchange Online's recipients per message (to, cc and attendees each).
    public static let recipients = 500
    /// A call's duration and a reminder: at most a leap year, in minutes.
    public static let minutes: ClosedRange<Int> = 0...527_040
    /// A template's due date, in days from its generation: a century.
    public static let dueInDays: ClosedRange<Int> = 0...36_600
    /// A task's percent complete.
    public static let percentComplete: ClosedRange<Double> = 0...100

    /// Issues of an id: empty, too long, or holding a control character or surrounding space (a NUL would be
    /// stored cut at it, and the cut id would never match again).
    public static func id(_ field: String, _ value: String?) -> [ValidationIssue] {
        guard let value else { return [] }
        if value.trimmingCharacters(in: .whitespaces).isEmpty { return [.init(field, value, "must not be empty")] }
        if value.count > idLength { return [.init(field, value, "longer than \(idLength) characters")] }
        if value.unicodeScalars.contains(where: isControl) || value.first!.isWhitespace || value.last!.isWhitespace {
            return [.init(field, value, "only printable characters, without surrounding spaces")]
        }
        return []
    }

    /// Issues of a text field: longer than `limit` characters, or holding a control character (line breaks and
    /// tabs only where `multiline`).
    public static func text(_ field: String, _ value: String?, limit: Int, multiline: Bool = false) -> [ValidationIssue]
    {
        guard let value else { return [] }
        if multiline ? value.utf8.count > limit : value.count > limit {
            return [.init(field, value, multiline ? "longer than \(limit) bytes" : "longer than \(limit) characters")]
        }
        let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\r", "\t"] : []
        if value.unicodeScalars.contains(where: { isControl($0) && !allowed.contains($0) }) {
            return [
                .init(
                    field,
                    value,
                    multiline ? "control characters other than line breaks and tabs" : "control characters"
                )
            ]
        }
        return []
    }

    /// Issues of a whole number outside its range.
    public static func number(_ field: String, _ value: Int?, _ range: ClosedRange<Int>) -> [ValidationIssue] {
        guard let value, !range.contains(value) else { return [] }
        return [.init(field, "\(value)", "must be between \(range.lowerBound) and \(range.upperBound)")]
    }

    /// Issues of a number outside its range (NaN is in none).
    public static func number(_ field: String, _ value: Double?, _ range: ClosedRange<Double>) -> [ValidationIssue] {
        guard let value, !range.contains(value) else { return [] }
        let (low, high) = (Bounded.text(range.lowerBound), Bounded.text(range.upperBound))
        return [.init(field, Bounded.text(value), "must be between \(low) and \(high)")]
    }

    /// C0 and C1 control characters (DEL included).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
