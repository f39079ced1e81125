import Daemon
import EWS
import Foundation
import Graph
import Store
import SyncEngine
import SyncPlanning

/// The daemon's Prometheus series (`metrics.listen`): EWS requests by operation and outcome, throttling
/// waits, items synced by direction, conflicts, pass duration, and lag per mailbox (seconds since its
/// last good pass).
final class DaemonMetrics: Sendable {
    let registry = MetricsRegistry()
    /// When this process started: a never-synced mailbox's lag counts from it at the latest.
    private let started = Date()

    init() {
        registry.describe("activity_sync_ews_requests_total", .counter, "EWS requests by operation and outcome.")
        registry.describe(
            "activity_sync_ews_request_seconds",
            .histogram,
            "EWS request duration including retries, by operation.",
            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
        )
        registry.describe(
            "activity_sync_graph_requests_total",
            .counter,
            "Microsoft Graph requests by method and outcome (the HTTP status, or transport)."
        )
        registry.describe("activity_sync_throttle_waits_total", .counter, "Back-offs Exchange asked for, by mailbox.")
        registry.describe(
            "activity_sync_throttle_wait_seconds_total",
            .counter,
            "Seconds of back-off Exchange asked for."
        )
        registry.describe("activity_sync_items_synced_total", .counter, "Items written, by direction and action.")
        registry.describe("activity_sync_conflicts_total", .counter, "Same-field conflicts settled by the policy.")
        registry.describe("activity_sync_passes_total", .counter, "Mailbox passes by outcome.")
        registry.describe(
            "activity_sync_limits_hit_total",
            .counter,
            "Passes that met a bound: pages (a listing cut short, continued next pass), answer_bytes, "
                + "answer_elements, element_text, answer_depth, find_pages (the pass failed on it), store_busy "
                + "(the pass yielded to another writer)."
        )
        registry.describe(
            "activity_sync_pass_seconds",
            .histogram,
            "Duration of a mailbox pass.",
            buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
        )
        registry.describe(
            "activity_sync_mailbox_lag_seconds",
            .gauge,
            "Seconds since the mailbox's last good pass (from the store, so it survives restarts); a mailbox never "
                + "synced counts from when it became a sync user or the daemon started, whichever is later."
        )
        registry.describe("activity_sync_open_conflicts", .gauge, "Conflicts waiting for ops, by mailbox.")
        registry.describe(
            "activity_sync_pending_changes",
            .gauge,
            "CRM changes not yet in Exchange, by mailbox (they go out with the next pass)."
        )
        registry.describe(
            "activity_sync_breaker_trips_total",
            .counter,
            "Passes the circuit breaker held (the mailbox paused instead of deleting past sync.max_deletes)."
        )
        registry.describe(
            "activity_sync_items_refused_total",
            .counter,
            "Items a pass could not write (refused by Exchange or by the CRM's rules); retried next pass."
        )
        registry.increment("activity_sync_breaker_trips_total", by: 0)
        registry.increment("activity_sync_items_refused_total", by: 0)
        ProcessMetrics.register(in: registry)
        registry.describe("activity_sync_build_info", .gauge, "The running build (always 1), by version.")
        registry.set(
            "activity_sync_build_info",
            ["version": ActivitySyncCommand.version, "commit": BuildInfo.commit],
            to: 1
        )
        // Series an alert rule reads exist at 0 from the start: `rate()` and `increase()` need a first sample, and
        // a rule over a series that never appeared is silent exactly until the first failure.
        for outcome in ["ok", "failed", "stopped", "skipped"] {
            registry.increment("activity_sync_passes_total", ["outcome": outcome], by: 0)
        }
        for limit in [
            "pages", "answer_bytes", "answer_elements", "element_text", "answer_depth", "find_pages", "store_busy",
        ] {
            registry.increment("activity_sync_limits_hit_total", ["limit": limit], by: 0)
        }
        registry.describe("activity_sync_mailboxes", .gauge, "Mailboxes by state.")
        registry.describe(
            "activity_sync_graph_certificate_expiry_timestamp_seconds",
            .gauge,
            "When the Graph app's certificate stops being accepted (Unix time); absent with a client secret."
        )
    }

