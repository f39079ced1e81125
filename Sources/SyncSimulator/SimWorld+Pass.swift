import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning

/// What one simulated pass came to.
struct SimPassResult {
    var report: PassReport?
    var crashed = false
    var error: String?
    /// Requests other than change reads (a quiet pass sends none).
    var otherThanChangeReads = 0
    var skipped = false
    /// Store transactions the pass committed.
    var committed = 0
}

extension SimWorld {
    /// The daemon runs one pass over mailbox `m`: only for a sync user, only after the mailbox's back-off;
    /// a crash abandons the pass (the next starts from what the store holds, as after SIGKILL).
    func pass(
        _ m: Int,
        faults: [SimFault] = [],
        crash: SimCrash? = nil,
        mode: PassMode = .normal
    ) async
        -> SimPassResult
    {
        guard syncOn(m), let employee = store.snapshot.employees["E\(m + 1)"] else {
            return SimPassResult(skipped: true)
        }
        if let until = throttle.until(Self.address(m)) { clock.advance(to: until) }
        let clock = self.clock
        let context = SimPassContext(
            faults: faults,
            crash: crash,
            clock: { clock.now },
            throttle: throttle,
            race: { [self] fault, operation, address, item in race(fault, operation, address: address, item: item) }
        )
        context.trace = trace
        let passes = coverage.passes
        let engine = MailboxSync(
            store: SimStore(inner: store, context: context),
            service: SimMailbox(inner: mailboxes[m], context: context),
            services: { [self] address in SimMailbox(inner: mailbox(for: address), context: context) },
            settings: settings,
            employee: employee,
            clock: { clock.now },
            newPassID: { "pass\(passes)" }
        )
        coverage.passes += 1
        var result = SimPassResult()
        do {
            result.report = try await engine.runPass(mode: mode)
        } catch is SimCrashed {
            result.crashed = true
        } catch {
            result.error = "\(error)"
        }
        result.otherThanChangeReads = context.otherThanChangeReads
        result.committed = context.committed
        if trace {
            let what = result.crashed ? "crashed" : result.error.map { "failed: \($0)" } ?? "done"
            print(
                "    pass m\(m) \(what)"
                    + (result.report.map {
                        "\n      " + $0.plan.description.replacingOccurrences(of: "\n", with: "\n      ")
                    } ?? "")
            )
            if let failures = result.report?.failures, !failures.isEmpty { print("      failures: \(failures)") }
            let state = store.snapshot
            for link in state.links.values.sorted(by: { $0.activityId < $1.activityId }) {
                print(
                    "      link \(link.activityId) → \(link.mailbox.prefix(3)) \(link.itemId) v\(link.changeKey ?? "-") base \(link.base.status)"
                )
            }
            // Each activity as the CRM holds it, and each item as its mailbox does (what the invariants judge).
            for activity in state.activities.values.sorted(by: { $0.id < $1.id }) {
                print(
                    "      crm \(activity.id)\(activity.deleted ? " deleted" : "") \(activity.owner): \(Self.brief(form.fields(of: activity)))"
                )
            }
            for (index, mailbox) in mailboxes.enumerated() {
                for item in mailbox.snapshot.values.sorted(by: { $0.id < $1.id }) {
                    print("      m\(index) \(item.id) [\(item.activityId ?? "-")]: \(Self.brief(item.fields))")
                }
            }
        }
        violations += context.violations.map { "back-off violated | m\(m): \($0)" }
        coverage.faults.formUnion(context.fired.map(\.rawValue))
        if let point = context.crashedAt { coverage.crashes.insert(point) }
        if faults.isEmpty && crash == nil { return result }
        coverage.requests.formUnion(context.seen.keys)
        return result
    }

    /// After the history: every employee a sync user again (resuming dormant links), faults gone, passes
    /// over every mailbox until a round plans nothing; then one more round that must be quiet. Answers what
    /// went wrong.
    func settle() async -> [String] {
        var problems: [String] = []
        store.edit { state in
            for id in state.employees.keys { state.employees[id]?.sync = true }
        }
        for mailbox in mailboxes { mailbox.servesTasks = true }
        if windowed {
            // Graph's chain restarts when the window moves on (weekly): a listing from the start, after which the
            // engine reads the linked items the window left out — how their Outlook edits and deletes arrive.
            for mailbox in mailboxes { mailbox.expireCursors() }
            let state = store.snapshot
            let outside = state.links.values.contains { link in
                state.activities[link.activityId].map { !inWindow(form.fields(of: $0)) } ?? false
            }
            if outside { coverage.events.insert("windowed: a linked item outside the window") }
        }
        var quiet = false
        for _ in 0..<8 {
            quiet = true
            for m in mailboxes.indices {
                clock.advance(60)
                let result = await pass(m)
                if let error = result.error {
                    problems.append("a pass without faults failed | m\(m): \(error)")
                    quiet = false
                }
                if let report = result.report, !report.plan.isEmpty { quiet = false }
            }
            if quiet { break }
        }
        if !quiet { problems.append("no quiet round | no quiet round after 8 rounds of passes without faults") }
        for m in mailboxes.indices {
            clock.advance(60)
            let result = await pass(m)
            if let report = result.report, !report.plan.isEmpty {
                problems.append(
                    "the quiet pass planned something | m\(m): the quiet pass planned \(report.plan.actions)"
                )
            }
            if result.otherThanChangeReads > 0 {
                problems.append(
                    "the quiet pass sent requests | m\(m): the quiet pass sent \(result.otherThanChangeReads) requests besides change reads"
                )
            }
            if let report = result.report, !report.failures.isEmpty {
                problems.append("the quiet pass failed items | m\(m): the quiet pass failed items: \(report.failures)")
            }
        }
        return problems
    }

    /// A pair's values in one line (trace output).
    static func brief(_ fields: SyncFields) -> String {
        SyncFields.Field.allCases.compactMap { field in
            fields.text(field).map { "\(field.rawValue)=\($0)" }
        }.joined(separator: " ")
    }
}
