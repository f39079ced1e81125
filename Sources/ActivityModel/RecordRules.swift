import Foundation

/// The rules for employees, partners, contacts, opportunities and templates.
public enum RecordRules {
    /// Checks an employee.
    public static func validate(_ employee: Employee) -> ValidationError? {
        var issues = common(employee.id, employee.name)
        if let mailbox = employee.mailbox, !mailbox.contains("@") {
            issues.append(.init("mailbox", mailbox, "not an e-mail address"))
        }
        if employee.sync && employee.mailbox == nil {
            issues.append(.init("sync", "true", "a sync user needs a mailbox"))
        }
        if let zone = employee.timeZone, TimeZone(identifier: zone) == nil {
            issues.append(.init("time_zone", zone, "not an IANA time zone (e.g. Europe/Amsterdam)"))
        }
        return error("employee \(employee.id)", issues)
    }

    /// Checks a partner against the employees it names.
    public static func validate(_ partner: BusinessPartner, references: some CRMReferences) -> ValidationError? {
        var issues = common(partner.id, partner.name)
        for (field, id) in [("internal_rep", partner.internalRep), ("external_rep", partner.externalRep)] {
            if let id, references.employee(id) == nil { issues.append(.init(field, id, "unknown employee")) }
        }
        return error("partner \(partner.id)", issues)
    }

    /// Checks a contact.
    public static func validate(_ contact: Contact, references: some CRMReferences) -> ValidationError? {
        var issues = common(contact.id, contact.name)
        if let partner = contact.partner, references.partner(partner) == nil {
            issues.append(.init("partner", partner, "unknown business partner"))
        }
        if let email = contact.email, !email.contains("@") {
            issues.append(.init("email", email, "not an e-mail address"))
        }
        return error("contact \(contact.id)", issues)
    }

    /// Checks an opportunity.
    public static func validate(_ opportunity: Opportunity, references: some CRMReferences) -> ValidationError? {
        var issues = common(opportunity.id, opportunity.name)
        if let partner = opportunity.partner, references.partner(partner) == nil {
            issues.append(.init("partner", partner, "unknown business partner"))
        }
        return error("opportunity \(opportunity.id)", issues)
    }

    /// Checks a template.
    public static func validate(_ template: ActivityTemplate) -> ValidationError? {
        var issues = common(template.id, template.subject, nameField: "subject")
        if template.type != .task && template.type != .mailing {
            issues.append(.init("type", template.type.rawValue, "a template is a task or a mailing"))
        }
        if let days = template.dueInDays, days < 0 {
            issues.append(.init("due_in_days", "\(days)", "must not be negative"))
        }
        return error("template \(template.id)", issues)
    }

    private static func common(_ id: String, _ name: String, nameField: String = "name") -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if id.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(.init("id", id, "must not be empty")) }
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(.init(nameField, name, "must not be empty"))
        }
        return issues
    }

    private static func error(_ record: String, _ issues: [ValidationIssue]) -> ValidationError? {
        issues.isEmpty ? nil : ValidationError(record: record, issues: issues)
    }
}
