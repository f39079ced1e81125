/// Escaping for text and attribute values written into XML by hand.
public enum XMLEscaping {
    /// Escapes `&`, `<`, `>`, quotes, and drops characters XML 1.0 cannot carry at all.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                // XML 1.0 forbids other control characters even as references; a CRM text with one
                // must still produce a valid request, so it is dropped rather than failing the item.
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
