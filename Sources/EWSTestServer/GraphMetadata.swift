import Foundation
import XMLKit

/// Microsoft Graph's v1.0 metadata (CSDL) for the types the adapter writes, and the check Graph makes of a
/// request body: an unknown property, a wrong type or a value outside an enum is refused with 400, as
/// Graph answers (`RequestBodyRead`, "The property 'x' does not exist on type 'microsoft.graph.event'").
public struct GraphMetadata: Sendable {
    struct Property: Sendable {
        var type: String
        var nullable: Bool
    }

    struct StructuredType: Sendable {
        var properties: [String: Property]
        /// Open types accept properties the metadata does not name — but Graph still refuses unknown ones on
        /// writes of `event` (a write of an undeclared property is `RequestBodyRead`); only `@odata` annotations pass.
        var isOpen: Bool
        /// Abstract (`extension`): a value must name its concrete type with `@odata.type`.
        var isAbstract: Bool
    }

    private var types: [String: StructuredType] = [:]
    private var bases: [String: String] = [:]
    private var enums: [String: Set<String>] = [:]

    /// The copy in the test server's resources.
    public static let bundled: GraphMetadata? = {
        guard let folder = Bundle.module.path(forResource: "graph-schema", ofType: nil),
            let data = FileManager.default.contents(atPath: folder + "/graph-v1.0-subset.xml")
        else { return nil }
        return try? GraphMetadata(csdl: Array(data))
    }()

    public init(csdl: [UInt8]) throws {
        var limits = XMLLimits.ews
        limits.maxDocumentBytes = 8 << 20
        let root = try XMLParser.parse(csdl, limits: limits)
        guard let schema = root.descendant("Schema") else { throw FakeExchangeError("CSDL without a Schema") }
        for element in schema.children {
            guard let name = element.attributes["Name"] else { continue }
            switch element.name {
            case "EnumType":
                enums["graph." + name] = Set(element.children("Member").compactMap { $0.attributes["Name"] })
            case "EntityType", "ComplexType":
                var properties: [String: Property] = [:]
                for property in element.children
                where property.name == "Property" || property.name == "NavigationProperty" {
                    guard let propertyName = property.attributes["Name"], let type = property.attributes["Type"] else {
                        continue
                    }
                    properties[propertyName] = Property(
                        type: type,
                        nullable: property.attributes["Nullable"] != "false"
                    )
                }
                types["graph." + name] = StructuredType(
                    properties: properties,
                    isOpen: element.attributes["OpenType"] == "true",
                    isAbstract: element.attributes["Abstract"] == "true"
                )
                if let base = element.attributes["BaseType"] { bases["graph." + name] = base }
            default: continue
            }
        }
        // Inherited properties (event ← outlookItem ← entity).
        for name in types.keys {
            var base = bases[name]
            while let parent = base {
                for (key, value) in types[parent]?.properties ?? [:] where types[name]?.properties[key] == nil {
                    types[name]?.properties[key] = value
                }
                base = bases[parent]
            }
        }
    }

    /// What is wrong with a JSON value for a type (`graph.event`); empty when nothing is.
    public func violations(of value: JSONValue, as type: String, at path: String = "") -> [String] {
        if value == .null { return [] }
        if type.hasPrefix("Collection("), type.hasSuffix(")") {
            guard case .array(let list) = value else { return ["\(path): expected a collection of \(type)"] }
            let element = String(type.dropFirst("Collection(".count).dropLast())
            return list.enumerated().flatMap { violations(of: $1, as: element, at: "\(path)[\($0)]") }
        }
        switch (type, value) {
        case ("Edm.String", .string), ("Edm.Boolean", .bool), ("Edm.Double", .number): return []
        case ("Edm.Int32", .number(let number)):
            return number == number.rounded() && abs(number) <= Double(Int32.max) ? [] : ["\(path): expected an Int32"]
        case ("Edm.DateTimeOffset", .string(let text)):
            return text.count >= 20 && text.contains("T") ? [] : ["\(path): expected an Edm.DateTimeOffset"]
        case ("Edm.String", _), ("Edm.Boolean", _), ("Edm.Double", _), ("Edm.Int32", _), ("Edm.DateTimeOffset", _):
            return ["\(path): expected \(type)"]
        default: break
        }
        if let members = enums[type] {
            guard case .string(let text) = value, members.contains(text) else {
                return ["\(path): \(value) is not a member of \(type)"]
            }
            return []
        }
        guard var structured = types[type] else { return ["\(path): unknown type \(type)"] }
        guard case .object(let object) = value else { return ["\(path): expected an object of \(type)"] }
        var concrete = type
        if case .string(let named)? = object["@odata.type"] {
            // `#microsoft.graph.openTypeExtension`: a type derived from the one expected.
            let name =
                "graph."
                + named.replacingOccurrences(of: "#", with: "").replacingOccurrences(
                    of: "microsoft.graph.",
                    with: ""
                )
            guard let derived = types[name], derives(name, from: type) else {
                return ["\(path): \(named) is not a type derived from \(type)"]
            }
            (structured, concrete) = (derived, name)
        } else if structured.isAbstract {
            return ["\(path): \(type) is abstract: the value must name its type with @odata.type"]
        }
        // (An open extension holds properties of its own: any name, primitive values.)
        let dynamic = structured.isOpen && derives(concrete, from: "graph.extension")
        var found: [String] = []
        for (key, member) in object.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("@odata.") { continue }
            if dynamic && structured.properties[key] == nil {
                if case .object = member { found.append("\(path)/\(key): an open extension holds primitive values") }
                continue
            }
            guard let property = structured.properties[key] else {
                found.append("\(path)/\(key): the property does not exist on type \(type)")
                continue
            }
            if member == .null {
                if !property.nullable { found.append("\(path)/\(key): may not be null") }
                continue
            }
            found += violations(of: member, as: property.type, at: "\(path)/\(key)")
        }
        return found
    }

    /// Whether a type is `base` or derives from it.
    func derives(_ type: String, from base: String) -> Bool {
        var current: String? = type
        while let name = current {
            if name == base { return true }
            current = bases[name]
        }
        return false
    }
}
