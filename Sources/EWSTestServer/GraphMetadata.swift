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
    }

    private var types: [String: StructuredType] = [:]
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
        var bases: [String: String] = [:]
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
                    isOpen: element.attributes["OpenType"] == "true"
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
        guard let structured = types[type] else { return ["\(path): unknown type \(type)"] }
        guard case .object(let object) = value else { return ["\(path): expected an object of \(type)"] }
        var found: [String] = []
        for (key, member) in object.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("@odata.") { continue }
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
}
