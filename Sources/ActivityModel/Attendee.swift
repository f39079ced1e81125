/// A person (or resource) taking part in an appointment or call.
public struct Attendee: Sendable, Equatable, Codable {
    /// E-mail address.
    public var email: String
    /// Display name.
    public var name: String?
    /// Required, optional, resource or organizer.
    public var attendance: Attendance
    /// Whether an invitation is to be sent.
    public var invite: Bool
    /// The attendee's answer.
    public var response: AttendeeResponse

    /// Creates an attendee.
    public init(
        email: String,
        name: String? = nil,
        attendance: Attendance = .required,
        invite: Bool = true,
        response: AttendeeResponse = .none
    ) {
        self.email = email
        self.name = name
        self.attendance = attendance
        self.invite = invite
        self.response = response
    }

    enum CodingKeys: String, CodingKey {
        case email, name, attendance, invite, response
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        email = try c.decode(String.self, forKey: .email)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        attendance = try c.decodeIfPresent(Attendance.self, forKey: .attendance) ?? .required
        invite = try c.decodeIfPresent(Bool.self, forKey: .invite) ?? true
        response = try c.decodeIfPresent(AttendeeResponse.self, forKey: .response) ?? .none
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(email, forKey: .email)
        try c.encode(name, forKey: .name)
        try c.encode(attendance, forKey: .attendance)
        try c.encode(invite, forKey: .invite)
        try c.encode(response, forKey: .response)
    }
}
