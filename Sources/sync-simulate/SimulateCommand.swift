import ArgumentParser
import Foundation
import SyncSimulator

/// `sync-simulate`: explores seeded histories with the real engine on the in-memory doubles.
@main
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-simulate",
        abstract: "Explore seeded sync histories with faults and crashes; print failures shrunk, and coverage."
    )

    @Option(help: "How many histories.") var histories = 1000
    @Option(help: "The first seed; history i uses seed + i.") var seed: UInt64 = 0
    @Option(help: "The longest history, in steps.") var maxLength = 100
    @Option(help: "Histories run at once.") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Failing seeds to shrink and print.") var show = 3
    @Option(help: "Show only failures of this class (as the summary names it).") var only: String?
    @Flag(help: "Print the coverage table (Markdown).") var coverage = false
    @Flag(help: "Trace the shrunk failing histories pass by pass.") var trace = false
    @Option(help: "Replay one seed, traced, unshrunk.") var replay: UInt64?
    @Flag(help: "Print shrunk histories as Swift, for the regression suite.") var swift = false
    @Flag(help: "List every failing seed (not only the first 50).") var allSeeds = false

    func run() async throws {
        if let replay {
            // One history, traced, without shrinking.
            let outcome = await SimRunner.run(SimHistory.generate(seed: replay, maxLength: maxLength), trace: true)
            for problem in outcome.problems { print("  ✗ \(problem)") }
            return
        }
        let started = Date()
        let workers = max(jobs, 1)
        let total = histories
        let first = seed
        let longest = maxLength
        let only = self.only
        let results = await withTaskGroup(of: (SimCoverageTable, [UInt64], [String: Int]).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var table = SimCoverageTable()
                    var failing: [UInt64] = []
                    var classes: [String: Int] = [:]
                    var index = worker
                    while index < total {
                        let history = SimHistory.generate(seed: first + UInt64(index), maxLength: longest)
                        let outcome = await SimRunner.run(history)
                        table.add(outcome.coverage, length: history.events.count)
                        let wanted = only.map { name in
                            outcome.problems.contains { SimOutcome.problemClass($0) == name }
                        }
                        if wanted ?? outcome.failed { failing.append(history.seed) }
                        for problem in Set(outcome.problems.map(SimOutcome.problemClass)) {
                            classes[problem, default: 0] += 1
                        }
                        index += workers
                    }
                    return (table, failing, classes)
                }
            }
            var table = SimCoverageTable()
            var failing: [UInt64] = []
            var classes: [String: Int] = [:]
            for await (part, seeds, kinds) in group {
                table.merge(part)
                failing += seeds
                classes.merge(kinds, uniquingKeysWith: +)
            }
            return (table, failing.sorted(), classes)
        }
        let (table, failing, classes) = results
        let seconds = Date().timeIntervalSince(started)
        print(
            "\(total) histories (seeds \(first)..<\(first + UInt64(total)), up to \(longest) steps) in "
                + String(format: "%.1f s", seconds) + ": \(failing.count) failed"
        )
        for (problem, count) in classes.sorted(by: { $0.value > $1.value }) { print("  \(count)× \(problem)") }
        for seed in failing.prefix(show) {
            let history = SimHistory.generate(seed: seed, maxLength: longest)
            let shrunk = await SimRunner.shrink(history, keeping: only)
            let outcome = await SimRunner.run(shrunk, trace: trace)
            print("\nseed \(seed) fails; shrunk from \(history.events.count) to \(shrunk.events.count) steps:")
            print(swift ? shrunk.swiftSource : shrunk.description)
            for problem in outcome.problems { print("  ✗ \(problem)") }
        }
        if !failing.isEmpty {
            let listed = allSeeds ? failing : Array(failing.prefix(50))
            print("\nfailing seeds: \(listed.map(String.init).joined(separator: " "))")
        }
        if coverage {
            print("\n" + table.table)
        }
        if !table.rare.isEmpty { print("\nseen in under 1 % of histories: \(table.rare.joined(separator: ", "))") }
        if !failing.isEmpty { throw ExitCode(1) }
    }
}
