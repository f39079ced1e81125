/// Follow-up activities: from any activity, a call, task, appointment or e-mail that keeps a link to
/// its origin and copies partner, contact, opportunity and (where both types have them) attendees.
public enum FollowUp {
    /// The types a follow-up may have.
    public static let types: Set<ActivityType> = [.call, .task, .appointment, .email]

    /// Makes the follow-up of `origin` (not yet validated or stored).
    public static func make(
        from origin: Activity,
        type: ActivityType,
        id: String,
        subject: String? = nil,
        owner: String? = nil
    ) -> Activity {
        var followUp = Activity(id: id, type: type, subject: subject ?? origin.subject, owner: owner ?? origin.owner)
        followUp.partner = origin.partner
        followUp.contact = origin.contact
        followUp.opportunity = origin.opportunity
        followUp.linkedActivity = origin.id
        followUp.origin = .followUp
        followUp.priority = origin.priority
        followUp.sensitivity = origin.sensitivity
        if origin.type.hasAttendees && type.hasAttendees {
            followUp.attendees = origin.attendees.map { attendee in
                var copy = attendee
                copy.response = .none  // a new meeting: nobody has answered it yet
                return copy
            }
        }
        return followUp
    }
}
