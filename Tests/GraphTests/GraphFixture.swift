import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
import SyncEngine

/// The fake Graph on loopback with one app (certificate) and two mailboxes, and a client and adapter for alice.
final class GraphFixture {
    static let alice = "alice@contoso.test"
    static let bob = "bob@contoso.test"
    static let clientId = "11111111-2222-3333-4444-555555555555"

    let fake: FakeGraph
    let client: GraphClient

    init(
        algorithm: ClientCertificate.Algorithm = .ps256,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelaySeconds: 0.01, maxDelaySeconds: 0.05)
    ) throws {
        fake = try FakeGraph()
        try fake.start()
        try fake.addClient(id: Self.clientId, certificatePEM: TestCertificates.app)
        fake.addMailbox(Self.alice)
        fake.addMailbox(Self.bob)
        client = GraphClient(
            configuration: GraphConfiguration(
                baseURL: fake.baseURL,
                tokenURL: fake.tokenURL,
                clientId: Self.clientId,
                credential: .certificate(try ClientCertificate(pem: TestCertificates.app, algorithm: algorithm)),
                retry: retry
            )
        )
    }

    deinit { fake.stop() }

    /// alice's calendar through the adapter (send_invitations: none unless said).
    func service(
        attendees: Bool = false,
        window: (pastDays: Int, futureDays: Int) = (30, 365),
        tasks: GraphTaskMode = .todo(list: nil),
        zone: String = "Europe/Amsterdam",
        clock: @escaping @Sendable () -> Date = { Date() }
    ) -> GraphMailboxService {
        GraphMailboxService(
            client: client,
            mailbox: Self.alice,
            mapping: ItemMapping(instance: "test", category: "CRM", zone: TimeZone(identifier: zone)!),
            window: window,
            attendeesOnEvents: attendees,
            tasks: tasks,
            clock: clock
        )
    }
}
