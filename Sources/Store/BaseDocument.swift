import ActivityModel
import SyncPlanning

/// Reads a link's base (`links.base`: a flat JSON object, `Store.encodeBase`'s or the JSONEncoder form before it)
/// without `JSONDecoder`, which was a tenth of a bulk first sync's CPU: every pass reads every link of its mailbox.
/// Anything it does not expect — another shape, a damaged text — is nil, and the caller falls back to
/// `JSONDecoder` (whose own failure reads as an empty base).
package struct BaseDocument {
    private let bytes: [UInt8]
    private var at = 0

    package static func decode(_ text: String) -> SyncFields? {
        var reader = BaseDocument(bytes: Array(text.utf8))
        return reader.fields()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private enum Value {
        case text(String)
        /// The number's text: integers are read as Int (all 64 bits), the percentage as Double.
        case number(String)
        case flag(Bool)
        case texts([String])
        case null
    }

    private mutating func fields() -> SyncFields? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var values: [String: Value] = [:]
        if !take(UInt8(ascii: "}")) {
            repeat {
                guard case .text(let name)? = text(), take(UInt8(ascii: ":")), let value = value() else { return nil }
                values[name] = value
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        skipSpace()
        guard at == bytes.count else { return nil }
        func string(_ key: String) -> String?? {
            switch values[key] {
            case nil, .null?: return .some(nil)
            case .text(let value)?: return .some(value)
            default: return nil
            }
        }
        func integer(_ key: String) -> Int?? {
            switch values[key] {
            case nil, .null?: return .some(nil)
            case .number(let text)?: return Int(text).map { .some($0) }
            default: return nil
            }
        }
        guard case .text(let subject)? = values["subject"], case .text(let status)? = values["status"],
            let information = string("information"), let start = string("start"), let end = string("end"),
            let due = string("due"), let location = string("location"), let priority = string("priority"),
            let sensitivity = string("sensitivity"), let showAs = string("showAs"),
            let reminderMinutes = integer("reminderMinutes"), let reminderDueBy = integer("reminderDueBy")
        else { return nil }
        var percent: Double?
        switch values["percentComplete"] {
        case nil, .null?: percent = nil
        case .number(let text)?:
            guard let value = Double(text) else { return nil }
            percent = value
        default: return nil
        }
        var allDay = false
        if let value = values["allDay"] {
            guard case .flag(let flag) = value else { return nil }
            allDay = flag
        }
        var attendees: [String] = []
        if let value = values["attendees"] {
            guard case .texts(let list) = value else { return nil }
            attendees = list
        }
        guard let priorityValue = Priority(rawValue: priority ?? "normal"),
            let sensitivityValue = Sensitivity(rawValue: sensitivity ?? "normal")
        else { return nil }
        let show = showAs.map { ShowAs(rawValue: $0) }
        if case .some(.none) = show { return nil }
        return SyncFields(
            subject: subject,
            information: information,
            priority: priorityValue,
            sensitivity: sensitivityValue,
            status: status,
            percentComplete: percent,
            start: start,
            end: end,
            due: due,
            allDay: allDay,
            location: location,
            showAs: show ?? nil,
            reminderMinutes: reminderMinutes,
            reminderDueBy: reminderDueBy,
            attendees: attendees
        )
    }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    private mutating func value() -> Value? {
        skipSpace()
        guard at < bytes.count else { return nil }
        switch bytes[at] {
        case UInt8(ascii: "\""): return text()
        case UInt8(ascii: "["):
            at += 1
            var list: [String] = []
            if take(UInt8(ascii: "]")) { return .texts(list) }
            repeat {
                guard case .text(let item)? = text() else { return nil }
                list.append(item)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? .texts(list) : nil
        case UInt8(ascii: "t"): return word("true") ? .flag(true) : nil
        case UInt8(ascii: "f"): return word("false") ? .flag(false) : nil
        case UInt8(ascii: "n"): return word("null") ? .null : nil
        default:
            let start = at
            while at < bytes.count, "+-.0123456789eE".utf8.contains(bytes[at]) { at += 1 }
            guard at > start else { return nil }
            return .number(String(decoding: bytes[start..<at], as: UTF8.self))
        }
    }

    private mutating func word(_ word: String) -> Bool {
        let expected = Array(word.utf8)
        guard at + expected.count <= bytes.count, Array(bytes[at..<at + expected.count]) == expected else {
            return false
        }
        at += expected.count
        return true
    }

    /// A JSON string: escapes decoded (`\uXXXX` with surrogate pairs), raw bytes kept as UTF-8.
    private mutating func text() -> Value? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""): return .text(String(decoding: out, as: UTF8.self))
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard word("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out += Array(String(Character(unicode)).utf8)
                default: return nil
                }
            default: out.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16)
        else { return nil }
        at += 4
        return value
    }
}
