import EWS
import EWSTestServer
import Foundation
import Testing

extension DaemonOpsTests {
    /// Whether this host has IPv6 loopback (a container may not).
    static let hasIPv6Loopback: Bool = {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }()

    @Test(
        "metrics an alert can rely on: lag from the store after a restart with a broken password, a never-synced mailbox included; conflicts, pending, process_*; IPv6"
    )
    func metricsFromStore() async throws {
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range the fakes bind in
        let host = Self.hasIPv6Loopback ? "[::1]" : "127.0.0.1"
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: "sync:\n  interval_seconds: 300\nmetrics:\n  listen: \"\(host):\(port)\"\n"
        )
        defer { fake.stop() }
        let alice = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Synced")
        try await cli.okAsync("run", "--once")
        try await Task.sleep(for: .seconds(2))
        // Then the password breaks, Bob becomes a sync user with a task waiting, and the daemon (re)starts.
        fake.addMailbox("bob@contoso.test")
        try SyncCLIFixture.addSyncUser(cli, id: "E2", name: "Bob", mailbox: "bob@contoso.test")
        try await SyncCLIFixture.addTask(cli, "B1", owner: "E2", subject: "Waiting")
        try SyncCLIFixture.writePassword("wrong", in: cli)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { fake.requestCount("unauthenticated") >= 2 })
        // (Through libcurl: Foundation's URL loading on Linux refuses an IPv6 literal.)
        var request = HTTPRequest(url: "http://\(host):\(port)/metrics", body: [])
        request.method = "GET"
        let scrape = String(decoding: try await CurlEventLoop.shared.perform(request).body, as: UTF8.self)
        func value(_ series: String) -> Double? {
            scrape.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        let aliceLag = try #require(value("activity_sync_mailbox_lag_seconds{mailbox=\"\(alice)\"}"), "\(scrape)")
        let bobLag = try #require(value("activity_sync_mailbox_lag_seconds{mailbox=\"bob@contoso.test\"}"))
        #expect(aliceLag >= 2, "the last good pass, read from the store: \(aliceLag)")
        #expect(bobLag >= 0 && bobLag < aliceLag)
        #expect(value("activity_sync_pending_changes{mailbox=\"bob@contoso.test\"}") == 1)
        #expect(value("activity_sync_pending_changes{mailbox=\"\(alice)\"}") == 0)
        #expect(value("activity_sync_open_conflicts{mailbox=\"\(alice)\"}") == 0)
        #expect(value("activity_sync_breaker_trips_total") == 0 && value("activity_sync_items_refused_total") == 0)
        #expect((value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((value("process_open_fds") ?? 0) > 3 && (value("process_max_fds") ?? 0) > 0)
        let start = try #require(value("process_start_time_seconds"))
        #expect(abs(Date().timeIntervalSince1970 - start) < 120)
        #expect(value("process_cpu_seconds_total") != nil)
        // Every series the shipped alerts and dashboard read is one this daemon serves (a renamed metric would
        // leave an alert silent for good).
        let missing = try Self.shippedMetricNames().filter { !scrape.contains("# TYPE \($0) ") }
        #expect(missing.isEmpty, "named in contrib/ but not served: \(missing)")
        #expect(await terminate(daemon) == 0)
    }

    /// The metric names `contrib/prometheus/alerts.yml` and `contrib/grafana/activity-sync.json` query (a histogram's
    /// `_bucket` series by its family's name; Prometheus' own `up` left out).
    static func shippedMetricNames() throws -> Set<String> {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var names: Set<String> = []
        for file in ["contrib/prometheus/alerts.yml", "contrib/grafana/activity-sync.json"] {
            let text = try String(contentsOf: root.appending(path: file), encoding: .utf8)
            let regex = try Regex("(activity_sync|process)_[a-z_]+")
            for match in text.matches(of: regex) {
                var name = String(text[match.range])
                if name.hasSuffix("_bucket") { name.removeLast("_bucket".count) }
                names.insert(name)
            }
        }
        #expect(names.count >= 15, "\(names)")
        return names
    }
}
