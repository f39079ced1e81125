import ArgumentParser
import EWSTestServer
import Foundation
import Store
import SyncSimulator

/// `sync-soak SECONDS` (issue 15; `scripts/soak` builds and runs it): the daemon binary with N mailboxes against the
/// fake Exchange on loopback, users on both sides and server faults at random. Phase one (the first two thirds):
/// SIGKILL and restart the daemon every 10–20 s. Phase two: no kills, the daemon's RSS sampled every 10 s, the last
/// sample within 10 % of the first. Then faults stop, the daemon is stopped (SIGTERM, exit 0), one clean
/// `run --once` passes, the simulator's invariants are checked on the two sides, and a second `run --once` must
/// have nothing left to do. Exit 0 when all of it held.
@main
struct SoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-soak",
        abstract: "Soak the daemon against the fake Exchange: random users, faults and SIGKILLs, then the invariants."
    )

    @Argument(help: "How long the soak runs, in seconds (at least 30).") var seconds: Int
    @Option(help: "Mailboxes (sync users).") var mailboxes = 50
    @Option(help: "Shortest time between two SIGKILLs in phase one, seconds.") var killMin = 10.0
    @Option(help: "Longest time between two SIGKILLs in phase one, seconds.") var killMax = 20.0
    @Option(help: "User and fault steps per second.") var rate = 10.0
    @Option(help: "Seed of the users' and the server's choices.") var seed: UInt64 = 1
    @Option(help: "The activity-sync binary (default: the one beside this program).") var binary: String?
    @Flag(help: "Keep the work folder (store, configuration, daemon log).") var keep = false

    func validate() throws {
        guard seconds >= 30 else { throw ValidationError("a soak runs 30 s at least (phase two samples every 10 s)") }
        guard killMin > 0, killMax >= killMin else { throw ValidationError("--kill-min must be > 0 and <= --kill-max") }
        guard mailboxes >= 1, rate > 0 else { throw ValidationError("--mailboxes and --rate must be positive") }
    }

    func run() throws {
        let program =
            binary ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
            + "/activity-sync"
        let work = try SoakWork(binary: program, mailboxes: mailboxes)
        defer { if !keep { work.remove() } else { print("work folder: \(work.folder)") } }
        let (report, driver) = try soak(work)
        print(report.lines.joined(separator: "\n"))
        if keep { work.writeTrail(driver) }
        if !report.problems.isEmpty {
            print("FAILED: \(report.problems.count) problems")
            for problem in report.problems.prefix(50) { print("  \(problem)") }
            throw ExitCode(1)
        }
        print("passed")
    }

    private func soak(_ work: SoakWork) throws -> (SoakReport, SoakDriver) {
        var report = SoakReport()
        let driver = SoakDriver(fake: work.fake, store: work.store, mailboxes: work.mailboxes, seed: seed)
        var random = SimRandom(seed: seed &+ 0x51A7)  // the kills' own draws
        let started = Date()
        let phaseTwo = started.addingTimeInterval(Double(seconds) * 2 / 3)
        let end = started.addingTimeInterval(Double(seconds))
        var daemon = try work.startDaemon()
        /// The next SIGKILL: between --kill-min and --kill-max seconds after `time`, in tenths.
        func killAfter(_ time: Date) -> Date {
            time.addingTimeInterval(killMin + Double(random.below(Int((killMax - killMin) * 10) + 1)) / 10)
        }
        var nextKill = killAfter(started)
        var nextRestart = started.addingTimeInterval(40)
        var nextSample = phaseTwo
        var kills: [Date] = []
        var steps = 0
        while Date() < end {
            driver.step(faults: true)
            steps += 1
            let now = Date()
            if now >= nextKill && now < phaseTwo {
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
                kills.append(now)
                daemon = try work.startDaemon()
                nextKill = killAfter(now)
            }
            if now >= nextRestart {
                try work.fake.restart()
                report.fakeRestarts += 1
                nextRestart = now.addingTimeInterval(40)
            }
            if now >= nextSample {
                report.rss.append(SoakWork.rss(of: daemon.processIdentifier))
                nextSample = nextSample.addingTimeInterval(10)
            }
            if !daemon.isRunning {
                report.problems.append("the daemon exited on its own (status \(daemon.terminationStatus)) at \(now)")
                daemon = try work.startDaemon()
            }
            Thread.sleep(forTimeInterval: 1 / rate)
        }
        report.rss.append(SoakWork.rss(of: daemon.processIdentifier))

        // Faults stop; what was in flight settles; the daemon stops as systemd stops it.
        work.fake.clearFaults()
        Thread.sleep(forTimeInterval: 2)
        kill(daemon.processIdentifier, SIGTERM)
        let stopping = Date()
        while daemon.isRunning && Date().timeIntervalSince(stopping) < 30 { Thread.sleep(forTimeInterval: 0.05) }
        if daemon.isRunning {
            report.problems.append("the daemon did not stop within 30 s of SIGTERM")
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
        } else if daemon.terminationStatus != 0 {
            report.problems.append("the daemon exited \(daemon.terminationStatus) after SIGTERM")
        }

        let clean = try work.cli(["run", "--once"])
        if clean.status != 0 { report.problems.append("the clean pass exited \(clean.status):\n\(clean.output)") }
        let checker = SoakChecker(
            fake: work.fake,
            store: work.store,
            mailboxes: work.mailboxes,
            log: driver.log,
            kills: kills
        )
        report.problems += try checker.problems()
        let quiet = try work.cli(["run", "--once"])
        let busy = quiet.output.split(separator: "\n").filter {
            $0.contains(": did ") && !$0.contains(": did 0 actions")
        }
        if quiet.status != 0 || !busy.isEmpty {
            report.problems.append("a second clean pass still had work (exit \(quiet.status)): \(busy.prefix(5))")
        }
        report.problems += try work.failingMailboxes()
        report.problems += report.rssProblems()

        let requests = work.fake.requests
        report.lines =
            [
                "soak: \(seconds) s, \(work.mailboxes.count) mailboxes, seed \(seed), \(steps) steps",
                "SIGKILLs: \(kills.count) (phase one), fake restarts: \(report.fakeRestarts)",
                "requests served: \(requests.count), with a fault: \(requests.filter { $0.fault != nil }.count)",
                "user edits logged: \(driver.log.count); activities at the end: \(try work.store.activities().count)",
                "daemon RSS in phase two (every 10 s, MB): "
                    + report.rss.map { String(format: "%.1f", Double($0) / 1024) }.joined(separator: " "),
            ] + driver.counts.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
        return (report, driver)
    }
}

/// What a soak came to.
struct SoakReport {
    var lines: [String] = []
    var problems: [String] = []
    /// The daemon's VmRSS in phase two, kB.
    var rss: [Int] = []
    var fakeRestarts = 0

    /// Phase two's last sample within 10 % of its first: no growth per pass once the kills stop.
    func rssProblems() -> [String] {
        guard let first = rss.first, let last = rss.last, first > 0 else { return ["no RSS sample in phase two"] }
        let growth = Double(last - first) / Double(first)
        return abs(growth) <= 0.10
            ? [] : ["RSS moved \(String(format: "%.1f", growth * 100)) % in phase two (\(first) → \(last) kB)"]
    }
}
