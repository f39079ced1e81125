import Foundation

/// Why a JSON document is no import document, naming where (`activities[3].type: …`).
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension CRMDocument {
    /// Decodes an import document; the error names the JSON path of what is wrong.
    public static func decode(_ data: Data) throws(DocumentError) -> CRMDocument {
        do { return try JSONDecoder().decode(CRMDocument.self, from: data) } catch {
            throw DocumentError(reason: wholeNumberPastRange(in: data) ?? describe(error))
        }
    }

    /// Fields holding whole numbers (minutes, days).
    static let wholeNumberFields: Set<String> = ["duration_minutes", "reminder_minutes", "due_in_days"]

    /// The path of a whole-number field whose JSON number is no whole number within ±2⁶³ (Foundation's decoder
    /// reports those as "not valid JSON", naming nothing), e.g. `activities[0].duration_minutes: 1e+300 …`.
    static func wholeNumberPastRange(in data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        func find(_ value: Any, _ path: String) -> String? {
            if let object = value as? [String: Any] {
                for (key, child) in object.sorted(by: { $0.key < $1.key }) {
                    let here = path.isEmpty ? key : path + "." + key
                    if Self.wholeNumberFields.contains(key), let number = child as? NSNumber,
                        Int(exactly: number.doubleValue) == nil || "\(number)".contains(where: { ".eE".contains($0) })
                            || number.doubleValue.magnitude >= 9.2e18
                    {
                        return "\(here): \(number) is not a whole number within the field's range"
                    }
                    if let found = find(child, here) { return found }
                }
            }
            if let array = value as? [Any] {
                for (index, child) in array.enumerated() {
                    if let found = find(child, path + "[\(index)]") { return found }
                }
            }
            return nil
        }
        return find(root, "")
    }

    /// Names the JSON path of a decoding failure, e.g. `activities[3].type`.
    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let location = path(context)
            return location.isEmpty ? context.debugDescription : "\(location): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let location = path(context)
            return "\(location.isEmpty ? "" : location + ": ")missing field '\(key.stringValue)'"
        default:
            return "\(error)"
        }
    }
}
