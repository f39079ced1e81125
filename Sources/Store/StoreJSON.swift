/// A reader for the JSON the store writes by hand (`links.base`, `activities.doc`: compact objects of texts,
/// numbers, flags, lists and small objects), without `JSONDecoder`, whose generic machinery was a fifth of a pass
/// over a large mailbox: every pass reads every link and activity of its mailbox. Anything it does not expect — a
/// repeated key, a damaged text — is nil, and callers fall back to `JSONDecoder`.
package struct StoreJSON {
    package enum Value: Equatable {
        case text(String)
        /// The number's text: the caller reads it as the type it wants (Int for all 64 bits, Double).
        case number(String)
        case flag(Bool)
        case list([Value])
        case object([String: Value])
        case null
    }

    private let bytes: [UInt8]
    private var at = 0

    /// The members of the object `text` holds, nil unless it is exactly one well-formed object.
    package static func object(_ text: String) -> [String: Value]? {
        var reader = StoreJSON(bytes: Array(text.utf8))
        guard let members = reader.members() else { return nil }
        reader.skipSpace()
        return reader.at == reader.bytes.count ? members : nil
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func members() -> [String: Value]? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var values: [String: Value] = [:]
        values.reserveCapacity(16)
        if take(UInt8(ascii: "}")) { return values }
        repeat {
            guard case .text(let name)? = text(), take(UInt8(ascii: ":")), let value = value(),
                values.updateValue(value, forKey: name) == nil
            else { return nil }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}")) ? values : nil
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x09 || bytes[at] == 0x0D {
            at += 1
        }
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
            var list: [Value] = []
            if take(UInt8(ascii: "]")) { return .list(list) }
            repeat {
                guard let item = value() else { return nil }
                list.append(item)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? .list(list) : nil
        case UInt8(ascii: "{"): return members().map { .object($0) }
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
        // Most texts hold no escape: made from their bytes at once.
        var end = at
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            defer { at = end + 1 }
            return .text(String(decoding: bytes[at..<end], as: UTF8.self))
        }
        var out = Array(bytes[at..<end])
        at = end
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

/// An object's members read as the types a record wants. Each answers `.some(nil)` for a member that is absent or
/// null, `.some(value)` for one of the type, and nil for one of another type (the caller then falls back).
extension [String: StoreJSON.Value] {
    package func string(_ key: String) -> String?? {
        switch self[key] {
        case nil, .null?: return .some(nil)
        case .text(let value)?: return .some(value)
        default: return nil
        }
    }

    package func integer(_ key: String) -> Int?? {
        switch self[key] {
        case nil, .null?: return .some(nil)
        case .number(let text)?: return Int(text).map { .some($0) }
        default: return nil
        }
    }

    package func double(_ key: String) -> Double?? {
        switch self[key] {
        case nil, .null?: return .some(nil)
        case .number(let text)?: return Double(text).map { .some($0) }
        default: return nil
        }
    }

    package func flag(_ key: String) -> Bool?? {
        switch self[key] {
        case nil, .null?: return .some(nil)
        case .flag(let value)?: return .some(value)
        default: return nil
        }
    }

    /// A list of texts (absent or null: empty).
    package func texts(_ key: String) -> [String]? {
        switch self[key] {
        case nil, .null?: return []
        case .list(let items)?:
            var texts: [String] = []
            for case .text(let text) in items { texts.append(text) }
            return texts.count == items.count ? texts : nil
        default: return nil
        }
    }
}
