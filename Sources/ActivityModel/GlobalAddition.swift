import Foundation

/// Global addition: one activity per selected business object, generated from a template.
public enum GlobalAddition {
    /// The business objects activities are generated for.
    public enum Targets: Sendable, Equatable {
        case partners([String])
        case contacts([String])
        case opportunities([String])
        case activities([String])
    }

    /// Who the generated activities are assigned to.
    public enum AssignRule: Sendable, Equatable {
        case nobody
        case internalRep
        case externalRep
        case employee(String)

        /// Parses `none`, `internal-rep`, `external-rep`, `employee:ID`.
        public init?(_ text: String) {
            switch text {
            case "none": self = .nobody
            case "internal-rep": self = .internalRep
            case "external-rep": self = .externalRep
            default:
                guard text.hasPrefix("employee:"), text.count > 9 else { return nil }
                self = .employee(String(text.dropFirst(9)))
            }
        }
    }

    /// The activities the template generates (not yet validated or stored), or the issues that stop it:
    /// unknown targets, a template of a type that cannot be generated.
    public static func plan(
        template: ActivityTemplate,
        targets: Targets,
        assign: AssignRule,
        owner: String,
        now: Date,
        references: some CRMReferences,
        makeId: (Int) -> String
    ) -> Result<[Activity], ValidationError> {
        var issues: [ValidationIssue] = []
        guard template.type == .task || template.type == .mailing else {
            return .failure(
                ValidationError(
                    record: "template \(template.id)",
                    issues: [
                        .init("type", template.type.rawValue, "templates generate tasks or mailings")
                    ]
                )
            )
        }
        let links = resolve(targets, references, &issues)
        var generated: [Activity] = []
        for (index, link) in links.enumerated() {
            var activity = Activity(id: makeId(index), type: template.type, subject: template.subject, owner: owner)
            activity.information = template.information
            activity.priority = template.priority
            activity.origin = .template
            activity.template = template.id
            activity.partner = link.partner
            activity.contact = link.contact
            activity.opportunity = link.opportunity
            activity.linkedActivity = link.activity
            let when = template.dueInDays.map { CRMTime.format(now.addingTimeInterval(Double($0) * 86_400)) }
            if template.type == .task { activity.due = when } else { activity.date = when ?? CRMTime.format(now) }
            switch assign {
            case .nobody: break
            case .employee(let id): activity.assignedTo = id
            case .internalRep, .externalRep:
                let partner = link.partner.flatMap(references.partner)
                let rep = assign == .internalRep ? partner?.internalRep : partner?.externalRep
                if rep == nil {
                    let role = assign == .internalRep ? "internal" : "external"
                    issues.append(.init("assign_to", link.label, "has no \(role) sales representative"))
                }
                activity.assignedTo = rep
            }
            generated.append(activity)
        }
        return issues.isEmpty ? .success(generated) : .failure(ValidationError(record: "generate", issues: issues))
    }

    private struct Link {
        var label: String
        var partner: String?
        var contact: String?
        var opportunity: String?
        var activity: String?
    }

    private static func resolve(
        _ targets: Targets,
        _ refs: some CRMReferences,
        _ issues: inout [ValidationIssue]
    ) -> [Link] {
        func unknown(_ field: String, _ id: String, _ kind: String) {
            issues.append(.init(field, id, "unknown \(kind)"))
        }
        switch targets {
        case .partners(let ids):
            return ids.compactMap { id in
                guard refs.partner(id) != nil else {
                    unknown("partners", id, "business partner")
                    return nil
                }
                return Link(label: "partner \(id)", partner: id)
            }
        case .contacts(let ids):
            return ids.compactMap { id in
                guard let contact = refs.contact(id) else {
                    unknown("contacts", id, "contact")
                    return nil
                }
                return Link(label: "contact \(id)", partner: contact.partner, contact: id)
            }
        case .opportunities(let ids):
            return ids.compactMap { id in
                guard let opportunity = refs.opportunity(id) else {
                    unknown("opportunities", id, "opportunity")
                    return nil
                }
                return Link(label: "opportunity \(id)", partner: opportunity.partner, opportunity: id)
            }
        case .activities(let ids):
            return ids.compactMap { id in
                guard let activity = refs.activity(id) else {
                    unknown("activities", id, "activity")
                    return nil
                }
                return Link(
                    label: "activity \(id)",
                    partner: activity.partner,
                    contact: activity.contact,
                    opportunity: activity.opportunity,
                    activity: id
                )
            }
        }
    }
}
