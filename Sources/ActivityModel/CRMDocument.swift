/// The import/export document: every record kind, each optional on import.
public struct CRMDocument: Sendable, Equatable, Codable {
    public var employees: [Employee] = []
    public var partners: [BusinessPartner] = []
    public var contacts: [Contact] = []
    public var opportunities: [Opportunity] = []
    public var templates: [ActivityTemplate] = []
    public var activities: [Activity] = []

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
        let c = try decoder.container(keyedBy: CodingKeys.self)
        employees = try c.decodeIfPresent([Employee].self, forKey: .employees) ?? []
        partners = try c.decodeIfPresent([BusinessPartner].self, forKey: .partners) ?? []
        contacts = try c.decodeIfPresent([Contact].self, forKey: .contacts) ?? []
        opportunities = try c.decodeIfPresent([Opportunity].self, forKey: .opportunities) ?? []
        templates = try c.decodeIfPresent([ActivityTemplate].self, forKey: .templates) ?? []
        activities = try c.decodeIfPresent([Activity].self, forKey: .activities) ?? []
    }
}
