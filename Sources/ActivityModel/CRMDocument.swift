/// The import/export document: every record kind, each optional on import.
public struct CRMDocument: Sendable, Equatable, Codable {
    public var employees: [Employee] = []
    public var partners: [BusinessPartner] = []
    public var contacts: [Contact] = []
    public var opportunities: [Opportunity] = []
    public var templates: [ActivityTemplate] = []
    public var activities: [Activity] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case employees, partners, contacts, opportunities, templates, activities
    }

    /// The document's record kinds, as its keys name them (and the import's summary counts them).
    public static let recordKinds = CodingKeys.allCases.map(\.rawValue)

    /// Creates a document.
    public init(
        employees: [Employee] = [],
        partners: [BusinessPartner] = [],
        contacts: [Contact] = [],
        opportunities: [Opportunity] = [],
        templates: [ActivityTemplate] = [],
        activities: [Activity] = []
    ) {
        self.employees = employees
        self.partners = partners
        self.contacts = contacts
        self.opportunities = opportunities
        self.templates = templates
        self.activities = activities
    }

    public init(from decoder: any Decoder) throws {
        // An unknown top-level key (`"activity": […]`) would import nothing of it and say nothing: refused.
        let known = Self.recordKinds
        for key in try decoder.container(keyedBy: AnyKey.self).allKeys where !known.contains(key.stringValue) {
            let hint = NearestName.to(key.stringValue, among: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [],
                    debugDescription:
                        "unknown top-level key '\(key.stringValue)'\(hint); the keys are \(known.joined(separator: ", "))"
                )
            )
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        employees = try c.decodeIfPresent([Employee].self, forKey: .employees) ?? []
        partners = try c.decodeIfPresent([BusinessPartner].self, forKey: .partners) ?? []
        contacts = try c.decodeIfPresent([Contact].self, forKey: .contacts) ?? []
        opportunities = try c.decodeIfPresent([Opportunity].self, forKey: .opportunities) ?? []
        templates = try c.decodeIfPresent([ActivityTemplate].self, forKey: .templates) ?? []
        activities = try c.decodeIfPresent([Activity].self, forKey: .activities) ?? []
    }
}

/// Any key of a JSON object (to list the keys a document has).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