    /// The Graph certificate's end (set at start and on reload): an alert fires well before it.
    func credentialExpiry(_ graph: GraphClient?) {
        registry.reset("activity_sync_graph_certificate_expiry_timestamp_seconds")
        guard case .certificate(let certificate)? = graph?.configuration.credential else { return }
        registry.set(
            "activity_sync_graph_certificate_expiry_timestamp_seconds",
            ["thumbprint": certificate.thumbprintSHA1Hex],
            to: certificate.notValidAfter.timeIntervalSince1970
        )
    }

    /// Hooks for the EWS client.
    var observer: EWSObserver {
        EWSObserver(
            request: { [registry] operation, _, outcome, seconds in
                // (The Graph client reports "Graph GET" and the like through the same hook: counted apart.)
                if operation.hasPrefix("Graph ") {
                    let method = String(operation.dropFirst("Graph ".count))
                    registry.increment("activity_sync_graph_requests_total", ["method": method, "outcome": outcome])
                    return
                }
                registry.increment("activity_sync_ews_requests_total", ["operation": operation, "outcome": outcome])
                // A streaming connection lives for minutes by design: its duration says nothing.
                if operation != "GetStreamingEvents" {
                    registry.observe("activity_sync_ews_request_seconds", ["operation": operation], seconds)
                }
            },
            throttled: { [registry] mailbox, seconds in
                registry.increment("activity_sync_throttle_waits_total", ["mailbox": mailbox.lowercased()])
                registry.increment(
                    "activity_sync_throttle_wait_seconds_total",
                    ["mailbox": mailbox.lowercased()],
                    by: seconds
                )
            }
        )
    }

    /// Lag, conflicts and pending changes per mailbox and mailboxes per state are read from the store when
    /// scraped: every sync user has its series from the first scrape, whatever this process has seen.
    func collectFromStore(_ store: Store) {
        registry.addCollector { [started] registry in
            let now = Date()
            for name in [
                "activity_sync_mailbox_lag_seconds", "activity_sync_open_conflicts", "activity_sync_pending_changes",
                "activity_sync_mailboxes",
            ] {
                registry.reset(name)
            }
            for state in ["pending", "enabled", "backing_off", "paused", "disabled"] {
                registry.set("activity_sync_mailboxes", ["state": state], to: 0)
            }
            // (One read of the store per scrape serves every per-mailbox series and the count by state.)
            for gauges in (try? store.mailboxGauges()) ?? [] {
                let labels = ["mailbox": gauges.mailbox]
                let since = gauges.lastPass ?? max(gauges.syncSince ?? started, started)
                registry.set("activity_sync_mailbox_lag_seconds", labels, to: max(0, now.timeIntervalSince(since)))
                registry.set("activity_sync_open_conflicts", labels, to: Double(gauges.openConflicts))
                registry.set("activity_sync_pending_changes", labels, to: Double(gauges.pendingLocal))
                registry.increment("activity_sync_mailboxes", ["state": gauges.state])
            }
        }
    }

    func record(_ outcome: SyncRun.MailboxOutcome, seconds: Double) {
        let label = outcome.stopped ? "stopped" : outcome.skipped ? "skipped" : outcome.ok ? "ok" : "failed"
        registry.increment("activity_sync_passes_total", ["outcome": label])
        guard !outcome.skipped else { return }
        registry.observe("activity_sync_pass_seconds", [:], seconds)
        if let limit = outcome.limit { registry.increment("activity_sync_limits_hit_total", ["limit": limit]) }
        guard let report = outcome.report else { return }
        if report.paused != nil && !report.dryRun { registry.increment("activity_sync_breaker_trips_total") }
        if !report.failures.isEmpty {
            registry.increment("activity_sync_items_refused_total", by: Double(report.failures.count))
        }
        if !report.limits.isEmpty { registry.increment("activity_sync_limits_hit_total", ["limit": "pages"]) }
        // What was executed and confirmed; a dry run or a held pass executed nothing.
        for action in report.executed {
            switch action {
            case .createRemote: item("to_exchange", "create")
            case .updateRemote: item("to_exchange", "update")
            case .deleteRemote: item("to_exchange", "delete")
            case .createLocal: item("to_crm", "create")
            case .updateLocal: item("to_crm", "update")
            case .tombstoneLocal: item("to_crm", "delete")
            case .recordConflict: registry.increment("activity_sync_conflicts_total")
            default: break
            }
        }
    }

    private func item(_ direction: String, _ action: String) {
        registry.increment("activity_sync_items_synced_total", ["direction": direction, "action": action])
    }
}
