/// An employee: a CRM user, and when `sync` is on, an Exchange mailbox activity-sync keeps in step.
public struct Employee: Sendable, Equatable, Codable {
    /// Stable id.
    public var id: String
    /// Display name.
    public var name: String
    /// Mailbox (SMTP) address, matched case-insensitively.
    public var mailbox: String?
    /// Whether the employee is an active sync user.
    public var sync: Bool
    /// IANA zone; nil means `exchange.time_zone`.
    public var timeZone: String?
    /// `ews` or `graph`: how the mailbox is reached; nil means `exchange.backend` (a hybrid organisation has
    /// some mailboxes on Exchange Server and some on Exchange Online).
    public var backend: String?

    /// The backends a mailbox may be reached by.
    public static let backends = ["ews", "graph"]

    /// Creates an employee.
    public init(
        id: String,
        name: String,
        mailbox: String? = nil,
        sync: Bool = false,
        timeZone: String? = nil,
        backend: String? = nil
    ) {
        self.id = id
        self.name = name
        self.mailbox = mailbox
        self.sync = sync
        self.timeZone = timeZone
        self.backend = backend
    }

    enum CodingKeys: String, CodingKey {
        case id, name, mailbox, sync, backend
        case timeZone = "time_zone"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        mailbox = try c.decodeIfPresent(String.self, forKey: .mailbox)
        sync = try c.decodeIfPresent(Bool.self, forKey: .sync) ?? false
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        backend = try c.decodeIfPresent(String.self, forKey: .backend)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(mailbox, forKey: .mailbox)
        try c.encode(sync, forKey: .sync)
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(backend, forKey: .backend)
    }
}

/// A business partner (customer, prospect) with its internal and external sales representatives.
public struct BusinessPartner: Sendable, Equatable, Codable {
    /// Stable id.
    public var id: String
    /// Name.
    public var name: String
    /// Internal sales representative (employee id).
    public var internalRep: String?
    /// External sales representative (employee id).
    public var externalRep: String?

    /// Creates a partner.
    public init(id: String, name: String, internalRep: String? = nil, externalRep: String? = nil) {
        self.id = id
        self.name = name
        self.internalRep = internalRep
        self.externalRep = externalRep
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case internalRep = "internal_rep"
        case externalRep = "external_rep"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(internalRep, forKey: .internalRep)
        try c.encode(externalRep, forKey: .externalRep)
    }
}

/// A contact person, usually of a business partner.
public struct Contact: Sendable, Equatable, Codable {
    /// Stable id.
    public var id: String
    /// Name.
    public var name: String
    /// The partner the contact belongs to.
    public var partner: String?
    /// E-mail address (matched case-insensitively against attendees).
    public var email: String?
    /// Phone number.
    public var phone: String?
    /// The contact refuses invitations and mailings.
    public var optedOut: Bool

    /// Creates a contact.
    public init(
        id: String,
        name: String,
        partner: String? = nil,
        email: String? = nil,
        phone: String? = nil,
        optedOut: Bool = false
    ) {
        self.id = id
        self.name = name
        self.partner = partner
        self.email = email
        self.phone = phone
        self.optedOut = optedOut
    }

    enum CodingKeys: String, CodingKey {
        case id, name, partner, email, phone
        case optedOut = "opted_out"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        partner = try c.decodeIfPresent(String.self, forKey: .partner)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        optedOut = try c.decodeIfPresent(Bool.self, forKey: .optedOut) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(partner, forKey: .partner)
        try c.encode(email, forKey: .email)
        try c.encode(phone, forKey: .phone)
        try c.encode(optedOut, forKey: .optedOut)
    }
}

/// A sales opportunity of a partner.
public struct Opportunity: Sendable, Equatable, Codable {
    /// Stable id.
    public var id: String
    /// Name.
    public var name: String
    /// The partner.
    public var partner: String?

    /// Creates an opportunity.
    public init(id: String, name: String, partner: String? = nil) {
        self.id = id
        self.name = name
        self.partner = partner
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(partner, forKey: .partner)
    }
}

/// An activity template for global addition: a task or mailing due some days after generation.
public struct ActivityTemplate: Sendable, Equatable, Codable {
    /// Stable id.
    public var id: String
    /// `task` or `mailing`.
    public var type: ActivityType
    /// Subject of the generated activities.
    public var subject: String
    /// Information text.
    public var information: String?
    /// Priority.
    public var priority: Priority
    /// Due (task) or dated (mailing) this many days after generation.
    public var dueInDays: Int?

    /// Creates a template.
    public init(
        id: String,
        type: ActivityType,
        subject: String,
        information: String? = nil,
        priority: Priority = .normal,
        dueInDays: Int? = nil
    ) {
        self.id = id
        self.type = type
        self.subject = subject
        self.information = information
        self.priority = priority
        self.dueInDays = dueInDays
    }

    enum CodingKeys: String, CodingKey {
        case id, type, subject, information, priority
        case dueInDays = "due_in_days"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        type = try c.decode(ActivityType.self, forKey: .type)
        subject = try c.decode(String.self, forKey: .subject)
        information = try c.decodeIfPresent(String.self, forKey: .information)
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority) ?? .normal
        dueInDays = try c.decodeIfPresent(Int.self, forKey: .dueInDays)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(subject, forKey: .subject)
        try c.encode(information, forKey: .information)
        try c.encode(priority, forKey: .priority)
        try c.encode(dueInDays, forKey: .dueInDays)
    }
}
