import EWS
import EWSTestServer
import Foundation
import Testing

/// A started fake Exchange with two mailboxes, a service account, and a client pointed at it.
/// Every test ends with `finish()`, which fails the test on any schema violation the fake recorded.
final class FakeExchangeFixture {
    static let alice = "alice@contoso.test"
    static let bob = "bob@contoso.test"
    static let carol = "carol@contoso.test"  // exists, but the service account may not impersonate her
    static let propertySet = "ec00f11f-9b22-45fe-906c-a4e6b3326e4e"
    static let activityId = EWSExtendedProperty(propertySetId: propertySet, name: "ActivityId")
    static let instanceId = EWSExtendedProperty(propertySetId: propertySet, name: "InstanceId")

    /// One compiled schema for the whole test process (compiling takes a noticeable fraction of a second).
    nonisolated(unsafe) private static var shared: FakeExchange?
    private static let lock = NSLock()

    let fake: FakeExchange

    init() throws {
        fake = try FakeExchange()
        try fake.start()
        fake.addAccount(.init(username: "svc-crm", password: "s3cret", mayImpersonate: [Self.alice, Self.bob]))
        for mailbox in [Self.alice, Self.bob, Self.carol] { fake.addMailbox(mailbox) }
    }

    func client(
        credentials: EWSCredentials = .basic(username: "svc-crm", password: "s3cret"),
        impersonation: Bool = true,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelaySeconds: 0.02, maxDelaySeconds: 0.2),
        timeoutSeconds: Double = 10,
        maxResponseBytes: Int = 16 << 20
    ) -> EWSClient {
        EWSClient(
            configuration: EWSConfiguration(
                url: fake.url,
                credentials: credentials,
                impersonation: impersonation,
                timeoutSeconds: timeoutSeconds,
                maxResponseBytes: maxResponseBytes,
                retry: retry
            )
        )
    }

    /// A client on the fake's OAuth2 endpoint (client `app-1`, secret `app-secret`, registered here).
    func oauthClient() -> EWSClient {
        fake.addOAuthClient(id: "app-1", secret: "app-secret")
        let grant = OAuth2ClientCredentials(
            tokenURL: fake.tokenURL,
            clientId: "app-1",
            clientSecret: "app-secret",
            scope: "https://outlook.office365.com/.default"
        )
        return client(credentials: .oauth2(grant))
    }

    /// Stops the fake and checks that every request the client sent was schema-valid.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) {
        fake.stop()
        #expect(fake.schemaViolations == [], sourceLocation: sourceLocation)
    }

    static func task(_ subject: String, activity: String) -> EWSItem {
        var item = EWSItem(kind: .task)
        item.subject = subject
        item.body = "Prefers mornings\nCRM: Fabrikam · Pat Doe · Fabrikam renewal"
        item.categories = ["CRM"]
        item.importance = .high
        item.sensitivity = .private
        item.reminderIsSet = true
        item.reminderDueBy = Date(timeIntervalSince1970: 1_796_300_000)
        item.dueDate = Date(timeIntervalSince1970: 1_796_310_000)
        item.startDate = Date(timeIntervalSince1970: 1_796_200_000)
        item.status = .inProgress
        item.percentComplete = 50
        item.extendedProperties = [activityId: activity, instanceId: "test"]
        return item
    }

    static func appointment(_ subject: String, activity: String) -> EWSItem {
        var item = EWSItem(kind: .calendarItem)
        item.subject = subject
        item.body = "Agenda & <notes>"
        item.categories = ["CRM"]
        item.importance = .normal
        item.sensitivity = .normal
        item.reminderIsSet = true
        item.reminderMinutesBeforeStart = 15
        item.start = Date(timeIntervalSince1970: 1_796_300_000)
        item.end = Date(timeIntervalSince1970: 1_796_303_600)
        item.isAllDayEvent = false
        item.legacyFreeBusyStatus = .tentative
        item.location = "Customer HQ"
        item.requiredAttendees = [EWSAttendee(email: "pat@fabrikam.test", name: "Pat Doe")]
        item.optionalAttendees = [EWSAttendee(email: "sam@fabrikam.test")]
        item.startTimeZone = "W. Europe Standard Time"
        item.endTimeZone = "W. Europe Standard Time"
        item.extendedProperties = [activityId: activity, instanceId: "test"]
        return item
    }

    static var fullShape: EWSItemShape {
        EWSItemShape(fields: EWSField.allCases, extendedProperties: [activityId, instanceId])
    }
}

extension Result {
    var value: Success? { try? get() }
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
