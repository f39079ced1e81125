import Foundation

/// The rules for employees, partners, contacts, opportunities and templates.
public enum RecordRules {
    /// Checks an employee.
    public static func validate(_ employee: Employee) -> ValidationError? {
        var issues = common(employee.id, employee.name)
        issues += ActivityLimits.text("mailbox", employee.mailbox, limit: ActivityLimits.emailLength)
        issues += ActivityLimits.text("time_zone", employee.timeZone, limit: ActivityLimits.shortTextLength)
        if let mailbox = employee.mailbox, !mailbox.contains("@") {
            issues.append(.init("mailbox", mailbox, "not an e-mail address"))
        }
        if employee.sync && employee.mailbox == nil {
            issues.append(.init("sync", "true", "a sync user needs a mailbox"))
        }
        if let backend = employee.backend, !Employee.backends.contains(backend) {
            issues.append(.init("backend", backend, "is not one of \(Employee.backends.joined(separator: ", "))"))
        }
        if let zone = employee.timeZone, let problem = WindowsTimeZone.problem(with: zone) {
            issues.append(.init("time_zone", zone, problem))
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
        issues += ActivityLimits.text("email", contact.email, limit: ActivityLimits.emailLength)
        issues += ActivityLimits.text("phone", contact.phone, limit: ActivityLimits.shortTextLength)
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
        var issues = common(template.id, template.subject, nameField: "subject", limit: ActivityLimits.subjectLength)
        issues += ActivityLimits.text(
            "information",
            template.information,
            limit: ActivityLimits.informationBytes,
            multiline: true
        )
        if template.type != .task && template.type != .mailing {
            issues.append(.init("type", template.type.rawValue, "a template is a task or a mailing"))
        }
        issues += ActivityLimits.number("due_in_days", template.dueInDays, ActivityLimits.dueInDays)
        return error("template \(template.id)", issues)
    }

    private static func common(
        _ id: String,
        _ name: String,
        nameField: String = "name",
        limit: Int = ActivityLimits.nameLength
    ) -> [ValidationIssue] {
        var issues = ActivityLimits.id("id", id)
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(.init(nameField, name, "must not be empty"))
        }
        issues += ActivityLimits.text(nameField, name, limit: limit)
        return issues
    }

    private static func error(_ record: String, _ issues: [ValidationIssue]) -> ValidationError? {
        issues.isEmpty ? nil : ValidationError(record: record, issues: issues)
    }
}
