/// One broken rule, naming the field and the value.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    /// The record field (JSON name), e.g. `end`.
    public var field: String
    /// The offending value as text, when there is one.
    public var value: String?
    /// What is wrong.
    public var message: String

    /// Creates an issue.
    public init(_ field: String, _ value: String?, _ message: String) {
        self.field = field
        self.value = value
        self.message = message
    }

    public var description: String {
        if let value { return "\(field) '\(Self.shown(value))': \(message)" }
        return "\(field): \(message)"
    }

    /// A value as a message shows it: control characters escaped (a message may reach a terminal), and a long
    /// one cut, with its length (a 10 MB subject is named, not printed).
    static func shown(_ value: String) -> String {
        var shown = ""
        var count = 0
        for scalar in value.unicodeScalars {
            count += 1
            guard count <= 80 else { continue }
            shown += ActivityLimits.isControl(scalar) ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return count > 80 ? shown + "… (\(count) characters)" : shown
    }
}

/// A record refused, with every broken rule; nothing of it was written.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `activity A1`, `contact C3`…
    public var record: String
    /// The broken rules.
    public var issues: [ValidationIssue]

    /// Creates an error.
    public init(record: String, issues: [ValidationIssue]) {
        self.record = record
        self.issues = issues
    }

    public var description: String {
        "\(ValidationIssue.shown(record)) refused: " + issues.map(\.description).joined(separator: "; ")
    }
}

/// What validation needs to know about other records.
public protocol CRMReferences {
    /// The employee with this id.
    func employee(_ id: String) -> Employee?
    /// The partner with this id.
    func partner(_ id: String) -> BusinessPartner?
    /// The contact with this id.
    func contact(_ id: String) -> Contact?
    /// The opportunity with this id.
    func opportunity(_ id: String) -> Opportunity?
    /// The activity with this id (tombstoned ones included).
    func activity(_ id: String) -> Activity?
    /// The template with this id.
    func template(_ id: String) -> ActivityTemplate?
    /// Contacts whose e-mail matches, case-insensitively.
    func contacts(withEmail email: String) -> [Contact]
}
