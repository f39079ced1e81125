extension Activity: Codable {
    enum CodingKeys: String, CodingKey {
        case id, type, subject, status, priority, sensitivity, information, partner, contact, opportunity
        case linkedActivity = "linked_activity"
        case owner
        case assignedTo = "assigned_to"
        case organizer, start, end, due
        case allDay = "all_day"
        case durationMinutes = "duration_minutes"
        case direction, location
        case showAs = "show_as"
        case reminderMinutes = "reminder_minutes"
        case percentComplete = "percent_complete"
        case attendees, synchronize, origin, template, deleted, date, from, to, cc
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case changeSeq = "change_seq"
    }

    /// Reads the import shape; omitted fields take their defaults, read-only fields are ignored.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(ActivityType.self, forKey: .type)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            type: type,
            subject: try c.decode(String.self, forKey: .subject),
            owner: try c.decode(String.self, forKey: .owner),
            status: try c.decodeIfPresent(String.self, forKey: .status)
        )
        priority = try c.decodeIfPresent(Priority.self, forKey: .priority) ?? .normal
        sensitivity = try c.decodeIfPresent(Sensitivity.self, forKey: .sensitivity) ?? .normal
        information = try c.decodeIfPresent(String.self, forKey: .information)
        partner = try c.decodeIfPresent(String.self, forKey: .partner)
        contact = try c.decodeIfPresent(String.self, forKey: .contact)
        opportunity = try c.decodeIfPresent(String.self, forKey: .opportunity)
        linkedActivity = try c.decodeIfPresent(String.self, forKey: .linkedActivity)
        assignedTo = try c.decodeIfPresent(String.self, forKey: .assignedTo)
        organizer = try c.decodeIfPresent(String.self, forKey: .organizer)
        start = try c.decodeIfPresent(String.self, forKey: .start)
        end = try c.decodeIfPresent(String.self, forKey: .end)
        due = try c.decodeIfPresent(String.self, forKey: .due)
        allDay = try c.decodeIfPresent(Bool.self, forKey: .allDay) ?? false
        durationMinutes = try c.decodeIfPresent(Int.self, forKey: .durationMinutes)
        direction = try c.decodeIfPresent(String.self, forKey: .direction)
        location = try c.decodeIfPresent(String.self, forKey: .location)
        showAs = try c.decodeIfPresent(ShowAs.self, forKey: .showAs)
        reminderMinutes = try c.decodeIfPresent(Int.self, forKey: .reminderMinutes)
        percentComplete = try c.decodeIfPresent(Double.self, forKey: .percentComplete)
        attendees = try c.decodeIfPresent([Attendee].self, forKey: .attendees) ?? []
        synchronize = try c.decodeIfPresent(Bool.self, forKey: .synchronize) ?? true
        origin = try c.decodeIfPresent(ActivityOrigin.self, forKey: .origin) ?? .manual
        template = try c.decodeIfPresent(String.self, forKey: .template)
        deleted = try c.decodeIfPresent(Bool.self, forKey: .deleted) ?? false
        date = try c.decodeIfPresent(String.self, forKey: .date)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        to = try c.decodeIfPresent([String].self, forKey: .to) ?? []
        cc = try c.decodeIfPresent([String].self, forKey: .cc) ?? []
    }

    /// Writes every field (nil as null) so the JSON shape is stable; e-mail fields only for e-mails.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(subject, forKey: .subject)
        try c.encode(status, forKey: .status)
        try c.encode(priority, forKey: .priority)
        try c.encode(sensitivity, forKey: .sensitivity)
        try c.encode(information, forKey: .information)
        try c.encode(partner, forKey: .partner)
        try c.encode(contact, forKey: .contact)
        try c.encode(opportunity, forKey: .opportunity)
        try c.encode(linkedActivity, forKey: .linkedActivity)
        try c.encode(owner, forKey: .owner)
        try c.encode(assignedTo, forKey: .assignedTo)
        try c.encode(organizer, forKey: .organizer)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(due, forKey: .due)
        try c.encode(allDay, forKey: .allDay)
        try c.encode(durationMinutes, forKey: .durationMinutes)
        try c.encode(direction, forKey: .direction)
        try c.encode(location, forKey: .location)
        try c.encode(showAs, forKey: .showAs)
        try c.encode(reminderMinutes, forKey: .reminderMinutes)
        try c.encode(percentComplete, forKey: .percentComplete)
        try c.encode(attendees, forKey: .attendees)
        try c.encode(synchronize, forKey: .synchronize)
        try c.encode(origin, forKey: .origin)
        try c.encode(template, forKey: .template)
        try c.encode(deleted, forKey: .deleted)
        if type == .mailing || type == .email { try c.encode(date, forKey: .date) }
        if type == .email {
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(cc, forKey: .cc)
        }
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(changeSeq, forKey: .changeSeq)
    }
}
